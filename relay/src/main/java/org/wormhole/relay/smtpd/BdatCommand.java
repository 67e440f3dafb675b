package org.wormhole.relay.smtpd;

import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * BDAT without CHUNKING advertised: its chunk octets follow the command line unannounced, and
 * reading them as commands would let content pass as commands. Refuse and close.
 */
final class BdatCommand extends SmtpCommand {

    BdatCommand() {
        super("BDAT", "Not supported.");
    }

    @Override
    void run(String args, Session s) throws DropConnectionException {
        throw new DropConnectionException(554, "5.5.1 Error: BDAT is not supported (no CHUNKING); closing");
    }
}
