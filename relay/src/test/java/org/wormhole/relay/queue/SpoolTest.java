package org.wormhole.relay.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
                rcpts, Set.of(BodyFlag.EIGHT_BIT_MIME))) {
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
        assertEquals(Set.of(BodyFlag.EIGHT_BIT_MIME), m.flags());
        assertTrue(new String(java.nio.file.Files.readAllBytes(m.file()), StandardCharsets.ISO_8859_1).contains("\nflags 8bitmime\n"),
                "the flag's word in the file, as QUEUE-FORMAT.md gives it");
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
    void aCommittedFileCutShortIsCorruptNotAPartialReception() throws Exception {
        Spool spool = Spool.open(dir);
        QueueId id = enqueue(spool, BODY, "s@example.org", List.of("a@x.example"));
        Path f = spool.path(QueueState.INCOMING, id);
        byte[] whole = Files.readAllBytes(f);
        for (int cut : new int[] {whole.length - 1, whole.length - 10, whole.length - BODY.length}) {
            Files.write(f, java.util.Arrays.copyOf(whole, cut));
            CorruptQueueFileException e = assertThrows(CorruptQueueFileException.class,
                    () -> spool.read(QueueState.INCOMING, id), "cut at " + cut);
            assertFalse(e instanceof PartialReceptionException, "cut at " + cut + ": " + e.getMessage());
        }
    }

    @Test
    void whatTheWriterLeavesBeforeItCommitsIsAPartialReceptionAtEveryPoint() throws Exception {
        Spool spool = Spool.open(dir);
        byte[] big = new byte[200_000];
        java.util.Arrays.fill(big, (byte) 'x');
        try (Spool.Incoming in = spool.create(1, "c", "s@example.org", List.of("a@x.example"), Set.of())) {
            Path f = spool.path(QueueState.INCOMING, in.id());
            byte[] header = Files.readAllBytes(f);
            in.content().write(big);
            in.content().flush();
            byte[] midData = Files.readAllBytes(f);
            for (byte[] left : List.of(new byte[0], java.util.Arrays.copyOf(header, 5), java.util.Arrays.copyOf(header, 60),
                    header, midData)) {
                Files.write(f, left);
                assertThrows(PartialReceptionException.class, () -> spool.read(QueueState.INCOMING, in.id()),
                        left.length + " octets");
            }
        }
    }

    @Test
    void aFlippedContentByteIsFoundBeforeDeliveryWithBothChecksums() throws Exception {
        Spool spool = Spool.open(dir);
        QueueId id = enqueue(spool, BODY, "s@example.org", List.of("a@x.example"));
        QueuedMessage m = spool.read(QueueState.INCOMING, id);
        assertTrue(Files.readString(m.file(), StandardCharsets.ISO_8859_1).startsWith("WORMHOLE-QUEUE 2\n"));
        spool.verifyContent(m);

        byte[] bytes = Files.readAllBytes(m.file());
        bytes[(int) m.contentOffset() + 3] ^= 0x20;
        Files.write(m.file(), bytes);
        QueuedMessage damaged = spool.read(QueueState.INCOMING, id); // the envelope still reads
        CorruptQueueFileException e = assertThrows(CorruptQueueFileException.class, () -> spool.verifyContent(damaged));
        java.util.zip.CRC32C good = new java.util.zip.CRC32C();
        good.update(BODY);
        assertTrue(e.getMessage().matches("content CRC-32C mismatch: expected " + String.format("%08x", good.getValue())
                + ", actual [0-9a-f]{8} \\(damaged on disk\\)"), e.getMessage());
    }

    @Test
    void aVersion1FileReadsWithoutAChecksumToCompare() throws Exception {
        Spool spool = Spool.open(dir);
        QueueId id = QueueId.next(1_700_000_000_000L);
        Files.writeString(spool.path(QueueState.DEFERRED, id), "WORMHOLE-QUEUE 1\nid " + id + "\narrival 1700000000000\n"
                + "client c\nsender s@example.org\nrcpt a@x.example\nflags\nhops 000000\n"
                + "content 0000000000000000004\nhi\r\nend\n", StandardCharsets.US_ASCII);
        QueuedMessage m = spool.read(QueueState.DEFERRED, id);
        assertTrue(m.contentCrc32c().isEmpty());
        spool.verifyContent(m);
        try (InputStream in = spool.openContent(m)) {
            assertArrayEquals("hi\r\n".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
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
