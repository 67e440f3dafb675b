package org.wormhole.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.wormhole.relay.config.ConfigException;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.reload.ConfigSource;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by the commands that need the relay's configuration. */
final class ConfigOption {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the relay configuration (default: $WORMHOLE_CONFIG, else config/wormhole.conf under WORMHOLE_HOME)")
    Path file;

    Path file() {
        return file != null ? file : WormholeHome.defaultConfig();
    }

    /**
     * This site's key directory: the configured {@code link_key_directory} when there is a
     * configuration (given with --config, or config/wormhole.conf under WORMHOLE_HOME), else
     * keys/ under WORMHOLE_HOME. Null, with every problem printed to {@code err}, when the
     * configuration is not usable.
     */
    Path linkKeyDirectory(PrintWriter err) {
        if (!found()) {
            return WormholeHome.resolve("keys");
        }
        RelayConfig c = loadOrReport(err);
        if (c == null) {
            err.println(file() + ": configuration not usable (it names the key directory, link_key_directory)");
            return null;
        }
        return c.link().keyDirectory();
    }

    /** Whether there is a configuration: given with --config, or config/wormhole.conf under WORMHOLE_HOME exists. */
    boolean found() {
        return file != null || Files.exists(file());
    }

    /**
     * Loads it, or prints every problem to {@code err}, then "FILE: configuration not usable;
     * {@code consequence}", and returns null.
     */
    RelayConfig loadOrReport(PrintWriter err, String consequence) {
        RelayConfig c = loadOrReport(err);
        if (c == null) {
            err.println(file() + ": configuration not usable; " + consequence);
        }
        return c;
    }

    /**
     * Loads it as {@code source} reads it (what a relay that reloads keeps), or prints every
     * problem, then "FILE: configuration not usable; {@code consequence}", and returns null.
     */
    ConfigSource.Loaded loadOrReport(ConfigSource source, PrintWriter err, String consequence) {
        try {
            return source.load();
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            err.println(source.file() + ": configuration not usable; " + consequence);
            return null;
        }
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
