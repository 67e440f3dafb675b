package org.wormhole.relay.smtpd;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.events.SessionRefused;

/**
 * Per-client connection limits, as Postfix's anvil keeps them for smtpd: how many sessions one
 * client address may have open at once ({@code smtpd_client_connection_count_limit}) and how
 * many new connections it may open per {@code anvil_rate_time_unit}
 * ({@code smtpd_client_connection_rate_limit}). A limit of 0 is off. Exempt clients (mynetworks)
 * are not counted, as with Postfix's {@code smtpd_client_event_limit_exceptions}.
 *
 * <p>A refusal is logged at most once per client per time unit, with the number of refusals
 * not logged since, so a flood cannot fill the log. Memory is bounded: a client without open
 * sessions is forgotten once its time unit is over. Thread-safe.
 */
public final class ClientLimits {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    /**
     * @param connectionCountLimit sessions at once per client address, 0: no limit
     * @param connectionRateLimit  new connections per client address per {@code rateTimeUnit}, 0: no limit
     * @param rateTimeUnit         the window of the rate limit and of refusal logging
     */
    public record Settings(int connectionCountLimit, int connectionRateLimit, Duration rateTimeUnit) {
        public Settings {
            if (connectionCountLimit < 0 || connectionRateLimit < 0 || rateTimeUnit.isNegative() || rateTimeUnit.isZero()) {
                throw new IllegalArgumentException("bad client limits: " + connectionCountLimit + ", "
                        + connectionRateLimit + " per " + rateTimeUnit);
            }
        }

        public static Settings none() {
            return new Settings(0, 0, Duration.ofSeconds(60));
        }
    }

    /**
     * A connection refused.
     *
     * @param reason which limit
     * @param text   the reply text (after "421 ")
     */
    record Refusal(SessionRefused.Reason reason, String text) {
    }

    /** What one client address has used. */
    private static final class Usage {
        int sessions;
        long windowStart;
        int windowConnections;
        long lastReport = Long.MIN_VALUE;
        int unreported;
    }

    private Settings settings; // guarded by this
    private final Predicate<InetAddress> exempt;
    private final Clock clock;
    private final Map<InetAddress, Usage> clients = new HashMap<>();
    private long lastSweep;

    ClientLimits(Settings settings, Predicate<InetAddress> exempt, Clock clock) {
        this.settings = settings;
        this.exempt = exempt;
        this.clock = clock;
        this.lastSweep = clock.millis();
    }

    /**
     * Counts a new connection from {@code client}, or refuses it.
     *
     * @return empty: admitted, and {@link #release} must follow at the end of its session;
     *         otherwise the refusal (every one, also those not logged), and nothing is to be released
     */
    synchronized Optional<Refusal> admit(InetAddress client) {
        if (exempt.test(client)) {
            return Optional.empty();
        }
        long now = clock.millis();
        long unit = settings.rateTimeUnit().toMillis();
        sweep(now, unit);
        Usage u = clients.computeIfAbsent(client, c -> new Usage());
        if (now - u.windowStart >= unit) {
            u.windowStart = now;
            u.windowConnections = 0;
        }
        u.windowConnections++;
        String addr = client.getHostAddress();
        if (settings.connectionCountLimit() > 0 && u.sessions >= settings.connectionCountLimit()) {
            report(u, now, unit, "connection count limit exceeded: " + (u.sessions + 1) + " from [" + addr + "]");
            return Optional.of(new Refusal(SessionRefused.Reason.CONNECTION_COUNT,
                    "4.7.0 Error: too many connections from " + addr));
        }
        if (settings.connectionRateLimit() > 0 && u.windowConnections > settings.connectionRateLimit()) {
            report(u, now, unit, "connection rate limit exceeded: " + u.windowConnections + " from [" + addr
                    + "] in " + settings.rateTimeUnit().toSeconds() + "s");
            return Optional.of(new Refusal(SessionRefused.Reason.CONNECTION_RATE,
                    "4.7.0 Error: too many connections from " + addr + ", slow down"));
        }
        u.sessions++;
        return Optional.empty();
    }

    /**
     * New connections are counted against {@code next} from now on; what each client has used
     * so far (its open sessions, its connections in this time unit) is kept.
     */
    synchronized void use(Settings next) {
        settings = next;
    }

    /** The end of a session that {@link #admit} let in. */
    synchronized void release(InetAddress client) {
        Usage u = clients.get(client);
        if (u != null && u.sessions > 0) {
            u.sessions--;
        }
    }

    /** Sessions open from {@code client} now (for tests and status). */
    synchronized int sessions(InetAddress client) {
        Usage u = clients.get(client);
        return u == null ? 0 : u.sessions;
    }

    private void report(Usage u, long now, long unit, String what) {
        if (u.lastReport != Long.MIN_VALUE && now - u.lastReport < unit) {
            u.unreported++;
            return;
        }
        if (u.unreported > 0) {
            log.warn("{}; {} more refused since the last report", what, u.unreported);
        } else {
            log.warn("{}", what);
        }
        u.lastReport = now;
        u.unreported = 0;
    }

    /** Forgets, once per time unit, the clients with no session whose windows are over. */
    private void sweep(long now, long unit) {
        if (now - lastSweep < unit) {
            return;
        }
        lastSweep = now;
        for (Iterator<Usage> it = clients.values().iterator(); it.hasNext(); ) {
            Usage u = it.next();
            if (u.sessions == 0 && now - u.windowStart >= unit
                    && (u.lastReport == Long.MIN_VALUE || now - u.lastReport >= unit)) {
                it.remove();
            }
        }
    }
}
