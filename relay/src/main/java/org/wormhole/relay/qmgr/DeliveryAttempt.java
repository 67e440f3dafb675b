package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.mailertable.Route;
import org.wormhole.mailertable.Router;
import org.wormhole.relay.delivery.DeliveryRequest;
import org.wormhole.relay.delivery.DeliveryResult;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.RecipientStatus;
import org.wormhole.relay.queue.Spool;
import org.wormhole.relay.queue.StatusLog;

/**
 * One message's delivery attempt: routes each due recipient by the mailertable now, hands the
 * recipients that share a route to that route's delivery agent together (at most so many at once
 * per destination), records each group's outcomes in the queue file before the next group, queues
 * the bounce and delay notices, and then removes the message or defers it to its next retry.
 * Thread-safe: each attempt runs on its own delivery thread.
 */
final class DeliveryAttempt {

    private static final Logger log = LoggerFactory.getLogger("qmgr");
    /** Postfix's bounce daemon logs the notices it queues. */
    private static final Logger bounce = LoggerFactory.getLogger("bounce");

    private final Spool spool;
    private final RecipientRouting routing;
    private final Agents agents;
    private final Notifier notifier;
    private volatile QueueManager.Settings settings; // read once per attempt: a reload applies from the next one
    private final Clock clock;
    private final QueueIndex index;
    private final Scheduler scheduler;
    private final Flushes flushes;
    /** Schedules a notice just queued in {@code incoming/}. */
    private final Consumer<QueueId> enqueued;
    private final DestinationLimiter limiter = new DestinationLimiter();
    private final RelayEvents events;

    DeliveryAttempt(Spool spool, RecipientRouting routing, Agents agents, Notifier notifier,
                    QueueManager.Settings settings, Clock clock, QueueIndex index, Scheduler scheduler,
                    Flushes flushes, Consumer<QueueId> enqueued, RelayEvents events) {
        this.events = events;
        this.spool = spool;
        this.routing = routing;
        this.agents = agents;
        this.notifier = notifier;
        this.settings = settings;
        this.clock = clock;
        this.index = index;
        this.scheduler = scheduler;
        this.flushes = flushes;
        this.enqueued = enqueued;
    }

    /** Attempts that begin from now on go by {@code next} (hop limit, backoff, lifetime, warnings, limits). */
    void use(QueueManager.Settings next) {
        settings = next;
    }

    /**
     * Tries the recipients of {@code m} (in {@code active/}) that are due, or all pending ones if
     * {@code force}, records each outcome, then removes the message or defers it to its next retry.
     */
    void run(QueuedMessage m, boolean force) throws IOException {
        long start = clock.millis();
        List<RecipientState> due = due(m, force, start);
        AttemptRecord attempt = new AttemptRecord(m, start, clock, events);
        try (StatusLog status = spool.statusLog(m)) {
            if (m.hops() > settings.hopcountLimit()) {
                attempt.record(looped(m, due), status);
            } else {
                List<RecipientResult> unrouted = new ArrayList<>();
                Map<Route, Group> groups = byRoute(m, due, unrouted);
                attempt.record(unrouted, status);
                for (Map.Entry<Route, Group> g : groups.entrySet()) {
                    // Each group's outcomes go on disk the moment its next hop has answered, before
                    // the next group (which may take minutes): a crash from then on never sends it again.
                    deliver(m, g.getKey(), g.getValue(), attempt, status);
                }
            }
            end(attempt, status);
        }
        if (attempt.stillPending.isEmpty()) {
            spool.deleteFinished(m.id(), QueueState.ACTIVE); // every outcome is in its status records
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

    /** The pending recipients this attempt tries: all if forced, else those due by their retry time or a flush. */
    private List<RecipientState> due(QueuedMessage m, boolean force, long start) {
        Predicate<Route> flushed = flushes.take(m.id());
        return m.pending().stream()
                .filter(r -> force || r.nextAttemptMillis() <= start || flushed != null && routing.routed(r.address(), flushed))
                .toList();
    }

    /** A message that has passed too many relays: every recipient bounces, none is tried. */
    private List<RecipientResult> looped(QueuedMessage m, List<RecipientState> due) {
        String reason = "mail forwarding loop: " + m.hops() + " Received: headers (limit "
                + settings.hopcountLimit() + ")";
        List<RecipientResult> looped = new ArrayList<>();
        for (RecipientState r : due) {
            looped.add(finish(m, r, "none", "none", r.address(), RecipientOutcome.bounced("5.4.6", reason), 0, 0));
        }
        return looped;
    }

    /**
     * The due recipients by their route now, in the order of their first recipient; those whose
     * lookup fails for now are deferred into {@code unrouted}.
     */
    private Map<Route, Group> byRoute(QueuedMessage m, List<RecipientState> due, List<RecipientResult> unrouted) {
        Map<Route, Group> groups = new LinkedHashMap<>();
        for (RecipientState r : due) {
            Router.Routed routed = routing.route(r.address());
            if (routed instanceof Router.Routed.TempFail t) {
                unrouted.add(finish(m, r, "none", "none", r.address(), RecipientOutcome.deferred("4.3.0",
                        "mailertable lookup failure: " + t.reason()), 0, 0));
            } else if (routed instanceof Router.Routed.To to) {
                groups.computeIfAbsent(to.route(), k -> new Group()).add(r, to.address());
            }
        }
        return groups;
    }

    /**
     * Hands one route's recipients to its delivery agent, within the destination's concurrency
     * limit, and records their outcomes: the moment the agent reports them (right after the next
     * hop's reply, before the agent tidies up), or else when it returns.
     */
    private void deliver(QueuedMessage m, Route route, Group group, AttemptRecord attempt, StatusLog status)
            throws IOException {
        RecordOnce once = new RecordOnce(m, route, group, attempt, status);
        DeliveryRequest req = new DeliveryRequest(m, new SpooledContent(spool, m), route, group.recipients,
                group.addresses, once::known);
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
        once.known(result); // nothing if the agent reported them already
        once.rethrow();
    }

    /** Records one route group's outcomes once: when the agent reports them, or when it returns. */
    private final class RecordOnce {
        private final QueuedMessage m;
        private final Route route;
        private final Group group;
        private final AttemptRecord attempt;
        private final StatusLog status;
        private boolean recorded;
        private IOException failure;

        RecordOnce(QueuedMessage m, Route route, Group group, AttemptRecord attempt, StatusLog status) {
            this.m = m;
            this.route = route;
            this.group = group;
            this.attempt = attempt;
            this.status = status;
        }

        /** The next hop has it: on disk now, before the next group (which may take minutes) or anything else. */
        void known(DeliveryResult result) {
            if (recorded) {
                return;
            }
            recorded = true;
            List<RecipientResult> outcomes = new ArrayList<>();
            for (int i = 0; i < group.recipients.size(); i++) {
                outcomes.add(finish(m, group.recipients.get(i), route.mailer().mailerName(), result.relay(),
                        group.addresses.get(i), result.outcomes().get(i), result.setupMillis(), result.transmitMillis()));
            }
            try {
                attempt.record(outcomes, status);
            } catch (IOException e) {
                failure = e; // the agent's thread is not ours to fail: thrown once the agent returns
            }
        }

        void rethrow() throws IOException {
            if (failure != null) {
                throw failure;
            }
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
                bounce.info("{}: sender non-delivery notification: {}", m.id(), dsnId);
                enqueued.accept(dsnId);
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
            bounce.info("{}: sender delay notification: {}", m.id(), dsnId);
            enqueued.accept(dsnId);
        }
        status.append(attempt.unwritten, warn, now);
    }

    /** Applies expiry to one recipient's outcome and computes its next state (retry time). */
    private RecipientResult finish(QueuedMessage m, RecipientState r, String mailer, String relay, String sentTo,
                                   RecipientOutcome o, long setup, long transmit) {
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
        return new RecipientResult(next, outcome, mailer, relay, sentTo, setup, transmit);
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
