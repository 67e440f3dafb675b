package org.wormhole.relay.reload;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.config.ConfigException;
import org.wormhole.relay.config.RelayConfig;

/**
 * A running relay's reloads: reads its {@link ConfigSource} again, compares every key with the
 * value in force, has the relay apply the live ones ({@link Parts}) and reports the rest as
 * needing a restart. A file with errors, or live settings the relay cannot put in force (a TLS
 * key that does not load), change nothing. Reloads run one at a time; thread-safe.
 */
public final class Reloader {

    private static final Logger log = LoggerFactory.getLogger("relay");

    /** The relay's side: which keys it can change live, and the change itself. */
    public interface Parts {

        /** Whether a change of {@code key} to its value in {@code next} can be applied without a restart. */
        boolean live(String key, RelayConfig next);

        /**
         * Why {@code next} must not be taken even in part (a usable file the running relay
         * could not restart with, e.g. its table routes to a peer the file removes), each as
         * {@code FILE:LINE: what is wrong}; empty when it may.
         */
        List<String> refusals(RelayConfig next);

        /**
         * Changes found beyond the keys' values that need a restart (the site key was replaced
         * in its directory), or, when such a file no longer loads, why the relay could not
         * restart with {@code next}.
         *
         * @throws IOException the reload is refused; the message names the file
         */
        List<ConfigChange> restartFound(RelayConfig next) throws IOException;

        /**
         * Puts the live keys of {@code next} in force, or, if one cannot be (its files do not
         * load), throws before anything is changed.
         *
         * @return changes found beyond the keys' values (a TLS certificate file with new contents)
         * @throws IOException nothing was applied; the message says why, naming the file
         */
        List<ConfigChange> apply(RelayConfig next) throws IOException;
    }

    private final ConfigSource source;
    private Map<String, String> inForce; // guarded by this: each key's value the relay runs with

    /** For a relay started from {@code running}, read from {@code source}. */
    public Reloader(ConfigSource source, ConfigSource.Loaded running) {
        this.source = source;
        this.inForce = running.values();
    }

    public ConfigSource source() {
        return source;
    }

    /** Reads the file again and applies it to {@code parts}; the report is logged too. */
    public synchronized ReloadReport reload(Parts parts) {
        String name = source.file().toString();
        ReloadReport report;
        try {
            report = reloadFrom(source.load(), parts);
        } catch (ConfigException e) {
            report = ReloadReport.refused(name, e.problems());
        }
        report.log(log);
        return report;
    }

    private ReloadReport reloadFrom(ConfigSource.Loaded next, Parts parts) {
        String name = source.file().toString();
        List<ConfigChange> applied = new ArrayList<>();
        List<ConfigChange> needsRestart = new ArrayList<>();
        Map<String, String> nowInForce = new LinkedHashMap<>(inForce);
        List<String> refusals = parts.refusals(next.config());
        if (!refusals.isEmpty()) {
            return ReloadReport.refused(name, refusals);
        }
        for (ConfigChange c : ConfigChange.between(inForce, next.values())) {
            if (parts.live(c.key(), next.config())) {
                applied.add(c);
                nowInForce.put(c.key(), c.after());
            } else {
                needsRestart.add(c);
            }
        }
        try {
            needsRestart.addAll(parts.restartFound(next.config()));
            applied.addAll(parts.apply(next.config()));
        } catch (IOException e) {
            return ReloadReport.refused(name, List.of(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
        inForce = Collections.unmodifiableMap(nowInForce);
        return new ReloadReport(name, List.of(), applied, needsRestart);
    }
}
