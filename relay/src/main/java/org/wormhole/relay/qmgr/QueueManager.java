package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.mailertable.Lookup;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.events.LoggedEvents;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.Spool;

/**
 * The only scheduler of deliveries (Postfix's qmgr). It moves messages between queue states,
 * routes each pending recipient by the mailertable at every attempt (so an edit reroutes mail
 * already waiting), hands recipients with the same route to one delivery agent together, and
 * records each outcome in the queue file before acting on it.
 *
 * <p>Thread-safe: ingress threads call {@link #enqueued}, the control socket calls the
 * operator methods, delivery threads run the attempts.
 *
 * <p>The facade of the package's parts: {@link QueueIndex} (where each message is),
 * {@link QueueResume} (the queue found at start), {@link Scheduler} (when it is tried next),
 * {@link DeliveryThreads} and {@link DeliveryAttempt} (one message's attempt),
 * {@link OperatorRequests} (hold, release, delete while an attempt may be in flight),
 * {@link Flushes}, {@link Quarantine}.
 */
public final class QueueManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("qmgr");

    /** The mailertable as the queue manager sees it. */
    @FunctionalInterface
    public interface Routing {
        Lookup lookup(String recipient);
    }

    /**
     * Settings of the queue manager (from the relay configuration).
     *
     * @param tsmtpConcurrencyLimit deliveries in flight over one link at once: a link takes many
     *                              messages without a round trip each, so it gets its own limit
     *                              (and its own delivery threads, on top of {@code processLimit})
     */
    public record Settings(int hopcountLimit, RetryPolicy retry, Duration maximalQueueLifetime,
                           Duration delayWarningTime, int processLimit, int destinationConcurrencyLimit,
                           int tsmtpConcurrencyLimit) {

        /** Without links: tsmtp deliveries share the default limit. */
        public Settings(int hopcountLimit, RetryPolicy retry, Duration maximalQueueLifetime,
                        Duration delayWarningTime, int processLimit, int destinationConcurrencyLimit) {
            this(hopcountLimit, retry, maximalQueueLifetime, delayWarningTime, processLimit,
                    destinationConcurrencyLimit, 0);
        }
    }

    private final Spool spool;
    private final Clock clock;
    private final QueueIndex index;
    private final Scheduler scheduler;
    private final Flushes flushes;
    private final OperatorRequests operator;
    private final Quarantine quarantine;
    private final DeliveryThreads deliveries;
    private final DeliveryAttempt attempt;
    private final Settings started;
    private final QueueResume resume;

    public QueueManager(Spool spool, Routing routing, Agents agents, Notifier notifier, Settings settings,
                        Clock clock) {
        this(spool, routing, agents, notifier, settings, clock, new LoggedEvents());
    }

    /**
     * As above, reporting each recipient's outcome to {@code events} (the {@code to=<...>,
     * status=...} log line is {@link LoggedEvents}, which {@code events} should include).
     */
    public QueueManager(Spool spool, Routing routing, Agents agents, Notifier notifier, Settings settings,
                        Clock clock, RelayEvents events) {
        this.spool = spool;
        this.clock = clock;
        this.index = new QueueIndex(spool);
        this.scheduler = new Scheduler(clock, new Scheduler.Dispatch() {
            @Override
            public void awaitFreeThread() throws InterruptedException {
                deliveries.awaitFreeThread();
            }

            @Override
            public boolean due(Scheduler.Due d) {
                return deliveries.dispatch(d);
            }
        });
        RecipientRouting recipientRouting = new RecipientRouting(routing);
        this.flushes = new Flushes(index, recipientRouting, scheduler, clock);
        this.operator = new OperatorRequests(spool, index, scheduler, flushes, clock);
        this.quarantine = new Quarantine(spool, index, scheduler);
        this.resume = new QueueResume(spool, index, scheduler, quarantine, clock);
        this.started = settings;
        this.attempt = new DeliveryAttempt(spool, recipientRouting, agents, notifier, settings, clock, index,
                scheduler, flushes, this::enqueued, events);
        this.deliveries = new DeliveryThreads(settings.processLimit() + settings.tsmtpConcurrencyLimit(), spool, index,
                scheduler, operator, quarantine, attempt, settings.retry(), clock);
    }

    /**
     * Lists the queue as it is before this relay takes any mail: call it before SMTP and the
     * links accept, then {@link #start}, which reads what was listed in the background. (A file
     * listed later could be a reception in progress, taken for a partial one and removed.)
     */
    public void listQueue() throws IOException {
        resume.list();
    }

    /**
     * Resumes the queue as found on disk and starts delivering: lists the queue at once and reads
     * the files in the background, oldest first ({@link QueueResume}), so that mail can be received
     * while a large backlog is planned. Incoming and active messages are due now, deferred ones at
     * their next attempt, held ones wait. A partial reception in {@code incoming/} (the relay
     * stopped mid-DATA: never acknowledged) is removed; any other file that cannot be read goes to
     * {@code corrupt/}.
     */
    public void start() throws IOException {
        resume.start(); // listed before any attempt can move a file
        scheduler.start();
    }

    /**
     * Applies reloaded settings to the attempts that begin from now on: the hop count limit, the
     * backoff times (a recipient deferred from now on waits by the new ones; one already deferred
     * keeps its planned retry time), the queue lifetime, the delay warning time and the
     * per-destination limits. An attempt in progress finishes with the settings it began with.
     * The number of delivery threads ({@code processLimit} plus {@code tsmtpConcurrencyLimit})
     * is fixed at start: {@code next} must have the same, else nothing is applied.
     *
     * @throws IllegalArgumentException {@code next} changes the number of delivery threads
     */
    public void apply(Settings next) {
        if (next.processLimit() != started.processLimit() || next.tsmtpConcurrencyLimit() != started.tsmtpConcurrencyLimit()) {
            throw new IllegalArgumentException("the number of delivery threads is fixed at start"
                    + " (default_process_limit, tsmtp_destination_concurrency_limit): restart to change it");
        }
        attempt.use(next);
        deliveries.use(next.retry());
    }

    /** A message the ingress has just committed to {@code incoming/}: deliver it now. */
    public void enqueued(QueueId id) {
        index.place(id, QueueState.INCOMING);
        scheduler.planNew(id, clock.millis());
    }

    /** Makes every deferred message due now, ignoring backoff (postqueue -f). Returns how many. */
    public int flush() {
        return flushes.flush();
    }

    /**
     * Makes due now the messages with a pending recipient that {@code route} matches (say the
     * routes over a link that has just come up), and only those recipients ignore their retry
     * times; mail waiting for anything else keeps its backoff. Routing is the mailertable's, as
     * at every attempt. Returns how many messages.
     *
     * @param what what is flushed, for the log
     */
    public int flush(String what, Predicate<Route> route) {
        return flushes.flush(what, route);
    }

    /** How many messages (not on hold) have a pending recipient that {@code route} matches. */
    public int waiting(Predicate<Route> route) {
        return flushes.waiting(route);
    }

    /** Puts a message on hold: it stays queued and is not delivered until released. */
    public boolean hold(QueueId id) throws IOException {
        return operator.hold(id);
    }

    /** Releases a held message: due now. */
    public boolean release(QueueId id) throws IOException {
        return operator.release(id);
    }

    /** Deletes a message, wherever it is (postsuper -d). */
    public boolean delete(QueueId id) throws IOException {
        return operator.delete(id);
    }

    /** The ids of all messages in the queue, for {@code delete ALL}. */
    public List<QueueId> all() {
        return index.all();
    }

    /**
     * Reads every queued message's file, each once, oldest first (by queue id), following a file
     * that moves while it is read: what {@code wormhole queue list --json} shows while the relay
     * runs. A message that leaves the queue meanwhile, or whose file cannot be read, is skipped.
     */
    public void forEachQueued(Consumer<QueuedMessage> action) throws IOException {
        List<QueueId> ids = index.all();
        ids.sort(null);
        for (QueueId id : ids) {
            index.read(id).ifPresent(action);
        }
    }

    /**
     * Tells the scheduler that the clock has jumped ahead: the plans it has made due are taken up
     * now rather than after the wait measured before the jump. The system clock never needs it;
     * a test's settable clock does, after each advance.
     */
    void clockAdvanced() {
        scheduler.clockAdvanced();
    }

    /**
     * The message waiting longest for delivery (not on hold, not corrupt): the smallest queue id,
     * ids sorting by arrival ({@link QueueId#arrivalMillis}). Empty when none waits. For status
     * displays: one pass over the index, no file read.
     */
    public Optional<QueueId> oldestWaiting() {
        QueueId[] oldest = {null};
        index.forEach((id, state) -> {
            if (state != QueueState.HOLD && state != QueueState.CORRUPT && (oldest[0] == null || id.compareTo(oldest[0]) < 0)) {
                oldest[0] = id;
            }
        });
        return Optional.ofNullable(oldest[0]);
    }

    /** Counts of messages by state, for status displays. */
    public Map<QueueState, Long> counts() {
        return index.counts();
    }

    /**
     * Stops scheduling, lets attempts in progress finish for up to {@code grace}, then gives up
     * on them (their messages stay in {@code active/} and are resumed at the next start).
     */
    public void stop(Duration grace) {
        resume.stop();
        scheduler.stop();
        deliveries.stop(grace);
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }
}
