package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.queue.CorruptQueueFileException;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.Spool;

/**
 * The delivery threads ({@code processLimit} plus {@code tsmtpConcurrencyLimit} of them): each
 * takes up one message that has fallen due, moves it to {@code active/}, reads and verifies it,
 * and runs its {@link DeliveryAttempt}; an attempt that fails unexpectedly is planned again
 * after the first retry wait. Thread-safe.
 */
final class DeliveryThreads {

    private static final Logger log = LoggerFactory.getLogger("qmgr");

    private final Spool spool;
    private final QueueIndex index;
    private final Scheduler scheduler;
    private final OperatorRequests operator;
    private final Quarantine quarantine;
    private final DeliveryAttempt attempt;
    private volatile RetryPolicy retry;
    private final Clock clock;
    private final ExecutorService threads;
    /** The threads not running an attempt: the scheduler hands out a message only when one is free. */
    private final Semaphore free;

    /** The wait after an attempt that failed as a whole, from now on. */
    void use(RetryPolicy next) {
        retry = next;
    }

    DeliveryThreads(int threads, Spool spool, QueueIndex index, Scheduler scheduler, OperatorRequests operator,
                    Quarantine quarantine, DeliveryAttempt attempt, RetryPolicy retry, Clock clock) {
        this.spool = spool;
        this.index = index;
        this.scheduler = scheduler;
        this.operator = operator;
        this.quarantine = quarantine;
        this.attempt = attempt;
        this.retry = retry;
        this.clock = clock;
        this.free = new Semaphore(threads);
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Waits until a thread is free and keeps it for the next {@link #dispatch}. */
    void awaitFreeThread() throws InterruptedException {
        free.acquire();
    }

    /**
     * Takes up a message that has fallen due on the thread {@link #awaitFreeThread} kept: starts
     * its attempt, or leaves it for the end of the one in flight (the thread is free again). False
     * once the threads are stopping.
     */
    boolean dispatch(Scheduler.Due d) {
        if (!operator.attemptBegins(d)) {
            free.release();
            return true;
        }
        try {
            threads.execute(() -> attempt(d.id(), d.force()));
        } catch (RejectedExecutionException stopped) {
            operator.attemptNotStarted(d.id());
            free.release();
            return false;
        }
        return true;
    }

    /** One delivery attempt of one message, then its thread is free again. */
    private void attempt(QueueId id, boolean force) {
        try {
            attemptOn(id, force);
        } finally {
            free.release();
        }
    }

    /** One delivery attempt of one message: the heart of the queue manager. */
    private void attemptOn(QueueId id, boolean force) {
        try {
            QueueState at = operator.stateAsAttemptBegins(id);
            if (at == null || at == QueueState.HOLD || at == QueueState.CORRUPT) {
                return;
            }
            if (at != QueueState.ACTIVE) {
                spool.move(id, at, QueueState.ACTIVE);
                index.place(id, QueueState.ACTIVE);
            }
            QueuedMessage m;
            try {
                m = spool.read(QueueState.ACTIVE, id);
                spool.verifyContent(m); // before any byte of it goes out
            } catch (CorruptQueueFileException e) {
                quarantine.move(id, QueueState.ACTIVE, e.getMessage());
                return;
            }
            attempt.run(m, force);
        } catch (IOException | RuntimeException e) {
            log.error("{}: delivery attempt failed: {}; will retry", id, e.toString(), e);
            QueueState at = index.stateOf(id);
            if (at != null && at != QueueState.HOLD) {
                scheduler.plan(id, clock.millis() + retry.delayMillis(1), false);
            }
        } finally {
            operator.attemptEnded(id);
        }
    }

    /**
     * Takes no more attempts, lets those in progress finish for up to {@code grace}, then
     * interrupts them (their messages stay in {@code active/} and are resumed at the next start).
     */
    void stop(Duration grace) {
        threads.shutdown();
        try {
            if (!threads.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} delivery attempt(s) still running after {}; they resume at the next start",
                        operator.inFlight(), grace);
                threads.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
