package org.wormhole.link;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSocket;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * An endpoint's open links, one per peer: greets over an authenticated socket, keeps the link
 * unless it duplicates one (the connection dialed by the lower pin wins), gives it a courier when
 * there is a custodian, tells the relay's {@link LinkEndpoint.Events} of links up and down, and
 * wakes a {@link LinkDialer} waiting for its peer's link to go down. It knows the peers as last
 * configured ({@link #peers}): a link to a peer that is no longer configured, or to an old version
 * of one (its pins or address changed meanwhile), is refused.
 *
 * <p>Thread-safe.
 */
final class SessionRegistry {

    private final SiteIdentity self;
    private final String siteName;
    private final SessionSettings settings;
    private final Custodian custodian; // null: no custody transfer, mail frames go to Events.frame
    private final LinkEndpoint.Events events;
    private final LongSupplier nanos;
    /** The monitor of registration and closing; notified whenever a peer's link goes down. */
    private final Map<String, LinkSession> sessions = new ConcurrentHashMap<>();
    private final Map<LinkSession, LinkCourier> couriers = new ConcurrentHashMap<>();
    private final Map<String, LinkTraffic> traffic = new ConcurrentHashMap<>();
    private final Map<String, LinkEndpoint.Peer> configured = new ConcurrentHashMap<>(); // changed under sessions
    private final Set<LinkSession> dialed = ConcurrentHashMap.newKeySet(); // the open sessions this side dialed
    private volatile boolean closed;

    SessionRegistry(SiteIdentity self, String siteName, List<LinkEndpoint.Peer> peers, SessionSettings settings,
                    Custodian custodian, LinkEndpoint.Events events, LongSupplier nanos) {
        this.self = self;
        this.siteName = siteName;
        this.settings = settings;
        this.custodian = custodian;
        this.events = events;
        this.nanos = nanos;
        peers(peers);
    }

    /**
     * The peers from now on: a peer not among them, or a different version of one, gets no link
     * from a connection registered after this (an open link is closed by {@link #closeLink}).
     * A removed peer's traffic counts are dropped; a changed peer's carry on.
     */
    void peers(List<LinkEndpoint.Peer> peers) {
        synchronized (sessions) {
            configured.clear();
            peers.forEach(p -> configured.put(p.name(), p));
            traffic.keySet().retainAll(configured.keySet());
            peers.forEach(p -> traffic.putIfAbsent(p.name(), new LinkTraffic()));
        }
    }

    /** Closes the open link to {@code peer}, if any, with GOODBYE {@code reason}; its dialer, if waiting, dials again. */
    void closeLink(String peer, String reason) {
        LinkSession s = sessions.get(peer);
        if (s != null) {
            s.close(reason, true);
        }
    }

    /** The open link to {@code peer}, if any. */
    Optional<LinkSession> session(String peer) {
        LinkSession s = sessions.get(peer);
        return s != null && s.isOpen() ? Optional.of(s) : Optional.empty();
    }

    /** The courier of the open link to {@code peer}, if any; always empty without a custodian. */
    Optional<LinkCourier> courier(String peer) {
        return session(peer).map(couriers::get);
    }

    /** The mail carried over the links to {@code peer} (zeros for an unknown peer). */
    LinkTraffic.Counts traffic(String peer) {
        LinkTraffic t = traffic.get(peer);
        return t == null ? new LinkTraffic().counts() : t.counts();
    }

    /** Whether the endpoint is closing: no link is kept any more. */
    boolean isClosed() {
        return closed;
    }

    /**
     * Waits while there is an open link to {@code peer}, until it goes down or this registry
     * closes; true if there was one to wait for.
     */
    boolean awaitDown(String peer) throws InterruptedException {
        boolean waited = false;
        synchronized (sessions) {
            while (!closed && session(peer).isPresent()) {
                waited = true;
                sessions.wait();
            }
        }
        return waited;
    }

    /**
     * Greets over an authenticated socket and makes it the peer's link, unless a link already
     * exists and this one loses the tie-break (the connection dialed by the lower pin wins).
     */
    LinkSession register(LinkEndpoint.Peer peer, SSLSocket socket, boolean dialedByUs)
            throws IOException, ProtocolViolation {
        Lane first = Lane.over(socket, 0);
        Greeting.Greeted greeted = Greeting.exchange(socket, first.in, first.writer, siteName, settings);
        if (greeted instanceof Greeting.Joining joining) {
            joinLane(peer, first, joining.join(), dialedByUs);
            return null;
        }
        LinkSession session = LinkSession.start(first, (Greeting.Agreed) greeted, settings, link -> {
            link.nameInLogs(peer.name());
            if (dialedByUs) {
                dialed.add(link);
            }
            LinkCourier courier = custodian == null ? null : new LinkCourier(link, peer.name(), custodian,
                    traffic.computeIfAbsent(peer.name(), n -> new LinkTraffic()));
            if (courier != null) {
                couriers.put(link, courier);
            }
            return new LinkSession.Listener() {
                @Override
                public void frame(LinkSession s, Frame f) {
                    if (courier != null) {
                        courier.frame(s, f);
                    } else {
                        events.frame(peer, s, f);
                    }
                }

                @Override
                public void open(LinkSession s, StreamOpening request) {
                    events.streamRequested(peer, request);
                }

                @Override
                public void down(LinkSession s, String reason) {
                    dialed.remove(s);
                    boolean wasTheLink;
                    try {
                        if (courier != null) {
                            couriers.remove(s);
                            courier.down(s, reason);
                        }
                    } finally {
                        synchronized (sessions) { // the peer's dialer, if waiting, dials again
                            wasTheLink = sessions.remove(peer.name(), s);
                            sessions.notifyAll();
                        }
                    }
                    // A connection the peer closed as the duplicate of one it keeps is no outage:
                    // the kept connection registers here a moment later.
                    if (wasTheLink && !reason.endsWith("duplicate link")) {
                        events.down(peer, reason);
                    }
                }
            };
        }, nanos);
        LinkSession loser = null;
        String why = "duplicate link";
        synchronized (sessions) {
            LinkSession existing = sessions.get(peer.name());
            if (closed) { // admitted or dialed while this endpoint was closing: never take mail for a stopped relay
                loser = session;
                why = "relay stopping";
            } else if (!peer.equals(configured.get(peer.name()))) { // removed or changed while it greeted
                loser = session;
                why = "peer no longer configured so here";
            } else if (existing != null && existing.isOpen()) {
                String mine = self.pin().value();
                String theirs = peer.pins().stream().map(Pin::value).sorted().findFirst().orElse("");
                // Dialed by the same side as the existing one: that side has given up the old
                // connection (e.g. a NAT box forgot it, and this side has not noticed yet), so the
                // new one replaces it. Dialed by the other side: both dialed at once, the tie-break.
                boolean sameDialer = dialedByUs == dialed.contains(existing);
                boolean keepNew = sameDialer || dialedByUs == (mine.compareTo(theirs) < 0);
                if (keepNew) {
                    loser = existing;
                    sessions.put(peer.name(), session);
                } else {
                    loser = session;
                }
            } else {
                sessions.put(peer.name(), session);
            }
        }
        if (loser != null) {
            sessions.remove(peer.name(), loser);
            loser.close(why, true);
        }
        if (loser != session) {
            events.up(peer, session);
            return session;
        }
        return null;
    }

    /**
     * A connection from the peer joins its link as a lane: only a link this side accepted (the
     * peer dialed it), only with its token, only a lane it offered and does not have yet.
     *
     * @throws ProtocolViolation it names no such link or lane (the peer is told; the connection is not taken)
     */
    private void joinLane(LinkEndpoint.Peer peer, Lane lane, Frame.Join join, boolean dialedByUs)
            throws IOException, ProtocolViolation {
        LinkSession link = sessions.get(peer.name());
        if (dialedByUs || link == null || dialed.contains(link) || !link.join(lane, join)) {
            lane.writer.writeNow(LinkSession.goodbye("no such link or lane to join"));
            throw new ProtocolViolation("a JOIN as lane " + join.lane() + " of no link or lane this side offered");
        }
    }

    /** Keeps no link any more (a dialer waiting for one to go down stops waiting) and closes the open ones. */
    void close() {
        synchronized (sessions) {
            closed = true;
            sessions.notifyAll();
        }
        sessions.values().forEach(s -> s.close("relay stopping", true));
        sessions.clear();
    }
}
