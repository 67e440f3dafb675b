package org.wormhole.link;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The log of refused link connections, rate-limited per source address: the first refusal from an
 * address in an interval is logged in full, the others are counted and summed up in one line when
 * the interval is over ({@code link refused 2079 more connections from 127.0.0.2 in the last 60 s;
 * the last: ...}), per kind of refusal (busy, a refused key, anything else). A flood of
 * connections thus writes a few lines a minute per address, not one per connection. At most
 * {@code maxSources} addresses are tracked; refusals from any further ones are counted together as "other
 * addresses".
 *
 * <p>Thread-safe. Time comes from the injected clock; {@link #flush} writes the summaries of the
 * intervals that are over (the endpoint calls it every few seconds).
 */
final class RefusalLog {

    private static final class Window {
        final Instant start;
        long more; // refusals after the first, not logged yet
        String last;

        Window(Instant start) {
            this.start = start;
        }
    }

    private final Clock clock;
    private final Duration interval;
    private final int maxSources;
    private final Consumer<String> out;
    /** Refusals are counted per address and kind: a flood of one kind never hides the first refused key. */
    private record Source(InetAddress address, String kind) {
    }

    private final Map<Source, Window> windows = new LinkedHashMap<>();
    private Window others; // refusals from addresses beyond maxSources

    RefusalLog(Clock clock, Duration interval, int maxSources, Consumer<String> out) {
        this.clock = clock;
        this.interval = interval;
        this.maxSources = maxSources;
        this.out = out;
    }

    /** A connection from {@code from} was refused (or failed before it was a link) for {@code why}. */
    void refused(InetSocketAddress from, String why) {
        refused(from, "", why);
    }

    /**
     * As {@link #refused(InetSocketAddress, String)}, counted apart from the refusals of other
     * kinds from the same address (e.g. "busy", "key"; a few fixed words, never from the peer).
     */
    void refused(InetSocketAddress from, String kind, String why) {
        String line = null;
        String summary = null;
        synchronized (this) {
            Instant now = clock.instant();
            Source source = new Source(from.getAddress(), kind);
            Window w = windows.get(source);
            boolean tracked = w != null || windows.size() < maxSources;
            if (!tracked) {
                w = others;
            }
            if (w == null || over(w, now)) {
                if (w != null && w.more > 0) {
                    summary = summary(tracked ? source.address().getHostAddress() : "other addresses", w);
                }
                w = new Window(now);
                if (tracked) {
                    windows.put(source, w);
                } else {
                    others = w;
                }
                line = "link from " + from + " not established: " + why;
            } else {
                w.more++;
                w.last = why;
            }
        }
        if (summary != null) {
            out.accept(summary);
        }
        if (line != null) {
            out.accept(line);
        }
    }

    /** Writes the summary of every interval that is over, and forgets it. */
    void flush() {
        List<String> lines = new ArrayList<>();
        synchronized (this) {
            Instant now = clock.instant();
            for (Iterator<Map.Entry<Source, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Source, Window> e = it.next();
                if (over(e.getValue(), now)) {
                    if (e.getValue().more > 0) {
                        lines.add(summary(e.getKey().address().getHostAddress(), e.getValue()));
                    }
                    it.remove();
                }
            }
            if (others != null && over(others, now)) {
                if (others.more > 0) {
                    lines.add(summary("other addresses", others));
                }
                others = null;
            }
        }
        lines.forEach(out);
    }

    private boolean over(Window w, Instant now) {
        return !now.isBefore(w.start.plus(interval));
    }

    private String summary(String source, Window w) {
        return "link refused " + w.more + " more connection" + (w.more == 1 ? "" : "s") + " from " + source
                + " in the last " + interval.toSeconds() + " s; the last: " + w.last;
    }
}
