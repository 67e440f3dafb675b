package org.wormhole.relay.delivery;

import org.wormhole.relay.delivery.dns.DnsjavaMxResolver;

/** The production nexthop resolver: MX records from the system's DNS servers (dnsjava). */
public final class Dns {

    private Dns() {
    }

    public static NexthopResolver systemResolver() {
        return new SystemNexthopResolver(new DnsjavaMxResolver());
    }
}
