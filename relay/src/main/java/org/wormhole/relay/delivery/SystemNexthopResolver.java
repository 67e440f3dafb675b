package org.wormhole.relay.delivery;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.wormhole.mailertable.Nexthop;
import org.wormhole.relay.delivery.dns.DnsFailure;
import org.wormhole.relay.delivery.dns.DnsTemporaryFailure;
import org.wormhole.relay.delivery.dns.MailExchanger;
import org.wormhole.relay.delivery.dns.MxResolver;

/**
 * Resolves nexthops: a mail domain by its MX records ({@link MxResolver}), a {@code [host]} by
 * the system's resolver, an address literal as it is.
 */
public final class SystemNexthopResolver implements NexthopResolver {

    private final MxResolver mx;

    public SystemNexthopResolver(MxResolver mx) {
        this.mx = mx;
    }

    @Override
    public List<Target> resolve(Nexthop nexthop, int defaultPort) throws ResolveFailure {
        int port = nexthop.hasPort() ? nexthop.port() : defaultPort;
        String host = nexthop.host();
        List<Target> targets = new ArrayList<>();
        if (nexthop.isAddressLiteral()) {
            String literal = host.substring(1, host.length() - 1);
            if (literal.regionMatches(true, 0, "IPv6:", 0, 5)) {
                literal = literal.substring(5);
            }
            try {
                targets.add(new Target(host, new InetSocketAddress(InetAddress.getByName(literal), port)));
            } catch (UnknownHostException e) {
                throw new ResolveFailure(false, "5.1.2", "bad address literal " + host);
            }
        } else if (nexthop.mxLookup()) {
            try {
                for (MailExchanger x : mx.resolve(host)) {
                    for (InetAddress a : x.addresses()) {
                        targets.add(new Target(x.host(), new InetSocketAddress(a, port)));
                    }
                }
            } catch (DnsFailure e) {
                throw new ResolveFailure(e instanceof DnsTemporaryFailure, e.enhancedStatus(), e.text());
            }
        } else {
            try {
                for (InetAddress a : InetAddress.getAllByName(host)) {
                    targets.add(new Target(host, new InetSocketAddress(a, port)));
                }
            } catch (UnknownHostException e) {
                throw new ResolveFailure(true, "4.4.4", "Host or domain name not found: " + host);
            }
        }
        return targets;
    }
}
