package org.wormhole.relay.smtpd.auth;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Failed AUTH attempts per client address ({@code submission_auth_failure_limit} per
 * {@code submission_auth_failure_window}): once a client has failed {@code limit} times in a
 * window, which begins at its first failure, it is {@link #blocked} until the window is over, in
 * this session and any new one. Every client counts, mynetworks too: a password is guessed from
 * wherever the guesser sits. Memory is bounded: clients whose window is over are forgotten, and at
 * most {@link #MAX_CLIENTS} are tracked at once (beyond that, new ones are not counted until the
 * next sweep). Thread-safe.
 */
public final class AuthFailures {

    /** The most client addresses tracked at once. */
    static final int MAX_CLIENTS = 100_000;

    /**
     * @param limit  failures per client address per window before it is blocked; 0: no limit
     * @param window how long the count of one client's failures lasts, from its first
     */
    public record Settings(int limit, Duration window) {
        public Settings {
            if (limit < 0 || window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("bad AUTH failure limit: " + limit + " per " + window);
            }
        }
    }

    private static final class Count {
        long windowStart;
        int failures;
    }

    private final Settings settings;
    private final Clock clock;
    private final Map<InetAddress, Count> clients = new HashMap<>();
    private long lastSweep;

    public AuthFailures(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.lastSweep = clock.millis();
    }

    public Settings settings() {
        return settings;
    }

    /** True if {@code client} has used up its failures for the current window. */
    public synchronized boolean blocked(InetAddress client) {
        if (settings.limit() == 0) {
            return false;
        }
        Count c = clients.get(client);
        return c != null && !over(c, clock.millis()) && c.failures >= settings.limit();
    }

    /**
     * Counts one failed attempt of {@code client}.
     *
     * @return its failures in the current window, this one included
     */
    public synchronized int failed(InetAddress client) {
        long now = clock.millis();
        sweep(now);
        Count c = clients.get(client);
        if (c == null) {
            if (clients.size() >= MAX_CLIENTS) {
                return 1;
            }
            c = new Count();
            c.windowStart = now;
            clients.put(client, c);
        } else if (over(c, now)) {
            c.windowStart = now;
            c.failures = 0;
        }
        c.failures++;
        return c.failures;
    }

    private boolean over(Count c, long now) {
        return now - c.windowStart >= settings.window().toMillis();
    }

    private void sweep(long now) {
        if (now - lastSweep < settings.window().toMillis() && clients.size() < MAX_CLIENTS) {
            return;
        }
        lastSweep = now;
        for (Iterator<Count> it = clients.values().iterator(); it.hasNext(); ) {
            if (over(it.next(), now)) {
                it.remove();
            }
        }
    }
}
