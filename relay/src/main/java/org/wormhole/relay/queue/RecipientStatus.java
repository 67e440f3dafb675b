package org.wormhole.relay.queue;

/** Where one recipient of a queued message stands. */
public enum RecipientStatus {
    /** Not yet delivered: due now, or deferred until its next attempt. */
    PENDING("pending"),
    /** Delivered (or discarded): never sent again. */
    SENT("sent"),
    /** Failed for good; the sender was notified unless the sender was {@code <>}. */
    BOUNCED("bounced");

    private final String word;

    RecipientStatus(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    public boolean isFinal() {
        return this != PENDING;
    }

    static RecipientStatus parse(String word) {
        for (RecipientStatus s : values()) {
            if (s.word.equals(word)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown recipient status '" + word + "'");
    }
}
