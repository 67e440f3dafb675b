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
    /** Where the next record goes: the end of the last valid record. */
    private long end;
    /** Appends written so far (a generation number), and how many of them an fsync covers. */
    private long written;
    private long synced;
    private boolean syncing;
    private long failedUpTo = -1;
    private IOException failure;

    private StatusLog(FileChannel channel, long end) {
        this.channel = channel;
        this.end = end;
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
            return new StatusLog(ch, msg.validLength());
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
            mine = ++written;
        }
        sync(mine);
    }

    /** Group commit, as {@link DirectorySync}: returns once append number {@code mine} is fsynced. */
    private void sync(long mine) throws IOException {
        long covers;
        synchronized (lock) {
            while (true) {
                if (synced >= mine) {
                    if (failedUpTo >= mine) {
                        throw new IOException("fsync of status records failed", failure);
                    }
                    return;
                }
                if (!syncing) {
                    break;
                }
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted waiting for the fsync of status records");
                }
            }
            syncing = true;
            covers = written; // every append written so far is covered by the fsync that starts now
        }
        IOException failed = null;
        try {
            channel.force(false);
        } catch (IOException e) {
            failed = e;
        }
        synchronized (lock) {
            syncing = false;
            synced = Math.max(synced, covers);
            if (failed != null) {
                failure = failed;
                failedUpTo = covers;
            }
            lock.notifyAll();
        }
        if (failed != null) {
            throw new IOException("fsync of status records failed", failed);
        }
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
