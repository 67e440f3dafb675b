package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.control.ControlClient;
import org.wormhole.relay.queue.Spool;
import picocli.CommandLine;

/**
 * A command on the relay's spool ({@code queue ...}, {@code link status}): loads the configuration
 * given with --config, or prints every problem and exits 1, then opens the spool it names. The
 * running relay is asked over the spool's control socket.
 */
abstract class SpoolCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @CommandLine.Mixin
    ConfigOption config;

    /** What the command does once the configuration is loaded and the spool open; the exit code. */
    abstract int run(RelayConfig c, Spool spool, PrintWriter out, PrintWriter err) throws IOException;

    @Override
    public final Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        RelayConfig c = config.loadOrReport(err);
        if (c == null) {
            return 1;
        }
        return run(c, Spool.open(c.queue().directory()), out, err);
    }

    /** The running relay's reply to {@code request}; empty when no relay answers on the control socket. */
    static Optional<ControlClient.Reply> ask(Spool spool, String request) throws IOException {
        return ControlClient.send(spool.controlSocket(), request);
    }

    /** Prints "no relay is running on SPOOL; {@code consequence}" to {@code err}; the exit code, 1. */
    static int noRelayRunning(RelayConfig c, String consequence, PrintWriter err) {
        err.println("no relay is running on " + c.queue().directory() + "; " + consequence);
        return 1;
    }
}
