package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.wormhole.relay.queue.CorruptQueueFileException;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.Spool;

/**
 * The queue in memory: one small record per message, where its file is and the addresses of its
 * pending recipients as of its last attempt (or its file), nothing of its content or envelope
 * besides. Thread-safe.
 */
final class QueueIndex {

    /**
     * One known message.
     *
     * @param state   where its file is
     * @param pending its pending recipients' addresses as of its last attempt or its file; null
     *                until either has been read
     */
    record Entry(QueueState state, List<String> pending) {
    }

    private final Spool spool;
    private final Map<QueueId, Entry> entries = new ConcurrentHashMap<>();

    QueueIndex(Spool spool) {
        this.spool = spool;
    }

    /** Where {@code id}'s file is, or null for a message not (or no longer) in the queue. */
    QueueState stateOf(QueueId id) {
        Entry e = entries.get(id);
        return e == null ? null : e.state();
    }

    /** {@code id}'s file is in {@code state} now. */
    void place(QueueId id, QueueState state) {
        entries.merge(id, new Entry(state, null), (old, neu) -> new Entry(state, old.pending()));
    }

    /** {@code id}'s recipients still pending now, for a message in the queue (one that has left stays gone). */
    void pending(QueueId id, List<RecipientState> pending) {
        List<String> to = addresses(pending);
        entries.computeIfPresent(id, (k, old) -> new Entry(old.state(), to));
    }

    /** {@code id} has left the queue (delivered, deleted or quarantined). */
    void forget(QueueId id) {
        entries.remove(id);
    }

    /** Every known message and where it is now (weakly consistent: those that come and go meanwhile may be missed). */
    void forEach(BiConsumer<QueueId, QueueState> action) {
        entries.forEach((id, e) -> action.accept(id, e.state()));
    }

    /** The ids of all messages in the queue. */
    List<QueueId> all() {
        return new ArrayList<>(entries.keySet());
    }

    /** How many messages are in {@code state}. */
    long count(QueueState state) {
        return entries.values().stream().filter(v -> v.state() == state).count();
    }

    /** Counts of messages by state, every state included. */
    Map<QueueState, Long> counts() {
        Map<QueueState, Long> c = new LinkedHashMap<>();
        for (QueueState s : QueueState.values()) {
            c.put(s, 0L);
        }
        entries.values().forEach(e -> c.merge(e.state(), 1L, Long::sum));
        return c;
    }

    /**
     * {@code id}'s file as it is now, wherever it is (a file that moves while it is read is looked
     * for again); empty for a message that has left the queue or cannot be read.
     */
    Optional<QueuedMessage> read(QueueId id) throws IOException {
        for (int tries = 0; tries < 3; tries++) {
            QueueState at = stateOf(id);
            if (at == null) {
                return Optional.empty();
            }
            try {
                return Optional.of(spool.read(at, id));
            } catch (NoSuchFileException moved) {
                // moved to another state while we looked: look again
            } catch (CorruptQueueFileException e) {
                return Optional.empty();
            }
        }
        return stateOf(id) == null ? Optional.empty() : spool.find(id);
    }

    /** The pending addresses of {@code id}: as of its last attempt, or from its file if it has none yet. */
    List<String> pendingAddresses(QueueId id) {
        Entry e = entries.get(id);
        if (e == null) {
            return List.of();
        }
        return e.pending() != null ? e.pending() : readPending(id);
    }

    /** The pending addresses of a message not attempted yet, from its file (which may move meanwhile). */
    private List<String> readPending(QueueId id) {
        for (int tries = 0; tries < 3; tries++) {
            QueueState at = stateOf(id);
            if (at == null) {
                return List.of();
            }
            try {
                List<String> to = addresses(spool.read(at, id).pending());
                entries.computeIfPresent(id, (k, old) -> old.pending() != null ? old : new Entry(old.state(), to));
                return to;
            } catch (NoSuchFileException moved) {
                // moved to another state while we looked: look again
            } catch (IOException | CorruptQueueFileException e) {
                return List.of();
            }
        }
        return List.of();
    }

    private static List<String> addresses(List<RecipientState> recipients) {
        return List.copyOf(recipients.stream().map(RecipientState::address).toList());
    }
}
