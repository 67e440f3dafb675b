package org.wormhole.relay.config;

import static org.wormhole.relay.config.ConfigProblems.describe;
import static org.wormhole.relay.config.ConfigProblems.where;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@code services} and {@code forwards} blocks ({@link ForwardingConfig}): every problem of
 * every entry recorded at the line of the field that is wrong, an entry's own line when a field
 * is missing. A peer named must be a link peer of the {@code peers} block.
 */
final class ServicesBlock {

    private static final Set<String> SERVICE_FIELDS = Set.of("connect", "peers", "connect_timeout", "idle_timeout",
            "max_streams");
    private static final Set<String> FORWARD_FIELDS = Set.of("listen", "peer", "service");

    private final Config config;
    private final String name;
    private final List<String> problems;
    private final Map<String, Boolean> peers; // name -> classic

    /**
     * @param peers    the peers block as read, by name: true for a classic peer (no link)
     * @param problems where each problem found is added
     */
    ServicesBlock(Config config, String name, Map<String, Boolean> peers, List<String> problems) {
        this.config = config;
        this.name = name;
        this.peers = peers;
        this.problems = problems;
    }

    ForwardingConfig read() {
        List<ForwardingConfig.Service> services = new ArrayList<>();
        List<ForwardingConfig.Forward> forwards = new ArrayList<>();
        each("services", SERVICE_FIELDS, "{ connect = \"host:port\", peers = [...] }", e -> {
            String[] target = e.field("connect", true, k -> hostAndPort(e.c.getString(k)));
            Set<String> to = e.field("peers", true, k -> {
                List<String> list = e.c.getStringList(k);
                if (list.isEmpty()) {
                    throw new IllegalArgumentException("peers is empty: name the peers this service is offered to");
                }
                for (String p : list) {
                    linkPeer(p);
                }
                return new LinkedHashSet<>(list);
            });
            Duration connect = e.optional("connect_timeout", ForwardingConfig.DEFAULT_CONNECT_TIMEOUT,
                    k -> ConfigValues.positive(e.c.getDuration(k)));
            Duration idle = e.optional("idle_timeout", ForwardingConfig.DEFAULT_IDLE_TIMEOUT,
                    k -> ConfigValues.positive(e.c.getDuration(k)));
            Integer max = e.optional("max_streams", ForwardingConfig.DEFAULT_MAX_STREAMS,
                    k -> (int) ConfigValues.positive(e.c.getInt(k)));
            if (!e.bad) {
                services.add(new ForwardingConfig.Service(e.entry, target[0], Integer.parseInt(target[1]), to, connect,
                        idle, max));
            }
        });
        Map<InetSocketAddress, String> listening = new HashMap<>();
        each("forwards", FORWARD_FIELDS, "{ listen = \"127.0.0.1:PORT\", peer = NAME, service = NAME }", e -> {
            InetSocketAddress listen = e.field("listen", true, k -> {
                InetSocketAddress a = ConfigValues.listen(e.c.getString(k));
                String other = a.getPort() == 0 ? null : listening.putIfAbsent(a, e.entry);
                if (other != null) {
                    throw new IllegalArgumentException("forwards." + other + " listens on " + e.c.getString(k) + " already");
                }
                return a;
            });
            String peer = e.field("peer", true, k -> linkPeer(e.c.getString(k)));
            String service = e.field("service", true, k -> serviceName(e.c.getString(k)));
            if (!e.bad) {
                forwards.add(new ForwardingConfig.Forward(e.entry, listen, peer, service));
            }
        });
        return new ForwardingConfig(services, forwards);
    }

    /**
     * The services block as {@code config check} shows it: each service with its optional fields'
     * defaults filled in (an entry that is not a block stays as it is: the check reports it).
     */
    static ConfigValue withDefaults(ConfigValue services) {
        if (!(services instanceof ConfigObject block)) {
            return services;
        }
        Config defaults = com.typesafe.config.ConfigFactory.parseMap(Map.of(
                "connect_timeout", ForwardingConfig.DEFAULT_CONNECT_TIMEOUT.toSeconds() + "s",
                "idle_timeout", ForwardingConfig.DEFAULT_IDLE_TIMEOUT.toSeconds() + "s",
                "max_streams", ForwardingConfig.DEFAULT_MAX_STREAMS));
        ConfigObject out = block;
        for (String entry : block.keySet()) {
            if (block.get(entry) instanceof ConfigObject o) {
                out = out.withValue(entry, o.withFallback(defaults.root()));
            }
        }
        return out;
    }

    /** A service's name: what an OPEN carries (PROTOCOL.md "Streams"). */
    static String serviceName(String s) {
        if (!s.matches("[a-z0-9][a-z0-9_.-]{0,63}")) {
            throw new IllegalArgumentException("'" + s + "': a service name is 1..64 lower-case letters, digits, '.', '-', '_'");
        }
        return s;
    }

    private String linkPeer(String p) {
        Boolean classic = peers.get(p);
        if (classic == null) {
            throw new IllegalArgumentException("unknown peer '" + p + "' (the peers block names "
                    + (peers.isEmpty() ? "none" : String.join(", ", new TreeSet<>(peers.keySet()))) + ")");
        }
        if (classic) {
            throw new IllegalArgumentException("peer '" + p + "' is a classic MTA: services go over a link only");
        }
        return p;
    }

    /** "host:port" or "[v6]:port": the port is required, the host is not resolved here. */
    private static String[] hostAndPort(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + s + "': expected host:port, e.g. mail.example:143");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException("'" + s + "': write an IPv6 address in brackets, e.g. [::1]:143");
        }
        if (!host.matches("[A-Za-z0-9._:-]+")) {
            throw new IllegalArgumentException("'" + host + "' is not a host name or an address");
        }
        int port = ConfigValues.port(ConfigValues.parseInt(s.substring(colon + 1), s));
        if (port == 0) {
            throw new IllegalArgumentException("'" + s + "': port 0 is no port to connect to");
        }
        return new String[] {host, Integer.toString(port)};
    }

    private void each(String block, Set<String> known, String shape, java.util.function.Consumer<Entry> read) {
        ConfigObject object;
        try {
            object = config.getObject(block);
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(describe(null, e));
            return;
        }
        for (String entry : new TreeSet<>(object.keySet())) {
            ConfigValue value = object.get(entry);
            String at = where(name, value.origin()) + block + "." + entry + ": ";
            if (!(value instanceof ConfigObject o)) {
                problems.add(at + "expected a block " + shape);
                continue;
            }
            Entry e = new Entry(block, entry, o.toConfig(), at);
            try {
                serviceName(entry);
            } catch (IllegalArgumentException x) {
                e.problem(null, x.getMessage());
            }
            for (String field : new TreeSet<>(e.c.root().keySet())) {
                if (!known.contains(field)) {
                    e.problem(field, "unknown field '" + field + "' (known: " + String.join(", ", new TreeSet<>(known)) + ")");
                }
            }
            read.accept(e);
        }
    }

    /** One entry's fields, each checked on its own. */
    private final class Entry {
        final String block;
        final String entry;
        final Config c;
        final String at;
        boolean bad;

        Entry(String block, String entry, Config c, String at) {
            this.block = block;
            this.entry = entry;
            this.c = c;
            this.at = at;
        }

        <T> T optional(String field, T dflt, Function<String, T> read) {
            return c.hasPath(field) ? field(field, false, read) : dflt;
        }

        <T> T field(String field, boolean required, Function<String, T> read) {
            if (!c.hasPath(field)) {
                if (required) {
                    problem(null, field + " is missing");
                }
                return null;
            }
            try {
                return read.apply(field);
            } catch (com.typesafe.config.ConfigException e) {
                problem(field, e.getMessage().replaceFirst("^.*?: \\d+: ", ""));
            } catch (IllegalArgumentException e) {
                problem(field, e.getMessage());
            }
            return null;
        }

        void problem(String field, String text) {
            bad = true;
            String where = field == null || !c.hasPath(field) ? at
                    : where(name, c.getValue(field).origin()) + block + "." + entry + ": ";
            problems.add(where + (field == null ? "" : field + ": ") + text);
        }
    }
}
