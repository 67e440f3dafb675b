package org.wormhole.proving;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.wormhole.bench.DelayingProxy;
import org.wormhole.link.SiteIdentity;

/**
 * The two sites on loopback, as real processes: the load goes to Tokyo's SMTP port; Tokyo dials
 * Birlinghoven's link port through a {@link DelayingProxy} (round trip 0: it is there to cut the
 * link); Birlinghoven delivers {@code birlinghoven.example} to {@link #hub}, the sink that counts.
 * Tokyo's own domain goes to the same sink, and {@code outside.example} (a domain neither site
 * serves) to {@link #outside}: anything that arrives there was relayed for a stranger.
 *
 * <p>Both relays listen on 127.0.0.1 with {@code mynetworks = ["127.0.0.1/32"]}: the load comes from
 * 127.0.0.1, probes and floods from 127.0.0.2 and up, addresses outside mynetworks. The ports are
 * chosen free once and kept, so that a relay restarted after a crash is where its clients expect it.
 */
final class Sites implements AutoCloseable {

    static final String TOKYO_HOST = "relay.tokyo.example";
    static final String BIRL_HOST = "relay.birlinghoven.example";
    static final String FINAL_RCPT = "bob@birlinghoven.example";

    final Path dir;
    final Sink hub;
    final Sink outside;
    final DelayingProxy wan;
    final WormholeProcess tokyo;
    final WormholeProcess birl;
    final int tokyoSmtp;
    final int birlSmtp;
    final int birlLink;

    Sites(Path dir, Path jar, String extraConfig) throws IOException, InterruptedException {
        this.dir = dir;
        this.hub = new Sink("hub.birlinghoven.example", BIRL_HOST);
        this.outside = new Sink("mx.outside.example", TOKYO_HOST);
        this.tokyoSmtp = freePort();
        this.birlSmtp = freePort();
        this.birlLink = freePort();
        this.wan = new DelayingProxy(new InetSocketAddress("127.0.0.1", birlLink), Duration.ZERO);
        Path tokyoHome = Files.createDirectories(dir.resolve("tokyo"));
        Path birlHome = Files.createDirectories(dir.resolve("birlinghoven"));
        String tokyoPin = SiteIdentity.generate(tokyoHome.resolve("keys"), "tokyo", Duration.ofDays(365)).pin().toString();
        String birlPin = SiteIdentity.generate(birlHome.resolve("keys"), "birlinghoven", Duration.ofDays(365)).pin().toString();

        Files.writeString(birlHome.resolve("mailertable"), """
                birlinghoven.example\tesmtp:[127.0.0.1]:%d
                tokyo.example\t\ttsmtp:tokyo
                """.formatted(hub.port()));
        Path birlConf = Files.writeString(birlHome.resolve("wormhole.conf"), common(BIRL_HOST, birlSmtp, birlHome, extraConfig)
                + """
                relay_domains = ["birlinghoven.example"]
                link_listen = "127.0.0.1:%d"
                peers {
                  tokyo {
                    address = "127.0.0.1"
                    pins = ["%s"]
                    dial = false
                  }
                }
                """.formatted(birlLink, tokyoPin));
        Files.writeString(tokyoHome.resolve("mailertable"), """
                tokyo.example\t\tesmtp:[127.0.0.1]:%d
                birlinghoven.example\ttsmtp:birlinghoven
                outside.example\t\tesmtp:[127.0.0.1]:%d
                """.formatted(hub.port(), outside.port()));
        Path tokyoConf = Files.writeString(tokyoHome.resolve("wormhole.conf"), common(TOKYO_HOST, tokyoSmtp, tokyoHome, extraConfig)
                + """
                relay_domains = ["tokyo.example"]
                peers {
                  birlinghoven {
                    address = "127.0.0.1"
                    port = %d
                    pins = ["%s"]
                    dial = true
                  }
                }
                """.formatted(wan.port(), birlPin));
        this.birl = new WormholeProcess("birlinghoven", birlHome, birlConf, jar);
        this.tokyo = new WormholeProcess("tokyo", tokyoHome, tokyoConf, jar);
        Runtime.getRuntime().addShutdownHook(stopOnExit);
        try {
            birl.start();
            tokyo.start();
            if (!Poll.until(Duration.ofSeconds(60), () -> tokyo.logSinceStart().contains("link to birlinghoven up"))) {
                throw new IOException("the link did not come up; Tokyo's log ends with:\n  " + String.join("\n  ", tokyo.tail(15)));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Ctrl-C or a failure: the relay processes do not outlive the proving ground. */
    private final Thread stopOnExit = new Thread(this::stopRelays, "proving-ground-stop");

    private void stopRelays() {
        tokyo.close();
        birl.close();
    }

    private static String common(String host, int smtpPort, Path home, String extra) {
        return """
                # written by the proving ground (test-harness/proving-ground)
                myhostname = "%s"
                listen = "127.0.0.1:%d"
                mynetworks = ["127.0.0.1/32"]
                queue_directory = "%s"
                mailertable = "%s"
                link_key_directory = "%s"
                smtpd_pregreet_wait = 0s
                message_size_limit = 20M
                minimal_backoff_time = 1s
                maximal_backoff_time = 2s
                shutdown_timeout = 5s
                %s
                """.formatted(host, smtpPort, home.resolve("spool"), home.resolve("mailertable"), home.resolve("keys"), extra);
    }

    /**
     * A port free now, drawn at random below the kernel's ephemeral range. The proving ground
     * restarts a relay on the ports it started with, and a port of the ephemeral range can be the
     * local port of an outgoing connection by then (a link has lanes: many connections, redialed
     * at every kill), which fails the restart with "address already in use". Ports below the
     * range are never given to outgoing connections.
     */
    static int freePort() throws IOException {
        int below = ephemeralLow();
        int from = 10_000;
        int to = Math.max(from + 1_000, below) - 1;
        for (int i = 0; i < 200; i++) {
            int port = from + RANDOM.nextInt(to - from + 1);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // another listener has it: draw again
            }
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static final Random RANDOM = new Random();

    /** The first port of the kernel's ephemeral range (Linux's default 32768 if unreadable). */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    boolean queuesEmpty() {
        return tokyo.queueEmpty() && birl.queueEmpty();
    }

    /** Makes sure both relays run (a trial that failed half-way may have left one down). */
    void ensureRunning() throws IOException, InterruptedException {
        if (!birl.alive()) {
            birl.start();
        }
        if (!tokyo.alive()) {
            tokyo.start();
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException | IllegalArgumentException shuttingDown) {
            // the hook runs already, or was never added
        }
        stopRelays();
        wan.close();
        hub.close();
        outside.close();
    }
}
