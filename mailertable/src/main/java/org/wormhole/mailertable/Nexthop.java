package org.wormhole.mailertable;

/**
 * Where a transport mailer sends a message.
 *
 * @param host      a domain name, a peer name (for {@code tsmtp}), or an address literal written
 *                  as in SMTP: {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}
 * @param port      the TCP port, or {@link #DEFAULT_PORT} for the mailer's default
 * @param mxLookup  true when the host is a mail domain whose MX records are looked up (written
 *                  without brackets); false for {@code [host]} and address literals
 */
public record Nexthop(String host, int port, boolean mxLookup) {

    /** Marks "no port in the table: use the mailer's default". */
    public static final int DEFAULT_PORT = 0;

    public Nexthop {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty nexthop host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("bad port " + port);
        }
    }

    /** True for {@code [192.0.2.1]} and {@code [IPv6:...]}. */
    public boolean isAddressLiteral() {
        return host.startsWith("[");
    }

    public boolean hasPort() {
        return port != DEFAULT_PORT;
    }

    /** The nexthop as written in a table value: {@code host}, {@code [host]}, {@code [host]:port}. */
    @Override
    public String toString() {
        String h = mxLookup || isAddressLiteral() ? host : "[" + host + "]";
        return hasPort() ? h + ":" + port : h;
    }
}
