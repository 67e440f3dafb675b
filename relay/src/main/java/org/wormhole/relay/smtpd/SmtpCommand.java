package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.util.Locale;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.server.Session;

/**
 * Base of our SMTP verbs. SubEthaSMTP dispatches on the first four letters, so
 * {@code MAILX FROM:} would reach MAIL: this checks the whole verb first. A command line with a
 * NUL byte is refused (501 5.5.2) before any verb sees it: a NUL never reaches a HELO name, an
 * address or a log line, nor, through them, the next hop.
 */
abstract class SmtpCommand extends BaseCommand {

    private final String verb;

    SmtpCommand(String verb, String help) {
        super(verb, help);
        this.verb = verb;
    }

    @Override
    public final void execute(String line, Session session) throws IOException, DropConnectionException {
        if (line.indexOf('\0') >= 0) {
            refuse("501 5.5.2 Error: NUL character in command", session);
            return;
        }
        String upper = line.toUpperCase(Locale.ROOT);
        if (!upper.equals(verb) && !upper.startsWith(verb + " ") && !(verb.length() == 4 && upper.startsWith(verb + ":"))) {
            refuse("500 5.5.2 Error: command not recognized", session);
            return;
        }
        run(line.length() > verb.length() ? line.substring(verb.length()).strip() : "", session);
    }

    /**
     * Answers a line refused before {@link #run}: by default the reply, and the session goes on.
     * A verb whose line may be followed by data that must not be read as commands overrides it.
     */
    void refuse(String reply, Session session) throws IOException, DropConnectionException {
        session.sendResponse(reply);
    }

    /** Handles the command; {@code args} is what follows the verb, stripped. */
    abstract void run(String args, Session session) throws IOException, DropConnectionException;
}
