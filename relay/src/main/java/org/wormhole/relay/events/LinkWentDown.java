package org.wormhole.relay.events;

/**
 * The link to a peer went down.
 *
 * @param peer   the peer's name
 * @param reason why, as the link says it ({@code connection reset}, {@code keepalive: no answer ...})
 */
public record LinkWentDown(String peer, String reason) {
}
