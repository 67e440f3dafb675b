package org.wormhole.relay.smtpd;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The argument of MAIL and RCPT: {@code FROM:<address> params} / {@code TO:<address> params}.
 * The angle brackets are required (RFC 5321); a space after the colon is tolerated as
 * Postfix does.
 */
record PathArgument(String address, List<String> parameters) {

    /** Parses {@code args} after the verb; null for a syntax error. */
    static PathArgument parse(String args, String keyword) {
        if (!args.toUpperCase(Locale.ROOT).startsWith(keyword)) {
            return null;
        }
        String rest = args.substring(keyword.length()).stripLeading();
        if (!rest.startsWith("<")) {
            return null;
        }
        int close = closingBracket(rest);
        if (close < 0) {
            return null;
        }
        String address = rest.substring(1, close);
        List<String> params = new ArrayList<>();
        for (String p : rest.substring(close + 1).strip().split(" +")) {
            if (!p.isEmpty()) {
                params.add(p);
            }
        }
        return new PathArgument(address, params);
    }

    /** The '>' that closes the path, skipping quoted parts of the local part. */
    private static int closingBracket(String s) {
        boolean quoted = false;
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '>' && !quoted) {
                return i;
            }
        }
        return -1;
    }
}
