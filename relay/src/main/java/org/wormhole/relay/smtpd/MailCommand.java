package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;

/**
 * MAIL FROM:&lt;sender&gt; [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8] [AUTH=...]. On the submission
 * listener only inside TLS and after AUTH, with a sender the user owns (submission_sender_login).
 */
final class MailCommand extends SmtpCommand {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    private final IngressContext ctx;

    MailCommand(IngressContext ctx) {
        super("MAIL", "MAIL FROM:<sender> [SIZE=n] [BODY=8BITMIME] [SMTPUTF8]");
        this.ctx = ctx;
    }

    @Override
    void run(String args, Session s) throws IOException {
        if (s.isMailTransactionInProgress()) {
            s.sendResponse("503 5.5.1 Error: nested MAIL command");
            return;
        }
        Optional<Submission> submission = ctx.submission();
        Optional<Login> login = ctx.sessions().login(s);
        if (submission.isPresent() && !s.isTLSStarted()) {
            s.sendResponse("530 5.7.0 Must issue a STARTTLS command first");
            return;
        }
        if (submission.isPresent() && login.isEmpty()) {
            s.sendResponse("530 5.7.0 Authentication required");
            return;
        }
        PathArgument arg = PathArgument.parse(args, "FROM:");
        if (arg == null) {
            s.sendResponse("501 5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }
        boolean eightBit = false;
        boolean utf8 = false;
        for (String p : arg.parameters()) {
            String up = p.toUpperCase(Locale.ROOT);
            if (up.startsWith("SIZE=")) {
                long size;
                try {
                    size = Long.parseLong(p.substring(5));
                } catch (NumberFormatException e) {
                    s.sendResponse("501 5.5.4 Bad SIZE parameter");
                    return;
                }
                if (size > ctx.rules(s).sizeLimit()) {
                    s.sendResponse("552 5.3.4 Message size exceeds fixed limit");
                    return;
                }
            } else if (up.equals("BODY=8BITMIME")) {
                eightBit = true;
            } else if (up.equals("BODY=7BIT")) {
                eightBit = false;
            } else if (up.equals("SMTPUTF8")) {
                utf8 = true;
            } else if (up.startsWith("AUTH=") && submission.isPresent()) {
                // RFC 4954 5: the identity a relaying client vouches for; not used
            } else {
                s.sendResponse("555 5.5.4 Unsupported option: " + p);
                return;
            }
        }
        String sender = AddressSyntax.withoutTrailingDot(arg.address());
        if (!sender.isEmpty()) {
            String problem = AddressSyntax.problem(sender);
            if (problem != null) {
                s.sendResponse("553 5.1.7 <" + sender + ">: Sender address rejected: " + problem);
                return;
            }
            if (!utf8 && !AddressSyntax.isAscii(sender)) {
                s.sendResponse("553 5.6.7 <" + sender + ">: non-ASCII sender needs SMTPUTF8");
                return;
            }
        }
        if (login.isPresent() && !submission.get().senderLogin().allows(login.get().user(), sender)) {
            String reply = "553 5.7.1 <" + sender + ">: Sender address rejected: not owned by user " + login.get().user().name();
            log.info("NOQUEUE: reject: MAIL from {}: {}; from=<{}> sasl_username={}", ctx.sessions().client(s), reply, sender,
                    login.get().user().name());
            s.sendResponse(reply);
            return;
        }
        Optional<String> shortage = ctx.freeSpace().shortage();
        if (shortage.isPresent()) { // Postfix: 452 4.3.1 Insufficient system storage
            log.warn("{}: MAIL from <{}> refused: {}", ctx.sessions().client(s), sender, shortage.get());
            s.sendResponse("452 4.3.1 Insufficient system storage");
            return;
        }
        s.startMailTransaction();
        IngressTransaction tx = (IngressTransaction) s.getMessageHandler();
        tx.sender = sender;
        tx.eightBit = eightBit;
        tx.smtpUtf8 = utf8;
        s.sendResponse("250 2.1.0 Ok");
    }
}
