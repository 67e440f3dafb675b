/**
 * Metrics and health: the counters, which listen to the relay's events
 * ({@link org.wormhole.relay.metrics.RelayMetrics}); the gauges, read from the status sources the
 * operator's commands use once per scrape ({@link org.wormhole.relay.metrics.RelayGauges}); the
 * readiness checks behind {@code /healthz} and {@code wormhole status}
 * ({@link org.wormhole.relay.metrics.ReadinessProbe}); and the HTTP listener of {@code metrics_listen}
 * ({@link org.wormhole.relay.metrics.MetricsServer}). The metrics are listed in relay/METRICS.md.
 *
 * <p>It must never change what the relay does, nor add work on the mail's path beyond a counter's
 * increment; a label is never an address, a recipient or a queue id.
 */
package org.wormhole.relay.metrics;
