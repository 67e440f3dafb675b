package org.wormhole.mailertable;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mailertable file that the relay keeps using while admins edit it.
 *
 * <p>A background thread notices a saved edit (file watching, plus a stat every
 * {@code pollInterval} as a fallback), waits until the file has stopped changing (same size, modification
 * time and inode for {@code settleTime}, measured on the given {@link Clock}), parses the new text
 * and swaps it in atomically: a lookup sees either the old table or the new one, never a
 * half-loaded one. An empty (0-byte) file is taken as being written: the table in use stays. An
 * edit that removes more than half the entries is loaded, with a warning. An edit that does not
 * parse, or that fails the owner's {@link TableCheck}, is rejected as a whole: the last good table
 * stays in use, the errors are logged and kept for {@link #status()}. A file that can no longer be
 * read makes lookups answer {@link Lookup.TempFail} until it is back. Editors that save by rename
 * and symlinked files are followed. Each of these is logged here and also told to the owner's
 * {@link Listener}.
 *
 * <p>Thread safety: every public method may be called from any thread.
 *
 * <p>Longer than our classes usually are: it is one state machine (settling, loaded, rejected,
 * unreadable) under one lock, with the small public records that describe it ({@link Timing},
 * {@link Status}, {@link Listener}); the thread that notices edits is {@link DirectoryWatcher}.
 */
public final class WatchedMailertable implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WatchedMailertable.class);

    /** How often the file is stat'ed when no file event arrives. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    /** How long a changed file must stay unchanged before it is loaded. */
    public static final Duration DEFAULT_SETTLE_TIME = Duration.ofSeconds(1);
    /** A vanished file is re-stat'ed this often during its grace time. */
    private static final long MISSING_POLL_MILLIS = 50;
    /** How long a vanished file may stay away (an editor between rename and write) before lookups tempfail. */
    private static final long MISSING_GRACE_MILLIS = 1000;

    private final Path file;
    private final Duration pollInterval;
    private final Duration settleTime;
    private final Clock clock;
    private final TableCheck check;
    private final Listener listener;
    private final DirectoryWatcher watcher;
    private volatile State state;
    private volatile boolean closed;
    /** A version of the file seen but not loaded yet (it may still be being written); guarded by this. */
    private Pending pending;
    /** The empty file last reported as "being written", so it is logged once; guarded by this. */
    private FileStamp emptyReported;

    /** A changed file, first seen with this stamp at {@code since}. */
    private record Pending(FileStamp stamp, Instant since) {
    }

    /**
     * How the file is watched.
     *
     * @param pollInterval how often the file is stat'ed when no file event arrives
     * @param settleTime   how long a changed file must stay unchanged (size, modification time,
     *                     inode) before it is loaded; zero loads a change at once
     */
    public record Timing(Duration pollInterval, Duration settleTime) {
        /** A stat every 500 ms, a change loaded after 1 s without further change. */
        public static final Timing DEFAULT = new Timing(DEFAULT_POLL_INTERVAL, DEFAULT_SETTLE_TIME);

        public Timing {
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(settleTime, "settleTime");
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("poll interval must be positive: " + pollInterval);
            }
            if (settleTime.isNegative()) {
                throw new IllegalArgumentException("settle time must not be negative: " + settleTime);
            }
        }

        public Timing withPollInterval(Duration d) {
            return new Timing(d, settleTime);
        }

        public Timing withSettleTime(Duration d) {
            return new Timing(pollInterval, d);
        }
    }

    /**
     * What the table tells its owner as it follows edits, besides its log lines (which it writes
     * itself, before telling): so the owner can report the facts to its metrics and tests. Each
     * method gets the {@link Status} right after the fact. Methods are called on the watcher
     * thread (or the caller of {@link #open} or {@link #checkNow}); they must be quick and must
     * not throw. Every method has an empty default.
     */
    public interface Listener {

        /** A listener that ignores everything. */
        Listener NONE = new Listener() {
        };

        /**
         * A version of the table is in use: the one loaded at start (generation 1, every entry
         * counted as added) or an edit that loaded (the next generation).
         *
         * @param now  the status with the new version in use
         * @param diff what changed from the version used before (at start: from no table)
         */
        default void swapped(Status now, TableDiff diff) {
        }

        /**
         * An edit was rejected whole (it does not parse, or fails the owner's check); the last good
         * version stays in use.
         *
         * @param now the status: the edit's errors, and the version still in use
         */
        default void rejected(Status now) {
        }

        /**
         * The file cannot be read (past the grace time for editors that save by rename); lookups
         * tempfail until it is back, which is told as a swap.
         *
         * @param now the status, with why the file cannot be read
         */
        default void unreadable(Status now) {
        }
    }

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

    private WatchedMailertable(Path file, Timing timing, Clock clock, TableCheck check, Listener listener,
                               Mailertable table, FileStamp stamp) throws IOException {
        this.file = file;
        this.pollInterval = timing.pollInterval();
        this.settleTime = timing.settleTime();
        this.clock = clock;
        this.check = check;
        this.listener = Objects.requireNonNull(listener, "listener");
        this.state = new State(table, clock.instant(), stamp, 1, List.of(), null, null, null);
        this.watcher = new DirectoryWatcher(file, pollInterval, this::nextCheckMillis, this::checkNow);
        watcher.watch(stamp);
    }

    /** Loads {@code file} and starts watching it with {@link Timing#DEFAULT}. */
    public static WatchedMailertable open(Path file) throws IOException, MailertableException {
        return open(file, Timing.DEFAULT, Clock.systemUTC(), TableCheck.NONE);
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
        return open(file, Timing.DEFAULT.withPollInterval(pollInterval), clock, check);
    }

    /**
     * Loads {@code file}, checks it with {@code check} and starts watching it as {@code timing}
     * says; every edit must pass {@code check} too, or it is rejected as a whole. The settle time
     * is measured on {@code clock}. The table at start is loaded at once, even when empty.
     *
     * @throws IOException          the file cannot be read: a relay must not start
     * @throws MailertableException the file has bad lines, or {@code check} found errors: a
     *                              relay must not start
     */
    public static WatchedMailertable open(Path file, Timing timing, Clock clock, TableCheck check)
            throws IOException, MailertableException {
        return open(file, timing, clock, check, Listener.NONE);
    }

    /**
     * As {@link #open(Path, Timing, Clock, TableCheck)}, telling {@code listener} about the table
     * at start and about every edit loaded or rejected, and a file that cannot be read.
     */
    public static WatchedMailertable open(Path file, Timing timing, Clock clock, TableCheck check, Listener listener)
            throws IOException, MailertableException {
        FileStamp stamp = FileStamp.of(file);
        Mailertable table = checked(Mailertable.load(file), check);
        WatchedMailertable w = new WatchedMailertable(file, timing, clock, check, listener, table, stamp);
        log.info("mailertable {}: loaded {} entries", file, table.size());
        listener.swapped(w.status(), new TableDiff(List.copyOf(table.asMap().keySet()), List.of(), List.of()));
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

    /**
     * Checks the file now, as the watcher thread would; returns when any reload is done. A
     * change is loaded only once the file has looked the same for the settle time: the first
     * check that sees a change starts the wait, a later one that sees the same file after the
     * settle time loads it.
     */
    public synchronized void checkNow() {
        FileStamp now;
        try {
            now = FileStamp.of(file);
        } catch (IOException e) {
            pending = null;
            fileGone(e);
            return;
        }
        State s = state;
        if (now.equals(s.stamp()) && s.unavailable() == null) {
            pending = null;
            return;
        }
        if (now.equals(emptyReported)) {
            return;
        }
        watcher.watch(now);
        Instant t = clock.instant();
        if (pending == null || !pending.stamp().equals(now)) {
            pending = new Pending(now, t);
            log.debug("mailertable {}: changed; loading it once unchanged for {} ms", file, settleTime.toMillis());
        }
        if (Duration.between(pending.since(), t).compareTo(settleTime) < 0) {
            return;
        }
        if (now.size() == 0) {
            // Truncated and not written yet (or a writer that died): never "no routes at all".
            pending = null;
            emptyReported = now;
            log.info("mailertable {}: the file is empty, taken as being written; waiting for it,"
                    + " still using the version loaded at {} ({} entries)", file, s.loadedAt(), s.table().size());
            return;
        }
        byte[] content;
        try {
            content = Files.readAllBytes(file);
            FileStamp after = FileStamp.of(file);
            if (!after.equals(now)) {
                pending = new Pending(after, clock.instant()); // written to while read: wait again
                return;
            }
        } catch (IOException e) {
            pending = null;
            fileGone(e);
            return;
        }
        pending = null;
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
            int before = s.table().size();
            if (diff.removed().size() * 2 > before) {
                log.warn("mailertable {}: edit removes {} of {} entries; loaded anyway. If that was not meant,"
                        + " restore the table (save edits by writing a temporary file and renaming it over the table)",
                        file, diff.removed().size(), before);
            }
            listener.swapped(status(), diff);
        } catch (MailertableException e) {
            state = new State(s.table(), s.loadedAt(), stamp, s.generation(), e.errors(), t, null, null);
            log.error("mailertable {}: edit rejected with {} error(s); still using the version loaded at {} ({} entries)",
                    file, e.errors().size(), s.loadedAt(), s.table().size());
            for (LineError err : e.errors()) {
                log.error("{}", err);
            }
            listener.rejected(status());
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
            sleep(MISSING_POLL_MILLIS);
            if (Files.isReadable(file)) {
                return; // back: the next check loads it
            }
        }
        String reason = describe(cause);
        state = new State(s.table(), s.loadedAt(), null, s.generation(), s.rejected(), s.rejectedAt(),
                reason, clock.instant());
        log.warn("mailertable {}: cannot read it ({}); lookups are deferred until it is back", file, reason);
        listener.unreadable(status());
    }

    /** How long the watcher waits for a file event: less than the poll interval while a change settles. */
    private synchronized long nextCheckMillis() {
        long poll = pollInterval.toMillis();
        if (pending == null) {
            return poll;
        }
        long left = settleTime.minus(Duration.between(pending.since(), clock.instant())).toMillis();
        return Math.max(10, Math.min(poll, left));
    }

    private static String describe(IOException e) {
        String kind = e instanceof NoSuchFileException ? "no such file"
                : e instanceof AccessDeniedException ? "permission denied"
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
        watcher.close();
    }
}
