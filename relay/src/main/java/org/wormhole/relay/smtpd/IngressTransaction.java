package org.wormhole.relay.smtpd;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;

/**
 * The envelope of one SMTP transaction (MAIL, RCPT..., DATA) while it is being received. Our
 * MAIL, RCPT and DATA commands fill it; SubEthaSMTP creates it at MAIL and calls {@link #done}
 * at the end of DATA, RSET, a new HELO/EHLO or the end of the session. Its life is counted by
 * the {@link SessionGuard}, so that a stopping relay waits for it. Not thread-safe: one
 * session's thread.
 */
final class IngressTransaction implements MessageHandler {

    private final MessageContext context;
    private final SessionGuard guard;
    private boolean done;
    String sender = "";
    boolean eightBit;
    boolean smtpUtf8;
    final List<String> recipients = new ArrayList<>();

    IngressTransaction(MessageContext context, SessionGuard guard) {
        this.context = context;
        this.guard = guard;
        guard.transactionOpened();
    }

    MessageContext context() {
        return context;
    }

    @Override
    public void from(String from) {
        // Set by MailCommand, which also parses the ESMTP parameters SubEthaSMTP drops.
    }

    @Override
    public void recipient(String recipient) {
        // Set by RcptCommand after the relay policy check.
    }

    @Override
    public String data(InputStream data) {
        throw new IllegalStateException("DATA is handled by DataCommand");
    }

    @Override
    public void done() {
        // Nothing held: an unfinished queue file is aborted by DataCommand itself.
        if (!done) {
            done = true;
            guard.transactionClosed();
        }
    }
}
