package org.wormhole.relay.smtpd;

import java.io.IOException;
import org.subethamail.smtp.server.Session;

/** QUIT: say goodbye and close. */
final class QuitCommand extends SmtpCommand {

    QuitCommand() {
        super("QUIT", "Close the connection.");
    }

    @Override
    void run(String args, Session s) throws IOException {
        s.sendResponse("221 2.0.0 Bye");
        s.quit();
    }
}
