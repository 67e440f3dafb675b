package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.relay.delivery.smtp.SmtpTransactionTest.replies;
import static org.wormhole.relay.delivery.smtp.TestMessages.plainOptions;
import static org.wormhole.relay.delivery.smtp.TestMessages.shortTimeouts;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.wormhole.testing.Await;
import org.wormhole.testing.DeadPort;

/** Servers that refuse, stall, drop the connection or talk nonsense. */
class SmtpSessionFailureTest {

    private static final OutboundEnvelope ENVELOPE = new OutboundEnvelope("a@example.org", List.of("b@example.net"), false, false);
    private static final MessageContent CONTENT = MessageContent.ofBytes(TestMessages.simple("failure"));

    @Test
    void aRefusingGreetingEndsTheSessionWithThatReply() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().greeting("554 5.3.2 mx.example.net: no SMTP service here").start()) {

            SmtpProtocolException e = assertThrows(SmtpProtocolException.class,
                    () -> SmtpConnection.open("fake.example", server.address(), plainOptions()));

            assertEquals("554 5.3.2 mx.example.net: no SMTP service here", e.reply().toString());
            assertTrue(e.getMessage().contains("refused the session at greeting"), e.getMessage());
            awaitCommand(server, "QUIT");
        }
    }

    @Test
    void aServerThatIsClosingSays421AndIsGone() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().greeting("421 4.3.2 mx.example.net: too many connections").start()) {

            SmtpProtocolException e = assertThrows(SmtpProtocolException.class,
                    () -> SmtpConnection.open("fake.example", server.address(), plainOptions()));

            assertTrue(e.reply().transientFailure());
            assertEquals("4.3.2", e.reply().enhancedStatus());
        }
    }

    @Test
    void anOldServerThatRejectsEhloIsGreetedWithHelo() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().on("EHLO", "502 5.5.2 Error: command not recognized").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(ENVELOPE, CONTENT);

            assertEquals(List.of("250 2.0.0 Ok: queued as Q1"), replies(result));
            assertEquals(List.of("EHLO client.example", "HELO client.example", "MAIL FROM:<a@example.org>"),
                    server.commands().subList(0, 3));
            assertEquals(Set.of(), smtp.extensions());
            assertEquals(List.of(), server.violations());
        }
    }

    @Test
    void aTemporaryEhloFailureIsNotAnswerdWithHelo() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().on("EHLO", "451 4.3.0 try again later").start()) {

            SmtpProtocolException e = assertThrows(SmtpProtocolException.class,
                    () -> SmtpConnection.open("fake.example", server.address(), plainOptions()));

            assertEquals("451 4.3.0 try again later", e.reply().toString());
            assertFalse(server.commands().contains("HELO client.example"));
        }
    }

    @Test
    void aServerThatStopsAnsweringTimesOut() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING").stallOn("MAIL").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), shortTimeouts())) {

            assertThrows(SocketTimeoutException.class, () -> smtp.send(ENVELOPE, CONTENT));

            assertFalse(smtp.reusable());
            assertThrows(IllegalStateException.class, () -> smtp.send(ENVELOPE, CONTENT));
        }
    }

    @Test
    void aConnectionLostAfterTheContentIsAnIoExceptionAndTheMessageMayHaveArrived() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING").dropAfterContent().start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            IOException e = assertThrows(IOException.class, () -> smtp.send(ENVELOPE, CONTENT));

            assertEquals("connection closed by server", e.getMessage());
            assertFalse(smtp.reusable());
            // The server has the message although the client cannot know: the reason deferring
            // after a lost final reply may duplicate mail (RFC 1047).
            assertEquals(1, server.messages().size());
        }
    }

    @Test
    void aServerThatSaysOkToDataIsNotBelievedToHaveTheMessage() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING").on("DATA", "250 2.0.0 Ok").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            SmtpProtocolException e = assertThrows(SmtpProtocolException.class, () -> smtp.send(ENVELOPE, CONTENT));

            assertEquals("250 2.0.0 Ok", e.reply().toString());
            assertTrue(e.getMessage().contains("answered DATA with neither 354 nor an error"), e.getMessage());
            assertFalse(smtp.reusable());
        }
    }

    @Test
    void aReplyOfMoreThanAHundredLinesIsAProtocolViolation() throws Exception {
        String huge = "250-fake.example\r\n" + "250-X-PADDING AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\n".repeat(10_000) + "250 PIPELINING";
        try (FakeSmtpServer server = FakeSmtpServer.script().on("EHLO", huge).start()) {

            SmtpProtocolException e = assertThrows(SmtpProtocolException.class,
                    () -> SmtpConnection.open("fake.example", server.address(), plainOptions()));

            assertEquals("reply longer than 100 lines", e.getMessage());
            assertNull(e.reply());
        }
    }

    @Test
    void aReplyLineOfAMegabyteIsAProtocolViolation() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().greeting("220 " + "x".repeat(1 << 20)).start()) {

            SmtpProtocolException e = assertThrows(SmtpProtocolException.class,
                    () -> SmtpConnection.open("fake.example", server.address(), plainOptions()));

            assertEquals("reply line longer than 2000 bytes", e.getMessage());
        }
    }

    @Test
    void aGreetingThatIsNotSmtpIsAProtocolViolation() throws Exception {
        try (FakeSmtpServer server = FakeSmtpServer.script().greeting("SSH-2.0-OpenSSH_9.2p1 Debian-2").start()) {

            SmtpProtocolException e = assertThrows(SmtpProtocolException.class,
                    () -> SmtpConnection.open("fake.example", server.address(), plainOptions()));

            assertEquals("malformed reply line 'SSH-2.0-OpenSSH_9.2p1 Debian-2'", e.getMessage());
        }
    }

    @Test
    void nobodyListeningIsAConnectException() throws Exception {
        try (DeadPort vacant = DeadPort.hold()) {
            assertThrows(ConnectException.class,
                    () -> SmtpConnection.open("fake.example", vacant.address(), plainOptions()));
        }
    }

    private static void awaitCommand(FakeSmtpServer server, String command) throws InterruptedException {
        Await.until(() -> command + " in " + server.transcript(), () -> server.commands().contains(command));
    }
}
