package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.relay.delivery.smtp.SmtpTransactionTest.replies;
import static org.wormhole.relay.delivery.smtp.TestMessages.plainOptions;

import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Content is streamed: a 20 MB message arrives intact, and a server that stops reading is timed out. */
class LargeMessageTest {

    private static final OutboundEnvelope ENVELOPE = new OutboundEnvelope("a@example.org", List.of("b@example.net"), true, false);

    @Test
    void twentyMegabytesArriveByteForByte() throws Exception {
        GeneratedContent big = new GeneratedContent(210_000, 20);
        try (FakeSmtpServer server = FakeSmtpServer.script().advertise("PIPELINING", "SIZE 52428800", "8BITMIME").start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), plainOptions())) {

            TransactionResult result = smtp.send(ENVELOPE, big);

            assertEquals(List.of("250 2.0.0 Ok: queued as Q1"), replies(result));
            FakeSmtpServer.Received received = server.messages().get(0);
            assertNull(received.content(), "too large for the fake to keep");
            assertEquals(big.size(), received.size());
            assertEquals(big.sha256(), received.sha256());
            assertEquals("MAIL FROM:<a@example.org> SIZE=" + big.size() + " BODY=8BITMIME", received.mailFrom());
        }
    }

    @Test
    void aServerThatStopsReadingTheContentTimesOutAndLittleOfTheMessageWasRead() throws Exception {
        GeneratedContent big = new GeneratedContent(210_000, 21);
        SmtpClientOptions options = plainOptions().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(500));
        try (FakeSmtpServer server = FakeSmtpServer.script().stopReadingContent().start();
             SmtpConnection smtp = SmtpConnection.open("fake.example", server.address(), options)) {

            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> smtp.send(ENVELOPE, big));

            assertTrue(e.getMessage().startsWith("write timed out"), e.getMessage());
            assertFalse(smtp.reusable());
            assertTrue(big.bytesRead() < big.size() / 2, () -> "read " + big.bytesRead() + " of " + big.size() + " bytes");
        }
    }
}
