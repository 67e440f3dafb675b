package org.wormhole.relay.qmgr;

import java.time.Clock;
import java.util.Comparator;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.wormhole.relay.queue.QueueId;

/**
 * When each message is tried next: one plan per message, measured on the queue manager's clock,
 * and the thread that hands each message that falls due to a {@link Dispatch}, one at a time as
 * it has a free delivery thread (so what waits is still ordered here, not in a thread pool's queue).
 *
 * <p>Two lanes, as Postfix's qmgr has its incoming and deferred queues: first attempts of mail
 * just received, and everything else (retries, flushes, the queue resumed at start). When both
 * have mail due, they take turns: a backlog flushed at once (a link that comes back after hours)
 * drains while new mail keeps flowing. Within a lane, plans due at the same time go oldest
 * message first (queue ids sort by arrival). Thread-safe.
 */
final class Scheduler {

    /** What is done with a message that falls due. */
    interface Dispatch {
        /** Waits until a delivery thread is free for the next message: the one {@link #due} is given. */
        void awaitFreeThread() throws InterruptedException;

        /**
         * Takes up {@code due} on the free thread, telling the scheduler first ({@link #taken}) under the lock that
         * orders attempts; a thread it does not use is free again.
         *
         * @return false once no attempt can be started any more: the scheduler stops
         */
        boolean due(Due due);
    }

    /** Due first by time, then oldest message first. */
    private static final Comparator<Due> ORDER = Comparator.comparingLong((Due d) -> d.atMillis)
            .thenComparing(d -> d.id, Comparator.nullsFirst(Comparator.naturalOrder()));

    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** First attempts of mail just received. */
    private final PriorityQueue<Due> fresh = new PriorityQueue<>(ORDER);
    /** Retries, flushes and the queue resumed at start. */
    private final PriorityQueue<Due> retries = new PriorityQueue<>(ORDER);
    /** When both lanes have mail due: whether the fresh lane's turn is next. */
    private boolean freshTurn = true;
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
     * Plans an attempt at {@code atMillis} in the lane of retries. An earlier plan stands (a flush
     * is not undone by a later retry time), and a forced plan stays forced.
     */
    void plan(QueueId id, long atMillis, boolean force) {
        plan(new Due(id, atMillis, force, false));
    }

    /** Plans the first attempt of mail just received, now, in the lane of new mail. */
    void planNew(QueueId id, long atMillis) {
        plan(new Due(id, atMillis, false, true));
    }

    private void plan(Due neu) {
        Due[] added = new Due[1];
        planned.compute(neu.id, (id, old) -> {
            Due d = old == null ? neu : old.atMillis <= neu.atMillis
                    ? (old.force || !neu.force ? old : old.forced())
                    : (neu.force || !old.force ? neu : neu.forced());
            added[0] = d == old ? null : d; // an earlier plan that stands is queued already
            return d;
        });
        if (added[0] == null) {
            return;
        }
        lock.lock();
        try {
            (added[0].fresh ? fresh : retries).add(added[0]);
            changed.signal();
        } finally {
            lock.unlock();
        }
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
        lock.lock();
        try {
            changed.signal();
        } finally {
            lock.unlock();
        }
    }

    private void loop(Dispatch dispatch) {
        try {
            while (!stopping) {
                dispatch.awaitFreeThread();
                Due d = nextDue();
                if (stopping || !dispatch.due(d)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            // stopping
        }
    }

    /** Waits for the next plan that is due and still current, and takes it out of its lane. */
    private Due nextDue() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                long now = clock.millis();
                Due f = fresh.peek();
                Due r = retries.peek();
                boolean freshDue = f != null && f.atMillis <= now;
                boolean retryDue = r != null && r.atMillis <= now;
                Due d = null;
                if (freshDue && (freshTurn || !retryDue)) {
                    d = fresh.poll();
                    freshTurn = !retryDue;
                } else if (retryDue) {
                    d = retries.poll();
                    freshTurn = true;
                }
                if (d != null) {
                    if (planned.get(d.id) == d) {
                        return d;
                    }
                    continue; // superseded by another plan, held or deleted
                }
                long next = Math.min(f == null ? Long.MAX_VALUE : f.atMillis, r == null ? Long.MAX_VALUE : r.atMillis);
                if (next == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.await(next - now, TimeUnit.MILLISECONDS);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A message due at a time; {@code force} ignores the recipients' own retry times; {@code fresh}
     * is a first attempt of mail just received. Compared by identity: a plan superseded by an
     * equal one is still stale.
     */
    static final class Due {
        private final QueueId id;
        private final long atMillis;
        private final boolean force;
        private final boolean fresh;

        private Due(QueueId id, long atMillis, boolean force, boolean fresh) {
            this.id = id;
            this.atMillis = atMillis;
            this.force = force;
            this.fresh = fresh;
        }

        QueueId id() {
            return id;
        }

        boolean force() {
            return force;
        }

        private Due forced() {
            return new Due(id, atMillis, true, fresh);
        }
    }
}
