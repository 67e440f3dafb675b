package org.wormhole.cli;

import java.io.InputStream;
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
                MailertableCommand.class, KeygenCommand.class, FingerprintCommand.class, UserCommand.class,
                DemoCommand.class,
                CommandLine.HelpCommand.class})
public final class Wormhole implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /** What a command reads from: a password for {@code wormhole user add}. */
    private InputStream stdin = System.in;

    /** Runs one command line, writing to {@code out} and {@code err}; returns the exit code. */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        return run(System.in, out, err, args);
    }

    /** As above, reading from {@code in} (a password for {@code wormhole user add}). */
    public static int run(InputStream in, PrintWriter out, PrintWriter err, String... args) {
        Wormhole wormhole = new Wormhole();
        wormhole.stdin = in;
        CommandLine cli = new CommandLine(wormhole);
        cli.setOut(out);
        cli.setErr(err);
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    /**
     * A new password for {@code name}: from the terminal when stdin is the process's own and it has
     * one, else the first line of stdin; null, with the reason printed, when there is none.
     */
    char[] password(String name, PrintWriter err) {
        return UserCommand.readPassword(name, stdin, stdin == System.in ? System.console() : null, err);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }
}
