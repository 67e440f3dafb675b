package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.relay.delivery.smtp.TestMessages.plainOptions;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mail transactions against the scriptable fake server, read as transcripts: what the client
 * said, what the server answered, and the reply each recipient ends up with.
 */
class SmtpTransactionTest {

    private static final byte[] MESSAGE = TestMessages.simple("hello");
    private static final String CONTENT = "C: (" + MESSAGE.length + " bytes of content)";

    @Test
    void withPipeliningMailRcptAndDataGoOutBeforeAnyReply() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script()
                .advertise("PIPELINING", "ENHANCEDSTATUSCODES").holdRepliesUntilData().start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(envelope("a@example.org", "b@example.net", "c@example.net"), content());

            assertEquals(List.of("250 2.0.0 Ok: queued as Q1", "250 2.0.0 Ok: queued as Q1"), replies(result));
            assertEquals(List.of(
                    "S: 220 fake.example ESMTP fake",
                    "C: EHLO client.example",
                    "S: 250-fake.example",
                    "S: 250-PIPELINING",
                    "S: 250 ENHANCEDSTATUSCODES",
                    "C: MAIL FROM:<a@example.org>",
                    "C: RCPT TO:<b@example.net>",
                    "C: RCPT TO:<c@example.net>",
                    "C: DATA",
                    "S: 250 2.1.0 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 250 2.1.5 Ok",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    CONTENT,
                    "C: .",
                    "S: 250 2.0.0 Ok: queued as Q1"), server.transcript());
            assertArrayEquals(MESSAGE, server.messages().get(0).content());
        }
    }

    @Test
    void withoutPipeliningEachCommandWaitsForItsReply() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("ENHANCEDSTATUSCODES").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(envelope("a@example.org", "b@example.net", "c@example.net"), content());

            assertEquals(List.of("250 2.0.0 Ok: queued as Q1", "250 2.0.0 Ok: queued as Q1"), replies(result));
            assertEquals(List.of(
                    "C: MAIL FROM:<a@example.org>",
                    "S: 250 2.1.0 Ok",
                    "C: RCPT TO:<b@example.net>",
                    "S: 250 2.1.5 Ok",
                    "C: RCPT TO:<c@example.net>",
                    "S: 250 2.1.5 Ok",
                    "C: DATA",
                    "S: 354 End data with <CR><LF>.<CR><LF>",
                    CONTENT,
                    "C: .",
                    "S: 250 2.0.0 Ok: queued as Q1"), fromMail(server.transcript()));
            assertEquals(List.of(), server.violations());
        }
    }

    @Test
    void mailFromCarriesSizeBodyAndSmtputf8WhenOffered() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script()
                .advertise("PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            smtp.send(new OutboundEnvelope("jürgen@example.org", List.of("用户@例子.example"), true, true), content());

            assertEquals(List.of(
                    "MAIL FROM:<jürgen@example.org> SIZE=" + MESSAGE.length + " BODY=8BITMIME SMTPUTF8",
                    "RCPT TO:<用户@例子.example>",
                    "DATA"), server.commands().subList(1, 4));
        }
    }

    @Test
    void eightBitContentGoesOutAsItIsWhen8bitmimeIsNotOffered() throws Exception {
        byte[] eightBit = TestMessages.tricky();
        try (FakeSmtpServer server = FakeSmtpServer.script().start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(
                    new OutboundEnvelope("a@example.org", List.of("b@example.net"), true, false), MessageContent.ofBytes(eightBit));

            assertEquals(List.of("250 2.0.0 Ok: queued as Q1"), replies(result));
            assertEquals("MAIL FROM:<a@example.org>", server.commands().get(1));
            assertArrayEquals(eightBit, server.messages().get(0).content());
        }
    }

    @Test
    void aNullSenderIsSentAsEmptyAngleBrackets() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(envelope("", "postmaster@example.net"), content());

            assertEquals(List.of("250 2.0.0 Ok: queued as Q1"), replies(result));
            assertEquals("C: MAIL FROM:<>", fromMail(server.transcript()).get(0));
            assertEquals("MAIL FROM:<>", server.messages().get(0).mailFrom());
        }
    }

    @Test
    void anSmtputf8EnvelopeIsRefusedWithoutATransactionWhenTheServerLacksIt() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING", "8BITMIME").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(
                    new OutboundEnvelope("a@example.org", List.of("用户@例子.example", "b@example.net"), true, true), content());

            String refusal = "553 5.6.7 SMTPUTF8 not supported by server " + smtp.remote();
            assertEquals(List.of(refusal, refusal), replies(result));
            assertEquals(List.of("EHLO client.example"), server.commands());
            assertTrue(smtp.reusable());
        }
    }

    @Test
    void aMessageOverTheServersSizeLimitIsRefusedWithoutATransaction() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("SIZE 100").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(envelope("a@example.org", "b@example.net"), content());

            assertEquals(List.of("552 5.3.4 message size " + MESSAGE.length + " exceeds size limit 100 of server "
                    + smtp.remote()), replies(result));
            assertEquals(List.of("EHLO client.example"), server.commands());
            assertTrue(smtp.reusable());
        }
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void eachRecipientGetsItsOwnReply(boolean pipelining) throws Exception {
        FakeSmtpServer.Script script = FakeSmtpServer.script()
                .advertise("ENHANCEDSTATUSCODES")
                .on("RCPT TO:<nobody@", "550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown")
                .on("RCPT TO:<full@", "452 4.2.2 <full@example.net>: Mailbox full");
        if (pipelining) {
            script.advertise("PIPELINING");
        }
        try (FakeSmtpServer server = script.start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(
                    envelope("a@example.org", "nobody@example.net", "b@example.net", "full@example.net"), content());

            assertEquals(List.of(
                    "550 5.1.1 <nobody@example.net>: Recipient address rejected: User unknown",
                    "250 2.0.0 Ok: queued as Q1",
                    "452 4.2.2 <full@example.net>: Mailbox full"), replies(result));
            assertEquals(List.of("b@example.net"), server.messages().get(0).recipients());
            assertTrue(result.reply(0).permanentFailure());
            assertTrue(result.reply(1).positive());
            assertTrue(result.reply(2).transientFailure());
            assertTrue(smtp.reusable());
        }
    }

    @Test
    void withoutPipeliningNoDataIsSentWhenNoRecipientWasAccepted() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().on("RCPT", "550 5.1.1 User unknown").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(envelope("a@example.org", "x@example.net", "y@example.net"), content());

            assertEquals(List.of("550 5.1.1 User unknown", "550 5.1.1 User unknown"), replies(result));
            assertEquals(List.of(
                    "C: MAIL FROM:<a@example.org>",
                    "S: 250 2.1.0 Ok",
                    "C: RCPT TO:<x@example.net>",
                    "S: 550 5.1.1 User unknown",
                    "C: RCPT TO:<y@example.net>",
                    "S: 550 5.1.1 User unknown",
                    "C: RSET",
                    "S: 250 2.0.0 Ok"), fromMail(server.transcript()));
            assertTrue(smtp.reusable());
        }
    }

    @Test
    void withPipeliningTheRefusedDataEndsTheTransactionAndTheSessionIsReset() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING")
                .on("RCPT", "550 5.1.1 User unknown").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(envelope("a@example.org", "x@example.net"), content());

            assertEquals(List.of("550 5.1.1 User unknown"), replies(result));
            assertEquals(List.of("MAIL FROM:<a@example.org>", "RCPT TO:<x@example.net>", "DATA", "RSET"),
                    server.commands().subList(1, 5));
            assertTrue(server.transcript().contains("S: 554 5.5.1 Error: no valid recipients"));
            assertEquals(List.of(), server.messages());

            TransactionResult next = smtp.send(envelope("a@example.org", "x@example.net"), content());
            assertEquals(List.of("550 5.1.1 User unknown"), replies(next));
        }
    }

    @Test
    void whenTheServerWronglyAcceptsDataWithoutRecipientsOnlyTheDotIsSent() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING")
                .on("RCPT", "550 5.1.1 User unknown").on("DATA", "354 go ahead").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(envelope("a@example.org", "x@example.net"), content());

            assertEquals(List.of("550 5.1.1 User unknown"), replies(result));
            assertEquals(List.of("S: 354 go ahead", "C: (0 bytes of content)", "C: ."),
                    server.transcript().subList(server.transcript().indexOf("S: 354 go ahead"),
                            server.transcript().indexOf("S: 354 go ahead") + 3));
            assertEquals(0, server.messages().get(0).size());
        }
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void aTemporaryFailureOfDataDefersEveryAcceptedRecipient(boolean pipelining) throws Exception {
        FakeSmtpServer.Script script = FakeSmtpServer.script()
                .on("RCPT TO:<nobody@", "550 5.1.1 User unknown")
                .on("DATA", "451 4.3.0 Error: queue file write error");
        if (pipelining) {
            script.advertise("PIPELINING");
        }
        try (FakeSmtpServer server = script.start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(
                    envelope("a@example.org", "b@example.net", "nobody@example.net", "c@example.net"), content());

            assertEquals(List.of(
                    "451 4.3.0 Error: queue file write error",
                    "550 5.1.1 User unknown",
                    "451 4.3.0 Error: queue file write error"), replies(result));
            assertEquals("RSET", server.commands().get(server.commands().size() - 1));
            assertTrue(smtp.reusable());
        }
    }

    @Test
    void aRejectionAfterTheContentAppliesToEveryAcceptedRecipient() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING")
                .afterDot("550 5.7.1 Message content rejected").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(envelope("a@example.org", "b@example.net", "c@example.net"), content());

            assertEquals(List.of("550 5.7.1 Message content rejected", "550 5.7.1 Message content rejected"), replies(result));
            assertTrue(smtp.reusable());
        }
    }

    @ParameterizedTest(name = "pipelining={0}")
    @ValueSource(booleans = {true, false})
    void a421DefersEveryRecipientWithoutAFinalReplyAndEndsTheSession(boolean pipelining) throws Exception {
        FakeSmtpServer.Script script = FakeSmtpServer.script()
                .on("RCPT TO:<nobody@", "550 5.1.1 User unknown")
                .on("RCPT TO:<c@", "421 4.3.2 Service shutting down");
        if (pipelining) {
            script.advertise("PIPELINING");
        }
        try (FakeSmtpServer server = script.start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(
                    envelope("a@example.org", "nobody@example.net", "b@example.net", "c@example.net", "d@example.net"), content());

            assertEquals(List.of(
                    "550 5.1.1 User unknown",
                    "421 4.3.2 Service shutting down",
                    "421 4.3.2 Service shutting down",
                    "421 4.3.2 Service shutting down"), replies(result));
            assertFalse(smtp.reusable());
            assertEquals(List.of(), server.messages());
        }
    }

    @Test
    void aConnectionCarriesOneMessageAfterAnotherWithoutRset() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            smtp.send(envelope("a@example.org", "b@example.net"), MessageContent.ofBytes(TestMessages.simple("first")));
            assertTrue(smtp.reusable());
            TransactionResult second = smtp.send(envelope("a@example.org", "c@example.net"),
                    MessageContent.ofBytes(TestMessages.simple("second")));
            smtp.quit();

            assertEquals(List.of("250 2.0.0 Ok: queued as Q2"), replies(second));
            assertEquals(1, server.connections());
            assertEquals(List.of("EHLO client.example",
                    "MAIL FROM:<a@example.org>", "RCPT TO:<b@example.net>", "DATA",
                    "(" + TestMessages.simple("first").length + " bytes of content)", ".",
                    "MAIL FROM:<a@example.org>", "RCPT TO:<c@example.net>", "DATA",
                    "(" + TestMessages.simple("second").length + " bytes of content)", ".",
                    "QUIT"), server.commands());
            assertFalse(smtp.reusable());
        }
    }

    @Test
    void contentIsDotStuffedOnTheWireAndArrivesUnchanged() throws Exception {
        byte[] stored = TestMessages.tricky();
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING", "8BITMIME").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            smtp.send(new OutboundEnvelope("a@example.org", List.of("b@example.net"), true, false), MessageContent.ofBytes(stored));

            assertArrayEquals(stored, server.messages().get(0).content());
        }
    }

    @Test
    void contentWithoutAFinalLineEndGetsOne() throws Exception {
        byte[] stored = "Subject: no final CRLF\r\n\r\n.last line".getBytes(StandardCharsets.US_ASCII);
        try (FakeSmtpServer server = FakeSmtpServer.script().start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            smtp.send(envelope("a@example.org", "b@example.net"), MessageContent.ofBytes(stored));

            assertEquals("Subject: no final CRLF\r\n\r\n.last line\r\n", server.messages().get(0).text());
        }
    }

    private static OutboundEnvelope envelope(String sender, String... recipients) {
        return new OutboundEnvelope(sender, List.of(recipients), false, false);
    }

    private static MessageContent content() {
        return MessageContent.ofBytes(MESSAGE);
    }

    static List<String> replies(TransactionResult result) {
        return result.recipientReplies().stream().map(SmtpReply::toString).toList();
    }

    /** The transcript from the first MAIL on (the greeting and EHLO are the same in most tests). */
    static List<String> fromMail(List<String> transcript) {
        for (int i = 0; i < transcript.size(); i++) {
            if (transcript.get(i).startsWith("C: MAIL")) {
                return transcript.subList(i, transcript.size());
            }
        }
        return List.of();
    }
}
