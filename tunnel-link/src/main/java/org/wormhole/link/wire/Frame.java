package org.wormhole.link.wire;

import java.util.Arrays;
import java.util.List;

/**
 * The frames of the link protocol (tunnel-link/PROTOCOL.md): version 1's, and the stream
 * frames of version 2 ({@link Open} .. {@link Close}). Immutable values.
 */
public sealed interface Frame {

    /** Limits of version 1. */
    int MAX_CHUNK = 65_536;
    int MAX_LENGTH = 1 + 4 + MAX_CHUNK; // type + stream + content of the largest frame, a CHUNK
    int MAX_RECIPIENTS = 1000;
    int MAX_VERSIONS = 16;
    int MAX_ID = 128;
    /** Version 2: a stream's service name, 1..64 printable ASCII. */
    int MAX_SERVICE = 64;
    /** Version 2: the most credit one frame may give (OPEN, OPENED, CREDIT), and a stream's credit in all. */
    int MAX_CREDIT = 1 << 30;
    /** Version 2: a link's connections in all, lane 0 (the first) included. */
    int MAX_LANES = 16;
    /** Version 2: octets of the token that names a link to the connections joining it. */
    int TOKEN = 16;

    /** Whether {@code s} is a message id or service name: 1..max printable ASCII, no space. */
    static boolean isName(String s, int max) {
        return !s.isEmpty() && s.length() <= max && s.chars().allMatch(c -> c > ' ' && c < 127);
    }

    record Hello(List<Integer> versions, String site, int window) implements Frame {
        public Hello {
            versions = List.copyOf(versions);
        }
    }

    record Ping(long nonce) implements Frame {
    }

    record Pong(long nonce) implements Frame {
    }

    /** flags: bit 0 8BITMIME, bit 1 SMTPUTF8. */
    record Offer(int stream, String messageId, String sender, List<String> recipients, int flags, long size,
                 int hops) implements Frame {
        public Offer {
            recipients = List.copyOf(recipients);
        }
    }

    record Chunk(int stream, byte[] content) implements Frame {
    }

    record End(int stream, int crc32c) implements Frame {
    }

    /** One recipient's outcome at the receiver, as an SMTP reply. */
    record RecipientResult(int code, String status, String text) {
    }

    record Result(String messageId, String queueId, List<RecipientResult> results) implements Frame {
        public Result {
            results = List.copyOf(results);
        }
    }

    record Cancel(int stream) implements Frame {
    }

    record Goodbye(String reason) implements Frame {
    }

    /** Version 2: the opener asks for a stream to the peer's {@code service}; credit: octets it accepts from the peer. */
    record Open(int channel, String service, int credit) implements Frame {
    }

    /** Version 2: the stream is open; credit: octets the peer accepts from the opener. */
    record Opened(int channel, int credit) implements Frame {
    }

    /** Version 2: stream octets, 1..{@link #MAX_CHUNK}, within the receiver's credit. */
    record Data(int channel, byte[] content) implements Frame {
    }

    /** Version 2: the receiver of a stream's octets accepts {@code octets} more. */
    record Credit(int channel, int octets) implements Frame {
    }

    /** Version 2: the sender sends no more DATA on the stream (a half-close). */
    record Eof(int channel) implements Frame {
    }

    /** Version 2: the stream ends both ways (or its OPEN is refused), with a reason; answered by a CLOSE. */
    record Close(int channel, String reason) implements Frame {
    }

    /**
     * Version 2, from the listening side on a new link: the dialer may join up to {@code lanes}
     * more connections to this link, each naming it by {@code token}.
     */
    record Lanes(byte[] token, int lanes) implements Frame {
        @Override
        public boolean equals(Object o) {
            return o instanceof Lanes l && Arrays.equals(token, l.token) && lanes == l.lanes;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(token) * 31 + lanes;
        }

        @Override
        public String toString() {
            return "Lanes[lanes=" + lanes + "]"; // the token is a secret of the link
        }
    }

    /**
     * Version 2, the dialing side's first frame on a connection that joins a link as lane
     * {@code lane} (1..15) instead of starting one; the listening side answers with the same JOIN.
     */
    record Join(byte[] token, int lane) implements Frame {
        @Override
        public boolean equals(Object o) {
            return o instanceof Join j && Arrays.equals(token, j.token) && lane == j.lane;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(token) * 31 + lane;
        }

        @Override
        public String toString() {
            return "Join[lane=" + lane + "]";
        }
    }
}
