package org.wormhole.relay.config;

import java.time.Duration;

/** What the delivery agents (smtp, lmtp, tsmtp) and their scheduling read. */
public record DeliveryConfig(
        int destinationConcurrencyLimit,    // default_destination_concurrency_limit
        int processLimit,                   // default_process_limit
        int tsmtpConcurrencyLimit,          // tsmtp_destination_concurrency_limit
        Duration connectTimeout,            // smtp_connect_timeout
        Duration commandTimeout,            // smtp_command_timeout
        Duration dataDoneTimeout,           // smtp_data_done_timeout
        RelayConfig.TlsLevel tlsSecurityLevel, // smtp_tls_security_level
        int smtpPort,                       // smtp_port
        int lmtpPort,                       // lmtp_port
        int lineLengthLimit) {              // smtp_line_length_limit
}
