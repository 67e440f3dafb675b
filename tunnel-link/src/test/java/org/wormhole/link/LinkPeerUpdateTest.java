package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.testing.Await;

/**
 * A hub's peers change while its links run ({@link LinkEndpoint#updatePeers}): Paris is added and
 * removed, Tokyo re-pinned, Paris re-addressed; the link of the peer that did not change stays up
 * (the same session, never reported down).
 */
class LinkPeerUpdateTest {

    private static final LinkEndpoint.Settings FAST = new LinkEndpoint.Settings(
            new SessionSettings(Duration.ofMillis(200), 3, 64, Duration.ofSeconds(5)),
            Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(2));

    @TempDir
    Path dir;

    private SiteIdentity birlinghoven;
    private SiteIdentity tokyo;
    private SiteIdentity paris;
    private final List<LinkEndpoint> endpoints = new CopyOnWriteArrayList<>();

    @BeforeEach
    void identities() throws Exception {
        birlinghoven = SiteIdentity.generate(dir.resolve("birlinghoven"), "birlinghoven", Duration.ofDays(30));
        tokyo = SiteIdentity.generate(dir.resolve("tokyo"), "tokyo", Duration.ofDays(30));
        paris = SiteIdentity.generate(dir.resolve("paris"), "paris", Duration.ofDays(30));
    }

    @AfterEach
    void close() {
        endpoints.forEach(LinkEndpoint::close);
    }

    /** Every link up and down a site hears, as lines. */
    static final class Heard implements LinkEndpoint.Events {
        final List<String> log = new CopyOnWriteArrayList<>();

        @Override
        public void up(LinkEndpoint.Peer peer, LinkSession session) {
            log.add("up " + peer.name());
        }

        @Override
        public void down(LinkEndpoint.Peer peer, String reason) {
            log.add("down " + peer.name() + ": " + reason);
        }

        boolean heard(String prefix) {
            return log.stream().anyMatch(l -> l.startsWith(prefix));
        }
    }

    private LinkEndpoint site(SiteIdentity id, String name, List<LinkEndpoint.Peer> peers, Heard heard, boolean listen)
            throws Exception {
        LinkEndpoint e = new LinkEndpoint(id, name, peers, FAST, heard);
        endpoints.add(e);
        if (listen) {
            e.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        e.start();
        return e;
    }

    private static LinkEndpoint.Peer accepted(String name, SiteIdentity id) {
        return new LinkEndpoint.Peer(name, "127.0.0.1", 1, Set.of(id.pin()), false);
    }

    private static LinkEndpoint.Peer dialed(String name, SiteIdentity id, int port) {
        return new LinkEndpoint.Peer(name, "127.0.0.1", port, Set.of(id.pin()), true);
    }

    @Test
    void aPeerAddedGetsItsLinkAndOneRemovedLosesItWhileTokyosLinkStaysUp() throws Exception {
        Heard hubHeard = new Heard();
        Heard parisHeard = new Heard();
        LinkEndpoint hub = site(birlinghoven, "birlinghoven", List.of(accepted("tokyo", tokyo)), hubHeard, true);
        site(tokyo, "tokyo", List.of(dialed("birlinghoven", birlinghoven, hub.boundPort())), new Heard(), false);
        Await.until("the link to Tokyo", () -> hub.session("tokyo").isPresent());
        LinkSession tokyoLink = hub.session("tokyo").orElseThrow();

        // Paris dials already, but the hub does not know its key yet.
        LinkEndpoint parisSite = site(paris, "paris", List.of(dialed("birlinghoven", birlinghoven, hub.boundPort())),
                parisHeard, false);
        LinkEndpoint.PeerChanges added = hub.updatePeers(List.of(accepted("tokyo", tokyo), accepted("paris", paris)));
        assertEquals(new LinkEndpoint.PeerChanges(List.of("paris"), List.of(), List.of()), added);
        Await.until(() -> "the link to Paris; the hub heard " + hubHeard.log, () -> hub.session("paris").isPresent());

        LinkEndpoint.PeerChanges removed = hub.updatePeers(List.of(accepted("tokyo", tokyo)));
        assertEquals(new LinkEndpoint.PeerChanges(List.of(), List.of("paris"), List.of()), removed);
        assertFalse(hub.session("paris").isPresent(), "Paris's link is closed at once");
        Await.until(() -> "Paris told why; it heard " + parisHeard.log, () -> parisHeard.heard(
                "down birlinghoven: the peer said goodbye: peer removed from the configuration"));
        assertTrue(hub.peers().stream().noneMatch(p -> p.name().equals("paris")));
        assertFalse(parisSite.session("birlinghoven").isPresent(), "Paris redials, and its key is refused now");

        assertSame(tokyoLink, hub.session("tokyo").orElseThrow(), "Tokyo's link is the same session throughout");
        assertFalse(hubHeard.heard("down tokyo"), "Tokyo's link never went down: " + hubHeard.log);
        assertEquals(1, hubHeard.log.stream().filter(l -> l.equals("up tokyo")).count());
    }

    @Test
    void aRepinnedPeerIsLinkedAgainWithItsNewKeyAndTheOldKeyIsRefused() throws Exception {
        Heard hubHeard = new Heard();
        Heard oldTokyoHeard = new Heard();
        LinkEndpoint hub = site(birlinghoven, "birlinghoven",
                List.of(accepted("tokyo", tokyo), accepted("paris", paris)), hubHeard, true);
        LinkEndpoint oldTokyo = site(tokyo, "tokyo", List.of(dialed("birlinghoven", birlinghoven, hub.boundPort())),
                oldTokyoHeard, false);
        site(paris, "paris", List.of(dialed("birlinghoven", birlinghoven, hub.boundPort())), new Heard(), false);
        Await.until("both links", () -> hub.session("tokyo").isPresent() && hub.session("paris").isPresent());
        LinkSession parisLink = hub.session("paris").orElseThrow();

        // Tokyo rolled over to a new key (its relay restarted with it): the hub is given its new pin.
        SiteIdentity newKey = SiteIdentity.generate(dir.resolve("tokyo-new"), "tokyo", Duration.ofDays(30));
        LinkEndpoint.PeerChanges changes = hub.updatePeers(List.of(accepted("tokyo", newKey), accepted("paris", paris)));
        assertEquals(List.of("tokyo"), changes.changed());
        Await.until(() -> "the old key's link closed; Tokyo heard " + oldTokyoHeard.log, () -> oldTokyoHeard.heard(
                "down birlinghoven: the peer said goodbye: peer's configuration changed"));
        oldTokyo.close();
        site(newKey, "tokyo", List.of(dialed("birlinghoven", birlinghoven, hub.boundPort())), new Heard(), false);
        Await.until("the link to Tokyo with its new key", () -> hub.session("tokyo")
                .map(s -> Pin.of(s.peerCertificate()).equals(newKey.pin())).orElse(false));

        assertSame(parisLink, hub.session("paris").orElseThrow(), "Paris's link is the same session throughout");
        assertFalse(hubHeard.heard("down paris"), "Paris's link never went down: " + hubHeard.log);
    }

    @Test
    void aReaddressedPeerIsDialedAtItsNewAddress() throws Exception {
        Heard hubHeard = new Heard();
        LinkEndpoint oldParis = site(paris, "paris", List.of(accepted("birlinghoven", birlinghoven)), new Heard(), true);
        LinkEndpoint hub = site(birlinghoven, "birlinghoven",
                List.of(accepted("tokyo", tokyo), dialed("paris", paris, oldParis.boundPort())), hubHeard, true);
        site(tokyo, "tokyo", List.of(dialed("birlinghoven", birlinghoven, hub.boundPort())), new Heard(), false);
        Await.until("both links", () -> hub.session("tokyo").isPresent() && hub.session("paris").isPresent());
        LinkSession tokyoLink = hub.session("tokyo").orElseThrow();

        // Paris moves to another port (both run for the moment): the hub dials the new one.
        LinkEndpoint newParis = site(paris, "paris", List.of(accepted("birlinghoven", birlinghoven)), new Heard(), true);
        LinkEndpoint.PeerChanges changes = hub.updatePeers(
                List.of(accepted("tokyo", tokyo), dialed("paris", paris, newParis.boundPort())));
        assertEquals(List.of("paris"), changes.changed());
        Await.until("the link to Paris at its new port", () -> newParis.session("birlinghoven").isPresent()
                && hub.session("paris").isPresent());
        assertFalse(oldParis.session("birlinghoven").isPresent(), "the old address's link is closed");

        assertSame(tokyoLink, hub.session("tokyo").orElseThrow());
        assertFalse(hubHeard.heard("down tokyo"), "Tokyo's link never went down: " + hubHeard.log);
        assertTrue(hub.updatePeers(hub.peers()).none(), "the same peers again change nothing");
        assertThrows(IllegalArgumentException.class, () -> hub.updatePeers(
                List.of(accepted("tokyo", tokyo), accepted("tokyo", paris))));
    }
}
