package org.wormhole.link;

import java.util.Locale;

/**
 * Why a connection did not become a link, counted by kind (a flood counts every connection, the
 * log only summarises them): a few fixed words, never anything the other end sent, so it is a
 * bounded label for metrics.
 */
public enum HandshakeRefusal {
    /** The listener had no handshake slot free: this listener said busy, or the peer's did to our dial. */
    BUSY,
    /** This side refused the other end's key: not among the pins configured here (or none presented). */
    KEY_REFUSED_HERE,
    /** The other end refused this site's key: it answered our certificate with a TLS alert. */
    KEY_REFUSED_BY_PEER,
    /** An accepted connection did not finish its TLS handshake and HELLO within link_handshake_timeout. */
    TIMEOUT,
    /** Anything else on an accepted connection: not TLS, no common protocol version, a reset. */
    OTHER;

    /** As a metric label: {@code key_refused_here}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind of a failed handshake on a connection this side accepted. */
    static HandshakeRefusal of(HandshakeFailure f, boolean timedOut) {
        if (timedOut) {
            return TIMEOUT;
        }
        if (f instanceof HandshakeFailure.Busy) {
            return BUSY;
        }
        if (f instanceof HandshakeFailure.RefusedHere) {
            return KEY_REFUSED_HERE;
        }
        return f instanceof HandshakeFailure.RefusedByPeer ? KEY_REFUSED_BY_PEER : OTHER;
    }
}
