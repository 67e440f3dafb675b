package org.wormhole.relay.link;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.Custodian;
import org.wormhole.link.LinkEndpoint;
import org.wormhole.link.LinkSession;
import org.wormhole.link.OutboundMessage;
import org.wormhole.link.SiteIdentity;
import org.wormhole.link.wire.Frame;
import org.wormhole.mailertable.Nexthop;
import org.wormhole.relay.config.RelayConfig;

/**
 * The relay's links to its peer sites: one {@link LinkEndpoint} for all configured peers, the
 * state of each link for the {@code tsmtp} mailer and for operators, and a flush of the queue
 * the moment a link comes up, so mail waiting for it goes at once.
 */
public final class RelayLinks implements LinkGateway, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("link");

    /** Why a link is not up, and since when. */
    private record Down(Instant since, String reason) {
    }

    private final RelayConfig config;
    private final Map<String, RelayConfig.PeerConfig> peers = new LinkedHashMap<>();
    private final Map<String, Down> down = new ConcurrentHashMap<>();
    private final LinkEndpoint endpoint;
    private final Clock clock;

    public RelayLinks(RelayConfig config, SiteIdentity identity, Custodian custodian, Runnable onLinkUp, Clock clock) {
        this.config = config;
        this.clock = clock;
        Instant now = clock.instant();
        for (RelayConfig.PeerConfig p : config.peers()) {
            peers.put(p.name(), p);
            if (!p.classic()) {
                down.put(p.name(), new Down(now, "not connected yet"));
            }
        }
        List<LinkEndpoint.Peer> linkPeers = config.peers().stream()
                .filter(p -> !p.classic()) // classic peers get SMTP over TLS (ClassicPeers), no link
                .map(p -> new LinkEndpoint.Peer(p.name(), p.address(), p.port(), Set.copyOf(p.pins()), p.dial()))
                .toList();
        LinkEndpoint.Settings defaults = LinkEndpoint.Settings.defaults();
        LinkSession.Settings session = new LinkSession.Settings(config.keepaliveInterval(), config.keepaliveCount(),
                defaults.session().window(), defaults.session().helloTimeout());
        this.endpoint = new LinkEndpoint(identity, config.myhostname(), linkPeers,
                new LinkEndpoint.Settings(session, defaults.initialBackoff(), defaults.maxBackoff(), defaults.connectTimeout()),
                custodian, new LinkEndpoint.Events() {
                    @Override
                    public void up(LinkEndpoint.Peer peer, LinkSession s) {
                        Down was = down.remove(peer.name());
                        log.info("link to {} up{}", peer.name(), was == null ? "" : " (down since " + was.since() + ")");
                        onLinkUp.run();
                    }

                    @Override
                    public void down(LinkEndpoint.Peer peer, String reason) {
                        down.put(peer.name(), new Down(clock.instant(), reason));
                    }

                });
    }

    /** Starts listening (if configured) and dialing. */
    public void start() throws IOException {
        try {
            if (config.linkListen().isPresent()) {
                endpoint.listen(config.linkListen().get());
            }
            endpoint.start();
        } catch (GeneralSecurityException e) {
            throw new IOException("link TLS set-up failed: " + e.getMessage(), e);
        }
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
    public CompletableFuture<Frame.Result> offer(String peer, OutboundMessage message) throws LinkDown {
        var courier = endpoint.courier(peer);
        if (courier.isEmpty()) {
            Down d = down.getOrDefault(peer, new Down(clock.instant(), "unknown"));
            throw new LinkDown("link to " + peer + " down since " + d.since() + " (" + d.reason() + ")");
        }
        return courier.get().offer(message);
    }

    @Override
    public void close() {
        endpoint.close();
    }
}
