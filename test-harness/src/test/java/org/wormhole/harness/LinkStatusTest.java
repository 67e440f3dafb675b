package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.testing.Await;
import org.wormhole.testing.DeadPort;

/**
 * What an operator sees of the link with {@code wormhole link status}, on two relays joined by a
 * real link (Tokyo dials, Birlinghoven listens), and what a link coming up sends: only its own
 * mail, never mail waiting for something else.
 */
class LinkStatusTest {

    @TempDir
    Path dir;

    private GreenMail birlHub;
    private TestSite tokyo;
    private TestSite birl;
    private SiteIdentity birlKey;
    /** The mail server that is down: nothing listens on its port, nor can until the test ends. */
    private final DeadPort downMx = DeadPort.hold();

    @BeforeEach
    void sites() throws Exception {
        birlHub = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        birlHub.start();
        SiteIdentity tokyoKey = SiteIdentity.generate(dir.resolve("tokyo/keys"), "tokyo", Duration.ofDays(365));
        // Birlinghoven's certificate runs out in 10 days: Tokyo's operator must be told.
        birlKey = SiteIdentity.generate(dir.resolve("birlinghoven/keys"), "birlinghoven", Duration.ofDays(10));
        // Mail retries wait an hour; the link redials within 2 s, so a peer that is back is
        // relinked within the test's wait however many dials failed while it was down.
        String slow = "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\nkeepalive_interval = 1s\n"
                + "link_maximal_backoff_time = 2s\n";
        birl = new TestSite(dir.resolve("birlinghoven"),
                "birlinghoven.example\tesmtp:[127.0.0.1]:" + birlHub.getSmtp().getPort() + "\n"
                        + "tokyo.example\ttsmtp:[127.0.0.1]\n",
                slow + "myhostname = relay.birlinghoven.example\n"
                        + "link_listen = \"127.0.0.1:0\"\n"
                        + "link_key_directory = \"" + dir.resolve("birlinghoven/keys") + "\"\n"
                        + "peers { tokyo { address = \"127.0.0.1\", pins = [\"" + tokyoKey.pin() + "\"], dial = false } }\n");
        birl.start(); // first: Tokyo is told the link port it bound
        int linkPort = birl.keepLinkPort();
        tokyo = new TestSite(dir.resolve("tokyo"),
                "birlinghoven.example\ttsmtp:birlinghoven\n"
                        + "dead.example\tesmtp:[127.0.0.1]:" + downMx.port() + "\n", // that MX is down
                slow + "myhostname = relay.tokyo.example\n"
                        + "link_rekey_bytes = 64KiB\n" // rekeyed every 64 KiB of traffic
                        + "link_key_directory = \"" + dir.resolve("tokyo/keys") + "\"\n"
                        + "peers { birlinghoven { address = \"127.0.0.1\", port = " + linkPort
                        + ", pins = [\"" + birlKey.pin() + "\"], dial = true } }\n");
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {tokyo, birl}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // stopping
            }
        }
        birlHub.stop();
        try {
            downMx.close();
        } catch (java.io.IOException ignored) {
            // stopping
        }
    }

    private static String send(TestSite site, String body, String... to) throws Exception {
        return sendContent(site, body, body + "\r\n", to);
    }

    private static String sendContent(TestSite site, String subject, String body, String... to) throws Exception {
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            String r = c.sendMail("taro@tokyo.example", "Subject: " + subject + "\r\n\r\n" + body, to);
            assertTrue(r.startsWith("250"), r);
            return r.substring(r.lastIndexOf(' ') + 1);
        }
    }

    /** {@code wormhole link status} on Tokyo: its output, after checking it succeeded. */
    private String tokyoLinkStatus() throws Exception {
        QueueCliTest.Run r = QueueCliTest.wormhole("link", "status", "--config", tokyo.configFile().toString());
        assertEquals(0, r.exit(), r.err());
        return r.out();
    }

    /** The table row of the peer birlinghoven, split into its columns. */
    private static Optional<Matcher> row(String status) {
        Matcher m = Pattern.compile("(?m)^birlinghoven +(\\S+) +(\\S+ \\S+) +(-|[\\d.]+ ms) +(\\d+) msgs?, (\\S+ \\S+)"
                + " +(\\d+) msgs?, (\\S+ \\S+) +(\\d+) +(\\d+) +(.*)$").matcher(status);
        return m.find() ? Optional.of(m) : Optional.empty();
    }

    @Test
    void theOperatorSeesTheLinkUpWithItsTrafficThenDownWithWhyAndWhatWaits() throws Exception {
        tokyo.start();
        send(tokyo, "one", "bob@birlinghoven.example");
        // 200 KB: the link is rekeyed on the way
        sendContent(tokyo, "two", "a line of the long report of the quarter\r\n".repeat(5_000), "bob@birlinghoven.example",
                "alice@birlinghoven.example");
        Await.until("Birlinghoven's hub to receive both", () -> birlHub.getReceivedMessages().length == 3);
        Await.until("a keepalive round trip to be measured", () -> {
            try {
                return row(tokyoLinkStatus()).map(m -> !m.group(3).equals("-")).orElse(false);
            } catch (Exception e) {
                return false;
            }
        });

        String up = tokyoLinkStatus();
        Matcher m = row(up).orElseThrow(() -> new AssertionError(up));
        assertEquals("up", m.group(1), up);
        assertEquals("2", m.group(4), "two messages sent over the link\n" + up);
        assertEquals("0", m.group(6), "none received\n" + up);
        assertEquals("0", m.group(8), "nothing waits\n" + up);
        assertEquals("0", m.group(9), "no reconnects\n" + up);
        assertTrue(up.contains("    pins    configured " + birlKey.pin() + "\n"), up);
        assertTrue(up.contains("            presented  " + birlKey.pin() + "\n"), up);
        assertTrue(up.contains("    WARNING: the peer's certificate expires in 10 days\n"), up);
        assertTrue(Pattern.compile("(?m)^    rekeyed [1-9]\\d* times?, last at \\S+ \\S+ on this link$").matcher(up).find(), up);
        long bytes = tokyo.relay.config().link().rekeyBytes();
        assertEquals(64 * 1024, bytes);
        assertTrue(m.group(5).endsWith("KiB"), "about 200 KiB of content sent\n" + up);

        String json = QueueCliTest.wormhole("link", "status", "--json", "--config", tokyo.configFile().toString()).out();
        assertTrue(json.contains("\"peer\": \"birlinghoven\""), json);
        assertTrue(json.contains("\"messages_sent\": 2"), json);
        assertTrue(json.contains("\"presented_pin\": \"" + birlKey.pin() + "\""), json);

        birl.relay.close(); // Birlinghoven goes down
        send(tokyo, "while-you-were-out", "bob@birlinghoven.example");
        Await.until("the message to wait for the link", () -> RelayEndToEndTest.deferredErrors(tokyo).stream()
                .anyMatch(e -> e.startsWith("link to birlinghoven down since ")));

        String down = tokyoLinkStatus();
        Matcher d = row(down).orElseThrow(() -> new AssertionError(down));
        assertEquals("connecting", d.group(1), down);
        assertEquals("-", d.group(3), "no round trip without a link\n" + down);
        assertEquals("2", d.group(4), "the counts stay\n" + down);
        assertEquals("1", d.group(8), "one message waits for the link\n" + down);
        assertTrue(d.group(10).startsWith("the peer said goodbye: relay stopping"), down);
        assertTrue(!down.contains("presented"), down);

        birl.start(); // back
        Await.until("the waiting message at Birlinghoven's hub", () -> birlHub.getReceivedMessages().length == 4);
        Await.until("the link to show up again", () -> {
            try {
                return row(tokyoLinkStatus()).map(r -> r.group(1).equals("up") && r.group(9).equals("1")
                        && r.group(4).equals("3") && r.group(8).equals("0")).orElse(false);
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void aLinkComingUpSendsItsOwnMailButNothingWaitingForAnotherDestination() throws Exception {
        birl.relay.close(); // Birlinghoven is down: the link cannot come up
        tokyo.start();
        String deadOnly = send(tokyo, "dead-only", "carol@dead.example");
        String mixed = send(tokyo, "mixed", "bob@birlinghoven.example", "dave@dead.example");
        Await.until("both messages to be deferred", () -> RelayEndToEndTest.deferredErrors(tokyo).size() == 2);
        String before = tokyoLinkStatus();
        Matcher b = row(before).orElseThrow(() -> new AssertionError(before));
        assertEquals("connecting", b.group(1), before);
        assertEquals("1", b.group(8), "the mixed message waits for the link\n" + before);
        assertTrue(b.group(10).startsWith("dial failed: "), before);

        try (CapturedLog qmgr = CapturedLog.of("qmgr")) {
            birl.start(); // the link comes up; the dead MX's mail keeps its hour of backoff
            Await.until("the link's recipient at Birlinghoven's hub", () -> birlHub.getReceivedMessages().length == 1);
            Await.until("the mixed message's attempt to end", () -> {
                try {
                    return attempts(mixed).equals(List.of(2, 1));
                } catch (Exception e) {
                    return false; // being attempted: not in deferred/ now
                }
            });
            // What the link coming up made due: the mixed message, not the dead MX's; and nothing is
            // being attempted any more, so a retry of the dead MX's mail would show by now.
            String flush = "flush of the link to birlinghoven: ";
            Await.until("Tokyo's flush for the link", () -> !qmgr.containing(flush).isEmpty());
            assertEquals(flush + "1 message(s) due now", qmgr.containing(flush).get(0).text());
            Await.until("Tokyo's attempts to end", () -> tokyo.relay.queue().counts().get(QueueState.ACTIVE) == 0
                    && tokyo.relay.queue().counts().get(QueueState.INCOMING) == 0);
        }

        assertEquals(List.of(1), attempts(deadOnly), "the dead MX's message was not retried");
        QueuedMessage m = tokyo.relay.spool().read(QueueState.DEFERRED, new QueueId(mixed));
        assertEquals(List.of("dave@dead.example"), m.pending().stream().map(RecipientState::address).toList());
        assertEquals(List.of(2, 1), attempts(mixed), "only bob's recipient was tried again");
        assertEquals(1, birlHub.getReceivedMessages().length);
    }

    private List<Integer> attempts(String id) throws Exception {
        return tokyo.relay.spool().read(QueueState.DEFERRED, new QueueId(id)).recipients().stream()
                .map(RecipientState::attempts).toList();
    }
}
