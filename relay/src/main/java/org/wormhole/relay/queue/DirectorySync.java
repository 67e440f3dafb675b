package org.wormhole.relay.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Group commit of directory fsyncs: callers that ask while an fsync is running share the next
 * one, so many sessions finishing at once cost one fsync, and no session waits behind a global
 * lock for longer than one fsync plus its own.
 *
 * <p>Thread-safe.
 */
final class DirectorySync {

    private final Path dir;
    private final Object lock = new Object();
    /** Generation of requests: a request made in generation g is covered by an fsync that starts after it. */
    private long requested;
    private long completed;
    private boolean syncing;
    private IOException lastFailure;
    private long failedGeneration = -1;

    DirectorySync(Path dir) {
        this.dir = dir;
    }

    Path directory() {
        return dir;
    }

    /** Returns once an fsync of the directory that started after this call has finished. */
    void sync() throws IOException {
        long mine;
        synchronized (lock) {
            mine = ++requested;
            while (true) {
                if (completed >= mine) {
                    if (failedGeneration >= mine) {
                        throw new IOException("fsync of " + dir + " failed", lastFailure);
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
                    throw new IOException("interrupted waiting for fsync of " + dir);
                }
            }
            syncing = true;
        }
        long covers;
        synchronized (lock) {
            covers = requested;
        }
        IOException failure = null;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            failure = e;
        }
        synchronized (lock) {
            syncing = false;
            completed = Math.max(completed, covers);
            if (failure != null) {
                lastFailure = failure;
                failedGeneration = covers;
            }
            lock.notifyAll();
            if (failure != null && mine <= covers) {
                throw new IOException("fsync of " + dir + " failed", failure);
            }
        }
    }
}
