package org.wormhole.relay.qmgr;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * At most {@code limit} simultaneous deliveries to one destination (Postfix's
 * default_destination_concurrency_limit). Thread-safe.
 */
final class DestinationLimiter {

    private final int limit;
    private final ConcurrentHashMap<String, Semaphore> permits = new ConcurrentHashMap<>();

    DestinationLimiter(int limit) {
        this.limit = limit;
    }

    <T> T run(String destination, Supplier<T> work) throws InterruptedException {
        Semaphore s = permits.computeIfAbsent(destination, d -> new Semaphore(limit, true));
        s.acquire();
        try {
            return work.get();
        } finally {
            s.release();
        }
    }
}
