package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.Spool;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code wormhole queue summary}: the queue by domain and age, as Postfix's qshape. */
@Command(name = "summary", mixinStandardHelpOptions = true,
        description = {"The queue by destination domain and age, as Postfix's qshape: per domain the",
                "recipients waiting (T), by minutes since arrival: under 5, 10, 20, ... 1280, more.",
                "QUEUE: incoming, active, deferred, hold (default: incoming active, as qshape)."})
final class QueueSummary extends SpoolCommand {

    @Option(names = {"-s", "--senders"}, description = "by sender domain, each message once (qshape -s)")
    boolean senders;

    @Option(names = {"-t", "--bucket-time"}, paramLabel = "MINUTES", defaultValue = "5",
            description = "the first bucket's age, in minutes; each next one doubles it (default: ${DEFAULT-VALUE})")
    int bucketMinutes;

    @Option(names = {"-b", "--buckets"}, paramLabel = "COUNT", defaultValue = "10",
            description = "how many age buckets, the last one open-ended (default: ${DEFAULT-VALUE})")
    int buckets;

    @Parameters(paramLabel = "QUEUE", arity = "0..*", description = "the queues to count (default: incoming active)")
    List<String> queues = new ArrayList<>();

    @Override
    int run(RelayConfig c, Spool spool, PrintWriter out, PrintWriter err) throws IOException {
        Set<QueueState> counted = states();
        QueueShape shape;
        try {
            shape = new QueueShape(senders, bucketMinutes, buckets);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        long now = Instant.now().getEpochSecond();
        try {
            QueueListing.forEach(spool, m -> {
                if (counted.contains(m.queue())) {
                    shape.add(m, now);
                }
            });
        } catch (IOException e) {
            err.println("queue summary: " + e.getMessage());
            return 1;
        }
        out.print(shape.render());
        return 0;
    }

    private Set<QueueState> states() {
        if (queues.isEmpty()) {
            return EnumSet.of(QueueState.INCOMING, QueueState.ACTIVE);
        }
        Set<QueueState> s = EnumSet.noneOf(QueueState.class);
        for (String q : queues) {
            s.add(QueueListing.LISTED.stream().filter(l -> l.directory().equals(q)).findFirst()
                    .orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(), "unknown queue '" + q
                            + "' (known: " + QueueListing.LISTED.stream().map(QueueState::directory)
                            .collect(Collectors.joining(", ")) + ")")));
        }
        return s;
    }
}
