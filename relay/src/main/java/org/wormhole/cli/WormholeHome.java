package org.wormhole.cli;

import java.nio.file.Path;

/**
 * Where the relay's files are by default. The launcher sets {@code WORMHOLE_HOME} to the
 * installation directory; without it, paths are relative to the current directory.
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

    /** The relay's configuration file: {@code config/wormhole.conf}. */
    static Path defaultConfig() {
        return resolve("config/wormhole.conf");
    }

    /**
     * The relay's configured mailertable: the {@code mailertable} key of config/wormhole.conf,
     * or {@code config/mailertable} when that file is missing or unusable.
     */
    static Path defaultMailertable() {
        try {
            if (java.nio.file.Files.exists(defaultConfig())) {
                return org.wormhole.relay.config.ConfigLoader.load(defaultConfig(), home()).mailertable().file();
            }
        } catch (org.wormhole.relay.config.ConfigException e) {
            // fall back to the default place; 'wormhole config check' tells what is wrong
        }
        return resolve("config/mailertable");
    }
}
