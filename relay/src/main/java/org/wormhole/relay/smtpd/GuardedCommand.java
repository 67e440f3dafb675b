package org.wormhole.relay.smtpd;

import java.io.IOException;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.internal.server.Command;
import org.subethamail.smtp.internal.server.CommandException;
import org.subethamail.smtp.internal.server.HelpMessage;
import org.subethamail.smtp.server.Session;

/**
 * Wraps every SMTP verb (ours and SubEthaSMTP's): records the verb as the session's phase (for
 * {@code lost connection after CMD}), and once the relay stops, answers a command outside a mail
 * transaction with {@code 421 4.3.2} and closes: a transaction in progress may finish (its 250
 * must reach the client), nothing new begins. QUIT is still answered with 221.
 */
final class GuardedCommand implements Command {

    private final Command command;
    private final SessionGuard guard;
    private final SessionInfo sessions;

    GuardedCommand(Command command, SessionGuard guard, SessionInfo sessions) {
        this.command = command;
        this.guard = guard;
        this.sessions = sessions;
    }

    @Override
    public void execute(String line, Session s) throws IOException, DropConnectionException {
        sessions.phase(s, command.getName());
        if (guard.stopping() && !s.isMailTransactionInProgress() && !command.getName().equals("QUIT")) {
            throw new DropConnectionException(421, SessionGuard.SHUTTING_DOWN);
        }
        command.execute(line, s);
    }

    @Override
    public HelpMessage getHelp() throws CommandException {
        return command.getHelp();
    }

    @Override
    public String getName() {
        return command.getName();
    }
}
