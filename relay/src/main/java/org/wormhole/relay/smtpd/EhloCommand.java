package org.wormhole.relay.smtpd;

import java.io.IOException;
import org.subethamail.smtp.server.Session;

/**
 * EHLO and HELO. EHLO advertises what this server really does: PIPELINING, SIZE, 8BITMIME,
 * ENHANCEDSTATUSCODES, SMTPUTF8 and STARTTLS (until it is in use); on the submission listener
 * AUTH PLAIN LOGIN, only inside TLS and until the client has authenticated; never CHUNKING.
 */
final class EhloCommand extends SmtpCommand {

    private final IngressContext ctx;
    private final boolean extended;

    EhloCommand(IngressContext ctx, boolean extended) {
        super(extended ? "EHLO" : "HELO", "Introduce yourself.");
        this.ctx = ctx;
        this.extended = extended;
    }

    @Override
    void run(String args, Session s) throws IOException {
        if (args.isEmpty() || args.contains(" ")) {
            s.sendResponse("501 5.5.4 Syntax: " + getName() + " hostname");
            return;
        }
        if (args.chars().anyMatch(c -> c < ' ' || c == 0x7F)) { // it goes into the Received: header
            s.sendResponse("501 5.5.2 Error: control character in " + getName() + " hostname");
            return;
        }
        s.resetMailTransaction();
        s.setHelo(args);
        ctx.sessions().saidEhlo(s, extended);
        if (!extended) {
            s.sendResponse("250 " + ctx.myhostname());
            return;
        }
        StringBuilder r = new StringBuilder();
        r.append("250-").append(ctx.myhostname()).append("\r\n");
        r.append("250-PIPELINING\r\n");
        r.append("250-SIZE ").append(ctx.rules(s).sizeLimit()).append("\r\n");
        if (ctx.tlsOffered() && !s.isTLSStarted()) {
            r.append("250-STARTTLS\r\n");
        }
        if (ctx.submission().isPresent() && s.isTLSStarted() && !s.isAuthenticated()) {
            r.append("250-AUTH ").append(String.join(" ", AuthCommand.MECHANISMS)).append("\r\n");
        }
        r.append("250-8BITMIME\r\n");
        r.append("250-ENHANCEDSTATUSCODES\r\n");
        r.append("250 SMTPUTF8");
        s.sendResponse(r.toString());
    }
}
