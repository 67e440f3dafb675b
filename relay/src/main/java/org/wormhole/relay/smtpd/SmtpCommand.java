package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.util.Locale;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.BaseCommand;
import org.subethamail.smtp.server.Session;

/**
 * Base of our SMTP verbs. SubEthaSMTP dispatches on the first four letters, so
 * {@code MAILX FROM:} would reach MAIL: this checks the whole verb first.
 */
abstract class SmtpCommand extends BaseCommand {

    private final String verb;

    SmtpCommand(String verb, String help) {
        super(verb, help);
        this.verb = verb;
    }

    @Override
    public final void execute(String line, Session session) throws IOException, DropConnectionException {
        String upper = line.toUpperCase(Locale.ROOT);
        if (!upper.equals(verb) && !upper.startsWith(verb + " ") && !(verb.length() == 4 && upper.startsWith(verb + ":"))) {
            session.sendResponse("500 5.5.2 Error: command not recognized");
            return;
        }
        run(line.length() > verb.length() ? line.substring(verb.length()).strip() : "", session);
    }

    /** Handles the command; {@code args} is what follows the verb, stripped. */
    abstract void run(String args, Session session) throws IOException, DropConnectionException;
}
