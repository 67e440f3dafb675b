package org.wormhole.mailertable;

import java.util.Optional;

/**
 * The answer of a mailertable lookup: found, not found, or a temporary failure.
 *
 * <p>A {@link TempFail} must be turned into a 4xx (the recipient is deferred); it never means
 * "not found".
 */
public sealed interface Lookup {

    /**
     * A matching entry.
     *
     * @param route               what to do, parsed from the value
     * @param value               the value after {@code %0}/{@code %1} substitution, as written
     *                            in the table
     * @param matchedKey          the table key that matched, e.g. {@code .bigbucks.example}
     * @param line                the line of the matching entry in its file
     * @param rewrittenRecipient  the new recipient for {@code mailer:user@host} values
     */
    record Found(Route route, String value, String matchedKey, int line,
                 Optional<String> rewrittenRecipient) implements Lookup {

        public Mailer mailer() {
            return route.mailer();
        }

        /** The nexthop of a transport route; empty for error, discard and local. */
        public Optional<Nexthop> nexthop() {
            return route instanceof Route.Transport t ? Optional.of(t.nexthop()) : Optional.empty();
        }

        /**
         * The parsed answer in words, for {@code lookup --explain} and golden files, e.g.
         * {@code mailer=tsmtp host=relay.tokyo.example port=default mx=no key=.tokyo.example}.
         */
        public String describe() {
            StringBuilder sb = new StringBuilder("mailer=").append(mailer());
            if (route instanceof Route.Transport t) {
                Nexthop n = t.nexthop();
                sb.append(" host=").append(n.host())
                        .append(" port=").append(n.hasPort() ? Integer.toString(n.port()) : "default")
                        .append(" mx=").append(n.mxLookup() ? "yes" : "no");
            } else if (route instanceof Route.Reject r) {
                sb.append(" reply=\"").append(r.reply()).append('"')
                        .append(r.reply().temporary() ? " temporary" : " permanent");
            } else if (route instanceof Route.Local l) {
                sb.append(" user=").append(l.user().isEmpty() ? "(recipient's own)" : l.user());
            }
            rewrittenRecipient.ifPresent(r -> sb.append(" recipient=").append(r));
            return sb.append(" key=").append(matchedKey).toString();
        }
    }

    /** No key matched: the relay delivers normally (MX of the recipient domain). */
    record NotFound() implements Lookup {
        static final NotFound INSTANCE = new NotFound();
    }

    /** The table cannot answer now (e.g. its file is unreadable); defer and try again later. */
    record TempFail(String reason) implements Lookup {
    }
}
