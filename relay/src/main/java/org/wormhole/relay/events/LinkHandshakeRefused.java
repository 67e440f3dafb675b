package org.wormhole.relay.events;

import org.wormhole.link.HandshakeRefusal;

/**
 * A connection did not become a link: one the link listener accepted, from a peer or a stranger,
 * or a dial the peer refused or found busy. Reported for every one; the link's log summarises a
 * flood per source address.
 *
 * @param reason why, a bounded label for counting refusals
 */
public record LinkHandshakeRefused(HandshakeRefusal reason) {
}
