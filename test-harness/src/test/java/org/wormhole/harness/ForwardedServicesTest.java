package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.LinkSession;
import org.wormhole.testing.Await;

/**
 * Forwarded services, as a Tokyo user sees them: Birlinghoven offers its mail server's IMAP and
 * POP3, an echo service, a service whose server is down and one that idles out; Tokyo has a local
 * listener for each, and one for a service Birlinghoven does not offer. Everything crosses the
 * one link that carries the mail.
 */
class ForwardedServicesTest {

    @TempDir
    Path dir;

    private TwoSites sites;
    private EchoServer echo;
    private CapturedLog log;
    private int downPort;

    @BeforeEach
    void start() throws Exception {
        log = CapturedLog.of("forward");
        echo = new EchoServer();
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            downPort = s.getLocalPort(); // nothing listens there once closed: connections are refused
        }
        String forwards = "forwards {\n"
                + List.of("imap", "pop3", "echo", "down", "quiet", "ldap").stream()
                        .map(s -> "  " + s + " { listen = \"127.0.0.1:0\", peer = birlinghoven, service = " + s + " }\n")
                        .reduce("", String::concat)
                + "}\n";
        sites = TwoSites.withServices(dir, "", new TwoSites.SiteExtras(hub -> "services {\n"
                + "  imap { connect = \"127.0.0.1:" + hub.getImap().getPort() + "\", peers = [tokyo] }\n"
                + "  pop3 { connect = \"127.0.0.1:" + hub.getPop3().getPort() + "\", peers = [tokyo] }\n"
                + "  echo { connect = \"127.0.0.1:" + echo.port() + "\", peers = [tokyo] }\n"
                + "  down { connect = \"127.0.0.1:" + downPort + "\", peers = [tokyo], connect_timeout = 5s }\n"
                + "  quiet { connect = \"127.0.0.1:" + echo.port() + "\", peers = [tokyo], idle_timeout = 1s }\n"
                + "}\n", forwards));
        sites.birlHub.setUser("bob@birlinghoven.example", "bob", "secret");
        Await.until("the link to be up", () -> link().isPresent());
    }

    @AfterEach
    void stop() throws Exception {
        if (sites != null) {
            sites.close();
        }
        if (echo != null) {
            echo.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private java.util.Optional<LinkSession> link() {
        return sites.tokyo.relay.links().orElseThrow().session("birlinghoven");
    }

    private int forward(String name) {
        return sites.tokyo.relay.forwarded().orElseThrow().port(name).orElseThrow();
    }

    private Socket connect(String forward) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), forward(forward));
        s.setSoTimeout(20_000); // a guard against a hang: the test fails instead
        return s;
    }

    @Test
    void aTokyoUserReadsBirlinghovenMailOverImapAndPop3ThroughTheLink() throws Exception {
        assertTrue(TwoSites.send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "over the link")
                .startsWith("250"));
        Await.until("the message at Birlinghoven's mail server", () -> sites.birlHub.getReceivedMessages().length == 1);

        for (String protocol : List.of("imap", "pop3")) {
            Properties p = new Properties();
            p.put("mail." + protocol + ".connectiontimeout", "20000");
            p.put("mail." + protocol + ".timeout", "20000");
            Store store = Session.getInstance(p).getStore(protocol);
            store.connect("127.0.0.1", forward(protocol), "bob", "secret");
            try {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                Message[] messages = inbox.getMessages();
                assertEquals(1, messages.length, protocol);
                assertEquals("over the link", messages[0].getSubject(), protocol);
                assertTrue(((String) messages[0].getContent()).startsWith("over the link"), protocol);
                inbox.close(false);
            } finally {
                store.close();
            }
        }
        Await.until("each stream's line at close", () -> log.containing("stream imap from 127.0.0.1:").size() == 1
                && log.containing("stream pop3 from 127.0.0.1:").size() == 1);
        assertTrue(log.containing("stream imap for tokyo to 127.0.0.1:").size() == 1, log.levelAndText("stream").toString());
    }

    @Test
    void megabytesCrossBothWaysByteForByteAndAHalfCloseIsPassedOn() throws Exception {
        byte[] sent = new byte[5 * 1024 * 1024 + 17];
        new Random(12).nextBytes(sent);
        try (Socket s = connect("echo")) {
            CompletableFuture<Void> writing = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    for (int off = 0; off < sent.length; off += 100_000) {
                        out.write(sent, off, Math.min(100_000, sent.length - off));
                    }
                    s.shutdownOutput(); // the echo server sees the end, and ends its side in turn
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] back = s.getInputStream().readAllBytes(); // ends only once the echo server has shut down its side
            writing.join();
            assertArrayEquals(sent, back);
        }
        Await.until("the stream's line at close", () -> !log.containing("stream echo from 127.0.0.1:").isEmpty());
        Await.until("the stream to be gone from the status", () -> sites.birl.relay.forwarded().orElseThrow().status()
                .contains("service echo -> 127.0.0.1:" + echo.port() + " for tokyo: 0 open (at most 16)"));
        String line = log.containing("stream echo from 127.0.0.1:").get(0).text();
        assertTrue(line.contains("via birlinghoven closed after ") && line.endsWith(": " + sent.length + " octets out, "
                + sent.length + " in (closed both ways)"), line);
    }

    @Test
    void linkStatusListsTheForwardsTheServicesAndTheOpenStreams() throws Exception {
        try (Socket s = connect("echo")) {
            s.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("hello\n", new String(s.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
            QueueCliTest.Run run = QueueCliTest.wormhole("link", "status", "--config", sites.tokyo.configFile().toString());
            assertEquals(0, run.exit(), run.err());
            String tokyo = run.out();
            assertTrue(tokyo.contains("forwarded services (streams cannot outlive their link):\n"), tokyo);
            assertTrue(tokyo.contains("\n    forward imap 127.0.0.1:" + forward("imap") + " -> birlinghoven imap\n"), tokyo);
            assertTrue(tokyo.contains("    stream echo from 127.0.0.1:" + s.getLocalPort()
                    + " via birlinghoven: 6 octets out, 6 in, "), tokyo);
            String birl = QueueCliTest.wormhole("link", "status", "--config", sites.birl.configFile().toString()).out();
            assertTrue(birl.contains("    service echo -> 127.0.0.1:" + echo.port() + " for tokyo: 1 open (at most 16)\n"), birl);
            assertTrue(birl.contains("    stream echo for tokyo to 127.0.0.1:" + echo.port() + ": 6 octets out, 6 in, "), birl);
        }
    }

    @Test
    void aServiceBirlinghovenDoesNotOfferIsRefusedAndLoggedOnBothSides() throws Exception {
        try (Socket s = connect("ldap")) {
            assertEquals(-1, s.getInputStream().read(), "closed at once");
        }
        Await.until("both sides to log the refusal", () -> !log.containing("stream ldap refused for tokyo").isEmpty()
                && !log.containing("via birlinghoven refused: ").isEmpty());
        assertEquals(List.of("WARN stream ldap refused for tokyo: no such service offered to it"),
                log.levelAndText("stream ldap refused for tokyo"));
        assertTrue(log.containing("via birlinghoven refused: ").get(0).text().contains("no such service"),
                log.levelAndText("stream ldap").toString());
    }

    @Test
    void aTargetThatRefusesClosesTheClientsConnectionAtOnce() throws Exception {
        try (Socket s = connect("down")) {
            assertEquals(-1, s.getInputStream().read(), "closed, not hanging");
        }
        Await.until("the refusal to be logged", () -> !log.containing("stream down from").isEmpty());
        String line = log.containing("stream down from").get(0).text();
        assertTrue(line.contains("refused: ") && line.contains("cannot connect to 127.0.0.1:" + downPort), line);
    }

    @Test
    void aStreamIdleForItsIdleTimeoutIsClosed() throws Exception {
        try (Socket s = connect("quiet")) {
            s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("ping\n", new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII));
            assertEquals(-1, s.getInputStream().read(), "closed after a second of silence");
        }
        Await.until("the close to be logged", () -> !log.containing("stream quiet for tokyo").isEmpty());
        assertTrue(log.containing("stream quiet for tokyo").get(0).text().endsWith("(idle for 1 s (idle_timeout))"),
                log.levelAndText("stream quiet").toString());
    }

    @Test
    void aLinkCutClosesItsStreamsTheListenerRefusesWhileDownAndMailStillArrivesExactlyOnce() throws Exception {
        Socket open = connect("echo");
        open.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello\n", new String(open.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
        assertTrue(TwoSites.send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "before").startsWith("250"));

        sites.proxy.refuseNew(true);
        sites.proxy.cut();
        assertClosed(open);
        Await.until("Tokyo to see the link down", () -> link().isEmpty());
        try (Socket s = connect("echo")) {
            assertEquals(-1, s.getInputStream().read(), "refused at once while the link is down");
        }
        assertTrue(TwoSites.send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "during").startsWith("250"));
        sites.proxy.refuseNew(false);

        Await.until("the link to be back", () -> link().isPresent());
        try (Socket s = connect("echo")) {
            s.getOutputStream().write("again\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("again\n", new String(s.getInputStream().readNBytes(6), StandardCharsets.US_ASCII));
        }
        sites.assertExactlyOnce(sites.birlHub, List.of("before", "during"));
        assertTrue(log.containing("refused: the link to birlinghoven is down").size() == 1, log.levelAndText("stream echo").toString());
        assertTrue(log.containing("stream echo from 127.0.0.1:").stream().anyMatch(l -> l.text().contains("(link down: ")),
                log.levelAndText("stream echo").toString());
    }

    /** The connection ends (EOF or a reset) rather than hanging. */
    private static void assertClosed(Socket s) throws IOException {
        try (s) {
            assertEquals(-1, s.getInputStream().read());
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the stream stayed open after the link was cut", e);
        } catch (IOException reset) {
            // a reset is closed too
        }
    }

    /** A TCP echo server: each connection gets back what it sends, and its end when it ends. */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());

        EchoServer() throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        Thread c = new Thread(() -> echo(s), "echo");
                        c.setDaemon(true);
                        c.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "echo-accept");
            t.setDaemon(true);
            t.start();
        }

        private static void echo(Socket s) {
            try (s; InputStream in = s.getInputStream()) {
                in.transferTo(s.getOutputStream());
                s.shutdownOutput();
                new ByteArrayOutputStream().writeBytes(in.readAllBytes());
            } catch (IOException ignored) {
                // the client went away
            }
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
