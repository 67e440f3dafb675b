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
        return Files.writeString(home.resolve("wormhole.conf"), """
                # Birlinghoven (samples/branch-office/birlinghoven/wormhole.conf), written by 'wormhole demo':
                # loopback addresses, ports the system picks, this run's pins.
                myhostname = "relay.birlinghoven.example"
                listen = "127.0.0.1:0"
                relay_domains = ["birlinghoven.example", ".birlinghoven.example"]
                queue_directory = "%s"
                mailertable = "%s"
                link_listen = "127.0.0.1:0"
                link_key_directory = "%s"
                # Short retries: a demo waits seconds, not the default minutes.
                minimal_backoff_time = 2s
                maximal_backoff_time = 4s
                shutdown_timeout = 5s
                peers {
                  tokyo {
                    address = "127.0.0.1"
                    pins = ["%s"]
                    dial = false
                  }
                }
                """.formatted(home.resolve("spool"), home.resolve("mailertable"), home.resolve("keys"), tokyoPin));
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
        return Files.writeString(home.resolve("wormhole.conf"), """
                # Tokyo (samples/branch-office/tokyo/wormhole.conf), written by 'wormhole demo':
                # loopback addresses, ports the system picks, this run's pins.
                myhostname = "relay.tokyo.example"
                listen = "127.0.0.1:0"
                relay_domains = ["tokyo.example", ".tokyo.example"]
                queue_directory = "%s"
                mailertable = "%s"
                link_key_directory = "%s"
                # Short retries: a demo waits seconds, not the default minutes.
                minimal_backoff_time = 2s
                maximal_backoff_time = 4s
                shutdown_timeout = 5s
                peers {
                  birlinghoven {
                    address = "127.0.0.1"
                    port = %d
                    pins = ["%s"]
                    dial = true
                  }
                }
                """.formatted(home.resolve("spool"), home.resolve("mailertable"), home.resolve("keys"),
                birlinghovenLinkPort, birlinghovenPin));
    }
}
