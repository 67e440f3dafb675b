package org.wormhole.cli.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The demo sites' files: {@code samples/branch-office/}'s configurations and tables, moved onto
 * loopback (ports the system picks, the demo's stand-in hubs and this run's pins) and into the
 * demo's directory.
 */
final class SiteFiles {

    private SiteFiles() {
    }

    /** Birlinghoven: listens for the link on a free loopback port; Tokyo is a peer that dials it. */
    static Path writeBirlinghoven(Path home, int hubPort, String tokyoPin) throws IOException {
        Files.createDirectories(home);
        Files.writeString(home.resolve("mailertable"), """
                # Birlinghoven's table (samples/branch-office/birlinghoven/mailertable, on loopback).
                # This site's own domain: its internal mail hub.
                birlinghoven.example\tesmtp:[127.0.0.1]:%d
                .birlinghoven.example\tesmtp:[127.0.0.1]:%d
                # Tokyo's domain: through the link.
                tokyo.example\t\ttsmtp:tokyo
                .tokyo.example\t\ttsmtp:tokyo
                """.formatted(hubPort, hubPort));
        return writeConf(home, "Birlinghoven", "birlinghoven", "link_listen = \"127.0.0.1:0\"\n",
                peer("tokyo", "", tokyoPin, false));
    }

    /** Tokyo: the branch that dials Birlinghoven's link port; outside.example goes to the demo's MX. */
    static Path writeTokyo(Path home, int hubPort, int outsidePort, int birlinghovenLinkPort, String birlinghovenPin)
            throws IOException {
        Files.createDirectories(home);
        Files.writeString(home.resolve("mailertable"), """
                # Tokyo's table (samples/branch-office/tokyo/mailertable, on loopback).
                # This site's own domain: its internal mail hub.
                tokyo.example\t\tesmtp:[127.0.0.1]:%d
                .tokyo.example\t\tesmtp:[127.0.0.1]:%d
                # Birlinghoven's domain: through the link.
                birlinghoven.example\ttsmtp:birlinghoven
                .birlinghoven.example\ttsmtp:birlinghoven
                # The demo's stand-in for the internet. A real site has no line for outside domains:
                # the relay looks up their MX.
                outside.example\t\tesmtp:[127.0.0.1]:%d
                """.formatted(hubPort, hubPort, outsidePort));
        return writeConf(home, "Tokyo", "tokyo", "",
                peer("birlinghoven", "    port = " + birlinghovenLinkPort + "\n", birlinghovenPin, true));
    }

    /**
     * A site's wormhole.conf: samples/branch-office/SITE/wormhole.conf on loopback, in {@code home},
     * with short retries and its one peer; {@code linkListen} is its link_listen line, or empty.
     */
    private static Path writeConf(Path home, String site, String sample, String linkListen, String peer) throws IOException {
        String domain = sample + ".example";
        return Files.writeString(home.resolve("wormhole.conf"), """
                # %s (samples/branch-office/%s/wormhole.conf), written by 'wormhole demo':
                # loopback addresses, ports the system picks, this run's pins.
                myhostname = "relay.%s"
                listen = "127.0.0.1:0"
                relay_domains = ["%s", ".%s"]
                queue_directory = "%s"
                mailertable = "%s"
                %slink_key_directory = "%s"
                # Short retries: a demo waits seconds, not the default minutes.
                minimal_backoff_time = 2s
                maximal_backoff_time = 4s
                shutdown_timeout = 5s
                peers {
                %s}
                """.formatted(site, sample, domain, domain, domain, home.resolve("spool"), home.resolve("mailertable"),
                linkListen, home.resolve("keys"), peer));
    }

    /** A peer's block in {@code peers}: on loopback, {@code port} its port line or empty, pinned, dialed or not. */
    private static String peer(String name, String port, String pin, boolean dial) {
        return "  " + name + " {\n"
                + "    address = \"127.0.0.1\"\n"
                + port
                + "    pins = [\"" + pin + "\"]\n"
                + "    dial = " + dial + "\n"
                + "  }\n";
    }
}
