package org.wormhole.link.wire;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and reads link frames (PROTOCOL.md). Reading is strict and bounded: a frame is read
 * whole into a buffer of at most {@link Frame#MAX_LENGTH} octets, and its payload must parse
 * exactly; anything else is a {@link ProtocolViolation}.
 *
 * <p>Longer than our classes usually are: every frame's layout, both ways, in one place that reads
 * next to PROTOCOL.md's table.
 */
public final class FrameCodec {

    static final int HELLO = 0x01;
    static final int PING = 0x02;
    static final int PONG = 0x03;
    static final int OFFER = 0x10;
    static final int CHUNK = 0x11;
    static final int END = 0x12;
    static final int RESULT = 0x13;
    static final int CANCEL = 0x14;
    static final int OPEN = 0x20;
    static final int OPENED = 0x21;
    static final int DATA = 0x22;
    static final int CREDIT = 0x23;
    static final int EOF = 0x24;
    static final int CLOSE = 0x25;
    static final int LANES = 0x30;
    static final int JOIN = 0x31;
    static final int GOODBYE = 0x7F;

    private FrameCodec() {
    }

    /** Writes one frame (not flushed). */
    public static void write(OutputStream out, Frame frame) throws IOException {
        if (frame instanceof Frame.Chunk c) {
            content(out, CHUNK, c.stream(), c.content());
            return;
        }
        if (frame instanceof Frame.Data d) {
            content(out, DATA, d.channel(), d.content());
            return;
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
        DataOutputStream d = new DataOutputStream(buf);
        if (frame instanceof Frame.Hello h) {
            d.writeByte(HELLO);
            d.writeByte(h.versions().size());
            for (int v : h.versions()) {
                d.writeByte(v);
            }
            string(d, h.site());
            d.writeInt(h.window());
        } else if (frame instanceof Frame.Ping p) {
            d.writeByte(PING);
            d.writeLong(p.nonce());
        } else if (frame instanceof Frame.Pong p) {
            d.writeByte(PONG);
            d.writeLong(p.nonce());
        } else if (frame instanceof Frame.Offer o) {
            d.writeByte(OFFER);
            d.writeInt(o.stream());
            string(d, o.messageId());
            string(d, o.sender());
            d.writeShort(o.recipients().size());
            for (String r : o.recipients()) {
                string(d, r);
            }
            d.writeByte(o.flags());
            d.writeLong(o.size());
            d.writeShort(o.hops());
        } else if (frame instanceof Frame.End e) {
            d.writeByte(END);
            d.writeInt(e.stream());
            d.writeInt(e.crc32c());
        } else if (frame instanceof Frame.Result r) {
            d.writeByte(RESULT);
            string(d, r.messageId());
            string(d, r.queueId());
            d.writeShort(r.results().size());
            for (Frame.RecipientResult x : r.results()) {
                d.writeShort(x.code());
                string(d, x.status());
                string(d, x.text());
            }
        } else if (frame instanceof Frame.Cancel c) {
            d.writeByte(CANCEL);
            d.writeInt(c.stream());
        } else if (frame instanceof Frame.Goodbye g) {
            d.writeByte(GOODBYE);
            string(d, g.reason());
        } else if (frame instanceof Frame.Open o) {
            d.writeByte(OPEN);
            d.writeInt(o.channel());
            string(d, o.service());
            d.writeInt(o.credit());
        } else if (frame instanceof Frame.Opened o) {
            d.writeByte(OPENED);
            d.writeInt(o.channel());
            d.writeInt(o.credit());
        } else if (frame instanceof Frame.Credit c) {
            d.writeByte(CREDIT);
            d.writeInt(c.channel());
            d.writeInt(c.octets());
        } else if (frame instanceof Frame.Eof e) {
            d.writeByte(EOF);
            d.writeInt(e.channel());
        } else if (frame instanceof Frame.Close c) {
            d.writeByte(CLOSE);
            d.writeInt(c.channel());
            string(d, c.reason());
        } else if (frame instanceof Frame.Lanes l) {
            d.writeByte(LANES);
            token(d, l.token());
            d.writeByte(l.lanes());
        } else if (frame instanceof Frame.Join j) {
            d.writeByte(JOIN);
            token(d, j.token());
            d.writeByte(j.lane());
        }

        d.flush();
        if (buf.size() > Frame.MAX_LENGTH) {
            throw new IllegalArgumentException("frame of " + buf.size() + " octets exceeds " + Frame.MAX_LENGTH);
        }
        DataOutputStream o = new DataOutputStream(out);
        o.writeInt(buf.size());
        buf.writeTo(o);
    }

    /**
     * A CHUNK or DATA frame, written straight from its content: no copy into a frame buffer, which
     * for the largest frames is most of the cost of writing them.
     */
    private static void content(OutputStream out, int type, int stream, byte[] content) throws IOException {
        if (content.length == 0 || content.length > Frame.MAX_CHUNK) {
            throw new IllegalArgumentException(name(type) + " of " + content.length + " octets");
        }
        int length = 1 + 4 + content.length;
        byte[] head = {
            (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length, (byte) type,
            (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream,
        };
        out.write(head);
        out.write(content);
    }

    /**
     * Reads one frame.
     *
     * @throws EOFException       the connection ended, between frames or inside one (a cut, not a violation)
     * @throws ProtocolViolation  the frame breaks the protocol (the link must be closed)
     */
    public static Frame read(InputStream in) throws IOException, ProtocolViolation {
        DataInputStream din = new DataInputStream(in);
        int length = din.readInt();
        if (length < 1 || length > Frame.MAX_LENGTH) {
            throw new ProtocolViolation("frame length " + Integer.toUnsignedString(length) + " outside 1.." + Frame.MAX_LENGTH);
        }
        byte[] body;
        try {
            int first = din.readUnsignedByte();
            if (first == CHUNK && length > 5) { // the bulk of the traffic: its content read in place, not copied
                int stream = din.readInt();
                byte[] content = new byte[length - 5];
                din.readFully(content);
                return new Frame.Chunk(stream, content);
            }
            body = new byte[length];
            body[0] = (byte) first;
            din.readFully(body, 1, length - 1);
        } catch (EOFException e) {
            throw new EOFException("connection closed inside a frame");
        }
        ByteBuffer b = ByteBuffer.wrap(body);
        int type = b.get() & 0xFF;
        try {
            Frame f = switch (type) {
                case HELLO -> {
                    int n = b.get() & 0xFF;
                    if (n < 1 || n > Frame.MAX_VERSIONS) {
                        throw new ProtocolViolation("HELLO with " + n + " versions");
                    }
                    List<Integer> versions = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        versions.add(b.get() & 0xFF);
                    }
                    String site = string(b);
                    int window = b.getInt();
                    if (window < 1 || window > 65_536) {
                        throw new ProtocolViolation("HELLO window " + window);
                    }
                    yield new Frame.Hello(versions, site, window);
                }
                case PING -> new Frame.Ping(b.getLong());
                case PONG -> new Frame.Pong(b.getLong());
                case OFFER -> {
                    int stream = b.getInt();
                    String id = id(b);
                    String sender = string(b);
                    int n = b.getShort() & 0xFFFF;
                    if (n < 1 || n > Frame.MAX_RECIPIENTS) {
                        throw new ProtocolViolation("OFFER with " + n + " recipients");
                    }
                    List<String> rcpts = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        rcpts.add(string(b));
                    }
                    int flags = b.get() & 0xFF;
                    long size = b.getLong();
                    if (size < 0) {
                        throw new ProtocolViolation("OFFER of negative size");
                    }
                    yield new Frame.Offer(stream, id, sender, rcpts, flags, size, b.getShort() & 0xFFFF);
                }
                case CHUNK -> {
                    int stream = b.getInt();
                    if (!b.hasRemaining()) {
                        throw new ProtocolViolation("empty CHUNK");
                    }
                    byte[] content = new byte[b.remaining()];
                    b.get(content);
                    yield new Frame.Chunk(stream, content);
                }
                case END -> new Frame.End(b.getInt(), b.getInt());
                case RESULT -> {
                    String id = id(b);
                    String queueId = string(b);
                    int n = b.getShort() & 0xFFFF;
                    if (n < 1 || n > Frame.MAX_RECIPIENTS) {
                        throw new ProtocolViolation("RESULT with " + n + " recipients");
                    }
                    List<Frame.RecipientResult> results = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        int code = b.getShort() & 0xFFFF;
                        if (code < 200 || code > 599) {
                            throw new ProtocolViolation("RESULT with reply code " + code);
                        }
                        results.add(new Frame.RecipientResult(code, string(b), string(b)));
                    }
                    yield new Frame.Result(id, queueId, results);
                }
                case CANCEL -> new Frame.Cancel(b.getInt());
                case GOODBYE -> new Frame.Goodbye(string(b));
                case OPEN -> new Frame.Open(channel(b), service(b), credit(b));
                case OPENED -> new Frame.Opened(channel(b), credit(b));
                case DATA -> {
                    int channel = channel(b);
                    if (!b.hasRemaining()) {
                        throw new ProtocolViolation("empty DATA");
                    }
                    byte[] content = new byte[b.remaining()];
                    b.get(content);
                    yield new Frame.Data(channel, content);
                }
                case CREDIT -> new Frame.Credit(channel(b), credit(b));
                case EOF -> new Frame.Eof(channel(b));
                case CLOSE -> new Frame.Close(channel(b), string(b));
                case LANES -> {
                    byte[] token = token(b);
                    int lanes = b.get() & 0xFF;
                    if (lanes >= Frame.MAX_LANES) {
                        throw new ProtocolViolation("LANES offers " + lanes + " lanes");
                    }
                    yield new Frame.Lanes(token, lanes);
                }
                case JOIN -> {
                    byte[] token = token(b);
                    int lane = b.get() & 0xFF;
                    if (lane < 1 || lane >= Frame.MAX_LANES) {
                        throw new ProtocolViolation("JOIN as lane " + lane);
                    }
                    yield new Frame.Join(token, lane);
                }
                default -> throw new ProtocolViolation("unknown frame type 0x" + Integer.toHexString(type));
            };
            if (b.hasRemaining()) {
                throw new ProtocolViolation(name(type) + " frame with " + b.remaining() + " octets left over");
            }
            return f;
        } catch (BufferUnderflowException e) {
            throw new ProtocolViolation(name(type) + " frame too short");
        }
    }

    private static String name(int type) {
        return switch (type) {
            case HELLO -> "HELLO";
            case PING -> "PING";
            case PONG -> "PONG";
            case OFFER -> "OFFER";
            case CHUNK -> "CHUNK";
            case END -> "END";
            case RESULT -> "RESULT";
            case CANCEL -> "CANCEL";
            case GOODBYE -> "GOODBYE";
            case OPEN -> "OPEN";
            case OPENED -> "OPENED";
            case DATA -> "DATA";
            case CREDIT -> "CREDIT";
            case EOF -> "EOF";
            case CLOSE -> "CLOSE";
            case LANES -> "LANES";
            case JOIN -> "JOIN";
            default -> "0x" + Integer.toHexString(type);
        };
    }

    private static void string(DataOutputStream d, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > 0xFFFF) {
            throw new IllegalArgumentException("string of " + b.length + " octets");
        }
        d.writeShort(b.length);
        d.write(b);
    }

    private static String string(ByteBuffer b) throws ProtocolViolation {
        int n = b.getShort() & 0xFFFF;
        if (n > b.remaining()) {
            throw new ProtocolViolation("string of " + n + " octets runs past the frame");
        }
        if (b.hasArray() && ascii(b.array(), b.arrayOffset() + b.position(), n)) { // ids, addresses: no decoder
            String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.US_ASCII);
            b.position(b.position() + n);
            return s;
        }
        ByteBuffer slice = b.slice();
        slice.limit(n);
        b.position(b.position() + n);
        try {
            CharBuffer c = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice);
            return c.toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolViolation("string that is not UTF-8");
        }
    }

    private static boolean ascii(byte[] a, int from, int n) {
        for (int i = from; i < from + n; i++) {
            if (a[i] < 0) {
                return false;
            }
        }
        return true;
    }

    private static String id(ByteBuffer b) throws ProtocolViolation {
        return printable(b, Frame.MAX_ID, "bad message id");
    }

    private static String printable(ByteBuffer b, int max, String otherwise) throws ProtocolViolation {
        String s = string(b);
        if (!Frame.isName(s, max)) {
            throw new ProtocolViolation(otherwise);
        }
        return s;
    }

    /** A stream's channel number: not 0, which is the mail's. */
    private static int channel(ByteBuffer b) throws ProtocolViolation {
        int channel = b.getInt();
        if (channel == 0) {
            throw new ProtocolViolation("stream frame on channel 0");
        }
        return channel;
    }

    private static String service(ByteBuffer b) throws ProtocolViolation {
        return printable(b, Frame.MAX_SERVICE, "bad service name");
    }

    private static int credit(ByteBuffer b) throws ProtocolViolation {
        int credit = b.getInt();
        if (credit < 1 || credit > Frame.MAX_CREDIT) {
            throw new ProtocolViolation("credit " + Integer.toUnsignedString(credit) + " outside 1.." + Frame.MAX_CREDIT);
        }
        return credit;
    }

    private static void token(DataOutputStream d, byte[] token) throws IOException {
        if (token.length != Frame.TOKEN) {
            throw new IllegalArgumentException("token of " + token.length + " octets");
        }
        d.write(token);
    }

    private static byte[] token(ByteBuffer b) {
        byte[] token = new byte[Frame.TOKEN];
        b.get(token);
        return token;
    }
}
