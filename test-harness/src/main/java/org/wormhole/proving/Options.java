package org.wormhole.proving;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;

/** The proving ground's knobs; {@link #full} and {@link #quick} are the two documented runs. */
record Options(int killTrials, int burst, int sessions, int cutTrials, int largeCutTrials, int largeSize,
               int floodSeconds, int smtpFloodConnections, int linkFloodHolders, boolean postfix, boolean diskFull,
               Set<String> only, Optional<Path> work, Path jar, long seed, int rate) {

    static final Set<String> GROUPS = Set.of("kill", "direct", "postfix", "cut", "probes", "floods", "disk");

    static final String USAGE = """
            usage: ProvingGround [--quick] [--postfix] [--kill-trials N] [--burst N] [--sessions N] [--rate N] [--cut-trials N]
                                 [--large-cut-trials N] [--large-size BYTES] [--flood-seconds S] [--smtp-flood N] [--no-disk-full]
                                 [--only GROUP,...] [--work DIR] [--jar relay/target/wormhole.jar] [--seed N]
              --quick              the short variant (mvn verify's): 2 kill -9 trials per relay, bursts of 100,
                                   one cut of each kind, the probes, 8 s floods, no disk-full trial
              --postfix            also the kill -9 trial with Postfix as the relay (root and Debian's postfix;
                                   skipped with a note when either is missing)
              --kill-trials N      kill -9 trials per relay (default 20)
              --burst N            messages acknowledged per kill or cut trial (default 300)
              --sessions N         concurrent SMTP sessions of the load (default 10)
              --rate N             the kill -9 trials' bursts paced at N messages a second, the same for every
                                   relay, so their duplicate counts compare windows, not speeds (default 0:
                                   as fast as the relay takes them)
              --cut-trials N       link cuts mid-burst (default 5)
              --large-cut-trials N link cuts mid-15 MB message (default 2)
              --large-size BYTES   the size of that message (default 15000000)
              --flood-seconds S    length of each flood (default 20)
              --smtp-flood N       connections of the SMTP flood from one address (default 300)
              --no-disk-full       skip the disk-full trial (it needs root for its tmpfs; skipped without)
              --only GROUP,...     only these of: kill, direct, postfix, cut, probes, floods, disk
                                   (direct: Postfix's kill -9 trial with Birlinghoven as the relay)
              --work DIR           keep everything (configs, keys, spools, each relay.log) in DIR
              --seed N             the random moments of the kills and cuts
            """;

    static Options full(Path jar) {
        return new Options(20, 300, 10, 5, 2, 15_000_000, 20, 300, 12, false, true, GROUPS, Optional.empty(), jar,
                System.nanoTime(), 0);
    }

    static Options quick(Path jar) {
        return new Options(2, 100, 10, 1, 1, 15_000_000, 8, 150, 12, false, false, GROUPS, Optional.empty(), jar,
                System.nanoTime(), 0);
    }

    boolean runs(String group) {
        return only.contains(group) && (!group.equals("postfix") || postfix) && (!group.equals("disk") || diskFull);
    }

    static Options parse(String[] args) {
        Path jar0 = defaultJar();
        boolean quick = Arrays.asList(args).contains("--quick");
        Options d = quick ? quick(jar0) : full(jar0);
        int killTrials = d.killTrials;
        int burst = d.burst;
        int sessions = d.sessions;
        int cutTrials = d.cutTrials;
        int largeCutTrials = d.largeCutTrials;
        int largeSize = d.largeSize;
        int floodSeconds = d.floodSeconds;
        int smtpFlood = d.smtpFloodConnections;
        boolean postfix = d.postfix;
        boolean diskFull = d.diskFull;
        Set<String> only = d.only;
        Optional<Path> work = d.work;
        Path jar = d.jar;
        long seed = d.seed;
        int rate = d.rate;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> { }
                    case "--postfix" -> postfix = true;
                    case "--no-disk-full" -> diskFull = false;
                    case "--kill-trials" -> killTrials = Integer.parseInt(args[++i]);
                    case "--burst" -> burst = Integer.parseInt(args[++i]);
                    case "--sessions" -> sessions = Integer.parseInt(args[++i]);
                    case "--cut-trials" -> cutTrials = Integer.parseInt(args[++i]);
                    case "--large-cut-trials" -> largeCutTrials = Integer.parseInt(args[++i]);
                    case "--large-size" -> largeSize = Integer.parseInt(args[++i]);
                    case "--flood-seconds" -> floodSeconds = Integer.parseInt(args[++i]);
                    case "--smtp-flood" -> smtpFlood = Integer.parseInt(args[++i]);
                    case "--only" -> only = Set.of(args[++i].split(","));
                    case "--work" -> work = Optional.of(Path.of(args[++i]).toAbsolutePath());
                    case "--jar" -> jar = Path.of(args[++i]).toAbsolutePath();
                    case "--seed" -> seed = Long.parseLong(args[++i]);
                    case "--rate" -> rate = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("bad option value: " + e.getMessage() + "\n" + USAGE);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + "\n" + USAGE);
        }
        if (killTrials < 0 || burst < 10 || sessions < 1 || cutTrials < 0 || largeCutTrials < 0 || floodSeconds < 1
                || smtpFlood < 0 || rate < 0 || largeSize < 1_000_000 || !GROUPS.containsAll(only)) {
            throw new IllegalArgumentException("--burst must be at least 10, --flood-seconds at least 1, the counts not"
                    + " negative, --large-size at least 1000000, --only one or more of " + GROUPS + "\n" + USAGE);
        }
        return new Options(killTrials, burst, sessions, cutTrials, largeCutTrials, largeSize, floodSeconds, smtpFlood,
                d.linkFloodHolders, postfix, diskFull, only, work, jar, seed, rate);
    }

    /** relay/target/wormhole.jar, from the checkout's root or from a module directory. */
    static Path defaultJar() {
        for (String p : new String[] {"relay/target/wormhole.jar", "../relay/target/wormhole.jar"}) {
            Path j = Path.of(p).toAbsolutePath().normalize();
            if (Files.isRegularFile(j)) {
                return j;
            }
        }
        return Path.of("relay/target/wormhole.jar").toAbsolutePath();
    }
}
