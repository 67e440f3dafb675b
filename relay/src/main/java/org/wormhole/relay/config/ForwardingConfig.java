package org.wormhole.relay.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Forwarded TCP services over the links (the {@code services} and {@code forwards} blocks): what
 * this site offers its peers, and the local listeners for what its peers offer it. Both sides are
 * explicit: a peer names a service only, never a host or a port.
 *
 * @param services what this site connects to for its peers
 * @param forwards this site's listeners, each one a service of one peer
 */
public record ForwardingConfig(List<Service> services, List<Forward> forwards) {

    /** Defaults of a service's optional fields (documented in config/wormhole.conf, "Forwarded services"). */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofHours(1);
    public static final int DEFAULT_MAX_STREAMS = 16;

    public ForwardingConfig {
        services = List.copyOf(services);
        forwards = List.copyOf(forwards);
    }

    public static ForwardingConfig none() {
        return new ForwardingConfig(List.of(), List.of());
    }

    /**
     * One service this site offers (a {@code services} entry).
     *
     * @param name           what a peer's OPEN names
     * @param host           where it connects (a name or an address, resolved at each connection)
     * @param port           and the port
     * @param peers          the peers it is offered to; any other is refused
     * @param connectTimeout how long a connection to host:port may take
     * @param idleTimeout    a stream with no octets either way for this long is closed
     * @param maxStreams     streams open to it at once, from all peers; one more is refused
     */
    public record Service(String name, String host, int port, Set<String> peers, Duration connectTimeout,
                          Duration idleTimeout, int maxStreams) {
        public Service {
            peers = Set.copyOf(peers);
        }

        /** host:port, as the configuration writes it. */
        public String target() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * One local listener for a peer's service (a {@code forwards} entry).
     *
     * @param name    its name in the configuration (for logs and status)
     * @param listen  where it accepts connections
     * @param peer    the peer that offers the service
     * @param service the service's name at that peer
     */
    public record Forward(String name, InetSocketAddress listen, String peer, String service) {
    }
}
