package org.wormhole.relay.control;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.RecipientStatus;

/**
 * One queued message as {@code wormhole queue list --json} shows it: one JSON object on one line,
 * with the fields of Postfix's {@code postqueue -j} and the relay's own after them (every field
 * is described in relay/QUEUE-FORMAT.md, "Queue listing"). The same line is what the control
 * socket sends for each message of a {@code queue list} request, so the command prints the same
 * text with the relay running or not. Times are whole seconds since the epoch.
 *
 * @param queue              the queue the message is in (never {@code corrupt}: those are not listed)
 * @param id                 its queue id
 * @param arrivalTime        when it was accepted
 * @param size               its content's size in octets
 * @param sender             the envelope sender, empty for the null sender
 * @param recipients         the recipients still to be delivered, in RCPT order (as postqueue:
 *                           delivered and bounced ones are not listed)
 * @param finishedRecipients how many recipients are delivered or bounced already
 * @param client             how it came in: HELO name, address and protocol, as the queue file says
 * @param origin             for mail received over a link, {@code PEER MESSAGE-ID}; empty otherwise
 * @param delayWarningSent   whether the sender got a delay warning for it
 */
public record ListedMessage(QueueState queue, QueueId id, long arrivalTime, long size, String sender,
                            List<Recipient> recipients, int finishedRecipients, String client, String origin,
                            boolean delayWarningSent) {

    public ListedMessage {
        recipients = List.copyOf(recipients);
    }

    /**
     * A recipient still to be delivered.
     *
     * @param address         the recipient as given in RCPT TO
     * @param delayReason     why its last attempt failed; empty before any failure (then not written, as postqueue)
     * @param attempts        its delivery attempts so far
     * @param lastAttemptTime when it was last tried; 0 if never (written as {@code null})
     * @param nextAttemptTime when it is due (for mail on hold: once released)
     */
    public record Recipient(String address, String delayReason, int attempts, long lastAttemptTime,
                            long nextAttemptTime) {
    }

    /** What {@code m}'s queue file says. */
    public static ListedMessage of(QueuedMessage m) {
        List<Recipient> pending = new ArrayList<>();
        int finished = 0;
        for (RecipientState r : m.recipients()) {
            if (r.status() == RecipientStatus.PENDING) {
                pending.add(new Recipient(r.address(), r.lastError(), r.attempts(), seconds(r.lastAttemptMillis()),
                        seconds(r.nextAttemptMillis())));
            } else {
                finished++;
            }
        }
        return new ListedMessage(m.state(), m.id(), seconds(m.arrivalMillis()), m.contentLength(), m.sender(), pending,
                finished, m.client(), m.origin(), m.warned());
    }

    private static long seconds(long millis) {
        return Math.floorDiv(millis, 1000);
    }

    /** The message as one line of JSON (no line break in it, pure ASCII). */
    public String toJson() {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"queue_name\": ");
        JsonText.appendQuoted(sb, queue.directory());
        sb.append(", \"queue_id\": ");
        JsonText.appendQuoted(sb, id.value());
        sb.append(", \"arrival_time\": ").append(arrivalTime);
        sb.append(", \"message_size\": ").append(size);
        sb.append(", \"sender\": ");
        JsonText.appendQuoted(sb, sender);
        sb.append(", \"recipients\": [");
        for (int i = 0; i < recipients.size(); i++) {
            Recipient r = recipients.get(i);
            sb.append(i == 0 ? "{\"address\": " : ", {\"address\": ");
            JsonText.appendQuoted(sb, r.address());
            if (!r.delayReason().isEmpty()) {
                sb.append(", \"delay_reason\": ");
                JsonText.appendQuoted(sb, r.delayReason());
            }
            sb.append(", \"attempts\": ").append(r.attempts());
            sb.append(", \"last_attempt_time\": ").append(r.lastAttemptTime() == 0 ? "null" : Long.toString(r.lastAttemptTime()));
            sb.append(", \"next_attempt_time\": ").append(r.nextAttemptTime());
            sb.append('}');
        }
        sb.append("], \"finished_recipients\": ").append(finishedRecipients);
        sb.append(", \"client\": ");
        JsonText.appendQuoted(sb, client);
        sb.append(", \"origin\": ");
        if (origin.isEmpty()) {
            sb.append("null");
        } else {
            JsonText.appendQuoted(sb, origin);
        }
        sb.append(", \"delay_warning_sent\": ").append(delayWarningSent);
        return sb.append('}').toString();
    }

    /**
     * Reads a line {@link #toJson} wrote (with a JSON parser: the relay's Lightbend Config in
     * strict JSON mode).
     *
     * @throws IllegalArgumentException the line is not such an object
     */
    public static ListedMessage fromJson(String line) {
        Map<String, Object> o;
        try {
            o = ConfigFactory.parseString(line, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.JSON))
                    .root().unwrapped();
        } catch (ConfigException e) {
            throw new IllegalArgumentException("not a JSON object: " + e.getMessage());
        }
        List<Recipient> recipients = new ArrayList<>();
        for (Object r : required(o, "recipients", List.class)) {
            if (!(r instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException("'recipients' holds a " + r + ", not an object");
            }
            recipients.add(new Recipient(required(m, "address", String.class), optional(m, "delay_reason", String.class, ""),
                    required(m, "attempts", Number.class).intValue(),
                    optional(m, "last_attempt_time", Number.class, 0).longValue(),
                    required(m, "next_attempt_time", Number.class).longValue()));
        }
        return new ListedMessage(queue(required(o, "queue_name", String.class)),
                new QueueId(required(o, "queue_id", String.class)), required(o, "arrival_time", Number.class).longValue(),
                required(o, "message_size", Number.class).longValue(), required(o, "sender", String.class), recipients,
                required(o, "finished_recipients", Number.class).intValue(), required(o, "client", String.class),
                optional(o, "origin", String.class, ""), required(o, "delay_warning_sent", Boolean.class));
    }

    /** The field {@code key} of {@code o}, of {@code type}; IllegalArgumentException when it is missing or not one. */
    private static <T> T required(Map<?, ?> o, String key, Class<T> type) {
        Object v = o.get(key);
        if (!type.isInstance(v)) {
            throw new IllegalArgumentException("'" + key + "' is " + (v == null ? "missing" : "not a " + type.getSimpleName()
                    + ": " + v));
        }
        return type.cast(v);
    }

    /** As {@link #required}, with {@code absent} for a field that is missing or null. */
    private static <T> T optional(Map<?, ?> o, String key, Class<T> type, T absent) {
        return o.get(key) == null ? absent : required(o, key, type);
    }

    private static QueueState queue(String name) {
        for (QueueState s : QueueState.values()) {
            if (s.directory().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown queue '" + name + "'");
    }
}
