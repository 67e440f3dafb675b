package org.wormhole.relay.config;

import static org.wormhole.relay.config.ConfigProblems.describe;
import static org.wormhole.relay.config.ConfigProblems.where;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.wormhole.link.Pin;

/**
 * The {@code peers} block of the configuration: one {@link RelayConfig.PeerConfig} per peer,
 * every problem of every peer recorded at the line of the field that is wrong.
 */
final class PeersBlock {

    private final Config config;
    private final List<String> problems;

    /** @param problems where each problem found is added */
    PeersBlock(Config config, List<String> problems) {
        this.config = config;
        this.problems = problems;
    }

    private static final Set<String> PEER_FIELDS = Set.of("address", "port", "pins", "dial", "protocol");

    /**
     * The {@code peers} block: every problem of every peer reported, each at the line of the
     * field that is wrong (a missing field at the peer's line).
     */
    List<RelayConfig.PeerConfig> read(String name) {
        List<RelayConfig.PeerConfig> out = new ArrayList<>();
        ConfigObject block;
        try {
            block = config.getObject("peers");
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(describe(null, e));
            return out;
        }
        for (String peer : new TreeSet<>(block.keySet())) {
            ConfigValue value = block.get(peer);
            String at = where(name, value.origin()) + "peers." + peer + ": ";
            if (!(value instanceof ConfigObject object)) {
                problems.add(at + "expected a block { address = ..., pins = [...] }");
                continue;
            }
            PeerFields f = new PeerFields(name, peer, object.toConfig(), at);
            f.peer().ifPresent(out::add);
        }
        return out;
    }

    /** One peer's fields, each checked on its own, every problem recorded at its field's line. */
    private final class PeerFields {
        private final String name;
        private final String peer;
        private final Config p;
        private final String peerAt;
        private boolean bad;

        PeerFields(String name, String peer, Config p, String peerAt) {
            this.name = name;
            this.peer = peer;
            this.p = p;
            this.peerAt = peerAt;
        }

        Optional<RelayConfig.PeerConfig> peer() {
            if (!peer.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                problem(null, "a peer name is letters, digits, '.', '-', '_'");
            }
            for (String field : new TreeSet<>(p.root().keySet())) {
                if (!PEER_FIELDS.contains(field)) {
                    problem(field, "unknown field '" + field + "' (known: address, port, pins, dial, protocol)");
                }
            }
            String address = field("address", true, k -> {
                String a = p.getString(k);
                if (a.isBlank()) {
                    throw new IllegalArgumentException("address is empty");
                }
                return a;
            });
            RelayConfig.PeerConfig.Protocol protocol = field("protocol", false, k -> peerProtocol(p));
            Integer port = field("port", false, k -> ConfigValues.port(p.getInt(k)));
            List<Pin> pins = field("pins", true, k -> {
                List<String> texts = p.getStringList(k);
                if (texts.isEmpty() || texts.size() > 2) {
                    throw new IllegalArgumentException("pins must hold one pin, or two during a key rollover");
                }
                return texts.stream().map(Pin::parse).toList();
            });
            Boolean dial = field("dial", false, k -> p.getBoolean(k));
            if (protocol == null && !p.hasPath("protocol")) {
                protocol = RelayConfig.PeerConfig.Protocol.LINK;
            }
            if (dial == null && !p.hasPath("dial")) {
                dial = true;
            }
            if (dial != null && !dial && protocol != null && protocol != RelayConfig.PeerConfig.Protocol.LINK) {
                problem("dial", "dial = false is for link peers only: this relay delivers to a " + protocol.keyword()
                        + " peer by connecting to it");
            }
            if (port == null && !p.hasPath("port") && protocol != null) {
                port = protocol.defaultPort();
            }
            if (bad) {
                return Optional.empty();
            }
            return Optional.of(new RelayConfig.PeerConfig(peer, address, port, pins, dial, protocol));
        }

        /** A field's value, or null when it is wrong or (not required) absent. */
        private <T> T field(String field, boolean required, Function<String, T> read) {
            if (!p.hasPath(field)) {
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

        /** A problem at {@code field}'s line, or at the peer's when null. */
        private void problem(String field, String text) {
            bad = true;
            String at = field == null || !p.hasPath(field) ? peerAt
                    : where(name, p.getValue(field).origin()) + "peers." + peer + ": ";
            problems.add(at + text);
        }
    }

    /** A peer's {@code protocol}: link (the default), smtps or starttls. */
    private static RelayConfig.PeerConfig.Protocol peerProtocol(Config p) {
        if (!p.hasPath("protocol")) {
            return RelayConfig.PeerConfig.Protocol.LINK;
        }
        String text = p.getString("protocol");
        for (RelayConfig.PeerConfig.Protocol v : RelayConfig.PeerConfig.Protocol.values()) {
            if (v.keyword().equals(text)) {
                return v;
            }
        }
        throw new IllegalArgumentException("protocol '" + text + "' is not one of link, smtps, starttls");
    }
}
