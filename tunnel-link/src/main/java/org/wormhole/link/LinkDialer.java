package org.wormhole.link;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * Keeps the link to one peer this side dials up: dials it, and once its link is down (the
 * {@link SessionRegistry} says so) dials again at once, then with exponential backoff and jitter,
 * capped; a busy listener is dialed again soon, a refused key is logged as a warning.
 */
final class LinkDialer {

    private static final Logger log = LoggerFactory.getLogger("link");

    private final SiteIdentity self;
    private final LinkEndpoint.Peer peer;
    private final LinkEndpoint.Settings settings;
    private final SessionRegistry registry;
    private final LinkEndpoint.Events events;
    private final Clock clock;
    private final LinkTls tls;
    private final Thread thread;
    private volatile boolean stopped;

    LinkDialer(SiteIdentity self, LinkEndpoint.Peer peer, LinkEndpoint.Settings settings, SessionRegistry registry,
               LinkEndpoint.Events events, Clock clock) throws GeneralSecurityException {
        this.self = self;
        this.peer = peer;
        this.settings = settings;
        this.registry = registry;
        this.events = events;
        this.clock = clock;
        this.tls = new LinkTls(self, peer.pins(), (offered, why) -> { }); // dialLoop logs a refusal
        this.thread = new Thread(this::dialLoop, "link-dial-" + peer.name());
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Stops dialing (the registry, closed or told the peer's new settings first, keeps no link
     * the dialer may still make).
     */
    void stop() {
        stopped = true;
        thread.interrupt();
    }

    /** Dials the peer: TCP, then TLS with its pins; the socket once its handshake is done. */
    private SSLSocket connect(AdmissionSocket plain) throws IOException {
        plain.connect(new InetSocketAddress(InetAddress.getByName(peer.host()), peer.port()),
                (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()));
        plain.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.handshakeTimeout().toMillis()));
        // Every frame is flushed as it is complete; with Nagle's algorithm a small frame
        // (END, RESULT) waits for the ACK of the previous segment, one more round trip
        // per message on a WAN link.
        plain.setTcpNoDelay(true);
        SSLSocket s = tls.clientSide(plain, peer.host());
        s.startHandshake();
        plain.handshakeDone();
        s.setSoTimeout(0);
        return s;
    }

    /**
     * Once a link this side dialed is up: joins as many more connections to it as both sides
     * allow (PROTOCOL.md "Lanes"), one after the other. A lane that cannot join is logged and the
     * link carries on with those it has; the link going down stops the joining.
     */
    private void joinLanes(LinkSession link) {
        int wanted = settings.session().lanes() - 1;
        if (wanted < 1 || link.version() < LinkSession.LANES_VERSION) {
            return;
        }
        Frame.Lanes offer;
        try {
            offer = link.lanesOffered().get(settings.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return; // the listener takes no lanes (one that does offers them right after HELLO)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        for (int i = 1; i <= Math.min(wanted, offer.lanes()) && link.isOpen() && !stopped && !registry.isClosed(); i++) {
            AdmissionSocket plain = new AdmissionSocket();
            try {
                Lane lane = Lane.over(connect(plain), i);
                Frame.Join join = new Frame.Join(offer.token(), i);
                Greeting.join(lane, settings.session(), join);
                if (!link.join(lane, join)) {
                    lane.close(); // the link went down meanwhile
                }
            } catch (IOException | ProtocolViolation e) {
                try {
                    plain.close();
                } catch (IOException ignored) {
                    // gone
                }
                log.info("link to {}: lane {} not joined: {}; carrying on with {} connection(s)", peer.name(), i,
                        HandshakeFailure.of(e) instanceof HandshakeFailure.Other o ? o.message() : e.getMessage(),
                        link.lanes());
                return;
            }
        }
    }

    private void dialLoop() {
        long backoff = settings.initialBackoff().toMillis();
        while (!stopped && !registry.isClosed()) {
            try {
                if (registry.awaitDown(peer.name())) {
                    backoff = settings.initialBackoff().toMillis();
                    continue; // closing, or a link the peer dialed may be up meanwhile: look again
                }
            } catch (InterruptedException e) {
                return; // stopped
            }
            AdmissionSocket plain = new AdmissionSocket(); // a refused key: read the listener's flight, then close
            try {
                LinkSession link = registry.register(peer, connect(plain), true);
                backoff = settings.initialBackoff().toMillis();
                if (link != null) {
                    joinLanes(link);
                }
            } catch (IOException | ProtocolViolation e) {
                try {
                    plain.close(); // not a link (a session that started closes itself)
                } catch (IOException ignored) {
                    // gone
                }
                HandshakeFailure f = HandshakeFailure.of(e);
                String at = peer.host() + ":" + peer.port();
                String why;
                boolean refusal = true;
                if (f instanceof HandshakeFailure.RefusedByPeer r) {
                    why = RefusalReasons.theyRefused(self, r);
                    events.keyRefused(peer, new KeyRefusal(KeyRefusal.RefusedBy.THE_PEER, self.pin(), clock.instant(), at));
                } else if (f instanceof HandshakeFailure.RefusedHere r) {
                    why = "this side refused the peer's key " + r.refusal().pin() + ": it is not among the pins of "
                            + peer.name() + " here " + RefusalReasons.sorted(peer.pins());
                    events.keyRefused(peer, new KeyRefusal(KeyRefusal.RefusedBy.THIS_SIDE, r.refusal().pin(),
                            clock.instant(), at));
                } else {
                    refusal = false;
                    why = f instanceof HandshakeFailure.Busy
                            ? "the peer's link port is busy (all its handshake slots are taken: a flood?)"
                            : ((HandshakeFailure.Other) f).message();
                }
                // Busy is no verdict on this side: dial again soon, the next try will likely get in.
                boolean busy = f instanceof HandshakeFailure.Busy;
                if (refusal || busy) {
                    events.handshakeRefused(HandshakeRefusal.of(f, false));
                }
                long base = busy ? settings.initialBackoff().toMillis() : backoff;
                long wait = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
                if (refusal) {
                    log.warn("link to {} ({}) not up: {}; next try in {} ms", peer.name(), at, why, wait);
                } else {
                    log.info("link to {} ({}) not up: {}; next try in {} ms", peer.name(), at, why, wait);
                }
                events.dialFailed(peer, why);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = busy ? settings.initialBackoff().toMillis() : Math.min(settings.maxBackoff().toMillis(), backoff * 2);
            }
        }
    }
}
