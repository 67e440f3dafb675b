package org.wormhole.relay.smtpd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** A password guesser from one address is stopped after the limit, for the window; others are not. */
class AuthFailuresTest {

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private volatile long millis = Instant.parse("2026-12-04T04:00:00Z").toEpochMilli();

        void advance(Duration d) {
            millis += d.toMillis();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }
    }

    @Test
    void threeFailuresInTenMinutesBlockThatAddressUntilTheWindowIsOver() throws Exception {
        MovableClock clock = new MovableClock();
        AuthFailures f = new AuthFailures(new AuthFailures.Settings(3, Duration.ofMinutes(10)), clock);
        InetAddress guesser = InetAddress.getByName("192.0.2.7");
        InetAddress colleague = InetAddress.getByName("192.0.2.8");
        assertEquals(1, f.failed(guesser));
        clock.advance(Duration.ofMinutes(4));
        assertEquals(2, f.failed(guesser));
        assertFalse(f.blocked(guesser));
        assertEquals(3, f.failed(guesser));
        assertTrue(f.blocked(guesser));
        assertFalse(f.blocked(colleague));
        clock.advance(Duration.ofMinutes(5)); // 9 minutes after the first failure
        assertTrue(f.blocked(guesser));
        clock.advance(Duration.ofMinutes(1));
        assertFalse(f.blocked(guesser));
        assertEquals(1, f.failed(guesser), "a new window counts from its first failure");
    }

    @Test
    void aLimitOfZeroNeverBlocks() throws Exception {
        AuthFailures f = new AuthFailures(new AuthFailures.Settings(0, Duration.ofMinutes(10)), new MovableClock());
        InetAddress a = InetAddress.getByName("192.0.2.7");
        for (int i = 0; i < 100; i++) {
            f.failed(a);
        }
        assertFalse(f.blocked(a));
    }
}
