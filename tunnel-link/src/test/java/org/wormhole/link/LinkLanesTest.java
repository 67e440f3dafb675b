package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;
import org.wormhole.testing.Await;

/**
 * A link over several TCP connections (protocol version 2, PROTOCOL.md "Lanes"): Tokyo dials
 * Birlinghoven through a proxy that can cut any one connection; large messages spread over the
 * lanes beyond the first, small ones stay on the first; a lane cut takes the link down as a whole
 * and it comes back with all its lanes, and every message arrives once.
 */
class LinkLanesTest {

    private static final long TIMEOUT = 30;

    @TempDir
    Path dir;

    private final MemoryCustodian birlinghovenQueue = new MemoryCustodian();
    private final LinkCourierTest.Heard tokyoHeard = new LinkCourierTest.Heard();
    private final LinkCourierTest.Heard birlHeard = new LinkCourierTest.Heard();
    private SiteIdentity tokyoId;
    private SiteIdentity birlId;
    private LinkEndpoint tokyo;
    private LinkEndpoint birlinghoven;
    private CuttingProxy proxy;

    private void link(int tokyoLanes, int birlLanes) throws Exception {
        tokyoId = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        birlId = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        birlinghoven = new LinkEndpoint(birlId, "birlinghoven",
                List.of(new LinkEndpoint.Peer("tokyo", "127.0.0.1", 1, Set.of(tokyoId.pin()), false)),
                settings(birlLanes), birlinghovenQueue, birlHeard);
        birlinghoven.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        proxy = new CuttingProxy(birlinghoven.boundPort());
        tokyo = new LinkEndpoint(tokyoId, "tokyo", List.of(new LinkEndpoint.Peer("birlinghoven", "127.0.0.1",
                proxy.port(), Set.of(birlId.pin()), true)), settings(tokyoLanes), new MemoryCustodian(), tokyoHeard);
        tokyo.start();
        assertEquals("up birlinghoven", tokyoHeard.next());
        assertEquals("up tokyo", birlHeard.next());
    }

    private static LinkEndpoint.Settings settings(int lanes) {
        return new LinkEndpoint.Settings(new SessionSettings(Duration.ofSeconds(2), 5, 64, Duration.ofSeconds(5))
                .withLanes(lanes), Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));
    }

    @AfterEach
    void close() throws IOException {
        if (tokyo != null) {
            tokyo.close();
            birlinghoven.close();
            proxy.close();
        }
    }

    private LinkSession tokyoSide() {
        return tokyo.session("birlinghoven").orElseThrow();
    }

    private void awaitLanes(int n) throws InterruptedException {
        Await.until(n + " lanes on both sides", () -> tokyo.session("birlinghoven").map(LinkSession::lanes).orElse(0) == n
                && birlinghoven.session("tokyo").map(LinkSession::lanes).orElse(0) == n);
    }

    private static byte[] content(int size, int seed) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * seed + i / 1000);
        }
        return b;
    }

    @Test
    void largeMessagesSpreadOverTheLanesBeyondTheFirstAndArriveByteForByte() throws Exception {
        link(4, 4);
        awaitLanes(4);
        LinkCourier courier = tokyo.courier("birlinghoven").orElseThrow();
        Map<String, byte[]> sent = new HashMap<>();
        List<CompletableFuture<CustodyResult>> results = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            sent.put("BIG" + i + ".0", content(1_000_000 + i, 7 + i));
        }
        for (Map.Entry<String, byte[]> e : sent.entrySet()) {
            results.add(CompletableFuture.supplyAsync(
                    () -> courier.offer(Messages.bytes(e.getKey(), e.getValue(), "bob@birlinghoven.example")).join()));
        }
        for (int i = 0; i < 30; i++) {
            results.add(courier.offer(Messages.text("SMALL" + i + ".0", "Subject: " + i + "\r\n\r\nhi\r\n", "b@b.example")));
        }
        for (CompletableFuture<CustodyResult> r : results) {
            assertEquals(250, r.get(TIMEOUT, TimeUnit.SECONDS).replies().get(0).code());
        }

        assertEquals(42, birlinghovenQueue.queue().size());
        for (Map.Entry<String, byte[]> e : sent.entrySet()) {
            assertArrayEquals(e.getValue(), birlinghovenQueue.only(e.getKey()).content());
        }
        List<Long> perLane = tokyoSide().laneOctetsWritten();
        for (int lane = 1; lane < 4; lane++) {
            assertTrue(perLane.get(lane) > 3_000_000, "lane " + lane + " carried 4 of the 12 large messages: " + perLane);
        }
        assertTrue(perLane.get(0) < 1_000_000, "lane 0 carried the small ones only: " + perLane);
    }

    @Test
    void aLaneCutTakesTheLinkDownWholeAndItComesBackWithAllItsLanesAndNothingTwice() throws Exception {
        link(3, 3);
        awaitLanes(3);
        LinkCourier courier = tokyo.courier("birlinghoven").orElseThrow();
        CountDownLatch afterTheCut = new CountDownLatch(1);
        Messages.Gate gate = new Messages.Gate(600_000, afterTheCut);
        CompletableFuture<CustodyResult> halfway = CompletableFuture.supplyAsync(() -> courier.offer(
                Messages.generated("CUT1.0", 2_000_000, gate, "bob@birlinghoven.example")).join());
        gate.awaitReached(); // 600 kB of it on its lane, the rest held back

        proxy.cut(1); // lane 1 (the proxy's second connection), which carries it

        assertTrue(tokyoHeard.next().startsWith("down birlinghoven: "));
        afterTheCut.countDown();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> halfway.get(TIMEOUT, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("link to birlinghoven down"), e.getCause().getMessage());
        assertEquals("up birlinghoven", tokyoHeard.next());
        awaitLanes(3);
        // The relay resends what failed, under the same id: it arrives once.
        CustodyResult again = tokyo.courier("birlinghoven").orElseThrow()
                .offer(Messages.generated("CUT1.0", 2_000_000, "bob@birlinghoven.example")).get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(250, again.replies().get(0).code());
        assertEquals(List.of("CUT1.0"), birlinghovenQueue.queuedIds());
        assertEquals(6, proxy.connections(), "three connections, then three again");
    }

    @Test
    void aLinkClosedWithItsLanesUpIsTheGoodbyeItIsWhicheverLaneTheOtherSideReadsFirst() throws Exception {
        link(3, 3);
        awaitLanes(3);
        proxy.holdBack(0); // Tokyo never gets to read lane 0's GOODBYE: only the other lanes say why

        birlinghoven.close();

        String down = tokyoHeard.next();
        assertTrue(down.startsWith("down birlinghoven: the peer said goodbye: "), down);
    }

    @Test
    void theListenersLimitBoundsTheLanesAndOneLaneIsALinkAsBefore() throws Exception {
        link(4, 2);
        awaitLanes(2);
        CustodyResult r = tokyo.courier("birlinghoven").orElseThrow()
                .offer(Messages.generated("BIG.0", 3_000_000, "bob@birlinghoven.example")).get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(250, r.replies().get(0).code());
        assertEquals(2, proxy.connections());
    }

    @Test
    void aJoinWithoutTheLinksTokenIsRefusedAndTheLinkStays() throws Exception {
        link(1, 4);
        awaitLanes(1);
        LinkTls tls = new LinkTls(tokyoId, Set.of(birlId.pin()), (p, w) -> { });
        try (SSLSocket s = tls.clientSide(new Socket(InetAddress.getLoopbackAddress(), birlinghoven.boundPort()),
                "birlinghoven")) {
            s.startHandshake();
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            assertTrue(FrameCodec.read(in) instanceof Frame.Hello);
            FrameCodec.write(out, new Frame.Join(new byte[Frame.TOKEN], 1)); // Tokyo's key, a guessed token
            out.flush();

            assertEquals(new Frame.Goodbye("no such link or lane to join"), FrameCodec.read(in));
        }
        assertTrue(tokyoSide().isOpen());
        assertEquals(1, birlinghoven.session("tokyo").orElseThrow().lanes());
        CustodyResult r = tokyo.courier("birlinghoven").orElseThrow()
                .offer(Messages.text("AFTER.0", "Subject: x\r\n\r\ny\r\n", "b@b.example")).get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(250, r.replies().get(0).code());
    }
}
