package org.wormhole.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something a user would see, with a generous deadline (never asserts on time): the one
 * poll-until of every module's tests.
 */
public final class Await {

    /** Generous on a loaded machine; a test that passes never waits this long. */
    public static final Duration DEADLINE = Duration.ofSeconds(30);

    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /**
     * Returns as soon as {@code condition} holds; fails the test, naming {@code what}, if it does
     * not within {@link #DEADLINE}.
     *
     * @param what what the test waits for, as the failure reads: "timed out after 30 s waiting for " + what
     */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        until(() -> what, condition);
    }

    /**
     * As {@link #until(String, BooleanSupplier)}, with what the test waits for worded when it fails:
     * for a failure that shows the state at the deadline (a transcript, a status).
     */
    public static void until(Supplier<String> what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out after " + DEADLINE.toSeconds() + " s waiting for " + what.get());
            }
            Thread.sleep(POLL_MILLIS); // the polling interval, not a wait for anything
        }
    }
}
