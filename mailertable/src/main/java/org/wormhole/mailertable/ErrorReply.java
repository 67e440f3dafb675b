package org.wormhole.mailertable;

/**
 * The SMTP reply an {@code error:} entry gives a recipient.
 *
 * @param code           the three-digit reply code, 4xx or 5xx
 * @param enhancedStatus the RFC 3463 status code, e.g. {@code 5.7.1}; when the table gives none it
 *                       is {@code X.0.0} with X the class of {@code code}
 * @param text           the reply text (may be empty)
 */
public record ErrorReply(int code, String enhancedStatus, String text) {

    /** A 4xx reply: the recipient is deferred, not bounced. */
    public boolean temporary() {
        return code / 100 == 4;
    }

    /** The reply as an SMTP server would send it: {@code 550 5.7.1 Relaying denied}. */
    @Override
    public String toString() {
        return text.isEmpty() ? code + " " + enhancedStatus : code + " " + enhancedStatus + " " + text;
    }
}
