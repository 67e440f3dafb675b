package org.wormhole.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.wormhole.relay.PermissionDenied;
import org.wormhole.relay.StartCheck;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.config.ConfigException;
import org.wormhole.relay.config.ConfigLoader;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code wormhole config check [FILE]}: validate the configuration and print what is in effect. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = "Check the relay configuration.",
        subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: check");
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Validate a configuration file and print the effective configuration.",
                    "Every problem is reported as FILE:LINE: what is wrong, and the exit code is 1:",
                    "the file's own, then what 'wormhole run' would fail on (as postfix check):",
                    "the site key when peers are configured (there, mode 600, keys/ mode 700), the",
                    "smtpd TLS files, the submission users file (with submission_listen), the spool",
                    "(writable, every file the relay user's), the mailertable."})
    static final class Check implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "FILE",
                description = "the file (default: $WORMHOLE_CONFIG, else config/wormhole.conf under WORMHOLE_HOME)")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path f = file != null ? file : WormholeHome.defaultConfig();
            RelayConfig c;
            try {
                c = ConfigLoader.load(f, WormholeHome.home());
                out.print(ConfigLoader.render(f.toString(), f, WormholeHome.home()));
                out.flush();
            } catch (ConfigException e) {
                e.problems().forEach(err::println);
                err.println(f + ": " + e.problems().size() + " error(s)");
                return 1;
            }
            List<String> problems = StartCheck.problems(c, ConfigLoader.origins(f), PermissionDenied.currentUser());
            if (!problems.isEmpty()) {
                problems.forEach(err::println);
                err.println(f + ": " + problems.size() + " error(s) that 'wormhole run' would fail on or that"
                        + " expose a key");
                return 1;
            }
            err.println(f + ": OK");
            return 0;
        }
    }
}
