package org.wormhole.relay.reload;

import java.util.Set;

/**
 * The keys a reload applies to the running relay; a change to any other key (including keys
 * this list does not know yet) is reported as needing a restart and not applied. The header of
 * config/wormhole.conf says the same. {@code peers} is live too, when the relay can apply it (it
 * runs links, and the classic peers stay as they were): the relay decides that per reload.
 */
public final class LiveKeys {

    /**
     * Read by SMTP sessions accepted after the reload (a session in progress keeps what it began
     * with), and by delivery attempts begun after it. {@code smtpd_tls_cert_file} and
     * {@code smtpd_tls_key_file} are live while STARTTLS stays on; turning it on or off needs a
     * restart.
     */
    public static final Set<String> LIVE = Set.of(
            "mynetworks", "relay_domains", "message_size_limit", "smtpd_recipient_limit",
            "smtpd_client_connection_count_limit", "smtpd_client_connection_rate_limit", "anvil_rate_time_unit",
            "smtpd_pregreet_wait", "smtpd_line_length_limit", "smtpd_forbid_nul_in_content",
            "smtpd_tls_cert_file", "smtpd_tls_key_file",
            "queue_minfree", "hopcount_limit", "minimal_backoff_time", "maximal_backoff_time", "maximal_queue_lifetime",
            "delay_warning_time", "default_destination_concurrency_limit", "shutdown_timeout");

    private LiveKeys() {
    }

    public static boolean isLive(String key) {
        return LIVE.contains(key);
    }
}
