package org.wormhole.cli;

import java.io.PrintWriter;
import org.wormhole.cli.demo.DemoCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code wormhole} command. Exit codes: 0 success, 1 a failure reported on stderr
 * (a bad table, no match, a file that cannot be read), 2 bad usage.
 */
@Command(name = "wormhole",
        mixinStandardHelpOptions = true,
        versionProvider = WormholeVersion.class,
        description = "Site-to-site mail relay over encrypted links.",
        subcommands = {RunCommand.class, ReloadCommand.class, ConfigCommand.class, QueueCommand.class, LinkCommand.class,
                StatusCommand.class,
                MailertableCommand.class, KeygenCommand.class, FingerprintCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Wormhole implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** Runs one command line, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Wormhole());
        cli.setOut(out);
        cli.setErr(err);
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
