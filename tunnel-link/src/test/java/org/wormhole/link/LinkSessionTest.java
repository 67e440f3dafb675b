package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;
import org.wormhole.link.wire.ProtocolViolation;
import org.wormhole.testing.Await;

/** Two sites' link sessions over real TLS on loopback: greeting, keepalive, a frozen peer, a version mismatch. */
class LinkSessionTest {

    private static final SessionSettings FAST = new SessionSettings(Duration.ofMillis(100), 3, 64,
            Duration.ofSeconds(5));

    @TempDir
    Path dir;

    private SiteIdentity tokyo;
    private SiteIdentity birlinghoven;
    private ServerSocket listener;
    private final List<AutoCloseable> toClose = new CopyOnWriteArrayList<>();

    @BeforeEach
    void identities() throws Exception {
        tokyo = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        birlinghoven = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        listener.close();
    }

    /** Records what a session's listener hears. */
    static final class Events implements LinkSession.Listener {
        final BlockingQueue<String> downs = new LinkedBlockingQueue<>();
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();

        @Override
        public void frame(LinkSession session, Frame frame) {
            frames.add(frame);
        }

        @Override
        public void down(LinkSession session, String reason) {
            downs.add(reason);
        }
    }

    /** Birlinghoven accepts one TLS connection (pinning Tokyo); returns the authenticated socket. */
    private CompletableFuture<SSLSocket> birlinghovenAccepts() throws Exception {
        LinkTls tls = new LinkTls(birlinghoven, Set.of(tokyo.pin()), (p, w) -> { });
        return CompletableFuture.supplyAsync(() -> {
            try {
                SSLSocket s = tls.serverSide(listener.accept());
                s.startHandshake();
                toClose.add(s);
                return s;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private SSLSocket tokyoDials() throws Exception {
        LinkTls tls = new LinkTls(tokyo, Set.of(birlinghoven.pin()), (p, w) -> { });
        SSLSocket s = tls.clientSide(new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort()), "birlinghoven");
        s.startHandshake();
        toClose.add(s);
        return s;
    }

    @Test
    void bothSidesGreetAgreeOnTheHighestVersionAndMeasureTheRoundTrip() throws Exception {
        CompletableFuture<SSLSocket> accepted = birlinghovenAccepts();
        SSLSocket dialed = tokyoDials();
        Events tokyoEvents = new Events();
        Events birlEvents = new Events();
        CompletableFuture<LinkSession> birl = CompletableFuture.supplyAsync(() -> {
            try {
                return LinkSession.start(accepted.get(10, TimeUnit.SECONDS), "birlinghoven", FAST, birlEvents);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        LinkSession tokyoSide = LinkSession.start(dialed, "tokyo", FAST, tokyoEvents);
        LinkSession birlSide = birl.get(10, TimeUnit.SECONDS);
        toClose.add(tokyoSide);
        toClose.add(birlSide);
        assertEquals("birlinghoven", tokyoSide.peerSite());
        assertEquals("tokyo", birlSide.peerSite());
        assertEquals(2, tokyoSide.version());
        assertEquals(64, tokyoSide.peerWindow());

        // Idle: keepalive pings flow both ways and keep the link up; a round trip gets measured.
        Await.until("a round-trip time after a PING/PONG", () -> tokyoSide.rtt() != null);
        // Five keepalive intervals of idleness, more than the three a dead peer gets: each side
        // reads a PING and a PONG per interval, and nothing else.
        long keepaliveRound = 2 * keepaliveFrameOctets();
        long tokyoRead = tokyoSide.bytesRead();
        long birlRead = birlSide.bytesRead();
        Await.until("five keepalive rounds each way, or the link going down", () -> !tokyoSide.isOpen()
                || !birlSide.isOpen()
                || tokyoSide.bytesRead() - tokyoRead >= 5 * keepaliveRound
                        && birlSide.bytesRead() - birlRead >= 5 * keepaliveRound);
        assertTrue(tokyoSide.isOpen() && birlSide.isOpen(), "an idle link stays up");

        tokyoSide.send(new Frame.Cancel(9));
        assertEquals(new Frame.Cancel(9), birlEvents.frames.poll(10, TimeUnit.SECONDS));

        tokyoSide.close("relay stopping", true);
        assertEquals("the peer said goodbye: relay stopping", birlEvents.downs.poll(10, TimeUnit.SECONDS));
    }

    /** The octets of a PING (or a PONG: the same) on the link. */
    private static long keepaliveFrameOctets() throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        FrameCodec.write(out, new Frame.Ping(1));
        return out.size();
    }

    @Test
    void aPeerThatFreezesIsDeclaredDeadAfterTheKeepaliveCount() throws Exception {
        CompletableFuture<SSLSocket> accepted = birlinghovenAccepts();
        SSLSocket dialed = tokyoDials();
        // Birlinghoven greets, then freezes: it holds the connection open and never sends again.
        SSLSocket frozen = accepted.get(10, TimeUnit.SECONDS);
        OutputStream out = new BufferedOutputStream(frozen.getOutputStream());
        FrameCodec.write(out, new Frame.Hello(List.of(1), "birlinghoven", 64));
        out.flush();
        Events events = new Events();
        LinkSession tokyoSide = LinkSession.start(dialed, "tokyo", FAST, events);
        toClose.add(tokyoSide);
        String reason = events.downs.poll(10, TimeUnit.SECONDS);
        assertNotNull(reason, "the frozen peer was never noticed");
        assertTrue(reason.startsWith("the peer sent nothing for ") && reason.endsWith("(3 keepalive intervals): presumed dead"),
                reason);
        assertTrue(!tokyoSide.isOpen());
    }

    @Test
    void aPeerThatDiesJustAfterAnsweringIsDeclaredDeadAfterKeepaliveCountIntervalsNotOneMore() throws Exception {
        // 500 ms x 2: presumed dead 1 s after its last frame. Its last frame is the PONG to our
        // first PING, just after a tick: the limit falls between two ticks.
        SessionSettings settings = new SessionSettings(Duration.ofMillis(500), 2, 64, Duration.ofSeconds(5));
        CompletableFuture<SSLSocket> accepted = birlinghovenAccepts();
        SSLSocket dialed = tokyoDials();
        SSLSocket peer = accepted.get(10, TimeUnit.SECONDS);
        OutputStream out = new BufferedOutputStream(peer.getOutputStream());
        FrameCodec.write(out, new Frame.Hello(List.of(1), "birlinghoven", 64));
        out.flush();
        Thread answersOnce = new Thread(() -> {
            try {
                java.io.InputStream in = peer.getInputStream();
                boolean answered = false;
                while (true) {
                    Frame f = FrameCodec.read(in);
                    if (f instanceof Frame.Ping p && !answered) {
                        FrameCodec.write(out, new Frame.Pong(p.nonce()));
                        out.flush();
                        answered = true; // and never a frame again
                    }
                }
            } catch (Exception closed) {
                // the session gave up on us
            }
        });
        answersOnce.setDaemon(true);
        answersOnce.start();
        Events events = new Events();
        LinkSession tokyoSide = LinkSession.start(dialed, "tokyo", settings, events);
        toClose.add(tokyoSide);

        String reason = events.downs.poll(10, TimeUnit.SECONDS);
        assertNotNull(reason, "the dead peer was never noticed");
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("the peer sent nothing for (\\d+) ms \\(2 keepalive intervals\\): presumed dead").matcher(reason);
        assertTrue(m.matches(), reason);
        long silentMillis = Long.parseLong(m.group(1));
        assertTrue(silentMillis >= 1000 && silentMillis < 1250,
                "declared dead " + silentMillis + " ms after its last frame; keepalive_interval x keepalive_count is 1000");
    }

    @Test
    void aPeerWithNoCommonVersionIsToldWhyAndRefused() throws Exception {
        CompletableFuture<SSLSocket> accepted = birlinghovenAccepts();
        SSLSocket dialed = tokyoDials();
        SSLSocket future = accepted.get(10, TimeUnit.SECONDS);
        OutputStream out = new BufferedOutputStream(future.getOutputStream());
        FrameCodec.write(out, new Frame.Hello(List.of(7, 8), "birlinghoven-from-the-future", 64));
        out.flush();
        ProtocolViolation v = assertThrows(ProtocolViolation.class,
                () -> LinkSession.start(dialed, "tokyo", FAST, new Events()));
        assertEquals("no common version: the peer speaks [7, 8], we [1, 2]", v.getMessage());
        java.io.InputStream in = future.getInputStream();
        assertEquals(new Frame.Hello(List.of(1, 2), "tokyo", 64), FrameCodec.read(in));
        assertEquals(new Frame.Goodbye("no common version (we speak [1, 2], the peer [7, 8])"), FrameCodec.read(in));
    }

    /**
     * Birlinghoven greets, starts a frame, and the network cuts the link: Tokyo reports a lost
     * connection, which the link heals by redialing, not the peer breaking the protocol.
     */
    @Test
    void aNetworkCutIsALostConnectionNotAProtocolViolation() throws Exception {
        assertEquals("connection lost (reset by peer)", tokyoSeesTheCut(true));
        assertEquals("connection lost (closed by the peer without GOODBYE, inside a frame)", tokyoSeesTheCut(false));
    }

    /** What Tokyo says of its link when Birlinghoven's end is reset ({@code reset}) or ends (FIN) mid-frame. */
    private String tokyoSeesTheCut(boolean reset) throws Exception {
        LinkTls tls = new LinkTls(birlinghoven, Set.of(tokyo.pin()), (p, w) -> { });
        CompletableFuture<Socket> plain = CompletableFuture.supplyAsync(() -> {
            try {
                Socket p = listener.accept();
                toClose.add(p);
                SSLSocket s = tls.serverSide(p);
                // Kept reachable until the test ends: the JDK's SSL socket closes itself, and p with
                // it, when it is finalized, and the cut below must find p open.
                toClose.add(s);
                s.startHandshake();
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                FrameCodec.write(out, new Frame.Hello(List.of(1), "birlinghoven", 64));
                out.write(new byte[] {0, 0, 0, 40, 0x7F}); // a GOODBYE of 40 octets begins...
                out.flush();
                return p;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        SSLSocket dialed = tokyoDials();
        Events events = new Events();
        LinkSession tokyoSide = LinkSession.start(dialed, "tokyo", FAST, events);
        toClose.add(tokyoSide);
        Socket cut = plain.get(10, TimeUnit.SECONDS);
        if (reset) {
            cut.setSoLinger(true, 0);
            cut.close(); // RST, no close_notify
        } else {
            cut.shutdownOutput(); // FIN, no close_notify
        }
        String reason = events.downs.poll(10, TimeUnit.SECONDS);
        assertNotNull(reason, "the cut was never noticed");
        return reason;
    }
}
