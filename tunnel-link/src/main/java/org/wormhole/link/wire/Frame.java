package org.wormhole.link.wire;

import java.util.List;

/** The frames of the link protocol, version 1 (tunnel-link/PROTOCOL.md). Immutable values. */
public sealed interface Frame {

    /** Limits of version 1. */
    int MAX_CHUNK = 65_536;
    int MAX_LENGTH = 1 + 4 + MAX_CHUNK; // type + stream + content of the largest frame, a CHUNK
    int MAX_RECIPIENTS = 1000;
    int MAX_VERSIONS = 16;
    int MAX_ID = 128;

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
}
