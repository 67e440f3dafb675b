package org.wormhole.relay.qmgr;

import org.wormhole.mailertable.Route;
import org.wormhole.relay.delivery.DeliveryAgent;

/** Which delivery agent serves a route (Postfix's master.cf, in one method). */
@FunctionalInterface
public interface Agents {
    DeliveryAgent forRoute(Route route);
}
