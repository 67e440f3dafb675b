package org.wormhole.relay.delivery.smtp;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One mail transaction on an open session: MAIL, RCPT for each recipient, DATA, content, and the
 * reply (SMTP, RFC 5321 3.3) or one reply per accepted recipient (LMTP, RFC 2033 4.2). With
 * PIPELINING (RFC 2920) MAIL, all RCPTs and DATA go out in one write and their replies are read
 * in order; without it, one command per reply. Content is sent only when a recipient was accepted.
 * Single use; not thread-safe.
 */
final class Transaction {

    private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);
    private static final int CLOSING = 421;

    /**
     * @param replies        one per envelope recipient, in order
     * @param sessionUsable  false when the server closed or the state after the transaction is
     *                       unknown: the session must not be used again
     */
    record Outcome(List<SmtpReply> replies, boolean sessionUsable) {
    }

    private final SmtpWire wire;
    private final OutboundEnvelope envelope;
    private final EhloExtensions extensions;
    private final boolean lmtp;
    private final Duration commandTimeout;
    private final Duration dataTimeout;
    private final int lineLengthLimit;
    private final SmtpReply[] replies;
    private final List<Integer> accepted = new ArrayList<>();
    private boolean sessionUsable = true;

    Transaction(SmtpWire wire, OutboundEnvelope envelope, EhloExtensions extensions, SmtpClientOptions options) {
        this.wire = wire;
        this.envelope = envelope;
        this.extensions = extensions;
        this.lmtp = options.lmtp();
        this.commandTimeout = options.commandTimeout();
        this.dataTimeout = options.dataTimeout();
        this.lineLengthLimit = options.lineLengthLimit();
        this.replies = new SmtpReply[envelope.recipients().size()];
    }

    /**
     * Runs the transaction.
     *
     * @throws IOException           the connection failed before any recipient's final outcome was
     *                               known; the state is unknown, the session is unusable
     * @throws SmtpProtocolException the server broke the protocol; the session is unusable
     */
    Outcome run(long size, InputStream body) throws IOException, SmtpProtocolException {
        String mail = mailCommand(size);
        SmtpReply dataReply = extensions.has("PIPELINING") ? pipelinedEnvelope(mail) : stepwiseEnvelope(mail);
        if (dataReply == null) {
            return outcome();
        }
        if (dataReply.code() != 354) {
            answerAccepted(dataReply);
            if (dataReply.code() == CLOSING) {
                closing(dataReply);
            } else {
                reset();
            }
            return outcome();
        }
        if (accepted.isEmpty()) {
            // Pipelined, and the server said 354 although it accepted no recipient: end the
            // (empty) content at once, as RFC 2920 3.1 asks, and discard what it says.
            wire.content(InputStream.nullInputStream(), dataTimeout, 0);
            if (lmtp) {
                sessionUsable = false; // zero replies are due, but this server is not to be trusted on that
            } else if (wire.read(dataTimeout).reply().code() == CLOSING) {
                sessionUsable = false;
            }
            return outcome();
        }
        wire.content(body, dataTimeout, lineLengthLimit);
        if (lmtp) {
            readLmtpReplies();
        } else {
            SmtpReply last = expectNo3xx("the content", wire.read(dataTimeout).reply());
            answerAccepted(last);
            if (last.code() == CLOSING) {
                closing(last);
            }
        }
        return outcome();
    }

    private String mailCommand(long size) {
        StringBuilder mail = new StringBuilder("MAIL FROM:<").append(envelope.sender()).append('>');
        if (extensions.has("SIZE")) {
            mail.append(" SIZE=").append(size);
        }
        if (envelope.eightBit()) {
            if (extensions.has("8BITMIME")) {
                mail.append(" BODY=8BITMIME");
            } else {
                log.debug("{} does not offer 8BITMIME; sending the 8-bit content as it is, as Postfix does", wire.remote());
            }
        }
        if (envelope.smtpUtf8()) {
            mail.append(" SMTPUTF8");
        }
        return mail.toString();
    }

    /** MAIL, RCPTs and DATA in one write. Returns the DATA reply, or null when the transaction ended. */
    private SmtpReply pipelinedEnvelope(String mail) throws IOException, SmtpProtocolException {
        wire.send(mail);
        for (String r : envelope.recipients()) {
            wire.send("RCPT TO:<" + r + ">");
        }
        wire.send("DATA");
        wire.flush();
        SmtpReply mailReply = expectNo3xx("MAIL", wire.read(commandTimeout).reply());
        if (mailReply.code() == CLOSING) {
            return closing(mailReply);
        }
        for (int i = 0; i < replies.length; i++) {
            SmtpReply r = expectNo3xx("RCPT", wire.read(commandTimeout).reply());
            if (r.code() == CLOSING) {
                return closing(r);
            }
            recipientReply(i, mailReply.positive() ? r : mailReply);
        }
        SmtpReply data = expectDataReply(wire.read(commandTimeout).reply());
        return data.code() == CLOSING ? closing(data) : data;
    }

    /** One command per reply. Returns the DATA reply, or null when the transaction ended. */
    private SmtpReply stepwiseEnvelope(String mail) throws IOException, SmtpProtocolException {
        SmtpReply mailReply = expectNo3xx("MAIL", wire.command(mail).reply());
        if (mailReply.code() == CLOSING) {
            return closing(mailReply);
        }
        if (!mailReply.positive()) {
            Arrays.fill(replies, mailReply);
            return null;
        }
        for (int i = 0; i < replies.length; i++) {
            SmtpReply r = expectNo3xx("RCPT", wire.command("RCPT TO:<" + envelope.recipients().get(i) + ">").reply());
            if (r.code() == CLOSING) {
                return closing(r);
            }
            recipientReply(i, r);
        }
        if (accepted.isEmpty()) {
            reset();
            return null;
        }
        SmtpReply data = expectDataReply(wire.command("DATA").reply());
        return data.code() == CLOSING ? closing(data) : data;
    }

    /** Only DATA may get a 3xx; taking one as a failure would misreport, as a success lose mail. */
    private SmtpReply expectNo3xx(String command, SmtpReply r) throws SmtpProtocolException {
        if (r.code() / 100 == 3) {
            throw new SmtpProtocolException(wire.remote() + " answered " + command + " with an intermediate reply", r);
        }
        return r;
    }

    /** DATA gets 354, 4xx or 5xx; a 2xx would claim delivery of content never sent. */
    private SmtpReply expectDataReply(SmtpReply r) throws SmtpProtocolException {
        if (r.code() != 354 && r.code() / 100 < 4) {
            throw new SmtpProtocolException(wire.remote() + " answered DATA with neither 354 nor an error", r);
        }
        return r;
    }

    private void recipientReply(int i, SmtpReply r) {
        if (r.positive()) {
            accepted.add(i);
        } else {
            replies[i] = r;
        }
    }

    /**
     * LMTP: one reply per accepted recipient, in RCPT order. Once some recipients have their
     * final reply, losing the connection must not hide it (they are delivered): the rest get a
     * made-up 451 4.4.2 instead of an exception.
     */
    private void readLmtpReplies() throws IOException, SmtpProtocolException {
        for (int k = 0; k < accepted.size(); k++) {
            SmtpReply r;
            try {
                r = expectNo3xx("the content", wire.read(dataTimeout).reply());
            } catch (IOException | SmtpProtocolException e) {
                if (k == 0) {
                    throw e;
                }
                closing(new SmtpReply(451, "4.4.2", oneLine("lost connection with " + wire.remote()
                        + " while receiving the per-recipient replies: " + e.getMessage())));
                return;
            }
            replies[accepted.get(k)] = r;
            if (r.code() == CLOSING) {
                closing(r);
                return;
            }
        }
    }

    private void answerAccepted(SmtpReply r) {
        for (int i : accepted) {
            replies[i] = r;
        }
    }

    /** The server is closing (or gone): every recipient without a final reply gets {@code r}. */
    private SmtpReply closing(SmtpReply r) {
        for (int i = 0; i < replies.length; i++) {
            if (replies[i] == null) {
                replies[i] = r;
            }
        }
        sessionUsable = false;
        return null;
    }

    /** Ends a transaction that began with an accepted MAIL but got no content through. */
    private void reset() throws IOException, SmtpProtocolException {
        if (!wire.command("RSET").reply().positive()) {
            sessionUsable = false;
        }
    }

    private Outcome outcome() {
        for (SmtpReply r : replies) {
            if (r == null) {
                throw new IllegalStateException("a recipient has no reply");
            }
        }
        return new Outcome(List.of(replies), sessionUsable);
    }

    private static String oneLine(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }
}
