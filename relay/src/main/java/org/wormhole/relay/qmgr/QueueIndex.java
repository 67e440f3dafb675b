package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.wormhole.relay.queue.CorruptQueueFileException;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.Spool;

/**
 * The queue in memory: where each known message's file is, and the addresses of its pending
 * recipients as of its last attempt (or its file). Thread-safe.
 */
final class QueueIndex {

    private final Spool spool;
    /** Where each known message's file is. */
    private final Map<QueueId, QueueState> location = new ConcurrentHashMap<>();
    /** The pending recipients' addresses of each message as of its last attempt (or its file). */
    private final Map<QueueId, List<String>> pendingTo = new ConcurrentHashMap<>();

    QueueIndex(Spool spool) {
        this.spool = spool;
    }

    /** Where {@code id}'s file is, or null for a message not (or no longer) in the queue. */
    QueueState stateOf(QueueId id) {
        return location.get(id);
    }

    /** {@code id}'s file is in {@code state} now. */
    void place(QueueId id, QueueState state) {
        location.put(id, state);
    }

    /** {@code id}'s recipients still pending now. */
    void pending(QueueId id, List<RecipientState> pending) {
        pendingTo.put(id, addresses(pending));
    }

    /** {@code id} has left the queue (delivered, deleted or quarantined). */
    void forget(QueueId id) {
        location.remove(id);
        pendingTo.remove(id);
    }

    /** Every known message and where it is (a live, weakly consistent view). */
    Set<Map.Entry<QueueId, QueueState>> entries() {
        return Collections.unmodifiableMap(location).entrySet();
    }

    /** The ids of all messages in the queue. */
    List<QueueId> all() {
        return new ArrayList<>(location.keySet());
    }

    /** How many messages are in {@code state}. */
    long count(QueueState state) {
        return location.values().stream().filter(v -> v == state).count();
    }

    /** Counts of messages by state, every state included. */
    Map<QueueState, Long> counts() {
        Map<QueueState, Long> c = new LinkedHashMap<>();
        for (QueueState s : QueueState.values()) {
            c.put(s, count(s));
        }
        return c;
    }

    /** The pending addresses of {@code id}: as of its last attempt, or from its file if it has none yet. */
    List<String> pendingAddresses(QueueId id) {
        List<String> to = pendingTo.get(id);
        return to != null ? to : readPending(id);
    }

    /** The pending addresses of a message not attempted yet, from its file (which may move meanwhile). */
    private List<String> readPending(QueueId id) {
        for (int tries = 0; tries < 3; tries++) {
            QueueState at = location.get(id);
            if (at == null) {
                return List.of();
            }
            try {
                List<String> to = addresses(spool.read(at, id).pending());
                pendingTo.putIfAbsent(id, to);
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
        return recipients.stream().map(RecipientState::address).toList();
    }
}
