package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.testing.Await;

/**
 * A long-lived link renews its TLS keys (TLS 1.3 KeyUpdate) after a volume of traffic, while mail
 * flows, and the mail arrives intact; the links count what they carried.
 */
class LinkRekeyTest {

    private static final long REKEY_BYTES = 64 * 1024;
    private static final LinkEndpoint.Settings SETTINGS = new LinkEndpoint.Settings(
            new SessionSettings(Duration.ofSeconds(2), 5, 16, Duration.ofSeconds(5))
                    .withRekey(Duration.ZERO, REKEY_BYTES),
            Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));

    @TempDir
    Path dir;

    private final MemoryCustodian birlinghovenQueue = new MemoryCustodian();
    private final LinkCourierTest.Heard tokyoHeard = new LinkCourierTest.Heard();
    private final LinkCourierTest.Heard birlinghovenHeard = new LinkCourierTest.Heard();
    private final ExecutorService senders = Executors.newFixedThreadPool(4);
    private LinkEndpoint tokyo;
    private LinkEndpoint birlinghoven;

    @BeforeEach
    void twoSitesLinked() throws Exception {
        SiteIdentity tokyoId = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        SiteIdentity birlId = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        birlinghoven = new LinkEndpoint(birlId, "birlinghoven",
                List.of(new LinkEndpoint.Peer("tokyo", "127.0.0.1", 1, Set.of(tokyoId.pin()), false)),
                SETTINGS, birlinghovenQueue, birlinghovenHeard);
        birlinghoven.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        tokyo = new LinkEndpoint(tokyoId, "tokyo", List.of(new LinkEndpoint.Peer("birlinghoven", "127.0.0.1",
                birlinghoven.boundPort(), Set.of(birlId.pin()), true)), SETTINGS, new MemoryCustodian(), tokyoHeard);
        tokyo.start();
        assertEquals("up birlinghoven", tokyoHeard.next());
        assertEquals("up tokyo", birlinghovenHeard.next());
    }

    @AfterEach
    void close() {
        senders.shutdownNow();
        tokyo.close();
        birlinghoven.close();
    }

    @Test
    void aLinkRekeyedEvery64KiBCarriesEveryMessageIntact() throws Exception {
        LinkSession link = tokyo.session("birlinghoven").orElseThrow();
        LinkCourier courier = tokyo.courier("birlinghoven").orElseThrow();
        List<byte[]> contents = new ArrayList<>();
        List<CompletableFuture<CustodyResult>> results = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] content = new byte[40_000 + i * 1_000];
            for (int j = 0; j < content.length; j++) {
                content[j] = (byte) (j * 7 + i);
            }
            contents.add(content);
            OutboundMessage m = Messages.bytes("1KREKEY" + i + ".0", content, "bob@birlinghoven.example");
            // One after the other: a rekey waits for the PONG to its PING, behind the data in flight.
            CompletableFuture<CustodyResult> r = CompletableFuture.supplyAsync(() -> courier.offer(m), senders)
                    .thenCompose(f -> f);
            r.get(30, TimeUnit.SECONDS);
            results.add(r);
        }
        for (CompletableFuture<CustodyResult> r : results) {
            assertEquals(250, r.get(30, TimeUnit.SECONDS).replies().get(0).code());
        }

        long total = 0;
        for (int i = 0; i < 12; i++) {
            assertArrayEquals(contents.get(i), birlinghovenQueue.only("1KREKEY" + i + ".0").content());
            total += contents.get(i).length;
        }
        // At most one rekey per 64 KiB and per PONG: how many fit depends on when the PONGs come
        // back (a loaded machine: 3 in 547 kB once), so "several", not an exact count.
        assertTrue(link.rekeys() >= 2, "rekeyed " + link.rekeys() + " times after " + link.bytesWritten() + " octets");
        assertNotNull(link.lastRekey());
        assertTrue(link.isOpen(), "the link stays up through its rekeys");
        assertTrue(link.rekeysHere(), "Tokyo dialed: Tokyo rekeys");
        LinkSession accepted = birlinghoven.session("tokyo").orElseThrow();
        assertEquals(0, accepted.rekeys(), "Birlinghoven leaves the rekeying to Tokyo");
        assertTrue(!accepted.rekeysHere());
        assertEquals(new LinkTraffic.Counts(12, total, 0, 0), tokyo.traffic("birlinghoven"));
        assertEquals(new LinkTraffic.Counts(0, 0, 12, total), birlinghoven.traffic("tokyo"));

        // And after all those KeyUpdates the link still works both ways.
        byte[] reply = "Subject: thanks\r\n\r\nall there\r\n".getBytes();
        CustodyResult back = birlinghoven.courier("tokyo").orElseThrow()
                .offer(Messages.bytes("1KREPLY.0", reply, "alice@tokyo.example")).get(30, TimeUnit.SECONDS);
        assertEquals(250, back.replies().get(0).code());
    }

    @Test
    void aBusyLinkRekeyedWhileMailFlowsBothWaysStaysUp() throws Exception {
        LinkCourier toBirl = tokyo.courier("birlinghoven").orElseThrow();
        LinkCourier toTokyo = birlinghoven.courier("tokyo").orElseThrow();
        List<CompletableFuture<CustodyResult>> results = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            byte[] content = new byte[20_000 + i * 500];
            java.util.Arrays.fill(content, (byte) ('a' + i % 26));
            LinkCourier via = i % 3 == 0 ? toTokyo : toBirl;
            OutboundMessage m = Messages.bytes("1KBUSY" + i + ".0", content, "someone@example.org");
            results.add(CompletableFuture.supplyAsync(() -> via.offer(m), senders).thenCompose(f -> f));
        }
        for (CompletableFuture<CustodyResult> r : results) {
            assertEquals(250, r.get(30, TimeUnit.SECONDS).replies().get(0).code());
        }
        LinkSession link = tokyo.session("birlinghoven").orElseThrow();
        assertTrue(link.rekeys() >= 1, "rekeyed " + link.rekeys() + " times");
        assertEquals(null, tokyoHeard.log.poll(), "the link never went down");
    }

    @Test
    void anIdleLinkIsRekeyedByAgeAndStaysUp() throws Exception {
        LinkEndpoint.Settings young = new LinkEndpoint.Settings(
                new SessionSettings(Duration.ofMillis(100), 50, 16, Duration.ofSeconds(5))
                        .withRekey(Duration.ofMillis(300), 0),
                Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));
        SiteIdentity a = SiteIdentity.generate(dir.resolve("a"), "osaka", Duration.ofDays(30));
        SiteIdentity b = SiteIdentity.generate(dir.resolve("b"), "kyoto", Duration.ofDays(30));
        LinkCourierTest.Heard heard = new LinkCourierTest.Heard();
        try (LinkEndpoint kyoto = new LinkEndpoint(b, "kyoto",
                List.of(new LinkEndpoint.Peer("osaka", "127.0.0.1", 1, Set.of(a.pin()), false)), young,
                new MemoryCustodian(), new LinkCourierTest.Heard())) {
            kyoto.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (LinkEndpoint osaka = new LinkEndpoint(a, "osaka", List.of(new LinkEndpoint.Peer("kyoto", "127.0.0.1",
                    kyoto.boundPort(), Set.of(b.pin()), true)), young, new MemoryCustodian(), heard)) {
                osaka.start();
                assertEquals("up kyoto", heard.next());
                LinkSession link = osaka.session("kyoto").orElseThrow();
                Await.until("three rekeys by age, or the link going down", () -> link.rekeys() >= 3 || !link.isOpen());
                assertTrue(link.rekeys() >= 3, "rekeyed " + link.rekeys() + " times");
                assertTrue(link.isOpen());
                assertNotNull(link.rtt(), "keepalives still answered with the new keys");
                assertEquals(null, heard.log.poll(), "the link never went down");
            }
        }
    }

    @Test
    void aLinkWithoutRekeyLimitsIsNeverRekeyed() throws Exception {
        SessionSettings plain = new SessionSettings(Duration.ofSeconds(2), 5, 16, Duration.ofSeconds(5));
        assertEquals(Duration.ZERO, plain.rekeyInterval());
        assertEquals(0, plain.rekeyBytes());
        SessionSettings defaults = SessionSettings.defaults();
        assertEquals(Duration.ofHours(1), defaults.rekeyInterval());
        assertEquals(1L << 30, defaults.rekeyBytes());
    }
}
