package org.wormhole.relay.config;

import static org.wormhole.relay.config.ConfigProblems.describe;
import static org.wormhole.relay.config.ConfigProblems.suggestion;
import static org.wormhole.relay.config.ConfigProblems.where;
import static org.wormhole.relay.config.ConfigValues.lanes;
import static org.wormhole.relay.config.ConfigValues.lineLengthLimit;
import static org.wormhole.relay.config.ConfigValues.listen;
import static org.wormhole.relay.config.ConfigValues.notNegative;
import static org.wormhole.relay.config.ConfigValues.port;
import static org.wormhole.relay.config.ConfigValues.positive;
import static org.wormhole.relay.config.ConfigValues.rekeyBytes;
import static org.wormhole.relay.config.ConfigValues.tlsLevel;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.wormhole.relay.smtpd.ClientLimits;
import org.wormhole.relay.smtpd.auth.AuthFailures;
import org.wormhole.relay.smtpd.auth.SenderLogin;
import org.wormhole.relay.smtpd.policy.Cidr;

/**
 * Reads the relay's configuration: a HOCON file (Lightbend Config) over the embedded defaults
 * of {@code config/wormhole.conf}. Every problem is reported, each as {@code FILE:LINE: what is
 * wrong}; an unknown key is a problem (a typo must not silently fall back to a default).
 */
public final class ConfigLoader {

    /** The defaults, packaged from {@code config/wormhole.conf}. */
    static final String DEFAULTS_RESOURCE = "/org/wormhole/relay/config/wormhole.conf";

    private final ConfigValues values;
    private final List<String> problems = new ArrayList<>();
    private Config config;

    private ConfigLoader(Path home) {
        this.values = new ConfigValues(home);
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

    private static RelayConfig parse(String name, Supplier<Config> user, Path home)
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
            if (!defaults.hasPath(e.getKey()) && !e.getKey().startsWith("peers.")
                    && !e.getKey().startsWith("services.") && !e.getKey().startsWith("forwards.")) {
                problems.add(where(name, e.getValue().origin()) + "unknown key '" + e.getKey() + "'"
                        + suggestion(e.getKey(), defaults));
            }
        }
        config = user.withFallback(defaults).resolve();
        SmtpdConfig smtpd = new SmtpdConfig(
                get("listen", k -> listen(config.getString(k))),
                get("mynetworks", k -> config.getStringList(k).stream().map(Cidr::parse).toList()),
                get("relay_domains", k -> config.getStringList(k).stream().map(ConfigValues::domain).toList()),
                number("message_size_limit", k -> positive(config.getBytes(k))),
                (int) number("smtpd_recipient_limit", k -> positive(config.getInt(k))),
                get("smtpd_timeout", k -> positive(config.getDuration(k))),
                (int) number("smtpd_client_connection_limit", k -> positive(config.getInt(k))),
                get("smtpd_pregreet_wait", k -> notNegative(config.getDuration(k))),
                get("smtpd_tls_cert_file", k -> values.optionalPath(config.getString(k))),
                get("smtpd_tls_key_file", k -> values.optionalPath(config.getString(k))),
                smtpdClientLimits(),
                number("smtpd_min_data_rate", k -> notNegative(config.getLong(k))),
                number("smtpd_line_length_limit", k -> notNegative(config.getBytes(k))),
                Boolean.TRUE.equals(get("smtpd_forbid_nul_in_content", config::getBoolean)));
        QueueConfig queue = new QueueConfig(
                get("queue_directory", k -> values.path(config.getString(k))),
                number("queue_minfree", k -> notNegative(config.getBytes(k))),
                (int) number("hopcount_limit", k -> positive(config.getInt(k))),
                get("minimal_backoff_time", k -> positive(config.getDuration(k))),
                get("maximal_backoff_time", k -> positive(config.getDuration(k))),
                get("maximal_queue_lifetime", k -> positive(config.getDuration(k))),
                get("delay_warning_time", k -> notNegative(config.getDuration(k))));
        MailertableConfig mailertable = new MailertableConfig(
                get("mailertable", k -> values.path(config.getString(k))),
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
                get("link_key_directory", k -> values.path(config.getString(k))),
                get("keepalive_interval", k -> positive(config.getDuration(k))),
                (int) number("keepalive_count", k -> positive(config.getInt(k))),
                get("link_rekey_interval", k -> notNegative(config.getDuration(k))),
                number("link_rekey_bytes", k -> rekeyBytes(config.getBytes(k))),
                get("link_handshake_timeout", k -> positive(config.getDuration(k))),
                get("link_minimal_backoff_time", k -> positive(config.getDuration(k))),
                get("link_maximal_backoff_time", k -> positive(config.getDuration(k))),
                get("link_connect_timeout", k -> positive(config.getDuration(k))),
                (int) number("link_lanes", k -> lanes(config.getInt(k))));
        SubmissionConfig submission = new SubmissionConfig(
                get("submission_listen", k -> config.getString(k).isBlank() ? Optional.<InetSocketAddress>empty()
                        : Optional.of(listen(config.getString(k)))),
                get("submission_users_file", k -> values.path(config.getString(k))),
                get("submission_sender_login", k -> SenderLogin.parse(config.getString(k))),
                authFailures());
        MetricsConfig metrics = new MetricsConfig(
                get("metrics_listen", k -> config.getString(k).isBlank() ? Optional.<InetSocketAddress>empty()
                        : Optional.of(listen(config.getString(k)))));
        List<RelayConfig.PeerConfig> peers = new PeersBlock(config, problems).read(name);
        RelayConfig c = new RelayConfig(
                name,
                get("myhostname", k -> values.hostname(config.getString(k))),
                get("shutdown_timeout", k -> positive(config.getDuration(k))),
                smtpd, queue, mailertable, delivery, link, metrics,
                peers,
                new LogConfig(get("log_format", k -> LogConfig.Format.parse(config.getString(k))),
                        get("syslog_name", k -> LogConfig.syslogName(config.getString(k)))),
                submission,
                new ServicesBlock(config, name, peerKinds(peers), problems).read());
        // Checks across keys, also when other keys are wrong: every problem in one run.
        if (smtpd.tlsCertFile() != null && smtpd.tlsKeyFile() != null
                && smtpd.tlsCertFile().isPresent() != smtpd.tlsKeyFile().isPresent()) {
            problems.add(where(name, config.getValue(smtpd.tlsCertFile().isPresent() ? "smtpd_tls_cert_file"
                    : "smtpd_tls_key_file").origin()) + "smtpd_tls_cert_file and smtpd_tls_key_file must be set together");
        }
        submissionNeedsTls(name, smtpd, submission);
        minimalNotLonger(name, user, "minimal_backoff_time", queue.minimalBackoff(),
                "maximal_backoff_time", queue.maximalBackoff());
        minimalNotLonger(name, user, "link_minimal_backoff_time", link.minimalBackoff(),
                "link_maximal_backoff_time", link.maximalBackoff());
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return c;
    }

    /** A submission listener needs the smtpd TLS files (AUTH only inside TLS) and a port of its own. */
    private void submissionNeedsTls(String name, SmtpdConfig smtpd, SubmissionConfig submission) {
        if (submission.listen() == null || submission.listen().isEmpty()) {
            return;
        }
        String at = where(name, config.getValue("submission_listen").origin());
        if (smtpd.tlsCertFile() != null && smtpd.tlsCertFile().isEmpty()) {
            problems.add(at + "submission_listen needs smtpd_tls_cert_file and smtpd_tls_key_file: AUTH is only"
                    + " offered inside TLS");
        }
        InetSocketAddress s = submission.listen().get();
        if (smtpd.listen() != null && s.getPort() != 0 && s.equals(smtpd.listen())) {
            problems.add(at + "submission_listen is the same address as listen (" + s.getAddress().getHostAddress()
                    + ":" + s.getPort() + ")");
        }
    }

    /** The AUTH failure limit of the submission listener; null when a key is wrong (the problem is recorded). */
    private AuthFailures.Settings authFailures() {
        long limit = number("submission_auth_failure_limit", k -> notNegative(config.getInt(k)));
        Duration window = get("submission_auth_failure_window", k -> positive(config.getDuration(k)));
        return window == null ? null : new AuthFailures.Settings((int) limit, window);
    }

    /** Each peer of the block by name, true for a classic one; a peer with a problem counts as a link peer. */
    private Map<String, Boolean> peerKinds(List<RelayConfig.PeerConfig> peers) {
        Map<String, Boolean> kinds = new java.util.TreeMap<>();
        if (config.hasPath("peers") && config.getValue("peers") instanceof com.typesafe.config.ConfigObject o) {
            o.keySet().forEach(k -> kinds.put(k, false));
        }
        peers.forEach(p -> kinds.put(p.name(), p.classic()));
        return kinds;
    }

    /**
     * Records a problem when a backoff's start is longer than its cap, at the line of the start
     * if the file sets it, else at the cap's. Nothing when either is wrong (already recorded).
     */
    private void minimalNotLonger(String name, Config user, String minimalKey, Duration minimal,
                                  String maximalKey, Duration maximal) {
        if (minimal != null && maximal != null && minimal.compareTo(maximal) > 0) {
            String set = user.hasPath(minimalKey) ? minimalKey : maximalKey;
            problems.add(where(name, config.getValue(set).origin()) + minimalKey + " is longer than " + maximalKey);
        }
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
        for (String block : List.of("peers", "services", "forwards")) {
            ConfigValue v = block.equals("services") ? ServicesBlock.withDefaults(effective.getValue(block)) : effective.getValue(block);
            sb.append(block).append(" = ").append(v.render(ConfigRenderOptions.concise())).append('\n');
        }
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

    /** Postfix's anvil limits for smtpd; null when a key is wrong (the problem is recorded). */
    private ClientLimits.Settings smtpdClientLimits() {
        long count = number("smtpd_client_connection_count_limit", k -> notNegative(config.getInt(k)));
        long rate = number("smtpd_client_connection_rate_limit", k -> notNegative(config.getInt(k)));
        Duration unit = get("anvil_rate_time_unit", k -> positive(config.getDuration(k)));
        return unit == null ? null : new ClientLimits.Settings((int) count, (int) rate, unit);
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
}
