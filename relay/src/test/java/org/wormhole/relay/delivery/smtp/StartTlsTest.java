package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.relay.delivery.smtp.SmtpTransactionTest.replies;
import static org.wormhole.relay.delivery.smtp.TestMessages.plainOptions;

import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wormhole.testing.TestCertificate;

/**
 * STARTTLS against the fake server with a certificate generated for this test run: opportunistic
 * (unverified) as for the outside world, verified when the factory trusts the certificate, and
 * failures that must never fall back to plaintext.
 */
class StartTlsTest {

    private static TestCertificate certificate;
    private static SSLContext serverTls;

    private static final OutboundEnvelope ENVELOPE = new OutboundEnvelope("a@example.org", List.of("b@example.net"), false, false);
    private static final MessageContent CONTENT = MessageContent.ofBytes(TestMessages.simple("secret"));

    @BeforeAll
    static void generateCertificate() throws Exception {
        certificate = TestCertificate.forHost("fake.example");
        serverTls = certificate.serverContext();
    }

    @Test
    void opportunisticTlsEncryptsWheneverStarttlsIsOffered() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING").startTls(serverTls).start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(),
                     plainOptions().withTls(TlsMode.MAY, OpportunisticTls.socketFactory()))) {

            TransactionResult result = smtp.send(ENVELOPE, CONTENT);

            assertTrue(smtp.tlsActive());
            assertTrue(result.tls());
            assertTrue(server.messages().get(0).tls());
            assertEquals(List.of("250 2.0.0 Ok: queued as Q1"), replies(result));
            assertEquals(List.of(
                    "S: 220 fake.example ESMTP fake",
                    "C: EHLO client.example",
                    "S: 250-fake.example",
                    "S: 250-PIPELINING",
                    "S: 250 STARTTLS",
                    "C: STARTTLS",
                    "S: 220 2.0.0 Ready to start TLS",
                    "-- TLS established: TLSv1.3",
                    "C: EHLO client.example",
                    "S: 250-fake.example",
                    "S: 250 PIPELINING",
                    "C: MAIL FROM:<a@example.org>"), server.transcript().subList(0, 12));
            assertFalse(smtp.extensions().contains("STARTTLS"));
        }
    }

    @Test
    void aFactoryThatTrustsTheServersCertificateVerifiesIt() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().startTls(serverTls).start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(),
                     plainOptions().withTls(TlsMode.MAY, certificate.clientTrustingOnlyThis()))) {

            smtp.send(ENVELOPE, CONTENT);

            assertTrue(server.messages().get(0).tls());
        }
    }

    @Test
    void aFailedHandshakeIsAnErrorAndNothingIsSentInPlaintext() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().startTls(serverTls).start()) {

            StartTlsFailedException e = assertThrows(StartTlsFailedException.class,
                    () -> SmtpConnection.open("fake.example", server.address(),
                            plainOptions().withTls(TlsMode.MAY, TestCertificate.clientWithDefaultTrust())));

            assertTrue(e.getMessage().startsWith("TLS handshake with fake.example[127.0.0.1]:"), e.getMessage());
            assertTrue(e.getMessage().contains("failed after STARTTLS"), e.getMessage());
            assertEquals(List.of("EHLO client.example", "STARTTLS"), server.commands());
        }
    }

    @Test
    void withTlsModeNoneStarttlsIsNeverSent() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().startTls(serverTls).start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            smtp.send(ENVELOPE, CONTENT);

            assertFalse(smtp.tlsActive());
            assertFalse(server.commands().contains("STARTTLS"));
        }
    }

    @Test
    void aServerThatDeclinesStarttlsGetsTheMailInPlaintext() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().startTls(serverTls)
                .on("STARTTLS", "454 4.7.0 TLS not available due to local problem").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(),
                     plainOptions().withTls(TlsMode.MAY, OpportunisticTls.socketFactory()))) {

            TransactionResult result = smtp.send(ENVELOPE, CONTENT);

            assertFalse(result.tls());
            assertEquals(List.of("250 2.0.0 Ok: queued as Q1"), replies(result));
        }
    }

    @Test
    void dataInjectedAfterTheStarttlsReplyIsAProtocolViolation() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().startTls(serverTls)
                .on("STARTTLS", "220 2.0.0 Ready to start TLS\r\n250 injected before the handshake").start()) {

            SmtpProtocolException e = assertThrows(SmtpProtocolException.class,
                    () -> SmtpConnection.open("fake.example", server.address(),
                            plainOptions().withTls(TlsMode.MAY, OpportunisticTls.socketFactory())));

            assertTrue(e.getMessage().contains("sent data after its reply to STARTTLS"), e.getMessage());
            assertNull(e.reply());
        }
    }

    @Test
    void requiredTlsIsUsedWhenOfferedAndTheFactoryDecidesWhichServerIsAccepted() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().startTls(serverTls).start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(),
                     plainOptions().withTls(TlsMode.REQUIRE, certificate.clientTrustingOnlyThis()))) {

            smtp.send(ENVELOPE, CONTENT);

            assertTrue(server.messages().get(0).tls());
        }
        try (FakeSmtpServer server = FakeSmtpServer.script().startTls(serverTls).start()) {
            TlsFailedException e = assertThrows(TlsFailedException.class,
                    () -> SmtpConnection.open("fake.example", server.address(),
                            plainOptions().withTls(TlsMode.REQUIRE, TestCertificate.clientWithDefaultTrust())));
            assertTrue(e.offered());
            assertEquals(List.of("EHLO client.example", "STARTTLS"), server.commands());
        }
    }

    @Test
    void requiredTlsNotOfferedEndsTheSessionBeforeAnyMailCommand() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().start()) {

            TlsFailedException e = assertThrows(TlsFailedException.class,
                    () -> SmtpConnection.open("fake.example", server.address(),
                            plainOptions().withTls(TlsMode.REQUIRE, OpportunisticTls.socketFactory())));

            assertFalse(e.offered());
            assertTrue(e.getMessage().startsWith("TLS is required, but was not offered by host fake.example[127.0.0.1]:"),
                    e.getMessage());
            assertEquals(List.of("EHLO client.example", "QUIT"), server.commands());
        }
    }

    @Test
    void requiredTlsRefusedByTheServerEndsTheSessionBeforeAnyMailCommand() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().startTls(serverTls)
                .on("STARTTLS", "454 4.7.0 TLS not available due to local problem").start()) {

            TlsFailedException e = assertThrows(TlsFailedException.class,
                    () -> SmtpConnection.open("fake.example", server.address(),
                            plainOptions().withTls(TlsMode.REQUIRE, OpportunisticTls.socketFactory())));

            assertFalse(e.offered());
            assertTrue(e.getMessage().contains("refused STARTTLS: 454 4.7.0 TLS not available"), e.getMessage());
            assertEquals(List.of("EHLO client.example", "STARTTLS", "QUIT"), server.commands());
        }
    }

    @Test
    void implicitTlsNeedsAFactory() {
        assertThrows(IllegalArgumentException.class, () -> plainOptions().withTls(TlsMode.IMPLICIT, null));
    }
}
