package org.wormhole.cli.demo;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.wormhole.link.SiteIdentity;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wormhole demo}: the branch-office pair of {@code samples/branch-office/} on this
 * machine. Generates a key per site, writes both sites' configurations and tables, starts Tokyo
 * and Birlinghoven as two relay processes joined by the link on loopback, with a stand-in mail
 * hub for each site and an MX for an outside domain in this process; sends a message each way
 * and one to the outside domain, and prints where each went. Exit code 0 when all three arrived
 * where they should, 1 otherwise.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the branch-office pair of samples/branch-office/ on this machine.",
                "Starts Tokyo and Birlinghoven as two relay processes on loopback, joined",
                "by the link, with a stand-in mail hub for each site and an MX for",
                "outside.example; sends a message Tokyo -> Birlinghoven, one back and one",
                "from Tokyo to outside.example, and prints where each went. Exits 0 when",
                "all three arrived where they should, 1 otherwise. Works in a new temporary",
                "directory, removed at the end (--keep keeps it)."})
public final class DemoCommand implements Callable<Integer> {

    private static final Pattern RUNNING = Pattern.compile("running: SMTP on 127\\.0\\.0\\.1:(\\d+)(?:, link on [^,]*:(\\d+))?");
    private static final Pattern QUEUED_AS = Pattern.compile("queued as (\\S+)");
    private static final Pattern PEER_QUEUE_ID = Pattern.compile("queue id ([^)\\s]+)\\)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--keep", description = "keep the demo's directory (configurations, keys, spools, the relays' logs)")
    boolean keep;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long to wait for the messages to arrive (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    /** One of the demo's messages and where it should arrive. */
    private record Trip(int number, String title, String from, String to, SiteProcess sender, Mailbox destination,
                        boolean throughTheLink, SiteProcess receiver) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (timeoutSeconds < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout must be at least 1");
        }
        Path dir = Files.createTempDirectory("wormhole-demo-");
        List<SiteProcess> running = new CopyOnWriteArrayList<>();
        Thread stopOnCtrlC = new Thread(() -> {
            running.forEach(SiteProcess::close);
            if (!keep) {
                delete(dir);
            }
        }, "demo-stop");
        Runtime.getRuntime().addShutdownHook(stopOnCtrlC);
        try (Mailbox tokyoHub = new Mailbox("Tokyo's mail hub", "hub.tokyo.example");
             Mailbox birlHub = new Mailbox("Birlinghoven's mail hub", "hub.birlinghoven.example");
             Mailbox outside = new Mailbox("the MX of outside.example", "mx.outside.example")) {
            return demo(out, dir, running, tokyoHub, birlHub, outside);
        } finally {
            for (int i = running.size() - 1; i >= 0; i--) {
                running.get(i).close();
            }
            try {
                Runtime.getRuntime().removeShutdownHook(stopOnCtrlC);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running already
            }
            if (keep) {
                out.println("kept " + dir + " (each site's wormhole.conf, mailertable, keys/, spool/ and relay.log)");
            } else {
                delete(dir);
            }
            out.flush();
        }
    }

    private int demo(PrintWriter out, Path dir, List<SiteProcess> running, Mailbox tokyoHub, Mailbox birlHub,
                     Mailbox outside) throws IOException, InterruptedException {
        out.println("wormhole demo: the branch-office pair of samples/branch-office/, on loopback in " + dir);
        SiteIdentity tokyoKey = SiteIdentity.generate(dir.resolve("tokyo/keys"), "tokyo", Duration.ofDays(30));
        SiteIdentity birlKey = SiteIdentity.generate(dir.resolve("birlinghoven/keys"), "birlinghoven", Duration.ofDays(30));
        out.println("  keys (wormhole keygen; each pin is pinned in the other site's peers block):");
        out.println("    tokyo         " + tokyoKey.pin());
        out.println("    birlinghoven  " + birlKey.pin());
        out.flush();

        // Birlinghoven listens for the link (on a port the system picks); Tokyo dials it.
        Path birlHome = dir.resolve("birlinghoven");
        Path birlConfig = SiteFiles.writeBirlinghoven(birlHome, birlHub.port(), tokyoKey.pin().toString());
        SiteProcess birl = SiteProcess.start("birlinghoven", birlHome, birlConfig);
        running.add(birl);
        long startDeadline = System.nanoTime() + START_TIMEOUT.toNanos();
        Optional<Matcher> birlUp = birl.await(RUNNING, startDeadline);
        if (birlUp.isEmpty() || birlUp.get().group(2) == null) {
            return notStarted(out, birl);
        }
        int birlSmtp = Integer.parseInt(birlUp.get().group(1));
        int linkPort = Integer.parseInt(birlUp.get().group(2));

        Path tokyoHome = dir.resolve("tokyo");
        Path tokyoConfig = SiteFiles.writeTokyo(tokyoHome, tokyoHub.port(), outside.port(), linkPort,
                birlKey.pin().toString());
        SiteProcess tokyo = SiteProcess.start("tokyo", tokyoHome, tokyoConfig);
        running.add(tokyo);
        Optional<Matcher> tokyoUp = tokyo.await(RUNNING, startDeadline);
        if (tokyoUp.isEmpty()) {
            return notStarted(out, tokyo);
        }
        int tokyoSmtp = Integer.parseInt(tokyoUp.get().group(1));

        out.println("  tokyo         relay.tokyo.example         SMTP 127.0.0.1:" + tokyoSmtp
                + ", dials birlinghoven; " + tokyoHub);
        out.println("  birlinghoven  relay.birlinghoven.example  SMTP 127.0.0.1:" + birlSmtp
                + ", link on 127.0.0.1:" + linkPort + "; " + birlHub);
        out.println("  outside       MX of outside.example on 127.0.0.1:" + outside.port()
                + "; Tokyo's demo table routes outside.example there (esmtp:[127.0.0.1]:" + outside.port()
                + "): a real site has no line for it and the relay looks up its MX");
        if (tokyo.await(Pattern.compile("link to birlinghoven up"), startDeadline).isEmpty()) {
            out.println("the link did not come up within " + START_TIMEOUT.toSeconds() + " s; Tokyo's log ends with:");
            tokyo.tail(15).forEach(l -> out.println("    " + l));
            return 1;
        }
        out.println("  link tokyo -> birlinghoven up (TLS 1.3, both keys pinned)");
        out.println();
        out.flush();

        List<Trip> trips = List.of(
                new Trip(1, "Tokyo -> Birlinghoven", "taro@tokyo.example", "bob@birlinghoven.example",
                        tokyo, birlHub, true, birl),
                new Trip(2, "Birlinghoven -> Tokyo", "bob@birlinghoven.example", "taro@tokyo.example",
                        birl, tokyoHub, true, tokyo),
                new Trip(3, "Tokyo -> outside", "taro@tokyo.example", "someone@outside.example",
                        tokyo, outside, false, null));
        List<Optional<String>> queueIds = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        for (Trip t : trips) {
            int port = t.sender() == tokyo ? tokyoSmtp : birlSmtp;
            String reply;
            try {
                reply = Submission.send(port, t.from(), t.to(), "demo message " + t.number() + ": " + t.title());
            } catch (IOException e) {
                reply = "not accepted: " + e.getMessage();
            }
            replies.add(reply);
            Matcher m = QUEUED_AS.matcher(reply);
            queueIds.add(m.find() && reply.startsWith("250") ? Optional.of(m.group(1)) : Optional.empty());
        }

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline && !trips.stream().allMatch(t -> arrived(t, queueIds.get(t.number() - 1)))) {
            Thread.sleep(100);
        }

        int ok = 0;
        for (Trip t : trips) {
            Optional<String> id = queueIds.get(t.number() - 1);
            out.println(t.number() + ". " + t.title() + ": " + t.from() + " -> " + t.to());
            out.println("   submitted to " + t.sender().name() + "'s relay: " + replies.get(t.number() - 1));
            Optional<String> first = id.flatMap(q -> sentLine(t.sender(), q, t.to()));
            first.ifPresent(l -> out.println("   " + t.sender().name() + ": " + l));
            if (first.isPresent() && t.receiver() != null) {
                Matcher peerId = PEER_QUEUE_ID.matcher(first.get());
                peerId.find();
                sentLine(t.receiver(), peerId.group(1), t.to())
                        .ifPresent(l -> out.println("   " + t.receiver().name() + ": " + l));
            }
            if (arrived(t, id)) {
                ok++;
                out.println("   arrived at " + t.destination() + (t.throughTheLink() ? ", through the link"
                        : ", directly (not through the link)"));
            } else {
                Optional<Mailbox.Message> got = t.destination().messageFor(t.to());
                out.println(got.isEmpty() ? "   NOT arrived at " + t.destination() + " within " + timeoutSeconds + " s"
                        : "   arrived at " + t.destination() + " but " + (got.get().crossedTheLink()
                        ? "through the link, which it should not have taken" : "not through the link"));
                out.println("   " + t.sender().name() + "'s log ends with:");
                t.sender().tail(8).forEach(l -> out.println("     " + l));
            }
            out.println();
        }
        out.println(ok + " of " + trips.size() + " messages arrived where they should.");
        out.flush();
        return ok == trips.size() ? 0 : 1;
    }

    /**
     * True when the message is at its destination, having taken the link or not as it should,
     * and each relay on the way logged it as sent.
     */
    private static boolean arrived(Trip t, Optional<String> queueId) {
        Optional<Mailbox.Message> got = t.destination().messageFor(t.to());
        if (queueId.isEmpty() || got.isEmpty() || got.get().crossedTheLink() != t.throughTheLink()) {
            return false;
        }
        Optional<String> first = sentLine(t.sender(), queueId.get(), t.to());
        if (first.isEmpty() || t.receiver() == null) {
            return first.isPresent();
        }
        Matcher peerId = PEER_QUEUE_ID.matcher(first.get());
        return peerId.find() && sentLine(t.receiver(), peerId.group(1), t.to()).isPresent();
    }

    /** The relay's log line saying it sent {@code queueId} to {@code recipient}, from its {@code ID: to=} on. */
    private static Optional<String> sentLine(SiteProcess relay, String queueId, String recipient) {
        Pattern p = Pattern.compile(Pattern.quote(queueId + ": to=<" + recipient + ">") + ".*status=sent.*");
        return relay.find(p).map(Matcher::group);
    }

    private static int notStarted(PrintWriter out, SiteProcess site) {
        out.println(site.name() + "'s relay did not start" + (site.alive() ? " within " + START_TIMEOUT.toSeconds() + " s" : "")
                + "; its log (" + site.log() + ") ends with:");
        site.tail(15).forEach(l -> out.println("    " + l));
        return 1;
    }

    private static void delete(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // a temporary directory: what is left is harmless
        }
    }
}
