package org.wormhole.relay.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When the operator hears about a link certificate running out. */
class CertificateExpiryTest {

    private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

    private static Optional<String> in(Duration d) {
        return CertificateExpiry.warning(NOW.plus(d), NOW);
    }

    @Test
    void silentUntilThirtyDaysBeforeThenCountingDownThenExpired() {
        assertEquals(Optional.empty(), in(Duration.ofDays(1825)));
        assertEquals(Optional.empty(), in(Duration.ofDays(30).plusSeconds(1)));
        assertEquals(Optional.of("expires in 30 days"), in(Duration.ofDays(30)));
        assertEquals(Optional.of("expires in 10 days"), in(Duration.ofDays(10).minusMinutes(5)));
        assertEquals(Optional.of("expires in 1 day"), in(Duration.ofHours(3)));
        assertEquals(Optional.of("expired today"), in(Duration.ofHours(-3)));
        assertEquals(Optional.of("expired 1 day ago"), in(Duration.ofHours(-25)));
        assertEquals(Optional.of("expired 40 days ago"), in(Duration.ofDays(-40)));
        assertEquals(Optional.empty(), CertificateExpiry.warning(null, NOW));
    }

    @Test
    void expiredMeansThePastOnly() {
        assertTrue(CertificateExpiry.expired(NOW, NOW));
        assertTrue(CertificateExpiry.expired(NOW.minusSeconds(1), NOW));
        assertFalse(CertificateExpiry.expired(NOW.plusSeconds(1), NOW));
        assertFalse(CertificateExpiry.expired(null, NOW));
    }
}
