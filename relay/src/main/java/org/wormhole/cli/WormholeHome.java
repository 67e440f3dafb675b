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

    /** The relay's configured mailertable: {@code config/mailertable}. */
    static Path defaultMailertable() {
        return resolve("config/mailertable");
    }
}
