package org.wormhole.relay;

import java.util.function.Predicate;
import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.DeferringAgent;
import org.wormhole.relay.delivery.DeliveryAgent;
import org.wormhole.relay.delivery.DiscardAgent;
import org.wormhole.relay.delivery.ErrorAgent;
import org.wormhole.relay.peers.ClassicPeers;
import org.wormhole.relay.qmgr.Agents;

/**
 * The relay's delivery agents by mailer; a {@code tsmtp} route goes to the classic peers' agent
 * when it names a classic peer, otherwise to the link's.
 */
final class RelayAgents implements Agents {

    private final DeliveryAgent smtp;
    private final DeliveryAgent lmtp;
    private final DeliveryAgent error = new ErrorAgent();
    private final DeliveryAgent discard = new DiscardAgent();
    private final DeliveryAgent local = new DeferringAgent("4.3.5",
            "mailer local: a relay has no local mailboxes; route this domain to lmtp:[mailstore] in the mailertable");

    private final DeliveryAgent tsmtp;
    private final ClassicPeers classic;

    private final Predicate<Route> overLink;

    /**
     * @param tsmtp    the link mailer, or null when no peers are configured
     * @param classic  the agent of the {@code tsmtp} routes to classic peers, or null when none is configured
     * @param overLink which routes go over a link (not to a classic peer)
     */
    RelayAgents(DeliveryAgent smtp, DeliveryAgent lmtp, DeliveryAgent tsmtp, ClassicPeers classic,
                Predicate<Route> overLink) {
        this.smtp = smtp;
        this.lmtp = lmtp;
        this.tsmtp = tsmtp;
        this.classic = classic;
        this.overLink = overLink;
    }

    @Override
    public boolean pipelines(Route route) {
        return overLink.test(route);
    }

    @Override
    public DeliveryAgent forRoute(Route route) {
        return switch (route.mailer()) {
            case ESMTP, SMTP, SMTP8, RELAY -> smtp;
            case LMTP -> lmtp;
            case TSMTP -> classic != null && classic.serves(route) ? classic
                    : tsmtp != null ? tsmtp : new DeferringAgent("4.3.5", "mailer tsmtp to "
                    + ((Route.Transport) route).nexthop() + ": no peers are configured (see peers in wormhole.conf)");
            case ERROR -> error;
            case DISCARD -> discard;
            case LOCAL -> local;
        };
    }
}
