package org.wormhole.relay.dsn;

import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One recipient a delivery status notification reports on.
 *
 * <p>All components are non-null; "none" is the empty string. Text that came from the network
 * ({@code diagnostic}) may hold anything, line breaks and non-ASCII included: {@link DsnBuilder}
 * puts it on one line, and in the machine-readable part replaces what 7-bit text cannot carry.
 *
 * @param address           the recipient as the relay last tried it, e.g. {@code user@example.net}
 * @param originalRecipient the recipient as the client gave it in RCPT TO; equal to
 *                          {@code address} when nothing rewrote it
 * @param status            the RFC 3463 status code, e.g. {@code 5.1.1}: class 4 or 5 for a
 *                          failed recipient (4 when it expired in the queue), class 4 for a
 *                          delayed one
 * @param diagnostic        the remote server's reply, e.g. {@code 550 5.1.1 <x@y>: user unknown},
 *                          or our own reason when no server answered; may be empty
 * @param remoteMta         the host that gave the reply, e.g. {@code mx.example.net}; may be empty
 * @param lastAttempt       when delivery to this recipient was last tried
 * @param action            whether delivery failed for good or is still being retried
 */
public record FailedRecipient(String address, String originalRecipient, String status, String diagnostic,
        String remoteMta, Instant lastAttempt, Action action) {

    private static final Pattern STATUS = Pattern.compile("[45]\\.\\d{1,3}\\.\\d{1,3}");

    /**
     * @throws NullPointerException     if any component is null
     * @throws IllegalArgumentException if an address is empty or holds control characters, the
     *                                  status is not {@code class.subject.detail} as above, or the remote
     *                                  MTA is not a plain host name
     */
    public FailedRecipient {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(originalRecipient, "originalRecipient");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(diagnostic, "diagnostic");
        Objects.requireNonNull(remoteMta, "remoteMta");
        Objects.requireNonNull(lastAttempt, "lastAttempt");
        Objects.requireNonNull(action, "action");
        requireAddress("address", address);
        requireAddress("originalRecipient", originalRecipient);
        if (!STATUS.matcher(status).matches()) {
            throw new IllegalArgumentException("bad status '" + status + "': expected class.subject.detail with class 4 or 5, e.g. 5.1.1");
        }
        if (action == Action.DELAYED && status.charAt(0) != '4') {
            throw new IllegalArgumentException("bad status '" + status + "' for a delayed recipient: expected 4.x.x");
        }
        if (!remoteMta.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException("bad remote MTA '" + remoteMta + "': expected a host name");
        }
    }

    private static void requireAddress(String what, String value) {
        if (value.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        if (value.chars().anyMatch(c -> c < ' ' || c == 127)) {
            throw new IllegalArgumentException(what + " holds control characters");
        }
    }
}
