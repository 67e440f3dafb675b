package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.BooleanSupplier;

/**
 * Waits for something a user would see, with a generous deadline (never asserts on time). The
 * same as test-harness's {@code Await}: test sources are not shared between modules.
 */
final class Await {

    private Await() {
    }

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(20); // the polling interval, not a wait for anything
        }
    }
}
