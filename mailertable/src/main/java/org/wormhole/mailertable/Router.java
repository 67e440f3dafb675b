package org.wormhole.mailertable;

import java.util.Locale;
import java.util.function.Function;

/**
 * Routing as a pure lookup (Postfix's trivial-rewrite with transport_maps): where mail for one
 * recipient goes now. Its mailertable entry when it has one; without one, ESMTP to the MX hosts of
 * its domain (an address literal, {@code user@[192.0.2.1]}: to that address, no MX lookup). Asked
 * at every delivery attempt, so an edit of the table reroutes mail already waiting.
 */
public final class Router {

    /** Where one recipient goes. */
    public sealed interface Routed {
        /** By {@code route}, with {@code address} given to the next hop (rewritten by a {@code mailer:user@host} entry). */
        record To(Route route, String address) implements Routed {
        }

        /** The table cannot be read now: try again later. */
        record TempFail(String reason) implements Routed {
        }
    }

    private final Function<String, Lookup> table;

    /** @param table the mailertable's lookup, e.g. {@code WatchedMailertable::lookup} */
    public Router(Function<String, Lookup> table) {
        this.table = table;
    }

    /** Where mail for {@code recipient} goes now. */
    public Routed route(String recipient) {
        Lookup l = table.apply(recipient);
        if (l instanceof Lookup.TempFail t) {
            return new Routed.TempFail(t.reason());
        }
        if (l instanceof Lookup.Found f) {
            return new Routed.To(f.route(), f.rewrittenRecipient().orElse(recipient));
        }
        return new Routed.To(byMx(recipient), recipient);
    }

    /** Mail without a mailertable entry: ESMTP to the MX hosts of the recipient's domain. */
    public static Route.Transport byMx(String recipient) {
        int at = recipient.lastIndexOf('@');
        String domain = at < 0 ? "localhost" : recipient.substring(at + 1).toLowerCase(Locale.ROOT);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        boolean literal = domain.startsWith("[");
        return new Route.Transport(Mailer.ESMTP, new Nexthop(domain, Nexthop.DEFAULT_PORT, !literal));
    }
}
