package org.wormhole.relay.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The spool's {@code private/master.lock} (Postfix's master.lock): an exclusive lock held by the
 * one relay that runs on a spool, for as long as it runs, the file holding its pid. Taken before
 * anything else touches the spool; a second relay on the same spool is refused, and offline
 * {@code wormhole queue} commands hold it while they change files. The lock is the kernel's
 * (fcntl): a relay killed with SIGKILL leaves the file behind but no lock, and the next start
 * takes it.
 *
 * <p>A process may hold at most one {@code SpoolLock} per spool. POSIX locks belong to the
 * process, and closing any descriptor of the file releases them all, so this class never opens
 * the file of a spool this JVM has locked: it keeps those spools in a table instead.
 * Thread-safe.
 */
public final class SpoolLock implements AutoCloseable {

    /** The lock file, under the spool's private directory. */
    public static final String FILE = "master.lock";

    /** Spools this JVM holds, by real path: another lock in this JVM must not touch their file. */
    private static final Map<Path, SpoolLock> HELD = new HashMap<>();

    private final Path key;
    private final Path root;
    private final FileChannel channel;
    private final FileLock lock;

    private SpoolLock(Path key, Path root, FileChannel channel, FileLock lock) {
        this.key = key;
        this.root = root;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of the spool at {@code root}. */
    public static Path file(Path root) {
        return root.resolve("private").resolve(FILE);
    }

    /**
     * Takes the spool's lock, creating the spool and its private directory (mode 0700) if needed,
     * and writes this process's pid into the file.
     *
     * @throws SpoolLockedException another process (or another relay in this JVM) holds it
     * @throws IOException          the lock file cannot be created or locked
     */
    public static SpoolLock acquire(Path root) throws IOException {
        Files.createDirectories(root);
        Path dir = root.resolve("private");
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Path key = root.toRealPath();
        long self = ProcessHandle.current().pid();
        synchronized (HELD) {
            if (HELD.containsKey(key)) {
                throw new SpoolLockedException(root, self);
            }
            FileChannel ch = FileChannel.open(file(root), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException | IOException e) {
                ch.close();
                throw e;
            }
            if (lock == null) {
                ch.close();
                throw new SpoolLockedException(root, holderPid(root));
            }
            try {
                Files.setPosixFilePermissions(file(root), PosixFilePermissions.fromString("rw-------"));
                ch.truncate(0);
                ch.write(ByteBuffer.wrap(String.format("%10d%n", self).getBytes(StandardCharsets.US_ASCII)), 0);
                ch.force(true);
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            SpoolLock held = new SpoolLock(key, root, ch, lock);
            HELD.put(key, held);
            return held;
        }
    }

    /**
     * The pid of the process that holds the spool's lock now, if any: a stale file left by a
     * relay that was killed does not count.
     */
    public static Optional<Long> holder(Path root) throws IOException {
        if (!Files.exists(file(root))) {
            return Optional.empty();
        }
        synchronized (HELD) {
            if (HELD.containsKey(root.toRealPath())) {
                return Optional.of(ProcessHandle.current().pid());
            }
            try (FileChannel ch = FileChannel.open(file(root), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock probe = ch.tryLock();
                if (probe != null) {
                    probe.release();
                    return Optional.empty();
                }
            } catch (NoSuchFileException gone) {
                return Optional.empty();
            }
            return Optional.of(holderPid(root));
        }
    }

    /**
     * The pid in the file of a lock another process holds. That process writes it right after
     * taking the lock: an empty file is waited for, briefly.
     */
    private static long holderPid(Path root) throws IOException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (true) {
            String text = Files.readString(file(root), StandardCharsets.US_ASCII).strip();
            if (text.matches("\\d{1,19}")) {
                return Long.parseLong(text);
            }
            if (System.nanoTime() > deadline) {
                return -1;
            }
            try {
                Thread.sleep(20); // polling another process's write, not synchronizing our own threads
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
    }

    public Path root() {
        return root;
    }

    /** Releases the lock; the file stays (as Postfix's does), holding a pid no one holds the lock for. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (HELD.get(key) != this) {
                return;
            }
            HELD.remove(key);
            try {
                lock.release();
                channel.close();
            } catch (IOException ignored) {
                // closing the channel releases the lock in any case
            }
        }
    }
}
