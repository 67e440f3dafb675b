package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;
import org.wormhole.testing.Await;

/**
 * Two sites whose tables send a domain to each other: each table alone is fine (every tsmtp
 * route names a configured peer), together they are a loop, which the hop limit ends with a
 * bounce to the sender.
 */
class TableLoopTest {

    @TempDir
    Path dir;

    private FakeMx tokyoHub;
    private FakeMx birlHub;
    private TestSite tokyo;
    private TestSite birl;

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {tokyo, birl, tokyoHub, birlHub}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // stopping
            }
        }
    }

    @Test
    void aTableLoopBetweenTheSitesBouncesAtTheHopLimit() throws Exception {
        tokyoHub = new FakeMx();
        birlHub = new FakeMx();
        SiteIdentity tokyoKey = SiteIdentity.generate(dir.resolve("tokyo/keys"), "tokyo", Duration.ofDays(30));
        SiteIdentity birlKey = SiteIdentity.generate(dir.resolve("birlinghoven/keys"), "birlinghoven", Duration.ofDays(30));
        String limit = "hopcount_limit = 8\n";
        // Birlinghoven's admin copied Tokyo's line for birlinghoven.example instead of routing it to the hub.
        birl = new TestSite(dir.resolve("birlinghoven"),
                "birlinghoven.example\ttsmtp:tokyo\ntokyo.example\ttsmtp:tokyo\n",
                limit + "myhostname = relay.birlinghoven.example\n"
                        + "link_listen = \"127.0.0.1:0\"\n"
                        + "link_key_directory = \"" + dir.resolve("birlinghoven/keys") + "\"\n"
                        + "peers { tokyo { address = \"127.0.0.1\", pins = [\"" + tokyoKey.pin() + "\"], dial = false } }\n")
                .start();
        int linkPort = birl.relay.links().orElseThrow().linkPort();
        tokyo = new TestSite(dir.resolve("tokyo"),
                "tokyo.example\tesmtp:[127.0.0.1]:" + tokyoHub.port() + "\n"
                        + "birlinghoven.example\ttsmtp:birlinghoven\n",
                limit + "myhostname = relay.tokyo.example\n"
                        + "link_key_directory = \"" + dir.resolve("tokyo/keys") + "\"\n"
                        + "peers { birlinghoven { address = \"127.0.0.1\", port = " + linkPort
                        + ", pins = [\"" + birlKey.pin() + "\"], dial = true } }\n")
                .start();

        try (SmtpTranscript c = SmtpTranscript.connect(tokyo.port())) {
            c.expect("220");
            assertTrue(c.sendMail("taro@tokyo.example", "Subject: round and round\r\n\r\nhello\r\n",
                    "bob@birlinghoven.example").startsWith("250"));
        }

        Await.until("the bounce to reach Taro at Tokyo's hub", () -> tokyoHub.received.size() == 1);
        Await.until("both queues to be empty", () -> RelayEndToEndTest.queueIsEmpty(tokyo)
                && RelayEndToEndTest.queueIsEmpty(birl));
        DeliveryReport dsn = DeliveryReport.of(tokyoHub.received.get(0));
        assertEquals("", dsn.envelopeSender());
        String bob = dsn.recipientFields("bob@birlinghoven.example");
        assertEquals("failed", DeliveryReport.field(bob, "Action"), bob);
        assertEquals("5.4.6", DeliveryReport.field(bob, "Status"), bob);
        assertEquals("X-Wormhole; mail forwarding loop: 9 Received: headers (limit 8)",
                DeliveryReport.field(bob, "Diagnostic-Code"), bob);
        assertEquals(0, birlHub.received.size());
        assertEquals(1, tokyoHub.received.size(), "one bounce, no copy of the message");
    }
}
