package org.wormhole.link;

import java.time.Instant;

/**
 * A key refused in a link's TLS handshake, for {@code wormhole link status}: which side refused
 * it, which key (by pin), when, and the address of the connection.
 *
 * @param by   who refused: this side refused the peer's key, or the peer refused this side's
 * @param pin  the refused key's pin: the peer's (this side refused it) or this site's (the peer did);
 *             null when the peer presented no certificate
 * @param at   when
 * @param from the other end of the connection, e.g. {@code 192.0.2.7:41234}
 */
public record KeyRefusal(RefusedBy by, Pin pin, Instant at, String from) {

    /** Which side of a handshake refused the other's key. */
    public enum RefusedBy {
        /** This side: the peer's key is not among the pins configured here. */
        THIS_SIDE,
        /** The peer: this site's key is not among the pins configured there. */
        THE_PEER;

        /** As {@code link status} shows it. */
        public String words() {
            return this == THIS_SIDE ? "this side" : "the peer";
        }
    }
}
