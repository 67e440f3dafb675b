package org.wormhole.link;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The receiving relay's side of custody transfer, implemented by the relay: it decides whether
 * an offered message is new, writes it into its own queue, and makes it durable before the link
 * acknowledges it (PROTOCOL.md "Session" and "Exactly once"). Called from link threads.
 */
public interface Custodian {

    /** The stored RESULT of a message already accepted from {@code peer}, if it is one. */
    Optional<CustodyResult> known(String peer, String messageId);

    /**
     * Starts receiving an offered message.
     *
     * @throws CustodyRefused the custodian refuses it (no disk, queue over its limit): the link
     *                       answers the refusal's reply for every recipient; with a 4xx the sender
     *                       keeps it for a later try
     * @throws IOException   it cannot be started (a write failed): answered 452 4.3.1 with the
     *                       error's message, and the sender keeps it
     */
    Incoming begin(String peer, CustodyOffer offer) throws CustodyRefused, IOException;

    /** A message being received. */
    interface Incoming {
        /** Where the content goes, exactly as the sending site stored it. */
        OutputStream content();

        /**
         * Makes the message durable in the queue (file and directory fsynced), records its id
         * so a resend is recognised, and returns the RESULT to send. Only then has custody passed.
         */
        CustodyResult commit() throws IOException;

        /** Drops it: the link failed, or the content did not match its size or checksum. */
        void abort();
    }
}
