package org.wormhole.relay.dsn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.InternetHeaders;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * Bounces and delay warnings as the original sender's mail program sees them: each notice is
 * parsed back with Jakarta Mail and read part by part.
 */
class DsnBuilderTest {

    private static final Instant ARRIVAL = Instant.parse("2025-06-02T10:00:00Z");
    private static final Instant NOW = Instant.parse("2025-06-02T14:05:00Z");
    private static final Instant LAST_ATTEMPT = Instant.parse("2025-06-02T14:04:30Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final String BODY_LINE = "CONFIDENTIAL-FIGURES-42";

    private static final String ORIGINAL_HEADERS = ""
            + "Received: from ws1.tokyo.example (ws1.tokyo.example [10.1.2.3])\r\n"
            + "\tby relay.tokyo.example with ESMTP id 4F2A9C1B7\r\n"
            + "From: Jane Doe <jane@tokyo.example>\r\n"
            + "To: bob@example.net, carol@example.org\r\n"
            + "Subject: Quarterly numbers\r\n"
            + "Message-ID: <q3@tokyo.example>\r\n";
    private static final String ORIGINAL = ORIGINAL_HEADERS + "\r\n" + BODY_LINE + "\r\nregards, Jane\r\n";

    private static final FailedRecipient BOB_UNKNOWN = new FailedRecipient("bob@example.net", "bob@example.net",
            "5.1.1", "550 5.1.1 <bob@example.net>: Recipient address rejected: User unknown", "mx.example.net",
            LAST_ATTEMPT, Action.FAILED);
    private static final FailedRecipient CAROL_NO_DOMAIN = new FailedRecipient("carol@example.org",
            "carol.smith@tokyo.example", "5.4.4", "Host or domain name not found. Name service error for name=example.org",
            "", LAST_ATTEMPT, Action.FAILED);
    private static final FailedRecipient BOB_DEFERRED = new FailedRecipient("bob@example.net", "bob@example.net",
            "4.4.1", "", "mx.example.net", LAST_ATTEMPT, Action.DELAYED);

    private final DsnBuilder builder = new DsnBuilder("relay.tokyo.example", CLOCK);

    @Test
    void bounceGoesToTheSenderFromTheMailerDaemonAsAThreePartReport() throws Exception {
        ReceivedNotice notice = bounce(List.of(BOB_UNKNOWN));

        assertEquals("Undelivered Mail Returned to Sender", notice.message.getSubject());
        assertEquals(List.of(new InternetAddress("jane@tokyo.example")), List.of(notice.message.getAllRecipients()));
        InternetAddress from = (InternetAddress) notice.message.getFrom()[0];
        assertEquals("MAILER-DAEMON@relay.tokyo.example", from.getAddress());
        assertEquals("Mail Delivery System", from.getPersonal());
        assertEquals("auto-replied", notice.message.getHeader("Auto-Submitted", null));
        assertEquals(NOW, notice.message.getSentDate().toInstant());
        assertEquals("Mon, 2 Jun 2025 14:05:00 +0000", notice.message.getHeader("Date", null));
        assertTrue(notice.message.getMessageID().matches("<20250602140500\\.4F2A9C1B7\\.[0-9a-f]{8}@relay\\.tokyo\\.example>"),
                notice.message.getMessageID());

        ContentType type = new ContentType(notice.message.getContentType());
        assertEquals("multipart/report", type.getBaseType());
        assertEquals("delivery-status", type.getParameter("report-type"));
        assertEquals(List.of("text/plain", "message/delivery-status", "text/rfc822-headers"), notice.partTypes());
    }

    @Test
    void bounceTellsInWordsWhichRecipientsFailedAndWhy() throws Exception {
        String text = bounce(List.of(BOB_UNKNOWN, CAROL_NO_DOMAIN)).explanation();

        assertTrue(text.startsWith("This is the mail system at host relay.tokyo.example.\r\n"), text);
        assertTrue(text.contains("your message could not\r\nbe delivered to one or more recipients."), text);
        assertTrue(text.contains("Queue ID: 4F2A9C1B7, received Mon, 2 Jun 2025 10:00:00 +0000."), text);
        assertTrue(text.contains("\r\n<bob@example.net>: host mx.example.net said: 550 5.1.1 <bob@example.net>:"
                + " Recipient address rejected: User unknown\r\n"), text);
        assertTrue(text.contains("\r\n<carol@example.org> (expanded from <carol.smith@tokyo.example>): Host or domain name"
                + " not found. Name service error for name=example.org\r\n"), text);
        assertFalse(text.contains("WARNING"), text);
    }

    @Test
    void deliveryStatusPartHasTheMachineReadableFields() throws Exception {
        String report = bounce(List.of(BOB_UNKNOWN, CAROL_NO_DOMAIN)).deliveryStatus();

        assertEquals(""
                + "Reporting-MTA: dns; relay.tokyo.example\r\n"
                + "X-Wormhole-Queue-ID: 4F2A9C1B7\r\n"
                + "X-Wormhole-Sender: rfc822; jane@tokyo.example\r\n"
                + "Arrival-Date: Mon, 2 Jun 2025 10:00:00 +0000\r\n"
                + "\r\n"
                + "Final-Recipient: rfc822; bob@example.net\r\n"
                + "Action: failed\r\n"
                + "Status: 5.1.1\r\n"
                + "Remote-MTA: dns; mx.example.net\r\n"
                + "Diagnostic-Code: smtp; 550 5.1.1 <bob@example.net>: Recipient address\r\n"
                + " rejected: User unknown\r\n"
                + "Last-Attempt-Date: Mon, 2 Jun 2025 14:04:30 +0000\r\n"
                + "\r\n"
                + "Final-Recipient: rfc822; carol@example.org\r\n"
                + "Original-Recipient: rfc822; carol.smith@tokyo.example\r\n"
                + "Action: failed\r\n"
                + "Status: 5.4.4\r\n"
                + "Diagnostic-Code: X-Wormhole; Host or domain name not found. Name service\r\n"
                + " error for name=example.org\r\n"
                + "Last-Attempt-Date: Mon, 2 Jun 2025 14:04:30 +0000\r\n", report);
    }

    @Test
    void returnsTheOriginalHeaderSectionButNeverTheBody() throws Exception {
        ReceivedNotice notice = bounce(List.of(BOB_UNKNOWN));

        assertEquals(ORIGINAL_HEADERS, notice.returnedHeaders());
        assertFalse(new String(notice.bytes, StandardCharsets.ISO_8859_1).contains(BODY_LINE));
        for (String part : notice.decodedParts()) {
            assertFalse(part.contains(BODY_LINE), part);
        }
    }

    @Test
    void readsTheOriginalOnlyUpToTheEndOfItsHeaderSection() throws Exception {
        InputStream original = new SequenceInputStream(ascii(ORIGINAL_HEADERS + "\r\n"), bodyThatMustNotBeRead());

        byte[] bytes = builder.build(Action.FAILED, "4F2A9C1B7", "jane@tokyo.example", ARRIVAL, List.of(BOB_UNKNOWN),
                original, null);

        assertEquals(ORIGINAL_HEADERS, new ReceivedNotice(bytes).returnedHeaders());
    }

    @Test
    void delayWarningSaysNoActionIsNeededAndHowLongTheRelayKeepsTrying() throws Exception {
        DsnBuilder threeDays = new DsnBuilder("relay.tokyo.example", CLOCK, Duration.ofDays(3));
        ReceivedNotice notice = new ReceivedNotice(threeDays.build(Action.DELAYED, "4F2A9C1B7", "jane@tokyo.example",
                ARRIVAL, List.of(BOB_DEFERRED), ascii(ORIGINAL), Duration.ofHours(4)));

        assertEquals("Delayed Mail (still being retried)", notice.message.getSubject());
        assertEquals(List.of("text/plain", "message/delivery-status", "text/rfc822-headers"), notice.partTypes());
        String text = notice.explanation();
        assertTrue(text.contains("# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #"), text);
        assertTrue(text.contains("Your message could not be delivered for more than 4 hours.\r\n"
                + "It will be retried until it is 3 days old (until Thu, 5 Jun 2025 10:00:00 +0000).\r\n"), text);
        assertTrue(text.contains("\r\n<bob@example.net>: host mx.example.net: status 4.4.1\r\n"), text);
        String report = notice.deliveryStatus();
        assertTrue(report.contains("\r\nAction: delayed\r\nStatus: 4.4.1\r\n"), report);
        assertTrue(report.contains("\r\nWill-Retry-Until: Thu, 5 Jun 2025 10:00:00 +0000\r\n"), report);
        assertFalse(report.contains("Diagnostic-Code"), report);
        assertEquals(ORIGINAL_HEADERS, notice.returnedHeaders());
    }

    @Test
    void delayWarningWithoutADelayTimeStillPromisesTheDefaultFiveDays() throws Exception {
        ReceivedNotice notice = new ReceivedNotice(builder.build(Action.DELAYED, "4F2A9C1B7", "jane@tokyo.example",
                ARRIVAL, List.of(BOB_DEFERRED), ascii(ORIGINAL), null));

        String text = notice.explanation();
        assertTrue(text.contains("Your message could not be delivered yet.\r\n"
                + "It will be retried until it is 5 days old (until Sat, 7 Jun 2025 10:00:00 +0000).\r\n"), text);
    }

    @Test
    void aHugeHeaderSectionIsCutAfterTheLastWholeFieldThatFits() throws Exception {
        StringBuilder huge = new StringBuilder(ORIGINAL_HEADERS);
        for (int i = 0; i < 3000; i++) {
            huge.append("X-Filler-").append(i).append(": ").append("a".repeat(40)).append("\r\n\t").append("b".repeat(20))
                    .append("\r\n");
        }
        InputStream original = new SequenceInputStream(ascii(huge + "\r\n"), bodyThatMustNotBeRead());

        byte[] bytes = builder.build(Action.FAILED, "4F2A9C1B7", "jane@tokyo.example", ARRIVAL, List.of(BOB_UNKNOWN),
                original, null);

        ReceivedNotice notice = new ReceivedNotice(bytes);
        String returned = notice.returnedHeaders();
        assertTrue(returned.length() <= DsnBuilder.HEADER_SECTION_LIMIT, "returned " + returned.length() + " bytes");
        assertTrue(returned.length() > DsnBuilder.HEADER_SECTION_LIMIT - 100, "returned " + returned.length() + " bytes");
        assertTrue(returned.startsWith(ORIGINAL_HEADERS), returned.substring(0, 300));
        assertTrue(returned.endsWith("\tbbbbbbbbbbbbbbbbbbbb\r\n"), "the last field is whole");
        InternetHeaders parsed = new InternetHeaders(ascii(returned));
        assertEquals("Quarterly numbers", parsed.getHeader("Subject", null));
        assertEquals(huge.substring(0, returned.length()), returned);
        assertTrue(notice.explanation().contains("The attached header section was too long and has been shortened."));
        assertTrue(bytes.length < 2 * DsnBuilder.HEADER_SECTION_LIMIT, "notice is " + bytes.length + " bytes");
    }

    @Test
    void nonAsciiInTheReplyIsKeptForPeopleAndReplacedForMachines() throws Exception {
        FailedRecipient hans = new FailedRecipient("hans@example.de", "hans@example.de", "5.1.1",
                "550 5.1.1 Benutzer unbekannt: Grüße — 用户不存在", "mx.example.de", LAST_ATTEMPT, Action.FAILED);

        ReceivedNotice notice = bounce(List.of(hans));

        assertTrue(notice.explanation().contains("<hans@example.de>: host mx.example.de said: 550 5.1.1 Benutzer unbekannt:"
                + " Grüße — 用户不存在\r\n"), notice.explanation());
        assertTrue(notice.deliveryStatus().contains("\r\nDiagnostic-Code: smtp; 550 5.1.1 Benutzer unbekannt: Gr??e ? ?????\r\n"),
                notice.deliveryStatus());
        for (byte b : notice.bytes) {
            assertTrue(b >= 0, "the notice is 7-bit");
        }
    }

    @Test
    void anSmtputf8RecipientIsWrittenInTheUtf8AddressType() throws Exception {
        FailedRecipient joerg = new FailedRecipient("jörg@example.de", "jörg@example.de", "5.1.1", "", "", LAST_ATTEMPT,
                Action.FAILED);

        ReceivedNotice notice = bounce(List.of(joerg));

        assertTrue(notice.deliveryStatus().contains("\r\nFinal-Recipient: utf-8; j\\x{F6}rg@example.de\r\n"), notice.deliveryStatus());
        assertTrue(notice.explanation().contains("\r\n<jörg@example.de>: status 5.1.1\r\n"), notice.explanation());
    }

    @Test
    void aMultiLineReplyIsJoinedOnOneLineAndCannotForgeFields() throws Exception {
        FailedRecipient forged = new FailedRecipient("bob@example.net", "bob@example.net", "5.7.1",
                "550-5.7.1 Message rejected\r\n550-5.7.1 Action: delivered\r\n550 5.7.1 see https://example.net/policy",
                "mx.example.net", LAST_ATTEMPT, Action.FAILED);

        ReceivedNotice notice = bounce(List.of(forged));

        String report = notice.deliveryStatus();
        assertTrue(report.contains("\r\nDiagnostic-Code: smtp; 550 5.7.1 Message rejected Action: delivered see\r\n"
                + " https://example.net/policy\r\n"), report);
        assertFalse(report.contains("\r\nAction: delivered"), report);
        assertTrue(notice.explanation().contains("said: 550 5.7.1 Message rejected Action: delivered see"
                + " https://example.net/policy\r\n"), notice.explanation());
    }

    @Test
    void everyLineEndsInCrlf() throws Exception {
        byte[] bytes = bounce(List.of(BOB_UNKNOWN, CAROL_NO_DOMAIN)).bytes;

        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                assertTrue(i > 0 && bytes[i - 1] == '\r', "bare LF at byte " + i);
            }
            if (bytes[i] == '\r') {
                assertTrue(i + 1 < bytes.length && bytes[i + 1] == '\n', "bare CR at byte " + i);
            }
        }
        assertTrue(new String(bytes, StandardCharsets.US_ASCII).endsWith("--\r\n"));
    }

    @Test
    void refusesNoticesThatMustNeverBeSent() {
        IllegalArgumentException nullSender = assertThrows(IllegalArgumentException.class, () -> builder.build(
                Action.FAILED, "4F2A9C1B7", "", ARRIVAL, List.of(BOB_UNKNOWN), ascii(ORIGINAL), null));
        assertEquals("no notice is sent about mail from the null sender <>", nullSender.getMessage());

        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> builder.build(
                Action.FAILED, "4F2A9C1B7", "jane@tokyo.example", ARRIVAL, List.of(BOB_UNKNOWN, BOB_DEFERRED),
                ascii(ORIGINAL), null));
        assertEquals("recipient bob@example.net has action delayed but this notice reports failed recipients",
                mixed.getMessage());

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> builder.build(
                Action.FAILED, "4F2A9C1B7", "jane@tokyo.example", ARRIVAL, List.of(), ascii(ORIGINAL), null));
        assertEquals("a notice needs at least one recipient", none.getMessage());

        IllegalArgumentException delayedBounce = assertThrows(IllegalArgumentException.class, () -> new FailedRecipient(
                "bob@example.net", "bob@example.net", "5.1.1", "", "", LAST_ATTEMPT, Action.DELAYED));
        assertEquals("bad status '5.1.1' for a delayed recipient: expected 4.x.x", delayedBounce.getMessage());
    }

    private ReceivedNotice bounce(List<FailedRecipient> recipients) throws Exception {
        return new ReceivedNotice(builder.build(Action.FAILED, "4F2A9C1B7", "jane@tokyo.example", ARRIVAL, recipients,
                ascii(ORIGINAL), null));
    }

    private static InputStream ascii(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Stands for the body of a stored message: reading it fails the build, and with it the test. */
    private static InputStream bodyThatMustNotBeRead() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("the body of the original message was read");
            }
        };
    }

    /** A notice as the sender's mail program parses it. */
    private static final class ReceivedNotice {

        final byte[] bytes;
        final MimeMessage message;
        final MimeMultipart report;

        ReceivedNotice(byte[] bytes) throws MessagingException, IOException {
            this.bytes = bytes;
            this.message = new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
            this.report = (MimeMultipart) message.getContent();
        }

        List<String> partTypes() throws MessagingException {
            List<String> types = new java.util.ArrayList<>();
            for (int i = 0; i < report.getCount(); i++) {
                types.add(new ContentType(report.getBodyPart(i).getContentType()).getBaseType());
            }
            return types;
        }

        String explanation() throws MessagingException, IOException {
            return (String) report.getBodyPart(0).getContent();
        }

        String deliveryStatus() throws MessagingException, IOException {
            return decoded(report.getBodyPart(1), StandardCharsets.US_ASCII);
        }

        String returnedHeaders() throws MessagingException, IOException {
            return decoded(report.getBodyPart(2), StandardCharsets.UTF_8);
        }

        List<String> decodedParts() throws MessagingException, IOException {
            return List.of(explanation(), deliveryStatus(), returnedHeaders());
        }

        private static String decoded(BodyPart part, java.nio.charset.Charset charset) throws MessagingException, IOException {
            try (InputStream in = part.getInputStream()) {
                return new String(in.readAllBytes(), charset);
            }
        }
    }
}
