package org.wormhole.relay.qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.mailertable.Mailer;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.DeliveryResult;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.Spool;
import org.wormhole.testing.Await;

/**
 * A flush of one link's mail ({@link QueueManager#flush(String, Predicate)}): the recipients routed
 * over that link go at once, everything else waiting (an outside MX that is down) keeps its
 * hour of backoff, even in the same message.
 */
class LinkFlushTest {

    @TempDir
    Path dir;

    private Spool spool;
    private QueueManager queue;
    private volatile boolean linkUp;
    /** What the outside world saw: "tsmtp:tokyo bob@tokyo.example", "esmtp:[127.0.0.1]:9 x@dead.example". */
    private final List<String> attempts = new CopyOnWriteArrayList<>();

    private static final Predicate<Route> OVER_THE_LINK_TO_TOKYO = route -> route instanceof Route.Transport t
            && t.mailer() == Mailer.TSMTP && t.nexthop().host().equals("tokyo");

    @BeforeEach
    void relay() throws Exception {
        spool = Spool.open(dir.resolve("spool"));
        Mailertable table = Mailertable.parse("mailertable", """
                tokyo.example   tsmtp:tokyo
                osaka.example   tsmtp:osaka
                dead.example    esmtp:[127.0.0.1]:9
                """.getBytes(StandardCharsets.US_ASCII));
        Agents world = route -> req -> {
            Route.Transport t = (Route.Transport) route;
            req.addresses().forEach(a -> attempts.add(t.mailer().mailerName() + ":" + t.nexthop() + " " + a));
            int n = req.recipients().size();
            if (t.mailer() == Mailer.TSMTP && t.nexthop().host().equals("tokyo") && linkUp) {
                return DeliveryResult.all("link:tokyo", n, RecipientOutcome.sent("2.0.0", "250 2.0.0 queued at tokyo"));
            }
            return DeliveryResult.all("none", n, RecipientOutcome.deferred("4.4.1", t.mailer() == Mailer.TSMTP
                    ? "link to " + t.nexthop() + " down" : "connect to " + t.nexthop() + ": Connection refused"));
        };
        Clock clock = Clock.systemUTC();
        queue = new QueueManager(spool, table::lookup, world,
                new DsnNotifier(spool, "relay.test.example", Duration.ofDays(5), Duration.ZERO, clock),
                new QueueManager.Settings(50, new RetryPolicy(Duration.ofHours(1), Duration.ofHours(2)),
                        Duration.ofDays(5), Duration.ZERO, 4, 4),
                clock);
        queue.start();
    }

    @AfterEach
    void stop() {
        queue.close();
    }

    private QueueId queued(String... recipients) throws Exception {
        try (Spool.Incoming in = spool.create(System.currentTimeMillis(), "client [127.0.0.1] ESMTP",
                "alice@example.org", List.of(recipients), Set.of())) {
            in.content().write("Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            in.commit(0);
            queue.enqueued(in.id());
            return in.id();
        }
    }

    private List<Integer> attemptsOf(QueueId id) {
        try {
            return spool.read(QueueState.DEFERRED, id).recipients().stream().map(RecipientState::attempts).toList();
        } catch (Exception e) { // being attempted: not in deferred/ now
            return List.of();
        }
    }

    private List<QueueId> deferred() {
        try {
            return spool.list(QueueState.DEFERRED);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }


    @Test
    void theLinkComingUpSendsItsOwnRecipientsAndNothingElse() throws Exception {
        QueueId deadOnly = queued("carol@dead.example");
        QueueId forTokyo = queued("bob@tokyo.example");
        QueueId mixed = queued("taro@tokyo.example", "dave@dead.example");
        QueueId forOsaka = queued("jiro@osaka.example");
        Await.until("the four first attempts", () -> attempts.size() == 5 && deferred().size() == 4);
        assertEquals(2, queue.waiting(OVER_THE_LINK_TO_TOKYO), "two messages wait for the link to tokyo");

        linkUp = true;
        assertEquals(2, queue.flush("the link to tokyo", OVER_THE_LINK_TO_TOKYO));
        Await.until("the link's mail to go", () -> attempts.size() == 7 && !queue.all().contains(forTokyo)
                && attemptsOf(mixed).equals(List.of(2, 1)));

        assertEquals(List.of("tsmtp:tokyo bob@tokyo.example", "tsmtp:tokyo taro@tokyo.example"),
                attempts.subList(5, 7).stream().sorted().toList(), "only the link's recipients were tried again");
        assertEquals(List.of(1), attemptsOf(deadOnly), "the dead MX keeps its backoff");
        assertEquals(List.of(1), attemptsOf(forOsaka), "so does another link's mail");
        assertEquals(List.of(2, 1), attemptsOf(mixed), "in the mixed message only taro was tried again");
        assertEquals(List.of("dave@dead.example"),
                spool.read(QueueState.DEFERRED, mixed).pending().stream().map(RecipientState::address).toList());
        assertEquals(0, queue.waiting(OVER_THE_LINK_TO_TOKYO), "nothing waits for the link any more");
        assertEquals(0, queue.flush("the link to tokyo", OVER_THE_LINK_TO_TOKYO));
    }
}
