package org.wormhole.relay.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.wormhole.link.HandshakeRefusal;
import org.wormhole.mailertable.Mailer;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.events.AuthenticationFailed;
import org.wormhole.relay.events.LinkHandshakeRefused;
import org.wormhole.relay.events.MessageQueued;
import org.wormhole.relay.events.MessageRefused;
import org.wormhole.relay.events.RecipientAttempted;
import org.wormhole.relay.events.RecipientRefused;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.events.SessionAccepted;
import org.wormhole.relay.events.SessionRefused;
import org.wormhole.relay.events.TableEditRejected;
import org.wormhole.relay.events.TableSwapped;

/**
 * The relay's counters, counted from its events (the log is another listener of the same facts):
 * SMTP sessions and rejections, messages accepted, each recipient's delivery outcome and delay by
 * mailer, refused link handshakes, mailertable swaps and rejected edits. Names and labels are in
 * relay/METRICS.md.
 *
 * <p>The meters exist from the start (every reason is known), a mailer's at its first delivery
 * attempt (a label only for the mailers a table can name, and {@code none}); after that an event
 * costs a map lookup and an increment, no allocation. Thread-safe.
 */
public final class RelayMetrics implements RelayEvents {

    /** The delivery delay histogram's buckets: from a local hop to a day in the queue. */
    private static final Duration[] DELAY_BUCKETS = {Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofHours(1),
        Duration.ofHours(4), Duration.ofDays(1)};

    /** What a recipient's mailer label is when it was not routed. */
    static final String NO_MAILER = "none";

    private final Counter sessions;
    private final Counter accepted;
    private final Counter acceptedBytes;
    private final Map<SmtpRejection, Counter> rejections = new EnumMap<>(SmtpRejection.class);
    private final MeterRegistry registry;
    private final Map<String, Outcomes> deliveries = new ConcurrentHashMap<>(); // by mailer label, made at first use
    private final Map<HandshakeRefusal, Counter> handshakeRefusals = new EnumMap<>(HandshakeRefusal.class);
    private final Counter tableSwaps;
    private final Counter tableEditsRejected;

    /** One mailer's delivery meters. */
    private static final class Outcomes {
        final Map<RecipientOutcome.Status, Counter> byStatus = new EnumMap<>(RecipientOutcome.Status.class);
        final Timer delay;

        Outcomes(MeterRegistry registry, String mailer) {
            for (RecipientOutcome.Status s : RecipientOutcome.Status.values()) {
                byStatus.put(s, Counter.builder("wormhole.deliveries")
                        .description("Recipients' delivery attempts by mailer and outcome (sent, deferred, bounced)")
                        .tag("mailer", mailer).tag("status", s.name().toLowerCase(Locale.ROOT))
                        .register(registry));
            }
            delay = Timer.builder("wormhole.delivery.delay")
                    .description("Time from arrival in the queue to delivery (status sent), by mailer")
                    .tag("mailer", mailer).serviceLevelObjectives(DELAY_BUCKETS)
                    .register(registry);
        }
    }

    public RelayMetrics(MeterRegistry registry) {
        this.registry = registry;
        sessions = Counter.builder("wormhole.smtpd.sessions")
                .description("SMTP sessions greeted (past the limits and the pregreet test)").register(registry);
        accepted = Counter.builder("wormhole.smtpd.messages.accepted")
                .description("Messages accepted over SMTP (queued, the client got 250)").register(registry);
        acceptedBytes = Counter.builder("wormhole.smtpd.accepted").baseUnit("bytes")
                .description("Octets of the messages accepted over SMTP, as queued").register(registry);
        for (SmtpRejection r : SmtpRejection.values()) {
            rejections.put(r, Counter.builder("wormhole.smtpd.rejections")
                    .description("SMTP sessions, recipients and messages refused, by reason").tag("reason", r.label())
                    .register(registry));
        }
        for (HandshakeRefusal r : HandshakeRefusal.values()) {
            handshakeRefusals.put(r, Counter.builder("wormhole.link.handshake.refusals")
                    .description("Connections that did not become a link, by reason").tag("reason", r.label())
                    .register(registry));
        }
        tableSwaps = Counter.builder("wormhole.mailertable.swaps")
                .description("Edits of the mailertable loaded and in use (not counting the table loaded at start)")
                .register(registry);
        tableEditsRejected = Counter.builder("wormhole.mailertable.edits.rejected")
                .description("Edits of the mailertable rejected whole (the version before stays in use)")
                .register(registry);
    }

    @Override
    public void sessionAccepted(SessionAccepted e) {
        sessions.increment();
    }

    @Override
    public void sessionRefused(SessionRefused e) {
        rejections.get(SmtpRejection.of(e.reason())).increment();
    }

    @Override
    public void recipientRefused(RecipientRefused e) {
        rejections.get(SmtpRejection.ofRecipient(e.enhancedStatus())).increment();
    }

    @Override
    public void authenticationFailed(AuthenticationFailed e) {
        rejections.get(SmtpRejection.AUTH_FAILED).increment();
    }

    @Override
    public void messageRefused(MessageRefused e) {
        rejections.get(SmtpRejection.ofContent(e.reply())).increment();
    }

    @Override
    public void messageQueued(MessageQueued e) {
        accepted.increment();
        acceptedBytes.increment(e.size());
    }

    @Override
    public void recipientAttempted(RecipientAttempted e) {
        Outcomes o = deliveries.get(e.mailer());
        if (o == null) { // a mailer's first outcome; a label only for what the table can name
            Mailer known = Mailer.byName(e.mailer());
            String mailer = known == null ? NO_MAILER : known.mailerName();
            o = deliveries.computeIfAbsent(mailer, m -> new Outcomes(registry, m));
        }
        RecipientOutcome.Status status = e.outcome().status();
        o.byStatus.get(status).increment();
        if (status == RecipientOutcome.Status.SENT) {
            o.delay.record(Math.max(0, e.doneMillis() - e.arrivalMillis()), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void linkHandshakeRefused(LinkHandshakeRefused e) {
        handshakeRefusals.get(e.reason()).increment();
    }

    @Override
    public void tableSwapped(TableSwapped e) {
        if (e.generation() > 1) {
            tableSwaps.increment();
        }
    }

    @Override
    public void tableEditRejected(TableEditRejected e) {
        tableEditsRejected.increment();
    }
}
