package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;

/**
 * Rekeying by age of a real link (Tokyo dials, TLS on loopback) on a clock the test moves by hand,
 * against a Birlinghoven the test plays frame by frame, so it decides which PING it answers.
 */
class LinkRekeyClockTest {

    private static final SessionSettings SETTINGS = SessionSettings.defaults()
            .withRekey(Duration.ofMinutes(1), 0);
    private static final Duration INTERVAL = SETTINGS.keepaliveInterval(); // 10 s: six ticks to a rekey

    @TempDir
    Path dir;

    private final LinkKeepaliveClockTest.HandClock tokyoTime = new LinkKeepaliveClockTest.HandClock();
    private final LinkSessionTest.Events tokyoHears = new LinkSessionTest.Events();
    private ServerSocket listener;
    private SSLSocket birlinghoven;
    private InputStream fromTokyo;
    private OutputStream toTokyo;
    private LinkSession tokyo;
    private long birlinghovenPings;

    /** Tokyo dials and runs its link session; Birlinghoven is a raw TLS socket that has exchanged HELLO. */
    @BeforeEach
    void tokyoDialsBirlinghoven() throws Exception {
        SiteIdentity tokyoId = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        SiteIdentity birlId = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        LinkTls serverTls = new LinkTls(birlId, Set.of(tokyoId.pin()), (p, w) -> { });
        CompletableFuture<SSLSocket> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                SSLSocket s = serverTls.serverSide(listener.accept());
                s.startHandshake();
                return s;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        LinkTls clientTls = new LinkTls(tokyoId, Set.of(birlId.pin()), (p, w) -> { });
        SSLSocket dialed = clientTls.clientSide(
                new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort()), "birlinghoven");
        dialed.startHandshake();
        birlinghoven = accepted.get(10, TimeUnit.SECONDS);
        birlinghoven.setSoTimeout(20_000);
        fromTokyo = birlinghoven.getInputStream();
        toTokyo = new BufferedOutputStream(birlinghoven.getOutputStream());
        send(new Frame.Hello(List.of(1), "birlinghoven", 64)); // the listening side greets first
        tokyo = LinkSession.start(dialed, "tokyo", SETTINGS, session -> tokyoHears, tokyoTime);
        assertEquals(new Frame.Hello(List.of(1, 2), "tokyo", SETTINGS.window()), FrameCodec.read(fromTokyo));
        assertTrue(tokyo.rekeysHere(), "Tokyo dialed: Tokyo rekeys");
    }

    @AfterEach
    void close() throws Exception {
        tokyo.close();
        birlinghoven.close();
        listener.close();
    }

    @Test
    void aPongToAKeepalivePingSentAfterTheRekeyPingEndsTheRekey() throws Exception {
        // An idle link: every ten seconds Tokyo pings and Birlinghoven answers, until the keys are a
        // minute old; then Tokyo sends a KeyUpdate and a PING behind it, besides its keepalive PING.
        for (int tick = 1; tick < 6; tick++) {
            answerEach(tick());
        }
        List<Frame.Ping> rekeyTick = tick();
        assertEquals(1, tokyo.rekeys(), "the keys a minute old: Tokyo rekeys");
        assertEquals(2, rekeyTick.size(), "a keepalive PING and the PING behind the KeyUpdate: " + rekeyTick);

        // Birlinghoven is slow to answer: Tokyo's next keepalive PING comes in before it does, and
        // it answers the latest PING it has read, as a relay of ours does (its PONG answers the
        // latest PING, not each). It has read the KeyUpdate and the PING behind it all the same.
        List<Frame.Ping> next = tick();
        send(new Frame.Pong(next.get(next.size() - 1).nonce()));

        // A minute after the rekey Tokyo rekeys again: that PONG ended the first one.
        for (int tick = 1; tick < 5; tick++) {
            answerEach(tick());
        }
        List<Frame.Ping> secondRekeyTick = tick();
        assertEquals(2, tokyo.rekeys(), "a minute after the first rekey, the second");
        assertEquals(2, secondRekeyTick.size(), "again a keepalive PING and the PING behind the KeyUpdate");
        answerEach(secondRekeyTick);
        answerEach(tick());
        assertNotNull(tokyo.rtt(), "keepalives answered with the new keys");
        assertTrue(tokyo.isOpen());
        assertNull(tokyoHears.downs.poll(), "the link never went down");
    }

    @Test
    void aPongToAPingSentBeforeTheKeyUpdateDoesNotEndTheRekey() throws Exception {
        for (int tick = 1; tick < 5; tick++) {
            answerEach(tick());
        }
        List<Frame.Ping> beforeRekey = tick(); // left unanswered for now
        tick();
        assertEquals(1, tokyo.rekeys(), "the keys a minute old: Tokyo rekeys");

        // Birlinghoven answers only a PING Tokyo sent before the KeyUpdate: its answering KeyUpdate
        // may still be on its way, so Tokyo starts no other, however old the keys get.
        send(new Frame.Pong(beforeRekey.get(0).nonce()));
        for (int tick = 1; tick < 7; tick++) {
            tick();
        }
        assertEquals(1, tokyo.rekeys(), "no second KeyUpdate while the first is unanswered");
        assertTrue(tokyo.isOpen());
    }

    /**
     * Tokyo's clock moves one keepalive interval: returns the PINGs Tokyo sent since the last tick
     * (one, or two when it rekeyed: the KeyUpdate and the PING behind it come after whatever frame
     * Tokyo was sending when the keys were due), up to its PONG to a PING of Birlinghoven's, which
     * Tokyo sends after its tick's PING.
     */
    private List<Frame.Ping> tick() throws Exception {
        tokyoTime.advance(INTERVAL);
        tokyo.checkTimers();
        long mark = ++birlinghovenPings;
        send(new Frame.Ping(mark));
        List<Frame.Ping> pings = new ArrayList<>();
        while (true) {
            Frame f = FrameCodec.read(fromTokyo);
            if (f instanceof Frame.Ping p) {
                pings.add(p);
            } else if (f.equals(new Frame.Pong(mark))) {
                return pings;
            } else {
                throw new AssertionError("Tokyo sent " + f);
            }
        }
    }

    private void answerEach(List<Frame.Ping> pings) throws Exception {
        for (Frame.Ping p : pings) {
            send(new Frame.Pong(p.nonce()));
        }
    }

    private void send(Frame f) throws Exception {
        FrameCodec.write(toTokyo, f);
        toTokyo.flush();
    }
}
