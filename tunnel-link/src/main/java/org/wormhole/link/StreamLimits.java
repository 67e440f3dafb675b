package org.wormhole.link;

import org.wormhole.link.wire.Frame;

/**
 * Byte streams' limits (version 2).
 *
 * @param window  octets a stream may have sent to this side and not yet read here: its credit
 * @param maxOpen streams the peer may have open at once that it opened; more are refused
 */
public record StreamLimits(int window, int maxOpen) {
    public StreamLimits {
        if (window < 2 || window > Frame.MAX_CREDIT || maxOpen < 0) {
            throw new IllegalArgumentException("stream window " + window + ", at most " + maxOpen + " open");
        }
    }

    public static StreamLimits defaults() {
        return new StreamLimits(256 * 1024, 64);
    }
}
