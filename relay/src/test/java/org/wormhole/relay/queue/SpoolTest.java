package org.wormhole.relay.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queue files on a real file system: what is written is what is read, and damage is detected. */
class SpoolTest {

    @TempDir
    Path dir;

    private static final byte[] BODY = ("Received: from a by b; now\r\nSubject: h\u00e9\r\n\r\n.leading dot\r\n"
            + "8bit: \u00fc\u00e4\r\n").getBytes(StandardCharsets.UTF_8);

    private QueueId enqueue(Spool spool, byte[] body, String sender, List<String> rcpts) throws Exception {
        try (Spool.Incoming in = spool.create(1_700_000_000_000L, "client.example [192.0.2.1] ESMTP", sender,
                rcpts, Set.of("8bitmime"))) {
            in.content().write(body);
            in.commit(1);
            return in.id();
        }
    }

    @Test
    void aCommittedMessageReadsBackWithItsEnvelopeAndExactContent() throws Exception {
        Spool spool = Spool.open(dir);
        QueueId id = enqueue(spool, BODY, "s\u00e9nder@example.org", List.of("a@x.example", "b c@y.example"));

        QueuedMessage m = spool.read(QueueState.INCOMING, id);
        assertEquals(id, m.id());
        assertEquals("s\u00e9nder@example.org", m.sender());
        assertEquals(List.of("a@x.example", "b c@y.example"), m.recipients().stream().map(RecipientState::address).toList());
        assertTrue(m.recipients().stream().allMatch(r -> r.status() == RecipientStatus.PENDING));
        assertEquals(Set.of("8bitmime"), m.flags());
        assertEquals(1, m.hops());
        assertEquals(1_700_000_000_000L, m.nextAttemptMillis());
        try (InputStream in = spool.openContent(m)) {
            assertArrayEquals(BODY, in.readAllBytes());
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(m.file())));
    }

    @Test
    void statusRecordsAreFoldedAndATornLastRecordIsIgnoredAndCutOff() throws Exception {
        Spool spool = Spool.open(dir);
        QueueId id = enqueue(spool, BODY, "", List.of("a@x.example", "b@y.example"));
        QueuedMessage m = spool.read(QueueState.INCOMING, id);

        RecipientState a = m.recipients().get(0);
        RecipientState b = m.recipients().get(1);
        spool.appendStatus(m, List.of(a.deferred(10, 20, "451 4.3.0 try later"), b.sent(10)), false, 10);
        m = spool.read(QueueState.INCOMING, id);
        assertEquals(RecipientStatus.PENDING, m.recipients().get(0).status());
        assertEquals("451 4.3.0 try later", m.recipients().get(0).lastError());
        assertEquals(20, m.nextAttemptMillis());
        assertEquals(RecipientStatus.SENT, m.recipients().get(1).status());

        // A crash in the middle of the next append leaves half a line.
        try (FileChannel ch = FileChannel.open(m.file(), StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap("R 0 sent 2 0 30 - 1234".getBytes(StandardCharsets.US_ASCII)));
        }
        QueuedMessage afterCrash = spool.read(QueueState.INCOMING, id);
        assertEquals(RecipientStatus.PENDING, afterCrash.recipients().get(0).status(), "torn record ignored");

        spool.appendStatus(afterCrash, List.of(afterCrash.recipients().get(0).bounced(40, "550 5.1.1 no such user")),
                true, 40);
        QueuedMessage last = spool.read(QueueState.INCOMING, id);
        assertEquals(RecipientStatus.BOUNCED, last.recipients().get(0).status());
        assertEquals("550 5.1.1 no such user", last.recipients().get(0).lastError());
        assertTrue(last.warned());
        assertTrue(last.pending().isEmpty());
    }

    @Test
    void outcomesAppendedFromSeveralThreadsAtOnceAreAllOnDiskAndReadBack() throws Exception {
        Spool spool = Spool.open(dir);
        List<String> rcpts = java.util.stream.IntStream.range(0, 40).mapToObj(i -> "r" + i + "@x.example").toList();
        QueueId id = enqueue(spool, BODY, "s@example.org", rcpts);
        QueuedMessage m = spool.read(QueueState.INCOMING, id);
        // A torn record from an earlier crash: cut off before the first new one.
        try (FileChannel ch = FileChannel.open(m.file(), StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap("R 0 sent 1 0 5 - 12".getBytes(StandardCharsets.US_ASCII)));
        }
        QueuedMessage attempt = spool.read(QueueState.INCOMING, id);
        try (StatusLog log = spool.statusLog(attempt)) {
            java.util.concurrent.ExecutorService groups = java.util.concurrent.Executors.newFixedThreadPool(8);
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (RecipientState r : attempt.recipients()) {
                done.add(groups.submit(() -> {
                    log.append(List.of(r.index() % 2 == 0 ? r.sent(50) : r.deferred(50, 90, "451 4.3.0 later")), false, 50);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : done) {
                f.get();
            }
            groups.shutdown();
        }
        QueuedMessage after = spool.read(QueueState.INCOMING, id);
        for (RecipientState r : after.recipients()) {
            assertEquals(r.index() % 2 == 0 ? RecipientStatus.SENT : RecipientStatus.PENDING, r.status(), r.address());
            assertEquals(1, r.attempts(), r.address());
        }
        assertEquals(Files.size(after.file()), after.validLength(), "every record whole, nothing torn left");
    }

    @Test
    void aFileWithoutItsEndMarkerIsCorrupt() throws Exception {
        Spool spool = Spool.open(dir);
        QueueId id = enqueue(spool, BODY, "s@example.org", List.of("a@x.example"));
        Path f = spool.path(QueueState.INCOMING, id);
        byte[] whole = Files.readAllBytes(f);
        for (int cut : new int[] {whole.length - 1, whole.length - 10, 40, 5}) {
            Files.write(f, java.util.Arrays.copyOf(whole, cut));
            assertThrows(CorruptQueueFileException.class, () -> spool.read(QueueState.INCOMING, id), "cut at " + cut);
        }
    }

    @Test
    void anAbortedOrUncommittedMessageLeavesNoFileBehind() throws Exception {
        Spool spool = Spool.open(dir);
        try (Spool.Incoming in = spool.create(1, "c", "s@example.org", List.of("a@x.example"), Set.of())) {
            OutputStream out = in.content();
            out.write(BODY);
            // no commit: the client went away
        }
        assertEquals(List.of(), spool.list(QueueState.INCOMING));
    }

    @Test
    void movesAreRenamesBetweenStateDirectories() throws Exception {
        Spool spool = Spool.open(dir);
        QueueId id = enqueue(spool, BODY, "s@example.org", List.of("a@x.example"));
        spool.move(id, QueueState.INCOMING, QueueState.ACTIVE);
        spool.move(id, QueueState.ACTIVE, QueueState.HOLD);
        assertEquals(List.of(), spool.list(QueueState.INCOMING));
        assertEquals(List.of(id), spool.list(QueueState.HOLD));
        assertEquals(QueueState.HOLD, spool.find(id).orElseThrow().state());
        spool.delete(id, QueueState.HOLD);
        assertTrue(spool.find(id).isEmpty());
    }
}
