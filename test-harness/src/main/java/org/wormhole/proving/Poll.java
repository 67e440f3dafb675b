package org.wormhole.proving;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition, polled, with a deadline: the proving ground never sleeps and then counts. */
final class Poll {

    private Poll() {
    }

    /** True once {@code condition} holds, false if {@code max} passed first. */
    static boolean until(Duration max, BooleanSupplier condition) {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    static double secondsSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
