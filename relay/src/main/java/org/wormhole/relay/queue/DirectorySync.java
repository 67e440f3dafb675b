package org.wormhole.relay.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Group commit of directory fsyncs ({@link GroupCommit}): many sessions finishing at once cost
 * one fsync, and no session waits behind a global lock for longer than one fsync plus its own.
 *
 * <p>Thread-safe.
 */
final class DirectorySync {

    private final Path dir;
    private final GroupCommit commit;

    DirectorySync(Path dir) {
        this.dir = dir;
        this.commit = new GroupCommit(dir.toString(), () -> {
            try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
                ch.force(true);
            }
        });
    }

    Path directory() {
        return dir;
    }

    /** Returns once an fsync of the directory that started after this call has finished. */
    void sync() throws IOException {
        commit.await(commit.ticket());
    }
}
