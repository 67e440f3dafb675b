package org.wormhole.relay.queue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * What a queue file says: the envelope, the recipients' states and where the content is.
 * A snapshot: the file may change after it was read.
 *
 * @param id             the queue id
 * @param state          the directory the file was found in
 * @param file           the file
 * @param arrivalMillis  when the message was accepted (epoch ms)
 * @param client         how it came in: helo, address, protocol (informational)
 * @param sender         the envelope sender; empty for the null sender {@code <>}
 * @param recipients     every recipient with its state, in RCPT order
 * @param flags          what the content needs of the next hop
 * @param hops           Received: headers counted in the content
 * @param origin         for mail received over a link: {@code PEER MESSAGE-ID}; empty otherwise
 * @param contentOffset  where the content starts in the file
 * @param contentLength  the content's length in octets
 * @param warned         a delay warning was sent
 * @param validLength    the file length up to the last valid status record
 * @param contentCrc32c  the content's CRC-32C as the writer computed it (version 2 files);
 *                       empty for version 1 files, which have none
 */
public record QueuedMessage(QueueId id, QueueState state, Path file, long arrivalMillis, String client,
                            String sender, List<RecipientState> recipients, Set<BodyFlag> flags, int hops,
                            String origin, long contentOffset, long contentLength, boolean warned, long validLength,
                            OptionalLong contentCrc32c) {

    public List<RecipientState> pending() {
        return recipients.stream().filter(r -> r.status() == RecipientStatus.PENDING).toList();
    }

    /** When the earliest pending recipient is due; {@link Long#MAX_VALUE} if none is pending. */
    public long nextAttemptMillis() {
        return pending().stream().mapToLong(RecipientState::nextAttemptMillis).min().orElse(Long.MAX_VALUE);
    }

    public boolean isNullSender() {
        return sender.isEmpty();
    }

    /** The last error of any pending recipient, for queue listings. */
    public String lastError() {
        return pending().stream().map(RecipientState::lastError).filter(e -> !e.isEmpty()).findFirst().orElse("");
    }
}
