package org.wormhole.relay.queue;

/**
 * A file the writer never finished: the relay stopped while receiving it (a crash mid-DATA),
 * so it was never acknowledged with 250 and nobody expects it to be delivered. Found in
 * {@code incoming/} at start, it is removed, not kept in {@code corrupt/}.
 */
public final class PartialReceptionException extends CorruptQueueFileException {
    public PartialReceptionException(String message) {
        super(message);
    }
}
