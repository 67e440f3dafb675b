package org.wormhole.relay.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.wormhole.relay.smtpd.ClientLimits;
import org.wormhole.relay.smtpd.policy.Cidr;

/** What the SMTP server (smtpd) reads: where it listens, whom it serves, and its limits. */
public record SmtpdConfig(
        InetSocketAddress listen,           // listen
        List<Cidr> mynetworks,              // mynetworks
        List<String> relayDomains,          // relay_domains
        long messageSizeLimit,              // message_size_limit
        int recipientLimit,                 // smtpd_recipient_limit
        Duration timeout,                   // smtpd_timeout
        int connectionLimit,                // smtpd_client_connection_limit
        Duration pregreetWait,              // smtpd_pregreet_wait
        Optional<Path> tlsCertFile,         // smtpd_tls_cert_file
        Optional<Path> tlsKeyFile,          // smtpd_tls_key_file
        ClientLimits.Settings clientLimits, // smtpd_client_connection_count_limit,
                                            // smtpd_client_connection_rate_limit, anvil_rate_time_unit
        long minDataRate,                   // smtpd_min_data_rate
        long lineLengthLimit,               // smtpd_line_length_limit (0: none of its own)
        boolean forbidNulInContent) {       // smtpd_forbid_nul_in_content
}
