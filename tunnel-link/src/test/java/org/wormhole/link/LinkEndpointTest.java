package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.wire.Frame;

/** Two sites keep one link up between them, whoever dials, and heal it when one side restarts. */
class LinkEndpointTest {

    private static final LinkEndpoint.Settings FAST = new LinkEndpoint.Settings(
            new LinkSession.Settings(Duration.ofMillis(200), 3, 64, Duration.ofSeconds(5)),
            Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));

    @TempDir
    Path dir;

    private SiteIdentity tokyo;
    private SiteIdentity birlinghoven;
    private final List<LinkEndpoint> endpoints = new CopyOnWriteArrayList<>();

    @BeforeEach
    void identities() throws Exception {
        tokyo = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        birlinghoven = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
    }

    @AfterEach
    void close() {
        endpoints.forEach(LinkEndpoint::close);
    }

    /** What a site's relay hears of its links. */
    static final class Heard implements LinkEndpoint.Events {
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

        @Override
        public void up(LinkEndpoint.Peer peer, LinkSession session) {
            log.add("up " + peer.name());
        }

        @Override
        public void down(LinkEndpoint.Peer peer, String reason) {
            log.add("down " + peer.name() + ": " + reason);
        }

        @Override
        public void frame(LinkEndpoint.Peer peer, LinkSession session, Frame frame) {
            frames.add(frame);
        }
    }

    private LinkEndpoint site(SiteIdentity id, String name, LinkEndpoint.Peer peer, Heard heard, int listenPort)
            throws Exception {
        return site(id, name, peer, heard, listenPort, FAST);
    }

    private LinkEndpoint site(SiteIdentity id, String name, LinkEndpoint.Peer peer, Heard heard, int listenPort,
                              LinkEndpoint.Settings settings) throws Exception {
        LinkEndpoint e = new LinkEndpoint(id, name, List.of(peer), settings, heard);
        endpoints.add(e);
        if (listenPort >= 0) {
            e.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), listenPort));
        }
        e.start();
        return e;
    }

    private static String next(BlockingQueue<String> q) throws InterruptedException {
        String s = q.poll(20, TimeUnit.SECONDS);
        assertNotNull(s, "nothing happened on the link");
        return s;
    }

    @Test
    void aBranchBehindNatDialsOutAndTheLinkHealsAfterTheHubRestarts() throws Exception {
        Heard hub = new Heard();
        Heard branch = new Heard();
        LinkEndpoint birl = site(birlinghoven, "birlinghoven",
                new LinkEndpoint.Peer("tokyo", "127.0.0.1", 1, Set.of(tokyo.pin()), false), hub, 0);
        int port = birl.boundPort();
        site(tokyo, "tokyo", new LinkEndpoint.Peer("birlinghoven", "127.0.0.1", port, Set.of(birlinghoven.pin()), true),
                branch, -1);
        assertEquals("up birlinghoven", next(branch.log));
        assertEquals("up tokyo", next(hub.log));

        birl.close(); // the hub restarts
        assertTrue(next(branch.log).startsWith("down birlinghoven: "));
        LinkEndpoint again = site(birlinghoven, "birlinghoven",
                new LinkEndpoint.Peer("tokyo", "127.0.0.1", 1, Set.of(tokyo.pin()), false), hub, port);
        assertEquals("up birlinghoven", next(branch.log), "the branch reconnects by itself");
        Thread.sleep(100);
        again.session("tokyo").orElseThrow().send(new Frame.Cancel(1));
        assertEquals(new Frame.Cancel(1), branch.frames.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void whenBothSidesDialExactlyOneLinkRemains() throws Exception {
        int tokyoPort = freePort();
        int birlPort = freePort();
        Heard t = new Heard();
        Heard b = new Heard();
        LinkEndpoint tok = new LinkEndpoint(tokyo, "tokyo", List.of(
                new LinkEndpoint.Peer("birlinghoven", "127.0.0.1", birlPort, Set.of(birlinghoven.pin()), true)), FAST, t);
        LinkEndpoint birl = new LinkEndpoint(birlinghoven, "birlinghoven", List.of(
                new LinkEndpoint.Peer("tokyo", "127.0.0.1", tokyoPort, Set.of(tokyo.pin()), true)), FAST, b);
        endpoints.add(tok);
        endpoints.add(birl);
        tok.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), tokyoPort));
        birl.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), birlPort));
        tok.start();
        birl.start();
        Thread.sleep(1500); // both dialers connect and the duplicate is resolved
        LinkSession tokSide = tok.session("birlinghoven").orElseThrow();
        LinkSession birlSide = birl.session("tokyo").orElseThrow();
        tokSide.send(new Frame.Cancel(42));
        birlSide.send(new Frame.Cancel(43));
        assertEquals(new Frame.Cancel(42), b.frames.poll(10, TimeUnit.SECONDS), "tokyo's link reaches birlinghoven's");
        assertEquals(new Frame.Cancel(43), t.frames.poll(10, TimeUnit.SECONDS), "and the other way: one connection");
        assertTrue(tokSide.isOpen() && birlSide.isOpen());
        assertTrue(t.log.stream().noneMatch(e -> e.startsWith("down")), "no link went down on the way: " + t.log);
    }

    private static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void strangersWhoNeverFinishTheHandshakeAreCutOffAndCannotCrowdOutThePeer() throws Exception {
        Heard heardB = new Heard();
        LinkEndpoint.Peer tokyoPeer = new LinkEndpoint.Peer("tokyo", "127.0.0.1", 0, Set.of(tokyo.pin()), false);
        LinkEndpoint.Settings helloWithin1s = new LinkEndpoint.Settings(
                new LinkSession.Settings(Duration.ofMillis(200), 3, 64, Duration.ofSeconds(1)),
                Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));
        LinkEndpoint b = site(birlinghoven, "birlinghoven", tokyoPeer, heardB, 0, helloWithin1s);
        InetSocketAddress linkAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), b.boundPort());

        // A stranger trickling the start of a TLS record, a byte at a time, each within the timeout.
        try (java.net.Socket trickler = new java.net.Socket()) {
            trickler.connect(linkAddress);
            trickler.setSoTimeout(200);
            long t0 = System.nanoTime();
            boolean cutOff = false;
            byte[] clientHelloStart = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
            for (int i = 0; i < 100 && !cutOff; i++) {
                try {
                    trickler.getOutputStream().write(clientHelloStart[Math.min(i, clientHelloStart.length - 1)]);
                    cutOff = trickler.getInputStream().read() < 0;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // the relay still waits: go on trickling
                } catch (java.io.IOException reset) {
                    cutOff = true;
                }
            }
            assertTrue(cutOff, "the trickling stranger was never cut off");
            long heldMillis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("a trickling stranger was cut off after " + heldMillis + " ms (hello timeout 1 s)");
        }

        // A crowd of silent strangers: past MAX_STARTUPS, new ones are turned away at once, and
        // the real peer gets in as soon as the crowd is cut off.
        List<java.net.Socket> crowd = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < LinkEndpoint.MAX_STARTUPS + 5; i++) {
                java.net.Socket s = new java.net.Socket();
                s.connect(linkAddress);
                crowd.add(s);
            }
            java.net.Socket last = crowd.get(crowd.size() - 1);
            last.setSoTimeout(3_000);
            try {
                assertEquals(-1, last.getInputStream().read(), "a connection past the limit is closed at once");
            } catch (java.net.SocketException reset) {
                // reset at once: turned away too
            }
            Heard heardA = new Heard();
            site(tokyo, "tokyo", new LinkEndpoint.Peer("birlinghoven", "127.0.0.1", b.boundPort(),
                    Set.of(birlinghoven.pin()), true), heardA, -1);
            assertEquals("up birlinghoven", next(heardA.log));
        } finally {
            for (java.net.Socket s : crowd) {
                s.close();
            }
        }
    }
}
