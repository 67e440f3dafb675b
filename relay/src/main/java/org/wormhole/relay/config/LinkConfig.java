package org.wormhole.relay.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** What the link to the peers reads: this site's end of it and its timing. */
public record LinkConfig(
        Optional<InetSocketAddress> listen, // link_listen
        Path keyDirectory,                  // link_key_directory
        Duration keepaliveInterval,         // keepalive_interval
        int keepaliveCount,                 // keepalive_count
        Duration rekeyInterval,             // link_rekey_interval
        long rekeyBytes,                    // link_rekey_bytes
        Duration handshakeTimeout,          // link_handshake_timeout
        Duration minimalBackoff,            // link_minimal_backoff_time
        Duration maximalBackoff,            // link_maximal_backoff_time
        Duration connectTimeout,            // link_connect_timeout
        int lanes) {                        // link_lanes
}
