package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.MailertableException;
import org.wormhole.mailertable.WatchedMailertable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wormhole mailertable watch}: hold a table as the relay does and log every reload, so
 * an admin can try an edit before a relay picks it up.
 */
@Command(name = "watch",
        mixinStandardHelpOptions = true,
        description = {"Hold a table live as the relay does and log each reload.",
                "Logs entries added, removed and changed, and every error of a rejected edit.",
                "Stops on Ctrl-C or SIGTERM."})
final class MailertableWatch implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "the table (default: the relay's, config/mailertable under WORMHOLE_HOME)")
    Path file;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Path tableFile = file != null ? file : WormholeHome.defaultMailertable();
        WatchedMailertable watched;
        try {
            watched = WatchedMailertable.open(tableFile);
        } catch (MailertableException e) {
            e.errors().stream().map(LineError::toString).forEach(err::println);
            err.println(tableFile + ": " + e.errors().size() + " error(s), table not usable");
            return 1;
        } catch (IOException e) {
            err.println(tableFile + ": cannot read: " + IoErrors.reason(e));
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            watched.close();
            stopped.countDown();
        }, "shutdown"));
        err.println("watching " + tableFile + "; edit and save it, Ctrl-C to stop");
        err.flush();
        stopped.await();
        return 0;
    }
}
