package org.wormhole.link;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A message the sending relay hands to a link.
 *
 * @param messageId  stable across resends (PROTOCOL.md "Exactly once")
 * @param sender     the envelope sender, empty for {@code <>}
 * @param recipients the recipients for this peer
 * @param flags      bit 0 8BITMIME, bit 1 SMTPUTF8
 * @param size       octets of content
 * @param hops       Received: headers in the content
 * @param content    opens the content from its start (the queued bytes, exactly)
 */
public record OutboundMessage(String messageId, String sender, List<String> recipients, int flags, long size, int hops,
                              ContentSource content) {

    /** Opens the content; called once per (re)send. */
    @FunctionalInterface
    public interface ContentSource {
        InputStream open() throws IOException;
    }

    public OutboundMessage {
        recipients = List.copyOf(recipients);
    }
}
