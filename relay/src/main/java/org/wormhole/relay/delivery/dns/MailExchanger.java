package org.wormhole.relay.delivery.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One host that accepts mail for a domain.
 *
 * @param host       the exchanger's host name (ASCII, no final dot), for TLS SNI and logs
 * @param preference the MX preference; lower is tried first; 0 for an implicit MX
 * @param addresses  its addresses, never empty: IPv4 first, then IPv6, each in DNS order
 */
public record MailExchanger(String host, int preference, List<InetAddress> addresses) {

    public MailExchanger {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (preference < 0 || preference > 65535) {
            throw new IllegalArgumentException("bad preference " + preference);
        }
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a mail exchanger without addresses: " + host);
        }
    }

    /** {@code 10 mx1.example.org [192.0.2.1 2001:db8:0:0:0:0:0:1]}. */
    @Override
    public String toString() {
        return preference + " " + host + " ["
                + addresses.stream().map(InetAddress::getHostAddress).collect(Collectors.joining(" ")) + "]";
    }
}
