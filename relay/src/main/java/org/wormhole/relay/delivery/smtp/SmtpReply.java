package org.wormhole.relay.delivery.smtp;

import java.util.List;
import java.util.regex.Pattern;

/**
 * One reply of an SMTP or LMTP server, or one the client made up for a recipient it could not
 * send (for example {@code 553 5.6.7} when the server lacks SMTPUTF8).
 *
 * @param code           the three-digit reply code, 200-599
 * @param enhancedStatus the RFC 3463 status code such as {@code 2.0.0}, or {@code ""} when the
 *                       reply has none
 * @param text           the reply text, all lines joined with a single space, with the enhanced
 *                       status code removed from each line; never contains CR or LF
 */
public record SmtpReply(int code, String enhancedStatus, String text) {

    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        if (enhancedStatus == null || !(enhancedStatus.isEmpty() || ENHANCED.matcher(enhancedStatus).matches())) {
            throw new IllegalArgumentException("bad enhanced status code: " + enhancedStatus);
        }
        if (!enhancedStatus.isEmpty() && enhancedStatus.charAt(0) - '0' != code / 100) {
            throw new IllegalArgumentException("enhanced status " + enhancedStatus + " does not match reply code " + code);
        }
        if (text == null || text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("reply text must be one line");
        }
    }

    /** 2xx: the command (for a recipient: the delivery) succeeded. */
    public boolean positive() {
        return code / 100 == 2;
    }

    /** 4xx: try again later; the recipient is deferred. */
    public boolean transientFailure() {
        return code / 100 == 4;
    }

    /** 5xx: the recipient is bounced. */
    public boolean permanentFailure() {
        return code / 100 == 5;
    }

    /** The reply as a server sends it, on one line: {@code 250 2.0.0 Ok}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(code);
        if (!enhancedStatus.isEmpty()) {
            sb.append(' ').append(enhancedStatus);
        }
        if (!text.isEmpty()) {
            sb.append(' ').append(text);
        }
        return sb.toString();
    }

    /**
     * The reply made of the text of each line (after the code and separator). The enhanced status
     * code is taken from the first line when it starts with one of the reply's class, and is then
     * removed from every line that repeats it.
     */
    static SmtpReply of(int code, List<String> lineTexts) {
        String enhanced = enhancedPrefix(code, lineTexts.isEmpty() ? "" : lineTexts.get(0));
        StringBuilder text = new StringBuilder();
        for (String line : lineTexts) {
            String t = line;
            if (!enhanced.isEmpty() && (t.equals(enhanced) || t.startsWith(enhanced + " "))) {
                t = t.substring(enhanced.length()).strip();
            }
            if (!t.isEmpty()) {
                if (text.length() > 0) {
                    text.append(' ');
                }
                text.append(t);
            }
        }
        return new SmtpReply(code, enhanced, text.toString());
    }

    private static String enhancedPrefix(int code, String firstLine) {
        int end = firstLine.indexOf(' ');
        String candidate = end < 0 ? firstLine : firstLine.substring(0, end);
        if (ENHANCED.matcher(candidate).matches() && candidate.charAt(0) - '0' == code / 100) {
            return candidate;
        }
        return "";
    }
}
