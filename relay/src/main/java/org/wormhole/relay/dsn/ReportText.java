package org.wormhole.relay.dsn;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text from the network safe to put in a notice: on one line, of bounded length, and where
 * only 7-bit text may go, ASCII. Pure functions.
 */
final class ReportText {

    private static final Pattern REPLY_LINE = Pattern.compile("(\\d{3})[ -](?:([245]\\.\\d{1,3}\\.\\d{1,3}) +)?(.*)");

    private ReportText() {
    }

    /**
     * A diagnostic on one line of at most {@code max} characters. A multi-line SMTP reply is
     * joined as Postfix does: {@code 550-5.1.1 a} + {@code 550 5.1.1 b} gives
     * {@code 550 5.1.1 a b}. Anything else goes through {@link #oneLine}.
     */
    static String diagnostic(String s, int max) {
        return oneLine(joinReplyLines(s), max);
    }

    private static String joinReplyLines(String s) {
        String[] lines = s.split("\r\n|\r|\n");
        if (lines.length < 2) {
            return s;
        }
        String code = null;
        StringBuilder joined = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank()) {
                continue;
            }
            Matcher m = REPLY_LINE.matcher(line);
            if (!m.matches() || (code != null && !code.equals(m.group(1)))) {
                return s;
            }
            if (code == null) {
                code = m.group(1);
                joined.append(code);
                if (m.group(2) != null) {
                    joined.append(' ').append(m.group(2));
                }
            }
            joined.append(' ').append(m.group(3));
        }
        return joined.toString();
    }

    /**
     * {@code s} on one line: every control character (CR and LF of a multi-line SMTP reply
     * included) becomes a space, runs of spaces become one, and the ends are trimmed. Longer than
     * {@code max} characters, it is cut and ends in {@code ...}.
     */
    static String oneLine(String s, int max) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max + 3));
        boolean space = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 127) {
                space = sb.length() > 0;
                continue;
            }
            if (space) {
                sb.append(' ');
                space = false;
            }
            sb.append(c);
        }
        if (sb.length() <= max) {
            return sb.toString();
        }
        int cut = Character.isLowSurrogate(sb.charAt(max)) ? max - 1 : max;
        return sb.substring(0, cut) + "...";
    }

    /** True when {@code s} is printable ASCII only (space included). */
    static boolean isPrintableAscii(String s) {
        return s.chars().allMatch(c -> c >= ' ' && c < 127);
    }

    /** {@code s} with every character that is not printable ASCII replaced by {@code ?}, one per code point. */
    static String ascii(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> sb.append(c >= ' ' && c < 127 ? (char) c : '?'));
        return sb.toString();
    }

    /**
     * An address as an RFC 3464 address field value: {@code rfc822; user@example.net}, or for an
     * address with non-ASCII characters (SMTPUTF8) the RFC 6533 {@code utf-8} type in its 7-bit
     * utf-8-addr-xtext form, each such character written {@code \x{HEX}}.
     */
    static String addressField(String address) {
        if (address.chars().allMatch(c -> c > ' ' && c < 127)) {
            return "rfc822; " + address;
        }
        StringBuilder sb = new StringBuilder("utf-8; ");
        address.codePoints().forEach(c -> {
            boolean qchar = c > ' ' && c < 127 && c != '+' && c != '=' && c != '\\';
            if (qchar) {
                sb.append((char) c);
            } else {
                sb.append("\\x{").append(Integer.toHexString(c).toUpperCase(Locale.ROOT)).append('}');
            }
        });
        return sb.toString();
    }
}
