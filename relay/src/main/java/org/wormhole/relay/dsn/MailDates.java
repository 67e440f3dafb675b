package org.wormhole.relay.dsn;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** RFC 5322 date-time text, e.g. {@code Mon, 2 Jun 2025 10:00:00 +0000}. */
final class MailDates {

    private static final DateTimeFormatter RFC_5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    private MailDates() {
    }

    /** {@code instant} as an RFC 5322 date-time in {@code zone}, to the second. */
    static String format(Instant instant, ZoneId zone) {
        return RFC_5322.format(instant.atZone(zone));
    }
}
