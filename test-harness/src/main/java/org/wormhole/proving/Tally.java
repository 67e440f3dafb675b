package org.wormhole.proving;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one kind of trial did, as it goes: messages acknowledged (by id), the id prefixes its
 * messages carry, refusals, recovery times, notes and failures. {@link #count} turns it into a
 * {@link Row} against what arrived at the sink, once the queues are empty.
 */
final class Tally {

    final String kind;
    final Sink sink;
    final boolean hasLink;
    int trials;
    long refused;
    final Set<String> acked = new HashSet<>();
    final Set<String> prefixes = new HashSet<>();
    final List<Double> recovered = new ArrayList<>();
    /** Acknowledged messages per second of each burst: more mail in flight at a kill, more to re-send. */
    final List<Double> burstRates = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    /**
     * @param hasLink false for a path without a link (Postfix alone): every duplicate is then the
     *                final hop's
     */
    Tally(String kind, Sink sink, boolean hasLink) {
        this.kind = kind;
        this.sink = sink;
        this.hasLink = hasLink;
    }

    void add(String prefix, Load load) {
        prefixes.add(prefix);
        acked.addAll(load.acked());
    }

    void fail(String why) {
        failures.add(kind + ": " + why);
    }

    Row count() {
        long lost = acked.stream().filter(id -> !sink.arrived(id)).count();
        long dupLink = 0;
        long dupFinal = 0;
        long unacked = 0;
        long untraced = 0;
        for (Map.Entry<String, List<Sink.Arrival>> e : sink.byId().entrySet()) {
            if (prefixes.stream().noneMatch(p -> e.getKey().startsWith(p))) {
                continue;
            }
            List<Sink.Arrival> copies = e.getValue();
            untraced += copies.stream().filter(c -> c.finalHopQueueId().equals("(none)")).count();
            long queueIds = hasLink ? copies.stream().map(Sink.Arrival::finalHopQueueId).distinct().count() : 1;
            dupLink += queueIds - 1;
            dupFinal += copies.size() - queueIds;
            if (!acked.contains(e.getKey())) {
                unacked++;
            }
        }
        List<String> rowNotes = new ArrayList<>(notes);
        if (unacked > 0) {
            rowNotes.add(0, unacked + " arrived without a 250 to the client");
        }
        if (untraced > 0) {
            rowNotes.add(untraced + " copies without the final hop's Received: queue id (duplicates not told apart)");
        }
        List<String> rowFailures = new ArrayList<>(failures);
        if (lost > 0) {
            rowFailures.add(kind + ": " + lost + " acknowledged message(s) lost");
        }
        if (dupLink > 0) {
            rowFailures.add(kind + ": " + dupLink + " duplicate(s) made over the link");
        }
        double max = recovered.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        double median = median(recovered);
        if (recovered.size() > 1) {
            rowNotes.add(String.format("recovery median %.1f s", median));
        }
        if (!burstRates.isEmpty()) {
            rowNotes.add(String.format("bursts at %.0f msg/s (median)", median(burstRates)));
        }
        return new Row(kind, trials, acked.size(), lost, dupLink, dupFinal, refused, max, String.join("; ", rowNotes),
                rowFailures);
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return Double.NaN;
        }
        List<Double> s = xs.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    /** One line of the table. */
    record Row(String kind, int trials, long acked, long lost, long dupLink, long dupFinal, long refused,
               double recoveredS, String notes, List<String> failures) {
    }
}
