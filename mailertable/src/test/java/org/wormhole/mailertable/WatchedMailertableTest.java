package org.wormhole.mailertable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A table in use while an admin edits it, as the relay holds it: real files, the real watcher
 * thread, edits made the ways editors make them.
 */
class WatchedMailertableTest {

    /** Generous: the watcher is specified to react within 2 s; CI machines can be slow. */
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private WatchedMailertable watched;

    @AfterEach
    void stop() {
        if (watched != null) {
            watched.close();
        }
    }

    /** Short times on the real clock: these tests are about following edits, not about settling. */
    private static final WatchedMailertable.Timing QUICK = new WatchedMailertable.Timing(
            Duration.ofMillis(200), Duration.ofMillis(100));

    private WatchedMailertable open(Path file) throws Exception {
        watched = WatchedMailertable.open(file, QUICK, Clock.systemUTC(), TableCheck.NONE);
        return watched;
    }

    /** A clock that moves only when the test says so: the watcher thread cannot settle an edit by itself. */
    private static final class TestClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static final Duration SETTLE = Duration.ofSeconds(1);

    private WatchedMailertable openSettling(Path file, TestClock clock) throws Exception {
        watched = WatchedMailertable.open(file, WatchedMailertable.Timing.DEFAULT.withSettleTime(SETTLE), clock,
                TableCheck.NONE);
        return watched;
    }

    private static String tenSites(String relay) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            sb.append("site").append(i).append(".example tsmtp:[").append(relay).append("]\n");
        }
        return sb.toString();
    }

    @Test
    void aTableWrittenInPlaceWithAPauseHalfwayIsLoadedOnlyWhenWhole() throws Exception {
        TestClock clock = new TestClock();
        Path table = write(dir.resolve("mailertable"), tenSites("old.example"));
        WatchedMailertable w = openSettling(table, clock);
        String text = tenSites("new.example");
        int half = text.indexOf("site2.");

        // `cat > mailertable`, or a tool that writes the first lines, then pauses for 300 ms.
        try (FileChannel out = FileChannel.open(table, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap(text.substring(0, half).getBytes(StandardCharsets.US_ASCII)));
            out.force(true);
            w.checkNow(); // the watcher sees the 2-line file
            clock.advance(Duration.ofMillis(300));
            w.checkNow();
            assertEquals(1, w.status().generation(), "a file changed 300 ms ago is not loaded yet");
            out.write(ByteBuffer.wrap(text.substring(half).getBytes(StandardCharsets.US_ASCII)));
            out.force(true);
        }
        w.checkNow(); // the whole file, seen for the first time
        clock.advance(SETTLE.minusMillis(300));
        w.checkNow(); // 1 s after the first half, 0.7 s after the rest
        assertEquals(1, w.status().generation(), "the settle time counts from the last change");
        assertEquals("tsmtp:[old.example]", value(w, "x@site9.example"), "the old table, whole, in use meanwhile");

        clock.advance(Duration.ofMillis(300));
        w.checkNow();
        assertEquals(2, w.status().generation());
        assertEquals(10, w.status().entries(), "the whole table, never the 2-entry half");
        assertEquals("tsmtp:[new.example]", value(w, "x@site9.example"));
    }

    @Test
    void anEmptiedFileIsTakenAsBeingWrittenAndTheTableInUseStays() throws Exception {
        TestClock clock = new TestClock();
        Path table = write(dir.resolve("mailertable"), tenSites("old.example"));
        try (LogLines log = LogLines.capture()) {
            WatchedMailertable w = openSettling(table, clock);

            Files.write(table, new byte[0]); // truncated: the writer has not written yet
            w.checkNow();
            clock.advance(SETTLE.multipliedBy(5));
            w.checkNow();

            assertEquals(1, w.status().generation());
            assertEquals(10, w.status().entries());
            assertEquals("tsmtp:[old.example]", value(w, "x@site0.example"));
            assertEquals(List.of("INFO mailertable " + table + ": the file is empty, taken as being written; waiting"
                    + " for it, still using the version loaded at 2026-01-01T00:00:00Z (10 entries)"),
                    log.lines(), "logged once");

            // An admin who means "no routes" leaves a comment in the file: that is loaded.
            Files.writeString(table, "# no routes for now\n");
            w.checkNow();
            clock.advance(SETTLE);
            w.checkNow();
            assertEquals(2, w.status().generation());
            assertEquals(0, w.status().entries());
        }
    }

    @Test
    void anEditThatRemovesMoreThanHalfTheEntriesIsLoadedWithAWarning() throws Exception {
        TestClock clock = new TestClock();
        Path table = write(dir.resolve("mailertable"), tenSites("old.example"));
        WatchedMailertable w = openSettling(table, clock);
        try (LogLines log = LogLines.capture()) {
            Path tmp = write(dir.resolve("mailertable.tmp"),
                    "site0.example tsmtp:[old.example]\nsite1.example tsmtp:[old.example]\n");
            Files.move(tmp, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            w.checkNow();
            clock.advance(SETTLE);
            w.checkNow();

            assertEquals(2, w.status().entries(), "the admin may mean it: loaded");
            assertEquals("WARN mailertable " + table + ": edit removes 8 of 10 entries; loaded anyway. If that was"
                    + " not meant, restore the table (save edits by writing a temporary file and renaming it over"
                    + " the table)", log.lines().stream().filter(l -> l.startsWith("WARN")).findFirst().orElse(null));

            // Removing half or less is an ordinary edit.
            Files.writeString(table, "site0.example tsmtp:[old.example]\n");
            w.checkNow();
            clock.advance(SETTLE);
            w.checkNow();
            assertEquals(1, w.status().entries());
            assertEquals(1, log.lines().stream().filter(l -> l.startsWith("WARN")).count());
        }
    }

    /** What WatchedMailertable logs while open, as an operator reads it: level and text. */
    private static final class LogLines extends AppenderBase<ILoggingEvent> implements AutoCloseable {
        private final ch.qos.logback.classic.Logger logger =
                (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(WatchedMailertable.class);
        private final List<String> lines = new CopyOnWriteArrayList<>();

        static LogLines capture() {
            LogLines l = new LogLines();
            l.setContext(l.logger.getLoggerContext());
            l.start();
            l.logger.addAppender(l);
            return l;
        }

        @Override
        protected void append(ILoggingEvent e) {
            if (e.getLevel().isGreaterOrEqual(Level.INFO) && !e.getFormattedMessage().contains(": loaded ")) {
                lines.add(e.getLevel() + " " + e.getFormattedMessage());
            }
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        @Override
        public void close() {
            logger.detachAppender(this);
            stop();
        }
    }

    @Test
    void anEditSavedInPlaceIsUsedByTheNextLookup() throws Exception {
        Path table = write(dir.resolve("mailertable"), "tokyo.example tsmtp:[relay.tokyo.example]\n");
        WatchedMailertable w = open(table);
        assertEquals("tsmtp:[relay.tokyo.example]", value(w, "user@tokyo.example"));

        Files.writeString(table, "tokyo.example tsmtp:[relay2.tokyo.example]\nnew.example esmtp:[mx.new.example]\n");

        awaitGeneration(w, 2);
        assertEquals("tsmtp:[relay2.tokyo.example]", value(w, "user@tokyo.example"));
        assertEquals("esmtp:[mx.new.example]", value(w, "user@new.example"));
        assertTrue(w.status().healthy());
        assertEquals(2, w.status().entries());
    }

    @Test
    void anEditIsFollowedWhileALogNextToTheTableIsWrittenAllTheTime() throws Exception {
        Path table = write(dir.resolve("mailertable"), "a.example esmtp:[one.example]\n");
        WatchedMailertable w = open(table);
        AtomicBoolean stop = new AtomicBoolean();
        Thread logger = new Thread(() -> { // a relay logging next to its table: an event per line
            long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            try {
                for (int i = 0; !stop.get() && System.nanoTime() < end; i++) {
                    Files.writeString(dir.resolve("relay.log"), "line " + i + "\n",
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        logger.start();
        try {
            Files.writeString(table, "a.example esmtp:[two.example]\n");
            awaitGeneration(w, 2);
            assertEquals("esmtp:[two.example]", value(w, "x@a.example"));
        } finally {
            stop.set(true);
            logger.join();
        }
    }

    @Test
    void anEditorThatSavesByRenameIsFollowed() throws Exception {
        Path table = write(dir.resolve("mailertable"), "a.example esmtp:[one.example]\n");
        WatchedMailertable w = open(table);

        Path tmp = write(dir.resolve(".mailertable.swp"), "a.example esmtp:[two.example]\n");
        Files.move(tmp, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        awaitGeneration(w, 2);
        assertEquals("esmtp:[two.example]", value(w, "x@a.example"));

        // ... and again: the watcher keeps following the new file, not the replaced one.
        tmp = write(dir.resolve(".mailertable.swp"), "a.example esmtp:[three.example]\n");
        Files.move(tmp, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        awaitGeneration(w, 3);
        assertEquals("esmtp:[three.example]", value(w, "x@a.example"));
    }

    @Test
    void aSymlinkedTableFollowsEditsOfItsTargetAndARepointedLink() throws Exception {
        Path realDir = Files.createDirectories(dir.resolve("etc-real"));
        Path v1 = write(realDir.resolve("mailertable.v1"), "a.example esmtp:[one.example]\n");
        Path v2 = write(realDir.resolve("mailertable.v2"), "a.example esmtp:[two.example]\n");
        Path confDir = Files.createDirectories(dir.resolve("conf"));
        Path link = Files.createSymbolicLink(confDir.resolve("mailertable"), v1);
        WatchedMailertable w = open(link);

        Files.writeString(v1, "a.example esmtp:[one-edited.example]\n");
        awaitGeneration(w, 2);
        assertEquals("esmtp:[one-edited.example]", value(w, "x@a.example"));

        Path newLink = Files.createSymbolicLink(confDir.resolve(".mailertable.new"), v2);
        Files.move(newLink, link, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        awaitGeneration(w, 3);
        assertEquals("esmtp:[two.example]", value(w, "x@a.example"));
    }

    @Test
    void aBrokenEditIsRejectedWholeAndTheLastGoodTableStaysInUseUntilItIsFixed() throws Exception {
        Path table = write(dir.resolve("mailertable"),
                "tokyo.example tsmtp:[relay.tokyo.example]\nold.example esmtp:[mx.old.example]\n");
        WatchedMailertable w = open(table);

        // The admin adds a good line and two bad ones: nothing of the edit is used.
        Files.writeString(table, "tokyo.example tsmtp:[relay.tokyo.example]\n"
                + "new.example esmtp:[mx.new.example]\n"
                + "typo.example esmpt:[mx.typo.example]\n"
                + "port.example esmtp:[mx.port.example]:99999\n");
        await(() -> !w.status().rejectedErrors().isEmpty(), "the bad edit to be rejected");

        WatchedMailertable.Status st = w.status();
        assertFalse(st.healthy());
        assertEquals(1, st.generation());
        assertEquals(List.of(
                table + ":3: unknown mailer 'esmpt' (known: esmtp, smtp, smtp8, relay, lmtp, tsmtp, error, discard, local)",
                table + ":4: bad port '99999' (expected 1-65535)"),
                st.rejectedErrors().stream().map(LineError::toString).toList());
        assertEquals("esmtp:[mx.old.example]", value(w, "x@old.example"), "last good table in use");
        assertInstanceOf(Lookup.NotFound.class, w.lookup("x@new.example"), "nothing of the bad edit is used");

        Files.writeString(table, "tokyo.example tsmtp:[relay.tokyo.example]\n"
                + "new.example esmtp:[mx.new.example]\n"
                + "typo.example esmtp:[mx.typo.example]\n");
        awaitGeneration(w, 2);
        assertTrue(w.status().healthy());
        assertEquals("esmtp:[mx.typo.example]", value(w, "x@typo.example"));
        assertInstanceOf(Lookup.NotFound.class, w.lookup("x@old.example"));
    }

    /** The owner's check of the tests below: the only peer is relay.tokyo.example. */
    private static final TableCheck ONE_PEER = table -> table.rules().stream()
            .filter(r -> r.route().orElse(null) instanceof Route.Transport t && t.mailer() == Mailer.TSMTP
                    && !t.nexthop().host().equals("relay.tokyo.example"))
            .map(r -> new LineError(table.source(), r.line(), "no peer " + r.value()))
            .toList();

    @Test
    void anEditThatFailsTheOwnersCheckIsRejectedWholeLikeAParseError() throws Exception {
        Path table = write(dir.resolve("mailertable"),
                "tokyo.example tsmtp:[relay.tokyo.example]\nold.example esmtp:[mx.old.example]\n");
        watched = WatchedMailertable.open(table, QUICK, Clock.systemUTC(), ONE_PEER);
        WatchedMailertable w = watched;

        Files.writeString(table, "tokyo.example tsmtp:[relay.tokyo.example]\n"
                + "new.example esmtp:[mx.new.example]\n"
                + "osaka.example tsmtp:[relay.osaka.example]\n");
        await(() -> !w.status().rejectedErrors().isEmpty(), "the edit to be rejected");

        assertEquals(List.of(table + ":3: no peer tsmtp:[relay.osaka.example]"),
                w.status().rejectedErrors().stream().map(LineError::toString).toList());
        assertEquals(1, w.status().generation());
        assertEquals("esmtp:[mx.old.example]", value(w, "x@old.example"), "last good table in use");
        assertInstanceOf(Lookup.NotFound.class, w.lookup("x@new.example"), "nothing of the edit is used");

        Files.writeString(table, "tokyo.example tsmtp:[relay.tokyo.example]\nnew.example esmtp:[mx.new.example]\n");
        awaitGeneration(w, 2);
        assertTrue(w.status().healthy());
        assertEquals("esmtp:[mx.new.example]", value(w, "x@new.example"));
    }

    @Test
    void aTableFailingTheOwnersCheckAtStartIsRefused() throws Exception {
        Path table = write(dir.resolve("mailertable"), "a.example esmtp:[one.example]\n"
                + "osaka.example tsmtp:osaka\n.osaka.example tsmtp:%1\n");
        MailertableException e = assertThrows(MailertableException.class,
                () -> WatchedMailertable.open(table, Duration.ofMillis(200), Clock.systemUTC(), ONE_PEER));
        assertEquals(List.of(table + ":2: no peer tsmtp:osaka"), e.errors().stream().map(LineError::toString).toList(),
                "a template value (line 3) has no route until a lookup");
    }

    /** What a listener was told, in order, as text a test can compare. */
    private static final class ToldListener implements WatchedMailertable.Listener {
        final List<String> told = new CopyOnWriteArrayList<>();

        @Override
        public void swapped(WatchedMailertable.Status now, TableDiff diff) {
            told.add("swapped: generation " + now.generation() + ", " + now.entries() + " entries (" + diff + ")");
        }

        @Override
        public void rejected(WatchedMailertable.Status now) {
            told.add("rejected: " + now.rejectedErrors().size() + " error(s), still using generation "
                    + now.generation() + " (" + now.entries() + " entries)");
        }

        @Override
        public void unreadable(WatchedMailertable.Status now) {
            told.add("unreadable: " + now.unavailable().orElseThrow());
        }
    }

    @Test
    void theOwnersListenerIsToldOfTheTableAtStartEachSwapEachRejectedEditAndAnUnreadableFile() throws Exception {
        Path table = write(dir.resolve("mailertable"), "a.example esmtp:[one.example]\nb.example esmtp:[one.example]\n");
        ToldListener listener = new ToldListener();
        watched = WatchedMailertable.open(table, QUICK, Clock.systemUTC(), TableCheck.NONE, listener);
        WatchedMailertable w = watched;
        assertEquals(List.of("swapped: generation 1, 2 entries (2 added [a.example, b.example], 0 removed, 0 changed)"),
                listener.told);

        Path tmp = write(dir.resolve(".mailertable.swp"), "a.example esmtp:[two.example]\nc.example esmtp:[one.example]\n");
        Files.move(tmp, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        awaitGeneration(w, 2);
        await(() -> listener.told.size() == 2, "the swap to be told");
        assertEquals("swapped: generation 2, 2 entries (1 added [c.example], 1 removed [b.example], 1 changed [a.example])",
                listener.told.get(1));

        tmp = write(dir.resolve(".mailertable.swp"), "a.example esmpt:[two.example]\n");
        Files.move(tmp, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await(() -> listener.told.size() == 3, "the rejected edit to be told");
        assertEquals("rejected: 1 error(s), still using generation 2 (2 entries)", listener.told.get(2));

        Files.delete(table);
        await(() -> listener.told.size() == 4, "the missing file to be told");
        assertTrue(listener.told.get(3).startsWith("unreadable: no such file"), listener.told.get(3));
    }

    @Test
    void aVanishedTableDefersLookupsInsteadOfAnsweringNotFound() throws Exception {
        Path table = write(dir.resolve("mailertable"), "a.example esmtp:[one.example]\n");
        WatchedMailertable w = open(table);

        Files.delete(table);
        await(() -> w.status().unavailable().isPresent(), "the missing file to be noticed");
        Lookup l = w.lookup("x@a.example");
        assertInstanceOf(Lookup.TempFail.class, l);
        assertTrue(((Lookup.TempFail) l).reason().contains("no such file"), l.toString());
        assertInstanceOf(Lookup.TempFail.class, w.lookup("x@unrouted.example"),
                "an unreadable table must never look like 'no match'");

        write(table, "a.example esmtp:[two.example]\n");
        awaitGeneration(w, 2);
        assertEquals("esmtp:[two.example]", value(w, "x@a.example"));
        assertTrue(w.status().healthy());
    }

    @Test
    void aBadTableAtStartIsRefusedWithEveryError() throws Exception {
        Path table = write(dir.resolve("mailertable"),
                "a.example esmtp:[one.example]\nb.example nosuch:host\nc.example\n");
        MailertableException e = assertThrows(MailertableException.class, () -> open(table));
        assertEquals(2, e.errors().size());
        assertEquals(2, e.errors().get(0).line());
        assertEquals(3, e.errors().get(1).line());
    }

    @Test
    void lookupsDuringManySwapsAlwaysSeeOneWholeVersion() throws Exception {
        int keys = 2000;
        Path table = write(dir.resolve("mailertable"), version(0, keys));
        WatchedMailertable w = open(table);
        AtomicReference<String> torn = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted() && torn.get() == null) {
                Mailertable t = w.current();
                if (t.size() != keys) {
                    torn.set("a table of " + t.size() + " entries");
                }
                String first = ((Lookup.Found) t.lookup("x@d0.example")).value();
                String last = ((Lookup.Found) t.lookup("x@d" + (keys - 1) + ".example")).value();
                if (!first.equals(last)) {
                    torn.set(first + " next to " + last);
                }
            }
        });
        reader.start();
        try {
            for (int v = 1; v <= 5; v++) {
                Path tmp = write(dir.resolve("mailertable.tmp"), version(v, keys));
                Files.move(tmp, table, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                awaitGeneration(w, v + 1);
            }
        } finally {
            reader.interrupt();
            reader.join();
        }
        assertEquals(null, torn.get());
        assertEquals("esmtp:[v5.example]", value(w, "x@d17.example"));
    }

    private static String version(int v, int keys) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keys; i++) {
            sb.append('d').append(i).append(".example esmtp:[v").append(v).append(".example]\n");
        }
        return sb.toString();
    }

    private static String value(WatchedMailertable w, String address) {
        Lookup l = w.lookup(address);
        if (l instanceof Lookup.Found f) {
            return f.value();
        }
        return fail("expected a match for " + address + ", got " + l);
    }

    private static Path write(Path file, String text) throws Exception {
        Files.writeString(file, text);
        return file;
    }

    private static void awaitGeneration(WatchedMailertable w, long generation) throws InterruptedException {
        await(() -> w.status().generation() >= generation, "table generation " + generation
                + " (status now " + w.status() + ")");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
