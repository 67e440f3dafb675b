package org.wormhole.relay.smtpd;

import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * BDAT without CHUNKING advertised: its chunk octets follow the command line unannounced, and
 * reading them as commands would let content pass as commands. Refuse and close, whatever the
 * line holds (a NUL, a longer verb such as {@code BDATX}): the connection ends before any chunk
 * octet is read, so no chunk content (NUL, bare CR/LF, a smuggled command) is ever parsed.
 */
final class BdatCommand extends SmtpCommand {

    BdatCommand() {
        super("BDAT", "Not supported.");
    }

    @Override
    void run(String args, Session s) throws DropConnectionException {
        throw closing();
    }

    @Override
    void refuse(String reply, Session s) throws DropConnectionException {
        throw closing();
    }

    private static DropConnectionException closing() {
        return new DropConnectionException(554, "5.5.1 Error: BDAT is not supported (no CHUNKING); closing");
    }
}
