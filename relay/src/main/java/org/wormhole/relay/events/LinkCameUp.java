package org.wormhole.relay.events;

import java.time.Instant;
import java.util.Optional;

/**
 * The link to a peer came up.
 *
 * @param peer      the peer's name
 * @param downSince when it went down before, empty when it was not down (the first link since start)
 */
public record LinkCameUp(String peer, Optional<Instant> downSince) {
}
