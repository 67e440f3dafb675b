package org.wormhole.relay.smtpd;

import java.io.IOException;
import org.subethamail.smtp.server.Session;

/** A verb that always gets the same reply: NOOP, VRFY (252, as Postfix with VRFY off), EXPN, HELP. */
final class FixedReplyCommand extends SmtpCommand {

    private final String reply;

    FixedReplyCommand(String verb, String reply) {
        super(verb, reply);
        this.reply = reply;
    }

    @Override
    void run(String args, Session s) throws IOException {
        s.sendResponse(reply);
    }
}
