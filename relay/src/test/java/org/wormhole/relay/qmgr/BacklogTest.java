package org.wormhole.relay.qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.mailertable.Mailer;
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
 * A relay restarted on mail that waited for a link: new mail goes out while the backlog is still
 * being read, and once the link is back the backlog goes oldest first, with new mail taking turns
 * with it rather than waiting behind all of it.
 */
class BacklogTest {

    private static final Predicate<Route> OVER_THE_LINK_TO_TOKYO = route -> route instanceof Route.Transport t
            && t.mailer() == Mailer.TSMTP && t.nexthop().host().equals("tokyo");

    @TempDir
    Path dir;

    private Spool spool;
    private QueueManager queue;
    private volatile boolean linkUp;
    /** Taken before each delivery over the link once it is up: a test holds the first one there. */
    private volatile CountDownLatch linkGate = new CountDownLatch(0);
    /** Counted down when the first delivery over the link that is up has begun. */
    private final CountDownLatch firstOverTheLink = new CountDownLatch(1);
    /** Every delivery that went out, in order: the recipient's address. */
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (queue != null) {
            queue.close();
        }
    }

    /** A queue manager with one delivery thread (so its order is the order of delivery), started. */
    private void start() throws Exception {
        create();
        queue.start();
    }

    /** The same, not started yet. */
    private void create() throws Exception {
        Mailertable table = Mailertable.parse("mailertable", """
                tokyo.example   tsmtp:tokyo
                example.net     esmtp:[127.0.0.1]:9
                """.getBytes(StandardCharsets.US_ASCII));
        Agents world = route -> req -> {
            int n = req.recipients().size();
            if (((Route.Transport) route).mailer() == Mailer.TSMTP) {
                if (!linkUp) {
                    return DeliveryResult.all("none", n, RecipientOutcome.deferred("4.4.1", "link to tokyo down"));
                }
                firstOverTheLink.countDown();
                try {
                    linkGate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delivered.addAll(req.addresses());
            return DeliveryResult.all("somewhere", n, RecipientOutcome.sent("2.0.0", "250 2.0.0 queued"));
        };
        Clock clock = Clock.systemUTC();
        queue = new QueueManager(spool, table::lookup, world,
                new DsnNotifier(spool, "relay.test.example", Duration.ofDays(5), Duration.ZERO, clock),
                new QueueManager.Settings(50, new RetryPolicy(Duration.ofHours(1), Duration.ofHours(2)),
                        Duration.ofDays(5), Duration.ZERO, 1, 1),
                clock);
    }

    /** {@code count} messages deferred for the link (retry in an hour), as a relay leaves them when it stops. */
    private List<QueueId> backlog(int count) throws Exception {
        List<QueueId> ids = new ArrayList<>();
        long now = System.currentTimeMillis();
        for (int i = 0; i < count; i++) {
            QueueId id = received("user" + i + "@tokyo.example");
            spool.move(id, QueueState.INCOMING, QueueState.DEFERRED);
            QueuedMessage m = spool.read(QueueState.DEFERRED, id);
            RecipientState r = m.recipients().get(0);
            spool.appendStatus(m, List.of(r.deferred(now, now + Duration.ofHours(1).toMillis(), "link to tokyo down")),
                    false, now);
            ids.add(id);
        }
        return ids;
    }

    private QueueId received(String recipient) throws Exception {
        try (Spool.Incoming in = spool.create(System.currentTimeMillis(), "client [127.0.0.1] ESMTP",
                "alice@example.org", List.of(recipient), Set.of())) {
            in.content().write("Subject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII));
            in.commit(0);
            return in.id();
        }
    }

    private QueueId newMail(String recipient) throws Exception {
        QueueId id = received(recipient);
        queue.enqueued(id);
        return id;
    }

    @Test
    void newMailGoesOutWhileTheBacklogFoundAtStartIsStillBeingRead() throws Exception {
        spool = Spool.open(dir.resolve("spool"));
        List<QueueId> waiting = backlog(200);
        // The oldest file of the backlog is a pipe nobody writes to yet: reading it waits, so the
        // backlog cannot be read to its end before this test says so.
        Path stuck = spool.path(QueueState.DEFERRED, new QueueId("00000000000000"));
        assertEquals(0, new ProcessBuilder("mkfifo", stuck.toString()).start().waitFor());

        start();
        assertEquals(201L, queue.counts().get(QueueState.DEFERRED), "the whole backlog is known at once");
        newMail("carol@example.net");
        Await.until("the new mail to go out", () -> delivered.contains("carol@example.net"));
        assertEquals(List.of("carol@example.net"), delivered, "nothing of the backlog went (its link is down)");

        try (OutputStream w = Files.newOutputStream(stuck)) {
            w.write("not a queue file\n".getBytes(StandardCharsets.US_ASCII));
        }
        Await.until("the unreadable file to be set aside", () -> queue.counts().get(QueueState.DEFERRED) == 200);
        linkUp = true;
        assertEquals(200, queue.flush("the link to tokyo", OVER_THE_LINK_TO_TOKYO));
        Await.until("the backlog to go", () -> delivered.size() == 201 && queue.all().isEmpty());
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < waiting.size(); i++) {
            expected.add("user" + i + "@tokyo.example");
        }
        assertEquals(expected, delivered.subList(1, 201), "the backlog went oldest first");
    }

    @Test
    void newMailTakesTurnsWithABacklogThatIsGoing() throws Exception {
        spool = Spool.open(dir.resolve("spool"));
        backlog(20);
        start();
        Await.until("the backlog to be read", () -> queue.waiting(OVER_THE_LINK_TO_TOKYO) == 20);
        linkUp = true;
        CountDownLatch gate = new CountDownLatch(1);
        linkGate = gate;
        assertEquals(20, queue.flush("the link to tokyo", OVER_THE_LINK_TO_TOKYO));
        Await.until("the first of the backlog to be on its way", () -> firstOverTheLink.getCount() == 0);
        newMail("carol@example.net");
        gate.countDown();
        Await.until("all of it to go", () -> delivered.size() == 21);
        assertEquals(List.of("user0@tokyo.example", "carol@example.net", "user1@tokyo.example"), delivered.subList(0, 3),
                "the new mail went next, not after the twenty");
    }

    @Test
    void aReceptionBegunAfterTheQueueWasListedIsNeverTakenForAPartialOneOfTheRelayBefore() throws Exception {
        spool = Spool.open(dir.resolve("spool"));
        backlog(5);
        create();
        queue.listQueue(); // as the relay does before SMTP accepts
        // A client's DATA begins: its file is in incoming/, incomplete, while the backlog is read.
        Spool.Incoming in = spool.create(System.currentTimeMillis(), "client [127.0.0.1] ESMTP", "alice@example.org",
                List.of("dave@example.net"), Set.of());
        in.content().write("Subject: half".getBytes(StandardCharsets.US_ASCII));
        queue.start();
        // Read to its end: the backlog planned, and nothing left in incoming/ as the queue knows it
        // (a relay that listed the reception in progress would have read it as partial and removed it).
        Await.until("the backlog to be read", () -> queue.waiting(OVER_THE_LINK_TO_TOKYO) == 5
                && queue.counts().getOrDefault(QueueState.INCOMING, 0L) == 0);

        in.content().write(" way\r\n\r\nthere\r\n".getBytes(StandardCharsets.US_ASCII));
        in.commit(0); // the client gets its 250 now
        in.close();
        queue.enqueued(in.id());

        Await.until("the message the client was told is queued to go out", () -> delivered.contains("dave@example.net"));
    }
}
