package org.wormhole.relay.queue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes one new queue file (QUEUE-FORMAT.md, version 2): the header first, then the content as
 * it streams in (its CRC-32C computed on the way), then, on {@link #commit}, the end marker, the
 * checksum, hop count and, last, the content length patched into their fixed-width header fields,
 * and an fsync of the file. Until the length is patched the file reads as a partial reception.
 * The caller fsyncs the directory before it acknowledges the message.
 *
 * <p>Not thread-safe: one writer per SMTP transaction.
 */
final class QueueFileWriter implements AutoCloseable {

    static final String MAGIC = "WORMHOLE-QUEUE 2";
    /**
     * The content length field until the file is committed: not a number, so a partial
     * reception is told by its header alone (version 1 wrote zeros here).
     */
    static final String LENGTH_PLACEHOLDER = "-".repeat(19);
    static final byte[] END_MARKER = "end\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HOPS_WIDTH = 6;
    private static final int LENGTH_WIDTH = LENGTH_PLACEHOLDER.length();
    private static final int CRC_WIDTH = 8;

    private static final Set<StandardOpenOption> CREATE_NEW =
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

    private final Path file;
    private final FileChannel channel;
    /** Where the hops field starts; the crc32c and content fields follow it, on the next two lines. */
    private final long hopsAt;
    private final long contentAt;
    private final CountingOutputStream content;
    private boolean done;

    private QueueFileWriter(Path file, FileChannel channel, long hopsAt, long contentAt) {
        this.file = file;
        this.channel = channel;
        this.hopsAt = hopsAt;
        this.contentAt = contentAt;
        this.content = new CountingOutputStream(new GrowingBufferedOutputStream(Channels.newOutputStream(channel), 16384, 65536));
    }

    /** Creates {@code dir/id} (mode 0600, never over an existing file) and writes the header. */
    static QueueFileWriter create(Path dir, QueueId id, long arrivalMillis, String client, String sender,
                                  List<String> recipients, Set<BodyFlag> flags, String origin) throws IOException {
        Path file = dir.resolve(id.value());
        FileChannel ch = FileChannel.open(file, CREATE_NEW, OWNER_ONLY);
        try {
            StringBuilder h = new StringBuilder(256 + recipients.size() * 40);
            h.append(MAGIC).append('\n');
            h.append("id ").append(id.value()).append('\n');
            h.append("arrival ").append(arrivalMillis).append('\n');
            h.append("client ").append(FieldCodec.encode(client)).append('\n');
            h.append("sender ").append(FieldCodec.encode(sender)).append('\n');
            for (String r : recipients) {
                h.append("rcpt ").append(FieldCodec.encode(r)).append('\n');
            }
            if (!origin.isEmpty()) {
                h.append("origin ").append(FieldCodec.encode(origin)).append('\n');
            }
            h.append("flags");
            for (BodyFlag f : flags) {
                h.append(' ').append(f.word());
            }
            h.append('\n');
            h.append("hops ");
            long hopsAt = h.length();
            h.append("0".repeat(HOPS_WIDTH)).append('\n');
            h.append("crc32c ").append("0".repeat(CRC_WIDTH)).append('\n');
            h.append("content ").append(LENGTH_PLACEHOLDER).append('\n');
            byte[] header = h.toString().getBytes(StandardCharsets.US_ASCII);
            if (header.length > QueueFileReader.MAX_HEADER) {
                throw new IOException("envelope too large for a queue file header");
            }
            writeFully(ch, ByteBuffer.wrap(header), 0);
            ch.position(header.length);
            return new QueueFileWriter(file, ch, hopsAt, header.length);
        } catch (IOException | RuntimeException e) {
            ch.close();
            Files.deleteIfExists(file);
            throw e;
        }
    }

    /** Where the message content goes, exactly as it will be relayed (CRLF, not dot-stuffed). */
    OutputStream content() {
        return content;
    }

    long contentLength() {
        return content.count;
    }

    Path file() {
        return file;
    }

    /**
     * Completes the file and fsyncs it; the message is durable once its directory is fsynced too.
     * The end marker goes out with the last of the content, then the hops, checksum and length
     * fields in one write (they are adjacent), then the fsync: three system calls. The content
     * length goes in last: a crash before it leaves a file that reads as a partial reception
     * (placeholder length), never as a complete one with a wrong field.
     */
    void commit(int hops) throws IOException {
        long length = content.count;
        long crc = content.crc.getValue();
        // the end marker goes out with the last of the content, in the same write
        content.writeUncounted(END_MARKER);
        content.flush();
        // hops, crc32c and content are adjacent header lines: one write, the length its last field
        String fields = fixed(Math.min(hops, 999_999), HOPS_WIDTH) + "\ncrc32c " + hex(crc)
                + "\ncontent " + fixed(length, LENGTH_WIDTH);
        writeFully(channel, ByteBuffer.wrap(fields.getBytes(StandardCharsets.US_ASCII)), hopsAt);
        channel.force(true);
        channel.close();
        done = true;
    }

    /** {@code n} in decimal, zero-padded to {@code width} digits (as {@code %0WIDTHd}, without a Formatter). */
    private static String fixed(long n, int width) {
        String digits = Long.toString(n);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }

    /** {@code crc} as 8 lower-case hex digits (as {@code %08x}). */
    private static String hex(long crc) {
        String h = Long.toHexString(crc);
        return "0".repeat(CRC_WIDTH - h.length()) + h;
    }

    /** Gives up: closes and deletes the file. Safe to call after a failure. */
    void abort() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // deleting it anyway
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover partial reception in incoming/ is removed at the next start
        }
        done = true;
    }

    @Override
    public void close() {
        if (!done) {
            abort();
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            p += ch.write(b, p);
        }
    }

    /** Counts what passes through, and computes its CRC-32C. */
    private static final class CountingOutputStream extends FilterOutputStream {
        long count;
        final CRC32C crc = new CRC32C();

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            crc.update(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            crc.update(b, off, len);
            count += len;
        }

        /** Writes {@code b} after the content, neither counted nor in the checksum. */
        void writeUncounted(byte[] b) throws IOException {
            out.write(b, 0, b.length);
        }
    }
}
