package org.wormhole.harness;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.wormhole.mailertable.Nexthop;
import org.wormhole.relay.Relay;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.config.RelayConfig;
import org.wormhole.relay.delivery.NexthopResolver;
import org.wormhole.relay.reload.ConfigSource;

/**
 * One Wormhole site for tests: a home directory with its config and mailertable, a relay started
 * from them, and a fake DNS for "the internet" (domain -> loopback port).
 */
final class TestSite implements AutoCloseable {

    final Path home;
    final Map<String, InetSocketAddress> dns = new ConcurrentHashMap<>();
    private String extraConfig;
    Relay relay;
    /** What the relay reported, over every start. */
    final RecordedEvents events = new RecordedEvents();
    /** The relay's clock; set before {@link #start} to control time. */
    Clock clock = Clock.systemUTC();

    TestSite(Path home, String mailertable, String extraConfig) throws Exception {
        this.home = home;
        this.extraConfig = extraConfig;
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/mailertable"), mailertable);
    }

    /** The fake DNS: MX of a domain is a loopback SMTP server of the test. */
    NexthopResolver resolver() {
        return (Nexthop n, int defaultPort) -> {
            String host = n.host();
            if (host.startsWith("[")) {
                String ip = host.substring(1, host.length() - 1);
                return List.of(new NexthopResolver.Target(host, new InetSocketAddress(ip, n.hasPort() ? n.port() : defaultPort)));
            }
            InetSocketAddress a = dns.get(host);
            if (a == null) {
                throw new NexthopResolver.ResolveFailure(false, "5.1.2", "Host or domain name not found: " + host);
            }
            return new ArrayList<>(List.of(new NexthopResolver.Target(host,
                    n.hasPort() ? new InetSocketAddress(a.getAddress(), n.port()) : a)));
        };
    }

    RelayConfig config() throws Exception {
        return ConfigLoader.fromText("test.conf", configText(), home);
    }

    /** The configuration as a file, for the command line's --config. */
    Path configFile() throws Exception {
        return Files.writeString(home.resolve("config/wormhole.conf"), configText());
    }

    private String configText() {
        return "myhostname = relay.test.example\n"
                + "listen = \"127.0.0.1:0\"\n"
                + "smtpd_pregreet_wait = 0s\n"
                + "minimal_backoff_time = 1s\n"
                + "maximal_backoff_time = 2s\n"
                + "shutdown_timeout = 5s\n"
                + "queue_directory = \"" + home.resolve("spool") + "\"\n"
                + "mailertable = \"" + home.resolve("config/mailertable") + "\"\n"
                + "mailertable_settle_time = 100ms\n" // edits in tests are saved whole
                + extraConfig;
    }

    TestSite start() throws Exception {
        relay = Relay.start(config(), resolver(), clock, events);
        return this;
    }

    /**
     * Starts the relay from its configuration file ({@link #configFile}), as {@code wormhole run
     * --config} does: a reload ({@code wormhole reload}) reads that file again.
     */
    TestSite startFromFile() throws Exception {
        ConfigSource source = new ConfigSource(configFile(), home);
        ConfigSource.Loaded loaded = source.load();
        relay = Relay.start(loaded.config(), resolver(), clock, events).reloadingFrom(source, loaded);
        return this;
    }

    int port() {
        return relay.smtpPort();
    }

    /**
     * The port the relay's link listens on; a {@code link_listen} port 0 becomes this port in the
     * configuration, so a restarted relay listens again where its peers dial.
     */
    int keepLinkPort() {
        int bound = relay.links().orElseThrow().linkPort();
        extraConfig = extraConfig.replace("link_listen = \"127.0.0.1:0\"", "link_listen = \"127.0.0.1:" + bound + "\"");
        return bound;
    }

    void restart() throws Exception {
        relay.close();
        start();
    }

    /** Stops the relay and starts it again on the same spool with {@code moreConfig} added. */
    void restartWith(String moreConfig, String lessConfig) throws Exception {
        relay.close();
        extraConfig = extraConfig.replace(lessConfig, "") + moreConfig;
        start();
    }

    @Override
    public void close() {
        if (relay != null) {
            relay.close();
        }
    }
}
