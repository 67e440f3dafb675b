package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.mailertable.Lookup;
import org.wormhole.mailertable.Mailer;
import org.wormhole.mailertable.Nexthop;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.DeliveryRequest;
import org.wormhole.relay.delivery.DeliveryResult;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.CorruptQueueFileException;
import org.wormhole.relay.queue.PartialReceptionException;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.RecipientStatus;
import org.wormhole.relay.queue.Spool;
import org.wormhole.relay.queue.StatusLog;

/**
 * The only scheduler of deliveries (Postfix's qmgr). It moves messages between queue states,
 * routes each pending recipient by the mailertable at every attempt (so an edit reroutes mail
 * already waiting), hands recipients with the same route to one delivery agent together, and
 * records each outcome in the queue file before acting on it.
 *
 * <p>Thread-safe: ingress threads call {@link #enqueued}, the control socket calls the
 * operator methods, delivery threads run the attempts.
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
    private final RecipientRouting routing;
    private final Agents agents;
    private final Notifier notifier;
    private final Settings settings;
    private final Clock clock;
    private final QueueIndex index;
    private final DestinationLimiter limiter;
    private final ExecutorService deliveries;
    private final Scheduler scheduler;
    private final Flushes flushes;
    private final OperatorRequests operator;
    public QueueManager(Spool spool, Routing routing, Agents agents, Notifier notifier, Settings settings,
                        Clock clock) {
        this.spool = spool;
        this.routing = new RecipientRouting(routing);
        this.agents = agents;
        this.notifier = notifier;
        this.settings = settings;
        this.clock = clock;
        this.index = new QueueIndex(spool);
        this.limiter = new DestinationLimiter();
        AtomicInteger n = new AtomicInteger();
        this.deliveries = Executors.newFixedThreadPool(settings.processLimit() + settings.tsmtpConcurrencyLimit(), r -> {
            Thread t = new Thread(r, "delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scheduler = new Scheduler(clock, this::dispatch);
        this.flushes = new Flushes(index, this.routing, scheduler, clock);
        this.operator = new OperatorRequests(spool, index, scheduler, flushes, clock);
    }

    /**
     * Resumes the queue as found on disk and starts delivering: incoming and active messages are
     * due now, deferred ones at their next attempt, held ones wait. A partial reception in
     * {@code incoming/} (the relay stopped mid-DATA: never acknowledged) is removed; any other
     * file that cannot be read goes to {@code corrupt/}.
     */
    public void start() throws IOException {
        long now = clock.millis();
        int resumed = 0;
        for (QueueState state : List.of(QueueState.INCOMING, QueueState.ACTIVE, QueueState.DEFERRED, QueueState.HOLD)) {
            for (QueueId id : spool.list(state)) {
                try {
                    QueuedMessage m = spool.read(state, id);
                    index.place(id, state);
                    index.pending(id, m.pending());
                    if (state != QueueState.HOLD) {
                        scheduler.plan(id, state == QueueState.DEFERRED ? m.nextAttemptMillis() : now, false);
                        resumed++;
                    }
                } catch (PartialReceptionException e) {
                    if (state == QueueState.INCOMING) {
                        spool.delete(id, state);
                        log.info("removed partial reception {} (never acknowledged)", id);
                    } else {
                        quarantine(id, state, e.getMessage());
                    }
                } catch (CorruptQueueFileException e) {
                    quarantine(id, state, e.getMessage());
                }
            }
        }
        log.info("queue resumed: {} message(s) to deliver, {} held", resumed,
                index.count(QueueState.HOLD));
        scheduler.start();
    }

    /** A message the ingress has just committed to {@code incoming/}: deliver it now. */
    public void enqueued(QueueId id) {
        index.place(id, QueueState.INCOMING);
        scheduler.plan(id, clock.millis(), false);
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
     * Tells the scheduler that the clock has jumped ahead (see {@link Scheduler#clockAdvanced}).
     */
    void clockAdvanced() {
        scheduler.clockAdvanced();
    }

    /** Takes up a message that has fallen due: starts its attempt, or leaves it for the end of the one in flight. */
    private boolean dispatch(Scheduler.Due d) {
        if (!operator.attemptBegins(d)) {
            return true;
        }
        try {
            deliveries.execute(() -> attempt(d.id(), d.force()));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            operator.attemptNotStarted(d.id());
            return false;
        }
        return true;
    }

    /** One delivery attempt of one message: the heart of the queue manager. */
    private void attempt(QueueId id, boolean force) {
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
                quarantine(id, QueueState.ACTIVE, e.getMessage());
                return;
            }
            deliver(m, force);
        } catch (IOException | RuntimeException e) {
            log.error("{}: delivery attempt failed: {}; will retry", id, e.toString(), e);
            QueueState at = index.stateOf(id);
            if (at != null && at != QueueState.HOLD) {
                scheduler.plan(id, clock.millis() + settings.retry().delayMillis(1), false);
            }
        } finally {
            operator.attemptEnded(id);
        }
    }

    private void deliver(QueuedMessage m, boolean force) throws IOException {
        long start = clock.millis();
        Predicate<Route> flushed = flushes.take(m.id());
        List<RecipientState> due = m.pending().stream()
                .filter(r -> force || r.nextAttemptMillis() <= start || flushed != null && routing.routed(r.address(), flushed))
                .toList();
        AttemptRecord attempt = new AttemptRecord(m, start, clock);
        try (StatusLog status = spool.statusLog(m)) {
            if (m.hops() > settings.hopcountLimit()) {
                String reason = "mail forwarding loop: " + m.hops() + " Received: headers (limit "
                        + settings.hopcountLimit() + ")";
                List<RecipientResult> looped = new ArrayList<>();
                for (RecipientState r : due) {
                    looped.add(finish(m, r, "none", r.address(), RecipientOutcome.bounced("5.4.6", reason), 0, 0));
                }
                attempt.record(looped, status);
            } else {
                Map<Route, Group> groups = new LinkedHashMap<>();
                List<RecipientResult> unrouted = new ArrayList<>();
                for (RecipientState r : due) {
                    Lookup l = routing.lookup(r.address());
                    if (l instanceof Lookup.TempFail t) {
                        unrouted.add(finish(m, r, "none", r.address(), RecipientOutcome.deferred("4.3.0",
                                "mailertable lookup failure: " + t.reason()), 0, 0));
                    } else if (l instanceof Lookup.Found f) {
                        groups.computeIfAbsent(f.route(), k -> new Group()).add(r, f.rewrittenRecipient().orElse(r.address()));
                    } else {
                        groups.computeIfAbsent(RecipientRouting.mxRoute(r.address()), k -> new Group()).add(r, r.address());
                    }
                }
                attempt.record(unrouted, status);
                for (Map.Entry<Route, Group> g : groups.entrySet()) {
                    Route route = g.getKey();
                    Group group = g.getValue();
                    DeliveryRequest req = new DeliveryRequest(m, route, group.recipients, group.addresses);
                    DeliveryResult result;
                    try {
                        int limit = agents.pipelines(route) && settings.tsmtpConcurrencyLimit() > 0
                                ? settings.tsmtpConcurrencyLimit() : settings.destinationConcurrencyLimit();
                        result = limiter.run(RecipientRouting.destination(route), limit, () -> agents.forRoute(route).deliver(req));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        result = DeliveryResult.all("none", group.recipients.size(),
                                RecipientOutcome.deferred("4.3.0", "relay shutting down"));
                    }
                    List<RecipientResult> outcomes = new ArrayList<>();
                    for (int i = 0; i < group.recipients.size(); i++) {
                        outcomes.add(finish(m, group.recipients.get(i), result.relay(), group.addresses.get(i),
                                result.outcomes().get(i), result.setupMillis(), result.transmitMillis()));
                    }
                    // The next hop has it: on disk now, before the next group (which may take
                    // minutes) or anything else, so a crash from here on never sends it again.
                    attempt.record(outcomes, status);
                }
            }
            end(attempt, status);
        }
        if (attempt.stillPending.isEmpty()) {
            spool.delete(m.id(), QueueState.ACTIVE);
            index.forget(m.id());
            log.info("{}: removed", m.id());
        } else {
            long now = clock.millis();
            index.pending(m.id(), attempt.stillPending);
            spool.move(m.id(), QueueState.ACTIVE, QueueState.DEFERRED);
            index.place(m.id(), QueueState.DEFERRED);
            long next = attempt.stillPending.stream().mapToLong(RecipientState::nextAttemptMillis).min().orElse(now);
            scheduler.plan(m.id(), next, false);
        }
    }

    /**
     * The end of an attempt: the bounce notice is queued before the bounced recipients are
     * recorded (a crash in between tries them once more rather than losing the notice), then a
     * delay warning if one is due, then the records left.
     */
    private void end(AttemptRecord attempt, StatusLog status) throws IOException {
        QueuedMessage m = attempt.message;
        long now = clock.millis();
        if (!attempt.bounced.isEmpty()) {
            if (m.isNullSender()) {
                log.info("{}: no bounce for the null sender: {} recipient(s) dropped", m.id(), attempt.bounced.size());
            } else {
                QueueId dsnId = notifier.bounce(m, attempt.bounced);
                log.info("{}: sender non-delivery notification: {}", m.id(), dsnId);
                enqueued(dsnId);
            }
        }
        Map<Integer, RecipientState> updated = new HashMap<>();
        attempt.changed.forEach(r -> updated.put(r.index(), r));
        for (RecipientState r : m.recipients()) {
            RecipientState current = updated.getOrDefault(r.index(), r);
            if (current.status() == RecipientStatus.PENDING) {
                attempt.stillPending.add(current);
            }
        }
        boolean warn = !m.warned() && !m.isNullSender() && !attempt.stillPending.isEmpty()
                && !settings.delayWarningTime().isZero()
                && now - m.arrivalMillis() >= settings.delayWarningTime().toMillis();
        if (warn) {
            List<Notifier.Failure> delayed = attempt.stillPending.stream()
                    .map(r -> new Notifier.Failure(r.address(), attempt.dsns.getOrDefault(r.index(), "4.0.0"),
                            r.lastError(), "", r.lastAttemptMillis()))
                    .toList();
            QueueId dsnId = notifier.delayed(m, delayed);
            log.info("{}: sender delay notification: {}", m.id(), dsnId);
            enqueued(dsnId);
        }
        status.append(attempt.unwritten, warn, now);
    }

    /** Applies expiry to one recipient's outcome and computes its next state (retry time). */
    private RecipientResult finish(QueuedMessage m, RecipientState r, String relay, String sentTo, RecipientOutcome o,
                            long setup, long transmit) {
        long now = clock.millis();
        RecipientOutcome outcome = o;
        if (o.status() == RecipientOutcome.Status.DEFERRED
                && now - m.arrivalMillis() >= settings.maximalQueueLifetime().toMillis()) {
            outcome = RecipientOutcome.bounced(o.dsn(), "delivery time expired; last error: " + o.text());
        }
        RecipientState next = switch (outcome.status()) {
            case SENT -> r.sent(now);
            case BOUNCED -> r.bounced(now, outcome.text());
            case DEFERRED -> r.deferred(now, now + settings.retry().delayMillis(r.attempts() + 1), outcome.text());
        };
        return new RecipientResult(next, outcome, relay, sentTo, setup, transmit);
    }

    private void quarantine(QueueId id, QueueState state, String why) {
        try {
            spool.move(id, state, QueueState.CORRUPT);
            log.error("{}: corrupt queue file moved to corrupt/: {}", id, why);
        } catch (IOException e) {
            log.error("{}: corrupt queue file ({}) could not be moved: {}", id, why, e.toString());
        }
        index.forget(id);
        scheduler.cancel(id);
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
        scheduler.stop();
        deliveries.shutdown();
        try {
            if (!deliveries.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("{} delivery attempt(s) still running after {}; they resume at the next start",
                        operator.inFlight(), grace);
                deliveries.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    /** Recipients of one message that share a route. */
    private static final class Group {
        final List<RecipientState> recipients = new ArrayList<>();
        final List<String> addresses = new ArrayList<>();

        void add(RecipientState r, String address) {
            recipients.add(r);
            addresses.add(address);
        }
    }
}
