package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Custody transfer between two sites over a real link (TLS on loopback): Tokyo dials
 * Birlinghoven, and each hands the other messages through its link's courier.
 */
class LinkCourierTest {

    /** Each side accepts 16 messages in flight, so busy tests wait for the window. */
    private static final LinkEndpoint.Settings SETTINGS = new LinkEndpoint.Settings(
            new SessionSettings(Duration.ofSeconds(2), 5, 16, Duration.ofSeconds(5)),
            Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));
    private static final long TIMEOUT = 30;

    @TempDir
    Path dir;

    private final MemoryCustodian tokyoQueue = new MemoryCustodian();
    private final MemoryCustodian birlinghovenQueue = new MemoryCustodian();
    private final Heard tokyoHeard = new Heard();
    private final Heard birlinghovenHeard = new Heard();
    private final ExecutorService deliveryThreads = Executors.newFixedThreadPool(8);
    private LinkEndpoint tokyo;
    private LinkEndpoint birlinghoven;
    private LinkCourier tokyoToBirlinghoven;
    private LinkCourier birlinghovenToTokyo;

    /** What a site's relay hears of its links. */
    static class Heard implements LinkEndpoint.Events {
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();

        @Override
        public void up(LinkEndpoint.Peer peer, LinkSession session) {
            log.add("up " + peer.name());
        }

        @Override
        public void down(LinkEndpoint.Peer peer, String reason) {
            log.add("down " + peer.name() + ": " + reason);
        }

        String next() throws InterruptedException {
            String s = log.poll(20, TimeUnit.SECONDS);
            assertNotNull(s, "nothing happened on the link");
            return s;
        }
    }

    @BeforeEach
    void twoSitesLinked() throws Exception {
        SiteIdentity tokyoId = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        SiteIdentity birlId = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        birlinghoven = new LinkEndpoint(birlId, "birlinghoven",
                List.of(new LinkEndpoint.Peer("tokyo", "127.0.0.1", 1, Set.of(tokyoId.pin()), false)),
                SETTINGS, birlinghovenQueue, birlinghovenHeard);
        birlinghoven.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        tokyo = new LinkEndpoint(tokyoId, "tokyo", List.of(new LinkEndpoint.Peer("birlinghoven", "127.0.0.1",
                birlinghoven.boundPort(), Set.of(birlId.pin()), true)), SETTINGS, tokyoQueue, tokyoHeard);
        tokyo.start();
        assertEquals("up birlinghoven", tokyoHeard.next());
        assertEquals("up tokyo", birlinghovenHeard.next());
        tokyoToBirlinghoven = tokyo.courier("birlinghoven").orElseThrow();
        birlinghovenToTokyo = birlinghoven.courier("tokyo").orElseThrow();
    }

    @AfterEach
    void close() {
        deliveryThreads.shutdownNow();
        tokyo.close();
        birlinghoven.close();
    }

    private static CustodyResult delivered(String messageId, String queueId, int recipients) {
        return new CustodyResult(messageId, queueId,
                Collections.nCopies(recipients, new RecipientReply(250, "2.0.0", "queued as " + queueId)));
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(TIMEOUT, TimeUnit.SECONDS);
    }

    @Test
    void aMessageArrivesByteForByteAndItsResultComesBackBothWays() throws Exception {
        byte[] content = new byte[150_001]; // two full CHUNKs and a short one
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) (i * 31 + i / 7);
        }
        OutboundMessage toBirl = Messages.bytes("1K820IHON00HPP.0", content, "alice@birlinghoven.example",
                "bob@birlinghoven.example");

        CustodyResult r = await(tokyoToBirlinghoven.offer(toBirl));

        assertEquals(delivered("1K820IHON00HPP.0", "Q1", 2), r);
        MemoryCustodian.Queued queued = birlinghovenQueue.only("1K820IHON00HPP.0");
        assertArrayEquals(content, queued.content());
        assertEquals("tokyo", queued.peer());

        String reply = "From: alice@birlinghoven.example\r\nSubject: re: hi\r\n\r\nGot it.\r\n";
        CustodyResult back = await(birlinghovenToTokyo.offer(Messages.text("1K9A00000000AB.0", reply,
                "sender@tokyo.example")));

        assertEquals(delivered("1K9A00000000AB.0", "Q1", 1), back);
        assertEquals(reply, new String(tokyoQueue.only("1K9A00000000AB.0").content(), StandardCharsets.UTF_8));
        assertEquals("birlinghoven", tokyoQueue.only("1K9A00000000AB.0").peer());
    }

    @Test
    void twoHundredMessagesOfferedFromEightThreadsEachArriveOnce() throws Exception {
        List<CompletableFuture<CustodyResult>> results = new CopyOnWriteArrayList<>();
        List<CompletableFuture<Void>> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            threads.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 25; i++) {
                    results.add(tokyoToBirlinghoven.offer(Messages.text(id(thread, i), body(thread, i),
                            "rcpt" + i + "@birlinghoven.example")));
                }
            }, deliveryThreads));
        }
        await(CompletableFuture.allOf(threads.toArray(CompletableFuture[]::new)));
        await(CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)));

        Set<String> expected = new HashSet<>();
        for (CompletableFuture<CustodyResult> f : results) {
            CustodyResult r = f.join();
            assertEquals(250, r.replies().get(0).code(), r.toString());
            expected.add(r.messageId());
        }
        assertEquals(200, expected.size());
        assertEquals(200, birlinghovenQueue.queue().size(), "each message queued once");
        assertEquals(expected, new HashSet<>(birlinghovenQueue.queuedIds()));
        for (int t = 0; t < 8; t++) {
            for (int i = 0; i < 25; i++) {
                assertEquals(body(t, i), new String(birlinghovenQueue.only(id(t, i)).content(), StandardCharsets.UTF_8));
            }
        }
    }

    private static String id(int thread, int i) {
        return "1KTHREAD" + thread + "MSG" + i + ".0";
    }

    private static String body(int thread, int i) {
        return ("Subject: " + thread + "/" + i + "\r\n\r\n" + "line of text\r\n".repeat(i * 37)) + ".\r\n";
    }

    @Test
    void smallMessagesOvertakeALargeOneStillInFlight() throws Exception {
        CountDownLatch smallOnesDone = new CountDownLatch(20);
        Messages.Gate halfway = new Messages.Gate(10_000_000, smallOnesDone);
        OutboundMessage large = Messages.generated("1KLARGE0000000.0", 20_000_000, halfway, "big@birlinghoven.example");
        List<String> completed = new CopyOnWriteArrayList<>();

        CompletableFuture<CustodyResult> largeResult = CompletableFuture
                .supplyAsync(() -> tokyoToBirlinghoven.offer(large), deliveryThreads)
                .thenCompose(f -> f)
                .whenComplete((r, e) -> completed.add("large"));
        halfway.awaitReached(); // 10 MB sent, the rest not read yet
        List<CompletableFuture<CustodyResult>> small = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            OutboundMessage m = Messages.text("1KSMALL" + i + ".0", "Subject: small " + i + "\r\n\r\nhi\r\n",
                    "small@birlinghoven.example");
            int n = i;
            small.add(CompletableFuture.supplyAsync(() -> tokyoToBirlinghoven.offer(m), deliveryThreads)
                    .thenCompose(f -> f)
                    .whenComplete((r, e) -> {
                        completed.add("small " + n);
                        smallOnesDone.countDown();
                    }));
        }

        await(CompletableFuture.allOf(small.toArray(CompletableFuture[]::new)));
        assertEquals(250, await(largeResult).replies().get(0).code());
        assertEquals(21, completed.size());
        assertEquals("large", completed.get(20), "every small message completed before the large one: " + completed);
        assertArrayEquals(Messages.sha256(large.content().open()),
                Messages.sha256(birlinghovenQueue.only("1KLARGE0000000.0").content()), "the large message intact");
        assertEquals(20_000_000, birlinghovenQueue.only("1KLARGE0000000.0").content().length);
    }

    @Test
    void aResendOfTheSameMessageIsAnsweredWithTheStoredResultAndQueuedOnce() throws Exception {
        OutboundMessage m = Messages.text("1KRESEND000000.0", "Subject: again\r\n\r\nsame\r\n",
                "a@birlinghoven.example", "b@birlinghoven.example");
        CustodyResult first = await(tokyoToBirlinghoven.offer(m));
        CustodyResult again = await(tokyoToBirlinghoven.offer(m)); // as after a link that dropped before the RESULT

        assertEquals(first, again);
        assertEquals(List.of("1KRESEND000000.0"), birlinghovenQueue.queuedIds());

        // The same message offered by two delivery threads at once.
        OutboundMessage twice = Messages.generated("1KTWICE0000000.0", 300_000, "c@birlinghoven.example");
        CompletableFuture<CustodyResult> one = CompletableFuture
                .supplyAsync(() -> tokyoToBirlinghoven.offer(twice), deliveryThreads).thenCompose(f -> f);
        CompletableFuture<CustodyResult> two = CompletableFuture
                .supplyAsync(() -> tokyoToBirlinghoven.offer(twice), deliveryThreads).thenCompose(f -> f);
        assertEquals(await(one), await(two));
        assertEquals(List.of("1KRESEND000000.0", "1KTWICE0000000.0"), birlinghovenQueue.queuedIds());
    }

    @Test
    void aReceiverOutOfDiskDefersEveryRecipientAndStoresNothing() throws Exception {
        birlinghovenQueue.refuse("disk full");
        OutboundMessage m = Messages.generated("1KFULL00000000.0", 200_000, "a@birlinghoven.example",
                "b@birlinghoven.example");

        CustodyResult r = await(tokyoToBirlinghoven.offer(m));

        RecipientReply deferred = new RecipientReply(452, "4.3.1", "disk full");
        assertEquals(new CustodyResult("1KFULL00000000.0", "", List.of(deferred, deferred)), r);
        assertEquals(List.of(), birlinghovenQueue.queue());

        birlinghovenQueue.accept(); // space again: the sender's retry goes through on the same link
        assertEquals(delivered("1KFULL00000000.0", "Q1", 2), await(tokyoToBirlinghoven.offer(m)));
    }

    @Test
    void aCustodiansOwnRefusalReachesTheSenderAsItsReplyForEveryRecipient() throws Exception {
        birlinghovenQueue.refuse(CustodyRefused.insufficientStorage());
        OutboundMessage m = Messages.generated("1KSTORE0000000.0", 10_000, "a@birlinghoven.example",
                "b@birlinghoven.example");

        RecipientReply later = new RecipientReply(452, "4.3.1", "Insufficient system storage");
        assertEquals(new CustodyResult("1KSTORE0000000.0", "", List.of(later, later)), await(tokyoToBirlinghoven.offer(m)));

        birlinghovenQueue.refuse(new CustodyRefused(552, "5.3.4", "message too big for this site's queue"));
        RecipientReply never = new RecipientReply(552, "5.3.4", "message too big for this site's queue");
        assertEquals(new CustodyResult("1KSTORE0000000.0", "", List.of(never, never)), await(tokyoToBirlinghoven.offer(m)));
        assertEquals(List.of(), birlinghovenQueue.queue());
    }

    @Test
    void cuttingTheLinkFailsEveryOfferInFlightAndTheReceiverDropsWhatItHalfHas() throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        List<Messages.Gate> gates = new ArrayList<>();
        List<CompletableFuture<CustodyResult>> inFlight = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Messages.Gate gate = new Messages.Gate(100_000, stalled);
            gates.add(gate);
            OutboundMessage m = Messages.generated("1KCUT" + i + ".0", 300_000, gate, "a@birlinghoven.example");
            inFlight.add(CompletableFuture.supplyAsync(() -> tokyoToBirlinghoven.offer(m), deliveryThreads)
                    .thenCompose(f -> f));
        }
        for (Messages.Gate g : gates) {
            g.awaitReached();
        }
        Set<String> arriving = Set.of(birlinghovenQueue.nextBegun(), birlinghovenQueue.nextBegun(),
                birlinghovenQueue.nextBegun());

        birlinghoven.close(); // Birlinghoven's relay stops with three messages a third received
        assertTrue(tokyoHeard.next().startsWith("down birlinghoven: "));
        stalled.countDown();

        for (CompletableFuture<CustodyResult> f : inFlight) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> await(f));
            assertInstanceOf(IOException.class, e.getCause());
            assertTrue(e.getCause().getMessage().startsWith("link to birlinghoven down: "), e.getCause().getMessage());
        }
        assertEquals(arriving, Set.of(birlinghovenQueue.nextDropped(), birlinghovenQueue.nextDropped(),
                birlinghovenQueue.nextDropped()), "what had begun to arrive was dropped");
        assertEquals(List.of(), birlinghovenQueue.queue(), "nothing half stored");

        CompletableFuture<CustodyResult> late = tokyoToBirlinghoven.offer(Messages.text("1KLATE00000000.0", "x\r\n",
                "a@birlinghoven.example"));
        assertTrue(late.isCompletedExceptionally(), "an offer over a link that is down fails at once");
        ExecutionException e = assertThrows(ExecutionException.class, late::get);
        assertTrue(e.getCause().getMessage().startsWith("link to birlinghoven down: "), e.getCause().getMessage());
    }
}
