package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.harness.TwoSites.send;

import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.bench.DelayingProxy;

/**
 * The link between {@link TwoSites} breaking the ways a WAN does, through a {@link DelayingProxy}
 * (20 ms round trip): cut in the middle of a large message and of a burst, either relay restarted
 * mid-burst, a path that freezes silently. Whatever happens, every message arrives exactly once,
 * byte for byte, and mail waiting for the link goes the moment it is back.
 */
class LinkResilienceTest {

    private static final Duration RTT = Duration.ofMillis(20);

    @TempDir
    Path dir;

    private TwoSites sites;

    @AfterEach
    void stop() {
        if (sites != null) {
            sites.close();
        }
    }

    @Test
    void aLargeMessageCutInTheMiddleArrivesOnceByteForByteAndSmallOnesSentMeanwhileToo() throws Exception {
        sites = TwoSites.throughProxy(dir, "message_size_limit = 64M\n", RTT);
        DelayingProxy wan = sites.proxy;
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long size = sendLarge(sites.tokyo, 24_000_000, sent);
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "small-0").startsWith("250"));

        long third = size / 3;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (wan.bytesForward() <= third && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // the message crosses in about a second: polling could miss the middle
        }
        wan.freeze(true); // nothing more gets through: the cut is in the middle for sure
        long crossed = wan.bytesForward();
        wan.refuseNew(true);
        wan.cut();
        wan.freeze(false);
        assertTrue(crossed < size, "cut after " + crossed + " of " + size + " octets");
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "small-1").startsWith("250"));
        Thread.sleep(1000); // the path stays down for a second
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "small-2").startsWith("250"));
        wan.refuseNew(false);

        TwoSites.assertExactlyOnce(sites.birlHub, List.of("large", "small-0", "small-1", "small-2"));
        assertArrivedByteForByte("large", size, sent);
        assertTrue(wan.connections() >= 2, "the link came back over a new connection");
        Await.until("both queues to be empty", () -> RelayEndToEndTest.queueIsEmpty(sites.tokyo)
                && RelayEndToEndTest.queueIsEmpty(sites.birl));
    }

    @Test
    void aBurstOfAThousandCutThreeTimesArrivesExactlyOnce() throws Exception {
        sites = TwoSites.throughProxy(dir, "", RTT);
        int n = 1000;
        TwoSites.burst(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "burst", n, i -> {
            if (i == 250 || i == 500 || i == 750) {
                sites.proxy.cut();
            }
        });
        TwoSites.assertExactlyOnce(sites.birlHub, TwoSites.numbered("burst", n));
        assertTrue(sites.proxy.connections() >= 2, "the link came back over a new connection");
        Await.until("both queues to be empty", () -> RelayEndToEndTest.queueIsEmpty(sites.tokyo)
                && RelayEndToEndTest.queueIsEmpty(sites.birl));
    }

    @Test
    void aBurstSurvivesTheSendingRelayRestartingWhileItsMailIsOnTheLink() throws Exception {
        // A long round trip keeps messages on the link, offered and without their RESULT, when Tokyo stops.
        sites = TwoSites.throughProxy(dir, "", Duration.ofMillis(100));
        int n = 300;
        TwoSites.burst(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "first", n / 2, i -> { });
        int queuedAtRestart = sites.tokyo.relay.queue().all().size();
        sites.tokyo.restart(); // same spool: what it had not handed over is still its to send
        TwoSites.burst(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "second", n / 2, i -> { });

        List<String> all = new ArrayList<>(TwoSites.numbered("first", n / 2));
        all.addAll(TwoSites.numbered("second", n / 2));
        TwoSites.assertExactlyOnce(sites.birlHub, all);
        assertTrue(queuedAtRestart > 0, "mail was still on its way when Tokyo stopped");
        Await.until("both queues to be empty", () -> RelayEndToEndTest.queueIsEmpty(sites.tokyo)
                && RelayEndToEndTest.queueIsEmpty(sites.birl));
    }

    @Test
    void keepaliveNoticesAFrozenPathAndTheWaitingMailGoesWhenItThaws() throws Exception {
        sites = TwoSites.throughProxy(dir, "keepalive_interval = 1s\nkeepalive_count = 3\n", RTT);
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "before").startsWith("250"));
        Await.until("the first message to cross", () -> sites.birlHub.getReceivedMessages().length == 1);

        String presumedDead = "link to relay.birlinghoven.example down: the peer sent nothing for ";
        try (LinkLog log = LinkLog.capture()) {
            long frozenAt = System.currentTimeMillis();
            sites.proxy.freeze(true); // the peer's host hangs: the connection stays open, nothing comes back
            Await.until("Tokyo to give the link up", () -> log.first(presumedDead).isPresent());
            long noticedAfter = log.first(presumedDead).orElseThrow().millis() - frozenAt;
            System.err.println("keepalive: the frozen link was declared down after " + noticedAfter
                    + " ms (keepalive_interval 1 s, keepalive_count 3)");
            assertTrue(noticedAfter < 15_000, "declared down after " + noticedAfter + " ms: " + log.lines());
            assertTrue(log.first(presumedDead).orElseThrow().text().endsWith("(3 keepalive intervals): presumed dead"),
                    log.lines().toString());
        }

        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "during").startsWith("250"));
        Await.until("the message to wait, saying why", () -> RelayEndToEndTest.deferredErrors(sites.tokyo).stream()
                .anyMatch(e -> e.startsWith("link to birlinghoven down since ") && e.contains("presumed dead")));
        String reason = RelayEndToEndTest.deferredErrors(sites.tokyo).get(0);
        assertTrue(reason.matches("link to birlinghoven down since \\S+ \\(the peer sent nothing for \\d+ ms "
                + "\\(3 keepalive intervals\\): presumed dead\\)"), reason);

        sites.proxy.freeze(false);
        TwoSites.assertExactlyOnce(sites.birlHub, List.of("before", "during"));
        Await.until("Tokyo's queue to be empty", () -> RelayEndToEndTest.queueIsEmpty(sites.tokyo));
    }

    @Test
    void keepaliveNoticesAHungPeerEvenWhileALargeMessageIsStuckGoingToIt() throws Exception {
        sites = TwoSites.throughLoopbackPath(dir, "message_size_limit = 64M\nkeepalive_interval = 1s\nkeepalive_count = 3\n");
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long size = sendLarge(sites.tokyo, 12_000_000, sent);
        long third = size / 3;
        Await.until("a third of the large message to cross", () -> sites.loopbackPath.bytesForward() > third);

        String presumedDead = "link to relay.birlinghoven.example down: the peer sent nothing for ";
        try (LinkLog log = LinkLog.capture()) {
            long hungAt = System.currentTimeMillis();
            sites.loopbackPath.hang(true); // Birlinghoven's host freezes: Tokyo's writes block with a full window
            Await.until("Tokyo to give the link up", () -> log.first(presumedDead).isPresent());
            long noticedAfter = log.first(presumedDead).orElseThrow().millis() - hungAt;
            System.err.println("keepalive: the hung link was declared down after " + noticedAfter
                    + " ms (keepalive_interval 1 s, keepalive_count 3)");
            assertTrue(noticedAfter < 15_000, "declared down after " + noticedAfter + " ms: " + log.lines());
        }
        sites.loopbackPath.hang(false);
        TwoSites.assertExactlyOnce(sites.birlHub, List.of("large"));
        assertArrivedByteForByte("large", size, sent);
        Await.until("Tokyo's queue to be empty", () -> RelayEndToEndTest.queueIsEmpty(sites.tokyo));
    }

    @Test
    void aLargeMessageOverAThinLineIsNotMistakenForADeadPeer() throws Exception {
        sites = TwoSites.throughLoopbackPath(dir, "message_size_limit = 64M\nkeepalive_interval = 1s\nkeepalive_count = 3\n");
        sites.loopbackPath.limit(1_000_000); // 8 Mbit/s: the message takes 5 s, a silent peer is given up after 3 s
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        try (LinkLog log = LinkLog.capture()) {
            long size = sendLarge(sites.tokyo, 5_000_000, sent);
            TwoSites.assertExactlyOnce(sites.birlHub, List.of("large"));
            assertArrivedByteForByte("large", size, sent);
            assertEquals(List.of(), log.lines().stream().filter(l -> l.text().contains("presumed dead")).toList());
        }
    }

    @Test
    void aDialerWhoseConnectionWasForgottenOnTheWayIsLetInAgainAtOnce() throws Exception {
        // A long keepalive: Birlinghoven cannot find out by itself within the test's patience.
        sites = TwoSites.throughLoopbackPath(dir, "keepalive_interval = 20s\n");
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "before").startsWith("250"));
        Await.until("the first message to cross", () -> sites.birlHub.getReceivedMessages().length == 1);

        sites.loopbackPath.forgetDialers(); // Tokyo's NAT box reboots: Tokyo sees a reset, Birlinghoven nothing
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "after").startsWith("250"));
        TwoSites.assertExactlyOnce(sites.birlHub, List.of("before", "after"));
    }

    /**
     * A message "large" from Taro to Bob of about {@code octets} octets of {@link LargeContent},
     * into {@code digest}; returns the octets of its body.
     */
    private static long sendLarge(TestSite site, long octets, MessageDigest digest) throws Exception {
        byte[] header = ("From: Taro <taro@tokyo.example>\r\n"
                + "To: Bob <bob@birlinghoven.example>\r\n"
                + "Subject: large\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        long size;
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            c.send("EHLO client.tokyo.example").expect("250");
            c.send("MAIL FROM:<taro@tokyo.example> SIZE=" + octets).expect("250");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw(header);
            size = LargeContent.write(c, octets, digest);
            c.send(".").expect("250 2.0.0");
        }
        return size;
    }

    /** The message with this subject at Birlinghoven's hub has the body sent, and the link's trace header. */
    private void assertArrivedByteForByte(String subject, long size, MessageDigest sent) throws Exception {
        MimeMessage m = Stream.of(sites.birlHub.getReceivedMessages())
                .filter(x -> TwoSites.subject(x).equals(subject)).findFirst().orElseThrow();
        MessageDigest arrived = MessageDigest.getInstance("SHA-256");
        long length = 0;
        try (InputStream body = m.getRawInputStream()) {
            byte[] buf = new byte[65_536];
            for (int n; (n = body.read(buf)) > 0; ) {
                arrived.update(buf, 0, n);
                length += n;
            }
        }
        // GreenMail takes the CRLF that ends the last line for part of the CRLF.CRLF terminator.
        arrived.update("\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(size, length + 2, "octets of the body");
        HexFormat hex = HexFormat.of();
        assertEquals(hex.formatHex(sent.digest()), hex.formatHex(arrived.digest()), "SHA-256 of the body");
        String headers = String.join("\n", java.util.Collections.list(m.getAllHeaderLines()));
        assertTrue(headers.contains("by relay.birlinghoven.example (Wormhole) with WORMHOLE-LINK id "), headers);
        assertTrue(headers.contains("To: Bob <bob@birlinghoven.example>"), headers);
    }
}
