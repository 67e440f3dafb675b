package org.wormhole.relay.qmgr;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * At most so many simultaneous deliveries to one destination (Postfix's
 * default_destination_concurrency_limit, and per mailer as its
 * {@code transport_destination_concurrency_limit}). A destination is known only while a delivery
 * to it runs or waits: the last one to leave forgets it, so mail to ever new destinations does
 * not fill the memory. Thread-safe.
 */
final class DestinationLimiter {

    /** The permits of one destination and how many deliveries use them (running or waiting). */
    private static final class Permits {
        final Semaphore semaphore;
        /** Changed only inside the map's {@code compute} for its destination, which orders every change. */
        int users;

        Permits(int limit) {
            this.semaphore = new Semaphore(limit, true);
        }
    }

    private final ConcurrentHashMap<String, Permits> permits = new ConcurrentHashMap<>();

    /**
     * Runs {@code work} once fewer than {@code limit} deliveries to {@code destination} run. The
     * limit of the call that finds the destination unknown holds until it is forgotten again.
     */
    <T> T run(String destination, int limit, Supplier<T> work) throws InterruptedException {
        Permits p = permits.compute(destination, (d, known) -> {
            Permits used = known != null ? known : new Permits(limit);
            used.users++;
            return used;
        });
        try {
            p.semaphore.acquire();
            try {
                return work.get();
            } finally {
                p.semaphore.release();
            }
        } finally {
            permits.compute(destination, (d, known) -> --known.users == 0 ? null : known);
        }
    }

    /** How many destinations have a delivery running or waiting now. */
    int destinations() {
        return permits.size();
    }
}
