package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.testing.Await;

/**
 * Byte streams over a real link (protocol version 2; TLS on loopback): Tokyo dials Birlinghoven,
 * which offers the services {@code echo} (sends back what it reads, then EOF) and {@code hold}
 * (accepts and reads nothing until the test takes the stream), beside the mail.
 */
class LinkStreamTest {

    private static final StreamLimits LIMITS = new StreamLimits(64 * 1024, 3);
    private static final long TIMEOUT = 30;

    @TempDir
    Path dir;

    private final MemoryCustodian birlinghovenQueue = new MemoryCustodian();
    private final BlockingQueue<LinkStream> held = new LinkedBlockingQueue<>();
    private final Map<String, String> seen = new ConcurrentHashMap<>();
    private LinkEndpoint tokyo;
    private LinkEndpoint birlinghoven;

    /** Birlinghoven's services. */
    private final class Services extends LinkCourierTest.Heard {
        @Override
        public void streamRequested(LinkEndpoint.Peer peer, StreamOpening request) {
            seen.put(request.service(), peer.name());
            switch (request.service()) {
                case "echo" -> {
                    LinkStream s = request.accept();
                    Thread t = new Thread(() -> echo(s), "echo");
                    t.setDaemon(true);
                    t.start();
                }
                case "hold" -> held.add(request.accept());
                default -> request.refuse("no such service");
            }
        }
    }

    private static void echo(LinkStream s) {
        try (InputStream in = s.input(); OutputStream out = s.output()) {
            in.transferTo(out);
        } catch (IOException e) {
            s.close("echo failed: " + e.getMessage());
        }
    }

    private void link(SessionSettings tokyoSession, SessionSettings birlSession) throws Exception {
        SiteIdentity tokyoId = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        SiteIdentity birlId = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        LinkCourierTest.Heard birlHeard = new Services();
        LinkCourierTest.Heard tokyoHeard = new LinkCourierTest.Heard();
        birlinghoven = new LinkEndpoint(birlId, "birlinghoven",
                List.of(new LinkEndpoint.Peer("tokyo", "127.0.0.1", 1, Set.of(tokyoId.pin()), false)),
                settings(birlSession), birlinghovenQueue, birlHeard);
        birlinghoven.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        tokyo = new LinkEndpoint(tokyoId, "tokyo", List.of(new LinkEndpoint.Peer("birlinghoven", "127.0.0.1",
                birlinghoven.boundPort(), Set.of(birlId.pin()), true)), settings(tokyoSession), new MemoryCustodian(),
                tokyoHeard);
        tokyo.start();
        assertEquals("up birlinghoven", tokyoHeard.next());
        assertEquals("up tokyo", birlHeard.next());
    }

    private static LinkEndpoint.Settings settings(SessionSettings session) {
        return new LinkEndpoint.Settings(session, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));
    }

    private static SessionSettings session() {
        return new SessionSettings(Duration.ofSeconds(2), 5, 16, Duration.ofSeconds(5)).withStreams(LIMITS);
    }

    private void linked() throws Exception {
        link(session(), session());
    }

    @AfterEach
    void close() {
        if (tokyo != null) {
            tokyo.close();
        }
        if (birlinghoven != null) {
            birlinghoven.close();
        }
    }

    private LinkStream open(String service) throws Exception {
        return tokyo.session("birlinghoven").orElseThrow().openStream(service).get(TIMEOUT, TimeUnit.SECONDS);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code content} and then EOF on a thread of its own. */
    private static CompletableFuture<Void> writeAndShutDown(LinkStream s, byte[] content) {
        return CompletableFuture.runAsync(() -> {
            try (OutputStream out = s.output()) {
                for (int off = 0; off < content.length; off += 10_000) {
                    out.write(content, off, Math.min(10_000, content.length - off));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void threeMegabytesGoThereAndBackByteForByteThroughASmallWindow() throws Exception {
        linked();
        LinkStream s = open("echo");
        byte[] content = random(3 * 1024 * 1024 + 17, 1);

        CompletableFuture<Void> written = writeAndShutDown(s, content); // 48 windows each way
        byte[] back = s.input().readAllBytes(); // to the echo's EOF, which follows ours

        assertArrayEquals(content, back);
        written.get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(content.length, s.octetsOut());
        assertEquals(content.length, s.octetsIn());
        assertEquals("tokyo", seen.get("echo"));
        s.close("done");
        Await.until("the stream forgotten on both sides once both CLOSEs are through",
                () -> tokyo.session("birlinghoven").orElseThrow().streams().isEmpty()
                        && birlinghoven.session("tokyo").orElseThrow().streams().isEmpty());
    }

    @Test
    void aServiceThatIsNotOfferedIsRefusedWithTheReasonAndTheLinkStays() throws Exception {
        linked();
        ExecutionException e = assertThrows(ExecutionException.class, () -> open("ldap"));

        assertEquals("stream ldap refused by birlinghoven: no such service", e.getCause().getMessage());
        assertTrue(tokyo.session("birlinghoven").orElseThrow().isOpen());
        assertEquals(0, open("echo").channel() % 2 - 1, "the dialing side numbers its streams odd");
    }

    @Test
    void aReaderThatStopsStallsOnlyItsOwnStreamNeverTheMailOrAnotherStream() throws Exception {
        linked();
        LinkStream stalled = open("hold");
        LinkStream heldThere = held.poll(TIMEOUT, TimeUnit.SECONDS);
        assertNotNull(heldThere);
        byte[] big = random(1024 * 1024, 2);
        CompletableFuture<Void> pushing = writeAndShutDown(stalled, big);
        // Birlinghoven reads nothing: Tokyo may send one window (its credit) and then waits.
        Await.until("Tokyo's writer stopped at Birlinghoven's window",
                () -> stalled.octetsOut() == LIMITS.window() && heldThere.octetsIn() == LIMITS.window());

        // Meanwhile the mail and another stream go on as if nothing were stalled.
        LinkCourier courier = tokyo.courier("birlinghoven").orElseThrow();
        for (int i = 0; i < 20; i++) {
            CustodyResult r = courier.offer(Messages.generated("M" + i + ".0", 200_000, "bob@birlinghoven.example"))
                    .get(TIMEOUT, TimeUnit.SECONDS);
            assertEquals(250, r.replies().get(0).code());
        }
        LinkStream other = open("echo");
        byte[] small = random(300_000, 3);
        CompletableFuture<Void> otherWritten = writeAndShutDown(other, small);
        assertArrayEquals(small, other.input().readAllBytes());
        otherWritten.get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(20, birlinghovenQueue.queue().size());
        assertEquals(LIMITS.window(), stalled.octetsOut(), "the stalled stream sent nothing past its credit");
        assertTrue(!pushing.isDone());

        // Birlinghoven starts reading: the rest flows.
        assertArrayEquals(big, heldThere.input().readAllBytes());
        pushing.get(TIMEOUT, TimeUnit.SECONDS);
    }

    @Test
    void thePeerOpensAtMostItsLimitOfStreamsAndTheNextIsRefused() throws Exception {
        linked();
        for (int i = 0; i < LIMITS.maxOpen(); i++) {
            open("hold");
        }
        ExecutionException e = assertThrows(ExecutionException.class, () -> open("hold"));

        assertEquals("stream hold refused by birlinghoven: too many streams (at most 3)", e.getCause().getMessage());
        LinkStream first = held.poll(TIMEOUT, TimeUnit.SECONDS);
        first.close("done with it");
        Await.until("a slot free again at Birlinghoven once both CLOSEs are through",
                () -> birlinghoven.session("tokyo").orElseThrow().streams().size() == LIMITS.maxOpen() - 1);
        open("hold");
    }

    @Test
    void aStreamOpenWhenTheLinkDropsEndsOnBothSidesWithTheReason() throws Exception {
        linked();
        LinkStream s = open("hold");
        LinkStream there = held.poll(TIMEOUT, TimeUnit.SECONDS);

        birlinghoven.session("tokyo").orElseThrow().close("relay stopping", true);

        IOException here = assertThrows(IOException.class, () -> s.input().read());
        assertEquals("stream hold closed: link down: the peer said goodbye: relay stopping", here.getMessage());
        IOException write = assertThrows(IOException.class, () -> there.output().write(1));
        assertEquals("stream hold closed: link down: relay stopping", write.getMessage());
    }

    @Test
    void aVersionOnePeerStillCarriesMailAndStreamsFailAtOnceWithTheReason() throws Exception {
        link(session().withVersions(List.of(1)), session());
        LinkSession toBirl = tokyo.session("birlinghoven").orElseThrow();
        assertEquals(1, toBirl.version());
        assertEquals(1, birlinghoven.session("tokyo").orElseThrow().version());

        CustodyResult r = tokyo.courier("birlinghoven").orElseThrow()
                .offer(Messages.text("V1.0", "Subject: old peer\r\n\r\nhi\r\n", "bob@birlinghoven.example"))
                .get(TIMEOUT, TimeUnit.SECONDS);
        assertEquals(250, r.replies().get(0).code());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> toBirl.openStream("echo").get(TIMEOUT, TimeUnit.SECONDS));
        assertEquals("link to birlinghoven speaks protocol version 1, which has no streams", e.getCause().getMessage());
    }
}
