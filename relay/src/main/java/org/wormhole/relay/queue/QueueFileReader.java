package org.wormhole.relay.queue;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/** Reads a queue file (QUEUE-FORMAT.md, version 1): header, end marker, status records. */
final class QueueFileReader {

    static final int MAX_HEADER = 1 << 20;
    static final int MAX_RECORD = 8192;

    private QueueFileReader() {
    }

    static QueuedMessage read(Path file, QueueState state) throws IOException, CorruptQueueFileException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileLength = ch.size();
            InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch), 8192);
            Header h = new Header();
            long offset = 0;
            String magic = line(in, MAX_RECORD);
            if (magic == null || !magic.equals(QueueFileWriter.MAGIC)) {
                throw new CorruptQueueFileException("not a version 1 queue file (first line '" + magic + "')");
            }
            offset += magic.length() + 1;
            while (true) {
                String l = line(in, MAX_RECORD);
                if (l == null) {
                    throw new CorruptQueueFileException("header ends before 'content'");
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
            if (fileLength < endAt + marker.length) {
                throw new CorruptQueueFileException("no end marker: file ends at " + fileLength
                        + " before content end " + endAt + " (incomplete write)");
            }
            ch.position(endAt);
            byte[] got = new byte[marker.length];
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(got);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    throw new EOFException();
                }
            }
            if (!java.util.Arrays.equals(got, marker)) {
                throw new CorruptQueueFileException("no end marker after the content (incomplete write)");
            }
            List<RecipientState> rcpts = new ArrayList<>();
            for (int i = 0; i < h.recipients.size(); i++) {
                rcpts.add(RecipientState.fresh(i, h.recipients.get(i), h.arrival));
            }
            long valid = endAt + marker.length;
            boolean warned = false;
            InputStream rec = new java.io.BufferedInputStream(Channels.newInputStream(ch), 8192);
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
                    Set.copyOf(h.flags), h.hops, h.origin, contentOffset, h.contentLength, warned, valid);
        } catch (NumberFormatException e) {
            throw new CorruptQueueFileException("bad number: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CorruptQueueFileException(e.getMessage());
        }
    }

    /** The header fields read so far. */
    private static final class Header {
        String id;
        long arrival = -1;
        String client = "";
        String sender;
        final List<String> recipients = new ArrayList<>();
        final Set<String> flags = new LinkedHashSet<>();
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
                            flags.add(f);
                        }
                    }
                }
                case "hops" -> hops = Integer.parseInt(value);
                case "origin" -> origin = FieldCodec.decode(value);
                case "content" -> {
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
        return String.format("%08x", c.getValue());
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
