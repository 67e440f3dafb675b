package org.wormhole.link.wire;

/** A frame that breaks the protocol: the link is closed with this reason, and nothing is lost. */
public final class ProtocolViolation extends Exception {
    public ProtocolViolation(String reason) {
        super(reason, null, false, false);
    }
}
