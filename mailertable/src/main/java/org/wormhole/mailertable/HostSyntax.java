package org.wormhole.mailertable;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Syntax checks for domain names and address literals. Pure functions, no DNS. */
final class HostSyntax {

    private HostSyntax() {
    }

    /**
     * Why {@code s} is not a domain name, or null if it is one: dot-separated labels of letters,
     * digits, hyphens (and underscores, seen in real host names), 1-63 octets each, at most 253
     * in all, no label starting or ending with a hyphen.
     */
    static String domainProblem(String s) {
        if (s.isEmpty()) {
            return "empty domain";
        }
        if (s.length() > 253) {
            return "domain longer than 253 characters";
        }
        int labelStart = 0;
        for (int i = 0; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : '.';
            if (c == '.') {
                int len = i - labelStart;
                if (len == 0) {
                    return "empty label";
                }
                if (len > 63) {
                    return "label longer than 63 characters";
                }
                if (s.charAt(labelStart) == '-' || s.charAt(i - 1) == '-') {
                    return "label starts or ends with '-'";
                }
                labelStart = i + 1;
            } else if (!isLabelChar(c)) {
                if (c > 127) {
                    return "non-ASCII character (write the xn-- A-label form)";
                }
                return "character '" + c + "' not allowed";
            }
        }
        return null;
    }

    static boolean isLabelChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '_';
    }

    /** True when the last label is all digits: "192.0.2.1" is an address, not a mail domain. */
    static boolean looksNumeric(String s) {
        int dot = s.lastIndexOf('.');
        String last = s.substring(dot + 1);
        return !last.isEmpty() && last.chars().allMatch(ch -> ch >= '0' && ch <= '9');
    }

    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                return false;
            }
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String s) {
        if (s.isEmpty() || s.indexOf(':') < 0) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                    || c == ':' || c == '.';
            if (!ok) {
                return false;
            }
        }
        try {
            // Bracketed, the JDK parses it as an IPv6 literal and never asks DNS.
            InetAddress.getByName("[" + s + "]");
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Why {@code inner} (the text between SMTP address-literal brackets) is neither a domain, an
     * IPv4 address nor {@code IPv6:address}; null if it is one of them.
     */
    static String bracketedProblem(String inner) {
        if (inner.regionMatches(true, 0, "IPv6:", 0, 5)) {
            return isIpv6(inner.substring(5)) ? null : "malformed IPv6 address '" + inner.substring(5) + "'";
        }
        if (looksNumeric(inner)) {
            return isIpv4(inner) ? null : "malformed IPv4 address '" + inner + "'";
        }
        String p = domainProblem(inner);
        return p == null ? null : "malformed host '" + inner + "': " + p;
    }

    /** True when {@code inner} (between brackets) is an IP address rather than a host name. */
    static boolean isAddress(String inner) {
        return inner.regionMatches(true, 0, "IPv6:", 0, 5) || isIpv4(inner);
    }
}
