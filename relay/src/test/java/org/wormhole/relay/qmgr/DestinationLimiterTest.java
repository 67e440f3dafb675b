package org.wormhole.relay.qmgr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The per-destination concurrency limit: a destination is remembered only while a delivery to it
 * runs or waits, so a relay that has sent to a hundred thousand domains keeps no trace of them.
 */
class DestinationLimiterTest {

    private final DestinationLimiter limiter = new DestinationLimiter();

    @Test
    void manyDestinationsOneAfterAnotherLeaveNothingBehind() throws Exception {
        for (int i = 0; i < 100_000; i++) {
            String destination = "esmtp:[mx.domain" + i + ".example]:25";
            int seen = limiter.run(destination, 20, limiter::destinations);
            assertEquals(1, seen, "while delivering to " + destination + " it is the one destination known");
        }
        assertEquals(0, limiter.destinations(), "destinations known after the last delivery");
    }

    @Test
    void aDestinationIsKnownWhileItsDeliveriesRunAndForgottenWhenTheLastEnds() throws Exception {
        CountDownLatch bothRunning = new CountDownLatch(2);
        CountDownLatch finish = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> deliveries = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                deliveries.add(threads.submit(() -> limiter.run("tsmtp:tokyo", 2, () -> {
                    bothRunning.countDown();
                    await(finish);
                    return "sent";
                })));
            }
            assertTrue(bothRunning.await(10, TimeUnit.SECONDS), "two deliveries to tokyo run at once");
            assertEquals(1, limiter.destinations(), "destinations known while they run");
            finish.countDown();
            for (Future<String> d : deliveries) {
                assertEquals("sent", d.get(10, TimeUnit.SECONDS));
            }
            assertEquals(0, limiter.destinations(), "destinations known after both ended");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void underContentionNoDestinationExceedsItsLimitAndNoneIsLeftBehind() throws Exception {
        int limit = 2;
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger mostAtOnce = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                int worker = w;
                workers.add(threads.submit(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        String destination = "esmtp:[mx" + (i + worker) % 3 + ".example]:25";
                        limiter.run(destination, limit, () -> {
                            AtomicInteger now = running.computeIfAbsent(destination, d -> new AtomicInteger());
                            mostAtOnce.accumulateAndGet(now.incrementAndGet(), Math::max);
                            now.decrementAndGet();
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertTrue(mostAtOnce.get() <= limit, "most deliveries to one destination at once: " + mostAtOnce.get());
        assertEquals(0, limiter.destinations(), "destinations known after all deliveries ended");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
