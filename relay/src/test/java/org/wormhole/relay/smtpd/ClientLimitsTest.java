package org.wormhole.relay.smtpd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.events.SessionRefused.Reason;

/** The anvil's bookkeeping, with a clock the test moves: what is admitted, refused and logged. */
class ClientLimitsTest {

    /** A clock that moves only when told to. */
    private static final class ManualClock extends Clock {
        private long millis = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

        void advance(Duration d) {
            millis += d.toMillis();
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    private final ManualClock clock = new ManualClock();
    private final Logger smtpd = (Logger) LoggerFactory.getLogger("smtpd");
    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final InetAddress a = address("192.0.2.1");
    private final InetAddress b = address("192.0.2.2");
    private final InetAddress trusted = address("10.0.0.1");

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @BeforeEach
    void captureLog() {
        log.start();
        smtpd.addAppender(log);
    }

    @AfterEach
    void releaseLog() {
        smtpd.detachAppender(log);
    }

    private ClientLimits limits(int count, int rate) {
        return new ClientLimits(new ClientLimits.Settings(count, rate, Duration.ofSeconds(60)),
                c -> c.equals(trusted), clock);
    }

    private List<String> warnings() {
        return log.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void theCountLimitHoldsPerAddressAndAFinishedSessionFreesItsPlace() {
        ClientLimits limits = limits(2, 0);
        assertEquals(Optional.empty(), limits.admit(a));
        assertEquals(Optional.empty(), limits.admit(a));
        assertEquals(Optional.of(new ClientLimits.Refusal(Reason.CONNECTION_COUNT,
                "4.7.0 Error: too many connections from 192.0.2.1")), limits.admit(a));
        assertEquals(Optional.empty(), limits.admit(b), "another address");
        for (int i = 0; i < 10; i++) {
            assertEquals(Optional.empty(), limits.admit(trusted), "mynetworks is exempt");
        }
        limits.release(a);
        assertEquals(Optional.empty(), limits.admit(a));
        assertEquals(2, limits.sessions(a));
    }

    @Test
    void theRateLimitHoldsPerTimeUnit() {
        ClientLimits limits = limits(0, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(Optional.empty(), limits.admit(a));
            limits.release(a);
        }
        assertEquals(Optional.of(new ClientLimits.Refusal(Reason.CONNECTION_RATE,
                "4.7.0 Error: too many connections from 192.0.2.1, slow down")), limits.admit(a));
        assertEquals(Optional.empty(), limits.admit(b));
        clock.advance(Duration.ofSeconds(59));
        assertTrue(limits.admit(a).isPresent(), "still the same time unit");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), limits.admit(a), "a new time unit");
    }

    @Test
    void aFloodOfRefusalsIsLoggedOncePerTimeUnitWithTheCountNotLogged() {
        ClientLimits limits = limits(1, 0);
        limits.admit(a);
        for (int i = 0; i < 1000; i++) {
            assertTrue(limits.admit(a).isPresent(), "each one refused, logged or not");
        }
        assertEquals(List.of("connection count limit exceeded: 2 from [192.0.2.1]"), warnings());
        clock.advance(Duration.ofSeconds(60));
        limits.admit(a);
        assertEquals(List.of("connection count limit exceeded: 2 from [192.0.2.1]",
                "connection count limit exceeded: 2 from [192.0.2.1]; 999 more refused since the last report"),
                warnings());
    }

    @Test
    void clientsWithoutSessionsAreForgottenAfterTheirTimeUnit() {
        ClientLimits limits = limits(0, 1);
        limits.admit(a);
        limits.release(a);
        assertTrue(limits.admit(a).isPresent());
        clock.advance(Duration.ofSeconds(61));
        limits.admit(b); // sweeps
        assertEquals(0, limits.sessions(a));
        assertEquals(Optional.empty(), limits.admit(a), "forgotten, so a fresh window");
    }
}
