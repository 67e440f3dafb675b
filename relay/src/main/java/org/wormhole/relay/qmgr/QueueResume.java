package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.queue.CorruptQueueFileException;
import org.wormhole.relay.queue.PartialReceptionException;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.Spool;

/**
 * The queue as found on disk at start, resumed: the directories are listed at once (every message
 * is known to the index from then on, by its id and state only), and the files are read in the
 * background, oldest first, each planned as it is read. So a relay restarted on a large backlog
 * receives mail the moment it listens, and the backlog is planned while it does. Thread-safe.
 */
final class QueueResume {

    private static final Logger log = LoggerFactory.getLogger("qmgr");
    private static final List<QueueState> RESUMED = List.of(QueueState.INCOMING, QueueState.ACTIVE,
            QueueState.DEFERRED, QueueState.HOLD);

    /** A file found at start, not read yet. */
    private record Found(QueueId id, QueueState state) {
    }

    private final Spool spool;
    private final QueueIndex index;
    private final Scheduler scheduler;
    private final Quarantine quarantine;
    private final Clock clock;
    private volatile boolean stopping;

    QueueResume(Spool spool, QueueIndex index, Scheduler scheduler, Quarantine quarantine, Clock clock) {
        this.spool = spool;
        this.index = index;
        this.scheduler = scheduler;
        this.quarantine = quarantine;
        this.clock = clock;
    }

    /**
     * Lists the queue's directories into the index, then reads and plans the files on a thread of
     * its own: incoming and active messages are due now, deferred ones at their next attempt, held
     * ones wait (and are not read). A partial reception in {@code incoming/} (the relay stopped
     * mid-DATA: never acknowledged) is removed; any other file that cannot be read goes to {@code corrupt/}.
     *
     * @throws AccessDeniedException a file this relay may not read (another user's)
     */
    void start() throws IOException {
        if (listed == null) {
            list();
        }
        List<Found> found = listed;
        Thread t = new Thread(() -> resume(found), "qmgr-resume");
        t.setDaemon(true);
        t.start();
    }

    private List<Found> listed; // what list() found, for start() to read

    /**
     * Lists the queue into the index: the files that are there before this relay takes any mail.
     * Must run before SMTP (or the link) accepts: a file listed here that is still incomplete when
     * read is a partial reception of the relay before and is removed, which would be wrong for one
     * this relay is receiving now.
     *
     * @throws AccessDeniedException a file this relay may not read (another user's)
     */
    void list() throws IOException {
        List<Found> found = new ArrayList<>();
        for (QueueState state : RESUMED) {
            for (QueueId id : spool.list(state)) {
                Path file = spool.path(state, id);
                if (!Files.isReadable(file)) { // refuses the start, naming the file, as reading it would
                    throw new AccessDeniedException(file.toString());
                }
                index.place(id, state);
                if (state != QueueState.HOLD) {
                    found.add(new Found(id, state));
                }
            }
        }
        found.sort(Comparator.comparing(Found::id));
        log.info("queue found: {} message(s) to resume, {} held", found.size(), index.count(QueueState.HOLD));
        listed = found;
    }

    /** Stops reading files (those not read yet are resumed at the next start, or by a flush). */
    void stop() {
        stopping = true;
    }

    private void resume(List<Found> found) {
        long t0 = System.nanoTime();
        int resumed = 0;
        for (int i = 0; i < found.size() && !stopping; i++) {
            Found f = found.get(i);
            found.set(i, null); // what is planned is the scheduler's now
            if (resume(f.id(), f.state())) {
                resumed++;
            }
        }
        log.info("queue resumed: {} message(s) to deliver, {} held ({} ms)", resumed, index.count(QueueState.HOLD),
                (System.nanoTime() - t0) / 1_000_000);
    }

    /** Reads and plans one message found at start; false if it has moved, gone or was set aside meanwhile. */
    private boolean resume(QueueId id, QueueState state) {
        if (index.stateOf(id) != state) {
            return false; // attempted (a flush), held or deleted since it was listed: planned or gone already
        }
        try {
            QueuedMessage m = spool.read(state, id);
            index.pending(id, m.pending());
            scheduler.plan(id, state == QueueState.DEFERRED ? m.nextAttemptMillis() : clock.millis(), false);
            return true;
        } catch (NoSuchFileException moved) {
            return false;
        } catch (PartialReceptionException e) {
            if (state == QueueState.INCOMING) {
                try {
                    spool.delete(id, state);
                    log.info("removed partial reception {} (never acknowledged)", id);
                } catch (IOException d) {
                    log.error("{}: partial reception could not be removed: {}", id, d.toString());
                }
                index.forget(id);
            } else {
                quarantine.move(id, state, e.getMessage());
            }
        } catch (CorruptQueueFileException e) {
            quarantine.move(id, state, e.getMessage());
        } catch (IOException e) {
            log.error("{}: queue file could not be read: {}; will retry", id, e.toString());
            scheduler.plan(id, clock.millis(), false);
        }
        return false;
    }
}
