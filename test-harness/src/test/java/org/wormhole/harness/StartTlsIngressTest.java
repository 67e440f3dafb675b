package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.testing.Await;
import org.wormhole.testing.TestCertificate;

/**
 * The relay as a smart host for real clients: STARTTLS with the site's certificate, a Jakarta
 * Mail client, and GreenMail standing for the site's internal mail hub.
 */
class StartTlsIngressTest {

    @TempDir
    Path home;

    private GreenMail hub;
    private TestSite site;

    @AfterEach
    void stop() {
        if (site != null) {
            site.close();
        }
        if (hub != null) {
            hub.stop();
        }
    }

    private TestCertificate startSite() throws Exception {
        hub = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        hub.start();
        TestCertificate cert = TestCertificate.forHost("relay.test.example");
        TestCertificate.PemFiles pem = cert.writePem(home);
        site = new TestSite(home, "birlinghoven.example\tesmtp:[127.0.0.1]:" + hub.getSmtp().getPort() + "\n",
                "smtpd_tls_cert_file = \"" + pem.certFile() + "\"\nsmtpd_tls_key_file = \"" + pem.keyFile() + "\"\n");
        site.start();
        return cert;
    }

    @Test
    void aClientCanEncryptWithStartTlsAndTheTraceHeaderSaysSo() throws Exception {
        TestCertificate cert = startSite();
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
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
        Await.until("the hub to receive it", () -> hub.getReceivedMessages().length == 1);
        String whole = GreenMailUtil.getWholeMessage(hub.getReceivedMessages()[0]);
        assertTrue(whole.contains("by relay.test.example (Wormhole) with ESMTPS id "), whole);
    }

    @Test
    void aJakartaMailClientSendsThroughTheRelayToTheHub() throws Exception {
        startSite();
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", Integer.toString(site.port()));
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@birlinghoven.example"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@birlinghoven.example"));
        m.setSubject("Gr\u00fc\u00dfe", "UTF-8");
        m.setText("Hallo Bob,\n\ndie Post geht durch Wormhole.\n", "UTF-8");
        Transport.send(m);

        Await.until("the hub to receive it", () -> hub.getReceivedMessages().length == 1);
        MimeMessage got = hub.getReceivedMessages()[0];
        assertEquals("Gr\u00fc\u00dfe", got.getSubject());
        assertEquals("bob@birlinghoven.example", got.getAllRecipients()[0].toString());
        assertTrue(GreenMailUtil.getBody(got).contains("die Post geht durch Wormhole."));
    }
}
