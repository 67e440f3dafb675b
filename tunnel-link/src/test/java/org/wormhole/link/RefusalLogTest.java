package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A flood of refused connections writes a line per address per minute, with a count, not a line per connection. */
class RefusalLogTest {

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-02T10:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private final List<String> lines = new ArrayList<>();
    private final RefusalLog log = new RefusalLog(clock, Duration.ofSeconds(60), 2, lines::add);

    private static InetSocketAddress from(String ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), port);
    }

    @Test
    void aFloodFromOneAddressIsOneLineThenACountPerInterval() throws Exception {
        for (int i = 0; i < 2080; i++) {
            log.refused(from("127.0.0.2", 40_000 + i % 20_000), i < 2079 ? "busy: 10 handshakes" : "no certificate presented");
            clock.now = clock.now.plusMillis(10);
        }
        log.refused(from("127.0.0.1", 5555), "no certificate presented");
        log.flush(); // 20.8 s into the interval: nothing is over yet
        assertEquals(List.of(
                "link from /127.0.0.2:40000 not established: busy: 10 handshakes",
                "link from /127.0.0.1:5555 not established: no certificate presented"), lines);

        clock.now = clock.now.plusSeconds(40);
        log.flush();
        assertEquals("link refused 2079 more connections from 127.0.0.2 in the last 60 s; the last: no certificate presented",
                lines.get(2));
        assertEquals(3, lines.size(), "127.0.0.1's single refusal has nothing to sum up");

        log.refused(from("127.0.0.2", 41_000), "busy: 10 handshakes");
        assertEquals("link from /127.0.0.2:41000 not established: busy: 10 handshakes", lines.get(3),
                "a new interval starts with a full line");
    }

    @Test
    void aCountWaitingWhenTheNextRefusalComesIsWrittenFirst() throws Exception {
        log.refused(from("127.0.0.2", 1), "a");
        log.refused(from("127.0.0.2", 2), "b");
        clock.now = clock.now.plusSeconds(61);
        log.refused(from("127.0.0.2", 3), "c");
        assertEquals(List.of("link from /127.0.0.2:1 not established: a",
                "link refused 1 more connection from 127.0.0.2 in the last 60 s; the last: b",
                "link from /127.0.0.2:3 not established: c"), lines);
    }

    @Test
    void addressesBeyondTheLimitAreCountedTogether() throws Exception {
        for (int i = 2; i < 100; i++) {
            log.refused(from("127.0.0." + i, 1), "busy");
        }
        clock.now = clock.now.plusSeconds(60);
        log.flush();
        assertEquals(List.of("link from /127.0.0.2:1 not established: busy",
                "link from /127.0.0.3:1 not established: busy",
                "link from /127.0.0.4:1 not established: busy",
                "link refused 95 more connections from other addresses in the last 60 s; the last: busy"), lines);
    }
}
