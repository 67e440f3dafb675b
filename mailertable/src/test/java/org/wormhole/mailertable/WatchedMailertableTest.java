package org.wormhole.mailertable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    private WatchedMailertable open(Path file) throws Exception {
        watched = WatchedMailertable.open(file, Duration.ofMillis(200), Clock.systemUTC());
        return watched;
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
        watched = WatchedMailertable.open(table, Duration.ofMillis(200), Clock.systemUTC(), ONE_PEER);
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
