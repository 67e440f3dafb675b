package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.harness.TwoSites.send;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.LinkTls;
import org.wormhole.link.PinningTrustManager;
import org.wormhole.link.SiteIdentity;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;
import org.wormhole.testing.Await;
import org.wormhole.testing.TestCertificate;

/**
 * Strangers at a running relay's link port: Birlinghoven's, while its link with Tokyo is up.
 * Each one tries to hand over a message in the link protocol (or talks SMTP, or noise); each is
 * refused in the TLS handshake, before the relay reads a frame, and the relay logs who it refused
 * (with the offered key's pin, when there is one). Nothing reaches Birlinghoven's queue or hub,
 * and the real link goes on carrying mail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one pair of sites meets every intruder in turn
class LinkAdmissionTest {

    @TempDir
    static Path dir;

    private TwoSites sites;
    private LinkLog log;
    private int sent;

    @BeforeAll
    void sites() throws Exception {
        sites = TwoSites.direct(dir, "");
        // The real link is up: Tokyo's mail crosses.
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "from-tokyo-0").startsWith("250"));
        Await.until("Tokyo's first message at Birlinghoven's hub", () -> sites.birlHub.getReceivedMessages().length == 1
                && RelayEndToEndTest.queueIsEmpty(sites.birl));
    }

    @AfterAll
    void stop() {
        sites.close();
    }

    @BeforeEach
    void captureTheLog() {
        log = LinkLog.capture();
    }

    @AfterEach
    void stopCapturing() {
        log.close();
    }

    @Test
    void aStrangersKeyIsRefusedAndItsPinLogged() throws Exception {
        SiteIdentity stranger = SiteIdentity.generate(dir.resolve("stranger"), "stranger", Duration.ofDays(30));
        try (Socket s = linkClient(stranger)) {
            assertRefused(offerMail(s));
            awaitRefusalLogged(s, "this side refused the key " + stranger.pin() + " (CN=stranger): it is not among the pins of any peer here");
        }
        assertNothingAccepted();
    }

    @Test
    void anImpostorCallingItselfTokyoIsRefusedByItsKeyAndItsPinLogged() throws Exception {
        SiteIdentity impostor = SiteIdentity.generate(dir.resolve("impostor"), "tokyo", Duration.ofDays(30));
        try (Socket s = linkClient(impostor)) {
            assertRefused(offerMail(s));
            awaitRefusalLogged(s, "this side refused the key " + impostor.pin() + " (CN=tokyo): it is not among the pins of tokyo here");
        }
        assertNothingAccepted();
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        SSLContext anonymous = SSLContext.getInstance("TLSv1.3");
        anonymous.init(null, new TrustManager[] {trustBirlinghoven()}, null);
        try (Socket s = tlsClient(anonymous, "TLSv1.3")) {
            assertRefused(offerMail(s));
            awaitRefusalLogged(s);
        }
        assertNothingAccepted();
    }

    @Test
    void aTls12OnlyClientIsRefusedEvenWithTokyosRealKey() throws Exception {
        SiteIdentity tokyo = sites.tokyoKey;
        SSLContext old = SSLContext.getInstance("TLSv1.2");
        old.init(TestCertificate.keyManagers(tokyo.privateKey(), tokyo.certificate()), new TrustManager[] {trustBirlinghoven()}, null);
        try (Socket s = tlsClient(old, "TLSv1.2")) {
            assertRefused(offerMail(s));
            awaitRefusalLogged(s);
        }
        assertNothingAccepted();
    }

    @Test
    void plainTcpTalkingSmtpIsRefused() throws Exception {
        try (Socket s = plainClient()) {
            s.getOutputStream().write(("EHLO mallory.example\r\nMAIL FROM:<mallory@evil.example>\r\n"
                    + "RCPT TO:<bob@birlinghoven.example>\r\nDATA\r\nSubject: intruder\r\n\r\nhi\r\n.\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertRefused(readUntilClosed(s));
            awaitRefusalLogged(s);
        }
        assertNothingAccepted();
    }

    @Test
    void theLinkProtocolInTheClearIsRefused() throws Exception {
        try (Socket s = plainClient()) {
            assertRefused(offerMail(s));
            awaitRefusalLogged(s);
        }
        assertNothingAccepted();
    }

    @Test
    void noiseIsRefused() throws Exception {
        byte[] noise = new byte[4096];
        new java.util.SplittableRandom(4650).nextBytes(noise);
        try (Socket s = plainClient()) {
            s.getOutputStream().write(noise);
            assertRefused(readUntilClosed(s));
            awaitRefusalLogged(s);
        }
        assertNothingAccepted();
    }

    /**
     * A stranger at 127.0.0.2 keeps 20 connections open to Birlinghoven's link port, opening a new
     * one as soon as one is closed; Tokyo restarts meanwhile, and its link is up again and
     * carrying mail within seconds: one address gets 3 of the 10 handshake slots, and Tokyo's
     * address has room of its own.
     */
    @Test
    void aStrangerHoldingTheLinkPortCannotKeepTokyoFromRelinking() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        Thread stranger = new Thread(() -> {
            Socket[] held = new Socket[20];
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            try {
                while (!stop.get() && opened.get() < 5_000 && System.nanoTime() < deadline) {
                    for (int i = 0; i < held.length; i++) {
                        if (held[i] == null || closedByTheRelay(held[i])) {
                            if (held[i] != null) {
                                held[i].close();
                            }
                            held[i] = null;
                            Socket s = new Socket();
                            try {
                                s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0));
                                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), sites.linkPort), 2_000);
                                s.setSoTimeout(1);
                                held[i] = s;
                                opened.incrementAndGet();
                            } catch (IOException reset) {
                                s.close();
                            }
                        }
                    }
                    Thread.sleep(20); // the stranger's pace of checking and reopening, not a wait in the test
                }
            } catch (IOException | InterruptedException e) {
                // stopped
            } finally {
                for (Socket s : held) {
                    try {
                        if (s != null) {
                            s.close();
                        }
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            }
        }, "stranger");
        stranger.setDaemon(true);
        stranger.start();
        try {
            Await.until("the stranger to hold its connections", () -> opened.get() >= 20);
            long t0 = System.nanoTime();
            sites.tokyo.restart();
            String subject = "from-tokyo-" + (++sent);
            assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", subject).startsWith("250"));
            Await.until("Tokyo's message at Birlinghoven's hub", () -> TwoSites.subjects(sites.birlHub).containsKey(subject));
            long millis = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("Tokyo relinked and delivered in " + millis + " ms while a stranger held the link port ("
                    + opened.get() + " connections opened)");
            assertTrue(millis < 5_000, "Tokyo relinked and delivered in " + millis + " ms");
        } finally {
            stop.set(true);
            stranger.join(5_000);
        }
        Await.until("Birlinghoven's queue to be empty", () -> RelayEndToEndTest.queueIsEmpty(sites.birl));
        assertNothingAccepted();
    }

    private static boolean closedByTheRelay(Socket s) {
        try {
            return s.getInputStream().read() != -2; // the busy alert or end of stream
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** A flood of 200 refused connections from one address: a handful of log lines, not 200. */
    @Test
    void aFloodOfRefusedConnectionsIsLoggedInAFewLines() throws Exception {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.3"), 0));
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), sites.linkPort), 2_000);
                s.setSoTimeout(5_000);
                s.getOutputStream().write("EHLO flood.example\r\n".getBytes(StandardCharsets.US_ASCII));
                readUntilClosed(s);
            } catch (IOException reset) {
                // refused too
            }
        }
        Await.until("the first refusal to be logged", () -> log.first("link from /127.0.0.3:").isPresent());
        List<String> lines = log.lines().stream().map(LinkLog.Line::text).filter(t -> t.contains("127.0.0.3")).toList();
        assertTrue(lines.size() <= 3, lines.size() + " lines for 200 refusals, e.g. " + lines.subList(0, Math.min(3, lines.size())));
        assertNothingAccepted();
    }

    // --- the intruders' side ---

    /**
     * Each intruder comes from an address of its own (127.0.0.10, .11, ...: loopback answers for
     * all of 127/8), so that each one's refusal is logged in full: refusals are logged once per
     * address and minute, then counted.
     */
    private static final java.util.concurrent.atomic.AtomicInteger nextAddress = new java.util.concurrent.atomic.AtomicInteger(10);

    private volatile String lastClient; // the address the last intruder came from, as the relay logs it

    private Socket plainClient() throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName("127.0.0." + nextAddress.getAndIncrement()), 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), sites.linkPort), 5_000);
        s.setSoTimeout(10_000);
        lastClient = s.getLocalSocketAddress().toString();
        return s;
    }

    /** A link client with its own key, trusting Birlinghoven's: all it lacks is being pinned there. */
    private Socket linkClient(SiteIdentity self) throws Exception {
        LinkTls tls = new LinkTls(self, Set.of(sites.birlKey.pin()), (offered, why) -> { });
        return tls.clientSide(plainClient(), "127.0.0.1");
    }

    private Socket tlsClient(SSLContext context, String protocol) throws IOException {
        Socket plain = plainClient();
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", plain.getPort(), true);
        s.setUseClientMode(true);
        s.setEnabledProtocols(new String[] {protocol});
        return s;
    }

    private PinningTrustManager trustBirlinghoven() {
        return new PinningTrustManager(Set.of(sites.birlKey.pin()), (offered, why) -> { });
    }

    /**
     * Tries to hand a message over as Tokyo would: HELLO, OFFER, CHUNK, END, then waits for the
     * relay's answer. Returns what the relay did.
     */
    private static String offerMail(Socket s) {
        byte[] content = "Subject: intruder\r\n\r\nlet me in\r\n".getBytes(StandardCharsets.US_ASCII);
        CRC32C crc = new CRC32C();
        crc.update(content);
        try {
            if (s instanceof SSLSocket tls) {
                tls.startHandshake(); // in TLS 1.3 a client may finish before the server checks its key
            }
            OutputStream out = s.getOutputStream();
            FrameCodec.write(out, new Frame.Hello(List.of(1), "tokyo", 256));
            FrameCodec.write(out, new Frame.Offer(1, "INTRUDER.0", "mallory@evil.example",
                    List.of("bob@birlinghoven.example"), 0, content.length, 0));
            FrameCodec.write(out, new Frame.Chunk(1, content));
            FrameCodec.write(out, new Frame.End(1, (int) crc.getValue()));
            out.flush();
            return readUntilClosed(s);
        } catch (SocketTimeoutException e) {
            return "no answer, connection still open";
        } catch (IOException e) {
            return "refused: " + e;
        }
    }

    /** Reads what the relay sends until it closes the connection. */
    private static String readUntilClosed(Socket s) {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                got.write(buf, 0, n);
            }
            return "refused: closed after " + got.size() + " octets";
        } catch (SocketTimeoutException e) {
            return "no answer, connection still open";
        } catch (IOException e) {
            return "refused: " + e;
        }
    }

    // --- what the relay's operator and users see ---

    private static void assertRefused(String outcome) {
        assertTrue(outcome.startsWith("refused"), outcome);
    }

    /** The relay logged the refusal, naming the intruder's address, and each of {@code lines}. */
    private void awaitRefusalLogged(Socket intruder, String... lines) throws InterruptedException {
        List<String> expected = new java.util.ArrayList<>(List.of(lines));
        expected.add("link from " + lastClient + " not established: ");
        Await.until("the relay to log " + expected, () -> expected.stream().allMatch(l -> log.first(l).isPresent()));
    }

    /**
     * Birlinghoven queued nothing, recorded nothing, delivered nothing; Tokyo's link still carries
     * mail, exactly once.
     */
    private void assertNothingAccepted() throws Exception {
        assertTrue(RelayEndToEndTest.queueIsEmpty(sites.birl), "Birlinghoven's queue is empty");
        Path ledger = sites.birl.relay.spool().privateDirectory().resolve("link-received");
        assertTrue(!Files.exists(ledger) || !Files.readString(ledger).contains("INTRUDER"), "the ledger");
        assertEquals(Map.of(), TwoSites.subjects(sites.birlHub).entrySet().stream()
                .filter(e -> !e.getKey().startsWith("from-tokyo-")).collect(Collectors.toMap(e -> e.getKey(), e -> e.getValue())),
                "Birlinghoven's hub got only Tokyo's mail");

        String subject = "from-tokyo-" + (++sent);
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", subject).startsWith("250"));
        Await.until("Tokyo's message at Birlinghoven's hub", () -> TwoSites.subjects(sites.birlHub).containsKey(subject));
        sites.awaitQueuesEmpty();
        assertEquals(1, TwoSites.subjects(sites.birlHub).get(subject), "exactly once");
        assertEquals(List.of(), log.lines().stream().filter(l -> l.text().contains("INTRUDER")).toList());
    }
}
