package org.wormhole.relay.events;

/**
 * An SMTP session passed the checks before the greeting (limits, pregreet): its client gets the
 * 220 greeting next.
 *
 * @param address the client's IP address, e.g. {@code 192.0.2.1}
 */
public record SessionAccepted(String address) {
}
