package org.wormhole.proving;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Postfix as the relay, for the same kill -9 trial: an instance of its own ({@code postfix-pg},
 * made with postmulti as test-harness/bench/two-sites.sh makes its instances) that relays
 * {@code birlinghoven.example} to the proving ground's sink. Its kill -9 kills the master and every
 * process under it at once (qmgr, smtpd, smtp, cleanup, ...), as a crash of the machine would.
 */
final class PostfixRelay implements Relay {

    static final String INSTANCE = "postfix-pg";
    static final Path CONF = Path.of("/etc/" + INSTANCE);
    static final Path SPOOL = Path.of("/var/spool/" + INSTANCE);
    static final String HOST = "relay-pg.proving.example";
    private static final List<String> QUEUES = List.of("maildrop", "incoming", "active", "deferred", "hold");

    private final int smtpPort;

    private PostfixRelay(int smtpPort) {
        this.smtpPort = smtpPort;
    }

    /** Why Postfix cannot be used here, if it cannot. */
    static Optional<String> unavailable() {
        if (!Files.isExecutable(Path.of("/usr/sbin/postfix")) || !Files.isExecutable(Path.of("/usr/sbin/postmulti"))) {
            return Optional.of("Postfix is not installed (apt-get install postfix)");
        }
        if (!Shell.root()) {
            return Optional.of("the Postfix trial needs root (its own Postfix instance)");
        }
        return Optional.empty();
    }

    /** Creates (once) and configures the instance: SMTP on 127.0.0.1:smtpPort, birlinghoven.example to the sink. */
    static PostfixRelay configure(int smtpPort, int sinkPort) throws IOException {
        if (!Shell.run("postmulti", "-l").output().contains(INSTANCE)) {
            Shell.run("postmulti", "-e", "init");
            check(Shell.run("postmulti", "-I", INSTANCE, "-e", "create"));
        }
        String c = CONF.toString();
        check(Shell.run("postconf", "-c", c, "-e",
                "master_service_disable =", "inet_protocols = ipv4", "inet_interfaces = 127.0.0.1",
                "mynetworks = 127.0.0.0/8", "mydestination =", "local_recipient_maps =", "alias_maps =",
                "alias_database =", "smtpd_peername_lookup = no", "smtp_dns_support_level = disabled",
                "smtp_host_lookup = native", "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination",
                "relay_domains = birlinghoven.example", "transport_maps = texthash:" + c + "/transport",
                "myhostname = " + HOST, "mydomain = proving.example", "myorigin = proving.example", "relayhost =",
                "maillog_file = /var/log/" + INSTANCE + ".log", "minimal_backoff_time = 1s",
                "maximal_backoff_time = 2s", "queue_run_delay = 1s", "biff = no", "compatibility_level = 3.7"));
        // Its own file log, owned by postfix: postsuper, which postfix start runs as the mail owner before
        // postlogd is up, must be able to write its warnings there (one about a file left by the crash),
        // or it fails and the start with it ("Postfix integrity check failed!").
        Path maillog = Path.of("/var/log/" + INSTANCE + ".log");
        if (!Files.exists(maillog)) {
            Files.createFile(maillog);
        }
        check(Shell.run("chown", "postfix:postfix", maillog.toString()));
        Files.writeString(CONF.resolve("transport"), "birlinghoven.example  smtp:[127.0.0.1]:" + sinkPort + "\n");
        Shell.run("postconf", "-c", c, "-MX", "smtp/inet");
        for (String line : Shell.run("postconf", "-c", c, "-M").output().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 1 && f[1].equals("inet") && f[0].startsWith("127.0.0.1:")) {
                Shell.run("postconf", "-c", c, "-MX", f[0] + "/inet");
            }
        }
        check(Shell.run("postconf", "-c", c, "-M", "-e",
                "127.0.0.1:" + smtpPort + "/inet = 127.0.0.1:" + smtpPort + " inet n - n - - smtpd"));
        check(Shell.run("postconf", "-c", c, "-F", "-e", "*/*/chroot = n"));
        Shell.run("postfix", "-c", c, "stop");
        Shell.run("postsuper", "-c", c, "-d", "ALL");
        return new PostfixRelay(smtpPort);
    }

    private static void check(Shell.Result r) throws IOException {
        if (!r.ok()) {
            throw new IOException("Postfix set-up failed: " + r.output());
        }
    }

    @Override
    public String name() {
        return "postfix";
    }

    static String version() {
        return Shell.run("postconf", "-h", "mail_version").output();
    }

    @Override
    public void start() throws IOException {
        Shell.Result r = Shell.run("postfix", "-c", CONF.toString(), "start");
        if (!r.ok() && !r.output().contains("already running")) {
            throw new IOException("postfix start: " + r.output());
        }
        if (!Poll.until(Duration.ofSeconds(30), this::greets)) {
            throw new IOException("Postfix does not answer on 127.0.0.1:" + smtpPort);
        }
    }

    private boolean greets() {
        try (Smtp s = Smtp.connect(Smtp.LEGIT, smtpPort, 2_000)) {
            return s.reply().code() == 220;
        } catch (IOException e) {
            return false;
        }
    }

    private Optional<ProcessHandle> master() {
        try {
            long pid = Long.parseLong(Files.readString(SPOOL.resolve("pid/master.pid")).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    boolean alive() {
        return master().isPresent();
    }

    /** The process group of {@code pid}: field 5 of /proc/PID/stat (after the parenthesised name); -1 if unknown. */
    private static long processGroup(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[2]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    @Override
    public void kill9() throws IOException {
        Optional<ProcessHandle> master = master();
        if (master.isEmpty()) {
            throw new IOException("no Postfix master to kill");
        }
        List<ProcessHandle> all = new ArrayList<>();
        all.add(master.get());
        master.get().descendants().forEach(all::add);
        // One kill(2) for the whole process group (the master calls setsid(), its children stay in
        // its group): every process stops at the same instant, as a crash stops them. Killed one
        // by one, the last smtp(8) ran on for a millisecond or so after the first, long enough to
        // write the outcome of a reply it had just read: a head start the JVM, one process that
        // SIGKILL stops whole, never gets.
        long group = processGroup(master.get().pid());
        if (group == master.get().pid()) {
            Shell.run("kill", "-KILL", "--", "-" + group);
        }
        all.forEach(ProcessHandle::destroyForcibly); // any outside the group (none expected)
        Poll.until(Duration.ofSeconds(10), () -> all.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Override
    public boolean queueEmpty() {
        for (String q : QUEUES) {
            Path d = SPOOL.resolve(q);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(d)) {
                if (s.anyMatch(f -> Files.isRegularFile(f) && complete(f))) {
                    return false;
                }
            } catch (IOException | UncheckedIOException e) {
                return false; // a file moved meanwhile: not idle
            }
        }
        return true;
    }

    /**
     * Postfix marks a queue file complete with the owner-execute bit; a file without it is a
     * reception cut by the crash, never acknowledged, never delivered (Postfix's own start leaves
     * it to be removed when old).
     */
    private static boolean complete(Path f) {
        try {
            return Files.getPosixFilePermissions(f).contains(PosixFilePermission.OWNER_EXECUTE);
        } catch (IOException e) {
            return false; // gone meanwhile
        }
    }

    @Override
    public void close() {
        Shell.run("postfix", "-c", CONF.toString(), "stop");
        Poll.until(Duration.ofSeconds(20), () -> !alive());
        master().ifPresent(ProcessHandle::destroyForcibly);
    }
}
