package org.wormhole.relay.qmgr;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * At most so many simultaneous deliveries to one destination (Postfix's
 * default_destination_concurrency_limit, and per mailer as its
 * {@code transport_destination_concurrency_limit}). Thread-safe.
 */
final class DestinationLimiter {

    private final ConcurrentHashMap<String, Semaphore> permits = new ConcurrentHashMap<>();

    /** Runs {@code work} once fewer than {@code limit} deliveries to {@code destination} run (the first call's limit holds). */
    <T> T run(String destination, int limit, Supplier<T> work) throws InterruptedException {
        Semaphore s = permits.computeIfAbsent(destination, d -> new Semaphore(limit, true));
        s.acquire();
        try {
            return work.get();
        } finally {
            s.release();
        }
    }
}
