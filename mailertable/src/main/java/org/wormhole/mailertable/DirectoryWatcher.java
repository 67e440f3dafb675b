package org.wormhole.mailertable;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that notices edits of a table file: it waits for an event in the file's directory
 * (and, for a symlink, its target's) or for the next check, whichever comes first, then runs the
 * check. Where the directory cannot be watched, the check still runs every poll interval.
 */
final class DirectoryWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchedMailertable.class);

    private final Path file;
    private final Duration pollInterval;
    private final LongSupplier nextCheckMillis;
    private final Runnable check;
    private final WatchService watchService;
    private final Set<Path> watchedDirs = new HashSet<>();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param nextCheckMillis how long to wait at most for an event before the next check
     * @param check           what to run after an event or that wait
     */
    DirectoryWatcher(Path file, Duration pollInterval, LongSupplier nextCheckMillis, Runnable check)
            throws IOException {
        this.file = file;
        this.pollInterval = pollInterval;
        this.nextCheckMillis = nextCheckMillis;
        this.check = check;
        this.watchService = FileSystems.getDefault().newWatchService();
        this.thread = new Thread(this::loop, "mailertable-watch");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Watches the directory of the path as given and, for a symlink, that of its target. */
    synchronized void watch(FileStamp stamp) {
        register(file.toAbsolutePath().getParent());
        if (stamp != null) {
            register(stamp.realPath().getParent());
        }
    }

    private void register(Path dir) {
        if (dir == null || watchedDirs.contains(dir)) {
            return;
        }
        try {
            dir.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
            watchedDirs.add(dir);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("mailertable {}: cannot watch {} ({}); relying on stat every {} ms", file, dir, e,
                    pollInterval.toMillis());
        }
    }

    private void loop() {
        while (!closed) {
            try {
                WatchKey key = watchService.poll(nextCheckMillis.getAsLong(), TimeUnit.MILLISECONDS);
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    key = watchService.poll();
                }
                check.run();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                log.error("mailertable {}: watcher error, retrying", file, e);
                pause(pollInterval.toMillis());
            }
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis); // after an unexpected error: not to spin on it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            watchService.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
