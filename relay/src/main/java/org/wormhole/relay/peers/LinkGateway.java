package org.wormhole.relay.peers;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.wormhole.link.CustodyResult;
import org.wormhole.link.OutboundMessage;
import org.wormhole.mailertable.Nexthop;

/** How the {@code tsmtp} mailer reaches the links: the relay's configured peers and their state. */
public interface LinkGateway {

    /** The configured peer a {@code tsmtp} nexthop names: {@code tsmtp:NAME} or {@code tsmtp:[address]}. */
    Optional<String> peerFor(Nexthop nexthop);

    /**
     * Hands a message to the link to {@code peer}.
     *
     * @throws LinkDown the link is not up now
     */
    CompletableFuture<CustodyResult> offer(String peer, OutboundMessage message) throws LinkDown;

    /** The link to a peer is down; the reason says since when and why. */
    final class LinkDown extends Exception {
        public LinkDown(String reason) {
            super(reason, null, false, false);
        }
    }
}
