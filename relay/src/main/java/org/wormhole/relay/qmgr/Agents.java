package org.wormhole.relay.qmgr;

import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.DeliveryAgent;

/** Which delivery agent serves a route (Postfix's master.cf, in one method). */
@FunctionalInterface
public interface Agents {
    DeliveryAgent forRoute(Route route);

    /**
     * Whether the route's agent pipelines many messages over one connection (the link), so its
     * destination gets the tsmtp concurrency limit instead of the default one.
     */
    default boolean pipelines(Route route) {
        return false;
    }
}
