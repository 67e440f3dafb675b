package org.wormhole.relay.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import org.wormhole.relay.smtpd.policy.Cidr;

/**
 * Reads the relay's configuration: a HOCON file (Lightbend Config) over the embedded defaults
 * of {@code config/wormhole.conf}. Every problem is reported, each as {@code FILE:LINE: what is
 * wrong}; an unknown key is a problem (a typo must not silently fall back to a default).
 */
public final class ConfigLoader {

    /** The defaults, packaged from {@code config/wormhole.conf}. */
    static final String DEFAULTS_RESOURCE = "/org/wormhole/relay/config/wormhole.conf";

    private final Path home;
    private final List<String> problems = new ArrayList<>();
    private Config config;

    private ConfigLoader(Path home) {
        this.home = home;
    }

    /**
     * Loads {@code file} over the defaults.
     *
     * @param home what relative paths are relative to (WORMHOLE_HOME)
     */
    public static RelayConfig load(Path file, Path home) throws ConfigException {
        if (!Files.isReadable(file)) {
            throw new ConfigException(List.of(file + ": cannot read " + (Files.exists(file) ? "(permission denied)" : "(no such file)")));
        }
        return parse(file.toString(), () -> ConfigFactory.parseFile(file.toFile(),
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false)), home);
    }

    /** Loads configuration text over the defaults (for tests and tools). */
    public static RelayConfig fromText(String name, String text, Path home) throws ConfigException {
        return parse(name, () -> ConfigFactory.parseString(text,
                ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setOriginDescription(name)), home);
    }

    /** The embedded defaults alone. */
    public static RelayConfig defaults(Path home) throws ConfigException {
        return fromText("defaults", "", home);
    }

    private static RelayConfig parse(String name, java.util.function.Supplier<Config> user, Path home)
            throws ConfigException {
        Config parsed;
        try {
            parsed = user.get();
        } catch (com.typesafe.config.ConfigException e) {
            throw new ConfigException(List.of(describe(name, e)));
        }
        return new ConfigLoader(home).build(name, parsed);
    }

    private RelayConfig build(String name, Config user) throws ConfigException {
        Config defaults = defaultsConfig();
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            if (!defaults.hasPath(e.getKey()) && !e.getKey().startsWith("peers.")) {
                problems.add(where(name, e.getValue().origin()) + "unknown key '" + e.getKey() + "'"
                        + suggestion(e.getKey(), defaults));
            }
        }
        config = user.withFallback(defaults).resolve();
        SmtpdConfig smtpd = new SmtpdConfig(
                get("listen", k -> listen(config.getString(k))),
                get("mynetworks", k -> config.getStringList(k).stream().map(Cidr::parse).toList()),
                get("relay_domains", k -> config.getStringList(k).stream().map(ConfigLoader::domain).toList()),
                number("message_size_limit", k -> positive(config.getBytes(k))),
                (int) number("smtpd_recipient_limit", k -> positive(config.getInt(k))),
                get("smtpd_timeout", k -> positive(config.getDuration(k))),
                (int) number("smtpd_client_connection_limit", k -> positive(config.getInt(k))),
                get("smtpd_pregreet_wait", k -> notNegative(config.getDuration(k))),
                get("smtpd_tls_cert_file", k -> optionalPath(config.getString(k))),
                get("smtpd_tls_key_file", k -> optionalPath(config.getString(k))),
                smtpdClientLimits(),
                number("smtpd_min_data_rate", k -> notNegative(config.getLong(k))),
                number("smtpd_line_length_limit", k -> notNegative(config.getBytes(k))),
                Boolean.TRUE.equals(get("smtpd_forbid_nul_in_content", config::getBoolean)));
        QueueConfig queue = new QueueConfig(
                get("queue_directory", k -> path(config.getString(k))),
                number("queue_minfree", k -> notNegative(config.getBytes(k))),
                (int) number("hopcount_limit", k -> positive(config.getInt(k))),
                get("minimal_backoff_time", k -> positive(config.getDuration(k))),
                get("maximal_backoff_time", k -> positive(config.getDuration(k))),
                get("maximal_queue_lifetime", k -> positive(config.getDuration(k))),
                get("delay_warning_time", k -> notNegative(config.getDuration(k))));
        MailertableConfig mailertable = new MailertableConfig(
                get("mailertable", k -> path(config.getString(k))),
                get("mailertable_settle_time", k -> notNegative(config.getDuration(k))));
        DeliveryConfig delivery = new DeliveryConfig(
                (int) number("default_destination_concurrency_limit", k -> positive(config.getInt(k))),
                (int) number("default_process_limit", k -> positive(config.getInt(k))),
                (int) number("tsmtp_destination_concurrency_limit", k -> positive(config.getInt(k))),
                get("smtp_connect_timeout", k -> positive(config.getDuration(k))),
                get("smtp_command_timeout", k -> positive(config.getDuration(k))),
                get("smtp_data_done_timeout", k -> positive(config.getDuration(k))),
                get("smtp_tls_security_level", k -> tlsLevel(config.getString(k))),
                (int) number("smtp_port", k -> (long) port(config.getInt(k))),
                (int) number("lmtp_port", k -> (long) port(config.getInt(k))),
                (int) number("smtp_line_length_limit", k -> lineLengthLimit(config.getInt(k))));
        LinkConfig link = new LinkConfig(
                get("link_listen", k -> config.getString(k).isBlank() ? Optional.<InetSocketAddress>empty()
                        : Optional.of(listen(config.getString(k)))),
                get("link_key_directory", k -> path(config.getString(k))),
                get("keepalive_interval", k -> positive(config.getDuration(k))),
                (int) number("keepalive_count", k -> positive(config.getInt(k))),
                get("link_rekey_interval", k -> notNegative(config.getDuration(k))),
                number("link_rekey_bytes", k -> rekeyBytes(config.getBytes(k))),
                get("link_handshake_timeout", k -> positive(config.getDuration(k))));
        RelayConfig c = new RelayConfig(
                name,
                get("myhostname", k -> hostname(config.getString(k))),
                get("shutdown_timeout", k -> positive(config.getDuration(k))),
                smtpd, queue, mailertable, delivery, link,
                peers(name));
        // Checks across keys, also when other keys are wrong: every problem in one run.
        if (smtpd.tlsCertFile() != null && smtpd.tlsKeyFile() != null
                && smtpd.tlsCertFile().isPresent() != smtpd.tlsKeyFile().isPresent()) {
            problems.add(where(name, config.getValue(smtpd.tlsCertFile().isPresent() ? "smtpd_tls_cert_file"
                    : "smtpd_tls_key_file").origin()) + "smtpd_tls_cert_file and smtpd_tls_key_file must be set together");
        }
        if (queue.minimalBackoff() != null && queue.maximalBackoff() != null
                && queue.minimalBackoff().compareTo(queue.maximalBackoff()) > 0) {
            String set = user.hasPath("minimal_backoff_time") ? "minimal_backoff_time" : "maximal_backoff_time";
            problems.add(where(name, config.getValue(set).origin())
                    + "minimal_backoff_time is longer than maximal_backoff_time");
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return c;
    }

    /**
     * The effective configuration as HOCON, every key with its value, in the order of the
     * reference file: what {@code wormhole config check} prints.
     */
    public static String render(String name, Path file, Path home) throws ConfigException {
        Config user = file == null ? ConfigFactory.empty()
                : ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        Config effective = user.withFallback(defaultsConfig()).resolve();
        StringBuilder sb = new StringBuilder();
        for (String key : keysInReferenceOrder()) {
            sb.append(key).append(" = ")
                    .append(effective.getValue(key).render(ConfigRenderOptions.concise())).append('\n');
        }
        sb.append("peers = ").append(effective.getValue("peers").render(ConfigRenderOptions.concise())).append('\n');
        return sb.toString();
    }

    /**
     * Where {@code file} sets each key, for problems found after loading (what {@code wormhole
     * config check} finds on disk): {@code FILE:LINE: } for a key the file sets, {@code FILE: }
     * for one left at its default. Call only on a file that {@link #load} accepted.
     */
    public static Function<String, String> origins(Path file) {
        Config user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        String name = file.toString();
        return key -> user.hasPath(key) ? where(name, user.getValue(key).origin()) : name + ": ";
    }

    private static List<String> keysInReferenceOrder() {
        List<String> keys = new ArrayList<>();
        for (String line : defaultsText().split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#") && l.contains("=")) {
                keys.add(l.substring(0, l.indexOf('=')).strip());
            }
        }
        return keys;
    }

    private <T> T get(String key, Function<String, T> read) {
        try {
            return read.apply(key);
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(describe(null, e));
        } catch (IllegalArgumentException e) {
            problems.add(where(null, config.getValue(key).origin()) + key + ": " + e.getMessage());
        }
        return null;
    }

    private static final java.util.Set<String> PEER_FIELDS = java.util.Set.of("address", "port", "pins", "dial", "protocol");

    /**
     * The {@code peers} block: every problem of every peer reported, each at the line of the
     * field that is wrong (a missing field at the peer's line).
     */
    private List<RelayConfig.PeerConfig> peers(String name) {
        List<RelayConfig.PeerConfig> out = new ArrayList<>();
        com.typesafe.config.ConfigObject block;
        try {
            block = config.getObject("peers");
        } catch (com.typesafe.config.ConfigException e) {
            problems.add(describe(null, e));
            return out;
        }
        for (String peer : new java.util.TreeSet<>(block.keySet())) {
            ConfigValue value = block.get(peer);
            String at = where(name, value.origin()) + "peers." + peer + ": ";
            if (!(value instanceof com.typesafe.config.ConfigObject object)) {
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
            for (String field : new java.util.TreeSet<>(p.root().keySet())) {
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
            Integer port = field("port", false, k -> port(p.getInt(k)));
            List<org.wormhole.link.Pin> pins = field("pins", true, k -> {
                List<String> texts = p.getStringList(k);
                if (texts.isEmpty() || texts.size() > 2) {
                    throw new IllegalArgumentException("pins must hold one pin, or two during a key rollover");
                }
                return texts.stream().map(org.wormhole.link.Pin::parse).toList();
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

    /** Postfix's anvil limits for smtpd; null when a key is wrong (the problem is recorded). */
    private org.wormhole.relay.smtpd.ClientLimits.Settings smtpdClientLimits() {
        long count = number("smtpd_client_connection_count_limit", k -> notNegative(config.getInt(k)));
        long rate = number("smtpd_client_connection_rate_limit", k -> notNegative(config.getInt(k)));
        Duration unit = get("anvil_rate_time_unit", k -> positive(config.getDuration(k)));
        return unit == null ? null : new org.wormhole.relay.smtpd.ClientLimits.Settings((int) count, (int) rate, unit);
    }

    /** A number; 0 when it is wrong (the problem is recorded and the result never used). */
    private long number(String key, Function<String, Long> read) {
        Long v = get(key, read);
        return v == null ? 0 : v;
    }

    private static Config defaultsConfig() {
        return ConfigFactory.parseString(defaultsText(),
                ConfigParseOptions.defaults().setOriginDescription("defaults (config/wormhole.conf)"));
    }

    private static String defaultsText() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("embedded defaults " + DEFAULTS_RESOURCE + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String where(String name, ConfigOrigin origin) {
        String file = origin.filename() != null ? origin.filename() : origin.description().replaceFirst(": \\d+$", "");
        if (name != null && origin.filename() == null && origin.description().startsWith("String")) {
            file = name;
        }
        return origin.lineNumber() > 0 ? file + ":" + origin.lineNumber() + ": " : file + ": ";
    }

    private static String describe(String name, com.typesafe.config.ConfigException e) {
        String msg = e.getMessage();
        if (e.origin() != null) {
            // Lightbend prefixes "desc: line: "; keep only its own words.
            String prefix = e.origin().description() + ": ";
            if (msg.startsWith(prefix)) {
                msg = msg.substring(prefix.length());
            }
            return where(name, e.origin()) + msg;
        }
        return (name == null ? "" : name + ": ") + msg;
    }

    private static String suggestion(String key, Config defaults) {
        String best = null;
        int bestDistance = 4;
        for (String k : new TreeSet<>(defaults.root().keySet())) {
            int d = distance(key, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** Levenshtein distance, for "did you mean". */
    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private String hostname(String s) {
        if (s.isBlank()) {
            return MachineHostname.get();
        }
        return domain(s);
    }

    private static String domain(String s) {
        String d = s.strip().toLowerCase(Locale.ROOT);
        String bare = d.startsWith(".") ? d.substring(1) : d;
        if (bare.isEmpty() || !bare.matches("[a-z0-9_-]+(\\.[a-z0-9_-]+)*\\.?")) {
            throw new IllegalArgumentException("'" + s + "' is not a domain name");
        }
        return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
    }

    private static InetSocketAddress listen(String s) {
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("'" + s + "': expected address:port, e.g. 127.0.0.1:2525");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = port(parseInt(s.substring(colon + 1), s));
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + host + "' is not an address of this machine");
        }
    }

    private static int parseInt(String text, String whole) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + whole + "': bad port '" + text + "'");
        }
    }

    private static int port(int p) {
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("port " + p + " is not 0-65535");
        }
        return p;
    }

    private Optional<Path> optionalPath(String s) {
        return s.isBlank() ? Optional.empty() : Optional.of(path(s));
    }

    private Path path(String s) {
        Path p = Path.of(s);
        return p.isAbsolute() ? p : home.resolve(p).normalize();
    }

    private static long positive(long v) {
        if (v <= 0) {
            throw new IllegalArgumentException("must be greater than 0");
        }
        return v;
    }

    private static Duration positive(Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be longer than 0s");
        }
        return d;
    }

    /** 0 (never), or enough octets that rekeying cannot become a storm of KeyUpdates. */
    private static long rekeyBytes(long v) {
        if (v != 0 && v < MIN_REKEY_BYTES) {
            throw new IllegalArgumentException("must be 0 (never) or at least 64KiB");
        }
        return v;
    }

    private static final long MIN_REKEY_BYTES = 64 * 1024;

    /** smtp_line_length_limit: 0 (no folding), else room for content after the space of a fold. */
    private static long lineLengthLimit(int v) {
        int min = org.wormhole.relay.delivery.smtp.SmtpClientOptions.MIN_LINE_LENGTH_LIMIT;
        if (v != 0 && v < min) {
            throw new IllegalArgumentException("must be 0 (no folding) or at least " + min + ": " + v);
        }
        return v;
    }

    private static long notNegative(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("must not be negative");
        }
        return v;
    }

    private static Duration notNegative(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("must not be negative");
        }
        return d;
    }

    private static RelayConfig.TlsLevel tlsLevel(String s) {
        return switch (s.strip().toLowerCase(Locale.ROOT)) {
            case "may" -> RelayConfig.TlsLevel.MAY;
            case "none" -> RelayConfig.TlsLevel.NONE;
            default -> throw new IllegalArgumentException("'" + s + "': expected may or none");
        };
    }
}
