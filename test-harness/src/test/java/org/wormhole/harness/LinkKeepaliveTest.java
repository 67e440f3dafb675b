package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.harness.TwoSites.send;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.bench.DelayingProxy;
import org.wormhole.testing.Await;

/**
 * The link's keepalive (PING every second, a peer silent for three seconds is dead) between
 * {@link TwoSites} when the path fails silently: it freezes ({@link DelayingProxy}), or the peer's
 * host hangs while a large message is being written to it ({@link LoopbackPath}); and when it is
 * only slow: a large message over a thin line is no sign of a dead peer. The time to notice is
 * printed, not asserted beyond a generous bound.
 */
class LinkKeepaliveTest {

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
    void keepaliveNoticesAFrozenPathAndTheWaitingMailGoesWhenItThaws() throws Exception {
        sites = TwoSites.throughProxy(dir, "keepalive_interval = 1s\nkeepalive_count = 3\n", RTT);
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "before").startsWith("250"));
        Await.until("the first message to cross", () -> sites.birlHub.getReceivedMessages().length == 1);

        String presumedDead = "link to birlinghoven (relay.birlinghoven.example) down: the peer sent nothing for ";
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
        sites.assertExactlyOnce(sites.birlHub, List.of("before", "during"));
        Await.until("Tokyo's queue to be empty", () -> RelayEndToEndTest.queueIsEmpty(sites.tokyo));
    }

    @Test
    void keepaliveNoticesAHungPeerEvenWhileALargeMessageIsStuckGoingToIt() throws Exception {
        sites = TwoSites.throughLoopbackPath(dir, "message_size_limit = 64M\nkeepalive_interval = 1s\nkeepalive_count = 3\n");
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long size = sites.sendLarge(12_000_000, sent);
        long third = size / 3;
        Await.until("a third of the large message to cross", () -> sites.loopbackPath.bytesForward() > third);

        String presumedDead = "link to birlinghoven (relay.birlinghoven.example) down: the peer sent nothing for ";
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
        sites.assertExactlyOnce(sites.birlHub, List.of("large"));
        sites.assertArrivedByteForByte("large", size, sent);
        Await.until("Tokyo's queue to be empty", () -> RelayEndToEndTest.queueIsEmpty(sites.tokyo));
    }

    @Test
    void aLargeMessageOverAThinLineIsNotMistakenForADeadPeer() throws Exception {
        sites = TwoSites.throughLoopbackPath(dir, "message_size_limit = 64M\nkeepalive_interval = 1s\nkeepalive_count = 3\n");
        sites.loopbackPath.limit(1_000_000); // 8 Mbit/s: the message takes 5 s, a silent peer is given up after 3 s
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        try (LinkLog log = LinkLog.capture()) {
            long size = sites.sendLarge(5_000_000, sent);
            sites.assertExactlyOnce(sites.birlHub, List.of("large"));
            sites.assertArrivedByteForByte("large", size, sent);
            assertEquals(List.of(), log.lines().stream().filter(l -> l.text().contains("presumed dead")).toList());
        }
    }
}
