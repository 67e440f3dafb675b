package org.wormhole.relay.qmgr;

import java.util.Locale;
import java.util.function.Predicate;
import org.wormhole.mailertable.Lookup;
import org.wormhole.mailertable.Mailer;
import org.wormhole.mailertable.Nexthop;
import org.wormhole.mailertable.Route;

/**
 * How a recipient is routed now: by its mailertable entry, or, without one, by SMTP to the MX
 * hosts of its domain. Asked at every attempt, so an edit of the table reroutes mail already waiting.
 */
final class RecipientRouting {

    private final QueueManager.Routing routing;

    RecipientRouting(QueueManager.Routing routing) {
        this.routing = routing;
    }

    /** The mailertable's answer for {@code recipient}. */
    Lookup lookup(String recipient) {
        return routing.lookup(recipient);
    }

    /** Whether {@code address} is routed by {@code route} now (a lookup that fails temporarily is not). */
    boolean routed(String address, Predicate<Route> route) {
        Lookup l = routing.lookup(address);
        if (l instanceof Lookup.Found f) {
            return route.test(f.route());
        }
        return !(l instanceof Lookup.TempFail) && route.test(mxRoute(address));
    }

    /** No mailertable entry: SMTP to the MX hosts of the recipient's domain. */
    static Route mxRoute(String recipient) {
        int at = recipient.lastIndexOf('@');
        String domain = at < 0 ? "localhost" : recipient.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        boolean literal = domain.startsWith("[");
        return new Route.Transport(Mailer.ESMTP, new Nexthop(domain, Nexthop.DEFAULT_PORT, !literal));
    }

    /** The destination a route's concurrency limit counts deliveries to. */
    static String destination(Route route) {
        return route instanceof Route.Transport t ? t.mailer() + ":" + t.nexthop() : route.mailer().mailerName();
    }
}
