package org.wormhole.relay.qmgr;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When a deferred recipient is tried again: after {@code minimal}, then twice the previous wait
 * each time, never more than {@code maximal}; each wait is shortened by up to 10% at random so
 * mail that failed together does not retry in lock step.
 */
public record RetryPolicy(Duration minimal, Duration maximal) {

    /** The wait after the {@code attempts}-th failed attempt (1 = the first failure). */
    public long delayMillis(int attempts) {
        long max = maximal.toMillis();
        long wait = Math.min(max, minimal.toMillis());
        for (int i = 1; i < attempts && wait < max; i++) {
            wait = Math.min(max, wait * 2);
        }
        return wait - (long) (wait * 0.1 * ThreadLocalRandom.current().nextDouble());
    }
}
