package org.wormhole.relay.queue;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Reads a queue file (QUEUE-FORMAT.md, versions 1 and 2): header, end marker, status records.
 * The content's checksum (version 2) is checked by {@link #verifyContent}, before delivery.
 */
final class QueueFileReader {

    static final int MAX_HEADER = 1 << 20;
    static final int MAX_RECORD = 8192;
    /** The first line of a version 1 file (no content checksum). */
    static final String MAGIC_V1 = "WORMHOLE-QUEUE 1";

    private QueueFileReader() {
    }

    static QueuedMessage read(Path file, QueueState state) throws IOException, CorruptQueueFileException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileLength = ch.size();
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 8192);
            Header h = new Header();
            long offset = 0;
            String magic = line(in, MAX_RECORD);
            if (magic == null) {
                throw new PartialReceptionException("the file ends in its first line (never written)");
            }
            if (magic.equals(QueueFileWriter.MAGIC)) {
                h.version = 2;
            } else if (!magic.equals(MAGIC_V1)) {
                throw new CorruptQueueFileException("not a version 1 or 2 queue file (first line '" + magic + "')");
            }
            offset += magic.length() + 1;
            while (true) {
                String l = line(in, MAX_RECORD);
                if (l == null) {
                    throw new PartialReceptionException("the header ends before 'content' (never written whole)");
                }
                offset += l.length() + 1;
                if (offset > MAX_HEADER) {
                    throw new CorruptQueueFileException("header longer than " + MAX_HEADER + " octets");
                }
                if (h.field(l)) {
                    break;
                }
            }
            long contentOffset = offset;
            long endAt = contentOffset + h.contentLength;
            byte[] marker = QueueFileWriter.END_MARKER;
            if (h.id == null || h.arrival < 0 || h.sender == null || h.recipients.isEmpty()) {
                throw new CorruptQueueFileException("header lacks id, arrival, sender or recipients");
            }
            if (h.version == 2 && h.crc32c < 0) {
                throw new CorruptQueueFileException("version 2 header without crc32c");
            }
            if (h.uncommitted) {
                throw new PartialReceptionException("content length never written (receiving was not finished)");
            }
            if (h.version == 1 && h.contentLength == 0 && !marker(ch, contentOffset)) {
                throw new PartialReceptionException("no end marker and a zero length (receiving was not finished)");
            }
            if (fileLength < endAt + marker.length) {
                throw new CorruptQueueFileException("no end marker: file ends at " + fileLength
                        + " before content end " + endAt + " (incomplete write)");
            }
            if (!marker(ch, endAt)) {
                throw new CorruptQueueFileException("no end marker after the content (incomplete write)");
            }
            ch.position(endAt + marker.length);
            List<RecipientState> rcpts = new ArrayList<>();
            for (int i = 0; i < h.recipients.size(); i++) {
                rcpts.add(RecipientState.fresh(i, h.recipients.get(i), h.arrival));
            }
            long valid = endAt + marker.length;
            boolean warned = false;
            InputStream rec = new BufferedInputStream(Channels.newInputStream(ch), 8192);
            long pos = valid;
            while (true) {
                String l = line(rec, MAX_RECORD);
                if (l == null) {
                    break; // end of file, or a torn last line without LF
                }
                pos += l.length() + 1;
                if (!crcOk(l)) {
                    break; // torn or garbled: ignore it and whatever follows
                }
                String[] f = l.split(" ", -1);
                if (f[0].equals("R") && f.length == 8) {
                    int idx = Integer.parseInt(f[1]);
                    if (idx < 0 || idx >= rcpts.size()) {
                        throw new CorruptQueueFileException("status record for recipient " + idx + " of " + rcpts.size());
                    }
                    String err = f[6].equals("-") ? "" : FieldCodec.decode(f[6]);
                    rcpts.set(idx, new RecipientState(idx, rcpts.get(idx).address(), RecipientStatus.parse(f[2]),
                            Integer.parseInt(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]), err));
                } else if (f[0].equals("W") && f.length == 3) {
                    warned = true;
                } else {
                    throw new CorruptQueueFileException("unknown status record '" + l + "'");
                }
                valid = pos;
            }
            QueueId id;
            try {
                id = new QueueId(h.id);
            } catch (IllegalArgumentException e) {
                throw new CorruptQueueFileException(e.getMessage());
            }
            return new QueuedMessage(id, state, file, h.arrival, h.client, h.sender, List.copyOf(rcpts),
                    Set.copyOf(h.flags), h.hops, h.origin, contentOffset, h.contentLength, warned, valid,
                    h.crc32c < 0 ? OptionalLong.empty() : OptionalLong.of(h.crc32c));
        } catch (NumberFormatException e) {
            throw new CorruptQueueFileException("bad number: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CorruptQueueFileException(e.getMessage());
        }
    }

    /** Whether the end marker is at {@code at}. */
    private static boolean marker(FileChannel ch, long at) throws IOException {
        byte[] marker = QueueFileWriter.END_MARKER;
        if (ch.size() < at + marker.length) {
            return false;
        }
        byte[] got = new byte[marker.length];
        ByteBuffer buf = ByteBuffer.wrap(got);
        long p = at;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, p);
            if (n < 0) {
                throw new EOFException();
            }
            p += n;
        }
        return Arrays.equals(got, marker);
    }

    /**
     * Reads the content and compares its CRC-32C with the one the writer put in the header.
     * Version 1 files have none: nothing to compare.
     */
    static void verifyContent(QueuedMessage m) throws IOException, CorruptQueueFileException {
        if (m.contentCrc32c().isEmpty()) {
            return;
        }
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(m.file(), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate((int) Math.max(1, Math.min(65536, m.contentLength())));
            long pos = m.contentOffset();
            long end = m.contentOffset() + m.contentLength();
            while (pos < end) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), end - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new CorruptQueueFileException("the file ends inside the content");
                }
                pos += n;
                buf.flip();
                crc.update(buf);
            }
        }
        long expected = m.contentCrc32c().getAsLong();
        if (crc.getValue() != expected) {
            throw new CorruptQueueFileException(String.format(
                    "content CRC-32C mismatch: expected %08x, actual %08x (damaged on disk)", expected, crc.getValue()));
        }
    }

    /** The header fields read so far. */
    private static final class Header {
        int version = 1;
        long crc32c = -1;
        boolean uncommitted;
        String id;
        long arrival = -1;
        String client = "";
        String sender;
        final List<String> recipients = new ArrayList<>();
        final Set<BodyFlag> flags = EnumSet.noneOf(BodyFlag.class);
        int hops;
        String origin = "";
        long contentLength = -1;

        /** Takes one header line; true at the 'content' line, which ends the header. */
        boolean field(String l) throws CorruptQueueFileException {
            int sp = l.indexOf(' ');
            String name = sp < 0 ? l : l.substring(0, sp);
            String value = sp < 0 ? "" : l.substring(sp + 1);
            switch (name) {
                case "id" -> id = value;
                case "arrival" -> arrival = Long.parseLong(value);
                case "client" -> client = FieldCodec.decode(value);
                case "sender" -> sender = FieldCodec.decode(value);
                case "rcpt" -> recipients.add(FieldCodec.decode(value));
                case "flags" -> {
                    for (String f : value.split(" ")) {
                        if (!f.isEmpty()) {
                            flags.add(BodyFlag.ofWord(f).orElseThrow(
                                    () -> new CorruptQueueFileException("unknown body flag '" + f + "'")));
                        }
                    }
                }
                case "hops" -> hops = Integer.parseInt(value);
                case "origin" -> origin = FieldCodec.decode(value);
                case "crc32c" -> {
                    if (version < 2 || !value.matches("[0-9a-f]{8}")) {
                        throw new CorruptQueueFileException("bad crc32c header field '" + value + "'");
                    }
                    crc32c = Long.parseLong(value, 16);
                }
                case "content" -> {
                    if (version >= 2 && value.equals(QueueFileWriter.LENGTH_PLACEHOLDER)) {
                        uncommitted = true;
                        return true;
                    }
                    contentLength = Long.parseLong(value);
                    if (contentLength < 0) {
                        throw new CorruptQueueFileException("negative content length");
                    }
                    return true;
                }
                default -> throw new CorruptQueueFileException("unknown header field '" + name + "'");
            }
            return false;
        }
    }

    static boolean crcOk(String line) {
        int sp = line.lastIndexOf(' ');
        if (sp < 0 || line.length() - sp - 1 != 8) {
            return false;
        }
        return line.substring(sp + 1).equals(crc(line.substring(0, sp + 1)));
    }

    static String crc(String prefix) {
        CRC32C c = new CRC32C();
        byte[] b = prefix.getBytes(StandardCharsets.US_ASCII);
        c.update(b, 0, b.length);
        String hex = Long.toHexString(c.getValue()); // as %08x, without a Formatter on every record
        return "00000000".substring(hex.length()) + hex;
    }

    /** One LF-terminated ASCII line without its LF; null at end of stream or for a line with no LF. */
    private static String line(InputStream in, int max) throws IOException, CorruptQueueFileException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (c == '\n') {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
            if (b.size() >= max) {
                throw new CorruptQueueFileException("line longer than " + max + " octets");
            }
            b.write(c);
        }
    }
}
