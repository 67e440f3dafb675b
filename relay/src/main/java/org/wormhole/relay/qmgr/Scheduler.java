package org.wormhole.relay.qmgr;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import org.wormhole.relay.queue.QueueId;

/**
 * When each message is tried next: one plan per message, kept in a delay queue measured on the
 * queue manager's clock, and the thread that hands each message that falls due to a {@link Dispatch}.
 * Thread-safe.
 */
final class Scheduler {

    /** What is done with a message that falls due. */
    @FunctionalInterface
    interface Dispatch {
        /**
         * Takes up {@code due}, telling the scheduler first ({@link #taken}) under the lock that orders attempts.
         *
         * @return false once no attempt can be started any more: the scheduler stops
         */
        boolean due(Due due);
    }

    private final Clock clock;
    private final DelayQueue<Due> due = new DelayQueue<>();
    /** The plan of each message; a queued {@link Due} that does not match it is stale. */
    private final Map<QueueId, Due> planned = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stopping;

    Scheduler(Clock clock, Dispatch dispatch) {
        this.clock = clock;
        this.thread = new Thread(() -> loop(dispatch), "qmgr");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops taking up plans (attempts already handed out run on). */
    void stop() {
        stopping = true;
        thread.interrupt();
    }

    /**
     * Plans an attempt at {@code atMillis}. An earlier plan stands (a flush is not undone by a
     * later retry time), and a forced plan stays forced.
     */
    void plan(QueueId id, long atMillis, boolean force) {
        Due d = planned.merge(id, new Due(id, atMillis, force, clock), (old, neu) -> old.atMillis <= neu.atMillis
                ? (old.force || !neu.force ? old : new Due(id, old.atMillis, true, clock))
                : (neu.force || !old.force ? neu : new Due(id, neu.atMillis, true, clock)));
        due.put(d);
    }

    /** Drops {@code id}'s plan (held, deleted or quarantined): its queued {@link Due} goes stale. */
    void cancel(QueueId id) {
        planned.remove(id);
    }

    /** {@code d} is being taken up: it is no longer {@code id}'s plan (a newer plan stays). */
    void taken(Due d) {
        planned.remove(d.id, d);
    }

    /**
     * Tells the scheduler that the clock has jumped ahead: the plans it has made due are taken up
     * now rather than after the wait measured before the jump. The system clock never needs it;
     * a test's settable clock does, after each advance.
     */
    void clockAdvanced() {
        due.put(new Due(null, 0, false, clock)); // due at once: wakes the scheduler, which then measures again
    }

    private void loop(Dispatch dispatch) {
        while (!stopping) {
            Due d;
            try {
                d = due.take();
            } catch (InterruptedException e) {
                return;
            }
            if (d.id == null || planned.get(d.id) != d || stopping) {
                continue; // a wake-up after a clock jump, or superseded by another plan, held or deleted
            }
            if (!dispatch.due(d)) {
                return;
            }
        }
    }

    /**
     * A message due at a time; {@code force} ignores the recipients' own retry times. Compared by
     * identity: a plan superseded by an equal one is still stale.
     */
    static final class Due implements Delayed {
        private final QueueId id;
        private final long atMillis;
        private final boolean force;
        /** The queue manager's clock: every wait is measured on it. */
        private final Clock clock;

        private Due(QueueId id, long atMillis, boolean force, Clock clock) {
            this.id = id;
            this.atMillis = atMillis;
            this.force = force;
            this.clock = clock;
        }

        QueueId id() {
            return id;
        }

        boolean force() {
            return force;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(atMillis - clock.millis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(atMillis, ((Due) o).atMillis);
        }
    }
}
