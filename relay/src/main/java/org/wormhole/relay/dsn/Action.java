package org.wormhole.relay.dsn;

/** What a delivery status notification reports for a recipient (RFC 3464 section 2.3.3). */
public enum Action {

    /** Delivery failed for good and will not be retried: the notice is a bounce. */
    FAILED("failed"),

    /** Delivery has not succeeded yet and is still being retried: the notice is a delay warning. */
    DELAYED("delayed");

    private final String keyword;

    Action(String keyword) {
        this.keyword = keyword;
    }

    /** The RFC 3464 action-value written in the {@code Action:} field, e.g. {@code failed}. */
    public String keyword() {
        return keyword;
    }
}
