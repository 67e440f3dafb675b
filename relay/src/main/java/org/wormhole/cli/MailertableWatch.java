package org.wormhole.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.wormhole.mailertable.TableCheck;
import org.wormhole.mailertable.WatchedMailertable;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.peers.PeerRouteCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code wormhole mailertable watch}: hold a table as the relay does and log every reload, so
 * an admin can try an edit before a relay picks it up.
 */
@Command(name = "watch",
        mixinStandardHelpOptions = true,
        description = {"Hold a table live as the relay does and log each reload.",
                "Logs entries added, removed and changed, and every error of a rejected edit.",
                "With the relay's configuration (--config, or config/wormhole.conf under",
                "WORMHOLE_HOME when it exists), an edit with a tsmtp route to a peer it",
                "does not have is rejected, as the relay does, and an edit is loaded",
                "after mailertable_settle_time without change, as the relay does.",
                "Stops on Ctrl-C or SIGTERM."})
final class MailertableWatch implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    TableOption tableOption;

    @CommandLine.Mixin
    ConfigOption config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        TableCheck check = TableCheck.NONE;
        WatchedMailertable.Timing timing = WatchedMailertable.Timing.DEFAULT;
        Path tableFile = tableOption.fileOr(WormholeHome.defaultMailertable());
        if (config.found()) {
            RelayConfig c = config.loadOrReport(err, "not watching");
            if (c == null) {
                return 1;
            }
            check = new PeerRouteCheck(c).warningsTo(w -> {
                err.println(w);
                err.flush();
            });
            tableFile = tableOption.fileOr(c.mailertable().file());
            timing = timing.withSettleTime(c.mailertable().settleTime());
        }
        WatchedMailertable.Timing settled = timing;
        TableCheck checked = check;
        WatchedMailertable watched = TableOption.openOrReport(tableFile,
                f -> WatchedMailertable.open(f, settled, Clock.systemUTC(), checked), err);
        if (watched == null) {
            return 1;
        }
        UntilStopped stopped = UntilStopped.closing(watched::close);
        err.println("watching " + tableFile + "; edit and save it, Ctrl-C to stop");
        err.flush();
        stopped.await();
        return 0;
    }
}
