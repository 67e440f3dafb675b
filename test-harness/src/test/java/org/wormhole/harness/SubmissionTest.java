package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.harness.SubmissionSite.ALICE_PASSWORD;
import static org.wormhole.harness.SubmissionSite.base64;
import static org.wormhole.harness.SubmissionSite.plain;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wormhole.relay.smtpd.auth.PasswordHash;
import org.wormhole.relay.smtpd.auth.SubmissionUser;
import org.wormhole.relay.smtpd.auth.UsersFile;
import org.wormhole.testing.Await;

/**
 * The submission listener (port 587) for laptops outside mynetworks, as their users meet it:
 * STARTTLS first, then AUTH, then mail to anywhere, with a sender of their own; wrong passwords
 * are refused, logged for fail2ban, and stop the guesser after the limit.
 */
class SubmissionTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    private final SubmissionSite site = new SubmissionSite(one);

    @Test
    void beforeStartTlsAuthIsNotOfferedAndAuthAndMailAreRefused() throws Exception {
        site.start("");
        try (SmtpTranscript c = site.client()) {
            String ehlo = c.send("EHLO laptop.example").expect("250");
            assertTrue(ehlo.contains("250-STARTTLS"), ehlo);
            assertFalse(ehlo.contains("AUTH"), ehlo);
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("530 5.7.0 Must issue a STARTTLS command first");
            c.send("MAIL FROM:<alice@birlinghoven.example>").expect("530 5.7.0 Must issue a STARTTLS command first");
            c.send("QUIT").expect("221");
        }
    }

    @Test
    void insideTlsAuthIsOfferedAndMailWithoutItIsRefused() throws Exception {
        site.start("");
        try (SmtpTranscript c = site.client()) {
            String ehlo = site.startTls(c);
            assertTrue(ehlo.contains("250-AUTH PLAIN LOGIN"), ehlo);
            assertFalse(ehlo.contains("STARTTLS"), ehlo);
            c.send("MAIL FROM:<alice@birlinghoven.example>").expect("530 5.7.0 Authentication required");
            c.send("RCPT TO:<bob@outside.example>").expect("503 5.5.1");
        }
    }

    @Test
    void aLoggedInUserRelaysToAnOutsideDomainThatThePlainListenerRefuses() throws Exception {
        site.start("");
        FakeMx outside = one.outside();
        try (SmtpTranscript port25 = one.client()) {
            assertFalse(port25.send("EHLO laptop.example").expect("250").contains("AUTH"));
            port25.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("503 5.5.1 Error: authentication not enabled");
            port25.send("MAIL FROM:<alice@birlinghoven.example>").expect("250");
            port25.send("RCPT TO:<bob@outside.example>").expect("554 5.7.1 <bob@outside.example>: Relay access denied");
        }
        try (CapturedLog log = CapturedLog.of("smtpd"); SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("235 2.7.0 Authentication successful");
            String ehlo = c.send("EHLO laptop.example").expect("250");
            assertFalse(ehlo.contains("AUTH"), "not offered again once logged in: " + ehlo);
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("503 5.5.1 Error: already authenticated");
            c.send("MAIL FROM:<alice@birlinghoven.example>").expect("250 2.1.0");
            c.send("RCPT TO:<bob@outside.example>").expect("250 2.1.5");
            c.send("DATA").expect("354");
            c.raw("Subject: from the road\r\n\r\nsent from a hotel\r\n");
            c.send(".").expect("250 2.0.0 Ok: queued as ");
            assertTrue(log.firstText("sasl_method").matches("\\w+: client=\\S+\\[127\\.0\\.0\\.1\\], sasl_method=PLAIN,"
                    + " sasl_username=alice, from=<alice@birlinghoven.example>, size=\\d+, nrcpt=1 \\(queue active\\)"),
                    log.lines().toString());
        }
        Await.until("the outside MX to receive it", () -> outside.received.size() == 1);
        FakeMx.Received got = outside.received.get(0);
        assertEquals(List.of("bob@outside.example"), got.recipients());
        assertTrue(got.text().contains("by relay.test.example (Wormhole) with ESMTPSA id "), got.text());
    }

    @Test
    void authLoginAsksForTheNameAndThePassword() throws Exception {
        site.start("");
        try (SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH LOGIN").expect("334 VXNlcm5hbWU6"); // "Username:"
            c.send(base64("alice")).expect("334 UGFzc3dvcmQ6"); // "Password:"
            c.send(base64(ALICE_PASSWORD)).expect("235 2.7.0");
            c.send("MAIL FROM:<alice@birlinghoven.example>").expect("250");
        }
        try (SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH LOGIN").expect("334");
            c.send("*").expect("501 5.7.0 Authentication aborted");
            c.send("AUTH PLAIN").expect("334 ");
            c.send("not base64!").expect("501 5.5.2 Cannot decode response");
            c.send("AUTH CRAM-MD5").expect("504 5.5.4 Unsupported authentication mechanism");
            c.send("MAIL FROM:<alice@birlinghoven.example>").expect("530 5.7.0 Authentication required");
        }
    }

    @Test
    void aSenderTheUserDoesNotOwnIsRefusedUnlessSenderLoginIsAny() throws Exception {
        site.start("");
        try (SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("235");
            c.send("MAIL FROM:<ceo@birlinghoven.example>")
                    .expect("553 5.7.1 <ceo@birlinghoven.example>: Sender address rejected: not owned by user alice");
            c.send("MAIL FROM:<>").expect("250"); // the null sender: auto-replies
            c.send("RSET").expect("250");
            c.send("MAIL FROM:<Alice@Birlinghoven.example>").expect("250");
        }
        one.site.restartWith("submission_sender_login = any\n", "");
        try (SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("235");
            c.send("MAIL FROM:<ceo@birlinghoven.example>").expect("250");
        }
    }

    @Test
    void wrongPasswordsGet535AreLoggedAndAfterTheLimitTheAddressIsCutOffButNotOthers() throws Exception {
        site.start("submission_auth_failure_limit = 3\nmetrics_listen = \"127.0.0.1:0\"\n");
        try (CapturedLog log = CapturedLog.of("smtpd"); SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("alice", "guess 1")).expect("535 5.7.8 Error: authentication failed: authentication failure");
            c.send("AUTH PLAIN " + plain("mallory", "guess 2")).expect("535 5.7.8");
            c.send("AUTH LOGIN " + base64("alice")).expect("334 UGFzc3dvcmQ6");
            c.send(base64("guess 3")).expect("535 5.7.8");
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD))
                    .expect("421 4.7.0 Error: too many failed authentications from 127.0.0.1; try again later");
            assertTrue(c.closedByServer());
            assertEquals(List.of(
                    "WARN unknown[127.0.0.1]: SASL PLAIN authentication failed: authentication failure, sasl_username=alice",
                    "WARN unknown[127.0.0.1]: SASL PLAIN authentication failed: authentication failure, sasl_username=mallory",
                    "WARN unknown[127.0.0.1]: SASL LOGIN authentication failed: authentication failure, sasl_username=alice"),
                    log.levelAndText("authentication failed").stream().map(l -> l.replaceFirst("^WARN \\S+\\[", "WARN unknown["))
                            .toList());
            assertEquals(1, log.containing("AUTH failure limit reached: 3 in 600s").size(), log.lines().toString());
        }
        try (SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("421 4.7.0");
        }
        try (SmtpTranscript c = site.clientFrom("127.0.0.2")) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("235 2.7.0");
        }
        Exposition metrics = Exposition.scrape("http://127.0.0.1:" + one.site.relay.metricsPort().getAsInt() + "/metrics");
        assertEquals(3, metrics.value("wormhole_smtpd_rejections_total", "reason", "auth_failed"));
    }

    @Test
    void aUserAddedOrRemovedInTheFileCountsAtTheNextAuthWithoutARestart() throws Exception {
        site.start("");
        UsersFile users = UsersFile.read(site.users);
        users.with(new SubmissionUser("bob", PasswordHash.hash("bob's pw".toCharArray(), PasswordHash.MIN_COST),
                List.of())).without("alice").write();
        try (SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("alice", ALICE_PASSWORD)).expect("535 5.7.8");
            c.send("AUTH PLAIN " + plain("bob", "bob's pw")).expect("235 2.7.0");
        }
        Files.writeString(site.users, "bob:not-a-hash\n");
        try (CapturedLog log = CapturedLog.of("smtpd"); SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("bob", "bob's pw")).expect("454 4.7.0 Temporary authentication failure");
            assertTrue(log.firstText("AUTH fails with 454").contains(site.users + ":1: user 'bob': not a bcrypt hash"),
                    log.lines().toString());
        }
    }

    @Test
    void aJakartaMailClientLogsInOverStartTlsAndSendsToAnOutsideDomain() throws Exception {
        site.start("");
        FakeMx outside = one.outside();
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", Integer.toString(site.port()));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", site.cert.clientTrustingOnlyThis()); // the site's certificate, pinned
        p.put("mail.smtp.ssl.checkserveridentity", "false"); // it names relay.test.example, the client dials 127.0.0.1
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@birlinghoven.example"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("carol@outside.example"));
        m.setSubject("quarterly figures");
        m.setText("attached, as promised\n");
        Transport.send(m, "alice", ALICE_PASSWORD);
        Await.until("the outside MX to receive it", () -> outside.received.size() == 1);
        assertEquals(List.of("carol@outside.example"), outside.received.get(0).recipients());

        AuthenticationFailedException wrong = assertThrows(AuthenticationFailedException.class,
                () -> Transport.send(m, "alice", "not the password"));
        assertTrue(wrong.getMessage().contains("535 5.7.8"), wrong.getMessage());
    }
}
