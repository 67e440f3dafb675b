package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.harness.TwoSites.send;

import com.icegreen.greenmail.util.GreenMailUtil;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.testing.Await;

/**
 * The deployment of the INET'98 paper, with Wormhole ({@link TwoSites}): a Tokyo and a
 * Birlinghoven relay joined by a link over real TLS on loopback; Tokyo dials, Birlinghoven listens.
 */
class TwoSitesTest {

    @TempDir
    Path dir;

    private TwoSites sites;
    private TestSite tokyo;
    private TestSite birl;

    @BeforeEach
    void sites() throws Exception {
        sites = TwoSites.direct(dir, "keepalive_interval = 1s\n");
        tokyo = sites.tokyo;
        birl = sites.birl;
    }

    @AfterEach
    void stop() {
        sites.close();
    }

    @Test
    void mailCrossesTheLinkBothWaysExactlyOnceAndLandsInTheOtherSitesHub() throws Exception {
        assertTrue(send(tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "konnichiwa").startsWith("250"));
        Await.until("Birlinghoven's hub to receive it", () -> sites.birlHub.getReceivedMessages().length == 1);
        String got = GreenMailUtil.getWholeMessage(sites.birlHub.getReceivedMessages()[0]);
        assertTrue(got.contains("by relay.birlinghoven.example (Wormhole) with WORMHOLE-LINK id "), got);
        assertTrue(got.contains("by relay.tokyo.example (Wormhole) with ESMTP id "), got);
        assertTrue(got.contains("konnichiwa"), got);

        assertTrue(send(birl, "bob@birlinghoven.example", "taro@tokyo.example", "guten-tag").startsWith("250"));
        Await.until("Tokyo's hub to receive the answer", () -> sites.tokyoHub.getReceivedMessages().length == 1);
        assertTrue(GreenMailUtil.getWholeMessage(sites.tokyoHub.getReceivedMessages()[0]).contains("guten-tag"));

        sites.awaitQueuesEmpty();
        assertEquals(1, sites.birlHub.getReceivedMessages().length, "exactly once");
        assertEquals(1, sites.tokyoHub.getReceivedMessages().length, "exactly once");
    }

    /**
     * A 5,000-octet line crosses the link byte for byte (the link never folds; Tokyo's
     * smtp_line_length_limit is for its SMTP deliveries) and leaves Birlinghoven folded or not
     * by Birlinghoven's own smtp_line_length_limit.
     */
    @Test
    void aLongLineCrossesTheLinkByteForByteAndIsFoldedOnlyByTheDeliveringSite() throws Exception {
        StringBuilder line = new StringBuilder();
        for (int i = 0; line.length() < 5000; i++) {
            line.append((char) ('a' + i % 26));
        }
        String body = line + "\r\nshort\r\n"; // GreenMail gives the body without its final CRLF
        birl.restartWith("smtp_line_length_limit = 0\n", "");
        try (SmtpTranscript c = SmtpTranscript.connect(tokyo.port())) {
            c.expect("220");
            assertTrue(c.sendMail("taro@tokyo.example", "Subject: long\r\n\r\n" + body, "bob@birlinghoven.example")
                    .startsWith("250"));
        }
        Await.until("Birlinghoven's hub to receive it", () -> sites.birlHub.getReceivedMessages().length == 1);
        assertEquals(body.strip(), GreenMailUtil.getBody(sites.birlHub.getReceivedMessages()[0]), "not folded anywhere");

        birl.restartWith("smtp_line_length_limit = 998\n", "smtp_line_length_limit = 0\n");
        try (SmtpTranscript c = SmtpTranscript.connect(tokyo.port())) {
            c.expect("220");
            assertTrue(c.sendMail("taro@tokyo.example", "Subject: long\r\n\r\n" + body, "bob@birlinghoven.example")
                    .startsWith("250"));
        }
        Await.until("Birlinghoven's hub to receive the second", () -> sites.birlHub.getReceivedMessages().length == 2);
        String folded = GreenMailUtil.getBody(sites.birlHub.getReceivedMessages()[1]);
        assertTrue(folded.lines().allMatch(l -> l.length() <= 998), folded);
        assertEquals(body.strip(), folded.replace("\r\n ", ""), "folded by Birlinghoven, CRLF SP inserted");
    }

    @Test
    void aPeerWhoseDiskIsFullRefusesForNowAndTheMailWaitsUntilItHasRoom() throws Exception {
        String full = "queue_minfree = 1EiB\n"; // no disk has an exbibyte free: Birlinghoven's queue is "full"
        birl.restartWith(full, "");
        assertTrue(send(tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "when-there-is-room").startsWith("250"));
        Await.until("Tokyo to keep the message, deferred by Birlinghoven's 452 4.3.1", () -> RelayEndToEndTest
                .deferredErrors(tokyo).stream().anyMatch(e -> e.startsWith("452 4.3.1 ")
                        && e.contains("Insufficient system storage") && e.contains("(at birlinghoven")));
        assertTrue(RelayEndToEndTest.queueIsEmpty(birl), "Birlinghoven queued nothing");
        assertEquals(0, sites.birlHub.getReceivedMessages().length);

        birl.restartWith("", full); // room again: the link comes back and the waiting mail goes
        Await.until("Birlinghoven's hub to receive it", () -> sites.birlHub.getReceivedMessages().length == 1);
        sites.awaitQueuesEmpty();
        assertEquals(1, sites.birlHub.getReceivedMessages().length, "exactly once");
    }

    @Test
    void outsideDomainsGoOutByMxNotThroughTheLink() throws Exception {
        send(tokyo, "taro@tokyo.example", "someone@outside.example", "hello-world");
        Await.until("the outside MX to receive it", () -> sites.internet.received.size() == 1);
        sites.awaitQueuesEmpty();
        assertEquals(0, sites.birlHub.getReceivedMessages().length);
    }

    @Test
    void mailWaitingForADownLinkGoesTheMomentTheLinkIsBack() throws Exception {
        birl.relay.close(); // Birlinghoven goes down
        send(tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "while-you-were-out");
        Await.until("the message to wait with the link's reason", () -> RelayEndToEndTest.deferredErrors(tokyo).stream()
                .anyMatch(e -> e.startsWith("link to birlinghoven down since ")));

        birl.start(); // back: with an hour of backoff, only the link coming up can send it now
        Await.until("Birlinghoven's hub to receive it", () -> sites.birlHub.getReceivedMessages().length == 1);
        sites.awaitQueuesEmpty();
        assertEquals(1, sites.birlHub.getReceivedMessages().length, "exactly once");
    }

    @Test
    void aBurstSurvivesTheReceivingRelayRestartingInTheMiddleExactlyOnce() throws Exception {
        int n = 300;
        TwoSites.burst(tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "burst", n, i -> {
            if (i == n / 3) {
                // Birlinghoven goes down in the middle of the burst, and comes back.
                Await.until("some of the burst to arrive", () -> sites.birlHub.getReceivedMessages().length > 10);
                birl.restart();
            }
        });
        sites.assertExactlyOnce(sites.birlHub, TwoSites.numbered("burst", n));
    }
}
