package org.wormhole.relay.peers;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.Custodian;
import org.wormhole.link.CustodyResult;
import org.wormhole.link.HandshakeRefusal;
import org.wormhole.link.KeyRefusal;
import org.wormhole.link.LinkEndpoint;
import org.wormhole.link.LinkSession;
import org.wormhole.link.OutboundMessage;
import org.wormhole.link.Pin;
import org.wormhole.link.SessionSettings;
import org.wormhole.link.SiteIdentity;
import org.wormhole.link.StreamOpening;
import org.wormhole.mailertable.Mailer;
import org.wormhole.mailertable.Nexthop;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.config.LinkConfig;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.events.LinkCameUp;
import org.wormhole.relay.events.LinkHandshakeRefused;
import org.wormhole.relay.events.LinkWentDown;
import org.wormhole.relay.events.RelayEvents;

/**
 * The relay's links to its peer sites: one {@link LinkEndpoint} for all configured peers, the
 * state of each link for the {@code tsmtp} mailer and for operators ({@link #status}), a flush
 * of the mail waiting for a link the moment it comes up, so it goes at once, and warnings about
 * certificates that are about to expire (at link up and daily while up).
 */
public final class RelayLinks implements LinkGateway, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("link");

    /** Why a link is not up, and since when. */
    private record Down(Instant since, String reason) {
    }

    /** A peer's history, for operators. */
    private static final class History {
        final AtomicInteger ups = new AtomicInteger();
        volatile Instant upSince;
        volatile Down lastDown;     // why the link last went down
        volatile Down lastDialFailure;
        volatile KeyRefusal lastRefusal; // the last key refused by either side

        /** The last down reason, and a dial failure after it (the peer still unreachable). */
        String lastError() {
            Down d = lastDown;
            Down f = lastDialFailure;
            if (f != null && (d == null || f.since().isAfter(d.since()))) {
                return d == null ? f.reason() : d.reason() + "; then " + f.reason();
            }
            return d == null ? null : d.reason();
        }

        Instant lastErrorAt() {
            Down d = lastDown;
            Down f = lastDialFailure;
            return f != null && (d == null || f.since().isAfter(d.since())) ? f.since() : d == null ? null : d.since();
        }
    }

    /** One event per kind: a flood of refused connections allocates nothing per connection. */
    private static final Map<HandshakeRefusal, LinkHandshakeRefused> REFUSALS = new EnumMap<>(HandshakeRefusal.class);

    static {
        for (HandshakeRefusal r : HandshakeRefusal.values()) {
            REFUSALS.put(r, new LinkHandshakeRefused(r));
        }
    }

    private final LinkConfig link;
    private final RelayEvents events;
    private final SiteIdentity identity;
    private volatile Map<String, RelayConfig.PeerConfig> peers; // in configuration order; replaced whole by updatePeers
    private final Map<String, Down> down = new ConcurrentHashMap<>();
    private final Map<String, History> history = new ConcurrentHashMap<>();
    private final Instant started;
    private final LinkEndpoint endpoint;
    private final Clock clock;
    private volatile BiConsumer<String, StreamOpening> streamRequests = (peer, r) -> r.refuse("no such service");
    private volatile ClassicPeers classic; // their key refusals, for status; null without classic peers
    private final ScheduledExecutorService expiryCheck = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "link-expiry-check");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param myhostname this site's name, as it introduces itself to its peers
     * @param link       this site's end of the link and its timing
     * @param peerConfigs the peer sites (link and classic ones; only link peers are dialed or accepted)
     * @param onLinkUp called with the peer's name and which routes go over its link, each time
     *                 the link comes up: the relay flushes that mail
     * @param events   told when a link comes up or goes down (the "link to PEER up" log line is one listener)
     */
    public RelayLinks(String myhostname, LinkConfig link, List<RelayConfig.PeerConfig> peerConfigs, SiteIdentity identity,
                      Custodian custodian, BiConsumer<String, Predicate<Route>> onLinkUp, Clock clock,
                      RelayEvents events) {
        this.link = link;
        this.events = events;
        this.identity = identity;
        this.clock = clock;
        Instant now = clock.instant();
        this.started = now;
        this.peers = byName(peerConfigs);
        peerConfigs.stream().filter(p -> !p.classic()).forEach(p -> newLinkPeer(p.name(), now));
        List<LinkEndpoint.Peer> linkPeers = linkPeers(peerConfigs);
        LinkEndpoint.Settings defaults = LinkEndpoint.Settings.defaults();
        SessionSettings session = new SessionSettings(link.keepaliveInterval(), link.keepaliveCount(),
                defaults.session().window(), defaults.session().helloTimeout(), link.rekeyInterval(),
                link.rekeyBytes()).withLanes(link.lanes());
        this.endpoint = new LinkEndpoint(identity, myhostname, linkPeers,
                new LinkEndpoint.Settings(session, link.minimalBackoff(), link.maximalBackoff(), link.connectTimeout(),
                        link.handshakeTimeout()),
                custodian, new LinkEndpoint.Events() {
                    @Override
                    public void up(LinkEndpoint.Peer peer, LinkSession s) {
                        Down was = down.remove(peer.name());
                        History h = historyOf(peer.name());
                        h.upSince = clock.instant();
                        h.ups.incrementAndGet();
                        events.linkUp(new LinkCameUp(peer.name(), Optional.ofNullable(was).map(Down::since)));
                        checkExpiry(peer.name(), s);
                        onLinkUp.accept(peer.name(), routesTo(peer.name()));
                    }

                    @Override
                    public void down(LinkEndpoint.Peer peer, String reason) {
                        Instant now = clock.instant();
                        down.put(peer.name(), new Down(now, reason));
                        historyOf(peer.name()).lastDown = new Down(now, reason);
                        events.linkDown(new LinkWentDown(peer.name(), reason));
                    }

                    @Override
                    public void dialFailed(LinkEndpoint.Peer peer, String reason) {
                        historyOf(peer.name()).lastDialFailure = new Down(clock.instant(), "dial failed: " + reason);
                    }

                    @Override
                    public void keyRefused(LinkEndpoint.Peer peer, KeyRefusal refusal) {
                        historyOf(peer.name()).lastRefusal = refusal;
                    }

                    @Override
                    public void handshakeRefused(HandshakeRefusal why) {
                        events.linkHandshakeRefused(REFUSALS.get(why));
                    }

                    @Override
                    public void streamRequested(LinkEndpoint.Peer peer, StreamOpening request) {
                        streamRequests.accept(peer.name(), request);
                    }

                }, clock);
    }

    private static Map<String, RelayConfig.PeerConfig> byName(List<RelayConfig.PeerConfig> peerConfigs) {
        Map<String, RelayConfig.PeerConfig> m = new LinkedHashMap<>();
        peerConfigs.forEach(p -> m.put(p.name(), p));
        return Collections.unmodifiableMap(m);
    }

    /** The peers reached over the link (classic peers get SMTP over TLS, {@link ClassicPeers}, no link). */
    private static List<LinkEndpoint.Peer> linkPeers(List<RelayConfig.PeerConfig> peerConfigs) {
        return peerConfigs.stream().filter(p -> !p.classic())
                .map(p -> new LinkEndpoint.Peer(p.name(), p.address(), p.port(), Set.copyOf(p.pins()), p.dial()))
                .toList();
    }

    private void newLinkPeer(String name, Instant now) {
        down.put(name, new Down(now, "not connected yet"));
        history.put(name, new History());
    }

    /** A peer's history; a throwaway one for a peer a reload removed while its link thread still reports. */
    private History historyOf(String peer) {
        History h = history.get(peer);
        return h == null ? new History() : h;
    }

    /**
     * Makes {@code next} the configured peers ({@code wormhole reload}): the links of the link
     * peers added, removed or changed are made, closed or made again ({@link LinkEndpoint#updatePeers}),
     * the others stay up; the {@code tsmtp} mailer and {@link #status} follow. The classic peers
     * are the relay's to keep as they were (they need a restart).
     *
     * @return what changed among the link peers
     * @throws IOException the TLS set-up for the new pins failed: nothing was changed
     */
    public LinkEndpoint.PeerChanges updatePeers(List<RelayConfig.PeerConfig> next) throws IOException {
        LinkEndpoint.PeerChanges changes;
        Instant now = clock.instant();
        Map<String, RelayConfig.PeerConfig> after = byName(next);
        synchronized (this) {
            // Status and history first: a link that comes up at once finds its peer's entries.
            next.stream().filter(p -> !p.classic() && !peers.containsKey(p.name())).forEach(p -> newLinkPeer(p.name(), now));
            try {
                changes = endpoint.updatePeers(linkPeers(next));
            } catch (GeneralSecurityException e) {
                history.keySet().retainAll(peers.keySet());
                throw new IOException("link TLS set-up for the new peers failed: " + e.getMessage(), e);
            }
            peers = after;
            history.keySet().retainAll(after.keySet());
            down.keySet().retainAll(after.keySet());
        }
        if (!changes.none()) {
            log.info("link peers reloaded: added {}, removed {}, changed {}", changes.added(), changes.removed(),
                    changes.changed());
        }
        return changes;
    }

    /** Who answers the peers' requests for streams (forwarded services); by default every one is refused. */
    public void serveStreams(BiConsumer<String, StreamOpening> handler) {
        this.streamRequests = handler;
    }

    /** The link to {@code peer}, while it is up (forwarded services open their streams on it). */
    public Optional<LinkSession> session(String peer) {
        return endpoint.session(peer);
    }

    /** Shows the key refusals of the classic peers' TLS handshakes in {@link #status}. */
    public void watch(ClassicPeers classicPeers) {
        this.classic = classicPeers;
    }

    static LinkStatus.Refusal refusal(KeyRefusal r) {
        return r == null ? null : new LinkStatus.Refusal(r.by() == KeyRefusal.RefusedBy.THE_PEER,
                r.pin() == null ? null : r.pin().value(), r.at(), r.from());
    }

    /** Starts listening (if configured) and dialing. */
    public void start() throws IOException {
        try {
            if (link.listen().isPresent()) {
                endpoint.listen(link.listen().get());
            }
            endpoint.start();
        } catch (GeneralSecurityException e) {
            throw new IOException("link TLS set-up failed: " + e.getMessage(), e);
        }
        expiryCheck.scheduleAtFixedRate(() -> {
            for (String peer : peers.keySet()) {
                endpoint.session(peer).ifPresent(s -> checkExpiry(peer, s));
            }
        }, 1, 1, TimeUnit.DAYS);
    }

    /**
     * Logs a WARN when this site's or the peer's certificate expires within
     * {@link CertificateExpiry#WARN_BEFORE}, an ERROR when it has expired.
     */
    private void checkExpiry(String peer, LinkSession s) {
        Instant now = clock.instant();
        Instant own = identity.notAfter();
        CertificateExpiry.warning(own, now).ifPresent(w -> expiryLog(own, now,
                "link to {}: this site's certificate (pin {}) {}, on {}: make a new key with 'wormhole keygen' and give"
                        + " the peers its pin", peer, identity.pin(), w, own));
        X509Certificate cert = s.peerCertificate();
        if (cert != null) {
            Instant theirs = cert.getNotAfter().toInstant();
            CertificateExpiry.warning(theirs, now).ifPresent(w -> expiryLog(theirs, now,
                    "link to {}: the peer's certificate (pin {}) {}, on {}: ask {} for its new pin", peer,
                    Pin.of(cert), w, theirs, peer));
        }
    }

    private static void expiryLog(Instant notAfter, Instant now, String format, Object... args) {
        if (CertificateExpiry.expired(notAfter, now)) {
            log.error(format, args);
        } else {
            log.warn(format, args);
        }
    }

    /** Whether a route goes over a link: {@code tsmtp:} naming a peer that is not a classic MTA. */
    public boolean carries(Route route) {
        return route instanceof Route.Transport t && t.mailer() == Mailer.TSMTP
                && peerFor(t.nexthop()).map(peers::get).filter(p -> !p.classic()).isPresent();
    }

    /** Whether a route goes over the link to {@code peer}: {@code tsmtp:} naming it. */
    public Predicate<Route> routesTo(String peer) {
        return route -> route instanceof Route.Transport t && t.mailer() == Mailer.TSMTP
                && peerFor(t.nexthop()).filter(peer::equals).isPresent();
    }

    /**
     * The state of every configured peer's link, in configuration order.
     *
     * @param waiting how many queued messages a route predicate matches (the queue manager's count)
     */
    public List<LinkStatus> status(ToIntFunction<Predicate<Route>> waiting) {
        List<LinkStatus> out = new ArrayList<>();
        for (RelayConfig.PeerConfig p : peers.values()) {
            if (p.classic()) { // SMTP over TLS per delivery (ClassicPeers): no link, only its waiting mail
                out.add(LinkStatus.builder(p.name()).address(p.address() + ":" + p.port()).dial(true)
                        .state(LinkStatus.State.CLASSIC).since(started).waiting(waiting.applyAsInt(routesTo(p.name())))
                        .configuredPins(p.pins().stream().map(Pin::value).toList()).ownNotAfter(identity.notAfter())
                        .lastRefusal(classic == null ? null : refusal(classic.lastRefusal(p.name()).orElse(null)))
                        .build());
                continue;
            }
            History h = historyOf(p.name());
            Optional<LinkSession> s = endpoint.session(p.name());
            Down d = down.get(p.name());
            LinkStatus.State state = s.isPresent() ? LinkStatus.State.UP
                    : p.dial() ? LinkStatus.State.CONNECTING : LinkStatus.State.DOWN;
            Instant since = s.isPresent() && h.upSince != null ? h.upSince
                    : d != null ? d.since() : clock.instant();
            X509Certificate cert = s.map(LinkSession::peerCertificate).orElse(null);
            out.add(LinkStatus.builder(p.name()).address(p.address() + ":" + p.port()).dial(p.dial()).state(state)
                    .since(since).rtt(s.map(LinkSession::rtt).orElse(null)).traffic(endpoint.traffic(p.name()))
                    .waiting(waiting.applyAsInt(routesTo(p.name()))).reconnects(Math.max(0, h.ups.get() - 1))
                    .lastError(h.lastError()).lastErrorAt(h.lastErrorAt())
                    .presentedPin(cert == null ? null : Pin.of(cert).value())
                    .configuredPins(p.pins().stream().map(Pin::value).toList())
                    .peerNotAfter(cert == null ? null : cert.getNotAfter().toInstant()).ownNotAfter(identity.notAfter())
                    .rekeys(s.map(l -> l.rekeysHere() ? l.rekeys() : -1).orElse(0))
                    .lanes(s.map(LinkSession::lanes).orElse(0))
                    .lastRekey(s.map(LinkSession::lastRekey).orElse(null)).lastRefusal(refusal(h.lastRefusal))
                    .build());
        }
        return out;
    }

    /** The bound link port (when listening). */
    public int linkPort() {
        return endpoint.boundPort();
    }

    @Override
    public Optional<String> peerFor(Nexthop nexthop) {
        return PeerRouteCheck.peerFor(peers.values(), nexthop).map(RelayConfig.PeerConfig::name);
    }

    @Override
    public CompletableFuture<CustodyResult> offer(String peer, OutboundMessage message) throws LinkDown {
        var courier = endpoint.courier(peer);
        if (courier.isEmpty()) {
            Down d = down.getOrDefault(peer, new Down(clock.instant(), "unknown"));
            throw new LinkDown("link to " + peer + " down since " + d.since() + " (" + d.reason() + ")");
        }
        return courier.get().offer(message);
    }

    @Override
    public void close() {
        expiryCheck.shutdownNow();
        endpoint.close();
    }
}
