package org.wormhole.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.events.MessageQueued;
import org.wormhole.relay.events.RecipientAttempted;
import org.wormhole.relay.events.SessionAccepted;
import org.wormhole.relay.metrics.RelayMetrics;
import org.wormhole.relay.queue.QueueId;

/**
 * What {@code metrics_listen} adds to one message's path: the three events a relayed message
 * makes (a session greeted, the message queued, its recipient sent) counted by
 * {@link RelayMetrics}, on one thread and on two at once (sessions and deliveries run in
 * parallel). {@code -prof gc}'s {@code gc.alloc.rate.norm} is the allocation per message.
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl test-harness -am &amp;&amp; java -jar test-harness/target/benchmarks.jar RelayMetricsBench -prof gc
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class RelayMetricsBench {

    private RelayMetrics metrics;
    private SessionAccepted session;
    private MessageQueued queued;
    private RecipientAttempted sent;

    @Setup
    public void setUp() {
        metrics = new RelayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        QueueId id = QueueId.next(System.currentTimeMillis());
        session = new SessionAccepted("192.0.2.1");
        queued = new MessageQueued(id, "client.example[192.0.2.1]", "alice@client.example", 10_240, 1, "<bench@client.example>");
        sent = new RecipientAttempted(id, "bob@birlinghoven.example", "bob@birlinghoven.example", "esmtp",
                "hub.birlinghoven.example[192.0.2.25]:25", 0, 40, 120, 10, 30, RecipientOutcome.sent("2.0.0", "250 2.0.0 Ok"));
    }

    @Benchmark
    public void oneMessage() {
        metrics.sessionAccepted(session);
        metrics.messageQueued(queued);
        metrics.recipientAttempted(sent);
    }

    @Benchmark
    @Threads(2)
    public void oneMessageTwoThreads() {
        oneMessage();
    }
}
