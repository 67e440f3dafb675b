package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;
import org.wormhole.relay.events.MessageQueued;
import org.wormhole.relay.events.MessageRefused;
import org.wormhole.relay.queue.BodyFlag;
import org.wormhole.relay.queue.ReceivedHeader;
import org.wormhole.relay.queue.Spool;

/**
 * DATA: streams the content into a new queue file and answers 250 only once that file and its
 * directory are fsynced. Defective content (bare CR/LF, NUL, lines over smtpd_line_length_limit,
 * over the size limit: {@link DataReader}) is read to its end and refused; nothing of it is queued.
 */
final class DataCommand extends SmtpCommand {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    private final IngressContext ctx;

    DataCommand(IngressContext ctx) {
        super("DATA", "Following text is collected as the message. End with a single dot.");
        this.ctx = ctx;
    }

    @Override
    void run(String args, Session s) throws IOException, DropConnectionException {
        if (!args.isEmpty()) {
            s.sendResponse("501 5.5.4 Syntax: DATA");
            return;
        }
        if (!s.isMailTransactionInProgress()) {
            s.sendResponse("503 5.5.1 Error: need MAIL command");
            return;
        }
        IngressTransaction tx = (IngressTransaction) s.getMessageHandler();
        if (tx.recipients.isEmpty()) {
            s.sendResponse("554 5.5.1 Error: no valid recipients");
            return;
        }
        long arrival = ctx.clock().millis();
        String client = SessionInfo.heloAndAddress(s) + " " + (ctx.sessions().isEsmtp(s) ? "ESMTP" : "SMTP");
        Spool.Incoming incoming;
        try {
            incoming = ctx.spool().create(arrival, client, tx.sender, tx.recipients, flags(tx));
        } catch (IOException e) {
            log.error("NOQUEUE: cannot create queue file: {}", e.toString());
            s.sendResponse("451 4.3.0 Error: queue file write error");
            return;
        }
        try (incoming) {
            s.sendResponse("354 End data with <CR><LF>.<CR><LF>");
            SafeSink sink = new SafeSink(incoming.content());
            MessageIdCapture content = new MessageIdCapture(sink);
            String received = ReceivedHeader.smtp(s.getHelo().orElse(null),
                    SessionInfo.clientAddress(s).getHostAddress(), ctx.myhostname(), ctx.sessions().isEsmtp(s),
                    s.isTLSStarted(), ctx.sessions().login(s).isPresent(), tx.smtpUtf8, incoming.id().value(), tx.recipients,
                    ZonedDateTime.now(ctx.clock()));
            sink.write(received.getBytes(StandardCharsets.UTF_8));
            DataReader.Result r;
            try (DataDeadline deadline = ctx.dataDeadlines().open(s.getSocket(), s.getRawInput())) {
                r = new DataReader(deadline.input(), ctx.rules(s).sizeLimit(), ctx.rules(s).contentChecks()).readTo(content);
            } catch (SocketTimeoutException e) {
                incoming.abort();
                log.info("{}: {} after DATA from {}", incoming.id(),
                        e instanceof DataDeadline.Exceeded ? e.getMessage() : "timeout", ctx.sessions().client(s));
                throw new DropConnectionException(421, "4.4.2 " + ctx.myhostname() + " Error: timeout exceeded");
            } catch (IOException e) {
                incoming.abort();
                ctx.sessions().lost(s); // the client is gone: "lost connection after DATA", once
                return;
            }
            if (r.defect() != null) {
                incoming.abort();
                String reply = r.defect().reply(ctx.rules(s).contentChecks());
                ctx.events().messageRefused(new MessageRefused(incoming.id(), ctx.sessions().client(s), tx.sender, reply));
                s.sendResponse(reply);
                s.resetMailTransaction();
                return;
            }
            if (sink.failure != null) {
                incoming.abort();
                log.error("{}: queue file write error: {}", incoming.id(), sink.failure.toString());
                s.sendResponse("451 4.3.0 Error: queue file write error");
                s.resetMailTransaction();
                return;
            }
            try {
                incoming.commit(r.receivedHeaders() + 1);
            } catch (IOException e) {
                incoming.abort();
                log.error("{}: queue file commit failed: {}", incoming.id(), e.toString());
                s.sendResponse("451 4.3.0 Error: queue file write error");
                s.resetMailTransaction();
                return;
            }
            Optional<Login> login = ctx.sessions().login(s);
            ctx.events().messageQueued(new MessageQueued(incoming.id(), ctx.sessions().client(s), tx.sender,
                    incoming.contentLength(), tx.recipients.size(), content.messageId(),
                    login.map(Login::mechanism).orElse(""), login.map(l -> l.user().name()).orElse("")));
            s.sendResponse("250 2.0.0 Ok: queued as " + incoming.id());
            ctx.sessions().phase(s, SessionInfo.END_OF_MESSAGE);
            s.resetMailTransaction();
            ctx.onQueued().accept(incoming.id());
        }
    }

    private static Set<BodyFlag> flags(IngressTransaction tx) {
        Set<BodyFlag> f = EnumSet.noneOf(BodyFlag.class);
        if (tx.eightBit) {
            f.add(BodyFlag.EIGHT_BIT_MIME);
        }
        if (tx.smtpUtf8) {
            f.add(BodyFlag.SMTPUTF8);
        }
        return f;
    }

    /**
     * Keeps reading possible when the disk fails: the first write error is remembered and
     * later writes are dropped, so the client's content is still consumed to its end.
     */
    private static final class SafeSink extends OutputStream {
        private final OutputStream out;
        IOException failure;

        SafeSink(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (failure != null) {
                return;
            }
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failure = e;
            }
        }
    }
}
