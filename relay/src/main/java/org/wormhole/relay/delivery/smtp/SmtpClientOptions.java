package org.wormhole.relay.delivery.smtp;

import java.time.Duration;
import javax.net.ssl.SSLSocketFactory;

/**
 * How an {@link SmtpConnection} talks to its server.
 *
 * @param heloName         the name sent with EHLO, HELO or LHLO (this relay's host name)
 * @param connectTimeout   limit for the TCP connect
 * @param commandTimeout   limit for each wait on a reply (greeting, EHLO, MAIL, RCPT, DATA, RSET,
 *                         QUIT), for each blocked write of a command, and for the TLS handshake
 * @param dataTimeout      limit for each blocked write of message content and for the wait on each
 *                         reply after the final dot (the server may be scanning the message)
 * @param lmtp             speak LMTP (RFC 2033): LHLO, one reply per recipient after the dot
 * @param tls              whether and how to use TLS (STARTTLS or implicit)
 * @param tlsSocketFactory layers TLS over the connected socket; required unless {@code tls} is
 *                         {@link TlsMode#NONE}, ignored then. It decides which server
 *                         certificates are accepted.
 *                         Only TLSv1.2 and TLSv1.3 are enabled, whatever the factory allows.
 * @param lineLengthLimit  smtp_line_length_limit: a content line longer than this many octets
 *                         (without its CRLF) is folded on the wire, CRLF SP inserted, as Postfix
 *                         does; 0: lines go out as they are stored
 */
public record SmtpClientOptions(
        String heloName,
        Duration connectTimeout,
        Duration commandTimeout,
        Duration dataTimeout,
        boolean lmtp,
        TlsMode tls,
        SSLSocketFactory tlsSocketFactory,
        int lineLengthLimit) {

    /** Postfix's smtp_line_length_limit default: RFC 5321's 1000 octets with the CRLF. */
    public static final int DEFAULT_LINE_LENGTH_LIMIT = 998;

    /** The smallest line length limit that leaves room for content after the space of a fold. */
    public static final int MIN_LINE_LENGTH_LIMIT = 2;

    /** With the default line length limit. */
    public SmtpClientOptions(String heloName, Duration connectTimeout, Duration commandTimeout, Duration dataTimeout,
                             boolean lmtp, TlsMode tls, SSLSocketFactory tlsSocketFactory) {
        this(heloName, connectTimeout, commandTimeout, dataTimeout, lmtp, tls, tlsSocketFactory,
                DEFAULT_LINE_LENGTH_LIMIT);
    }

    public SmtpClientOptions {
        if (heloName == null || heloName.isEmpty() || !heloName.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException("bad HELO name: '" + heloName + "'");
        }
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("commandTimeout", commandTimeout);
        requirePositive("dataTimeout", dataTimeout);
        if (tls == null) {
            throw new IllegalArgumentException("tls mode is required");
        }
        if (tls != TlsMode.NONE && tlsSocketFactory == null) {
            throw new IllegalArgumentException("TlsMode." + tls + " needs a tlsSocketFactory");
        }
        if (lineLengthLimit != 0 && lineLengthLimit < MIN_LINE_LENGTH_LIMIT) {
            throw new IllegalArgumentException("lineLengthLimit must be 0 (no folding) or at least "
                    + MIN_LINE_LENGTH_LIMIT + ": " + lineLengthLimit);
        }
    }

    /**
     * SMTP with opportunistic TLS and Postfix's timeouts: connect 30 s, commands 300 s, content
     * and the replies after it 600 s.
     */
    public static SmtpClientOptions defaults(String heloName) {
        return new SmtpClientOptions(heloName, Duration.ofSeconds(30), Duration.ofSeconds(300),
                Duration.ofSeconds(600), false, TlsMode.MAY, OpportunisticTls.socketFactory());
    }

    public SmtpClientOptions withLmtp(boolean lmtp) {
        return new SmtpClientOptions(heloName, connectTimeout, commandTimeout, dataTimeout, lmtp, tls, tlsSocketFactory,
                lineLengthLimit);
    }

    public SmtpClientOptions withTls(TlsMode tls, SSLSocketFactory tlsSocketFactory) {
        return new SmtpClientOptions(heloName, connectTimeout, commandTimeout, dataTimeout, lmtp, tls, tlsSocketFactory,
                lineLengthLimit);
    }

    public SmtpClientOptions withTimeouts(Duration connectTimeout, Duration commandTimeout, Duration dataTimeout) {
        return new SmtpClientOptions(heloName, connectTimeout, commandTimeout, dataTimeout, lmtp, tls, tlsSocketFactory,
                lineLengthLimit);
    }

    public SmtpClientOptions withLineLengthLimit(int lineLengthLimit) {
        return new SmtpClientOptions(heloName, connectTimeout, commandTimeout, dataTimeout, lmtp, tls, tlsSocketFactory,
                lineLengthLimit);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be between 1 ms and " + Integer.MAX_VALUE + " ms: " + d);
        }
    }
}
