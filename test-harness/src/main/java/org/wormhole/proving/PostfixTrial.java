package org.wormhole.proving;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * The kill -9 trial with Postfix as the relay, side by side with Birlinghoven's: the same load,
 * the same burst and moments, into Postfix, which delivers to a sink of its own; Postfix killed
 * (every process of it) mid-burst and started again on its queue. Its final-hop duplicates are
 * the yardstick for ours.
 */
final class PostfixTrial {

    private PostfixTrial() {
    }

    static void run(List<Tally> tallies, List<String> skipped, Options o, Random rnd, PrintStream log)
            throws IOException, InterruptedException {
        Optional<String> why = PostfixRelay.unavailable();
        if (why.isPresent()) {
            skipped.add("kill -9 postfix skipped: " + why.get());
            log.println("  kill -9 postfix: skipped, " + why.get());
            return;
        }
        Sink sink = new Sink("hub.birlinghoven.example", PostfixRelay.HOST);
        PostfixRelay pf = null;
        Thread stop = null;
        try {
            int port = Sites.freePort();
            pf = PostfixRelay.configure(port, sink.port());
            PostfixRelay started = pf;
            stop = new Thread(started::close, "postfix-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            pf.start();
            PostfixRelay relay = pf;
            Tally t = new Tally("kill -9 postfix " + PostfixRelay.version() + " (final hop)", sink, false);
            tallies.add(t);
            KillTrials.run(t, pf, new KillTrials.Path(port, sink, pf::queueEmpty, () -> {
                if (!relay.alive()) {
                    try {
                        relay.start();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }), o.killTrials(), o, rnd, log);
        } finally {
            if (pf != null) {
                pf.close();
            }
            if (stop != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stop);
                } catch (IllegalStateException shuttingDown) {
                    // it runs already
                }
            }
            sink.close();
        }
    }
}
