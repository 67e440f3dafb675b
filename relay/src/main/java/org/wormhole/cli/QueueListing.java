package org.wormhole.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.wormhole.relay.control.ControlClient;
import org.wormhole.relay.control.ListedMessage;
import org.wormhole.relay.queue.CorruptQueueFileException;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.Spool;

/**
 * The queue's messages for {@code queue list --json} and {@code queue summary}, oldest first: from
 * the running relay through its control socket (which reads each file once, following the files
 * that move while it lists), else from the files themselves (reading only: no lock is needed).
 */
final class QueueListing {

    /** The states a listing shows, in {@link ListedMessage#queue()}'s words. */
    static final List<QueueState> LISTED = List.of(QueueState.INCOMING, QueueState.ACTIVE, QueueState.DEFERRED,
            QueueState.HOLD);

    private QueueListing() {
    }

    /**
     * Hands every queued message to {@code sink}, oldest first.
     *
     * @throws IOException the relay's answer was an error or was cut short, or a file could not be read
     */
    static void forEach(Spool spool, Consumer<ListedMessage> sink) throws IOException {
        int[] lines = {0};
        String[] end = {null};
        Optional<ControlClient.Reply> reply;
        try {
            reply = ControlClient.send(spool.controlSocket(), "queue list", ControlClient.ANSWER_TIMEOUT, line -> {
                if (line.startsWith("END ")) {
                    end[0] = line.substring(4).strip();
                } else if (end[0] == null) {
                    sink.accept(ListedMessage.fromJson(line));
                    lines[0]++;
                }
            });
        } catch (IllegalArgumentException e) {
            throw new IOException("the running relay's queue listing does not read: " + e.getMessage());
        }
        if (reply.isEmpty()) {
            fromFiles(spool, sink);
            return;
        }
        if (!reply.get().ok()) {
            throw new IOException("the running relay refused 'queue list': " + reply.get().text());
        }
        if (end[0] == null || !end[0].equals(Integer.toString(lines[0]))) {
            throw new IOException("the relay's queue listing was cut short after " + lines[0] + " message(s)");
        }
    }

    /** No relay runs: the files, oldest first; one that goes away or does not read is skipped. */
    private static void fromFiles(Spool spool, Consumer<ListedMessage> sink) throws IOException {
        List<Map.Entry<QueueId, QueueState>> files = new ArrayList<>();
        for (QueueState state : LISTED) {
            for (QueueId id : spool.list(state)) {
                files.add(Map.entry(id, state));
            }
        }
        files.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
        for (Map.Entry<QueueId, QueueState> f : files) {
            try {
                sink.accept(ListedMessage.of(spool.read(f.getValue(), f.getKey())));
            } catch (CorruptQueueFileException | NoSuchFileException e) {
                // delivered or moved meanwhile (a relay just started), or not complete yet
            }
        }
    }
}
