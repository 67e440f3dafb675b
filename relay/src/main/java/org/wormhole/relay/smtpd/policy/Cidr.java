package org.wormhole.relay.smtpd.policy;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * A CIDR block, IPv4 or IPv6: {@code 127.0.0.0/8}, {@code ::1/128}, {@code 2001:db8::/32}.
 *
 * <p>An IPv4 block also contains the IPv4-mapped IPv6 form of its addresses
 * ({@code ::ffff:127.0.0.1} is in {@code 127.0.0.0/8}), as a dual-stack listener may report IPv4
 * clients that way; likewise an IPv4-mapped IPv6 block of /96 or longer is stored as the IPv4
 * block it stands for ({@code ::ffff:10.0.0.0/104} is {@code 10.0.0.0/8}). An IPv4 address is
 * never in an IPv6 block, not even {@code ::/0}. Immutable.
 *
 * @param network      the first address of the block: every bit after the prefix is zero
 * @param prefixLength how many leading bits an address must share with {@code network}: 0-32
 *                     for IPv4, 0-128 for IPv6
 */
public record Cidr(InetAddress network, int prefixLength) {

    /**
     * @throws IllegalArgumentException if the prefix length is out of range or {@code network}
     *                                  has bits set after the prefix
     */
    public Cidr {
        Objects.requireNonNull(network, "network");
        String problem = problem(network, prefixLength);
        if (problem != null) {
            throw new IllegalArgumentException("bad CIDR '" + IpAddresses.format(network) + "/" + prefixLength + "': " + problem);
        }
        byte[] bytes = network.getAddress();
        if (IpAddresses.isMapped(bytes) && prefixLength >= 96) {
            network = IpAddresses.byAddress(IpAddresses.unmapped(bytes));
            prefixLength -= 96;
        }
    }

    /**
     * Parses {@code 10.0.0.0/8}, {@code 2001:db8::/32}, Postfix's bracketed {@code [::1]/128}, or a
     * bare address, which means /32 or /128. Never asks DNS: host names are refused.
     *
     * @throws IllegalArgumentException with a message saying what is wrong, e.g.
     *                                  {@code bad CIDR '10.0.0.0/33': prefix length must be 0-32}
     */
    public static Cidr parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        if (t.isEmpty()) {
            throw bad(text, "empty");
        }
        int slash = t.indexOf('/');
        String host = slash < 0 ? t : t.substring(0, slash);
        if (host.length() >= 2 && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        InetAddress address = IpAddresses.ipv4(host);
        if (address == null) {
            address = IpAddresses.ipv6(host);
        }
        if (address == null) {
            throw bad(text, "'" + host + "' is not an IPv4 or IPv6 address");
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = t.substring(slash + 1);
            if (length.isEmpty()) {
                throw bad(text, "missing prefix length after '/'");
            }
            if (length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(length) > bits) {
                throw bad(text, "prefix length must be 0-" + bits);
            }
            prefix = Integer.parseInt(length);
        }
        String problem = problem(address, prefix);
        if (problem != null) {
            throw bad(text, problem);
        }
        return new Cidr(address, prefix);
    }

    /**
     * True when {@code address} is in this block. The IPv4-mapped IPv6 form of an address counts
     * as the IPv4 address; any other IPv6 address is never in an IPv4 block, and an IPv4 address
     * is never in an IPv6 block (not even {@code ::/0}).
     */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        if (IpAddresses.isMapped(a)) {
            a = IpAddresses.unmapped(a);
        }
        byte[] n = network.getAddress();
        return a.length == n.length && sharesPrefix(a, n, prefixLength);
    }

    /** {@code 127.0.0.0/8}, {@code 2001:db8::/32}. */
    @Override
    public String toString() {
        return IpAddresses.format(network) + "/" + prefixLength;
    }

    private static String problem(InetAddress network, int prefixLength) {
        byte[] n = network.getAddress();
        int bits = n.length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            return "prefix length must be 0-" + bits;
        }
        byte[] masked = masked(n, prefixLength);
        if (!Arrays.equals(masked, n)) {
            return "address has bits set after the /" + prefixLength + " prefix; did you mean "
                    + IpAddresses.format(IpAddresses.byAddress(masked)) + "/" + prefixLength + "?";
        }
        return null;
    }

    private static byte[] masked(byte[] address, int prefixLength) {
        byte[] m = address.clone();
        for (int i = 0; i < m.length; i++) {
            int keep = Math.max(0, Math.min(8, prefixLength - 8 * i));
            m[i] &= (byte) (0xff << (8 - keep));
        }
        return m;
    }

    private static boolean sharesPrefix(byte[] a, byte[] b, int prefixLength) {
        return Arrays.equals(masked(a, prefixLength), masked(b, prefixLength));
    }

    private static IllegalArgumentException bad(String text, String why) {
        return new IllegalArgumentException("bad CIDR '" + text + "': " + why);
    }
}
