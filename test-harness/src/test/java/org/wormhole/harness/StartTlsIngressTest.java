package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wormhole.testing.Await;
import org.wormhole.testing.TestCertificate;

/**
 * The relay as a smart host for real clients: STARTTLS with the site's certificate, a Jakarta
 * Mail client, and the site's internal mail hub (a {@link FakeMx}) reading what arrives.
 */
class StartTlsIngressTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    private TestCertificate startSite() throws Exception {
        TestCertificate cert = TestCertificate.forHost("relay.test.example");
        TestCertificate.PemFiles pem = cert.writePem(one.home);
        one.start("smtpd_tls_cert_file = \"" + pem.certFile() + "\"\nsmtpd_tls_key_file = \"" + pem.keyFile() + "\"\n");
        return cert;
    }

    @Test
    void aClientCanEncryptWithStartTlsAndTheTraceHeaderSaysSo() throws Exception {
        TestCertificate cert = startSite();
        try (SmtpTranscript c = one.client()) {
            assertTrue(c.send("EHLO client.example").expect("250").contains("250-STARTTLS"));
            c.send("STARTTLS").expect("220");
            c.startTls(cert.clientTrustingOnlyThis());
            assertTrue(c.tlsProtocol().startsWith("TLSv1."), c.tlsProtocol());
            assertFalse(c.send("EHLO client.example").expect("250").contains("STARTTLS"),
                    "STARTTLS is not offered again inside TLS");
            String r = c.sendMail("alice@birlinghoven.example", "Subject: secret\r\n\r\nencrypted hop\r\n",
                    "bob@birlinghoven.example");
            assertTrue(r.startsWith("250 2.0.0"), r);
        }
        Await.until("the hub to receive it", () -> one.hub.received.size() == 1);
        String whole = one.hub.received.get(0).text();
        assertTrue(whole.contains("by relay.test.example (Wormhole) with ESMTPS id "), whole);
    }

    @Test
    void aJakartaMailClientSendsThroughTheRelayToTheHub() throws Exception {
        startSite();
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", Integer.toString(one.site.port()));
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@birlinghoven.example"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@birlinghoven.example"));
        m.setSubject("Gr\u00fc\u00dfe", "UTF-8");
        m.setText("Hallo Bob,\n\ndie Post geht durch Wormhole.\n", "UTF-8");
        Transport.send(m);

        Await.until("the hub to receive it", () -> one.hub.received.size() == 1);
        MimeMessage got = new MimeMessage(session, new ByteArrayInputStream(one.hub.received.get(0).content()));
        assertEquals("Gr\u00fc\u00dfe", got.getSubject());
        assertEquals("bob@birlinghoven.example", got.getAllRecipients()[0].toString());
        assertTrue(((String) got.getContent()).contains("die Post geht durch Wormhole."));
    }
}
