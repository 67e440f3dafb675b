package org.wormhole.relay.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The status records of one message's file during one delivery attempt (QUEUE-FORMAT.md,
 * "Status records"): each {@link #append} writes its records after the last valid one and
 * returns once they are on disk, so a recipient's outcome is durable the moment it is known,
 * not when the whole attempt ends.
 *
 * <p>Thread-safe. Appends are serialized (one write after the other, so only the last can be
 * torn by a crash); their fsyncs are group-committed: appends that arrive while an fsync is
 * running share the next one, so several route groups finishing at once cost one fsync each
 * at most, and usually one in all.
 */
public final class StatusLog implements AutoCloseable {

    private final FileChannel channel;
    private final Object lock = new Object();
    private final GroupCommit commit;
    /** Where the next record goes: the end of the last valid record. Guarded by lock. */
    private long end;

    private StatusLog(FileChannel channel, long end, String id) {
        this.channel = channel;
        this.end = end;
        this.commit = new GroupCommit("the status records of " + id, () -> channel.force(false));
    }

    /**
     * Opens {@code msg}'s file for appending. A torn tail left by an earlier crash (what follows
     * the last valid record) is cut off first, so new records never follow garbage.
     */
    static StatusLog open(QueuedMessage msg) throws IOException {
        FileChannel ch = FileChannel.open(msg.file(), StandardOpenOption.WRITE);
        try {
            if (ch.size() > msg.validLength()) {
                ch.truncate(msg.validLength());
            }
            return new StatusLog(ch, msg.validLength(), msg.file().getFileName().toString());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Appends the records of {@code updates} (and a delay-warning record if {@code warned}) and
     * returns once an fsync that started after they were written has finished.
     */
    public void append(List<RecipientState> updates, boolean warned, long nowMillis) throws IOException {
        if (updates.isEmpty() && !warned) {
            return;
        }
        byte[] records = format(updates, warned, nowMillis);
        long mine;
        synchronized (lock) {
            ByteBuffer b = ByteBuffer.wrap(records);
            long pos = end;
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
            end = pos;
            mine = commit.ticket();
        }
        commit.await(mine);
    }

    static byte[] format(List<RecipientState> updates, boolean warned, long nowMillis) {
        StringBuilder sb = new StringBuilder(updates.size() * 80 + 32);
        for (RecipientState r : updates) {
            String err = r.lastError().isEmpty() ? "-" : FieldCodec.encode(truncate(r.lastError()));
            String line = "R " + r.index() + " " + r.status().word() + " " + r.attempts() + " "
                    + r.nextAttemptMillis() + " " + r.lastAttemptMillis() + " " + err + " ";
            sb.append(line).append(QueueFileReader.crc(line)).append('\n');
        }
        if (warned) {
            String line = "W " + nowMillis + " ";
            sb.append(line).append(QueueFileReader.crc(line)).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static String truncate(String s) {
        return s.length() > 1000 ? s.substring(0, 1000) : s;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
