package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.Spool;

/**
 * Hold, release and delete (postsuper), in order with the delivery attempts: a request for a
 * message whose attempt is in flight is applied when that attempt ends, so the two never both
 * move its file; a plan that falls due during an attempt is taken up when it ends too. This
 * object's monitor is the lock of that order. Thread-safe.
 */
final class OperatorRequests {

    private static final Logger log = LoggerFactory.getLogger("qmgr");

    private final Spool spool;
    private final QueueIndex index;
    private final Scheduler scheduler;
    private final Flushes flushes;
    private final Clock clock;
    private final Set<QueueId> inFlight = ConcurrentHashMap.newKeySet();
    /** Plans that fell due while their message was in flight: taken up when the attempt ends. */
    private final Map<QueueId, Boolean> dueWhileInFlight = new ConcurrentHashMap<>();
    private final Map<QueueId, AfterAttempt> afterAttempt = new ConcurrentHashMap<>();

    OperatorRequests(Spool spool, QueueIndex index, Scheduler scheduler, Flushes flushes, Clock clock) {
        this.spool = spool;
        this.index = index;
        this.scheduler = scheduler;
        this.flushes = flushes;
        this.clock = clock;
    }

    /** See {@link QueueManager#hold}. */
    synchronized boolean hold(QueueId id) throws IOException {
        return moveByOperator(id, AfterAttempt.HOLD);
    }

    /** See {@link QueueManager#release}. */
    synchronized boolean release(QueueId id) throws IOException {
        if (index.stateOf(id) != QueueState.HOLD) {
            return false;
        }
        spool.move(id, QueueState.HOLD, QueueState.DEFERRED);
        index.place(id, QueueState.DEFERRED);
        log.info("{}: released from hold", id);
        scheduler.plan(id, clock.millis(), true);
        return true;
    }

    /** See {@link QueueManager#delete}. */
    synchronized boolean delete(QueueId id) throws IOException {
        return moveByOperator(id, AfterAttempt.DELETE);
    }

    /**
     * {@code due} is taken up: true if its attempt may start now, false if one is in flight
     * already (then it is taken up when that one ends).
     */
    synchronized boolean attemptBegins(Scheduler.Due due) {
        scheduler.taken(due);
        if (!inFlight.add(due.id())) {
            dueWhileInFlight.merge(due.id(), due.force(), Boolean::logicalOr); // taken up when the attempt ends
            return false;
        }
        return true;
    }

    /** The attempt {@link #attemptBegins} allowed could not start (the relay is stopping). */
    void attemptNotStarted(QueueId id) {
        inFlight.remove(id);
    }

    /**
     * Where the file of {@code id}, whose attempt is in flight, is as the attempt begins. An
     * operator move (hold, delete) either finished before this, or saw the attempt in flight and
     * left its request for the end of the attempt: never both move the file.
     */
    synchronized QueueState stateAsAttemptBegins(QueueId id) {
        return index.stateOf(id);
    }

    /**
     * The attempt of {@code id} has ended: applies the request an operator made meanwhile, or
     * else plans the message again if it fell due meanwhile. Under the lock of the operator
     * methods, so a request they leave while the attempt is still in flight is never lost.
     */
    synchronized void attemptEnded(QueueId id) {
        inFlight.remove(id);
        Boolean againForced = dueWhileInFlight.remove(id);
        AfterAttempt wanted = afterAttempt.remove(id);
        QueueState at = index.stateOf(id);
        if (againForced != null && wanted == null && at != null && at != QueueState.HOLD) {
            scheduler.plan(id, clock.millis(), againForced);
        }
        if (wanted != null && at != null) {
            try {
                apply(id, at, wanted);
            } catch (IOException e) {
                log.error("{}: operator request failed: {}", id, e.toString());
            }
        }
    }

    /** How many delivery attempts are in flight. */
    int inFlight() {
        return inFlight.size();
    }

    private boolean moveByOperator(QueueId id, AfterAttempt move) throws IOException {
        QueueState at = index.stateOf(id);
        if (at == null || move == AfterAttempt.HOLD && at == QueueState.HOLD) {
            return false;
        }
        if (inFlight.contains(id)) {
            afterAttempt.put(id, move); // applied when the attempt ends
            log.info("{}: will be {} when its delivery attempt ends", id, move.done());
            return true;
        }
        apply(id, at, move);
        return true;
    }

    private void apply(QueueId id, QueueState at, AfterAttempt move) throws IOException {
        switch (move) {
            case DELETE -> {
                spool.delete(id, at);
                index.forget(id);
                scheduler.cancel(id);
                flushes.forget(id);
            }
            case HOLD -> {
                spool.move(id, at, QueueState.HOLD);
                index.place(id, QueueState.HOLD);
                scheduler.cancel(id);
            }
        }
        log.info("{}: {}", id, move.done());
    }
}
