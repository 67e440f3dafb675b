package org.wormhole.relay.reload;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.wormhole.relay.config.ConfigException;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.config.RelayConfig;

/**
 * Where a relay's configuration comes from: the file {@code run --config} was given and what its
 * relative paths are relative to. A reload reads it again, with the same loader as the start.
 *
 * @param file the configuration file
 * @param home WORMHOLE_HOME
 */
public record ConfigSource(Path file, Path home) {

    /**
     * One reading of the file: the typed configuration and every key's effective value as
     * {@code wormhole config check} prints it (what changes are compared by and shown as).
     */
    public record Loaded(RelayConfig config, Map<String, String> values) {
        public Loaded {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values)); // in the reference's order
        }
    }

    /**
     * Reads the file over the defaults.
     *
     * @throws ConfigException every problem, each as {@code FILE:LINE: what is wrong}
     */
    public Loaded load() throws ConfigException {
        RelayConfig config = ConfigLoader.load(file, home);
        return new Loaded(config, values(ConfigLoader.render(file.toString(), file, home)));
    }

    /** {@code key = value} lines, the value as HOCON renders it, strings without their quotes. */
    static Map<String, String> values(String rendered) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : rendered.split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                String v = line.substring(eq + 3);
                values.put(line.substring(0, eq), v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
                        ? v.substring(1, v.length() - 1) : v);
            }
        }
        return values;
    }
}
