package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.testing.Await;
import org.wormhole.testing.DeadPort;
import org.wormhole.testing.TestCertificate;

/**
 * A client that goes away mid-session is an expected event: one line in the log, as Postfix's
 * {@code lost connection after DATA from host[addr]}, and no stack trace.
 */
class SmtpLostConnectionLogTest {

    /** How the relay names this test's client in its log: the loopback address's verified name. */
    private static final String CLIENT = org.wormhole.relay.smtpd.ClientNames.SYSTEM
            .verifiedName(java.net.InetAddress.getLoopbackAddress()).orElse("unknown") + "[127.0.0.1]";


    @TempDir
    Path home;

    private TestSite site;
    private CapturedLog log;
    /** The mail server that is down: nothing listens on its port, nor can until the test ends. */
    private final DeadPort downMx = DeadPort.hold();

    @BeforeEach
    void start() throws Exception {
        site = new TestSite(home, "birlinghoven.example\tesmtp:[127.0.0.1]:" + downMx.port() + "\n", "").start();
        log = CapturedLog.capture();
    }

    @AfterEach
    void stop() throws IOException {
        log.close();
        site.close();
        downMx.close();
    }

    private SmtpTranscript client() throws IOException {
        SmtpTranscript c = SmtpTranscript.connect(site.port());
        c.expect("220");
        c.send("EHLO client.example").expect("250");
        return c;
    }

    /** What the sessions logged: the smtpd lines about clients, and SubEthaSMTP's warnings. */
    private List<String> sessionLines() {
        return log.lines().stream()
                .filter(l -> l.logger().equals("smtpd") && !l.text().startsWith("listening on")
                        || l.logger().startsWith("org.subethamail") && !l.level().equals("INFO")
                        && !l.level().equals("DEBUG"))
                .map(Object::toString).toList();
    }

    /** Waits until the relay's thread for the session from {@code clientPort} has finished with it. */
    private static void awaitSessionEnd(int clientPort) throws InterruptedException {
        Await.until("the session to end", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().endsWith(":" + clientPort)));
    }

    @Test
    void aClientGoneMidDataLogsOneLineAndNoTrace() throws Exception {
        int port;
        try (SmtpTranscript c = client()) {
            port = c.localPort();
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: cut short\r\n\r\nhalf a mess");
        }
        awaitSessionEnd(port);
        assertEquals(List.of("INFO smtpd - lost connection after DATA from " + CLIENT),
                sessionLines());
        assertEquals(List.of(), log.withTrace());
        int queued = 0;
        for (QueueState s : QueueState.values()) {
            queued += site.relay.spool().list(s).size();
        }
        assertEquals(0, queued, "nothing queued");
    }

    private TestCertificate restartWithTls() throws Exception {
        site.close();
        TestCertificate cert = TestCertificate.forHost("relay.test.example");
        TestCertificate.PemFiles pem = cert.writePem(home);
        site = new TestSite(home, "birlinghoven.example\tesmtp:[127.0.0.1]:" + downMx.port() + "\n",
                "smtpd_tls_cert_file = \"" + pem.certFile() + "\"\nsmtpd_tls_key_file = \"" + pem.keyFile() + "\"\n")
                .start();
        return cert;
    }

    @Test
    void aClientGoneInsteadOfTheTlsHandshakeLogsNoTrace() throws Exception {
        restartWithTls();
        int port;
        try (SmtpTranscript c = client()) {
            port = c.localPort();
            c.send("STARTTLS").expect("220");
        }
        awaitSessionEnd(port);
        assertEquals(List.of("INFO smtpd - lost connection after STARTTLS from " + CLIENT),
                sessionLines());
        assertEquals(List.of(), log.withTrace());
    }

    @Test
    void aTlsClientGoneMidDataLogsOneLineAndNoTrace() throws Exception {
        TestCertificate cert = restartWithTls();
        int port;
        try (SmtpTranscript c = client()) {
            port = c.localPort();
            c.send("STARTTLS").expect("220");
            c.startTls(cert.clientTrustingOnlyThis());
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: cut short\r\n\r\nhalf a mess");
        }
        awaitSessionEnd(port);
        assertEquals(List.of("INFO smtpd - lost connection after DATA from " + CLIENT),
                sessionLines());
        assertEquals(List.of(), log.withTrace());
    }

    @Test
    void aTlsClientThatSaidQuitIsNotLost() throws Exception {
        TestCertificate cert = restartWithTls();
        int port;
        try (SmtpTranscript c = client()) {
            port = c.localPort();
            c.send("STARTTLS").expect("220");
            c.startTls(cert.clientTrustingOnlyThis());
            c.send("EHLO client.example").expect("250");
            c.send("QUIT").expect("221");
            c.closeWithoutTlsGoodbye(); // as swaks does
        }
        awaitSessionEnd(port);
        assertEquals(List.of(), sessionLines());
        assertEquals(List.of(), log.withTrace());
    }

    @Test
    void aClientGoneMidUtf8CharacterLogsOneLineAndNoTrace() throws Exception {
        int port;
        try (SmtpTranscript c = client()) {
            port = c.localPort();
            c.raw(new byte[] {'M', 'A', 'I', 'L', ' ', 'F', 'R', 'O', 'M', ':', '<', 'j', (byte) 0xC3});
        }
        awaitSessionEnd(port);
        assertEquals(List.of("INFO smtpd - lost connection after EHLO from " + CLIENT),
                sessionLines());
        assertEquals(List.of(), log.withTrace());
    }
}
