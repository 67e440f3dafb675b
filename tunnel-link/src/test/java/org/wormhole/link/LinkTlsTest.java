package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.testing.TestCertificate;

/**
 * The link's handshake between two sites on loopback: pinned keys are accepted; an unknown key,
 * a wrong pin, a client without a certificate, a TLS 1.2-only client and plain TCP are refused
 * in the handshake, before the server reads a byte of mail, with the refused pin logged.
 */
class LinkTlsTest {

    @TempDir
    Path dir;

    private SiteIdentity tokyo;
    private SiteIdentity birlinghoven;
    private SiteIdentity stranger;
    private final List<String> refusals = new CopyOnWriteArrayList<>();
    private ServerSocket listener;
    private final List<String> readByServer = new CopyOnWriteArrayList<>();

    @BeforeEach
    void identities() throws Exception {
        tokyo = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        birlinghoven = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        stranger = SiteIdentity.generate(dir.resolve("stranger"), "stranger", Duration.ofDays(30));
    }

    @AfterEach
    void close() throws IOException {
        if (listener != null) {
            listener.close();
        }
    }

    /** Birlinghoven's link listener, pinning Tokyo; reads one line from each accepted peer. */
    private CompletableFuture<String> birlinghovenAccepts(Set<Pin> pins) throws Exception {
        LinkTls tls = new LinkTls(birlinghoven, pins, (offered, why) -> refusals.add(offered + " " + why));
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        return CompletableFuture.supplyAsync(() -> {
            try (Socket plain = listener.accept(); SSLSocket s = tls.serverSide(plain)) {
                s.setSoTimeout(5000);
                s.startHandshake();
                InputStream in = s.getInputStream();
                byte[] buf = new byte[64];
                int n = in.read(buf);
                String got = n < 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
                readByServer.add(got);
                s.setSoTimeout(200); // closing waits for the peer's close_notify at most this long
                return "accepted " + Pin.of((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0])
                        + " via " + s.getSession().getProtocol();
            } catch (IOException e) {
                return "refused: " + e.getMessage();
            }
        });
    }

    private SSLSocket dial(SiteIdentity self, Set<Pin> pins) throws Exception {
        LinkTls tls = new LinkTls(self, pins, (offered, why) -> refusals.add("client side: " + offered + " " + why));
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 5000);
        SSLSocket s = tls.clientSide(plain, "birlinghoven");
        s.setSoTimeout(5000);
        return s;
    }

    @Test
    void pairedSitesCompleteATls13HandshakeWithEachOthersPins() throws Exception {
        CompletableFuture<String> server = birlinghovenAccepts(Set.of(tokyo.pin()));
        try (SSLSocket s = dial(tokyo, Set.of(birlinghoven.pin()))) {
            s.startHandshake();
            assertEquals("TLSv1.3", s.getSession().getProtocol());
            s.getOutputStream().write("HELLO\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertEquals("accepted " + tokyo.pin() + " via TLSv1.3", server.get(10, TimeUnit.SECONDS));
            s.setSoTimeout(200); // close() waits for the peer's close_notify at most this long
        }
        assertEquals(List.of("HELLO\n"), readByServer);
        assertEquals(List.of(), refusals);
    }

    @Test
    void duringAKeyRolloverEitherOfTwoPinsIsAccepted() throws Exception {
        CompletableFuture<String> server = birlinghovenAccepts(Set.of(stranger.pin(), tokyo.pin()));
        try (SSLSocket s = dial(tokyo, Set.of(birlinghoven.pin()))) {
            s.startHandshake();
            s.getOutputStream().write('x');
            assertTrue(server.get(10, TimeUnit.SECONDS).startsWith("accepted"));
            s.setSoTimeout(200);
        }
    }

    @Test
    void anUnknownKeyIsRefusedInTheHandshakeAndItsPinLogged() throws Exception {
        CompletableFuture<String> server = birlinghovenAccepts(Set.of(tokyo.pin()));
        try (SSLSocket s = dial(stranger, Set.of(birlinghoven.pin()))) {
            assertThrows(IOException.class, () -> {
                s.startHandshake();
                s.getOutputStream().write("MAIL FROM:<x@y>\r\n".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                s.getInputStream().read();
            });
        }
        assertTrue(server.get(10, TimeUnit.SECONDS).startsWith("refused"));
        assertEquals(List.of(stranger.pin() + " pin not configured"), refusals);
        assertEquals(List.of(), readByServer, "not a byte read from a refused peer");
    }

    @Test
    void theDialerRefusesAServerWhosePinIsWrong() throws Exception {
        CompletableFuture<String> server = birlinghovenAccepts(Set.of(tokyo.pin()));
        try (SSLSocket s = dial(tokyo, Set.of(stranger.pin()))) {
            assertThrows(IOException.class, s::startHandshake);
        }
        assertTrue(refusals.contains("client side: " + birlinghoven.pin() + " pin not configured"), refusals.toString());
        assertTrue(server.get(10, TimeUnit.SECONDS).startsWith("refused"));
    }

    @Test
    void aClientWithoutACertificateIsRefused() throws Exception {
        CompletableFuture<String> server = birlinghovenAccepts(Set.of(tokyo.pin()));
        SSLContext anonymous = SSLContext.getInstance("TLSv1.3");
        anonymous.init(null, new TrustManager[] {new PinningTrustManager(Set.of(birlinghoven.pin()), (p, w) -> { })}, null);
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             SSLSocket s = (SSLSocket) anonymous.getSocketFactory().createSocket(plain, "b", plain.getPort(), true)) {
            s.setSoTimeout(5000);
            assertThrows(IOException.class, () -> {
                s.startHandshake();
                s.getOutputStream().write('x');
                s.getOutputStream().flush();
                s.getInputStream().read();
            });
        }
        assertTrue(server.get(10, TimeUnit.SECONDS).startsWith("refused"));
        assertEquals(List.of(), readByServer);
    }

    @Test
    void aTls12OnlyClientIsRefusedEvenWithAPinnedKey() throws Exception {
        CompletableFuture<String> server = birlinghovenAccepts(Set.of(tokyo.pin()));
        SSLContext old = SSLContext.getInstance("TLSv1.2");
        old.init(TestCertificate.keyManagers(tokyo.privateKey(), tokyo.certificate()), new TrustManager[] {new PinningTrustManager(Set.of(birlinghoven.pin()), (p, w) -> { })}, null);
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
             SSLSocket s = (SSLSocket) old.getSocketFactory().createSocket(plain, "b", plain.getPort(), true)) {
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setSoTimeout(5000);
            assertThrows(IOException.class, s::startHandshake);
        }
        assertTrue(server.get(10, TimeUnit.SECONDS).startsWith("refused"));
        assertEquals(List.of(), readByServer);
    }

    @Test
    void plainTcpSpeakingSmtpIsRefused() throws Exception {
        CompletableFuture<String> server = birlinghovenAccepts(Set.of(tokyo.pin()));
        try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
            plain.setSoTimeout(5000);
            plain.getOutputStream().write("EHLO attacker\r\nMAIL FROM:<x@y>\r\n".getBytes(StandardCharsets.US_ASCII));
            plain.getOutputStream().flush();
            try {
                while (plain.getInputStream().read() >= 0) {
                    // drain the TLS alert, if any, until the server closes
                }
            } catch (IOException closed) {
                // reset by the server: refused
            }
        }
        assertTrue(server.get(10, TimeUnit.SECONDS).startsWith("refused"));
        assertEquals(List.of(), readByServer);
    }
}
