package org.wormhole.link;

import java.io.IOException;
import java.util.Collections;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.ProtocolViolation;

/**
 * One message the peer is sending on one stream (PROTOCOL.md "Session"): its content is counted
 * against the offered size, checksummed, and either written to the custodian's
 * {@link Custodian.Incoming} or, for a message already accepted or one the custodian refused,
 * drained and answered with a RESULT fixed in advance.
 *
 * <p>Not thread-safe: {@link OfferReceiver} confines it to the session's reader thread (under its
 * lock) until END, then hands it to one settling thread for {@link #settle}.
 */
final class InboundStream {

    private static final Logger log = LoggerFactory.getLogger("link");

    private final Frame.Offer offer;
    private final CRC32C crc = new CRC32C();
    private Custodian.Incoming incoming; // null once draining or aborted
    private Frame.Result answer;         // the RESULT of a drained stream
    private long received;

    private InboundStream(Frame.Offer offer, Custodian.Incoming incoming, Frame.Result answer) {
        this.offer = offer;
        this.incoming = incoming;
        this.answer = answer;
    }

    /** A stream whose content goes to the custodian. */
    static InboundStream receiving(Frame.Offer offer, Custodian.Incoming incoming) {
        return new InboundStream(offer, incoming, null);
    }

    /** A stream whose content is checked and dropped, then answered with {@code answer}. */
    static InboundStream draining(Frame.Offer offer, Frame.Result answer) {
        return new InboundStream(offer, null, answer);
    }

    /** Every recipient of {@code offer} refused temporarily: the sender keeps the message. */
    static Frame.Result refusal(Frame.Offer offer, int code, String status, String text) {
        return new Frame.Result(offer.messageId(), "",
                Collections.nCopies(offer.recipients().size(), new Frame.RecipientResult(code, status, text)));
    }

    Frame.Offer offer() {
        return offer;
    }

    /**
     * Takes one CHUNK. If the custodian cannot write it (say the disk filled up), the message is
     * dropped and the stream drained, to be answered 452 4.3.1.
     *
     * @throws ProtocolViolation the content runs past the offered size (the message is dropped)
     */
    void take(byte[] chunk) throws ProtocolViolation {
        if (chunk.length > offer.size() - received) {
            abort();
            throw new ProtocolViolation("stream " + Integer.toUnsignedString(offer.stream()) + " carries more than the "
                    + offer.size() + " octets offered");
        }
        received += chunk.length;
        crc.update(chunk);
        if (incoming != null) {
            try {
                incoming.content().write(chunk);
            } catch (IOException e) {
                abort();
                answer = refusal(offer, 452, "4.3.1", "cannot store the message: " + reason(e));
            }
        }
    }

    /**
     * Checks the stream at END: all offered octets arrived, and their CRC-32C is the sender's.
     *
     * @throws ProtocolViolation they do not match (the message is dropped; the sender still has it)
     */
    void end(int crc32c) throws ProtocolViolation {
        String stream = Integer.toUnsignedString(offer.stream());
        if (received != offer.size()) {
            abort();
            throw new ProtocolViolation("stream " + stream + " ended after " + received + " of the " + offer.size()
                    + " octets offered");
        }
        if ((int) crc.getValue() != crc32c) {
            abort();
            throw new ProtocolViolation(String.format("stream %s: the content's CRC-32C is %08x, END says %08x", stream,
                    (int) crc.getValue(), crc32c));
        }
    }

    /**
     * After a good END: commits the message (custody passes) and returns the custodian's RESULT,
     * or the drained stream's answer. A failed commit drops the message and answers 452 4.3.1.
     * Called once, possibly slow (it fsyncs).
     */
    Frame.Result settle() {
        if (incoming == null) {
            return answer;
        }
        try {
            return WireRecords.frame(incoming.commit());
        } catch (IOException | RuntimeException e) {
            log.warn("message {} offered over the link not stored: {}", offer.messageId(), reason(e));
            abort();
            return refusal(offer, 452, "4.3.1", "cannot store the message: " + reason(e));
        }
    }

    /** Drops what the custodian has of the message, if anything; idempotent. */
    void abort() {
        Custodian.Incoming i = incoming;
        incoming = null;
        if (i != null) {
            try {
                i.abort();
            } catch (RuntimeException e) {
                log.warn("dropping message {} failed: {}", offer.messageId(), e.toString());
            }
        }
    }

    static String reason(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
