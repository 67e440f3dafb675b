package org.wormhole.relay.queue;

import java.io.IOException;

/**
 * Group commit of one fsync: callers that ask while an fsync is running share the next one, so
 * many callers finishing at once cost one fsync, and none waits longer than one fsync plus its
 * own. A caller first takes a {@link #ticket} (after its write), then {@link #await}s it.
 *
 * <p>Thread-safe.
 */
public final class GroupCommit {

    /** The fsync itself. */
    @FunctionalInterface
    public interface Force {
        void force() throws IOException;
    }

    private final String what;
    private final Force force;
    private final Object lock = new Object();
    /** Tickets handed out: ticket t is covered by an fsync that starts after it was taken. */
    private long issued;
    private long completed;
    private boolean syncing;
    private IOException lastFailure;
    private long failedUpTo = -1;

    /**
     * @param what  what is fsynced, for error messages ("status records of ID", a directory)
     * @param force the fsync
     */
    public GroupCommit(String what, Force force) {
        this.what = what;
        this.force = force;
    }

    /** A ticket for everything written before this call. */
    public long ticket() {
        synchronized (lock) {
            return ++issued;
        }
    }

    /** Returns once an fsync that started after {@code ticket} was taken has finished. */
    public void await(long ticket) throws IOException {
        long covers;
        synchronized (lock) {
            while (true) {
                if (completed >= ticket) {
                    if (failedUpTo >= ticket) {
                        throw new IOException("fsync of " + what + " failed", lastFailure);
                    }
                    return;
                }
                if (!syncing) {
                    break;
                }
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for the fsync of " + what);
                }
            }
            syncing = true;
            covers = issued; // every ticket taken so far is covered by the fsync that starts now
        }
        IOException failure = null;
        try {
            force.force();
        } catch (IOException e) {
            failure = e;
        }
        synchronized (lock) {
            syncing = false;
            completed = Math.max(completed, covers);
            if (failure != null) {
                lastFailure = failure;
                failedUpTo = covers;
            }
            lock.notifyAll();
        }
        if (failure != null) {
            throw new IOException("fsync of " + what + " failed", failure);
        }
    }
}
