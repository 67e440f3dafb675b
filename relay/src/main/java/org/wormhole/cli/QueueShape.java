package org.wormhole.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wormhole.relay.control.ListedMessage;

/**
 * The table of {@code wormhole queue summary}, as Postfix's qshape prints it: one row per
 * destination domain (or sender domain), the total first, then how many waited how long since
 * arrival, in buckets that double: with the defaults, under 5 minutes, 5 to 10, 10 to 20, ... 640
 * to 1280, and more than 1280 (the columns headed {@code T 5 10 20 40 80 160 320 640 1280 1280+}).
 * The first row is {@code TOTAL}; the domains follow, the busiest first (laid out as qshape's, so
 * what reads qshape's output reads this). By recipient domain it
 * counts recipients still to be delivered (a message to two domains counts in both); by sender
 * domain it counts messages, each once (the null sender is {@code MAILER-DAEMON}). Not
 * thread-safe.
 */
final class QueueShape {

    /** qshape's screen width and narrowest domain field. */
    private static final int TERMINAL_WIDTH = 80;
    private static final int MIN_DOMAIN_WIDTH = 18;

    private final boolean bySender;
    private final long[] bounds; // upper bounds of the buckets but the last, in seconds of age
    private final List<String> header = new ArrayList<>();
    private final Map<String, long[]> rows = new HashMap<>();
    private final long[] total;

    /**
     * @param bySender      rows by sender domain (qshape -s), else by recipient domain
     * @param bucketMinutes the first bucket's bound, in minutes (qshape -t, default 5)
     * @param buckets       how many buckets (qshape -b, default 10): the last has no bound
     */
    QueueShape(boolean bySender, int bucketMinutes, int buckets) {
        if (bucketMinutes < 1) {
            throw new IllegalArgumentException("the bucket time must be at least 1 minute");
        }
        if (buckets < 2 || buckets > 20) {
            throw new IllegalArgumentException("the bucket count must be 2 to 20");
        }
        this.bySender = bySender;
        this.bounds = new long[buckets - 1];
        header.add("T");
        for (int i = 0; i < bounds.length; i++) {
            long minutes = (long) bucketMinutes << i;
            bounds[i] = minutes * 60;
            header.add(Long.toString(minutes));
        }
        header.add(header.get(header.size() - 1) + "+");
        this.total = new long[buckets + 1];
    }

    /** Counts {@code m}, {@code now} being seconds since the epoch. */
    void add(ListedMessage m, long now) {
        int bucket = bucket(now - m.arrivalTime());
        if (bySender) {
            count(m.sender().isEmpty() ? "MAILER-DAEMON" : domain(m.sender()), bucket);
        } else {
            m.recipients().forEach(r -> count(domain(r.address()), bucket));
        }
    }

    private int bucket(long age) {
        for (int i = 0; i < bounds.length; i++) {
            if (age < bounds[i]) {
                return i;
            }
        }
        return bounds.length;
    }

    private void count(String domain, int bucket) {
        long[] row = rows.computeIfAbsent(domain, d -> new long[total.length]);
        row[0]++;
        row[bucket + 1]++;
        total[0]++;
        total[bucket + 1]++;
    }

    /** The domain of an address, lower case; an address without one stands for itself. */
    static String domain(String address) {
        int at = address.lastIndexOf('@');
        return (at < 0 ? address : address.substring(at + 1)).toLowerCase(Locale.ROOT);
    }

    /**
     * The table, laid out as qshape does: a header line, TOTAL, then one line per domain, most
     * first (then the shorter name, then by name); each count column as wide as its header or its
     * total plus one space, at least 3; the domains right-aligned in what is left of 80 columns
     * (at least 18, and never cut: a longer name widens the field for every line).
     */
    String render() {
        List<Map.Entry<String, long[]>> sorted = new ArrayList<>(rows.entrySet());
        sorted.sort(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0])
                .thenComparingInt(e -> e.getKey().length()).thenComparing(Map.Entry::getKey));
        int[] widths = new int[header.size()];
        int used = 0;
        for (int c = 0; c < widths.length; c++) {
            int w = Math.max(header.get(c).length(), Long.toString(total[c]).length());
            widths[c] = w > 2 ? w + 1 : 3;
            used += widths[c];
        }
        int nameWidth = Math.max(TERMINAL_WIDTH - used, MIN_DOMAIN_WIDTH);
        for (String name : rows.keySet()) {
            nameWidth = Math.max(nameWidth, name.length());
        }
        StringBuilder sb = new StringBuilder();
        line(sb, nameWidth, "", widths, header);
        line(sb, nameWidth, "TOTAL", widths, cells(total));
        for (Map.Entry<String, long[]> e : sorted) {
            line(sb, nameWidth, e.getKey(), widths, cells(e.getValue()));
        }
        return sb.toString();
    }

    private static List<String> cells(long[] counts) {
        return Arrays.stream(counts).mapToObj(Long::toString).toList();
    }

    private static void line(StringBuilder sb, int nameWidth, String name, int[] widths, List<String> cells) {
        sb.append(" ".repeat(nameWidth - name.length())).append(name);
        for (int c = 0; c < widths.length; c++) {
            sb.append(" ".repeat(widths[c] - cells.get(c).length())).append(cells.get(c));
        }
        sb.append('\n');
    }
}
