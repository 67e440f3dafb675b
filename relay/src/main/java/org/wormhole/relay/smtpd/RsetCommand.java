package org.wormhole.relay.smtpd;

import java.io.IOException;
import org.subethamail.smtp.server.Session;

/** RSET: forget the current transaction. */
final class RsetCommand extends SmtpCommand {

    RsetCommand() {
        super("RSET", "Reset the transaction.");
    }

    @Override
    void run(String args, Session s) throws IOException {
        s.resetMailTransaction();
        s.sendResponse("250 2.0.0 Ok");
    }
}
