package org.wormhole.relay.qmgr;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;

/**
 * The Postfix-style log line of one recipient's outcome:
 * {@code ID: to=<...>, relay=..., delay=..., delays=a/b/c/d, dsn=..., status=sent (...)}.
 * Tests and the proving ground parse it: its text does not change.
 */
final class OutcomeLog {

    private static final Logger log = LoggerFactory.getLogger("qmgr");

    private OutcomeLog() {
    }

    /** Logs {@code r}'s outcome of the attempt of {@code m} that began at {@code start}. */
    static void logOutcome(QueuedMessage m, long start, RecipientResult f) {
        RecipientState r = f.state();
        RecipientOutcome outcome = f.outcome();
        long now = r.lastAttemptMillis();
        long setup = f.setupMillis();
        long transmit = f.transmitMillis();
        double delay = (now - m.arrivalMillis()) / 1000.0;
        double a = Math.max(0, start - m.arrivalMillis()) / 1000.0;
        double b = Math.max(0, now - start - setup - transmit) / 1000.0;
        String status = switch (outcome.status()) {
            case SENT -> "sent";
            case DEFERRED -> "deferred";
            case BOUNCED -> "bounced";
        };
        log.info("{}: to=<{}>,{} relay={}, delay={}, delays={}/{}/{}/{}, dsn={}, status={} ({})", m.id(), r.address(),
                f.sentTo().equals(r.address()) ? "" : " orig_to=<" + r.address() + ">, now_to=<" + f.sentTo() + ">,",
                f.relay(), fmt(delay), fmt(a), fmt(b), fmt(setup / 1000.0), fmt(transmit / 1000.0), outcome.dsn(), status,
                outcome.text());
    }

    /** Seconds as Postfix writes them: two significant digits below ten, whole seconds above. */
    private static String fmt(double seconds) {
        return seconds < 10 ? String.format("%.2g", seconds).replaceAll("\\.?0+$", "") : Long.toString(Math.round(seconds));
    }
}
