package org.wormhole.relay.qmgr;

import java.util.function.Predicate;
import org.wormhole.mailertable.Route;
import org.wormhole.mailertable.Router;

/**
 * How the queue manager asks where a recipient goes: the {@link Router} next to the mailertable
 * (its entry, or without one the MX hosts of its domain), and which destination a route's
 * concurrency limit counts.
 */
final class RecipientRouting {

    private final Router router;

    RecipientRouting(QueueManager.Routing routing) {
        this.router = new Router(routing::lookup);
    }

    /** Where {@code recipient} goes now. */
    Router.Routed route(String recipient) {
        return router.route(recipient);
    }

    /** Whether {@code address} is routed by {@code route} now (a lookup that fails temporarily is not). */
    boolean routed(String address, Predicate<Route> route) {
        return router.route(address) instanceof Router.Routed.To to && route.test(to.route());
    }

    /** The destination a route's concurrency limit counts deliveries to. */
    static String destination(Route route) {
        return route instanceof Route.Transport t ? t.mailer() + ":" + t.nexthop() : route.mailer().mailerName();
    }
}
