package org.wormhole.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.subethamail.smtp.server.SMTPServer;

/**
 * An SMTP sink that remembers, in arrival order, each message's queue id at the first relay (from
 * its {@code Received:} header) and whether it was a backlog or a new message ({@code X-New:
 * NANOS}, the time it was submitted). Thread-safe.
 */
final class OrderedSink implements AutoCloseable {

    /** One message as it arrived: its first relay's queue id, when, and when it was submitted (new mail only, else -1). */
    record Arrival(String firstQueueId, long atNanos, long submittedNanos) {
        boolean isNew() {
            return submittedNanos >= 0;
        }
    }

    private static final Pattern NEW = Pattern.compile("(?m)^X-New: (\\d+)\r?$");

    private final Pattern firstHop;
    private final List<Arrival> arrivals = new ArrayList<>();
    private final SMTPServer server;

    /** @param firstRelay the first relay's myhostname, whose {@code Received:} header names the queue id */
    OrderedSink(String firstRelay) {
        this.firstHop = Pattern.compile("by " + Pattern.quote(firstRelay) + " \\(Wormhole\\) with \\S+ id ([0-9A-V]{14})");
        this.server = BenchSink.start(100_000_000, 400, data -> arrived(data.readAllBytes()));
    }

    int port() {
        return server.getPortAllocated();
    }

    private void arrived(byte[] content) {
        long now = System.nanoTime();
        String text = new String(content, 0, Math.min(content.length, 4096), StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String headers = (end < 0 ? text : text.substring(0, end)).replaceAll("\r\n[ \t]+", " ");
        Matcher id = firstHop.matcher(headers);
        Matcher submitted = NEW.matcher(headers);
        Arrival a = new Arrival(id.find() ? id.group(1) : "", now, submitted.find() ? Long.parseLong(submitted.group(1)) : -1);
        synchronized (arrivals) {
            arrivals.add(a);
        }
    }

    /** Every arrival so far, in order. */
    List<Arrival> arrivals() {
        synchronized (arrivals) {
            return new ArrayList<>(arrivals);
        }
    }

    int count() {
        synchronized (arrivals) {
            return arrivals.size();
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
