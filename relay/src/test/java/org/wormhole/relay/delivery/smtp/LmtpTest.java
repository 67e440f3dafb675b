package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.relay.delivery.smtp.SmtpTransactionTest.replies;
import static org.wormhole.relay.delivery.smtp.TestMessages.plainOptions;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LMTP (RFC 2033) against the fake server in LMTP mode: GreenMail has no LMTP. */
class LmtpTest {

    private static final SmtpClientOptions LMTP = plainOptions().withLmtp(true);
    private static final byte[] MESSAGE = TestMessages.simple("lmtp");

    @Test
    void afterTheContentEachAcceptedRecipientGetsItsOwnReply() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().lmtp().advertise("PIPELINING", "ENHANCEDSTATUSCODES").holdRepliesUntilData()
                .on("RCPT TO:<nobody@", "550 5.1.1 <nobody@example.net>: User unknown")
                .afterDot("250 2.1.5 <a@example.net> delivered", "452 4.2.2 <b@example.net> Mailbox full")
                .start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), LMTP)) {

            TransactionResult result = smtp.send(envelope("a@example.net", "nobody@example.net", "b@example.net"),
                    MessageContent.ofBytes(MESSAGE));

            assertEquals(List.of(
                    "250 2.1.5 <a@example.net> delivered",
                    "550 5.1.1 <nobody@example.net>: User unknown",
                    "452 4.2.2 <b@example.net> Mailbox full"), replies(result));
            assertEquals(List.of(
                    "S: 220 fake.example LMTP fake",
                    "C: LHLO client.example",
                    "S: 250-fake.example",
                    "S: 250-PIPELINING",
                    "S: 250 ENHANCEDSTATUSCODES",
                    "C: MAIL FROM:<sender@example.org>",
                    "C: RCPT TO:<a@example.net>",
                    "C: RCPT TO:<nobody@example.net>",
                    "C: RCPT TO:<b@example.net>",
                    "C: DATA",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 550 5.1.1 <nobody@example.net>: User unknown",
                    "S: 250 2.1.5 Ok",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    "C: (" + MESSAGE.length + " bytes of content)",
                    "C: .",
                    "S: 250 2.1.5 <a@example.net> delivered",
                    "S: 452 4.2.2 <b@example.net> Mailbox full"), server.transcript());
            assertTrue(smtp.reusable());
        }
    }

    @Test
    void aConnectionLostAfterSomeRepliesKeepsThemAndDefersTheRest() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().lmtp()
                .afterDot("250 2.1.5 <a@example.net> delivered", FakeSmtpServer.DROP).start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), LMTP)) {

            TransactionResult result = smtp.send(envelope("a@example.net", "b@example.net", "c@example.net"),
                    MessageContent.ofBytes(MESSAGE));

            assertEquals("250 2.1.5 <a@example.net> delivered", result.reply(0).toString());
            for (SmtpReply deferred : result.recipientReplies().subList(1, 3)) {
                assertEquals(451, deferred.code());
                assertEquals("4.4.2", deferred.enhancedStatus());
                assertTrue(deferred.text().startsWith("lost connection with fake.example[127.0.0.1]:"), deferred.text());
            }
            assertFalse(smtp.reusable());
        }
    }

    @Test
    void aConnectionLostBeforeAnyReplyIsAnIoException() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().lmtp().afterDot(FakeSmtpServer.DROP).start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), LMTP)) {

            assertThrows(IOException.class,
                    () -> smtp.send(envelope("a@example.net", "b@example.net"), MessageContent.ofBytes(MESSAGE)));
            assertFalse(smtp.reusable());
        }
    }

    @Test
    void anLmtpServerIsGreetedWithLhloNeverEhlo() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().lmtp().start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), LMTP)) {

            smtp.send(envelope("a@example.net"), MessageContent.ofBytes(MESSAGE));

            assertEquals("LHLO client.example", server.commands().get(0));
            assertEquals(List.of(), server.violations());
        }
    }

    private static OutboundEnvelope envelope(String... recipients) {
        return new OutboundEnvelope("sender@example.org", List.of(recipients), false, false);
    }
}
