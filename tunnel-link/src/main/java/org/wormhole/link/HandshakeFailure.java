package org.wormhole.link;

import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Why a link's TLS handshake (or the HELLO right after it) failed, as this side can tell from the
 * exception: the listener was busy (PROTOCOL.md, "Transport": dial again soon), one side refused
 * the other's key (a pin missing on one of the sites: the operator must act), or anything else.
 */
public sealed interface HandshakeFailure {

    /** The listener had no handshake slot free and said so; a later dial will get in. */
    record Busy() implements HandshakeFailure {
    }

    /** The peer refused this side's key: it answered the certificate with this TLS alert. */
    record RefusedByPeer(String alert) implements HandshakeFailure {
    }

    /** This side refused the peer's key (or it presented none). */
    record RefusedHere(KeyNotPinned refusal) implements HandshakeFailure {
    }

    /** Any other failure: a timeout, a reset, not TLS, no common protocol version. */
    record Other(String message) implements HandshakeFailure {
    }

    /** The TLS alerts a terminator sends when it does not accept the client's (or server's) certificate. */
    Set<String> CERTIFICATE_ALERTS = Set.of("bad_certificate", "certificate_unknown", "unsupported_certificate",
            "certificate_required", "certificate_revoked", "certificate_expired", "access_denied", "unknown_ca");

    Pattern RECEIVED_ALERT = Pattern.compile("Received fatal alert: ([a-z_]+)");

    /**
     * Classifies the failure of a link's handshake or HELLO exchange. The busy signal is a fatal
     * {@code user_canceled} alert, which the JDK reports as "Received fatal close_notify alert".
     */
    static HandshakeFailure of(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KeyNotPinned k) {
                return new RefusedHere(k);
            }
        }
        String message = String.valueOf(e.getMessage());
        if (message.contains("user_canceled") || message.contains("Received fatal close_notify alert")) {
            return new Busy();
        }
        Optional<String> alert = certificateAlert(message);
        if (alert.isPresent()) {
            return new RefusedByPeer(alert.get());
        }
        return new Other(e instanceof IOException && e.getMessage() == null ? e.toString() : message);
    }

    /** The certificate alert a TLS error message reports as received (e.g. {@code certificate_unknown}), if any. */
    static Optional<String> certificateAlert(String message) {
        if (message == null) {
            return Optional.empty();
        }
        Matcher m = RECEIVED_ALERT.matcher(message);
        while (m.find()) {
            String alert = m.group(1).toLowerCase(Locale.ROOT);
            if (CERTIFICATE_ALERTS.contains(alert)) {
                return Optional.of(alert);
            }
        }
        return Optional.empty();
    }
}
