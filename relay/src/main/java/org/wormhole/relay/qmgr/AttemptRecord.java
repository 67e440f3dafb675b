package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.wormhole.relay.events.RecipientAttempted;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.StatusLog;

/**
 * What one attempt of one message has found out so far, and its records in the message's
 * status log as they are written. Used by the one delivery thread of the attempt.
 */
final class AttemptRecord {

    final QueuedMessage message;
    final long start;
    private final Clock clock;
    private final RelayEvents events;
    /** The recipients' new states, in the order their outcomes came. */
    final List<RecipientState> changed = new ArrayList<>();
    /** Records not in the file yet: bounced ones (after their notice) and deferred ones of groups that sent nothing. */
    final List<RecipientState> unwritten = new ArrayList<>();
    /** This attempt's status code per recipient index. */
    final Map<Integer, String> dsns = new HashMap<>();
    /** Recipients that failed for good: the bounce notice's content. */
    final List<Notifier.Failure> bounced = new ArrayList<>();
    /** The recipients pending after the attempt, collected at its end. */
    final List<RecipientState> stillPending = new ArrayList<>();

    AttemptRecord(QueuedMessage message, long start, Clock clock, RelayEvents events) {
        this.events = events;
        this.message = message;
        this.start = start;
        this.clock = clock;
    }

    /**
     * Takes one route group's outcomes: if any recipient was sent, its records (and the
     * group's deferred ones) are appended and fsynced now, before anything else happens;
     * bounced ones wait for their notice, and a group that sent nothing is written with
     * the rest at the end of the attempt (one fsync for all of them). Then the events (the log lines among them).
     */
    void record(List<RecipientResult> group, StatusLog status) throws IOException {
        List<RecipientState> now = new ArrayList<>();
        boolean sent = false;
        for (RecipientResult f : group) {
            changed.add(f.state());
            dsns.put(f.state().index(), f.outcome().dsn());
            switch (f.outcome().status()) {
                case SENT -> {
                    sent = true;
                    now.add(f.state());
                }
                case DEFERRED -> now.add(f.state());
                case BOUNCED -> {
                    unwritten.add(f.state());
                    bounced.add(new Notifier.Failure(f.state().address(), f.outcome().dsn(), f.outcome().text(),
                            f.relay(), f.state().lastAttemptMillis()));
                }
            }
        }
        if (sent) {
            status.append(now, false, clock.millis());
        } else {
            unwritten.addAll(now);
        }
        for (RecipientResult f : group) {
            events.recipientAttempted(new RecipientAttempted(message.id(), f.state().address(), f.sentTo(), f.mailer(),
                    f.relay(), message.arrivalMillis(), start, f.state().lastAttemptMillis(), f.setupMillis(),
                    f.transmitMillis(), f.outcome()));
        }
    }
}
