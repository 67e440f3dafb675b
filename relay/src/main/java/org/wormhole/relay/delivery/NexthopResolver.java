package org.wormhole.relay.delivery;

import java.net.InetSocketAddress;
import java.util.List;
import org.wormhole.mailertable.Nexthop;

/**
 * Turns a nexthop into the servers to try, in order: the MX hosts of a mail domain (then its
 * A/AAAA as an implicit MX), the addresses of a {@code [host]}, or an address literal. The seam
 * where tests put a fake DNS.
 */
@FunctionalInterface
public interface NexthopResolver {

    /** A server to try: its name (for logs, TLS SNI) and address. */
    record Target(String host, InetSocketAddress address) {
        /** {@code host[ip]:port}, as in Postfix logs ({@code 192.0.2.1[192.0.2.1]:25} for a literal). */
        public String describe() {
            return bare(host) + "[" + address.getAddress().getHostAddress() + "]:" + address.getPort();
        }

        /** A host name as logs show it: an address literal {@code [192.0.2.1]} without its brackets. */
        public static String bare(String host) {
            return host.length() > 2 && host.startsWith("[") && host.endsWith("]")
                    ? host.substring(1, host.length() - 1) : host;
        }
    }

    /** Why a nexthop could not be resolved; {@code temporary} failures are retried. */
    final class ResolveFailure extends Exception {
        private final boolean temporary;
        private final String dsn;

        public ResolveFailure(boolean temporary, String dsn, String message) {
            super(message, null, false, false);
            this.temporary = temporary;
            this.dsn = dsn;
        }

        public boolean temporary() {
            return temporary;
        }

        public String dsn() {
            return dsn;
        }
    }

    /**
     * @param defaultPort the port when the nexthop has none
     * @return at least one target
     */
    List<Target> resolve(Nexthop nexthop, int defaultPort) throws ResolveFailure;
}
