package org.wormhole.relay.peers;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.HandshakeFailure;
import org.wormhole.link.KeyRefusal;
import org.wormhole.link.SiteIdentity;
import org.wormhole.mailertable.Mailer;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.delivery.DeliveryAgent;
import org.wormhole.relay.delivery.DeliveryRequest;
import org.wormhole.relay.delivery.DeliveryResult;
import org.wormhole.relay.delivery.NexthopResolver;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.delivery.SmtpDeliveryAgent;
import org.wormhole.relay.delivery.smtp.SmtpClientOptions;
import org.wormhole.relay.delivery.smtp.TlsMode;

/**
 * The delivery agent of the {@code tsmtp} routes to peer sites that still run a classic MTA
 * ({@code protocol = smtps} or {@code starttls}; {@link #serves} says which routes): SMTP to the
 * peer's address and port with TLS that is mandatory and pinned ({@link ClassicPeerTls}), through
 * the relay's own SMTP client, idle connections reused. The link's custody transfer does not
 * apply: the server's 250 after DATA is the handoff, as for any SMTP delivery. Thread-safe.
 */
public final class ClassicPeers implements DeliveryAgent, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("link");

    private record Classic(RelayConfig.PeerConfig config, SmtpDeliveryAgent agent) {
    }

    /** Every configured peer, link ones too: a route's nexthop names one of them. */
    private final List<RelayConfig.PeerConfig> configured;
    private final Map<String, Classic> peers = new LinkedHashMap<>();
    private final Map<String, KeyRefusal> refusals = new ConcurrentHashMap<>();
    private final SiteIdentity self;

    /**
     * @param peers  all configured peers; the link peers among them are ignored
     * @param self   this site's identity, presented as the client certificate
     * @param client the relay's SMTP client options (timeouts, HELO name); TLS is set per peer
     */
    public ClassicPeers(List<RelayConfig.PeerConfig> peers, SiteIdentity self, SmtpClientOptions client)
            throws GeneralSecurityException {
        this.self = self;
        this.configured = List.copyOf(peers);
        for (RelayConfig.PeerConfig p : peers) {
            if (!p.classic()) {
                continue;
            }
            String name = p.name();
            var tls = ClassicPeerTls.socketFactory(self, Set.copyOf(p.pins()), (offered, why) -> {
                log.warn("{} peer {} at {}:{}: server key {} refused: {}", p.protocol().keyword(), name, p.address(),
                        p.port(), offered, why);
                refusals.put(name, new KeyRefusal(KeyRefusal.RefusedBy.THIS_SIDE, offered, Instant.now(),
                        p.address() + ":" + p.port()));
            });
            TlsMode mode = p.protocol() == RelayConfig.PeerConfig.Protocol.SMTPS ? TlsMode.IMPLICIT : TlsMode.REQUIRE;
            this.peers.put(name, new Classic(p,
                    new SmtpDeliveryAgent(resolver(p), client.withLmtp(false).withTls(mode, tls), p.port())));
        }
    }

    /** True when {@code route} is a {@code tsmtp} route naming a classic peer (not reached over a link). */
    public boolean serves(Route route) {
        return classicPeer(route).isPresent();
    }

    private Optional<Classic> classicPeer(Route route) {
        return route instanceof Route.Transport t && t.mailer() == Mailer.TSMTP
                ? PeerRouteCheck.peerFor(configured, t.nexthop()).map(p -> peers.get(p.name()))
                : Optional.empty();
    }

    /**
     * Delivers to the classic peer the route names; the result's relay names the route as
     * {@code smtps:NAME[ip]:port} or {@code starttls:NAME[ip]:port}.
     *
     * @throws IllegalArgumentException the route is not one this agent {@link #serves}
     */
    @Override
    public DeliveryResult deliver(DeliveryRequest req) {
        Classic c = classicPeer(req.route())
                .orElseThrow(() -> new IllegalArgumentException("not a route to a classic peer: " + req.route()));
        DeliveryResult r = c.agent().deliver(req);
        return new DeliveryResult(label(c.config(), r.relay()), r.setupMillis(), r.transmitMillis(),
                diagnosed(c.config(), r.outcomes()));
    }

    /** The last key refused in a TLS handshake with {@code peer}, by either side. */
    public Optional<KeyRefusal> lastRefusal(String peer) {
        return Optional.ofNullable(refusals.get(peer));
    }

    /**
     * Deferrals because the peer's terminator (stunnel) refused this site's client certificate
     * (it answered it with a TLS certificate alert) say so, naming the pin it must have.
     */
    private List<RecipientOutcome> diagnosed(RelayConfig.PeerConfig p, List<RecipientOutcome> outcomes) {
        Optional<String> alert = outcomes.stream().filter(o -> o.status() == RecipientOutcome.Status.DEFERRED)
                .map(o -> HandshakeFailure.certificateAlert(o.text())).flatMap(Optional::stream).findFirst();
        if (alert.isEmpty()) {
            return outcomes;
        }
        String at = p.address() + ":" + p.port();
        refusals.put(p.name(), new KeyRefusal(KeyRefusal.RefusedBy.THE_PEER, self.pin(), Instant.now(), at));
        String why = "the peer refused our key " + self.pin() + ": is it in their pins? (" + p.protocol().keyword()
                + " peer " + p.name() + " at " + at + " answered this site's client certificate with the TLS alert "
                + alert.get() + "; with stunnel, add this site's certificate to its CAfile)";
        log.warn("{}", why);
        return outcomes.stream().map(o -> o.status() == RecipientOutcome.Status.DEFERRED
                && HandshakeFailure.certificateAlert(o.text()).isPresent()
                ? RecipientOutcome.deferred(o.dsn(), why + ": " + o.text()) : o).toList();
    }

    /** {@code host[ip]:port} of the SMTP client as {@code PROTOCOL:NAME[ip]:port}. */
    private static String label(RelayConfig.PeerConfig p, String relay) {
        String prefix = p.protocol().keyword() + ":" + p.name();
        return relay.startsWith(p.address() + "[") ? prefix + relay.substring(p.address().length()) : prefix;
    }

    /** The peer's address, whatever the route's nexthop says: it names the peer, not a host. */
    private static NexthopResolver resolver(RelayConfig.PeerConfig p) {
        return (nexthop, defaultPort) -> {
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(p.address());
            } catch (UnknownHostException e) {
                throw new NexthopResolver.ResolveFailure(true, "4.4.3",
                        "peer " + p.name() + ": host " + p.address() + " not found");
            }
            List<NexthopResolver.Target> targets = new ArrayList<>(addresses.length);
            for (InetAddress a : addresses) {
                targets.add(new NexthopResolver.Target(p.address(), new InetSocketAddress(a, p.port())));
            }
            return targets;
        };
    }

    @Override
    public void close() {
        peers.values().forEach(c -> c.agent().close());
    }
}
