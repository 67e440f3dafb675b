package org.wormhole.relay.queue;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * RFC 5322 date-time text, e.g. {@code Mon, 2 Jun 2025 10:00:00 +0000}: the one formatter for
 * every date the relay writes into mail (trace headers, notices).
 */
public final class MailDates {

    private static final DateTimeFormatter RFC_5322 =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    /** The last date formatted: every message queued in the same second gets the same text. */
    private record Formatted(long epochSecond, ZoneId zone, String text) {
    }

    private static volatile Formatted last;

    private MailDates() {
    }

    /** {@code instant} as an RFC 5322 date-time in {@code zone}, to the second. */
    public static String format(Instant instant, ZoneId zone) {
        return format(instant.atZone(zone));
    }

    /** {@code time} as an RFC 5322 date-time in its own zone, to the second. */
    public static String format(ZonedDateTime time) {
        Formatted f = last;
        long second = time.toEpochSecond();
        if (f != null && f.epochSecond() == second && f.zone().equals(time.getZone())) {
            return f.text();
        }
        String text = RFC_5322.format(time);
        last = new Formatted(second, time.getZone(), text);
        return text;
    }
}
