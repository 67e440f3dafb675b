package org.wormhole.relay.peers;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * When a link certificate (this site's or a peer's) needs the operator: 30 days before it
 * expires, and once it has. A pinned key is still accepted after its certificate expired (the
 * pin, not the date, is the trust), but an operator must renew it before some stricter peer
 * refuses it: {@code wormhole keygen} (default validity 1825 days), then the new pin to the peers.
 */
public final class CertificateExpiry {

    /** How long before expiry the relay warns. */
    public static final Duration WARN_BEFORE = Duration.ofDays(30);

    private CertificateExpiry() {
    }

    /**
     * {@code "expires in N days"} within {@link #WARN_BEFORE} of {@code notAfter}, {@code "expired
     * N days ago"} after it (N rounded up: "in 1 day" is within the next 24 hours); empty otherwise.
     */
    public static Optional<String> warning(Instant notAfter, Instant now) {
        if (notAfter == null) {
            return Optional.empty();
        }
        Duration left = Duration.between(now, notAfter);
        if (left.isNegative() || left.isZero()) {
            long ago = left.negated().toDays();
            return Optional.of(ago == 0 ? "expired today" : "expired " + days(ago) + " ago");
        }
        if (left.compareTo(WARN_BEFORE) > 0) {
            return Optional.empty();
        }
        long in = (left.toSeconds() + 86_399) / 86_400;
        return Optional.of("expires in " + days(in));
    }

    /** Whether {@code notAfter} is past. */
    public static boolean expired(Instant notAfter, Instant now) {
        return notAfter != null && !notAfter.isAfter(now);
    }

    private static String days(long n) {
        return n == 1 ? "1 day" : n + " days";
    }
}
