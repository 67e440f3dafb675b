package org.wormhole.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wormhole.relay.config.ConfigException;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.control.ControlClient;
import org.wormhole.relay.queue.Spool;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wormhole reload}: the running relay reads its configuration file again (the one
 * {@code run --config} was given) and applies what can change live; as SIGHUP does. Asked over
 * the control socket of the spool that {@code --config} names. A file with errors is still sent
 * to be reloaded (the relay refuses it and says why, in its log and here), so the spool is found
 * even in a file the relay will refuse.
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = {"Make the running relay re-read its configuration file (as SIGHUP) and apply what can change live.",
                "Prints each change applied and each that needs a restart; a file with errors changes nothing.",
                "Exit 0: reloaded (also with changes that need a restart); 1: errors, nothing applied, or no relay running."})
final class ReloadCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption config;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path spool = spoolOf(config.file(), WormholeHome.home());
        Optional<ControlClient.Reply> reply = ControlClient.send(Spool.controlSocketOf(spool), "reload");
        if (reply.isEmpty()) {
            try {
                ConfigLoader.load(config.file(), WormholeHome.home());
            } catch (ConfigException e) {
                e.problems().forEach(err::println); // what a relay would have refused
            }
            err.println("no relay is running on " + spool + "; nothing reloaded");
            return 1;
        }
        ControlClient.Reply r = reply.get();
        PrintWriter to = r.ok() ? out : err;
        r.body().forEach(to::println);
        to.println(r.text());
        return r.ok() ? 0 : 1;
    }

    private static final Pattern QUEUE_DIRECTORY = Pattern.compile("^\\s*queue_directory\\s*[=:]\\s*\"([^\"]+)\"\\s*(#.*)?$");

    /** The value of a {@code queue_directory = "DIR"} line in a file that does not parse as a whole. */
    private static Optional<Path> queueDirectoryLine(Path file) {
        try {
            Optional<Path> found = Optional.empty();
            for (String line : Files.readAllLines(file)) {
                Matcher m = QUEUE_DIRECTORY.matcher(line);
                if (m.matches()) {
                    found = Optional.of(Path.of(m.group(1))); // the last one counts, as in HOCON
                }
            }
            return found;
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The spool {@code file} names: its {@code queue_directory} when the file loads; else, in a
     * file with errors, its {@code queue_directory} line if that much can be read; else the default.
     */
    static Path spoolOf(Path file, Path home) {
        try {
            return ConfigLoader.load(file, home).queue().directory();
        } catch (ConfigException e) {
            try {
                Config c = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
                if (c.hasPath("queue_directory")) {
                    Path p = Path.of(c.getString("queue_directory"));
                    return p.isAbsolute() ? p : home.resolve(p).normalize();
                }
            } catch (com.typesafe.config.ConfigException | IllegalArgumentException unreadable) {
                // a syntax error elsewhere in the file: its queue_directory line may still say where
                Optional<Path> written = queueDirectoryLine(file);
                if (written.isPresent()) {
                    return written.get().isAbsolute() ? written.get() : home.resolve(written.get()).normalize();
                }
            }
            try {
                return ConfigLoader.defaults(home).queue().directory();
            } catch (ConfigException impossible) {
                throw new IllegalStateException(List.copyOf(impossible.problems()).toString());
            }
        }
    }
}
