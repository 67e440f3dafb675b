package org.wormhole.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.wormhole.mailertable.LineError;
import org.wormhole.mailertable.MailertableException;
import org.wormhole.relay.PermissionDenied;
import org.wormhole.relay.Relay;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.delivery.Dns;
import org.wormhole.relay.events.LogSetup;
import org.wormhole.relay.queue.SpoolLockedException;
import org.wormhole.relay.reload.ConfigSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code wormhole run}: the relay, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the relay: accept SMTP, queue, route by the mailertable, deliver.",
                "Stops gracefully on SIGTERM or Ctrl-C (shutdown_timeout for deliveries in progress).",
                "SIGHUP (or 'wormhole reload') re-reads the configuration file and applies what can change live."})
final class RunCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ConfigOption config;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        ConfigSource source = new ConfigSource(config.file(), WormholeHome.home());
        ConfigSource.Loaded loaded = config.loadOrReport(source, err, "relay not started");
        if (loaded == null) {
            return 1;
        }
        RelayConfig c = loaded.config();
        LogSetup.apply(c.log(), c.myhostname());
        Relay relay;
        try {
            relay = Relay.start(c, Dns.systemResolver(), Clock.systemUTC());
        } catch (MailertableException e) {
            e.errors().stream().map(LineError::toString).forEach(err::println);
            err.println(c.mailertable().file() + ": " + e.errors().size() + " error(s); relay not started");
            return 1;
        } catch (IOException | RuntimeException e) {
            err.println("relay not started: " + why(e, c));
            return 1;
        }
        relay.reloadingFrom(source, loaded);
        ReloadOnHangup.install(relay);
        UntilStopped stopped = UntilStopped.closing(relay::close);
        String link = c.link().listen().isPresent() && relay.links().isPresent()
                ? ", link on " + c.link().listen().get().getAddress().getHostAddress() + ":" + relay.links().get().linkPort()
                : "";
        String submission = relay.submissionPort().map(p -> ", submission on "
                + c.submission().listen().get().getAddress().getHostAddress() + ":" + p).orElse("");
        err.println("wormhole relay " + c.myhostname() + " running: SMTP on " + c.smtpd().listen().getAddress().getHostAddress()
                + ":" + relay.smtpPort() + submission + link + ", queue " + c.queue().directory() + "; Ctrl-C to stop");
        err.flush();
        stopped.await();
        return 0;
    }

    /**
     * Why the start failed, with the fix where one is known: a file the relay may not read or
     * change names its owner and the chown; another relay on the spool names its pid; a
     * listener names its address.
     */
    static String why(Exception e, RelayConfig c) {
        if (e instanceof SpoolLockedException) {
            return e.getMessage();
        }
        return PermissionDenied.explain(e, c.queue().directory(),
                PermissionDenied.currentUser())
                .orElse(e.getMessage() == null ? e.toString() : e.getMessage());
    }
}
