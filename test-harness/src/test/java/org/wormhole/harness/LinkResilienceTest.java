package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.harness.TwoSites.send;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.bench.DelayingProxy;
import org.wormhole.testing.Await;

/**
 * The link between {@link TwoSites} broken the ways a WAN breaks it, through a
 * {@link DelayingProxy} (20 ms round trip): cut in the middle of a large message and of a burst,
 * the sending relay restarted mid-burst (the receiving one: {@link TwoSitesTest}), a NAT box that
 * forgets the connection. Whatever happens, every message arrives exactly once, byte for byte,
 * and mail waiting for the link goes the moment it is back. Silent failures: {@link LinkKeepaliveTest}.
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
        LinkLog log = LinkLog.capture();
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long size = sites.sendLarge(24_000_000, sent);
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "small-0").startsWith("250"));

        wan.freezeForwardAfter(size / 3); // the proxy stops the path itself: the cut is in the middle for sure
        Await.until("the path to freeze a third of the way", wan::frozen);
        long dialsFailed = dialsFailed(log);
        long crossed = wan.bytesForward();
        wan.refuseNew(true);
        wan.cut();
        wan.freeze(false);
        assertTrue(crossed < size, "cut after " + crossed + " of " + size + " octets");
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "small-1").startsWith("250"));
        // The path stays down until Tokyo has dialed into it and been turned away.
        Await.until("Tokyo to dial again and find the path down", () -> dialsFailed(log) > dialsFailed);
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "small-2").startsWith("250"));
        wan.refuseNew(false);

        sites.assertExactlyOnce(sites.birlHub, List.of("large", "small-0", "small-1", "small-2"));
        sites.assertArrivedByteForByte("large", size, sent);
        assertTrue(wan.connections() >= 2, "the link came back over a new connection");

        // Both sides call the cut a lost connection (mid-frame or not), never a protocol violation.
        log.close();
        List<String> downs = log.lines().stream().map(LinkLog.Line::text).filter(t -> t.startsWith("link to ") && t.contains(" down: ") && !t.contains("relay stopping")).toList();
        assertTrue(downs.size() >= 2 && downs.stream().allMatch(t -> t.contains(" down: connection lost (")), downs.toString());
    }

    /** How many times Tokyo's dialing Birlinghoven failed, by the log. */
    private static long dialsFailed(LinkLog log) {
        return log.lines().stream().map(LinkLog.Line::text)
                .filter(t -> t.startsWith("link to birlinghoven (") && t.contains(" not up: ")).count();
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
        sites.assertExactlyOnce(sites.birlHub, TwoSites.numbered("burst", n));
        assertTrue(sites.proxy.connections() >= 2, "the link came back over a new connection");
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
        sites.assertExactlyOnce(sites.birlHub, all);
        assertTrue(queuedAtRestart > 0, "mail was still on its way when Tokyo stopped");
    }

    @Test
    void aDialerWhoseConnectionWasForgottenOnTheWayIsLetInAgainAtOnce() throws Exception {
        // A long keepalive: Birlinghoven cannot find out by itself within the test's patience.
        sites = TwoSites.throughLoopbackPath(dir, "keepalive_interval = 20s\n");
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "before").startsWith("250"));
        Await.until("the first message to cross", () -> sites.birlHub.getReceivedMessages().length == 1);

        sites.loopbackPath.forgetDialers(); // Tokyo's NAT box reboots: Tokyo sees a reset, Birlinghoven nothing
        assertTrue(send(sites.tokyo, "taro@tokyo.example", "bob@birlinghoven.example", "after").startsWith("250"));
        sites.assertExactlyOnce(sites.birlHub, List.of("before", "after"));
    }
}
