package org.wormhole.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.wormhole.relay.config.ConfigException;
import org.wormhole.relay.config.ConfigLoader;

/**
 * Where the relay's files are by default. The launcher sets {@code WORMHOLE_HOME} to the
 * installation directory (a clone, an unpacked release archive; {@code /etc/wormhole} when
 * installed from the Debian package); without it, paths are relative to the current directory.
 * The configuration is {@code config/wormhole.conf} under it, unless {@code WORMHOLE_CONFIG}
 * names the file (the Debian package's launcher sets it to {@code /etc/wormhole/wormhole.conf}).
 */
final class WormholeHome {

    private WormholeHome() {
    }

    static Path resolve(String relative) {
        String home = System.getenv("WORMHOLE_HOME");
        return home == null || home.isEmpty() ? Path.of(relative) : Path.of(home).resolve(relative);
    }

    /** The home directory itself (what relative paths in the configuration are relative to). */
    static Path home() {
        String home = System.getenv("WORMHOLE_HOME");
        return home == null || home.isEmpty() ? Path.of("").toAbsolutePath() : Path.of(home).toAbsolutePath();
    }

    /** The relay's configuration file: {@code $WORMHOLE_CONFIG}, else {@code config/wormhole.conf}. */
    static Path defaultConfig() {
        String config = System.getenv("WORMHOLE_CONFIG");
        return config == null || config.isEmpty() ? resolve("config/wormhole.conf") : Path.of(config);
    }

    /**
     * The relay's configured mailertable: the {@code mailertable} key of config/wormhole.conf,
     * or {@code config/mailertable} when that file is missing or unusable.
     */
    static Path defaultMailertable() {
        try {
            if (Files.exists(defaultConfig())) {
                return ConfigLoader.load(defaultConfig(), home()).mailertable().file();
            }
        } catch (ConfigException e) {
            // fall back to the default place; 'wormhole config check' tells what is wrong
        }
        return resolve("config/mailertable");
    }
}
