package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wormhole.link.SiteIdentity;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.testing.Await;

/**
 * A client hands mail to the relay over SMTP; the relay queues it and delivers it where the
 * mailertable says, or by MX. Real sockets, real files, a fake MX and fake DNS for the outside.
 */
class RelayEndToEndTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    private TestSite site;
    /** The MX of outside.example. */
    private FakeMx internet;

    private TestSite site(String extraConfig) throws Exception {
        // A peer for the tsmtp route (a route to an unknown peer refuses the table): it dials us,
        // and never does in these tests, so its link stays down.
        SiteIdentity.generate(one.home.resolve("keys"), "birlinghoven", java.time.Duration.ofDays(30));
        SiteIdentity tokyoKey = SiteIdentity.generate(one.home.resolve("tokyo-keys"), "tokyo", java.time.Duration.ofDays(30));
        site = one.start("blackhole.example\tdiscard:\n"
                + "spam.example\terror:5.7.1:550 Relaying denied\n"
                + "tokyo.example\ttsmtp:tokyo\n",
                "peers { tokyo { address = \"relay.tokyo.example\", pins = [\"" + tokyoKey.pin() + "\"], dial = false } }\n"
                        + extraConfig);
        internet = one.outside();
        return site;
    }

    /** Content a careful relay must pass through untouched: 8-bit, a 998-octet line, dots, binary-looking MIME. */
    static String trickyMessage() {
        return "From: Alice <alice@birlinghoven.example>\r\n"
                + "To: Bob <bob@birlinghoven.example>\r\n"
                + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                + "\r\n"
                + "--b1\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + "Gr\u00fc\u00dfe aus Birlinghoven \u2014 \u6771\u4eac\r\n"
                + "..a line that starts with a dot (stuffed on the wire)\r\n"
                + "..\u00a0not the end either\r\n"
                + "x".repeat(998) + "\r\n"
                + "--b1\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n"
                + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\r\n"
                + "--b1--\r\n";
    }

    @Test
    void mailToTheHubArrivesByteForByteAfterTheRelaysReceivedHeader() throws Exception {
        site("");
        String reply;
        try (SmtpTranscript c = one.client()) {
            reply = c.sendMail("alice@birlinghoven.example", trickyMessage(), "bob@birlinghoven.example");
            c.send("QUIT").expect("221 2.0.0");
        }
        assertTrue(reply.matches("250 2\\.0\\.0 Ok: queued as [0-9A-V]{14}"), reply);
        String queueId = reply.substring(reply.lastIndexOf(' ') + 1);

        Await.until("the hub to receive the message", () -> one.hub.received.size() == 1);
        FakeMx.Received got = one.hub.received.get(0);
        assertEquals("alice@birlinghoven.example", got.from());
        assertEquals(List.of("bob@birlinghoven.example"), got.recipients());
        String text = got.text();
        assertTrue(text.startsWith("Received: from client.example (unknown [127.0.0.1])\r\n"
                + "\tby relay.test.example (Wormhole) with ESMTP id " + queueId + "\r\n"
                + "\tfor <bob@birlinghoven.example>; "), text);
        int end = text.indexOf("\r\n", text.indexOf("\tfor <")) + 2;
        // The client dot-stuffed its lines on the wire; they arrive as the client meant them.
        byte[] expected = trickyMessage().replace("\r\n..", "\r\n.").getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(expected, Arrays.copyOfRange(got.content(), end, got.content().length));
        Await.until("the queue to be empty", () -> queueIsEmpty(site));
    }

    @Test
    void outsideDomainsGoToTheirMxAndSeveralRecipientsShareOneTransaction() throws Exception {
        site("");
        try (SmtpTranscript c = one.client()) {
            c.sendMail("alice@birlinghoven.example", "Subject: hi\r\n\r\nhello\r\n",
                    "carol@outside.example", "dave@outside.example", "bob@birlinghoven.example");
        }
        Await.until("both destinations to receive it", () -> internet.received.size() == 1 && one.hub.received.size() == 1);
        assertEquals(List.of("carol@outside.example", "dave@outside.example"), internet.received.get(0).recipients());
        assertEquals(List.of("bob@birlinghoven.example"), one.hub.received.get(0).recipients());
    }

    @Test
    void errorDiscardAndTsmtpRoutesDoWhatTheTableSays() throws Exception {
        site("");
        try (SmtpTranscript c = one.client()) {
            c.sendMail("alice@birlinghoven.example", "Subject: routes\r\n\r\nbody\r\n",
                    "x@blackhole.example", "y@spam.example", "z@tokyo.example");
        }
        // spam.example bounces: the DSN goes back to alice at the hub.
        Await.until("the bounce to reach the sender", () -> one.hub.received.size() == 1);
        FakeMx.Received dsn = one.hub.received.get(0);
        assertEquals("", dsn.from(), "bounces come from the null sender");
        assertEquals(List.of("alice@birlinghoven.example"), dsn.recipients());
        assertTrue(dsn.text().contains("Final-Recipient: rfc822; y@spam.example"), dsn.text());
        assertTrue(dsn.text().contains("Status: 5.7.1"), dsn.text());
        // tsmtp waits in the queue for the link, with a clear reason; discard is gone.
        Await.until("the tsmtp recipient to be deferred", () -> deferredErrors(site).stream()
                .anyMatch(e -> e.startsWith("link to tokyo down since ")));
    }

    @Test
    void aServerRestartedBetweenTwoMessagesDoesNotDelayTheSecond() throws Exception {
        // Backoff of an hour: only an immediate retry on a fresh connection delivers the second message.
        site("minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n");
        try (SmtpTranscript c = one.client()) {
            c.sendMail("alice@birlinghoven.example", "Subject: one\r\n\r\n1\r\n", "bob@birlinghoven.example");
        }
        Await.until("the first message", () -> one.hub.received.size() == 1);
        one.restartHub(); // the relay's idle connection to it is now dead
        try (SmtpTranscript c = one.client()) {
            c.sendMail("alice@birlinghoven.example", "Subject: two\r\n\r\n2\r\n", "bob@birlinghoven.example");
        }
        Await.until("the second message, over a fresh connection", () -> one.hub.received.size() == 1);
        assertTrue(one.hub.received.get(0).text().contains("Subject: two"));
    }

    @Test
    void smtputf8AddressesArePassedThroughUnchanged() throws Exception {
        site("");
        site.dns.put("b\u00fccher.example", internet.address());
        try (SmtpTranscript c = one.client()) {
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<j\u00f6rg@birlinghoven.example> SMTPUTF8").expect("250 2.1.0");
            c.send("RCPT TO:<\u00e5sa@b\u00fccher.example>").expect("250 2.1.5");
            c.send("DATA").expect("354");
            c.raw("From: J\u00f6rg <j\u00f6rg@birlinghoven.example>\r\nSubject: \u00e4\u00f6\u00fc\r\n\r\nhej\r\n.\r\n");
            c.expect("250 2.0.0");
        }
        Await.until("delivery to the UTF-8 domain", () -> internet.received.size() == 1);
        FakeMx.Received got = internet.received.get(0);
        assertEquals("j\u00f6rg@birlinghoven.example", got.from());
        assertEquals(List.of("\u00e5sa@b\u00fccher.example"), got.recipients());
        assertTrue(got.text().contains("with UTF8SMTP id "), got.text());
        assertTrue(got.text().endsWith("Subject: \u00e4\u00f6\u00fc\r\n\r\nhej\r\n"), got.text());
    }

    /**
     * Empty in the queue manager and on disk, no file in incoming/, active/, deferred/ or hold/
     * (a retry may be between two directories).
     */
    static boolean queueIsEmpty(TestSite s) {
        if (!s.relay.queue().all().isEmpty()) {
            return false;
        }
        try {
            for (QueueState st : List.of(QueueState.INCOMING, QueueState.ACTIVE, QueueState.DEFERRED,
                    QueueState.HOLD)) {
                if (!s.relay.spool().list(st).isEmpty()) {
                    return false;
                }
            }
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    static List<String> deferredErrors(TestSite s) {
        try {
            return s.relay.spool().list(QueueState.DEFERRED).stream().map(id -> {
                try {
                    return s.relay.spool().read(QueueState.DEFERRED, id).lastError();
                } catch (Exception e) {
                    return "";
                }
            }).toList();
        } catch (Exception e) {
            return List.of();
        }
    }

}
