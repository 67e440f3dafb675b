package org.wormhole.relay.qmgr;

/**
 * What an operator asked for a message: done at once, or, while a delivery attempt of the
 * message runs, when that attempt ends.
 */
enum AfterAttempt {
    /** Into {@code hold/}: kept, not delivered until released. */
    HOLD("held"),
    /** Deleted, wherever its file is (postsuper -d). */
    DELETE("removed by the operator");

    private final String done;

    AfterAttempt(String done) {
        this.done = done;
    }

    /** What the log says has been done to the message: "held", "removed by the operator". */
    String done() {
        return done;
    }
}
