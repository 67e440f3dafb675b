package org.wormhole.relay.dsn;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.wormhole.relay.queue.MailDates;

/**
 * Everything one notice says, checked by {@link DsnBuilder}: the values both its human-readable
 * and its machine-readable part are written from.
 *
 * @param kind               bounce ({@link Action#FAILED}) or delay warning ({@link Action#DELAYED})
 * @param reportingMta       our host name
 * @param zone               the time zone dates are written in
 * @param queueId            the original message's queue id
 * @param sender             the original envelope sender, the notice's recipient
 * @param arrival            when the original message was received
 * @param now                when the notice is written
 * @param retryUntil         when the relay gives up on the original message
 * @param delayWarningAfter  how long delivery was late when a delay warning went out, or null
 * @param recipients         the recipients reported on, all with action {@code kind}
 * @param headersTruncated   whether the returned header section was cut at the size limit
 */
record Notice(Action kind, String reportingMta, ZoneId zone, String queueId, String sender, Instant arrival,
        Instant now, Instant retryUntil, Duration delayWarningAfter, List<FailedRecipient> recipients,
        boolean headersTruncated) {

    String date(Instant instant) {
        return MailDates.format(instant, zone);
    }
}
