package org.wormhole.relay.queue;

/** A queue file that does not follow the format: it is moved to {@code corrupt/}, never delivered. */
public final class CorruptQueueFileException extends Exception {
    public CorruptQueueFileException(String message) {
        super(message);
    }
}
