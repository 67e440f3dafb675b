package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
import org.wormhole.testing.Await;

/** Two sites keep one link up between them, whoever dials, and heal it when one side restarts. */
class LinkEndpointTest {

    private static final LinkEndpoint.Settings FAST = new LinkEndpoint.Settings(
            new SessionSettings(Duration.ofMillis(200), 3, 64, Duration.ofSeconds(5)),
            Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));

    @TempDir
    Path dir;

    private SiteIdentity tokyo;
    private SiteIdentity birlinghoven;
    private final List<LinkEndpoint> endpoints = new CopyOnWriteArrayList<>();
    private final List<PortForTokyo> ports = new CopyOnWriteArrayList<>(); // closed after the endpoints

    @BeforeEach
    void identities() throws Exception {
        tokyo = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        birlinghoven = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
    }

    @AfterEach
    void close() throws Exception {
        endpoints.forEach(LinkEndpoint::close);
        for (PortForTokyo p : ports) {
            p.close();
        }
    }

    /** What a site's relay hears of its links. */
    static final class Heard implements LinkEndpoint.Events {
        final BlockingQueue<String> log = new LinkedBlockingQueue<>();
        final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<Arrival> arrivals = new LinkedBlockingQueue<>();
        final List<String> dialFailures = new CopyOnWriteArrayList<>();
        final BlockingQueue<KeyRefusal> keyRefusals = new LinkedBlockingQueue<>();

        @Override
        public void dialFailed(LinkEndpoint.Peer peer, String reason) {
            dialFailures.add(reason);
        }

        @Override
        public void keyRefused(LinkEndpoint.Peer peer, KeyRefusal refusal) {
            keyRefusals.add(refusal);
        }

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
            arrivals.add(new Arrival(session, frame));
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
        Await.until("the restarted hub holds its end of the new link", () -> again.session("tokyo").isPresent());
        again.session("tokyo").orElseThrow().send(new Frame.Cancel(1));
        assertEquals(new Frame.Cancel(1), branch.frames.poll(10, TimeUnit.SECONDS));
    }

    @Test
    void aStoppingHubRefusesTheBranchsRedialInsteadOfGreetingItAndSendingItAway() throws Exception {
        Heard hub = new Heard();
        Heard branch = new Heard();
        LinkEndpoint birl = site(birlinghoven, "birlinghoven",
                new LinkEndpoint.Peer("tokyo", "127.0.0.1", 1, Set.of(tokyo.pin()), false), hub, 0);
        site(tokyo, "tokyo", new LinkEndpoint.Peer("birlinghoven", "127.0.0.1", birl.boundPort(),
                Set.of(birlinghoven.pin()), true), branch, -1);
        assertEquals("up birlinghoven", next(branch.log));

        birl.close(); // the hub stops; the branch redials the moment its link drops
        assertTrue(next(branch.log).startsWith("down birlinghoven: "));
        Await.until("the branch's redial refused", () -> !branch.dialFailures.isEmpty());
        assertEquals(List.of(), List.copyOf(branch.log), "no link came up with a hub that is stopping");
    }

    @Test
    void whenBothSidesDialExactlyOneLinkRemains() throws Exception {
        // Each site must be told the other's port before either listens: Birlinghoven dials a
        // port bound now that leads to Tokyo's, once Tokyo listens.
        PortForTokyo tokyoPort = new PortForTokyo();
        ports.add(tokyoPort);
        Heard t = new Heard();
        Heard b = new Heard();
        LinkEndpoint birl = new LinkEndpoint(birlinghoven, "birlinghoven", List.of(
                new LinkEndpoint.Peer("tokyo", "127.0.0.1", tokyoPort.port(), Set.of(tokyo.pin()), true)), FAST, b);
        endpoints.add(birl);
        birl.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        LinkEndpoint tok = new LinkEndpoint(tokyo, "tokyo", List.of(new LinkEndpoint.Peer("birlinghoven",
                "127.0.0.1", birl.boundPort(), Set.of(birlinghoven.pin()), true)), FAST, t);
        endpoints.add(tok);
        tok.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        tokyoPort.leadTo(tok.boundPort());
        tok.start();
        birl.start();
        // Both dialers connect and one connection is closed as the duplicate: once a frame sent
        // on each site's link arrives on the link the other site holds, one connection remains.
        int[] probe = {100};
        Await.until("one link whose two ends the two sites hold", () -> {
            Optional<LinkSession> tokSide = tok.session("birlinghoven");
            Optional<LinkSession> birlSide = birl.session("tokyo");
            return tokSide.isPresent() && birlSide.isPresent()
                    && arrivesOn(tokSide.get(), new Frame.Cancel(probe[0]++), b, birlSide.get())
                    && arrivesOn(birlSide.get(), new Frame.Cancel(probe[0]++), t, tokSide.get());
        });
        LinkSession tokSide = tok.session("birlinghoven").orElseThrow();
        LinkSession birlSide = birl.session("tokyo").orElseThrow();
        tokSide.send(new Frame.Cancel(42));
        birlSide.send(new Frame.Cancel(43));
        assertEquals(new Arrival(birlSide, new Frame.Cancel(42)), next(b.arrivals, new Frame.Cancel(42), 10),
                "tokyo's link reaches birlinghoven's");
        assertEquals(new Arrival(tokSide, new Frame.Cancel(43)), next(t.arrivals, new Frame.Cancel(43), 10),
                "and the other way: one connection");
        assertTrue(tokSide.isOpen() && birlSide.isOpen());
        assertTrue(t.log.stream().noneMatch(e -> e.startsWith("down")), "no link went down on the way: " + t.log);
    }

    /** A frame on a link, and the session it came on. */
    record Arrival(LinkSession on, Frame frame) {
    }

    /** The arrival of {@code frame} (those before it are skipped) within {@code seconds}; null if it never came. */
    private static Arrival next(BlockingQueue<Arrival> arrivals, Frame frame, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            Arrival a = arrivals.poll(left, TimeUnit.NANOSECONDS);
            if (a != null && a.frame().equals(frame)) {
                return a;
            }
        }
        return null;
    }

    /** Whether {@code frame}, sent on {@code from}, arrives at {@code heard} on the session {@code on}. */
    private static boolean arrivesOn(LinkSession from, Frame frame, Heard heard, LinkSession on) {
        try {
            from.send(frame);
            Arrival a = next(heard.arrivals, frame, 2); // lost if sent on the duplicate as it closed
            return a != null && a.on() == on;
        } catch (java.io.IOException closedAsTheDuplicate) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * A loopback port bound at once, that carries every connection to it on to a port named later
     * ({@link #leadTo}): a port a site can be told before the listener behind it exists, with no
     * port number freed and bound again.
     */
    static final class PortForTokyo implements AutoCloseable {
        private final java.net.ServerSocket front = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final Set<java.net.Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private volatile int target;

        PortForTokyo() throws java.io.IOException {
            Thread t = new Thread(this::acceptLoop, "port-for-tokyo");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return front.getLocalPort();
        }

        void leadTo(int port) {
            target = port;
        }

        private void acceptLoop() {
            try {
                while (true) {
                    java.net.Socket in = front.accept();
                    open.add(in);
                    java.net.Socket out = new java.net.Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(out);
                    pipe(in, out);
                    pipe(out, in);
                }
            } catch (java.io.IOException closed) {
                // the test is over
            }
        }

        /** Copies {@code from} to {@code to}; when either ends, closes both. */
        private void pipe(java.net.Socket from, java.net.Socket to) {
            Thread t = new Thread(() -> {
                try (from; to) {
                    from.getInputStream().transferTo(to.getOutputStream());
                } catch (java.io.IOException gone) {
                    // one side closed
                }
            }, "port-for-tokyo-pipe");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws java.io.IOException {
            front.close();
            for (java.net.Socket s : open) {
                s.close();
            }
        }
    }

    @Test
    void strangersWhoNeverFinishTheHandshakeAreCutOffAndCannotCrowdOutThePeer() throws Exception {
        Heard heardB = new Heard();
        LinkEndpoint.Peer tokyoPeer = new LinkEndpoint.Peer("tokyo", "127.0.0.1", 0, Set.of(tokyo.pin()), false);
        LinkEndpoint.Settings helloWithin1s = new LinkEndpoint.Settings(
                new SessionSettings(Duration.ofMillis(200), 3, 64, Duration.ofSeconds(1)),
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

        // A crowd of silent strangers from one address: past its share of the slots, new ones are
        // turned away at once, and the real peer gets in.
        List<java.net.Socket> crowd = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < LinkListener.MAX_STARTUPS_PER_SOURCE + 1; i++) {
                java.net.Socket s = new java.net.Socket();
                s.connect(linkAddress);
                crowd.add(s);
            }
            java.net.Socket last = crowd.get(crowd.size() - 1);
            last.setSoTimeout(3_000);
            String turnedAway = readAll(last);
            assertTrue(turnedAway.equals(busyAlert()) || turnedAway.equals("reset"),
                    "a connection past the limit is told 'busy' (or reset) at once: " + turnedAway);
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

    private static String busyAlert() {
        return java.util.HexFormat.of().formatHex(LinkListener.BUSY_ALERT);
    }

    /** What the listener sends before it closes, in hex. */
    private static String readAll(java.net.Socket s) throws java.io.IOException {
        try {
            return java.util.HexFormat.of().formatHex(s.getInputStream().readAllBytes());
        } catch (java.net.SocketException reset) {
            return "reset";
        }
    }

    /**
     * Strangers that keep {@code perAddress} silent connections open to a link port from each of
     * {@code addresses} (127.0.0.2, ...: loopback answers for all of 127/8), opening a new one
     * whenever one is closed, until stopped. A bounded loop: at most {@code maxConnections} in all.
     */
    static final class Crowd implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stop;
        final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();

        Crowd(int port, int addresses, int perAddress, int maxConnections) {
            thread = new Thread(() -> {
                java.net.Socket[] held = new java.net.Socket[addresses * perAddress];
                try {
                    while (!stop && opened.get() < maxConnections) {
                        for (int i = 0; i < held.length && !stop; i++) {
                            if (held[i] == null || gone(held[i])) {
                                if (held[i] != null) {
                                    held[i].close();
                                }
                                held[i] = null;
                                java.net.Socket s = new java.net.Socket();
                                try {
                                    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + (2 + i / perAddress)), 0));
                                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
                                    s.setSoTimeout(1);
                                    held[i] = s;
                                    opened.incrementAndGet();
                                } catch (java.io.IOException refused) { // reset while connecting: try again
                                    s.close();
                                }
                            }
                        }
                        Thread.sleep(20); // the stranger's pace of checking and reopening, not a wait in the test
                    }
                } catch (Exception e) {
                    if (!stop) {
                        e.printStackTrace();
                    }
                } finally {
                    for (java.net.Socket s : held) {
                        try {
                            if (s != null) {
                                s.close();
                            }
                        } catch (java.io.IOException ignored) {
                            // closing
                        }
                    }
                }
            }, "crowd");
            thread.setDaemon(true);
            thread.start();
        }

        /** Whether the listener closed (or told off) this connection. */
        private static boolean gone(java.net.Socket s) {
            try {
                return s.getInputStream().read() != -2; // data (the busy alert) or end of stream: gone
            } catch (java.net.SocketTimeoutException stillOpen) {
                return false;
            } catch (java.io.IOException reset) {
                return true;
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5_000);
        }
    }

    private static LinkEndpoint.Settings helloWithin(Duration hello, Duration initialBackoff) {
        return new LinkEndpoint.Settings(new SessionSettings(Duration.ofMillis(200), 3, 64, hello),
                initialBackoff, Duration.ofSeconds(30), Duration.ofSeconds(2));
    }

    /**
     * One stranger (127.0.0.2) keeps 20 connections open to Birlinghoven's link port, reopening
     * each one the moment it is closed; Tokyo, the real peer (127.0.0.1), links up within seconds
     * all the same. Before the per-source limit it waited for the stranger's connections to time
     * out (and its own backoff on top).
     */
    @Test
    void aStrangerHoldingManyConnectionsFromOneAddressCannotKeepThePeerOut() throws Exception {
        LinkEndpoint b = site(birlinghoven, "birlinghoven",
                new LinkEndpoint.Peer("tokyo", "127.0.0.1", 0, Set.of(tokyo.pin()), false), new Heard(), 0,
                helloWithin(Duration.ofSeconds(30), Duration.ofMillis(200)));
        try (Crowd stranger = new Crowd(b.boundPort(), 1, 20, 2_000)) {
            awaitOpened(stranger, 20);
            Heard heardA = new Heard();
            long t0 = System.nanoTime();
            site(tokyo, "tokyo", new LinkEndpoint.Peer("birlinghoven", "127.0.0.1", b.boundPort(),
                    Set.of(birlinghoven.pin()), true), heardA, -1, helloWithin(Duration.ofSeconds(30), Duration.ofMillis(200)));
            assertEquals("up birlinghoven", heardA.log.poll(3, TimeUnit.SECONDS), "the link is up within 3 s");
            System.out.println("linked up in " + (System.nanoTime() - t0) / 1_000_000 + " ms with a stranger holding "
                    + "connections from one address (" + stranger.opened.get() + " opened)");
        }
    }

    /**
     * Strangers from five addresses, four connections each, more than all the slots: the
     * configured peer's address has room of its own, so Tokyo links up within seconds.
     */
    @Test
    void aCrowdFromManyAddressesCannotKeepThePeerOut() throws Exception {
        LinkEndpoint b = site(birlinghoven, "birlinghoven",
                new LinkEndpoint.Peer("tokyo", "127.0.0.1", 0, Set.of(tokyo.pin()), false), new Heard(), 0,
                helloWithin(Duration.ofSeconds(30), Duration.ofMillis(200)));
        try (Crowd crowd = new Crowd(b.boundPort(), 5, 4, 2_000)) {
            awaitOpened(crowd, 20);
            Heard heardA = new Heard();
            site(tokyo, "tokyo", new LinkEndpoint.Peer("birlinghoven", "127.0.0.1", b.boundPort(),
                    Set.of(birlinghoven.pin()), true), heardA, -1, helloWithin(Duration.ofSeconds(30), Duration.ofMillis(200)));
            assertEquals("up birlinghoven", heardA.log.poll(3, TimeUnit.SECONDS), "the link is up within 3 s");
        }
    }

    /**
     * A peer Birlinghoven does not know the address of (it says 127.0.0.9; Tokyo dials from
     * 127.0.0.1) gets no reserved room: while strangers hold every slot Tokyo is told "busy", and
     * dials again soon each time instead of backing off as from a failure; once the strangers are
     * gone it is up within a second.
     */
    @Test
    void aDialerToldBusyDialsAgainSoonInsteadOfBackingOff() throws Exception {
        LinkEndpoint b = site(birlinghoven, "birlinghoven",
                new LinkEndpoint.Peer("tokyo", "127.0.0.9", 0, Set.of(tokyo.pin()), false), new Heard(), 0,
                helloWithin(Duration.ofSeconds(30), Duration.ofMillis(200)));
        Heard heardA = new Heard();
        List<String> failures = heardA.dialFailures;
        try (Crowd crowd = new Crowd(b.boundPort(), 4, 3, 2_000)) { // 12 silent connections: all 10 slots
            awaitOpened(crowd, 12);
            awaitBusy(b.boundPort());
            site(tokyo, "tokyo", new LinkEndpoint.Peer("birlinghoven", "127.0.0.1", b.boundPort(),
                    Set.of(birlinghoven.pin()), true), heardA, -1, helloWithin(Duration.ofSeconds(30), Duration.ofMillis(200)));
            Await.until("Tokyo dialing again soon after each 'busy', 10 times", () -> failures.size() >= 10);
            assertTrue(failures.stream().allMatch(f -> f.contains("busy")), failures.toString());
        }
        assertEquals("up birlinghoven", heardA.log.poll(2, TimeUnit.SECONDS), "up within 2 s of the crowd leaving");
    }

    private static void awaitOpened(Crowd crowd, int n) throws InterruptedException {
        Await.until("the crowd opening " + n + " connections", () -> crowd.opened.get() >= n);
    }

    /** Waits until a newcomer from yet another address (127.0.0.99) is told "busy": every slot is taken. */
    private static void awaitBusy(int port) throws Exception {
        Await.until("the link port getting busy", () -> toldBusy(port));
    }

    /** Whether a newcomer from 127.0.0.99 is told "busy" (not admitted within 100 ms). */
    private static boolean toldBusy(int port) {
        try (java.net.Socket s = new java.net.Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.99"), 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            s.setSoTimeout(100);
            return s.getInputStream().read() == (LinkListener.BUSY_ALERT[0] & 0xFF);
        } catch (java.net.SocketTimeoutException admitted) {
            return false; // a slot was free: not full yet
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The lines the {@code link} logger writes while {@code during} runs. */
    private static List<String> linkLog(ThrowingRunnable during) throws Exception {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("link");
        List<String> lines = new CopyOnWriteArrayList<>();
        ch.qos.logback.core.AppenderBase<ch.qos.logback.classic.spi.ILoggingEvent> appender = new ch.qos.logback.core.AppenderBase<>() {
            @Override
            protected void append(ch.qos.logback.classic.spi.ILoggingEvent e) {
                lines.add(e.getLevel() + " " + e.getFormattedMessage());
            }
        };
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        try {
            during.run();
        } finally {
            logger.detachAppender(appender);
        }
        return lines;
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** 300 connections from 127.0.0.3 that talk nonsense and are refused: a handful of log lines, not 300. */
    @Test
    void aFloodOfRefusedConnectionsWritesAHandfulOfLines() throws Exception {
        LinkEndpoint b = site(birlinghoven, "birlinghoven",
                new LinkEndpoint.Peer("tokyo", "127.0.0.1", 0, Set.of(tokyo.pin()), false), new Heard(), 0);
        int n = 300;
        List<String> lines = linkLog(() -> {
            for (int i = 0; i < n; i++) {
                try (java.net.Socket s = new java.net.Socket()) {
                    s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0));
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), b.boundPort()), 2_000);
                    s.setSoTimeout(5_000);
                    s.getOutputStream().write("EHLO flood.example\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    readAll(s); // refused: closed
                } catch (java.io.IOException reset) {
                    // refused too
                }
            }
        });
        List<String> aboutTheFlood = lines.stream().filter(l -> l.contains("127.0.0.3")).toList();
        assertTrue(aboutTheFlood.size() <= 3, aboutTheFlood.size() + " lines for " + n + " refusals: "
                + aboutTheFlood.subList(0, Math.min(5, aboutTheFlood.size())));
        assertTrue(aboutTheFlood.get(0).startsWith("WARN link from /127.0.0.3:"), aboutTheFlood.get(0));
    }
}
