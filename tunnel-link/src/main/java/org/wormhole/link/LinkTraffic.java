package org.wormhole.link;

import java.util.concurrent.atomic.LongAdder;

/**
 * The mail a peer's links carried, both ways, over every link to that peer since the endpoint
 * started: messages (a message counts once its END went out, or once a good END came in) and
 * octets of message content. Resends after a lost link count again: this is traffic, not mail.
 *
 * <p>Thread-safe and cheap: couriers add to it on their hot paths.
 */
public final class LinkTraffic {

    private final LongAdder messagesSent = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder messagesReceived = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();

    /** A snapshot of the counters. */
    public record Counts(long messagesSent, long bytesSent, long messagesReceived, long bytesReceived) {
    }

    void sentContent(long octets) {
        bytesSent.add(octets);
    }

    void sentMessage() {
        messagesSent.increment();
    }

    void receivedContent(long octets) {
        bytesReceived.add(octets);
    }

    void receivedMessage() {
        messagesReceived.increment();
    }

    public Counts counts() {
        return new Counts(messagesSent.sum(), bytesSent.sum(), messagesReceived.sum(), bytesReceived.sum());
    }
}
