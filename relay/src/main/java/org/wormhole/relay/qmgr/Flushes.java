package org.wormhole.relay.qmgr;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;

/**
 * Mail made due now, ignoring backoff: all of it (postqueue -f), or the messages waiting for
 * some routes (a link that has just come up), whose recipients on those routes then ignore their
 * retry times at the next attempt. Also answers how many messages wait for some routes. Thread-safe.
 */
final class Flushes {

    private static final Logger log = LoggerFactory.getLogger("qmgr");

    private final QueueIndex index;
    private final RecipientRouting routing;
    private final Scheduler scheduler;
    private final Clock clock;
    /** Routes a {@link #flush(String, Predicate)} made due now, ignoring retry times, at the next attempt. */
    private final Map<QueueId, Predicate<Route>> flushedRoutes = new ConcurrentHashMap<>();

    Flushes(QueueIndex index, RecipientRouting routing, Scheduler scheduler, Clock clock) {
        this.index = index;
        this.routing = routing;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** Makes every deferred message due now, ignoring backoff (postqueue -f). Returns how many. */
    int flush() {
        // ACTIVE too: a message whose attempt is running now (it may be failing because of
        // what this flush is about, e.g. a link that just came back) is tried again right after.
        List<QueueId> due = oldestFirst(id -> true);
        long now = clock.millis();
        due.forEach(id -> scheduler.plan(id, now, true));
        log.info("flush: {} message(s) due now", due.size());
        return due.size();
    }

    /** See {@link QueueManager#flush(String, Predicate)}. */
    int flush(String what, Predicate<Route> route) {
        List<QueueId> due = oldestFirst(id -> waitsFor(id, route));
        long now = clock.millis();
        for (QueueId id : due) {
            flushedRoutes.merge(id, route, Predicate::or);
            scheduler.plan(id, now, false);
        }
        log.info("flush of {}: {} message(s) due now", what, due.size());
        return due.size();
    }

    /**
     * The deliverable messages that {@code wanted} accepts, oldest first: planned in that order at
     * one time, a backlog goes out in the order it came in (and the first ones can go while the
     * last are planned).
     */
    private List<QueueId> oldestFirst(Predicate<QueueId> wanted) {
        List<QueueId> due = new ArrayList<>();
        index.forEach((id, state) -> {
            if (deliverable(state) && wanted.test(id)) {
                due.add(id);
            }
        });
        due.sort(null);
        return due;
    }

    /** How many messages (not on hold) have a pending recipient that {@code route} matches. */
    int waiting(Predicate<Route> route) {
        int[] n = {0};
        index.forEach((id, state) -> {
            if (deliverable(state) && waitsFor(id, route)) {
                n[0]++;
            }
        });
        return n[0];
    }

    /** The routes flushed for {@code id} since its last attempt, or null: its next attempt takes them. */
    Predicate<Route> take(QueueId id) {
        return flushedRoutes.remove(id);
    }

    /** {@code id} has been deleted. */
    void forget(QueueId id) {
        flushedRoutes.remove(id);
    }

    private static boolean deliverable(QueueState s) {
        // ACTIVE too: an attempt running now may be failing for what the flush is about.
        return s == QueueState.DEFERRED || s == QueueState.INCOMING || s == QueueState.ACTIVE;
    }

    /** Whether a pending recipient of {@code id} is routed by {@code route} now. */
    private boolean waitsFor(QueueId id, Predicate<Route> route) {
        for (String address : index.pendingAddresses(id)) {
            if (routing.routed(address, route)) {
                return true;
            }
        }
        return false;
    }
}
