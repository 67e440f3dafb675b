package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.io.InputStream;
import org.wormhole.relay.delivery.smtp.MessageContent;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.Spool;

/**
 * A queued message's content as its delivery agents get it: the bytes in its queue file, opened
 * anew for each send. The agents are handed this, never the spool.
 */
record SpooledContent(Spool spool, QueuedMessage message) implements MessageContent {

    @Override
    public InputStream open() throws IOException {
        return spool.openContent(message);
    }

    @Override
    public long size() {
        return message.contentLength();
    }
}
