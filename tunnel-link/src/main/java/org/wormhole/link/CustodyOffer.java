package org.wormhole.link;

import java.util.List;

/**
 * A message a peer offers this site, as its custodian sees it (PROTOCOL.md, OFFER): the envelope,
 * what the content needs of the next hop ({@code flags}: 1 8BITMIME, 2 SMTPUTF8), its size and
 * its hop count so far.
 *
 * @param messageId the sending site's id for it, the key of "exactly once"
 */
public record CustodyOffer(String messageId, String sender, List<String> recipients, int flags, long size, int hops) {
    public CustodyOffer {
        recipients = List.copyOf(recipients);
    }
}
