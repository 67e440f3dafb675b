package org.wormhole.mailertable;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that notices edits of a table file: it waits for an event about the file in its
 * directory (and, for a symlink, about its target in the target's directory) or for the next
 * check, whichever comes first, then runs the check. Events about other files of those
 * directories (a log written next to the table, a spool below it) are drained and ignored, so a
 * busy directory costs no stat per event. Where the directory cannot be watched, the check still
 * runs every poll interval.
 */
final class DirectoryWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchedMailertable.class);

    private final Path file;
    private final Duration pollInterval;
    private final LongSupplier nextCheckMillis;
    private final Runnable check;
    private final WatchService watchService;
    private final Set<Path> watchedDirs = new HashSet<>();
    /** The names an event must be about to matter: the file's own and its symlink target's. */
    private final Set<Path> names = ConcurrentHashMap.newKeySet();
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
        names.add(file.getFileName());
        if (stamp != null) {
            register(stamp.realPath().getParent());
            names.add(stamp.realPath().getFileName());
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
        long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(nextCheckMillis.getAsLong());
        while (!closed) {
            try {
                long wait = Math.max(0, TimeUnit.NANOSECONDS.toMillis(due - System.nanoTime()));
                WatchKey key = watchService.poll(wait, TimeUnit.MILLISECONDS);
                boolean run = key == null || System.nanoTime() - due >= 0;
                while (key != null) {
                    for (WatchEvent<?> e : key.pollEvents()) {
                        run |= concernsTheFile(e);
                    }
                    key.reset();
                    key = watchService.poll();
                }
                if (run) {
                    check.run();
                    due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(nextCheckMillis.getAsLong());
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                log.error("mailertable {}: watcher error, retrying", file, e);
                pause(pollInterval.toMillis());
                due = System.nanoTime();
            }
        }
    }

    /** An event about the table's name (or its target's), or lost events: then the file may have changed. */
    private boolean concernsTheFile(WatchEvent<?> e) {
        return e.kind() == StandardWatchEventKinds.OVERFLOW || !(e.context() instanceof Path p) || names.contains(p);
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
