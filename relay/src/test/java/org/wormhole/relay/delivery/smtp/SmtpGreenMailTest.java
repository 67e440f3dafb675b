package org.wormhole.relay.delivery.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.relay.delivery.smtp.TestMessages.plainOptions;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Our client against a real third-party SMTP server (GreenMail: no PIPELINING, no 8BITMIME, no
 * STARTTLS), comparing what the mailbox holds with the stored bytes we sent. (The null sender is
 * tested against the fake server: GreenMail 2.1.13 answers {@code MAIL FROM:<>} with 250 but then
 * refuses every RCPT with 503.)
 */
class SmtpGreenMailTest {

    private GreenMail greenMail;
    private InetSocketAddress address;

    @BeforeEach
    void start() {
        greenMail = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        greenMail.start();
        address = new InetSocketAddress(InetAddress.getLoopbackAddress(), greenMail.getSmtp().getPort());
    }

    @AfterEach
    void stop() {
        greenMail.stop();
    }

    @Test
    void theMailboxHoldsExactlyTheStoredBytes() throws Exception {
        byte[] stored = TestMessages.tricky();
        try (SmtpConnection smtp = SmtpConnection.open("localhost", address, plainOptions())) {
            TransactionResult result = smtp.send(
                    new OutboundEnvelope("juergen@example.org", List.of("rcpt@example.net"), true, false),
                    MessageContent.ofBytes(stored));

            assertEquals("[250 OK]", result.recipientReplies().toString());
            smtp.quit();
        }
        MimeMessage[] received = greenMail.getReceivedMessages();
        assertEquals(1, received.length);
        assertArrayEquals(stored, withoutTraceHeaders(received[0]),
                () -> "differs at byte " + Arrays.mismatch(stored, withoutTraceHeaders(received[0])));
    }

    @Test
    void oneTransactionReachesEveryRecipient() throws Exception {
        byte[] stored = TestMessages.simple("two recipients");
        try (SmtpConnection smtp = SmtpConnection.open("localhost", address, plainOptions())) {
            TransactionResult result = smtp.send(
                    new OutboundEnvelope("sender@example.org", List.of("one@example.net", "two@example.com"), false, false),
                    MessageContent.ofBytes(stored));

            assertEquals("[250 OK, 250 OK]", result.recipientReplies().toString());
        }
        assertEquals(1, mailbox("one@example.net"));
        assertEquals(1, mailbox("two@example.com"));
        for (MimeMessage m : greenMail.getReceivedMessages()) {
            assertArrayEquals(stored, withoutTraceHeaders(m));
        }
    }

    @Test
    void oneConnectionCarriesSeveralMessages() throws Exception {
        try (SmtpConnection smtp = SmtpConnection.open("localhost", address, plainOptions())) {
            for (int i = 1; i <= 3; i++) {
                TransactionResult result = smtp.send(
                        new OutboundEnvelope("sender@example.org", List.of("rcpt@example.net"), false, false),
                        MessageContent.ofBytes(TestMessages.simple("message " + i)));
                assertEquals("[250 OK]", result.recipientReplies().toString());
                assertTrue(smtp.reusable());
            }
            smtp.quit();
        }
        assertEquals(3, greenMail.getReceivedMessages().length);
    }

    private long mailbox(String address) {
        return greenMail.findReceivedMessages(user -> user.getEmail().equals(address), m -> true).count();
    }

    /**
     * The message as GreenMail stores it, minus the Return-Path and Received lines it prepends,
     * plus the final CRLF it drops (it takes the CRLF before the terminating dot as part of the
     * terminator; RFC 5321 4.1.1.4 counts it as content).
     */
    private static byte[] withoutTraceHeaders(MimeMessage m) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.writeTo(out);
            String s = out.toString(StandardCharsets.ISO_8859_1);
            for (String trace : List.of("Return-Path: ", "Received: ")) {
                if (s.startsWith(trace)) {
                    s = s.substring(s.indexOf("\r\n") + 2);
                }
            }
            return (s + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
