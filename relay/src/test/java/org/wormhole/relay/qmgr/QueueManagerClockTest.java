package org.wormhole.relay.qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.DeliveryResult;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.Spool;
import org.wormhole.testing.Await;

/**
 * The queue manager's time decisions on a settable clock: an hour of backoff, five days of queue
 * lifetime and four hours of delay warning pass in milliseconds. The outside world is a next hop
 * that is down (dead.example), one that is up (up.example) and the sender's own mailbox, which
 * receives the notices.
 */
class QueueManagerClockTest {

    @TempDir
    Path dir;

    private final SettableClock clock = new SettableClock(Instant.parse("2026-01-05T09:00:00Z"));
    private Spool spool;
    private QueueManager queue;
    /** Each attempt the outside world saw, as "dead.example carol@dead.example" or "notice delayed alice@example.org". */
    private final List<String> attempts = new CopyOnWriteArrayList<>();

    private void start(Duration lifetime, Duration delayWarning) throws Exception {
        spool = Spool.open(dir.resolve("spool"));
        Mailertable table = Mailertable.parse("mailertable", """
                dead.example    esmtp:[127.0.0.1]:9
                up.example      esmtp:[127.0.0.1]:10
                """.getBytes(StandardCharsets.US_ASCII));
        Agents world = route -> req -> {
            int n = req.recipients().size();
            if (req.message().isNullSender()) {
                String notice = content(req.message());
                String action = notice.contains("Action: delayed") ? "delayed" : notice.contains("Action: failed")
                        ? "failed" : "?";
                req.addresses().forEach(a -> attempts.add("notice " + action + " " + a));
                return DeliveryResult.all("example.org", n, RecipientOutcome.sent("2.0.0", "250 2.0.0 ok"));
            }
            boolean up = ((Route.Transport) route).nexthop().port() == 10;
            req.addresses().forEach(a -> attempts.add((up ? "up.example " : "dead.example ") + a));
            return up ? DeliveryResult.all("up.example", n, RecipientOutcome.sent("2.0.0", "250 2.0.0 ok"))
                    : DeliveryResult.all("none", n, RecipientOutcome.deferred("4.4.1",
                            "connect to [127.0.0.1]:9: Connection refused"));
        };
        queue = new QueueManager(spool, table::lookup, world,
                new DsnNotifier(spool, "relay.test.example", lifetime, delayWarning, clock),
                new QueueManager.Settings(50, new RetryPolicy(Duration.ofHours(1), Duration.ofHours(2)),
                        lifetime, delayWarning, 4, 4),
                clock);
        queue.start();
    }

    @AfterEach
    void stop() {
        if (queue != null) {
            queue.close();
        }
    }

    private String content(QueuedMessage m) {
        try (InputStream in = spool.openContent(m)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private QueueId queued(String recipient) throws Exception {
        try (Spool.Incoming in = spool.create(clock.millis(), "client [127.0.0.1] ESMTP",
                "alice@example.org", List.of(recipient), Set.of())) {
            in.content().write("Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            in.commit(0);
            queue.enqueued(in.id());
            return in.id();
        }
    }

    /** The clock moves on by {@code d}, and the scheduler is told. */
    private void advance(Duration d) {
        clock.advance(d);
        queue.clockAdvanced();
    }

    /**
     * Mail to a next hop that is up, queued after the clock moved, has gone: the scheduler has
     * measured every plan against the moved clock since, so whatever was not attempted was not due.
     */
    private void schedulerCaughtUp(String who) throws Exception {
        QueueId canary = queued(who + "@up.example");
        Await.until("the canary " + who, () -> attempts.contains("up.example " + who + "@up.example")
                && !queue.all().contains(canary));
    }

    private List<Integer> attemptsOf(QueueId id) {
        try {
            return spool.read(QueueState.DEFERRED, id).recipients().stream().map(RecipientState::attempts).toList();
        } catch (Exception e) { // being attempted, or gone: not in deferred/ now
            return List.of();
        }
    }


    private long count(String attempt) {
        return attempts.stream().filter(attempt::equals).count();
    }

    @Test
    void aDeferredMessageIsNotRetriedBeforeItsTimeAndIsRetriedOnceTheClockPassesIt() throws Exception {
        start(Duration.ofDays(5), Duration.ZERO);
        QueueId m = queued("carol@dead.example");
        Await.until("the first attempt", () -> attemptsOf(m).equals(List.of(1)));

        advance(Duration.ofMinutes(50)); // the first backoff is 54 to 60 minutes
        schedulerCaughtUp("early");
        assertEquals(1, count("dead.example carol@dead.example"), "not retried before its time");
        assertEquals(List.of(1), attemptsOf(m));

        advance(Duration.ofMinutes(11));
        Await.until("the retry", () -> attemptsOf(m).equals(List.of(2)));
        assertEquals(2, count("dead.example carol@dead.example"), "retried once the clock passed its time");
    }

    @Test
    void mailStillDeferredAfterTheMaximalQueueLifetimeBouncesOnce() throws Exception {
        start(Duration.ofHours(3), Duration.ZERO);
        QueueId m = queued("carol@dead.example");
        Await.until("the first attempt", () -> attemptsOf(m).equals(List.of(1)));

        advance(Duration.ofHours(2)); // retried, deferred again: within its lifetime
        Await.until("the second attempt", () -> attemptsOf(m).equals(List.of(2)));
        assertEquals(0, count("notice failed alice@example.org"));

        advance(Duration.ofHours(2)); // four hours queued: past three
        Await.until("the bounce", () -> count("notice failed alice@example.org") == 1 && !queue.all().contains(m));
        assertEquals(3, count("dead.example carol@dead.example"), "tried a last time, then bounced");
        Await.until("the notice delivered and removed", () -> queue.all().isEmpty());
    }

    @Test
    void mailDeferredLongerThanTheDelayWarningTimeSendsOneDelayNotice() throws Exception {
        start(Duration.ofDays(5), Duration.ofHours(3));
        QueueId m = queued("carol@dead.example");
        Await.until("the first attempt", () -> attemptsOf(m).equals(List.of(1)));

        advance(Duration.ofHours(2));
        Await.until("the second attempt", () -> attemptsOf(m).equals(List.of(2)));
        schedulerCaughtUp("before");
        assertEquals(0, count("notice delayed alice@example.org"), "two hours queued: no warning yet");

        advance(Duration.ofHours(2));
        Await.until("the delay notice", () -> count("notice delayed alice@example.org") == 1
                && attemptsOf(m).equals(List.of(3)));

        advance(Duration.ofHours(2));
        Await.until("the fourth attempt", () -> attemptsOf(m).equals(List.of(4)));
        schedulerCaughtUp("after");
        assertEquals(1, count("notice delayed alice@example.org"), "one delay notice, not one per attempt");
        assertEquals(0, count("notice failed alice@example.org"));
    }

    @Test
    void reloadedBackoffTimesApplyFromTheNextDeferralAndTheRetryAlreadyPlannedKeepsItsTime() throws Exception {
        start(Duration.ofDays(5), Duration.ZERO);
        QueueId m = queued("carol@dead.example");
        Await.until("the first attempt", () -> attemptsOf(m).equals(List.of(1)));

        // wormhole reload: minimal_backoff_time 1h -> 1m, maximal_backoff_time 2h -> 2m
        queue.apply(new QueueManager.Settings(50, new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(2)),
                Duration.ofDays(5), Duration.ZERO, 4, 4));
        advance(Duration.ofMinutes(10));
        schedulerCaughtUp("planned");
        assertEquals(List.of(1), attemptsOf(m), "the retry planned before the reload keeps its time (54 to 60 minutes)");

        advance(Duration.ofMinutes(51));
        Await.until("the planned retry", () -> attemptsOf(m).equals(List.of(2)));
        advance(Duration.ofMinutes(2)); // deferred by the new times: at most 2 minutes
        Await.until("the retry by the new backoff", () -> attemptsOf(m).equals(List.of(3)));
    }

    @Test
    void aReloadCannotChangeTheNumberOfDeliveryThreads() throws Exception {
        start(Duration.ofDays(5), Duration.ZERO);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> queue.apply(new QueueManager.Settings(50, new RetryPolicy(Duration.ofHours(1), Duration.ofHours(2)),
                        Duration.ofDays(5), Duration.ZERO, 8, 4)));
        assertEquals("the number of delivery threads is fixed at start (default_process_limit,"
                + " tsmtp_destination_concurrency_limit): restart to change it", e.getMessage());
    }
}
