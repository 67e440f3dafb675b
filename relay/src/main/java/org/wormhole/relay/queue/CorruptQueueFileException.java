package org.wormhole.relay.queue;

/** A queue file that does not follow the format: it is moved to {@code corrupt/}, never delivered. */
public sealed class CorruptQueueFileException extends Exception permits PartialReceptionException {
    public CorruptQueueFileException(String message) {
        super(message);
    }
}
