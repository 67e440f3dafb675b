package org.wormhole.relay.peers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.Custodian;
import org.wormhole.link.CustodyOffer;
import org.wormhole.link.CustodyRefused;
import org.wormhole.link.CustodyResult;
import org.wormhole.link.RecipientReply;
import org.wormhole.relay.queue.BodyFlag;
import org.wormhole.relay.queue.FreeSpace;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.ReceivedHeader;
import org.wormhole.relay.queue.Spool;

/**
 * Takes custody of mail a peer site sends over the link: it goes into this relay's queue like
 * any other mail (its own mailertable decides where it goes here), with a trace header naming
 * the link, and is acknowledged only once it is on disk and recorded in the {@link LinkLedger}.
 */
public final class LinkCustody implements Custodian {

    private static final Logger log = LoggerFactory.getLogger("link");

    private final Spool spool;
    private final FreeSpace freeSpace;
    private final LinkLedger ledger;
    private final Consumer<QueueId> onQueued;
    private final String myhostname;
    private final Clock clock;

    public LinkCustody(Spool spool, FreeSpace freeSpace, LinkLedger ledger, Consumer<QueueId> onQueued,
                       String myhostname, Clock clock) {
        this.spool = spool;
        this.freeSpace = freeSpace;
        this.ledger = ledger;
        this.onQueued = onQueued;
        this.myhostname = myhostname;
        this.clock = clock;
    }

    @Override
    public Optional<CustodyResult> known(String peer, String messageId) {
        return ledger.get(peer, messageId).map(e -> result(messageId, e));
    }

    @Override
    public Incoming begin(String peer, CustodyOffer offer) throws CustodyRefused, IOException {
        Optional<String> shortage = freeSpace.shortage();
        if (shortage.isPresent()) { // answered 452 4.3.1: the peer keeps the message queued
            log.warn("link from {}: message {} refused for now: {}", peer, offer.messageId(), shortage.get());
            throw CustodyRefused.insufficientStorage(); // the details stay in this site's log
        }
        long now = clock.millis();
        Spool.Incoming in = spool.create(now, "link:" + peer, offer.sender(), offer.recipients(),
                BodyFlag.ofLinkBits(offer.flags()),
                peer + " " + offer.messageId());
        try {
            String received = ReceivedHeader.link(peer, myhostname, in.id().value(), offer.messageId(),
                    ZonedDateTime.now(clock));
            in.content().write(received.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            in.abort();
            throw e;
        }
        return new Incoming() {
            @Override
            public OutputStream content() {
                return in.content();
            }

            @Override
            public CustodyResult commit() throws IOException {
                LinkLedger.Entry e;
                // One commit per id at a time: a resend that raced its first copy (a link dropped
                // while the first was being committed) finds it recorded here and is dropped.
                synchronized (ledger.lockFor(peer, offer.messageId())) {
                    Optional<LinkLedger.Entry> already = ledger.get(peer, offer.messageId());
                    if (already.isPresent()) {
                        in.abort();
                        log.info("{}: resend of link message {} from {} dropped: already queued as {}", in.id(),
                                offer.messageId(), peer, already.get().queueId());
                        return result(offer.messageId(), already.get());
                    }
                    in.commit(offer.hops() + 1);
                    e = new LinkLedger.Entry(in.id().value(), offer.recipients().size());
                    ledger.record(peer, offer.messageId(), e, clock.millis());
                }
                log.info("{}: from=<{}>, size={}, nrcpt={}, via link:{} (peer message {})", in.id(), offer.sender(),
                        in.contentLength(), offer.recipients().size(), peer, offer.messageId());
                onQueued.accept(in.id());
                return result(offer.messageId(), e);
            }

            @Override
            public void abort() {
                in.abort();
            }
        };
    }

    private static CustodyResult result(String messageId, LinkLedger.Entry e) {
        List<RecipientReply> r = new ArrayList<>();
        for (int i = 0; i < e.recipients(); i++) {
            r.add(new RecipientReply(250, "2.0.0", "queued as " + e.queueId()));
        }
        return new CustodyResult(messageId, e.queueId(), r);
    }
}
