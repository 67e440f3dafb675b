package org.wormhole.link;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.wormhole.link.wire.Frame;

/**
 * This site's end of its links: it keeps one link up to every configured peer, dialing the peers
 * it is told to dial (reconnecting with exponential backoff and jitter, capped) and accepting the
 * others on its listening port. If both sides dial at once, the connection dialed by the side
 * whose pin sorts first is kept and the other is closed with {@code GOODBYE "duplicate link"}.
 *
 * <p>Its parts: a {@link LinkListener} (the listening port, its handshake slots and deadline), a
 * {@link LinkDialer} per peer this side dials (redialing with backoff once the link is down), and
 * the {@link SessionRegistry} of open links that both hand their connections to.
 *
 * <p>The peers can change while it runs ({@link #updatePeers}): a peer added gets a link, a peer
 * removed loses its link, a peer whose pins, address or dialing changed gets a new link with the
 * new settings, and the links of the peers that did not change stay up.
 *
 * <p>Thread-safe.
 */
public final class LinkEndpoint implements AutoCloseable {

    /**
     * A configured peer.
     *
     * @param name the peer's name in the configuration (and in {@code tsmtp:NAME})
     * @param host where to dial it
     * @param port its link port
     * @param pins its accepted keys (two during a rollover)
     * @param dial whether this side dials it (a branch behind NAT is never dialed)
     */
    public record Peer(String name, String host, int port, Set<Pin> pins, boolean dial) {
        public Peer {
            pins = Set.copyOf(pins);
        }
    }

    /**
     * What {@link #updatePeers} changed, each list by peer name in the order of the new (added,
     * changed) or old (removed) list.
     *
     * @param added   peers that were not configured: their links are being made
     * @param removed peers no longer configured: their links were closed with GOODBYE
     * @param changed peers whose pins, address, port or dialing changed: their links were closed
     *                with GOODBYE and are being made again with the new settings
     */
    public record PeerChanges(List<String> added, List<String> removed, List<String> changed) {
        public PeerChanges {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
            changed = List.copyOf(changed);
        }

        /** True when the new list was the same as the old one: no link was touched. */
        public boolean none() {
            return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
        }
    }

    /**
     * Reconnect and session settings.
     *
     * @param handshakeTimeout how long an accepted connection may take for its TLS handshake and
     *                         HELLO in all (the peer is a machine: a few seconds); a dialer's reads
     *                         in its handshake wait as long
     */
    public record Settings(SessionSettings session, Duration initialBackoff, Duration maxBackoff,
                           Duration connectTimeout, Duration handshakeTimeout) {

        /** The default {@code link_handshake_timeout}. */
        public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);

        /** With the default handshake timeout, or the hello timeout if shorter. */
        public Settings(SessionSettings session, Duration initialBackoff, Duration maxBackoff,
                        Duration connectTimeout) {
            this(session, initialBackoff, maxBackoff, connectTimeout,
                    session.helloTimeout().compareTo(DEFAULT_HANDSHAKE_TIMEOUT) < 0 ? session.helloTimeout()
                            : DEFAULT_HANDSHAKE_TIMEOUT);
        }

        public static Settings defaults() {
            return new Settings(SessionSettings.defaults(), Duration.ofSeconds(1), Duration.ofSeconds(60),
                    Duration.ofSeconds(10));
        }

        /** The same with another handshake timeout. */
        public Settings withHandshakeTimeout(Duration timeout) {
            return new Settings(session, initialBackoff, maxBackoff, connectTimeout, timeout);
        }
    }

    /** What the relay hears of its links. Called on link threads. */
    public interface Events {
        void up(Peer peer, LinkSession session);

        void down(Peer peer, String reason);

        /** A dial to the peer failed (the link stays down; the next try follows after a backoff). */
        default void dialFailed(Peer peer, String reason) {
        }

        /**
         * A key was refused in a handshake with the peer: by this side (a key not among the peer's
         * pins, from the peer's address or naming the peer in its certificate) or by the peer
         * (it answered this site's certificate with a TLS alert).
         */
        default void keyRefused(Peer peer, KeyRefusal refusal) {
        }

        /**
         * A connection did not become a link: one this side accepted (from a peer or a stranger),
         * or a dial the peer refused or found busy (a dial that fails otherwise is {@link #dialFailed}).
         * Called for every one, also those the log only counts: return at once.
         */
        default void handshakeRefused(HandshakeRefusal why) {
        }

        /**
         * The peer asks for a byte stream to one of this side's services (protocol version 2):
         * accept or refuse it, now or from another thread. By default no service is offered.
         * Called on the link's reader thread: return soon.
         */
        default void streamRequested(Peer peer, StreamOpening request) {
            request.refuse("no such service");
        }

        /** A mail frame, only on an endpoint without a custodian (with one, the link's courier takes them). */
        default void frame(Peer peer, LinkSession session, Frame frame) {
        }
    }

    private final SiteIdentity self;
    private volatile List<Peer> peers; // guarded by this for writes
    private final Settings settings;
    private final Events events;
    private final Clock clock;
    private final SessionRegistry registry;
    private final LinkListener linkListener;
    private final Map<String, LinkDialer> dialers = new LinkedHashMap<>(); // guarded by this
    private boolean started; // guarded by this
    private boolean closed; // guarded by this

    /**
     * An endpoint that transfers custody: every link gets a {@link LinkCourier} that sends this
     * relay's messages ({@link #courier}) and hands the peer's to {@code custodian}.
     */
    public LinkEndpoint(SiteIdentity self, String siteName, List<Peer> peers, Settings settings, Custodian custodian,
                        Events events) {
        this(self, siteName, peers, settings, custodian, events, Clock.systemUTC());
    }

    /** As above, with the clock of refusal times and of the refusal log's intervals. */
    public LinkEndpoint(SiteIdentity self, String siteName, List<Peer> peers, Settings settings, Custodian custodian,
                        Events events, Clock clock) {
        this(self, siteName, peers, settings, custodian, events, clock, System::nanoTime);
    }

    /**
     * As above, with the monotonic time source (nanoseconds, as {@link System#nanoTime}) of every
     * link's keepalive, round trip and rekey age ({@link LinkSession#start(Socket, String,
     * SessionSettings, Function, LongSupplier)}).
     */
    public LinkEndpoint(SiteIdentity self, String siteName, List<Peer> peers, Settings settings, Custodian custodian,
                        Events events, Clock clock, LongSupplier nanos) {
        this.registry = new SessionRegistry(self, siteName, peers, settings.session(), custodian, events, nanos);
        this.linkListener = new LinkListener(self, settings, registry, events, clock);
        this.self = self;
        this.peers = List.copyOf(peers);
        this.settings = settings;
        this.events = events;
        this.clock = clock;
    }

    /** An endpoint that only keeps links up, without custody transfer: mail frames go to {@link Events#frame}. */
    public LinkEndpoint(SiteIdentity self, String siteName, List<Peer> peers, Settings settings, Events events) {
        this(self, siteName, peers, settings, null, events);
    }

    /** Accepts links from the configured peers on {@code address} (port 0: any free port). */
    public synchronized void listen(InetSocketAddress address) throws IOException, GeneralSecurityException {
        linkListener.listen(address, linkListener.admissionFor(peers));
    }

    public int boundPort() {
        return linkListener.boundPort();
    }

    /** Starts dialing the peers this side dials. */
    public synchronized void start() throws GeneralSecurityException {
        Map<String, LinkDialer> made = dialersFor(peers);
        started = true;
        dialers.putAll(made);
        made.values().forEach(LinkDialer::start);
    }

    private Map<String, LinkDialer> dialersFor(List<Peer> dialed) throws GeneralSecurityException {
        Map<String, LinkDialer> made = new LinkedHashMap<>();
        for (Peer p : dialed) {
            if (p.dial()) {
                made.put(p.name(), new LinkDialer(self, p, settings, registry, events, clock));
            }
        }
        return made;
    }

    /** The peers this endpoint keeps links to, as last set. */
    public List<Peer> peers() {
        return peers;
    }

    /**
     * Makes {@code next} the configured peers, while the links run (a relay's reload). A peer
     * whose record is equal to its old one (same name, host, port, pins and dialing) keeps its
     * link untouched; a peer removed, or changed in any of those, has its open link closed with
     * {@code GOODBYE} (the reason says which) and, if it is still configured, a new one made with
     * the new settings: dialed when it is dialed, else accepted once it dials in with one of its
     * new pins. The listener trusts the new set of pins from the next handshake on; a handshake
     * already under way finishes with the old trust, and a peer it authenticates that is no
     * longer configured (or changed meanwhile) is refused. The mail in flight on a closed link is
     * the sender's until its RESULT, as for any link that goes down.
     *
     * @param next the peers, names unique
     * @return what changed
     * @throws GeneralSecurityException the TLS set-up for the new pins failed: nothing was changed
     * @throws IllegalArgumentException two peers have the same name
     * @throws IllegalStateException    the endpoint is closed
     */
    public synchronized PeerChanges updatePeers(List<Peer> next) throws GeneralSecurityException {
        if (closed) {
            throw new IllegalStateException("the link endpoint is closed");
        }
        Map<String, Peer> before = byName(peers);
        Map<String, Peer> after = byName(next);
        List<String> added = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<Peer> toDial = new ArrayList<>();
        for (Peer p : after.values()) {
            Peer was = before.get(p.name());
            if (was == null) {
                added.add(p.name());
                toDial.add(p);
            } else if (!was.equals(p)) {
                changed.add(p.name());
                toDial.add(p);
            }
        }
        List<String> removed = before.keySet().stream().filter(n -> !after.containsKey(n)).toList();
        PeerChanges changes = new PeerChanges(added, removed, changed);
        if (changes.none()) {
            return changes;
        }
        // Everything that can fail first: the new dialers' and the listener's TLS.
        Map<String, LinkDialer> made = started ? dialersFor(toDial) : Map.of();
        LinkListener.Admission admission = linkListener.admissionFor(next);
        registry.peers(next); // from here on a link to an old version of a peer is refused
        linkListener.use(admission);
        peers = List.copyOf(next);
        closeLinks(removed, "peer removed from the configuration");
        closeLinks(changed, "peer's configuration changed (pins, address or dialing): linking again");
        dialers.putAll(made);
        made.values().forEach(LinkDialer::start);
        return changes;
    }

    private void closeLinks(List<String> names, String reason) {
        for (String name : names) {
            LinkDialer d = dialers.remove(name);
            if (d != null) {
                d.stop();
            }
            registry.closeLink(name, reason);
        }
    }

    private static Map<String, Peer> byName(List<Peer> list) {
        Map<String, Peer> m = new LinkedHashMap<>();
        for (Peer p : list) {
            if (m.put(p.name(), p) != null) {
                throw new IllegalArgumentException("two peers are named " + p.name());
            }
        }
        return m;
    }

    /** The open link to {@code peer}, if any. */
    public Optional<LinkSession> session(String peer) {
        return registry.session(peer);
    }

    /** The courier of the open link to {@code peer}, if any; always empty without a custodian. */
    public Optional<LinkCourier> courier(String peer) {
        return registry.courier(peer);
    }

    /** The mail carried over the links to {@code peer} since this endpoint started (zeros for an unknown peer). */
    public LinkTraffic.Counts traffic(String peer) {
        return registry.traffic(peer);
    }

    @Override
    public void close() {
        // No new links first: a peer that redials the moment its link drops is refused, not
        // greeted and then sent away by a registry already closing (which it would count as a link).
        linkListener.close();
        synchronized (this) {
            closed = true;
            dialers.values().forEach(LinkDialer::stop);
            dialers.clear();
        }
        registry.close();
    }
}
