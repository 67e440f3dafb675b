package org.wormhole.link;

import org.wormhole.link.wire.Frame;

/** Between the frames on the wire and the records of the public API. */
final class WireRecords {

    private WireRecords() {
    }

    static CustodyOffer offer(Frame.Offer o) {
        return new CustodyOffer(o.messageId(), o.sender(), o.recipients(), o.flags(), o.size(), o.hops());
    }

    static CustodyResult result(Frame.Result r) {
        return new CustodyResult(r.messageId(), r.queueId(), r.results().stream()
                .map(x -> new RecipientReply(x.code(), x.status(), x.text())).toList());
    }

    static Frame.Result frame(CustodyResult r) {
        return new Frame.Result(r.messageId(), r.queueId(), r.replies().stream()
                .map(x -> new Frame.RecipientResult(x.code(), x.status(), x.text())).toList());
    }
}
