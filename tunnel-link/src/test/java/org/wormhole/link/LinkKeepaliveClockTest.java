package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;
import org.wormhole.testing.Await;

/**
 * The keepalive of a real link (two endpoints, TLS on loopback) on a clock the test moves by hand:
 * the default keepalive_interval (10 s) and keepalive_count (3), without waiting a real second.
 */
class LinkKeepaliveClockTest {

    private static final Duration INTERVAL = SessionSettings.defaults().keepaliveInterval();
    private static final LinkEndpoint.Settings DEFAULT_KEEPALIVE = new LinkEndpoint.Settings(
            SessionSettings.defaults(), Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));

    /** A monotonic time source (as {@link System#nanoTime}) that moves only when told to. */
    static final class HandClock implements LongSupplier {
        private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }

        @Override
        public long getAsLong() {
            return nanos.get();
        }
    }


    /** Birlinghoven's relay, which freezes on the first mail frame: its link's reader never reads again. */
    static final class FreezesOnMail implements LinkEndpoint.Events {
        final CountDownLatch frozen = new CountDownLatch(1);
        final CountDownLatch thaw = new CountDownLatch(1);

        @Override
        public void up(LinkEndpoint.Peer peer, LinkSession session) {
        }

        @Override
        public void down(LinkEndpoint.Peer peer, String reason) {
        }

        @Override
        public void frame(LinkEndpoint.Peer peer, LinkSession session, Frame frame) {
            frozen.countDown();
            try {
                thaw.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @TempDir
    Path dir;

    private SiteIdentity tokyoId;
    private SiteIdentity birlinghovenId;
    private final FreezesOnMail birlinghovenHears = new FreezesOnMail();
    private final List<LinkEndpoint> endpoints = new CopyOnWriteArrayList<>();

    @BeforeEach
    void identities() throws Exception {
        tokyoId = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        birlinghovenId = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
    }

    @AfterEach
    void close() {
        birlinghovenHears.thaw.countDown();
        endpoints.forEach(LinkEndpoint::close);
    }

    @Test
    void aPingGoesOutEveryIntervalAndAPeerSilentForThreeIntervalsIsDeclaredDead() throws Exception {
        HandClock tokyoTime = new HandClock();
        HandClock birlinghovenTime = new HandClock(); // never moves: Birlinghoven never pings on its own
        LinkEndpoint birlinghoven = new LinkEndpoint(birlinghovenId, "birlinghoven",
                List.of(new LinkEndpoint.Peer("tokyo", "127.0.0.1", 1, Set.of(tokyoId.pin()), false)),
                DEFAULT_KEEPALIVE, null, birlinghovenHears, Clock.systemUTC(), birlinghovenTime);
        endpoints.add(birlinghoven);
        birlinghoven.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        birlinghoven.start();
        LinkCourierTest.Heard tokyoHears = new LinkCourierTest.Heard();
        LinkEndpoint tokyo = new LinkEndpoint(tokyoId, "tokyo", List.of(new LinkEndpoint.Peer("birlinghoven",
                "127.0.0.1", birlinghoven.boundPort(), Set.of(birlinghovenId.pin()), true)),
                DEFAULT_KEEPALIVE, null, tokyoHears, Clock.systemUTC(), tokyoTime);
        endpoints.add(tokyo);
        tokyo.start();
        assertEquals("up birlinghoven", next(tokyoHears.log));
        LinkSession link = tokyo.session("birlinghoven").orElseThrow();

        // One keepalive interval on Tokyo's clock: its PING goes out and Birlinghoven's PONG comes
        // back; the round trip is measured on Tokyo's clock, which stood still meanwhile.
        tokyoTime.advance(INTERVAL);
        link.checkTimers();
        Await.until("Birlinghoven's PONG to Tokyo's first PING", () -> link.rtt() != null);
        assertEquals(Duration.ZERO, link.rtt());

        // Birlinghoven freezes: it holds the connection open and reads nothing more, PINGs neither.
        link.send(new Frame.Cancel(1));
        assertTrue(birlinghovenHears.frozen.await(10, TimeUnit.SECONDS), "Birlinghoven never got the frame");

        long written = link.bytesWritten();
        long ping = pingOctets();
        tokyoTime.advance(INTERVAL);
        link.checkTimers();
        Await.until("Tokyo's second PING going out", () -> link.bytesWritten() - written >= ping);
        assertTrue(link.isOpen(), "one interval of silence: a PING unanswered, the link stays up");
        tokyoTime.advance(INTERVAL);
        link.checkTimers();
        assertTrue(link.isOpen(), "two intervals of silence: the link stays up");
        tokyoTime.advance(INTERVAL.minusMillis(1));
        link.checkTimers();
        assertTrue(link.isOpen(), "just short of three intervals of silence: the link stays up");

        tokyoTime.advance(Duration.ofMillis(1));
        link.checkTimers();
        assertFalse(link.isOpen(), "three intervals of silence: the peer is dead");
        assertEquals("down birlinghoven: the peer sent nothing for 30000 ms (3 keepalive intervals): presumed dead",
                next(tokyoHears.log));
    }

    private static String next(BlockingQueue<String> q) throws InterruptedException {
        String s = q.poll(20, TimeUnit.SECONDS);
        assertNotNull(s, "nothing happened on the link");
        return s;
    }

    /** The octets of a PING on the link. */
    private static long pingOctets() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameCodec.write(out, new Frame.Ping(1));
        return out.size();
    }
}
