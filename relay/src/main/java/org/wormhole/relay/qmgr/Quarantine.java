package org.wormhole.relay.qmgr;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.Spool;

/** Queue files that cannot be read: moved to {@code corrupt/} and out of the queue manager's sight. */
final class Quarantine {

    private static final Logger log = LoggerFactory.getLogger("qmgr");

    private final Spool spool;
    private final QueueIndex index;
    private final Scheduler scheduler;

    Quarantine(Spool spool, QueueIndex index, Scheduler scheduler) {
        this.spool = spool;
        this.index = index;
        this.scheduler = scheduler;
    }

    /** Moves {@code id}'s file from {@code state} to {@code corrupt/}; {@code why} is for the log. */
    void move(QueueId id, QueueState state, String why) {
        try {
            spool.move(id, state, QueueState.CORRUPT);
            log.error("{}: corrupt queue file moved to corrupt/: {}", id, why);
        } catch (IOException e) {
            log.error("{}: corrupt queue file ({}) could not be moved: {}", id, why, e.toString());
        }
        index.forget(id);
        scheduler.cancel(id);
    }
}
