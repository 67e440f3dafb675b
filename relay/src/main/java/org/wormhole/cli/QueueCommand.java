package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.control.ControlClient;
import org.wormhole.relay.queue.CorruptQueueFileException;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.RecipientStatus;
import org.wormhole.relay.queue.Spool;
import org.wormhole.relay.queue.SpoolLock;
import org.wormhole.relay.queue.SpoolLockedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code wormhole queue ...}: see and control the queue, while the relay runs (through its
 * control socket) or while it is stopped (on the files, holding the spool's master.lock), as
 * Postfix's postqueue and postsuper. A relay that holds the lock but does not answer is not
 * worked around: the files are left alone.
 */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "List and control the mail queue.",
        subcommands = {QueueCommand.ListQueue.class, QueueSummary.class, QueueCommand.Flush.class, QueueCommand.Hold.class,
                QueueCommand.Release.class, QueueCommand.Delete.class})
final class QueueCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: list, summary, flush, hold, release or delete");
    }

    /** The states a message can wait in, in the order hold, release and delete look for it. */
    private static final List<QueueState> QUEUED = List.of(QueueState.INCOMING, QueueState.ACTIVE, QueueState.DEFERRED,
            QueueState.HOLD);

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List queued messages: id, state, size, arrival, sender, recipients, last error.",
                    "--json: one JSON object per message per line, oldest first, as postqueue -j (fields: relay/QUEUE-FORMAT.md)."})
    static final class ListQueue extends SpoolCommand {
        @CommandLine.Option(names = "--json", description = "one JSON object per message per line (postqueue -j)")
        boolean json;

        @Override
        int run(RelayConfig c, Spool spool, PrintWriter out, PrintWriter err) throws IOException {
            if (json) {
                try {
                    QueueListing.forEach(spool, m -> out.println(m.toJson()));
                } catch (IOException e) {
                    out.flush();
                    err.println("queue list: " + e.getMessage());
                    return 1;
                }
                return 0;
            }
            int messages = 0;
            long bytes = 0;
            out.printf("%-14s  %-8s  %9s  %-19s  %s%n", "Queue ID", "State", "Size", "Arrival", "Sender/Recipient");
            for (QueueState state : List.of(QueueState.ACTIVE, QueueState.INCOMING, QueueState.DEFERRED, QueueState.HOLD)) {
                for (QueueId id : spool.list(state)) {
                    QueuedMessage m;
                    try {
                        m = spool.read(state, id);
                    } catch (CorruptQueueFileException | NoSuchFileException e) {
                        continue; // moved or delivered while we looked, or not complete yet
                    }
                    messages++;
                    bytes += m.contentLength();
                    out.printf("%-14s  %-8s  %9d  %-19s  %s%n", id, state, m.contentLength(),
                            TIME.format(Instant.ofEpochMilli(m.arrivalMillis())),
                            m.isNullSender() ? "<>" : m.sender());
                    for (RecipientState r : m.recipients()) {
                        String detail = r.status() == RecipientStatus.PENDING
                                ? (r.attempts() == 0 ? "pending" : "deferred, " + r.attempts() + " attempt(s), next "
                                + TIME.format(Instant.ofEpochMilli(r.nextAttemptMillis())))
                                : r.status().word();
                        out.printf("%60s%s  [%s]%n", "", r.address(), detail);
                        if (r.status() == RecipientStatus.PENDING && !r.lastError().isEmpty()) {
                            out.printf("%60s  (%s)%n", "", r.lastError());
                        }
                    }
                }
            }
            int corrupt = spool.list(QueueState.CORRUPT).size();
            out.printf("-- %d message(s), %d bytes%s%n", messages, bytes,
                    corrupt > 0 ? "; " + corrupt + " corrupt file(s) in " + spool.dir(QueueState.CORRUPT) : "");
            return 0;
        }
    }

    /** Sends a request to the running relay, or says that none runs. */
    abstract static class ControlRequest extends SpoolCommand {
        abstract String request();

        /** What to do on the files when no relay runs; empty to say it needs a running relay. */
        abstract Optional<String> offline(Spool spool) throws IOException;

        @Override
        int run(RelayConfig c, Spool spool, PrintWriter out, PrintWriter err) throws IOException {
            Optional<ControlClient.Reply> reply = ask(spool, request());
            if (reply.isPresent()) {
                (reply.get().ok() ? out : err).println(reply.get().text());
                return reply.get().ok() ? 0 : 1;
            }
            Optional<String> done;
            // No relay answers: the files are changed only under the spool's lock, so that no relay
            // runs unseen (starting, stopping, or with its control socket gone) and none starts meanwhile.
            try (SpoolLock lock = SpoolLock.acquire(c.queue().directory())) {
                done = offline(spool);
            } catch (SpoolLockedException e) {
                err.println("a relay " + (e.pid() > 0 ? "(pid " + e.pid() + ") " : "") + "holds " + c.queue().directory()
                        + " but does not answer on " + spool.controlSocket() + "; queue files not changed"
                        + " (try again once it has started, or stop it)");
                return 1;
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 1;
            }
            if (done.isEmpty()) {
                return noRelayRunning(c, "nothing to " + request(), err);
            }
            out.println(done.get() + " (relay not running: changed the queue files directly)");
            return 0;
        }

        static QueueId id(String text) {
            if (!QueueId.isValid(text)) {
                throw new IllegalArgumentException("'" + text + "' is not a queue id");
            }
            return new QueueId(text);
        }

        static Optional<QueueState> stateOf(Spool spool, QueueId id) throws IOException {
            for (QueueState s : QUEUED) {
                if (Files.exists(spool.path(s, id))) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }

        /** Where the message is queued; "ID: no such message" when it is not. */
        static QueueState queuedAt(Spool spool, QueueId id) throws IOException {
            return stateOf(spool, id).orElseThrow(() -> new IllegalArgumentException(id + ": no such message"));
        }
    }

    /** A request about one message: the command's name and the message's ID, as in {@code hold ID}. */
    abstract static class MessageRequest extends ControlRequest {
        @Parameters(paramLabel = "ID")
        String id;

        @Override
        String request() {
            return spec.name() + " " + id;
        }

        @Override
        Optional<String> offline(Spool spool) throws IOException {
            return Optional.of(offline(spool, id(id)));
        }

        /** What was done to the message on the files, as "ID: held". */
        abstract String offline(Spool spool, QueueId q) throws IOException;
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
            description = "Deliver all deferred mail now, ignoring retry times (postqueue -f).")
    static final class Flush extends ControlRequest {
        @Override
        String request() {
            return "flush";
        }

        @Override
        Optional<String> offline(Spool spool) {
            return Optional.empty();
        }
    }

    @Command(name = "hold", mixinStandardHelpOptions = true, description = "Keep a message queued, undelivered (postsuper -h).")
    static final class Hold extends MessageRequest {
        @Override
        String offline(Spool spool, QueueId q) throws IOException {
            QueueState at = queuedAt(spool, q);
            if (at != QueueState.HOLD) {
                spool.move(q, at, QueueState.HOLD);
            }
            return q + ": held";
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true, description = "Release a held message (postsuper -H).")
    static final class Release extends MessageRequest {
        @Override
        String offline(Spool spool, QueueId q) throws IOException {
            if (stateOf(spool, q).orElse(null) != QueueState.HOLD) {
                throw new IllegalArgumentException(q + ": no such message on hold");
            }
            spool.move(q, QueueState.HOLD, QueueState.DEFERRED);
            return q + ": released";
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            description = "Delete a message, or ALL messages, from the queue (postsuper -d).")
    static final class Delete extends ControlRequest {
        @Parameters(paramLabel = "ID|ALL")
        String id;

        @Override
        String request() {
            return "delete " + id;
        }

        @Override
        Optional<String> offline(Spool spool) throws IOException {
            if (id.equals("ALL")) {
                int n = 0;
                for (QueueState s : QUEUED) {
                    for (QueueId q : spool.list(s)) {
                        spool.delete(q, s);
                        n++;
                    }
                }
                return Optional.of(n + " message(s) deleted");
            }
            QueueId q = id(id);
            spool.delete(q, queuedAt(spool, q));
            return Optional.of(q + ": deleted");
        }
    }

}
