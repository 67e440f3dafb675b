package org.wormhole.relay.control;

/**
 * JSON string literals (RFC 8259) that survive any terminal, pipe or locale: a quote, a backslash
 * and every control character are escaped, and so is every character beyond ASCII ({@code ö} is
 * written {@code \u00f6}, a character beyond the BMP as its surrogate pair), so the output is
 * plain ASCII whatever the encoding of the stream it is written to, and any JSON parser reads
 * the same text back.
 */
public final class JsonText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonText() {
    }

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        StringBuilder q = new StringBuilder(s.length() + 2);
        appendQuoted(q, s);
        return q.toString();
    }

    /** Appends {@code s} as a JSON string literal to {@code sb}. */
    public static void appendQuoted(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20 || ch > 0x7e) {
                        sb.append("\\u").append(HEX[ch >> 12 & 0xF]).append(HEX[ch >> 8 & 0xF])
                                .append(HEX[ch >> 4 & 0xF]).append(HEX[ch & 0xF]);
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        sb.append('"');
    }
}
