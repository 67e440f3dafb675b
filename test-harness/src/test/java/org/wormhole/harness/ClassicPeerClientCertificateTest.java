package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;
import org.wormhole.testing.Await;
import org.wormhole.testing.TestCertificate;

/**
 * Paris still runs a classic MTA (Postfix with a client certificate, or behind stunnel): it sends
 * to London's relay over STARTTLS with the certificate whose key London pins for the peer paris,
 * and may then relay to any domain, as Postfix's permit_tls_clientcerts allows; without that
 * certificate it is a stranger outside mynetworks.
 */
class ClassicPeerClientCertificateTest {

    @TempDir
    Path dir;

    private TestSite london;
    private FakeMx outside;
    private TestCertificate smtpdCert;
    private SiteIdentity paris;

    @BeforeEach
    void start() throws Exception {
        SiteIdentity.generate(dir.resolve("london/keys"), "london", Duration.ofDays(30));
        paris = SiteIdentity.generate(dir.resolve("paris/keys"), "paris", Duration.ofDays(30));
        smtpdCert = TestCertificate.forHost("relay.test.example");
        TestCertificate.PemFiles pem = smtpdCert.writePem(dir);
        outside = new FakeMx();
        london = new TestSite(dir.resolve("london"), "",
                "link_key_directory = \"" + dir.resolve("london/keys") + "\"\n"
                        + "smtpd_tls_cert_file = \"" + pem.certFile() + "\"\n"
                        + "smtpd_tls_key_file = \"" + pem.keyFile() + "\"\n"
                        + "mynetworks = [\"192.0.2.0/24\"]\n"
                        + "peers { paris { protocol = starttls, address = \"127.0.0.1\", port = 25, pins = [\""
                        + paris.pin() + "\"] } }\n");
        london.dns.put("outside.example", outside.address());
        london.start();
    }

    @AfterEach
    void stop() {
        london.close();
        outside.close();
    }

    /** A TLS client trusting only London's smtpd certificate and presenting {@code identity}'s, if any. */
    private SSLSocketFactory presenting(SiteIdentity identity) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("relay", smtpdCert.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(identity == null ? null : TestCertificate.keyManagers(identity.privateKey(), identity.certificate()),
                tmf.getTrustManagers(), null);
        return c.getSocketFactory();
    }

    /** EHLO, STARTTLS with {@code tls}, EHLO, MAIL; returns the reply to RCPT TO an outside domain. */
    private String rcptToOutsideOverTls(SmtpTranscript c, SSLSocketFactory tls) throws Exception {
        c.expect("220");
        c.send("EHLO mx.paris.example").expect("250");
        c.send("STARTTLS").expect("220");
        c.startTls(tls);
        c.send("EHLO mx.paris.example").expect("250");
        c.send("MAIL FROM:<jean@paris.example>").expect("250");
        return c.send("RCPT TO:<bob@outside.example>").reply();
    }

    @Test
    void theClassicPeerRelaysByItsPinnedClientCertificate() throws Exception {
        try (CapturedLog log = CapturedLog.of("smtpd"); SmtpTranscript c = SmtpTranscript.connect(london.port())) {
            assertEquals("250 2.1.5 Ok", rcptToOutsideOverTls(c, presenting(paris)));
            c.send("DATA").expect("354");
            c.raw("Subject: from Paris\r\n\r\nrelayed by certificate\r\n");
            c.send(".").expect("250 2.0.0");
            assertTrue(log.firstText("TLS client certificate").endsWith(
                    ": TLS client certificate of peer paris (pinned key): may relay"), log.lines().toString());
        }
        Await.until("the outside MX to receive it", () -> outside.received.size() == 1);
        assertEquals(List.of("bob@outside.example"), outside.received.get(0).recipients());
    }

    @Test
    void withoutTheCertificateOrWithAnotherTheClientIsAStranger() throws Exception {
        SiteIdentity stranger = SiteIdentity.generate(dir.resolve("stranger/keys"), "stranger", Duration.ofDays(30));
        try (SmtpTranscript c = SmtpTranscript.connect(london.port())) {
            assertEquals("554 5.7.1 <bob@outside.example>: Relay access denied", rcptToOutsideOverTls(c, presenting(null)));
        }
        try (SmtpTranscript c = SmtpTranscript.connect(london.port())) {
            assertEquals("554 5.7.1 <bob@outside.example>: Relay access denied", rcptToOutsideOverTls(c, presenting(stranger)));
        }
    }
}
