package org.wormhole.relay.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's HTTP listener for monitoring ({@code metrics_listen}), on the JDK's own HTTP server:
 * {@code GET /metrics}, the Prometheus text exposition format (version 0.0.4), and
 * {@code GET /healthz}, 200 {@code ready} or 503 {@code not ready}, each followed by the
 * {@link Readiness} checks. Anything else: 404, or 405 for a method other than GET and HEAD.
 *
 * <p>Limits on what a client can hold: two threads serve requests; a request must be read within
 * 10 s and its response written within 30 s (the JDK server's {@code sun.net.httpserver.maxReqTime}
 * and {@code maxRspTime}, set unless the JVM was started with them), at most 64 request headers.
 * No authentication: bind it to loopback or a management network.
 */
public final class MetricsServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger("metrics");

    static {
        limit("sun.net.httpserver.maxReqTime", "10");
        limit("sun.net.httpserver.maxRspTime", "30");
        limit("sun.net.httpserver.maxReqHeaders", "64");
    }

    /** The content type of the text exposition format that Prometheus scrapes. */
    static final String EXPOSITION_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final InetSocketAddress listen;
    private final PrometheusMeterRegistry registry;
    private final RelayGauges gauges;
    private final ReadinessProbe readiness;
    private HttpServer server;
    private ExecutorService threads;

    public MetricsServer(InetSocketAddress listen, PrometheusMeterRegistry registry, RelayGauges gauges,
                         ReadinessProbe readiness) {
        this.listen = listen;
        this.registry = registry;
        this.gauges = gauges;
        this.readiness = readiness;
    }

    private static void limit(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Binds {@code metrics_listen} and starts serving. */
    public void start() throws IOException {
        server = HttpServer.create(listen, 16);
        threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::serve);
        server.start();
        log.info("metrics on http://{}:{}/metrics, readiness on /healthz", listen.getAddress().getHostAddress(), port());
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void serve(HttpExchange x) throws IOException {
        try {
            String method = x.getRequestMethod();
            String path = x.getRequestURI().getPath();
            if (!path.equals("/metrics") && !path.equals("/healthz")) {
                respond(x, 404, "text/plain; charset=utf-8", "not found: the paths are /metrics and /healthz\n");
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                x.getResponseHeaders().set("Allow", "GET, HEAD");
                respond(x, 405, "text/plain; charset=utf-8", "method not allowed: " + method + "\n");
                return;
            }
            if (path.equals("/healthz")) {
                Readiness r = readiness.check();
                respond(x, r.ready() ? 200 : 503, "text/plain; charset=utf-8", r.report());
                return;
            }
            String text;
            synchronized (this) { // one snapshot per scrape, scrapes one at a time
                gauges.refresh();
                text = registry.scrape();
            }
            respond(x, 200, EXPOSITION_FORMAT, text);
        } catch (RuntimeException e) {
            log.warn("metrics request failed: {}", e.toString());
            throw e;
        } finally {
            x.close();
        }
    }

    private static void respond(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
        if (threads != null) {
            threads.shutdownNow();
        }
    }
}
