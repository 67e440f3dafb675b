package org.wormhole.relay.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.wormhole.link.Pin;

/**
 * The relay's effective configuration: every key of {@code config/wormhole.conf}, typed and
 * checked, in one section per part of the relay that reads it (the file itself stays flat, with
 * Postfix's key names), so each part gets its own section and two settings of different parts
 * cannot be swapped. Built by {@link ConfigLoader}; the meaning and default of each field is
 * documented once, in that file, under the key named in the comment.
 */
public record RelayConfig(
        String source,                      // where it was read from
        String myhostname,                  // myhostname
        Duration shutdownTimeout,           // shutdown_timeout
        SmtpdConfig smtpd,                  // smtpd_*, listen, mynetworks, relay_domains, message_size_limit
        QueueConfig queue,                  // queue_*, hopcount_limit, backoff times, queue lifetime, delay warning
        MailertableConfig mailertable,      // mailertable, mailertable_settle_time
        DeliveryConfig delivery,            // smtp_*, lmtp_port, concurrency and process limits
        LinkConfig link,                    // link_*, keepalive_*
        MetricsConfig metrics,              // metrics_listen
        List<PeerConfig> peers,             // peers
        LogConfig log,                      // log_format, syslog_name
        SubmissionConfig submission,        // submission_*
        ForwardingConfig forwarding) {      // services, forwards

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
    public record PeerConfig(String name, String address, int port, List<Pin> pins, boolean dial,
                             Protocol protocol) {

        /** A peer reached over the link. */
        public PeerConfig(String name, String address, int port, List<Pin> pins, boolean dial) {
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
                return name().toLowerCase(Locale.ROOT);
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
