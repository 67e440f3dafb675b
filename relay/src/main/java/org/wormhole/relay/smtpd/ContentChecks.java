package org.wormhole.relay.smtpd;

/**
 * What the SMTP listener refuses in message content besides bare CR or LF (always refused) and
 * oversized messages ({@code message_size_limit}).
 *
 * @param lineLengthLimit smtpd_line_length_limit: the longest line accepted, in octets without its
 *                        CRLF (longer: 550 5.6.0). Lines are carried byte for byte whatever their
 *                        length; the SMTP client folds them on delivery (smtp_line_length_limit).
 * @param forbidNul       smtpd_forbid_nul_in_content: a NUL byte in the content is refused with
 *                        550 5.6.0, as a bare CR or LF is; off, it is queued and passed on as it is
 */
public record ContentChecks(long lineLengthLimit, boolean forbidNul) {

    public ContentChecks {
        if (lineLengthLimit < 1) {
            throw new IllegalArgumentException("line length limit must be at least 1 octet: " + lineLengthLimit);
        }
    }

    /** No line limit of its own (the message size limit bounds a line) and NUL refused: the defaults. */
    public static ContentChecks defaults() {
        return new ContentChecks(Long.MAX_VALUE, true);
    }
}
