package org.wormhole.relay.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.wormhole.mailertable.WatchedMailertable;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.peers.RelayLinks;
import org.wormhole.relay.qmgr.QueueManager;
import org.wormhole.relay.queue.FreeSpace;

/**
 * A relay's monitoring when {@code metrics_listen} is set: the registry, the counters that listen
 * to the relay's events ({@link #events}, given to the relay's parts as they are built), the
 * gauges over its status sources ({@link #watch}, once they exist) and the HTTP listener
 * ({@link #start}). Call in that order.
 */
public final class RelayMonitoring implements AutoCloseable {

    private final InetSocketAddress listen;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final RelayMetrics events = new RelayMetrics(registry);
    private MetricsServer server;

    public RelayMonitoring(InetSocketAddress listen) {
        this.listen = listen;
    }

    /** The counters: a listener of the relay's events. */
    public RelayEvents events() {
        return events;
    }

    /** The gauges over the relay's parts, and the listener that serves them (not bound yet). */
    public void watch(RelayConfig config, QueueManager queue, FreeSpace freeSpace, WatchedMailertable mailertable,
                      RelayLinks links, ReadinessProbe readiness, Clock clock) {
        RelayGauges gauges = new RelayGauges(registry, config, queue, freeSpace, mailertable, links, readiness, clock);
        server = new MetricsServer(listen, registry, gauges, readiness);
    }

    /** Binds {@code metrics_listen}. */
    public void start() throws IOException {
        server.start();
    }

    /** The bound port. */
    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        registry.close();
    }
}
