package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.link.SiteIdentity;

/**
 * The deployment of the INET'98 paper, with Wormhole: a Tokyo and a Birlinghoven relay, each
 * with its own spool, key and GreenMail internal mail hub, joined by a link over real TLS on
 * loopback. Tokyo is the branch that dials out; Birlinghoven listens.
 */
class TwoSitesTest {

    @TempDir
    Path dir;

    private GreenMail tokyoHub;
    private GreenMail birlHub;
    private FakeMx internet;
    private TestSite tokyo;
    private TestSite birl;
    private int linkPort;

    @BeforeEach
    void sites() throws Exception {
        tokyoHub = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        tokyoHub.start();
        birlHub = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        birlHub.start();
        internet = new FakeMx();
        SiteIdentity tokyoKey = SiteIdentity.generate(dir.resolve("tokyo/keys"), "tokyo", Duration.ofDays(30));
        SiteIdentity birlKey = SiteIdentity.generate(dir.resolve("birlinghoven/keys"), "birlinghoven", Duration.ofDays(30));
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            linkPort = probe.getLocalPort();
        }
        String slow = "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\nkeepalive_interval = 1s\n";
        tokyo = new TestSite(dir.resolve("tokyo"),
                "tokyo.example\tesmtp:[127.0.0.1]:" + tokyoHub.getSmtp().getPort() + "\n"
                        + "birlinghoven.example\ttsmtp:birlinghoven\n",
                slow + "myhostname = relay.tokyo.example\n"
                        + "link_key_directory = \"" + dir.resolve("tokyo/keys") + "\"\n"
                        + "peers { birlinghoven { address = \"127.0.0.1\", port = " + linkPort
                        + ", pins = [\"" + birlKey.pin() + "\"], dial = true } }\n");
        birl = new TestSite(dir.resolve("birlinghoven"),
                "birlinghoven.example\tesmtp:[127.0.0.1]:" + birlHub.getSmtp().getPort() + "\n"
                        + "tokyo.example\ttsmtp:[127.0.0.1]\n",
                slow + "myhostname = relay.birlinghoven.example\n"
                        + "link_listen = \"127.0.0.1:" + linkPort + "\"\n"
                        + "link_key_directory = \"" + dir.resolve("birlinghoven/keys") + "\"\n"
                        + "peers { tokyo { address = \"127.0.0.1\", pins = [\"" + tokyoKey.pin() + "\"], dial = false } }\n");
        tokyo.dns.put("outside.example", internet.address());
        birl.start();
        tokyo.start();
    }

    @AfterEach
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {tokyo, birl, internet}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // stopping
            }
        }
        tokyoHub.stop();
        birlHub.stop();
    }

    private static String send(TestSite site, String from, String to, String body) throws Exception {
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            return c.sendMail(from, "Subject: " + body + "\r\n\r\n" + body + "\r\n", to);
        }
    }

    @Test
    void mailCrossesTheLinkBothWaysExactlyOnceAndLandsInTheOtherSitesHub() throws Exception {
        assertTrue(send(tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "konnichiwa").startsWith("250"));
        Await.until("Birlinghoven's hub to receive it", () -> birlHub.getReceivedMessages().length == 1);
        String got = GreenMailUtil.getWholeMessage(birlHub.getReceivedMessages()[0]);
        assertTrue(got.contains("by relay.birlinghoven.example (Wormhole) with WORMHOLE-LINK id "), got);
        assertTrue(got.contains("by relay.tokyo.example (Wormhole) with ESMTP id "), got);
        assertTrue(got.contains("konnichiwa"), got);

        assertTrue(send(birl, "bob@birlinghoven.example", "taro@tokyo.example", "guten-tag").startsWith("250"));
        Await.until("Tokyo's hub to receive the answer", () -> tokyoHub.getReceivedMessages().length == 1);
        assertTrue(GreenMailUtil.getWholeMessage(tokyoHub.getReceivedMessages()[0]).contains("guten-tag"));

        Thread.sleep(500);
        assertEquals(1, birlHub.getReceivedMessages().length, "exactly once");
        assertEquals(1, tokyoHub.getReceivedMessages().length, "exactly once");
        Await.until("both queues to be empty", () -> RelayEndToEndTest.queueIsEmpty(tokyo)
                && RelayEndToEndTest.queueIsEmpty(birl));
    }

    @Test
    void outsideDomainsGoOutByMxNotThroughTheLink() throws Exception {
        send(tokyo, "taro@tokyo.example", "someone@outside.example", "hello-world");
        Await.until("the outside MX to receive it", () -> internet.received.size() == 1);
        assertEquals(0, birlHub.getReceivedMessages().length);
    }

    @Test
    void mailWaitingForADownLinkGoesTheMomentTheLinkIsBack() throws Exception {
        birl.relay.close(); // Birlinghoven goes down
        send(tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "while-you-were-out");
        Await.until("the message to wait with the link's reason", () -> RelayEndToEndTest.deferredErrors(tokyo).stream()
                .anyMatch(e -> e.startsWith("link to birlinghoven down since ")));

        birl.start(); // back: with an hour of backoff, only the link coming up can send it now
        Await.until("Birlinghoven's hub to receive it", () -> birlHub.getReceivedMessages().length == 1);
        Thread.sleep(500);
        assertEquals(1, birlHub.getReceivedMessages().length, "exactly once");
    }

    @Test
    void aBurstSurvivesTheReceivingRelayRestartingInTheMiddleExactlyOnce() throws Exception {
        int n = 300;
        try (SmtpTranscript c = SmtpTranscript.connect(tokyo.port())) {
            c.expect("220");
            c.send("EHLO client.tokyo.example").expect("250");
            for (int i = 0; i < n; i++) {
                c.send("MAIL FROM:<taro@tokyo.example>").expect("250");
                c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
                c.send("DATA").expect("354");
                c.raw("Subject: burst-" + i + "\r\n\r\nmessage " + i + "\r\n.\r\n");
                c.expect("250 2.0.0");
                if (i == n / 3) {
                    // Birlinghoven goes down in the middle of the burst, and comes back.
                    Await.until("some of the burst to arrive", () -> birlHub.getReceivedMessages().length > 10);
                    birl.relay.close();
                    birl.start();
                }
            }
        }
        Await.until("the whole burst at Birlinghoven's hub", () -> birlHub.getReceivedMessages().length >= n);
        Thread.sleep(1000);
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (var m : birlHub.getReceivedMessages()) {
            seen.merge(m.getSubject(), 1, Integer::sum);
        }
        assertEquals(n, seen.size(), "every message arrived");
        assertTrue(seen.values().stream().allMatch(v -> v == 1), "none twice: " + seen.entrySet().stream()
                .filter(e -> e.getValue() > 1).toList());
    }
}
