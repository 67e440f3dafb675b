package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.testing.Await;

/** What an SMTP client sees of the relay's listener: transcripts of good and bad sessions. */
class SmtpIngressTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    private int deferred() {
        try {
            return one.site.relay.spool().list(QueueState.DEFERRED).size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void ehloAdvertisesWhatTheRelayReallyDoes() throws Exception {
        one.start("message_size_limit = 5M\n");
        try (SmtpTranscript c = one.client()) {
            String ehlo = c.send("EHLO client.example").expect("250-relay.test.example");
            assertEquals(List.of("250-relay.test.example", "250-PIPELINING", "250-SIZE 5242880", "250-8BITMIME",
                    "250-ENHANCEDSTATUSCODES", "250 SMTPUTF8"), List.of(ehlo.split("\n")));
            c.send("HELO client.example").expect("250 relay.test.example");
            c.send("NOOP").expect("250 2.0.0");
            c.send("VRFY bob").expect("252 2.0.0");
            c.send("EXPN staff").expect("502 5.5.1");
            c.send("RSET").expect("250 2.0.0");
            c.send("QUIT").expect("221 2.0.0");
        }
    }

    @Test
    void aPipelinedTransactionGetsEveryReplyInOrder() throws Exception {
        one.start("");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.raw("MAIL FROM:<a@birlinghoven.example>\r\nRCPT TO:<b@birlinghoven.example>\r\n"
                    + "RCPT TO:<c@birlinghoven.example>\r\nDATA\r\n");
            c.expect("250 2.1.0");
            c.expect("250 2.1.5");
            c.expect("250 2.1.5");
            c.expect("354");
            c.raw("Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n");
            c.expect("250 2.0.0 Ok: queued as ");
            c.expect("221");
        }
        Await.until("delivery", () -> one.hub.received.size() == 1);
        assertEquals(List.of("b@birlinghoven.example", "c@birlinghoven.example"), one.hub.received.get(0).recipients());
    }

    @Test
    void aClientOutsideMynetworksCannotRelayToOtherDomains() throws Exception {
        // Loopback is "outside" here: mynetworks holds only a documentation prefix.
        one.start("mynetworks = [\"192.0.2.0/24\"]\nrelay_domains = [\"birlinghoven.example\"]\n");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO spammer.example").expect("250");
            c.send("MAIL FROM:<spam@spammer.example>").expect("250");
            assertEquals("554 5.7.1 <victim@elsewhere.example>: Relay access denied",
                    c.send("RCPT TO:<victim@elsewhere.example>").reply());
            for (String trick : List.of("victim%elsewhere.example@birlinghoven.example",
                    "elsewhere.example!victim@birlinghoven.example", "@birlinghoven.example:victim@elsewhere.example")) {
                String r = c.send("RCPT TO:<" + trick + ">").reply();
                assertTrue(r.startsWith("554 5.7.1") || r.startsWith("553 5.1.3"), trick + " -> " + r);
            }
            c.send("RCPT TO:<\"victim@elsewhere.example\"@birlinghoven.example>").expect("553 5.1.3");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250 2.1.5");
            c.send("DATA").expect("354");
            c.raw("Subject: inbound\r\n\r\nfor a local user\r\n.\r\n");
            c.expect("250 2.0.0");
        }
        Await.until("delivery of the allowed recipient", () -> one.hub.received.size() == 1);
        assertEquals(List.of("bob@birlinghoven.example"), one.hub.received.get(0).recipients());
    }

    /**
     * SMTP smuggling probes (CVE-2023-51764 class): an end-of-data that is not CRLF.CRLF followed
     * by a second, smuggled transaction. The relay must refuse the message and must not run the
     * smuggled commands.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n"})
    void smugglingProbesAreRefusedAndTheSmuggledMailIsNeverSent(String fakeEnd) throws Exception {
        one.start("");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: innocent\r\n\r\nhello" + fakeEnd
                    + "MAIL FROM:<ceo@birlinghoven.example>\r\nRCPT TO:<b@birlinghoven.example>\r\nDATA\r\n"
                    + "Subject: smuggled\r\n\r\nwire the money\r\n.\r\n");
            assertEquals("550 5.6.0 Message content rejected: bare CR or LF (lines must end in CRLF)", c.reply());
            c.send("NOOP").expect("250 2.0.0"); // the smuggled commands were content, not commands
        }
        assertEquals(0, one.queued()); // the queue is empty: nothing is still on its way to the hub
        assertTrue(one.hub.received.isEmpty());
    }

    @Test
    void overLongLinesAndOversizedMessagesAreRefusedAndNothingIsQueued() throws Exception {
        one.start("message_size_limit = 2K\n");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example> SIZE=999999").expect("552 5.3.4");
            c.send("MAIL FROM:<a@birlinghoven.example> SIZE=100").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: big\r\n\r\n" + ("y".repeat(70) + "\r\n").repeat(40) + ".\r\n");
            c.expect("552 5.3.4");
            c.send("QUIT").expect("221");
        }
        assertEquals(0, one.queued());
    }

    // --- NUL bytes (issue 8, point 9) ---------------------------------------------------------

    /**
     * Smuggling one hop later: a next hop that drops NUL bytes would read {@code CRLF NUL . CRLF}
     * as the end of data. Refused like a bare CR or LF; the "smuggled" commands stay content.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\r\n\0.\r\n", "\r\n.\0\r\n", "\r\n\0\0.\r\n"})
    void aNulInTheContentIsRefusedAndTheSmuggledMailIsNeverSent(String fakeEnd) throws Exception {
        one.start("");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: innocent\r\n\r\nhello" + fakeEnd
                    + "MAIL FROM:<ceo@birlinghoven.example>\r\nRCPT TO:<b@birlinghoven.example>\r\nDATA\r\n"
                    + "Subject: smuggled\r\n\r\nwire the money\r\n.\r\n");
            assertEquals("550 5.6.0 Message content rejected: NUL character in content", c.reply());
            c.send("NOOP").expect("250 2.0.0"); // the smuggled commands were content, not commands
        }
        assertEquals(0, one.queued());
        assertEquals(0, one.hub.dataCommands.get());
    }

    @Test
    void withNulAllowedTheContentIsQueuedAndPassedOnByteForByte() throws Exception {
        one.start("smtpd_forbid_nul_in_content = no\n");
        String content = "Subject: binary\r\n\r\na\0b\r\n\0\r\n";
        try (SmtpTranscript c = one.client()) {
            c.sendMail("a@birlinghoven.example", content, "b@birlinghoven.example");
        }
        Await.until("delivery", () -> one.hub.received.size() == 1);
        assertTrue(one.hub.received.get(0).text().endsWith(content), one.hub.received.get(0).text());
    }

    @Test
    void aNulInACommandOrHeloNameIsRefusedAndNeverReachesTheNextHop() throws Exception {
        one.start("");
        try (SmtpTranscript c = one.client()) {
            c.send("HELO evil\0.example").expect("501 5.5.2 Error: NUL character in command");
            c.send("EHLO evil\0.example").expect("501 5.5.2 Error: NUL character in command");
            c.send("EHLO evil\u0001.example").expect("501 5.5.2 Error: control character in EHLO hostname");
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a\0@birlinghoven.example>").expect("501 5.5.2");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>\0").expect("501 5.5.2");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.send("DATA\0").expect("501 5.5.2");
            c.send("NOOP\0").expect("501 5.5.2");
            c.send("DATA").expect("354");
            c.raw("Subject: clean\r\n\r\nhello\r\n.\r\n");
            c.expect("250 2.0.0");
        }
        Await.until("delivery", () -> one.hub.received.size() == 1);
        FakeMx.Received m = one.hub.received.get(0);
        assertEquals(List.of("b@birlinghoven.example"), m.recipients());
        assertTrue(m.text().startsWith("Received: from client.example "), m.text());
        assertTrue(m.text().indexOf('\0') < 0, m.text());
    }

    @Test
    void bdatWithANulIsClosedBeforeTheChunkIsRead() throws Exception {
        one.start("");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.raw("BDAT 12\0 LAST\r\n\r\n\0.\r\nQUIT\r\n");
            c.expect("554 5.5.1");
            assertTrue(c.closedByServer());
        }
        assertEquals(0, one.queued());
    }

    @Test
    void aRecipientWithATrailingDotIsPassedOnWithoutIt() throws Exception {
        one.start("");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example.>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example.>").expect("250 2.1.5");
            c.send("DATA").expect("354");
            c.raw("Subject: absolute\r\n\r\nhello\r\n.\r\n");
            c.expect("250 2.0.0");
        }
        Await.until("delivery", () -> one.hub.received.size() == 1);
        assertEquals(List.of("b@birlinghoven.example"), one.hub.received.get(0).recipients());
        assertEquals("a@birlinghoven.example", one.hub.received.get(0).from());
    }

    // --- Long lines (issue 8, point 10) -------------------------------------------------------

    /** A message whose body is a 5,000-octet line (the alphabet over and over) and a short one. */
    private static String longLineMessage() {
        StringBuilder line = new StringBuilder();
        for (int i = 0; line.length() < 5000; i++) {
            line.append((char) ('a' + i % 26));
        }
        return "Subject: long line\r\n\r\n" + line + "\r\nshort\r\n";
    }

    @Test
    void aLongLineIsAcceptedStoredByteExactAndFoldedOnDelivery() throws Exception {
        one.start("minimal_backoff_time = 1h\nmaximal_backoff_time = 1h\n"); // deferred until flushed
        one.hub.script.add(FakeMx.Answer.TEMPFAIL); // the first try defers: the queued bytes can be read
        String content = longLineMessage();
        try (SmtpTranscript c = one.client()) {
            assertTrue(c.sendMail("a@birlinghoven.example", content, "b@birlinghoven.example").startsWith("250 2.0.0"));
        }
        Await.until("the first delivery attempt", () -> deferred() == 1);
        var spool = one.site.relay.spool();
        String stored;
        try (var in = spool.openContent(spool.read(QueueState.DEFERRED, spool.list(QueueState.DEFERRED).get(0)))) {
            stored = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertTrue(stored.endsWith(content), "stored byte for byte after our Received: header");

        one.site.relay.queue().flush();
        Await.until("delivery on retry", () -> one.hub.received.size() == 1);
        String delivered = one.hub.received.get(0).text();
        List<Integer> lengths = delivered.lines().map(String::length).toList();
        assertTrue(lengths.stream().allMatch(n -> n <= 998), "line lengths on the wire: " + lengths);
        // Postfix's smtp_line_length_limit: CRLF SP after 998 octets, then after each 997 more.
        assertEquals(List.of(998, 998, 998, 998, 998, 15, 5), lengths.subList(lengths.size() - 7, lengths.size()));
        assertEquals(stored, delivered.replace("\r\n ", ""), "folded by inserting CRLF SP, nothing else");
    }

    @Test
    void withFoldingOffALongLineIsDeliveredByteExact() throws Exception {
        one.start("smtp_line_length_limit = 0\n");
        String content = longLineMessage();
        try (SmtpTranscript c = one.client()) {
            assertTrue(c.sendMail("a@birlinghoven.example", content, "b@birlinghoven.example").startsWith("250 2.0.0"));
        }
        Await.until("delivery", () -> one.hub.received.size() == 1);
        String delivered = one.hub.received.get(0).text();
        assertTrue(delivered.endsWith(content), delivered);
    }

    @Test
    void aLineOverTheConfiguredLimitIsRefusedAndNothingIsQueued() throws Exception {
        one.start("smtpd_line_length_limit = 1000\n");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw("Subject: long\r\n\r\n" + "z".repeat(1001) + "\r\nMAIL FROM:<x@y.example>\r\n.\r\n");
            assertEquals("550 5.6.0 Message content rejected: line longer than 1000 octets", c.reply());
            c.send("NOOP").expect("250 2.0.0");
            assertTrue(c.sendMail("a@birlinghoven.example", "Subject: at the limit\r\n\r\n" + "z".repeat(1000) + "\r\n",
                    "b@birlinghoven.example").startsWith("250 2.0.0"));
        }
        Await.until("delivery of the message at the limit", () -> one.hub.received.size() == 1);
        assertEquals(1, one.hub.dataCommands.get());
    }

    @Test
    void aQueueFileSystemWithoutRoomRefusesNewMailForNowAndQueuesNothing() throws Exception {
        // No disk has an exbibyte free: to this relay its queue's file system is full.
        one.start("queue_minfree = 1EiB\n");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("452 4.3.1 Insufficient system storage");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("503 5.5.1");
            c.send("QUIT").expect("221");
        }
        assertEquals(0, one.queued());
    }

    @Test
    void commandsOutOfOrderAndBadSyntaxGetEnhancedCodes() throws Exception {
        one.start("smtpd_recipient_limit = 2\n");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO").expect("501 5.5.4");
            c.send("EHLO client.example").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("503 5.5.1");
            c.send("DATA").expect("503 5.5.1");
            c.send("MAIL FROM:alice@birlinghoven.example").expect("501 5.5.4");
            c.send("MAIL FROM:<not-an-address>").expect("553 5.1.7");
            c.send("MAIL FROM:<a@birlinghoven.example> FOO=BAR").expect("555 5.5.4");
            c.send("MAILX FROM:<a@birlinghoven.example>").expect("500 5.5.2");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250 2.1.0");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("503 5.5.1");
            c.send("DATA").expect("554 5.5.1");
            c.send("RCPT TO:<>").expect("553 5.1.3");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<c@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<d@birlinghoven.example>").expect("452 4.5.3");
            c.send("RCPT TO:<j\u00f6rg@birlinghoven.example>").expect("4"); // over the limit first
            c.send("RSET").expect("250 2.0.0");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<j\u00f6rg@birlinghoven.example>").expect("553 5.6.7");
        }
    }

    @Test
    void anOverLongCommandLineIsRefusedAndTheConnectionClosed() throws Exception {
        one.start("");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO " + "x".repeat(2000)).expect("501");
            assertTrue(c.closedByServer());
        }
    }

    @Test
    void bdatWithoutChunkingClosesTheConnection() throws Exception {
        one.start("");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<a@birlinghoven.example>").expect("250");
            c.send("RCPT TO:<b@birlinghoven.example>").expect("250");
            c.raw("BDAT 30 LAST\r\nMAIL FROM:<x@y.example>\r\nQUIT\r\n");
            c.expect("554 5.5.1");
            assertTrue(c.closedByServer());
        }
        assertEquals(0, one.queued());
    }

    @Test
    void aClientThatTalksBeforeTheGreetingIsDisconnected() throws Exception {
        one.start("smtpd_pregreet_wait = 300ms\n");
        try (SmtpTranscript c = SmtpTranscript.connect(one.site.port())) {
            c.send("EHLO impatient.example");
            c.expect("554 5.5.1 Protocol error: talked before the greeting");
            assertTrue(c.closedByServer());
        }
        try (SmtpTranscript c = SmtpTranscript.connect(one.site.port())) {
            c.expect("220 relay.test.example");
        }
    }

    @Test
    void anIdleClientIsDisconnectedWith421() throws Exception {
        one.start("smtpd_timeout = 1s\n");
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.expect("421");
            assertTrue(c.closedByServer());
        }
    }
}
