package org.wormhole.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The files of a bench run's sites (Tokyo and Birlinghoven as processes of the real launcher):
 * their keys and pins, wormhole.conf and mailertable, free ports, and removing it all.
 */
final class BenchSites {

    private final Path launcher;
    private final Path work;

    BenchSites(Path repo, Path work) {
        this.launcher = repo.resolve("relay/bin/wormhole");
        this.work = work;
    }

    /** Makes {@code site}'s key pair with {@code wormhole keygen}; returns its pin. */
    String keygen(String site) throws IOException, InterruptedException {
        exec(launcher.toString(), "keygen", "--dir", work.resolve(site + "/keys").toString(), "--name", site);
        return exec(launcher.toString(), "fingerprint", work.resolve(site + "/keys/site.crt").toString()).trim();
    }

    /** Writes {@code site}'s wormhole.conf (SMTP on {@code smtpPort}, its spool, keys and table under WORK/site) and mailertable. */
    void write(String site, int smtpPort, String mailertable, String extra) throws IOException {
        Path d = work.resolve(site);
        Files.createDirectories(d);
        Files.writeString(d.resolve("mailertable"), mailertable);
        Files.writeString(d.resolve("wormhole.conf"), "myhostname = relay." + site + ".example\n"
                + "listen = \"127.0.0.1:" + smtpPort + "\"\nsmtpd_pregreet_wait = 0s\n"
                + "queue_directory = \"" + d.resolve("spool") + "\"\nmailertable = \"" + d.resolve("mailertable") + "\"\n"
                + "link_key_directory = \"" + d.resolve("keys") + "\"\nshutdown_timeout = 10s\n" + extra);
    }

    /** {@code site}'s relay, not started; its log is WORK/site.log. */
    SiteProcess process(String site) {
        return new SiteProcess(launcher, work.resolve(site + "/wormhole.conf"), work.resolve(site + ".log"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
        return out;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
