package org.wormhole.relay.peers;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.wormhole.relay.queue.GroupCommit;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.Spool;

/**
 * What this relay has accepted over its links: peer, link message id, and the queue id it got
 * here. A resend of a known id is answered from here and not queued again. Kept in
 * {@code SPOOL/private/link-received} (one line an entry, fsynced before the link acknowledges),
 * and rebuilt at start from the {@code origin} lines of queued files too, so a crash between
 * queueing and recording cannot cause a duplicate. Entries older than {@code keep} are dropped at
 * start. The file stays open while the relay runs; appends that arrive while an fsync is running
 * share the next one ({@link GroupCommit}). Thread-safe.
 */
public final class LinkLedger implements AutoCloseable {

    /** One accepted message: its queue id here and how many recipients it had. */
    public record Entry(String queueId, int recipients) {
    }

    private final Path file;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Object[] stripes = new Object[64];
    /** The file, open for appending once it is rewritten at start; appends are serialized on it. */
    private FileChannel channel;
    private GroupCommit commit;

    private LinkLedger(Path file) {
        this.file = file;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new Object();
        }
    }

    /** The lock that serialises commits of one message id (striped: different ids rarely wait). */
    public Object lockFor(String peer, String messageId) {
        return stripes[key(peer, messageId).hashCode() & (stripes.length - 1)];
    }

    /** Loads the ledger of {@code spool}, adds the origins of queued files, drops old entries. */
    public static LinkLedger open(Spool spool, Duration keep, long nowMillis) throws IOException {
        LinkLedger l = new LinkLedger(spool.privateDirectory().resolve("link-received"));
        List<String> kept = new ArrayList<>();
        if (Files.exists(l.file)) {
            for (String line : Files.readAllLines(l.file, StandardCharsets.US_ASCII)) {
                String[] f = line.split(" ");
                if (f.length != 5) {
                    continue; // a torn last line
                }
                try {
                    if (nowMillis - Long.parseLong(f[0]) > keep.toMillis()) {
                        continue;
                    }
                    l.entries.put(key(f[1], f[2]), new Entry(f[3], Integer.parseInt(f[4])));
                    kept.add(line);
                } catch (NumberFormatException torn) {
                    // skip it
                }
            }
        }
        for (QueueState s : List.of(QueueState.INCOMING, QueueState.ACTIVE, QueueState.DEFERRED, QueueState.HOLD)) {
            for (var id : spool.list(s)) {
                try {
                    QueuedMessage m = spool.read(s, id);
                    String[] o = m.origin().split(" ");
                    if (o.length == 2 && l.entries.putIfAbsent(key(o[0], o[1]), new Entry(id.value(), m.recipients().size())) == null) {
                        kept.add(m.arrivalMillis() + " " + o[0] + " " + o[1] + " " + id.value() + " " + m.recipients().size());
                    }
                } catch (Exception unreadable) {
                    // the queue manager moves it to corrupt/
                }
            }
        }
        Path tmp = l.file.resolveSibling("link-received.tmp");
        Files.write(tmp, kept.isEmpty() ? List.of() : kept, StandardCharsets.US_ASCII);
        Files.move(tmp, l.file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        FileChannel ch = FileChannel.open(l.file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        l.channel = ch;
        l.commit = new GroupCommit(l.file.toString(), () -> ch.force(false));
        return l;
    }

    public Optional<Entry> get(String peer, String messageId) {
        return Optional.ofNullable(entries.get(key(peer, messageId)));
    }

    /**
     * Records an accepted message durably: returns once the line is appended and an fsync that
     * started after it was written has finished.
     */
    public void record(String peer, String messageId, Entry e, long nowMillis) throws IOException {
        String line = nowMillis + " " + peer + " " + messageId + " " + e.queueId() + " " + e.recipients() + "\n";
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII));
        long ticket;
        synchronized (this) {
            while (b.hasRemaining()) {
                channel.write(b);
            }
            ticket = commit.ticket();
        }
        commit.await(ticket);
        entries.put(key(peer, messageId), e);
    }

    /** Closes the file (at the relay's stop). */
    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    private static String key(String peer, String id) {
        return peer + " " + id;
    }
}
