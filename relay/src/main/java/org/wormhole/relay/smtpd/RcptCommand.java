package org.wormhole.relay.smtpd;

import java.io.IOException;
import org.subethamail.smtp.server.Session;
import org.wormhole.relay.events.RecipientRefused;
import org.wormhole.relay.smtpd.policy.RcptVerdict;

/**
 * RCPT TO:&lt;recipient&gt;: address syntax, relay access (a client authenticated by AUTH or by
 * a classic peer's pinned TLS certificate relays anywhere)
 * and the recipient limit. An accepted
 * recipient is queued without a trailing dot on its domain, as Postfix's trivial-rewrite does.
 */
final class RcptCommand extends SmtpCommand {

    private final IngressContext ctx;

    RcptCommand(IngressContext ctx) {
        super("RCPT", "RCPT TO:<recipient>");
        this.ctx = ctx;
    }

    @Override
    void run(String args, Session s) throws IOException {
        if (!s.isMailTransactionInProgress()) {
            s.sendResponse("503 5.5.1 Error: need MAIL command");
            return;
        }
        PathArgument arg = PathArgument.parse(args, "TO:");
        if (arg == null) {
            s.sendResponse("501 5.5.4 Syntax: RCPT TO:<address>");
            return;
        }
        if (!arg.parameters().isEmpty()) {
            s.sendResponse("555 5.5.4 Unsupported option: " + arg.parameters().get(0));
            return;
        }
        IngressTransaction tx = (IngressTransaction) s.getMessageHandler();
        if (tx.recipients.size() >= ctx.rules(s).recipientLimit()) {
            s.sendResponse("452 4.5.3 Error: too many recipients");
            return;
        }
        String rcpt = arg.address();
        if (!tx.smtpUtf8 && !AddressSyntax.isAscii(rcpt)) {
            s.sendResponse("553 5.6.7 <" + rcpt + ">: non-ASCII recipient needs SMTPUTF8");
            return;
        }
        RcptVerdict verdict = ctx.rules(s).policy().check(SessionInfo.clientAddress(s), ctx.sessions().authenticated(s), rcpt);
        if (verdict instanceof RcptVerdict.Reject r) {
            ctx.events().recipientRefused(new RecipientRefused(ctx.sessions().client(s), r.code(), r.enhancedStatus(),
                    r.text(), tx.sender, rcpt, s.getHelo().orElse(""), ctx.sessions().isEsmtp(s) ? "ESMTP" : "SMTP"));
            s.sendResponse(r.code() + " " + r.enhancedStatus() + " " + r.text());
            return;
        }
        if (rcpt.indexOf('@') < 0) {
            rcpt = rcpt + "@" + ctx.myhostname(); // bare "postmaster"
        }
        rcpt = AddressSyntax.withoutTrailingDot(rcpt); // user@a.example. is user@a.example
        tx.recipients.add(rcpt);
        s.addRecipient(rcpt);
        s.sendResponse("250 2.1.5 Ok");
    }
}
