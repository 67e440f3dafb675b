package org.wormhole.mailertable;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mailertable file that the relay keeps using while admins edit it.
 *
 * <p>A background thread notices a saved edit (file watching, plus a stat every
 * {@code pollInterval} as a fallback), parses the new text and swaps it in atomically: a lookup
 * sees either the old table or the new one, never a half-loaded one. An edit that does not
 * parse, or that fails the owner's {@link TableCheck}, is rejected as a whole: the last good
 * table stays in use, the errors are logged and kept for {@link #status()}. A file that can no longer be read makes lookups answer
 * {@link Lookup.TempFail} until it is back. Editors that save by rename and symlinked files
 * are followed.
 *
 * <p>Thread safety: every public method may be called from any thread.
 */
public final class WatchedMailertable implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchedMailertable.class);

    /** How often the file is stat'ed when no file event arrives. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    /** A file being written is re-stat'ed this often until it stops changing. */
    private static final long SETTLE_MILLIS = 50;
    /** How long a vanished file may stay away (an editor between rename and write) before lookups tempfail. */
    private static final long MISSING_GRACE_MILLIS = 1000;

    private final Path file;
    private final Duration pollInterval;
    private final Clock clock;
    private final TableCheck check;
    private final WatchService watchService;
    private final Set<Path> watchedDirs = new HashSet<>();
    private final Thread watcher;
    private volatile State state;
    private volatile boolean closed;

    /**
     * What the watcher currently holds: the table in use, when it was loaded, the stamp of the
     * file as last read, and the problem with the newest version of the file, if any.
     */
    private record State(Mailertable table, Instant loadedAt, FileStamp stamp, long generation,
                         List<LineError> rejected, Instant rejectedAt,
                         String unavailable, Instant unavailableSince) {
    }

    /**
     * What an operator sees of a watched table.
     *
     * @param file           the watched file
     * @param entries        entries in the table in use
     * @param loadedAt       when the table in use was loaded
     * @param generation     1 for the table loaded at start, +1 for each swap
     * @param rejectedErrors the errors of the newest edit if it was rejected (empty otherwise)
     * @param rejectedAt     when that edit was rejected
     * @param unavailable    why the file cannot be read now; lookups tempfail meanwhile
     */
    public record Status(Path file, int entries, Instant loadedAt, long generation,
                         List<LineError> rejectedErrors, Optional<Instant> rejectedAt,
                         Optional<String> unavailable) {
        /** True when the file on disk is the table in use. */
        public boolean healthy() {
            return rejectedErrors.isEmpty() && unavailable.isEmpty();
        }
    }

    private WatchedMailertable(Path file, Duration pollInterval, Clock clock, TableCheck check,
                               Mailertable table, FileStamp stamp) throws IOException {
        this.file = file;
        this.pollInterval = pollInterval;
        this.clock = clock;
        this.check = check;
        this.state = new State(table, clock.instant(), stamp, 1, List.of(), null, null, null);
        this.watchService = FileSystems.getDefault().newWatchService();
        registerDirectories(stamp);
        this.watcher = new Thread(this::watchLoop, "mailertable-watch");
        this.watcher.setDaemon(true);
    }

    /** Loads {@code file} and starts watching it, stat'ing every {@link #DEFAULT_POLL_INTERVAL}. */
    public static WatchedMailertable open(Path file) throws IOException, MailertableException {
        return open(file, DEFAULT_POLL_INTERVAL, Clock.systemUTC());
    }

    /**
     * Loads {@code file} and starts watching it.
     *
     * @throws IOException          the file cannot be read: a relay must not start
     * @throws MailertableException the file has bad lines: a relay must not start
     */
    public static WatchedMailertable open(Path file, Duration pollInterval, Clock clock)
            throws IOException, MailertableException {
        return open(file, pollInterval, clock, TableCheck.NONE);
    }

    /**
     * Loads {@code file}, checks it with {@code check} and starts watching it; every edit must
     * pass {@code check} too, or it is rejected as a whole.
     *
     * @throws IOException          the file cannot be read: a relay must not start
     * @throws MailertableException the file has bad lines, or {@code check} found errors: a
     *                              relay must not start
     */
    public static WatchedMailertable open(Path file, Duration pollInterval, Clock clock, TableCheck check)
            throws IOException, MailertableException {
        FileStamp stamp = FileStamp.of(file);
        Mailertable table = checked(Mailertable.load(file), check);
        WatchedMailertable w = new WatchedMailertable(file, pollInterval, clock, check, table, stamp);
        log.info("mailertable {}: loaded {} entries", file, table.size());
        w.watcher.start();
        return w;
    }

    /** Looks up in the table in use; {@link Lookup.TempFail} while the file cannot be read. */
    public Lookup lookup(String addressOrDomain) {
        State s = state;
        if (s.unavailable() != null) {
            return new Lookup.TempFail("mailertable " + file + " unreadable since " + s.unavailableSince()
                    + ": " + s.unavailable());
        }
        return s.table().lookup(addressOrDomain);
    }

    /** The table in use (the last one that loaded without errors). */
    public Mailertable current() {
        return state.table();
    }

    public Path file() {
        return file;
    }

    public Status status() {
        State s = state;
        return new Status(file, s.table().size(), s.loadedAt(), s.generation(), s.rejected(),
                Optional.ofNullable(s.rejectedAt()), Optional.ofNullable(s.unavailable()));
    }

    /** Checks the file now, as the watcher thread would; returns when any reload is done. */
    public synchronized void checkNow() {
        FileStamp now;
        try {
            now = settledStamp();
        } catch (IOException e) {
            fileGone(e);
            return;
        }
        State s = state;
        if (now.equals(s.stamp()) && s.unavailable() == null) {
            return;
        }
        registerDirectories(now);
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            fileGone(e);
            return;
        }
        reload(now, content);
    }

    private void reload(FileStamp stamp, byte[] content) {
        State s = state;
        Instant t = clock.instant();
        try {
            Mailertable table = checked(Mailertable.parse(file.toString(), content), check);
            TableDiff diff = TableDiff.between(s.table(), table);
            state = new State(table, t, stamp, s.generation() + 1, List.of(), null, null, null);
            if (s.unavailable() != null) {
                log.info("mailertable {}: readable again", file);
            }
            log.info("mailertable {}: loaded {} entries ({})", file, table.size(), diff);
        } catch (MailertableException e) {
            state = new State(s.table(), s.loadedAt(), stamp, s.generation(), e.errors(), t, null, null);
            log.error("mailertable {}: edit rejected with {} error(s); still using the version loaded at {} ({} entries)",
                    file, e.errors().size(), s.loadedAt(), s.table().size());
            for (LineError err : e.errors()) {
                log.error("{}", err);
            }
        }
    }

    /** {@code table} if {@code check} finds no errors in it. */
    private static Mailertable checked(Mailertable table, TableCheck check) throws MailertableException {
        List<LineError> errors = check.errors(table);
        if (!errors.isEmpty()) {
            throw new MailertableException(errors);
        }
        return table;
    }

    /**
     * The file could not be stat'ed or read. Editors that save by "rename old, write new" leave
     * it missing for a moment, so wait a little before making lookups tempfail.
     */
    private void fileGone(IOException cause) {
        State s = state;
        if (s.unavailable() != null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MISSING_GRACE_MILLIS);
        while (System.nanoTime() < deadline && !closed) {
            sleep(SETTLE_MILLIS);
            if (Files.isReadable(file)) {
                return; // back: the next check loads it
            }
        }
        String reason = describe(cause);
        state = new State(s.table(), s.loadedAt(), null, s.generation(), s.rejected(), s.rejectedAt(),
                reason, clock.instant());
        log.warn("mailertable {}: cannot read it ({}); lookups are deferred until it is back", file, reason);
    }

    /** Stats the file until two stats 50 ms apart agree (a writer has finished), for at most 1 s. */
    private FileStamp settledStamp() throws IOException {
        FileStamp a = FileStamp.of(file);
        if (a.equals(state.stamp())) {
            return a;
        }
        for (int i = 0; i < 20; i++) {
            sleep(SETTLE_MILLIS);
            FileStamp b = FileStamp.of(file);
            if (b.equals(a)) {
                return b;
            }
            a = b;
        }
        return a;
    }

    private void watchLoop() {
        while (!closed) {
            try {
                WatchKey key = watchService.poll(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                while (key != null) {
                    key.pollEvents();
                    key.reset();
                    key = watchService.poll();
                }
                checkNow();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            } catch (RuntimeException e) {
                log.error("mailertable {}: watcher error, retrying", file, e);
                sleep(pollInterval.toMillis());
            }
        }
    }

    /** Watches the directory of the path as given and, for a symlink, that of its target. */
    private void registerDirectories(FileStamp stamp) {
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

    private static String describe(IOException e) {
        String kind = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
                : e.getClass().getSimpleName();
        return Objects.requireNonNullElse(e.getMessage(), "").isEmpty() ? kind : kind + ": " + e.getMessage();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        watcher.interrupt();
        try {
            watchService.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
        try {
            watcher.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
