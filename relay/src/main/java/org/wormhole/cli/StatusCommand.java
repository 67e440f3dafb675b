package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.control.ControlClient;
import org.wormhole.relay.metrics.Readiness;
import org.wormhole.relay.queue.Spool;
import org.wormhole.relay.queue.SpoolLock;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wormhole status}: whether the running relay is ready for mail, asked over its control
 * socket (so it needs no {@code metrics_listen}). Exit code 0 ready, 1 not ready or not running:
 * for scripts and systemd.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Whether the running relay is ready for mail (exit code 0: ready, 1: not).",
            "Ready: the spool writable and above queue_minfree, the mailertable loaded, every listener bound."
                + " Asks over the control socket (no metrics_listen needed); no relay running is not ready."})
final class StatusCommand extends SpoolCommand {

    /** A relay that does not answer this soon is not ready, whatever it is doing. */
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    @CommandLine.Option(names = {"-q", "--quiet"}, description = "print nothing, only exit with the code")
    boolean quiet;

    @Override
    int run(RelayConfig c, Spool spool, PrintWriter out, PrintWriter err) throws IOException {
        Optional<ControlClient.Reply> reply;
        try {
            reply = ControlClient.send(spool.controlSocket(), "status", ANSWER_TIMEOUT);
        } catch (IOException e) {
            if (!quiet) {
                err.println("not ready: " + e.getMessage());
            }
            return 1;
        }
        if (reply.isEmpty()) {
            Optional<Long> starting = SpoolLock.holder(spool.root());
            if (quiet) {
                return 1;
            }
            if (starting.isPresent()) { // the control socket opens last at start, and closes first at stop
                err.println("not ready: the relay (pid " + starting.get() + ") holds " + c.queue().directory()
                        + " but does not answer on its control socket: starting or stopping");
                return 1;
            }
            return noRelayRunning(c, "not ready", err);
        }
        if (!reply.get().ok()) { // a relay from before 'status' existed
            if (!quiet) {
                err.println("the relay answered: " + reply.get().text());
            }
            return 1;
        }
        Readiness r = Readiness.parse(reply.get().body());
        if (!quiet) {
            out.print(r.report());
        }
        return r.ready() ? 0 : 1;
    }
}
