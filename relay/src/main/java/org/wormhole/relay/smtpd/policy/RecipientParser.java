package org.wormhole.relay.smtpd.policy;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Classifies a RCPT TO address (without its {@code <>}) by its syntax alone. Pure functions.
 *
 * <p>Lenient where real mail needs it, strict where relays get abused: dots in an unquoted local
 * part are not checked (old mobile-phone addresses such as {@code a..b@} exist), non-ASCII
 * (SMTPUTF8) is allowed in local part and domain, but every way of hiding a second destination in
 * the address is caught.
 */
final class RecipientParser {

    static final int MAX_ADDRESS_OCTETS = 254;
    static final int MAX_LOCAL_PART_OCTETS = 64;
    static final int MAX_LABEL_OCTETS = 63;

    /** Characters RFC 5322 does not allow in an unquoted local part (besides controls). */
    private static final String SPECIALS = " ()<>[]:;@\\,\"";

    private RecipientParser() {
    }

    static RecipientAddress parse(String address) {
        if (address.isEmpty()) {
            return new RecipientAddress.Malformed("empty address");
        }
        if (octets(address) > MAX_ADDRESS_OCTETS) {
            return new RecipientAddress.Malformed("address longer than " + MAX_ADDRESS_OCTETS + " octets");
        }
        if (address.chars().anyMatch(c -> c < ' ' || c == 127)) {
            return new RecipientAddress.Malformed("control character in address");
        }
        if (address.startsWith("@")) {
            return address.indexOf(':') >= 0
                    ? new RecipientAddress.RoutingTrick("source route")
                    : new RecipientAddress.Malformed("missing local part");
        }

        boolean quoted = address.startsWith("\"");
        String local;
        String content;
        int at;
        if (quoted) {
            int close = closingQuote(address);
            if (close < 0) {
                return new RecipientAddress.Malformed("unterminated quoted local part");
            }
            local = address.substring(0, close + 1);
            content = address.substring(1, close);
            at = close + 1;
            if (at < address.length() && address.charAt(at) != '@') {
                return new RecipientAddress.Malformed("text after the quoted local part");
            }
            if (content.indexOf('@') >= 0) {
                return new RecipientAddress.Malformed("quoted local part contains '@'");
            }
        } else {
            at = address.indexOf('@');
            if (at < 0) {
                at = address.length();
            }
            local = address.substring(0, at);
            content = local;
        }

        // Dequoted, as Postfix resolves it: "a%b"@c is a percent hack as much as a%b@c.
        if (content.indexOf('!') >= 0) {
            return new RecipientAddress.RoutingTrick("bang path");
        }
        if (content.indexOf('%') >= 0) {
            return new RecipientAddress.RoutingTrick("percent hack");
        }
        if (!quoted) {
            for (int i = 0; i < local.length(); i++) {
                char c = local.charAt(i);
                if (SPECIALS.indexOf(c) >= 0) {
                    return new RecipientAddress.Malformed("character '" + c + "' not allowed in an unquoted local part");
                }
            }
            if (local.isEmpty()) {
                return new RecipientAddress.Malformed("missing local part");
            }
        }
        if (at == address.length()) {
            return local.equalsIgnoreCase("postmaster")
                    ? new RecipientAddress.Postmaster()
                    : new RecipientAddress.Malformed("no domain (only postmaster may be written without one)");
        }
        if (octets(local) > MAX_LOCAL_PART_OCTETS) {
            return new RecipientAddress.Malformed("local part longer than " + MAX_LOCAL_PART_OCTETS + " octets");
        }
        return domain(address.substring(at + 1));
    }

    private static RecipientAddress domain(String domain) {
        if (domain.indexOf('@') >= 0) {
            return new RecipientAddress.Malformed("more than one '@'");
        }
        if (domain.startsWith("[")) {
            return literal(domain);
        }
        String name = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        String problem = domainProblem(name);
        if (problem != null) {
            return new RecipientAddress.Malformed(problem);
        }
        return new RecipientAddress.Mailbox(name.toLowerCase(Locale.ROOT), false);
    }

    private static RecipientAddress literal(String domain) {
        if (!domain.endsWith("]")) {
            return new RecipientAddress.Malformed("unterminated address literal");
        }
        String inner = domain.substring(1, domain.length() - 1);
        boolean ok = inner.regionMatches(true, 0, "IPv6:", 0, 5)
                ? IpAddresses.ipv6(inner.substring(5)) != null
                : IpAddresses.ipv4(inner) != null;
        if (!ok) {
            return new RecipientAddress.Malformed("address literal " + domain + " is not [IPv4] or [IPv6:address]");
        }
        return new RecipientAddress.Mailbox(domain.toLowerCase(Locale.ROOT), true);
    }

    /**
     * Why {@code name} (without a trailing dot) is not a domain name, or null if it is one:
     * non-empty dot-separated labels of letters, digits, {@code -}, {@code _} or non-ASCII, each
     * at most 63 octets.
     */
    static String domainProblem(String name) {
        if (name.isEmpty()) {
            return "empty domain";
        }
        for (String label : name.split("\\.", -1)) {
            if (label.isEmpty()) {
                return "domain " + name + " has an empty label";
            }
            if (octets(label) > MAX_LABEL_OCTETS) {
                return "domain label longer than " + MAX_LABEL_OCTETS + " octets";
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '_' || c > 127;
                if (!ok) {
                    return "character '" + c + "' not allowed in a domain";
                }
            }
        }
        return null;
    }

    /** The index of the quote that closes the quoted string opening {@code s}, or -1. */
    private static int closingQuote(String s) {
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return -1;
    }

    private static int octets(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
