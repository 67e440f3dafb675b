package org.wormhole.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.wormhole.relay.config.ConfigException;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.config.RelayConfig;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by the commands that need the relay's configuration. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the relay configuration (default: config/wormhole.conf under WORMHOLE_HOME)")
    Path file;

    Path file() {
        return file != null ? file : WormholeHome.defaultConfig();
    }

    /** Loads it, or prints every problem to {@code err} and returns null. */
    RelayConfig loadOrReport(PrintWriter err) {
        try {
            return ConfigLoader.load(file(), WormholeHome.home());
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            return null;
        }
    }
}
