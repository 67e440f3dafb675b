package org.wormhole.link;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;

/**
 * Renews a link's traffic keys with a TLS 1.3 KeyUpdate (RFC 8446 4.6.3, asking the peer to
 * update its keys too) after the rekey interval or the rekey volume of octets read and written,
 * whichever comes first (PROTOCOL.md "Rekeying").
 *
 * <p>Only the side that dialed (the TLS client) starts KeyUpdates, one at a time: the JDK's TLS
 * derives the next key from the current one without a lock shared by its reading and writing
 * threads, so a KeyUpdate sent while the reader answers the peer's (both sides rekeying at once)
 * or while it takes in the answer to the previous one could advance a key twice, and the link
 * would fail. So the KeyUpdate is sent under the write lock, never from the reader thread, and
 * followed by a PING whose PONG, or the PONG to any PING sent after it (which the peer sends after
 * its answering KeyUpdate), ends the rekey.
 */
final class Rekeying {

    private static final Logger log = LoggerFactory.getLogger("link");

    private final SSLSocket tls; // null: this side does not rekey (it did not dial, or no TLS)
    private final Duration interval;
    private final long volumeLimit;
    private final LongSupplier nanos;
    private final LongSupplier octets; // read and written over the link so far
    private final Keepalive keepalive;
    // Guarded by the write lock.
    private long rekeyedAtNanos;
    private long octetsAtRekey;
    private volatile int rekeys;
    private volatile Instant lastRekey;
    private volatile long rekeyNonce;
    private volatile boolean unanswered; // a KeyUpdate went out, no PONG to its PING or a later one has come back

    Rekeying(SSLSocket tls, Duration interval, long volumeLimit, LongSupplier nanos, LongSupplier octets,
             Keepalive keepalive) {
        this.tls = tls;
        this.interval = interval;
        this.volumeLimit = volumeLimit;
        this.nanos = nanos;
        this.octets = octets;
        this.keepalive = keepalive;
        this.rekeyedAtNanos = nanos.getAsLong();
    }

    /**
     * Under the write lock, with the stream flushed: sends a KeyUpdate (asking the peer for one
     * too) and a PING when the keys are due. The KeyUpdate needs no answer, so this never waits for
     * the peer's reader.
     */
    void rekeyIfDue(OutputStream out, String label) throws IOException {
        if (tls == null || unanswered) {
            return;
        }
        long now = nanos.getAsLong();
        long total = octets.getAsLong();
        long volume = total - octetsAtRekey;
        long age = now - rekeyedAtNanos;
        boolean byVolume = volumeLimit > 0 && volume >= volumeLimit;
        boolean byAge = !interval.isZero() && age >= interval.toNanos();
        if (!byVolume && !byAge) {
            return;
        }
        tls.startHandshake(); // TLS 1.3, established: sends KeyUpdate(update_requested)
        rekeyNonce = keepalive.nextPingNonce(); // before the flag: the reader, seeing it set, compares with this one
        unanswered = true;
        FrameCodec.write(out, new Frame.Ping(rekeyNonce));
        out.flush();
        rekeyedAtNanos = now;
        octetsAtRekey = total;
        lastRekey = Instant.now();
        rekeys++;
        log.info("link to {} rekeyed (TLS 1.3 KeyUpdate) after {} s and {} octets with the same keys: rekey {} of this link",
                label, Duration.ofNanos(age).toSeconds(), volume, rekeys);
    }

    /** A PONG came in, on the reader thread. */
    void pong(Frame.Pong p) {
        if (unanswered && keepalive.answersPingSince(p.nonce(), rekeyNonce)) {
            // The peer read the PING behind the KeyUpdate (or a later one) before it answered:
            // its own answering KeyUpdate came before this PONG, and is in effect.
            unanswered = false;
        }
    }

    /** Whether this side rekeys the link. */
    boolean here() {
        return tls != null;
    }

    int count() {
        return rekeys;
    }

    /** When this side last rekeyed, or null if never. */
    Instant last() {
        return lastRekey;
    }
}
