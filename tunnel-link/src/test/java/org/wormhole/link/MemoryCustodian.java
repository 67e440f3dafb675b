package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A receiving relay's queue, in memory: every committed message is appended to {@link #queue()}
 * (so a message queued twice shows twice), with a record of its RESULT by message id; each
 * recipient is answered {@code 250 2.0.0 queued as Q<n>}. It can be told to refuse, as a relay
 * out of disk does. Thread-safe.
 */
final class MemoryCustodian implements Custodian {

    /** A message in the queue. */
    record Queued(String peer, String messageId, String queueId, byte[] content) {
    }

    private final List<Queued> queue = new CopyOnWriteArrayList<>();
    private final Map<String, CustodyResult> records = new ConcurrentHashMap<>();
    private final AtomicInteger queueIds = new AtomicInteger();
    private final BlockingQueue<String> begun = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> dropped = new LinkedBlockingQueue<>();
    private volatile String refusal;
    private volatile CustodyRefused custodyRefusal;

    /** From now on, {@link #begin} fails with {@code IOException(reason)}. */
    void refuse(String reason) {
        refusal = reason;
    }

    /** From now on, {@link #begin} refuses with {@code r}. */
    void refuse(CustodyRefused r) {
        custodyRefusal = r;
    }

    void accept() {
        refusal = null;
        custodyRefusal = null;
    }

    List<Queued> queue() {
        return List.copyOf(queue);
    }

    List<String> queuedIds() {
        List<String> ids = new ArrayList<>();
        queue.forEach(q -> ids.add(q.messageId()));
        return ids;
    }

    /** The one queued copy of {@code messageId}. */
    Queued only(String messageId) {
        List<Queued> copies = queue.stream().filter(q -> q.messageId().equals(messageId)).toList();
        assertEquals(1, copies.size(), "copies of " + messageId + " in the queue");
        return copies.get(0);
    }

    /** Waits for the next message whose receiving began. */
    String nextBegun() throws InterruptedException {
        return next(begun, "no message began arriving");
    }

    /** Waits for the next message dropped half-received. */
    String nextDropped() throws InterruptedException {
        return next(dropped, "no message was dropped");
    }

    private static String next(BlockingQueue<String> q, String otherwise) throws InterruptedException {
        String s = q.poll(20, TimeUnit.SECONDS);
        assertNotNull(s, otherwise);
        return s;
    }

    @Override
    public Optional<CustodyResult> known(String peer, String messageId) {
        return Optional.ofNullable(records.get(messageId));
    }

    @Override
    public Incoming begin(String peer, CustodyOffer offer) throws CustodyRefused, IOException {
        String reason = refusal;
        if (reason != null) {
            throw new IOException(reason);
        }
        CustodyRefused r = custodyRefusal;
        if (r != null) {
            throw r;
        }
        begun.add(offer.messageId());
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        return new Incoming() {
            @Override
            public OutputStream content() {
                return content;
            }

            @Override
            public CustodyResult commit() {
                String queueId = "Q" + queueIds.incrementAndGet();
                queue.add(new Queued(peer, offer.messageId(), queueId, content.toByteArray()));
                CustodyResult result = new CustodyResult(offer.messageId(), queueId, Collections.nCopies(
                        offer.recipients().size(), new RecipientReply(250, "2.0.0", "queued as " + queueId)));
                records.put(offer.messageId(), result);
                return result;
            }

            @Override
            public void abort() {
                dropped.add(offer.messageId());
            }
        };
    }
}
