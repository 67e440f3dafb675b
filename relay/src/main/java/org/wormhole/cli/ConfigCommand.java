package org.wormhole.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
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
                    "Every problem is reported as FILE:LINE: what is wrong, and the exit code is 1."})
    static final class Check implements Callable<Integer> {

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(arity = "0..1", paramLabel = "FILE",
                description = "the file (default: config/wormhole.conf under WORMHOLE_HOME)")
        Path file;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path f = file != null ? file : WormholeHome.defaultConfig();
            try {
                ConfigLoader.load(f, WormholeHome.home());
                out.print(ConfigLoader.render(f.toString(), f, WormholeHome.home()));
                out.flush();
                err.println(f + ": OK");
                return 0;
            } catch (ConfigException e) {
                e.problems().forEach(err::println);
                return 1;
            }
        }
    }
}
