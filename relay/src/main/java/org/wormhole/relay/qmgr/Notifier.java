package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.util.List;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueuedMessage;

/** Tells a sender about recipients that failed or are delayed (DSNs). Never called for the null sender. */
public interface Notifier {

    /** A failed recipient: its address, status and reason. */
    record Failure(String recipient, String dsn, String reason, String relay, long lastAttemptMillis) {
    }

    /**
     * Queues a bounce for the recipients that failed for good.
     *
     * @return the queue id of the notification (the queue manager schedules it)
     */
    QueueId bounce(QueuedMessage message, List<Failure> failed) throws IOException;

    /** Queues a delay warning for recipients still being retried. */
    QueueId delayed(QueuedMessage message, List<Failure> delayed) throws IOException;
}
