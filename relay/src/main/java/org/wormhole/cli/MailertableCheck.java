package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.Mailer;
import org.wormhole.mailertable.Mailertable;
import org.wormhole.mailertable.MailertableException;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.peers.PeerRouteCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code wormhole mailertable check FILE...}: validate tables, reporting every bad line; with the
 * relay's configuration, also every {@code tsmtp} route to a peer it does not have.
 */
@Command(name = "check",
        mixinStandardHelpOptions = true,
        description = {"Check mailertable files.",
                "Prints 'FILE: N entries OK', or every bad line as 'FILE:LINE: what is",
                "wrong' and exits 1. With the relay's configuration (--config, $WORMHOLE_CONFIG,",
                "or config/wormhole.conf under WORMHOLE_HOME when it exists), a tsmtp route",
                "to a peer not in its peers block is an error too, and a tsmtp route to",
                "this site itself a warning (printed; the exit code stays 0)."})
final class MailertableCheck implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption config;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the table files to check")
    List<Path> files;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        PeerRouteCheck peers = null;
        if (config.found()) {
            RelayConfig c = config.loadOrReport(err, "tables not checked");
            if (c == null) {
                return 1;
            }
            peers = new PeerRouteCheck(c);
        }
        int status = 0;
        for (Path file : files) {
            try {
                Mailertable table = Mailertable.load(file);
                if (peers == null) {
                    out.println(file + ": " + table.size() + " entries OK");
                    if (hasTsmtpRoutes(table)) {
                        err.println(file + ": tsmtp routes not checked against the peers: no configuration "
                                + config.file() + " (give one with --config)");
                    }
                    continue;
                }
                PeerRouteCheck.Findings found = peers.check(table);
                List<LineError> all = new ArrayList<>(found.errors());
                all.addAll(found.warnings());
                all.sort(Comparator.comparingInt(LineError::line));
                all.forEach(err::println);
                if (found.errors().isEmpty()) {
                    int w = found.warnings().size();
                    out.println(file + ": " + table.size() + " entries OK" + (w == 0 ? "" : ", " + w + " warning(s)"));
                } else {
                    err.println(TableOption.notUsable(file, found.errors().size()));
                    status = 1;
                }
            } catch (MailertableException e) {
                TableOption.reportBadLines(file, e, err);
                status = 1;
            } catch (IOException e) {
                TableOption.reportUnreadable(file, e, err);
                status = 1;
            }
        }
        return status;
    }

    private static boolean hasTsmtpRoutes(Mailertable table) {
        return table.rules().stream().anyMatch(r -> r.route().map(route -> route.mailer() == Mailer.TSMTP).orElse(false));
    }
}
