package org.wormhole.relay.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.wormhole.relay.smtpd.policy.Cidr;

/**
 * The relay's effective configuration: every key of {@code config/wormhole.conf}, typed and
 * checked. Built by {@link ConfigLoader}; the meaning and default of each field is documented
 * once, in that file, under the key named in the comment.
 */
public record RelayConfig(
        String source,                      // where it was read from
        String myhostname,                  // myhostname
        InetSocketAddress listen,           // listen
        List<Cidr> mynetworks,              // mynetworks
        List<String> relayDomains,          // relay_domains
        long messageSizeLimit,              // message_size_limit
        int recipientLimit,                 // smtpd_recipient_limit
        Duration smtpdTimeout,              // smtpd_timeout
        int connectionLimit,                // smtpd_client_connection_limit
        Duration pregreetWait,              // smtpd_pregreet_wait
        Optional<Path> tlsCertFile,         // smtpd_tls_cert_file
        Optional<Path> tlsKeyFile,          // smtpd_tls_key_file
        Path queueDirectory,                // queue_directory
        long queueMinfree,                  // queue_minfree
        Path mailertable,                   // mailertable
        int hopcountLimit,                  // hopcount_limit
        Duration minimalBackoff,            // minimal_backoff_time
        Duration maximalBackoff,            // maximal_backoff_time
        Duration maximalQueueLifetime,      // maximal_queue_lifetime
        Duration delayWarningTime,          // delay_warning_time
        int destinationConcurrencyLimit,    // default_destination_concurrency_limit
        int processLimit,                   // default_process_limit
        int tsmtpConcurrencyLimit,          // tsmtp_destination_concurrency_limit
        Duration smtpConnectTimeout,        // smtp_connect_timeout
        Duration smtpCommandTimeout,        // smtp_command_timeout
        Duration smtpDataDoneTimeout,       // smtp_data_done_timeout
        TlsLevel smtpTlsSecurityLevel,      // smtp_tls_security_level
        int smtpPort,                       // smtp_port
        int lmtpPort,                       // lmtp_port
        Duration shutdownTimeout,           // shutdown_timeout
        Optional<InetSocketAddress> linkListen, // link_listen
        Path linkKeyDirectory,              // link_key_directory
        Duration keepaliveInterval,         // keepalive_interval
        int keepaliveCount,                 // keepalive_count
        Duration linkRekeyInterval,         // link_rekey_interval
        long linkRekeyBytes,                // link_rekey_bytes
        org.wormhole.relay.smtpd.ClientLimits.Settings smtpdClientLimits, // smtpd_client_connection_count_limit,
                                            // smtpd_client_connection_rate_limit, anvil_rate_time_unit
        long smtpdMinDataRate,              // smtpd_min_data_rate
        long smtpdLineLengthLimit,          // smtpd_line_length_limit (0: none of its own)
        boolean smtpdForbidNulInContent,    // smtpd_forbid_nul_in_content
        int smtpLineLengthLimit,            // smtp_line_length_limit
        Duration mailertableSettleTime,     // mailertable_settle_time
        Duration linkHandshakeTimeout,      // link_handshake_timeout
        List<PeerConfig> peers) {           // peers

    /** The default TCP port of the link. */
    public static final int DEFAULT_LINK_PORT = 4650;

    /**
     * One peer site (the {@code peers} block).
     *
     * @param name    its name: {@code tsmtp:NAME} routes to it
     * @param address where to dial it
     * @param port    its link port
     * @param pins    its accepted key pins
     * @param dial    whether this side dials it
     * @param protocol how mail reaches it: the link, or SMTP over TLS to a site still running a
     *                classic MTA
     */
    public record PeerConfig(String name, String address, int port, List<org.wormhole.link.Pin> pins, boolean dial,
                             Protocol protocol) {

        /** A peer reached over the link. */
        public PeerConfig(String name, String address, int port, List<org.wormhole.link.Pin> pins, boolean dial) {
            this(name, address, port, pins, dial, Protocol.LINK);
        }

        /** A peer's {@code protocol}: the link, or SMTP with implicit TLS or with STARTTLS. */
        public enum Protocol {
            LINK, SMTPS, STARTTLS;

            /** The port when the peer has none: the link's, 465 for SMTPS, 25 for STARTTLS. */
            public int defaultPort() {
                return switch (this) {
                    case LINK -> DEFAULT_LINK_PORT;
                    case SMTPS -> 465;
                    case STARTTLS -> 25;
                };
            }

            /** As written in the configuration. */
            public String keyword() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        /** True for a site that still runs a classic MTA (SMTP over TLS, no link). */
        public boolean classic() {
            return protocol != Protocol.LINK;
        }
    }

    /** Outbound STARTTLS policy (Postfix's smtp_tls_security_level). */
    public enum TlsLevel { NONE, MAY }
}
