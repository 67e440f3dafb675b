package org.wormhole.mailertable;

import java.util.Locale;

/**
 * Parses the value side of a mailertable entry (after {@code %} substitution) into a
 * {@link Route}. Pure; throws {@link BadValue} with an admin-readable reason.
 *
 * <pre>
 * value     = mailer ":" rest
 * transport = [ user "@" ] hostspec               (esmtp smtp smtp8 relay lmtp tsmtp)
 * hostspec  = host [ ":" port ] | "[" host "]" [ ":" port ]
 *           | "[" IPv4 "]" [ ":" port ] | "[IPv6:" IPv6 "]" [ ":" port ]
 * error     = D.S.N ":" CODE [ SP text ] | CODE [ SP D.S.N ] [ SP text ]
 *                                                  (CODE 4xx or 5xx, class of D.S.N = class of CODE)
 * local     = [ user ]
 * discard   = anything
 * </pre>
 */
final class ValueParser {

    /** A value the parser refused. */
    static final class BadValue extends Exception {
        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    /** A parsed value: the route and, for {@code mailer:user@host}, the new recipient. */
    record Parsed(Route route, String rewrittenRecipient) {
    }

    private ValueParser() {
    }

    static Parsed parse(String value) throws BadValue {
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw new BadValue("value '" + value + "' names no mailer: expected mailer:host");
        }
        String mailerName = value.substring(0, colon);
        Mailer mailer = Mailer.byName(mailerName);
        if (mailer == null) {
            throw new BadValue("unknown mailer '" + mailerName + "' (known: " + Mailer.knownNames() + ")");
        }
        String rest = value.substring(colon + 1);
        if (mailer != Mailer.ERROR) {
            int ws = firstWhitespace(rest);
            if (ws >= 0) {
                throw new BadValue("unexpected text after value: '" + rest.substring(ws).strip()
                        + "' (comments must start a line)");
            }
        }
        return switch (mailer.kind()) {
            case TRANSPORT -> transport(mailer, rest);
            case ERROR -> new Parsed(new Route.Reject(error(rest)), null);
            case DISCARD -> new Parsed(new Route.Discard(), null);
            case LOCAL -> new Parsed(new Route.Local(localUser(rest)), null);
        };
    }

    private static Parsed transport(Mailer mailer, String rest) throws BadValue {
        String user = null;
        String hostspec = rest;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            user = rest.substring(0, at);
            hostspec = rest.substring(at + 1);
            if (user.isEmpty()) {
                throw new BadValue("empty user before '@' in '" + rest + "'");
            }
        }
        if (hostspec.isEmpty()) {
            throw new BadValue("mailer " + mailer + " needs a host: " + mailer + ":host or " + mailer + ":[host]");
        }
        Nexthop nexthop = hostspec.startsWith("[") ? bracketed(hostspec) : bare(hostspec);
        // sendmail 8.8+: mailer:user@host sends to user@host. Brackets only suppress MX lookup,
        // so they are dropped from a host name here and kept around an address literal.
        String rewritten = user == null ? null : user + "@" + nexthop.host();
        return new Parsed(new Route.Transport(mailer, nexthop), rewritten);
    }

    private static Nexthop bracketed(String hostspec) throws BadValue {
        int close = hostspec.indexOf(']');
        if (close < 0) {
            throw new BadValue("missing ']' in '" + hostspec + "'");
        }
        String inner = hostspec.substring(1, close);
        String problem = HostSyntax.bracketedProblem(inner);
        if (problem != null) {
            throw new BadValue(problem);
        }
        String after = hostspec.substring(close + 1);
        int port = Nexthop.DEFAULT_PORT;
        if (!after.isEmpty()) {
            if (after.charAt(0) != ':') {
                throw new BadValue("unexpected '" + after + "' after ']'");
            }
            port = port(after.substring(1));
        }
        if (HostSyntax.isAddress(inner)) {
            String literal = inner.regionMatches(true, 0, "IPv6:", 0, 5)
                    ? "[IPv6:" + inner.substring(5).toLowerCase(Locale.ROOT) + "]"
                    : "[" + inner + "]";
            return new Nexthop(literal, port, false);
        }
        return new Nexthop(stripDot(inner).toLowerCase(Locale.ROOT), port, false);
    }

    private static Nexthop bare(String hostspec) throws BadValue {
        String host = hostspec;
        int port = Nexthop.DEFAULT_PORT;
        int colon = hostspec.indexOf(':');
        if (colon >= 0) {
            host = hostspec.substring(0, colon);
            port = port(hostspec.substring(colon + 1));
        }
        host = stripDot(host);
        if (host.indexOf(']') >= 0) {
            throw new BadValue("unbalanced ']' in '" + hostspec + "'");
        }
        String problem = HostSyntax.domainProblem(host);
        if (problem != null) {
            throw new BadValue("malformed host '" + host + "': " + problem);
        }
        if (HostSyntax.looksNumeric(host)) {
            throw new BadValue("'" + host + "' is an address, not a mail domain: write it as [" + host + "]");
        }
        return new Nexthop(host.toLowerCase(Locale.ROOT), port, true);
    }

    private static int port(String text) throws BadValue {
        if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
            throw new BadValue("bad port '" + text + "' (expected 1-65535)");
        }
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
            throw new BadValue("bad port '" + text + "' (expected 1-65535)");
        }
        return port;
    }

    private static ErrorReply error(String rest) throws BadValue {
        String s = rest.strip();
        String dsn = null;
        int colon = s.indexOf(':');
        int ws = firstWhitespace(s);
        if (colon >= 0 && (ws < 0 || colon < ws)) {
            dsn = s.substring(0, colon);
            s = s.substring(colon + 1).strip();
            ws = firstWhitespace(s);
        }
        String codeText = ws < 0 ? s : s.substring(0, ws);
        String text = ws < 0 ? "" : s.substring(ws).strip();
        if (codeText.length() != 3 || !codeText.chars().allMatch(ch -> ch >= '0' && ch <= '9')
                || (codeText.charAt(0) != '4' && codeText.charAt(0) != '5')) {
            throw new BadValue("bad error code '" + codeText + "': expected error:D.S.N:CODE text or"
                    + " error:CODE text with CODE 4xx or 5xx");
        }
        int code = Integer.parseInt(codeText);
        if (dsn == null) {
            // "error:550 5.7.1 text", the order of an SMTP reply
            int sp = firstWhitespace(text);
            String first = sp < 0 ? text : text.substring(0, sp);
            if (isEnhancedStatus(first)) {
                dsn = first;
                text = sp < 0 ? "" : text.substring(sp).strip();
            }
        }
        if (dsn == null) {
            dsn = codeText.charAt(0) + ".0.0";
        } else {
            if (!isEnhancedStatus(dsn)) {
                throw new BadValue("bad enhanced status code '" + dsn + "': expected 4.X.Y or 5.X.Y");
            }
            if (dsn.charAt(0) != codeText.charAt(0)) {
                throw new BadValue("enhanced status " + dsn + " does not match reply code " + code
                        + " (both must be 4 or both 5)");
            }
        }
        return new ErrorReply(code, dsn, text);
    }

    /** RFC 3463: class "." subject "." detail, class 4 or 5, subject and detail 1-3 digits. */
    private static boolean isEnhancedStatus(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 3 || !(parts[0].equals("4") || parts[0].equals("5"))) {
            return false;
        }
        for (int i = 1; i < 3; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static String localUser(String rest) throws BadValue {
        if (rest.indexOf('@') >= 0) {
            throw new BadValue("local user '" + rest + "' must not contain '@'");
        }
        return rest;
    }

    private static String stripDot(String host) {
        return host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    }

    static int firstWhitespace(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isWhitespace(s.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
