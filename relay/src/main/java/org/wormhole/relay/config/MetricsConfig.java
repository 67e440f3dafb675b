package org.wormhole.relay.config;

import java.net.InetSocketAddress;
import java.util.Optional;

/** What the metrics and health endpoint reads. */
public record MetricsConfig(
        Optional<InetSocketAddress> listen) { // metrics_listen; empty: no HTTP listener
}
