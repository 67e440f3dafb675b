package org.wormhole.relay.queue;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether the queue's file system has room for more mail, as Postfix's {@code queue_minfree}: new
 * mail is refused with a temporary error (SMTP {@code 452 4.3.1}, over the link its
 * {@code RESULT 452 4.3.1}) while the free space is below the threshold, so mail already accepted
 * can still be delivered, retried and bounced, and the sender keeps what it could not hand over.
 */
public final class FreeSpace {

    private final Path directory;
    private final FileStore store;
    private volatile long minimum;

    /**
     * @param queueDirectory the spool
     * @param queueMinfree   queue_minfree in octets
     * @param sizeLimit      message_size_limit: at least 1.5 times this is kept free (Postfix's rule)
     */
    public FreeSpace(Path queueDirectory, long queueMinfree, long sizeLimit) throws IOException {
        this.directory = queueDirectory;
        this.store = Files.getFileStore(queueDirectory);
        this.minimum = minimum(queueMinfree, sizeLimit);
    }

    private static long minimum(long queueMinfree, long sizeLimit) {
        return Math.max(queueMinfree, sizeLimit + sizeLimit / 2);
    }

    /** After a reload: the same rule with the new queue_minfree and message_size_limit, from the next check on. */
    public void use(long queueMinfree, long sizeLimit) {
        this.minimum = minimum(queueMinfree, sizeLimit);
    }

    /** The octets that must stay free. */
    public long minimum() {
        return minimum;
    }

    /** The octets free for the relay's user on the queue's file system now (for status displays). */
    public long usable() throws IOException {
        return store.getUsableSpace();
    }

    /** Why no new mail fits now, or empty when it does. */
    public Optional<String> shortage() {
        long usable;
        try {
            usable = store.getUsableSpace();
        } catch (IOException e) {
            return Optional.of("cannot tell the free space of " + directory + ": " + e.getMessage());
        }
        return usable >= minimum ? Optional.empty()
                : Optional.of("Insufficient system storage (" + usable / (1024 * 1024) + " MiB free in " + directory
                        + ", queue_minfree needs " + minimum / (1024 * 1024) + " MiB)");
    }
}
