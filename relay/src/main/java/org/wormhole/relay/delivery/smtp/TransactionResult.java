package org.wormhole.relay.delivery.smtp;

import java.util.List;

/**
 * What happened to each recipient of one transaction.
 *
 * @param recipientReplies one reply per envelope recipient, in envelope order: the recipient's
 *                         RCPT reply when that failed; else the reply to DATA when that failed;
 *                         else the final reply after the content (SMTP) or that recipient's own
 *                         reply after the content (LMTP). A transaction the client refused to
 *                         start (no SMTPUTF8, over the server's SIZE) and a server closing with 421
 *                         give every unanswered recipient the same reply.
 * @param remote           the server as {@code host[ip]:port}, for logs and DSNs
 * @param tls              the transaction went over TLS
 */
public record TransactionResult(List<SmtpReply> recipientReplies, String remote, boolean tls) {

    public TransactionResult {
        recipientReplies = List.copyOf(recipientReplies);
    }

    /** The reply for the {@code i}-th envelope recipient. */
    public SmtpReply reply(int i) {
        return recipientReplies.get(i);
    }
}
