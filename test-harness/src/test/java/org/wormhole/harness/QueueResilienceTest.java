package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientStatus;
import org.wormhole.relay.queue.Spool;
import org.wormhole.testing.Await;
import org.wormhole.testing.DeadPort;

/**
 * The queue keeps every message through what the outside world does to it: 4xx replies, a
 * rejected recipient, a dropped connection, a restart with mail in every queue state, a table
 * edited while mail waits, mail loops, long delays, expiry, and an operator holding, releasing
 * and deleting. Real relay, real spool, real sockets; fake remote MXs and a fake DNS.
 *
 * <p>The sender's site mail hub ({@code birlinghoven.example}) is a {@link FakeMx}, not GreenMail:
 * GreenMail 2.1.13 answers every RCPT after {@code MAIL FROM:<>} with 503, so it can never
 * receive a bounce (greenmail-mail-test/greenmail#28). The hub records the envelope exactly,
 * and {@link DeliveryReport} reads the notices with Jakarta Mail as a mail client would. Remote
 * destinations that refuse mail are {@link FakeMx}: a refused DATA ends the transaction
 * there, as RFC 5321 requires and real MTAs do.
 */
class QueueResilienceTest {

    private static final String ALICE = "alice@birlinghoven.example";

    /** The site; its hub is the sender's site mail hub, where bounces and delay warnings for alice arrive. */
    @RegisterExtension
    final OneSite one = new OneSite();

    /** The MX of outside.example (found through the fake DNS). */
    private FakeMx outside;
    private TestSite site;
    private final List<AutoCloseable> others = new ArrayList<>();

    /** Before the site: a delivery hanging on one of them ends at once. */
    @AfterEach
    void stopOthers() throws Exception {
        for (AutoCloseable c : others) {
            c.close();
        }
    }

    private TestSite site(String extraTable, String extraConfig) throws Exception {
        site = one.start(extraTable, extraConfig);
        outside = one.outside();
        return site;
    }

    private FakeMx anotherMx() {
        FakeMx mx = new FakeMx();
        others.add(mx);
        return mx;
    }

    // --- 1. retry ----------------------------------------------------------------------------

    @Test
    void a451ToTheFirstDataIsRetriedAndTheMessageArrivesExactlyOnce() throws Exception {
        site("", "");
        outside.script.add(FakeMx.Answer.TEMPFAIL);

        QueueId id = send(ALICE, message("retry me"), "carol@outside.example");

        Await.until("the retry to deliver the message", () -> outside.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertTrue(outside.script.isEmpty(), "the first attempt got the scripted 451");
        assertEquals(1, outside.received.size(), "delivered exactly once");
        assertEquals(List.of("carol@outside.example"), outside.received.get(0).recipients());
        assertTrue(outside.received.get(0).text().contains(" id " + id + "\r\n"), outside.received.get(0).text());
        assertTrue(one.hub.received.isEmpty(), "no notice to the sender for a retry that worked: " + one.hub.received);
    }

    // --- 2. bounce ---------------------------------------------------------------------------

    @Test
    void aRecipientRejectedWith550IsBouncedToTheSenderAndTheOtherIsDelivered() throws Exception {
        site("", "");
        outside.rejectRecipients.add("nobody@outside.example");

        QueueId id = send(ALICE, message("one good, one bad"), "carol@outside.example", "nobody@outside.example");

        Await.until("carol's copy and alice's bounce", () -> outside.received.size() == 1 && one.hub.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertEquals(List.of("carol@outside.example"), outside.received.get(0).recipients());

        DeliveryReport dsn = DeliveryReport.of(one.hub.received.get(0));
        assertEquals("", dsn.envelopeSender(), "a bounce comes from the null sender <>");
        assertEquals(List.of(ALICE), dsn.recipients());
        assertEquals("Undelivered Mail Returned to Sender", dsn.subject());
        assertEquals("Mail Delivery System <MAILER-DAEMON@relay.test.example>", dsn.from());
        assertEquals("multipart/report", dsn.contentType());
        assertEquals("delivery-status", dsn.reportType());
        assertEquals(List.of("text/plain", "message/delivery-status", "text/rfc822-headers"), dsn.partTypes());
        assertTrue(dsn.deliveryStatus().startsWith("Reporting-MTA: dns; relay.test.example\r\n"
                + "X-Wormhole-Queue-ID: " + id + "\r\n"), dsn.deliveryStatus());

        String nobody = dsn.recipientFields("nobody@outside.example");
        assertEquals("failed", DeliveryReport.field(nobody, "Action"), nobody);
        assertEquals("5.1.1", DeliveryReport.field(nobody, "Status"), nobody);
        assertEquals("smtp; 550 5.1.1 <nobody@outside.example>: Recipient address rejected: no such user",
                DeliveryReport.field(nobody, "Diagnostic-Code"), nobody);
        assertEquals("dns; outside.example", DeliveryReport.field(nobody, "Remote-MTA"), nobody);
        assertEquals("", dsn.recipientFields("carol@outside.example"), "the delivered recipient is not reported");
        assertTrue(dsn.explanation().contains("\r\n<nobody@outside.example>: host outside.example said: 550 5.1.1"
                + " <nobody@outside.example>: Recipient address rejected: no such user\r\n"), dsn.explanation());
    }

    @Test
    void aRejectedRecipientOfMailFromTheNullSenderCausesNoBounceAtAll() throws Exception {
        site("", "");
        outside.rejectRecipients.add("nobody@outside.example");

        send("", message("a bounce of a bounce must not happen"), "carol@outside.example", "nobody@outside.example");

        Await.until("carol's copy", () -> outside.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertEquals("", outside.received.get(0).from());
        assertEquals(List.of("carol@outside.example"), outside.received.get(0).recipients());
        assertTrue(one.hub.received.isEmpty(), "no notice for mail from <>: " + one.hub.received);
        assertEquals(1, outside.received.size(), "nothing else went out: " + outside.received);
    }

    // --- 3. dropped connection ---------------------------------------------------------------

    @Test
    void aConnectionDroppedAfterDataDefersTheRecipientAndTheRetryDeliversIt() throws Exception {
        // A long backoff keeps the message deferred until the test asks for the retry.
        site("", "minimal_backoff_time = 10m\nmaximal_backoff_time = 1h\n");
        outside.script.add(FakeMx.Answer.DROP);

        QueueId id = send(ALICE, message("dropped once"), "carol@outside.example");

        Await.until("the message to be deferred", () -> waitsInDeferred(id));
        QueuedMessage deferred = site.relay.spool().read(QueueState.DEFERRED, id);
        assertTrue(deferred.lastError().contains("421 4.4.2 dropping after DATA"), deferred.lastError());
        assertEquals(1, deferred.recipients().get(0).attempts());
        assertTrue(outside.received.isEmpty());

        assertEquals(1, site.relay.queue().flush());

        Await.until("the retry to deliver it", () -> outside.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertEquals(List.of("carol@outside.example"), outside.received.get(0).recipients());
        assertTrue(outside.received.get(0).text().contains("Subject: dropped once\r\n"));
        assertTrue(one.hub.received.isEmpty(), "no notice to the sender: " + one.hub.received);
    }

    // --- 4. restart --------------------------------------------------------------------------

    @Test
    void aRelayRestartedOnABacklogReceivesAndDeliversNewMailBeforeTheBacklogIsRead() throws Exception {
        site("", "");
        site.relay.close();
        Spool spool = Spool.open(one.home.resolve("spool"));
        long now = System.currentTimeMillis();
        for (int i = 0; i < 200; i++) {
            QueueId id = queue(spool, message("waiting " + i), "carol@outside.example");
            spool.move(id, QueueState.INCOMING, QueueState.DEFERRED);
            QueuedMessage m = spool.read(QueueState.DEFERRED, id);
            spool.appendStatus(m, List.of(m.recipients().get(0).deferred(now, now + Duration.ofHours(1).toMillis(),
                    "host mx.outside.example said: 451 4.3.0 try again later")), false, now);
        }
        // The oldest file of the backlog is a pipe nobody writes to yet: reading it waits, so the
        // relay cannot have read the backlog to its end before this test says so.
        QueueId stuck = new QueueId("00000000000000");
        Path pipe = spool.path(QueueState.DEFERRED, stuck);
        assertEquals(0, new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor());

        site.start();
        send(ALICE, message("new mail"), "dave@outside.example");
        Await.until("the new mail to arrive", () -> outside.received.size() == 1);
        assertEquals(List.of("dave@outside.example"), outside.received.get(0).recipients());
        assertEquals(201L, site.relay.queue().counts().get(QueueState.DEFERRED), "the backlog is known, and waits");

        try (var w = Files.newOutputStream(pipe)) {
            w.write("not a queue file\n".getBytes(StandardCharsets.US_ASCII));
        }
        Await.until("the unreadable file to be set aside, the rest to wait", () -> inState(QueueState.CORRUPT).equals(List.of(stuck))
                && site.relay.queue().counts().get(QueueState.DEFERRED) == 200);
    }

    @Test
    void aRestartResumesIncomingActiveAndDeferredMailKeepsHeldMailAndSetsADamagedFileAside() throws Exception {
        site("", "");
        site.relay.close();
        CapturedLog log = CapturedLog.of("qmgr");
        others.add(log);

        Spool spool = Spool.open(one.home.resolve("spool"));
        long now = System.currentTimeMillis();
        queue(spool, message("in incoming"), "carol@outside.example");

        QueueId active = queue(spool, message("in active"), "dave@outside.example", "erin@outside.example");
        spool.move(active, QueueState.INCOMING, QueueState.ACTIVE);
        QueuedMessage a = spool.read(QueueState.ACTIVE, active);
        spool.appendStatus(a, List.of(a.recipients().get(0).sent(now)), false, now);

        QueueId deferred = queue(spool, message("in deferred"), "frank@outside.example");
        spool.move(deferred, QueueState.INCOMING, QueueState.DEFERRED);
        QueuedMessage d = spool.read(QueueState.DEFERRED, deferred);
        spool.appendStatus(d, List.of(d.recipients().get(0).deferred(now - 1000, now,
                "host mx.outside.example said: 451 4.3.0 try again later")), false, now);

        QueueId held = queue(spool, message("on hold"), "grace@outside.example");
        spool.move(held, QueueState.INCOMING, QueueState.HOLD);

        // A crash while receiving (kill -9 mid-DATA): what the writer leaves, never acknowledged.
        QueueId partial = partialReception(spool, message("never finished") + ("y".repeat(76) + "\r\n").repeat(40),
                "oscar@outside.example");

        // A file that was complete (and acknowledged) and was then damaged: cut in the content.
        QueueId cut = queue(spool, message("cut in half") + ("x".repeat(76) + "\r\n").repeat(40),
                "mallory@outside.example");
        Path cutFile = spool.path(QueueState.INCOMING, cut);
        try (FileChannel ch = FileChannel.open(cutFile, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
            ch.force(true);
        }
        assertTrue(Files.readString(cutFile, StandardCharsets.ISO_8859_1).contains("\nSubject: cut in half\r\n"),
                "cut in the content, after the header");

        site.start();

        Await.until("the incoming, active and deferred messages to arrive", () -> outside.received.size() == 3);
        Await.until("only the held message to be left", () -> site.relay.queue().all().equals(List.of(held))
                && inState(QueueState.INCOMING).isEmpty() && inState(QueueState.ACTIVE).isEmpty()
                && inState(QueueState.DEFERRED).isEmpty());

        assertEquals(List.of("carol@outside.example"), receivedWithSubject("in incoming").recipients());
        assertEquals(List.of("erin@outside.example"), receivedWithSubject("in active").recipients(),
                "dave was marked sent before the restart and is not sent again");
        assertEquals(List.of("frank@outside.example"), receivedWithSubject("in deferred").recipients());
        assertTrue(outside.received.stream().noneMatch(r -> r.recipients().contains("dave@outside.example")));

        assertEquals(List.of(held), inState(QueueState.HOLD), "the held message stays in hold/");
        assertEquals(List.of(cut), inState(QueueState.CORRUPT), "the damaged file is in corrupt/");
        assertEquals(List.of("ERROR " + cut + ": corrupt queue file moved to corrupt/: no end marker: file ends at "),
                log.levelAndText(cut.value()).stream().map(l -> l.replaceAll("at \\d+.*", "at ")).toList());
        assertTrue(Files.notExists(spool.path(QueueState.INCOMING, partial))
                && Files.notExists(spool.path(QueueState.CORRUPT, partial)), "the partial reception is gone");
        assertEquals(List.of("INFO removed partial reception " + partial + " (never acknowledged)"),
                log.levelAndText(partial.value()));
        assertTrue(outside.received.stream().noneMatch(r -> r.text().contains("Subject: on hold")
                || r.text().contains("Subject: cut in half") || r.text().contains("Subject: never finished")
                || r.recipients().contains("grace@outside.example")
                || r.recipients().contains("mallory@outside.example")), outside.received.toString());
        assertEquals(3, outside.received.size());
    }

    // --- 5. mailertable edit -----------------------------------------------------------------

    @Test
    void editingTheMailertableReroutesMailAlreadyWaitingInTheQueue() throws Exception {
        DeadPort oldHome = DeadPort.hold(); // nothing listens on it, nor can until the test ends
        others.add(oldHome);
        int deadPort = oldHome.port();
        site("moved.example\tesmtp:[127.0.0.1]:" + deadPort + "\n", "");
        FakeMx newHome = anotherMx();

        QueueId id = send(ALICE, message("find me after the move"), "pat@moved.example");

        Await.until("the message to be deferred: nothing listens on the old port",
                () -> deferredError(id).contains("connect to 127.0.0.1[127.0.0.1]:" + deadPort));

        long generation = site.relay.mailertable().status().generation();
        Path table = one.home.resolve("config/mailertable");
        Path edit = one.home.resolve("config/.mailertable.edit");
        Files.writeString(edit, one.hubRoute()
                + "moved.example\tesmtp:[127.0.0.1]:" + newHome.port() + "\n");
        Files.move(edit, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Await.until("the relay to use the edited table",
                () -> site.relay.mailertable().status().generation() > generation);

        site.relay.queue().flush();

        Await.until("the message to arrive at the new destination", () -> newHome.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertEquals(List.of("pat@moved.example"), newHome.received.get(0).recipients());
        assertTrue(newHome.received.get(0).text().contains("Subject: find me after the move\r\n"));
        assertTrue(one.hub.received.isEmpty(), "no notice to the sender: " + one.hub.received);
    }

    // --- 6. mail loop ------------------------------------------------------------------------

    @Test
    void aMessageWithMoreReceivedHeadersThanTheHopcountLimitBouncesAsAMailLoop() throws Exception {
        site("", "");

        // 49 Received: lines + the relay's own = 50: at the limit, still delivered.
        send(ALICE, withReceivedHeaders(49, message("fifty hops")), "carol@outside.example");
        // 50 + the relay's own = 51 > hopcount_limit 50: a loop.
        QueueId looping = send(ALICE, withReceivedHeaders(50, message("fifty-one hops")), "carol@outside.example");

        Await.until("the bounce to reach alice", () -> one.hub.received.size() == 1);
        Await.until("the message at the limit to arrive", () -> outside.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertTrue(outside.received.get(0).text().contains("Subject: fifty hops\r\n"));
        assertTrue(outside.received.stream().noneMatch(r -> r.text().contains("Subject: fifty-one hops")),
                "the looping message is not delivered");

        DeliveryReport dsn = DeliveryReport.of(one.hub.received.get(0));
        assertEquals("", dsn.envelopeSender());
        assertEquals(List.of(ALICE), dsn.recipients());
        assertTrue(dsn.deliveryStatus().contains("X-Wormhole-Queue-ID: " + looping + "\r\n"), dsn.deliveryStatus());
        String carol = dsn.recipientFields("carol@outside.example");
        assertEquals("failed", DeliveryReport.field(carol, "Action"), carol);
        assertEquals("5.4.6", DeliveryReport.field(carol, "Status"), carol);
        assertEquals("X-Wormhole; mail forwarding loop: 51 Received: headers (limit 50)",
                DeliveryReport.field(carol, "Diagnostic-Code"), carol);
    }

    // --- 7. delay warning --------------------------------------------------------------------

    @Test
    void aSenderWhoseMailIsStillQueuedAfterDelayWarningTimeGetsExactlyOneDelayNotice() throws Exception {
        site("", "delay_warning_time = 1s\n");
        int scripted = tempfailForever(outside);

        QueueId id = send(ALICE, message("slow destination"), "carol@outside.example");
        awaitAge(id, Duration.ofSeconds(1));
        retryNow(id, outside, scripted);

        Await.until("the delay notice to reach alice", () -> one.hub.received.size() == 1);
        DeliveryReport dsn = DeliveryReport.of(one.hub.received.get(0));
        assertEquals("", dsn.envelopeSender());
        assertEquals(List.of(ALICE), dsn.recipients());
        assertEquals("Delayed Mail (still being retried)", dsn.subject());
        assertEquals("multipart/report", dsn.contentType());
        assertTrue(dsn.explanation().contains("THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE."),
                dsn.explanation());
        String carol = dsn.recipientFields("carol@outside.example");
        assertEquals("delayed", DeliveryReport.field(carol, "Action"), carol);
        assertEquals("4.3.0", DeliveryReport.field(carol, "Status"), "the status of the last attempt: " + carol);
        assertEquals("smtp; 451 4.3.0 try again later", DeliveryReport.field(carol, "Diagnostic-Code"), carol);
        assertTrue(DeliveryReport.field(carol, "Will-Retry-Until") != null, carol);

        // Two more failed attempts, then nothing but the message itself left in the queue:
        // any second notice would have been queued by then, and delivered.
        retryNow(id, outside, scripted);
        retryNow(id, outside, scripted);
        Await.until("no notice left in the queue", () -> site.relay.queue().all().equals(List.of(id)));

        assertEquals(1, one.hub.received.size(), "exactly one delay notice: " + one.hub.received);
        assertTrue(isQueued(id), "the message is still queued");
        assertTrue(outside.received.isEmpty());
    }

    // --- 8. expiry ---------------------------------------------------------------------------

    @Test
    void mailStillUndeliverableAfterMaximalQueueLifetimeBouncesAndLeavesTheQueue() throws Exception {
        site("", "maximal_queue_lifetime = 2s\n");
        int scripted = tempfailForever(outside);

        QueueId id = send(ALICE, message("never gets through"), "carol@outside.example");
        awaitAge(id, Duration.ofSeconds(2));
        retryNow(id, outside, scripted);

        Await.until("the bounce to reach alice", () -> one.hub.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertTrue(outside.received.isEmpty());

        DeliveryReport dsn = DeliveryReport.of(one.hub.received.get(0));
        assertEquals("", dsn.envelopeSender());
        assertEquals(List.of(ALICE), dsn.recipients());
        assertEquals("Undelivered Mail Returned to Sender", dsn.subject());
        assertTrue(dsn.deliveryStatus().contains("X-Wormhole-Queue-ID: " + id + "\r\n"), dsn.deliveryStatus());
        String carol = dsn.recipientFields("carol@outside.example");
        assertEquals("failed", DeliveryReport.field(carol, "Action"), carol);
        assertEquals("4.3.0", DeliveryReport.field(carol, "Status"), carol);
        String diagnostic = DeliveryReport.field(carol, "Diagnostic-Code");
        assertTrue(diagnostic.startsWith("X-Wormhole; delivery time expired; last error: ")
                && diagnostic.endsWith("451 4.3.0 try again later"), diagnostic);
    }

    // --- 9. queue control --------------------------------------------------------------------

    @Test
    void aDeferredMessageCanBeHeldReleasedAndDeletedWhileTheRelayRuns() throws Exception {
        // elsewhere.example is a second destination that also keeps answering 451.
        FakeMx elsewhere = anotherMx();
        site("elsewhere.example\tesmtp:[127.0.0.1]:" + elsewhere.port() + "\n", "");
        int outsideScripted = tempfailForever(outside);
        int elsewhereScripted = tempfailForever(elsewhere);

        QueueId held = send(ALICE, message("hold me"), "carol@outside.example");
        QueueId doomed = send(ALICE, message("delete me"), "dave@elsewhere.example");
        Await.until("both to be deferred", () -> inState(QueueState.DEFERRED).containsAll(List.of(held, doomed)));

        // hold: to hold/, and neither its retry time nor a flush makes it go out.
        assertTrue(site.relay.queue().hold(held));
        Await.until("the message to be in hold/", () -> inState(QueueState.HOLD).contains(held));
        int attemptsWhenHeld = outsideScripted - outside.script.size();
        long wasDueAt = site.relay.spool().read(QueueState.HOLD, held).nextAttemptMillis();
        Await.until("its old retry time to pass", () -> System.currentTimeMillis() > wasDueAt);
        retryNow(doomed, elsewhere, elsewhereScripted);
        retryNow(doomed, elsewhere, elsewhereScripted);
        assertEquals(attemptsWhenHeld, outsideScripted - outside.script.size(), "a held message is not tried");
        assertEquals(List.of(held), inState(QueueState.HOLD));

        // release: due now; the destination accepts again, so it is delivered.
        outside.script.clear();
        assertTrue(site.relay.queue().release(held));
        Await.until("the released message to arrive", () -> outside.received.size() == 1);
        assertTrue(outside.received.get(0).text().contains("Subject: hold me\r\n"));
        Await.until("the released message to leave the queue", () -> !isQueued(held));

        // delete: gone from the spool and never delivered, even once its destination accepts.
        assertTrue(site.relay.queue().delete(doomed));
        Await.until("the deleted message to leave the spool", () -> !isQueued(doomed));
        elsewhere.script.clear();
        send(ALICE, message("after the delete"), "erin@elsewhere.example");
        site.relay.queue().flush();
        Await.until("the later message to arrive", () -> elsewhere.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertEquals(1, elsewhere.received.size(), elsewhere.received.toString());
        assertTrue(elsewhere.received.get(0).text().contains("Subject: after the delete\r\n"));
        assertTrue(one.hub.received.isEmpty(), "no notice to the sender: " + one.hub.received);
    }

    // --- 10. crash while another route hangs ---------------------------------------------------

    /**
     * One message to a fast destination and to one whose MX accepts the connection and never
     * answers. The fast copy's "sent" is on disk as soon as the fast MX has it, not when the
     * hanging route gives up: a relay killed meanwhile (kill -9 keeps what was written; here a
     * copy of the spool at that moment) and started again sends the hanging route's recipient
     * once the route is repaired, and never a second copy to the fast one.
     */
    @Test
    void aRelayKilledWhileAnotherRouteHangsDoesNotResendToTheRouteThatAlreadyHasTheMessage() throws Exception {
        SilentMx silent = new SilentMx();
        others.add(0, silent); // closed first: the hanging delivery then fails at once
        FakeMx fast = anotherMx();
        site("fast.example\tesmtp:[127.0.0.1]:" + fast.port() + "\n"
                + "hangs.example\tesmtp:[127.0.0.1]:" + silent.port() + "\n",
                "smtp_connect_timeout = 10m\nsmtp_command_timeout = 10m\n");

        // RCPT order is route order: the fast route goes first, then the attempt hangs on the other.
        QueueId id = send(ALICE, message("fast and hanging"), "fiona@fast.example", "hank@hangs.example");
        Await.until("the fast MX to have the message", () -> fast.received.size() == 1);
        Await.until("the attempt to hang on the silent MX", () -> silent.connections() == 1);

        // What a restart after kill -9 would find: the spool as it is on disk now.
        QueuedMessage onDisk = site.relay.spool().read(QueueState.ACTIVE, id);
        assertEquals(RecipientStatus.SENT, onDisk.recipients().get(0).status(),
                "fiona's delivery is recorded while the attempt still hangs on hank's route");
        assertEquals(RecipientStatus.PENDING, onDisk.recipients().get(1).status());
        Path restarted = one.home.resolve("restarted");
        copyQueue(one.home.resolve("spool"), restarted.resolve("spool"));

        // The relay starts again on that spool, with hangs.example repaired.
        FakeMx repaired = anotherMx();
        TestSite again = new TestSite(restarted, one.hubRoute()
                + "fast.example\tesmtp:[127.0.0.1]:" + fast.port() + "\n"
                + "hangs.example\tesmtp:[127.0.0.1]:" + repaired.port() + "\n", "");
        others.add(again);
        again.start();
        Await.until("hank's copy to arrive after the restart", () -> repaired.received.size() == 1);
        Await.until("the restarted relay's queue to be empty", () -> queueIsEmpty(again));

        assertEquals(List.of("hank@hangs.example"), repaired.received.get(0).recipients());
        assertEquals(1, fast.received.size(), "fiona got exactly one copy: " + fast.received);
        assertEquals(List.of("fiona@fast.example"), fast.received.get(0).recipients());
    }

    /** Copies the queue's state directories (not private/: its socket belongs to the running relay). */
    private static void copyQueue(Path from, Path to) throws Exception {
        for (QueueState s : QueueState.values()) {
            Path dir = to.resolve(s.directory());
            Files.createDirectories(dir);
            try (var files = Files.list(from.resolve(s.directory()))) {
                for (Path f : files.toList()) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        }
    }

    // --- 11. damaged content ----------------------------------------------------------------------

    @Test
    void aQueuedMessageWhoseContentWasDamagedOnDiskIsNeverDeliveredAndIsSetAsideWithAnError() throws Exception {
        site("", "minimal_backoff_time = 10m\nmaximal_backoff_time = 1h\n");
        CapturedLog log = CapturedLog.of("qmgr");
        others.add(log);
        outside.script.add(FakeMx.Answer.TEMPFAIL);
        QueueId id = send(ALICE, message("flip me"), "carol@outside.example");
        Await.until("the message to be deferred", () -> waitsInDeferred(id));

        // One bit flipped in the content on disk ("flip me" becomes "flip mg").
        Path file = site.relay.spool().path(QueueState.DEFERRED, id);
        byte[] bytes = Files.readAllBytes(file);
        int at = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("Subject: flip me") + "Subject: flip m".length();
        bytes[at] ^= 0x02;
        Files.write(file, bytes);

        assertEquals(1, site.relay.queue().flush());

        Await.until("the damaged file to be set aside and no longer queued (or delivered)",
                () -> inState(QueueState.CORRUPT).contains(id) && site.relay.queue().all().isEmpty()
                        || !outside.received.isEmpty());
        assertTrue(outside.received.isEmpty(), "nothing delivered: " + outside.received);
        assertEquals(1, outside.dataCommands.get(), "only the first attempt (451) reached the MX");
        List<String> errors = log.levelAndText(id + ": corrupt queue file moved to corrupt/");
        assertEquals(1, errors.size(), log.levelAndText(id.value()).toString());
        assertTrue(errors.get(0).matches("ERROR " + id + ": corrupt queue file moved to corrupt/: content CRC-32C"
                + " mismatch: expected [0-9a-f]{8}, actual [0-9a-f]{8} \\(damaged on disk\\)"), errors.get(0));
        assertTrue(one.hub.received.isEmpty(), "no notice to the sender: " + one.hub.received);
    }

    @Test
    void aVersion1QueueFileFromAnEarlierReleaseIsStillDelivered() throws Exception {
        site("", "");
        site.relay.close();
        String content = "Received: from old.example by relay.test.example; Mon, 2 Jun 2025 10:00:00 +0000\r\n"
                + message("written by version 1");
        long arrival = System.currentTimeMillis();
        QueueId id = QueueId.next(arrival);
        String header = "WORMHOLE-QUEUE 1\n"
                + "id " + id + "\n"
                + "arrival " + arrival + "\n"
                + "client old.example%20127.0.0.1%20ESMTP\n"
                + "sender " + ALICE + "\n"
                + "rcpt carol@outside.example\n"
                + "flags\n"
                + "hops 000001\n"
                + "content " + String.format("%019d", content.length()) + "\n";
        Files.writeString(one.home.resolve("spool/deferred").resolve(id.value()), header + content + "end\n",
                StandardCharsets.US_ASCII);

        site.start();

        Await.until("the version 1 message to arrive", () -> outside.received.size() == 1);
        Await.until("the queue to be empty", this::queueIsEmpty);
        assertEquals(List.of("carol@outside.example"), outside.received.get(0).recipients());
        assertEquals(content, outside.received.get(0).text());
        assertTrue(inState(QueueState.CORRUPT).isEmpty());
    }

    // --- helpers -----------------------------------------------------------------------------

    /** Sends one message over SMTP and returns its queue id from the 250 reply. */
    private QueueId send(String from, String content, String... to) throws Exception {
        String reply;
        try (SmtpTranscript c = one.client()) {
            reply = c.sendMail(from, content, to);
            c.send("QUIT").expect("221");
        }
        assertTrue(reply.matches("250 2\\.0\\.0 Ok: queued as [0-9A-V]{14}"), reply);
        return new QueueId(reply.substring(reply.lastIndexOf(' ') + 1));
    }

    private static String message(String subject) {
        return "From: Alice <" + ALICE + ">\r\n"
                + "To: someone\r\n"
                + "Subject: " + subject + "\r\n"
                + "\r\n"
                + "body of '" + subject + "'\r\n";
    }

    private static String withReceivedHeaders(int n, String message) {
        StringBuilder sb = new StringBuilder();
        for (int i = n; i > 0; i--) {
            sb.append("Received: from hop").append(i).append(".example by hop").append(i + 1)
                    .append(".example; Mon, 2 Jun 2025 10:00:00 +0000\r\n");
        }
        return sb + message;
    }

    /** Puts a message into the stopped relay's spool the way the relay's own writer does. */
    private static QueueId queue(Spool spool, String content, String... to) throws Exception {
        try (Spool.Incoming in = spool.create(System.currentTimeMillis(), "client.example 127.0.0.1 ESMTP", ALICE,
                List.of(to), Set.of())) {
            in.content().write(content.getBytes(StandardCharsets.UTF_8));
            in.commit(0);
            return in.id();
        }
    }

    /**
     * What the relay's writer leaves in incoming/ when the relay is killed mid-DATA: the header
     * with the placeholders of a file not yet committed, part of the content, no end marker.
     */
    private static QueueId partialReception(Spool spool, String content, String... to) throws Exception {
        byte[] half;
        QueueId id;
        try (Spool.Incoming in = spool.create(System.currentTimeMillis(), "client.example 127.0.0.1 ESMTP", ALICE,
                List.of(to), Set.of())) {
            byte[] c = content.getBytes(StandardCharsets.UTF_8);
            in.content().write(c, 0, c.length / 2);
            in.content().flush();
            id = in.id();
            half = Files.readAllBytes(spool.path(QueueState.INCOMING, id));
        } // not committed: the writer deletes its file; put back what a kill -9 would have left
        Files.write(spool.path(QueueState.INCOMING, id), half);
        return id;
    }

    /** The destination answers 451 to every DATA from now on; returns how many answers were scripted. */
    private static int tempfailForever(FakeMx mx) {
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            mx.script.add(FakeMx.Answer.TEMPFAIL);
        }
        return n;
    }

    /**
     * Once {@code id} waits in deferred/, flushes the queue and waits until {@code mx} has seen one
     * more DATA than when this was called. (A flush that finds the message in flight after all is
     * a no-op; its normal retry comes within maximal_backoff_time.)
     */
    private void retryNow(QueueId id, FakeMx mx, int scripted) throws InterruptedException {
        int before = scripted - mx.script.size();
        Await.until(id + " to wait in deferred/", () -> waitsInDeferred(id) || scripted - mx.script.size() > before);
        site.relay.queue().flush();
        Await.until("another delivery attempt of " + id, () -> scripted - mx.script.size() > before);
    }

    private FakeMx.Received receivedWithSubject(String subject) {
        Predicate<FakeMx.Received> p = r -> r.text().contains("\r\nSubject: " + subject + "\r\n");
        List<FakeMx.Received> found = outside.received.stream().filter(p).toList();
        assertEquals(1, found.size(), "messages with subject '" + subject + "': " + found);
        return found.get(0);
    }

    private List<QueueId> inState(QueueState state) {
        try {
            return site.relay.spool().list(state);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * {@code id} is in deferred/, and the queue manager has it there too (it moves the file first,
     * then notes the move: a flush in between would not see it). For tests with one deferred
     * message at a time.
     */
    private boolean waitsInDeferred(QueueId id) {
        return inState(QueueState.DEFERRED).contains(id) && site.relay.queue().counts().get(QueueState.DEFERRED) == 1;
    }

    /** Waits until the queued message {@code id} is older than {@code age}. */
    private void awaitAge(QueueId id, Duration age) throws Exception {
        long arrival = site.relay.spool().find(id).orElseThrow().arrivalMillis();
        Await.until(id + " to be older than " + age, () -> System.currentTimeMillis() > arrival + age.toMillis());
    }

    /** The message's file is in the spool (in any state but corrupt). */
    private boolean isQueued(QueueId id) {
        try {
            return site.relay.spool().find(id).isPresent();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private String deferredError(QueueId id) {
        try {
            return site.relay.spool().read(QueueState.DEFERRED, id).lastError();
        } catch (Exception e) {
            return ""; // not deferred (yet, or at this moment)
        }
    }

    /**
     * Nothing left to deliver: the queue manager knows no message, and incoming/, active/ and
     * deferred/ are empty (both, so a file between two directories is never taken for none).
     */
    private boolean queueIsEmpty() {
        return queueIsEmpty(site);
    }

    private static boolean queueIsEmpty(TestSite s) {
        try {
            Spool spool = s.relay.spool();
            return s.relay.queue().all().isEmpty() && spool.list(QueueState.INCOMING).isEmpty()
                    && spool.list(QueueState.ACTIVE).isEmpty() && spool.list(QueueState.DEFERRED).isEmpty();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A flush that arrives while the message's own attempt is ending (it is already back in
     * deferred/, its attempt not yet finished) must not be lost: it was, once, and the message
     * then waited for the next flush or restart. Holding the queue manager's lock parks the
     * attempt at exactly that point.
     */
    @Test
    void aFlushWhileTheMessagesAttemptIsEndingIsNotLost() throws Exception {
        site("", "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n");
        outside.script.add(FakeMx.Answer.TEMPFAIL);
        try (SmtpTranscript c = one.client()) {
            c.sendMail("alice@birlinghoven.example", "Subject: race\r\n\r\nx\r\n", "carol@outside.example");
        }
        var qm = site.relay.queue();
        Await.until("the first attempt to reach the MX", () -> outside.dataCommands.get() == 1);
        synchronized (qm) {
            Await.until("the attempt to park with the message back in deferred/",
                    () -> qm.counts().get(org.wormhole.relay.queue.QueueState.DEFERRED) == 1);
            assertEquals(1, qm.flush());
        }
        Await.until("the flushed retry to deliver it", () -> outside.received.size() == 1);
    }
}
