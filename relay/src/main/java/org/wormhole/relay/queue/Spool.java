package org.wormhole.relay.queue;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The queue directory: one file per message, its state the directory it is in (QUEUE-FORMAT.md).
 * All file operations of the queue go through here; every change is fsynced before it is
 * reported done (directories with group commit), but the deletion of a finished message, which
 * its fsynced status records make redundant ({@link #deleteFinished}).
 *
 * <p>Thread-safe as far as the file system is: callers must not move the same message from two
 * threads at once (the queue manager is the only one that does). Appends to one message's file
 * go through one {@link StatusLog} per attempt, which serializes them.
 */
public final class Spool {

    private final Path root;
    private final Map<QueueState, DirectorySync> dirs = new EnumMap<>(QueueState.class);

    private Spool(Path root) {
        this.root = root;
        for (QueueState s : QueueState.values()) {
            dirs.put(s, new DirectorySync(root.resolve(s.directory())));
        }
    }

    /** Opens the spool at {@code root}, creating its directories (mode 0700) if needed. */
    public static Spool open(Path root) throws IOException {
        Files.createDirectories(root);
        Spool spool = new Spool(root);
        for (QueueState s : QueueState.values()) {
            createPrivateDir(root.resolve(s.directory()));
        }
        createPrivateDir(root.resolve("private"));
        return spool;
    }

    private static void createPrivateDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    public Path root() {
        return root;
    }

    /** The directory for files the relay's processes share with the CLI (control socket). */
    public Path privateDirectory() {
        return root.resolve("private");
    }

    /** The running relay's control socket, where the CLI reaches it (ControlServer). */
    public Path controlSocket() {
        return privateDirectory().resolve("control");
    }

    /** The control socket of the spool at {@code root}, without opening it (a command that only asks the relay). */
    public static Path controlSocketOf(Path root) {
        return root.resolve("private").resolve("control");
    }

    /** Starts a new message in {@code incoming/}. */
    public Incoming create(long arrivalMillis, String client, String sender, List<String> recipients,
                           Set<BodyFlag> flags) throws IOException {
        return create(arrivalMillis, client, sender, recipients, flags, "");
    }

    /**
     * Starts a new message in {@code incoming/}.
     *
     * @param origin for mail received over a link, {@code PEER MESSAGE-ID} (what makes a resend
     *               recognisable even after a crash); empty otherwise
     */
    public Incoming create(long arrivalMillis, String client, String sender, List<String> recipients,
                           Set<BodyFlag> flags, String origin) throws IOException {
        for (int attempt = 0; ; attempt++) {
            QueueId id = QueueId.next(arrivalMillis);
            try {
                QueueFileWriter w = QueueFileWriter.create(dir(QueueState.INCOMING), id, arrivalMillis, client,
                        sender, recipients, flags, origin);
                return new Incoming(this, id, w);
            } catch (FileAlreadyExistsException clash) {
                if (attempt > 10) {
                    throw clash;
                }
            }
        }
    }

    /** Makes a committed incoming file durable: fsyncs {@code incoming/} (group commit). */
    void syncIncoming() throws IOException {
        dirs.get(QueueState.INCOMING).sync();
    }

    public Path dir(QueueState state) {
        return root.resolve(state.directory());
    }

    public Path path(QueueState state, QueueId id) {
        return dir(state).resolve(id.value());
    }

    /** Reads a message's file. */
    public QueuedMessage read(QueueState state, QueueId id) throws IOException, CorruptQueueFileException {
        return QueueFileReader.read(path(state, id), state);
    }

    /** Finds a message in any state but corrupt. */
    public Optional<QueuedMessage> find(QueueId id) throws IOException {
        for (QueueState s : QueueState.values()) {
            if (s == QueueState.CORRUPT) {
                continue;
            }
            try {
                return Optional.of(read(s, id));
            } catch (NoSuchFileException e) {
                // not in this state
            } catch (CorruptQueueFileException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** The ids of the files in {@code state}, in id (arrival) order; stray names are skipped. */
    public List<QueueId> list(QueueState state) throws IOException {
        List<QueueId> ids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir(state))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (QueueId.isValid(name)) {
                    ids.add(new QueueId(name));
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    /** Moves a message to another state: an atomic rename, then both directories fsynced. */
    public void move(QueueId id, QueueState from, QueueState to) throws IOException {
        if (from == to) {
            return;
        }
        Files.move(path(from, id), path(to, id), StandardCopyOption.ATOMIC_MOVE);
        dirs.get(to).sync();
        dirs.get(from).sync();
    }

    /** Deletes a message's file and fsyncs its directory. */
    public void delete(QueueId id, QueueState state) throws IOException {
        Files.deleteIfExists(path(state, id));
        dirs.get(state).sync();
    }

    /**
     * Deletes the file of a message whose every recipient has its final status on disk (its
     * status records fsynced), without an fsync of the directory: should a crash undo the
     * deletion, the file is found at the next start with nothing left to deliver and removed
     * then; nothing is sent twice. (An operator's delete, which no record backs, is {@link #delete}.)
     */
    public void deleteFinished(QueueId id, QueueState state) throws IOException {
        Files.deleteIfExists(path(state, id));
    }

    /**
     * Appends status records (QUEUE-FORMAT.md) to a message's file and fsyncs it. A torn tail
     * left by an earlier crash is cut off first.
     *
     * @param updates the recipients whose state changed
     * @param warned  also record that a delay warning was sent
     */
    public void appendStatus(QueuedMessage msg, List<RecipientState> updates, boolean warned, long nowMillis)
            throws IOException {
        try (StatusLog log = statusLog(msg)) {
            log.append(updates, warned, nowMillis);
        }
    }

    /**
     * Opens a message's status records for one delivery attempt: each outcome is appended and
     * fsynced as soon as it is known. A torn tail left by an earlier crash is cut off first.
     * The caller closes it before it moves or deletes the file.
     */
    public StatusLog statusLog(QueuedMessage msg) throws IOException {
        return StatusLog.open(msg);
    }

    /**
     * Checks a message's content against its CRC-32C (version 2 files) before it is delivered:
     * a damaged file is never sent. Reads the whole content.
     *
     * @throws CorruptQueueFileException naming the expected and the actual checksum
     */
    public void verifyContent(QueuedMessage msg) throws IOException, CorruptQueueFileException {
        QueueFileReader.verifyContent(msg);
    }

    /** The content of a message, exactly as it will be relayed. The caller closes the stream. */
    public InputStream openContent(QueuedMessage msg) throws IOException {
        FileChannel ch = FileChannel.open(msg.file(), StandardOpenOption.READ);
        ch.position(msg.contentOffset());
        InputStream raw = Channels.newInputStream(ch);
        // a buffer the content's size up to 64 KB: most mail is small, and each delivery opens its own
        int buffer = (int) Math.max(1, Math.min(65536, msg.contentLength()));
        return new BufferedInputStream(new BoundedInputStream(raw, msg.contentLength()), buffer);
    }

    /** Stops after {@code limit} bytes. */
    private static final class BoundedInputStream extends FilterInputStream {
        private long left;

        BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int c = in.read();
            if (c >= 0) {
                left--;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(Math.min(n, left));
            left -= s;
            return s;
        }
    }

    /** A message being received into {@code incoming/}. */
    public static final class Incoming implements AutoCloseable {
        private final Spool spool;
        private final QueueId id;
        private final QueueFileWriter writer;

        Incoming(Spool spool, QueueId id, QueueFileWriter writer) {
            this.spool = spool;
            this.id = id;
            this.writer = writer;
        }

        public QueueId id() {
            return id;
        }

        /** Where the content goes (CRLF line endings, not dot-stuffed). */
        public OutputStream content() {
            return writer.content();
        }

        public long contentLength() {
            return writer.contentLength();
        }

        /**
         * Makes the message durable: completes and fsyncs the file, then fsyncs {@code incoming/}.
         * Only after this returns may the relay answer 250.
         */
        public void commit(int hops) throws IOException {
            writer.commit(hops);
            spool.syncIncoming();
        }

        /** Drops the message (the client gets an error, not 250). */
        public void abort() {
            writer.abort();
        }

        @Override
        public void close() {
            writer.close();
        }
    }
}
