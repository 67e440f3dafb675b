package org.wormhole.relay.smtpd.policy;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** IP address text, parsed and written without ever asking DNS. Pure functions. */
final class IpAddresses {

    private static final byte[] MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private IpAddresses() {
    }

    /** {@code 192.0.2.1} as an address; null unless four decimal octets 0-255 without leading zeros. */
    static InetAddress ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (p.length() > 1 && p.charAt(0) == '0')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            bytes[i] = (byte) v;
        }
        return byAddress(bytes);
    }

    /**
     * {@code 2001:db8::1} (or {@code ::ffff:192.0.2.1}) as a 16-byte {@link Inet6Address}, IPv4-mapped
     * addresses included, which the JDK would otherwise turn into IPv4; null if not an IPv6
     * address. Zone ids ({@code %eth0}) are not accepted.
     */
    static Inet6Address ipv6(String s) {
        if (s.indexOf(':') < 0 || !s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                || (c >= 'A' && c <= 'F') || c == ':' || c == '.')) {
            return null;
        }
        try {
            // In brackets the JDK parses an IPv6 literal or fails; it never asks DNS.
            byte[] bytes = InetAddress.getByName("[" + s + "]").getAddress();
            return Inet6Address.getByAddress(null, bytes.length == 16 ? bytes : mapped(bytes), -1);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** True for a 16-byte address of the form {@code ::ffff:a.b.c.d}. */
    static boolean isMapped(byte[] address) {
        return address.length == 16 && Arrays.equals(address, 0, 12, MAPPED_PREFIX, 0, 12);
    }

    /** {@code a.b.c.d} as {@code ::ffff:a.b.c.d}. */
    static byte[] mapped(byte[] ipv4) {
        byte[] bytes = Arrays.copyOf(MAPPED_PREFIX, 16);
        System.arraycopy(ipv4, 0, bytes, 12, 4);
        return bytes;
    }

    /** The last four bytes of {@code ::ffff:a.b.c.d}. */
    static byte[] unmapped(byte[] address) {
        return Arrays.copyOfRange(address, 12, 16);
    }

    /** An address for {@code bytes} (4 or 16), with no host name and no lookup. */
    static InetAddress byAddress(byte[] bytes) {
        try {
            return bytes.length == 16 ? Inet6Address.getByAddress(null, bytes, -1) : InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, not " + bytes.length, e);
        }
    }

    /** {@code 192.0.2.1}, or IPv6 in the RFC 5952 form: lower case, longest zero run as {@code ::}. */
    static String format(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return (b[0] & 0xff) + "." + (b[1] & 0xff) + "." + (b[2] & 0xff) + "." + (b[3] & 0xff);
        }
        if (isMapped(b)) {
            return "::ffff:" + format(byAddress(unmapped(b)));
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
