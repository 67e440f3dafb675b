package org.wormhole.relay;

import java.io.IOException;
import java.util.Optional;
import org.wormhole.link.Custodian;
import org.wormhole.link.CustodyOffer;
import org.wormhole.link.CustodyRefused;
import org.wormhole.link.CustodyResult;

/**
 * The relay's custodian as its links know it from the start, handing each offer to the real one
 * ({@code LinkCustody}) once that exists: its ledger is rebuilt from every queued file at start,
 * which takes a while on a large backlog, and SMTP need not wait for it. The relay starts its
 * links only after {@link #open}, so no offer arrives before; one that did would be answered
 * 4xx (the sender keeps the message). Thread-safe.
 */
final class LedgerFirstCustodian implements Custodian {

    private volatile Custodian custodian;

    /** From now on offers go to {@code opened}. */
    void open(Custodian opened) {
        this.custodian = opened;
    }

    @Override
    public Optional<CustodyResult> known(String peer, String messageId) {
        Custodian c = custodian;
        return c == null ? Optional.empty() : c.known(peer, messageId);
    }

    @Override
    public Incoming begin(String peer, CustodyOffer offer) throws CustodyRefused, IOException {
        Custodian c = custodian;
        if (c == null) {
            throw new IOException("the relay is starting: its link ledger is not read yet");
        }
        return c.begin(peer, offer);
    }
}
