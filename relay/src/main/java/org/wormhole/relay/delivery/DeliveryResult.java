package org.wormhole.relay.delivery;

import java.util.Collections;
import java.util.List;

/**
 * A delivery agent's answer: one outcome per recipient of the request, in the same order.
 *
 * @param relay         where it went, as in Postfix logs: {@code host[ip]:port}, or {@code none}
 * @param setupMillis   connection set-up time (DNS, connect, greeting, EHLO, TLS)
 * @param transmitMillis message transmission time
 * @param outcomes      per recipient
 */
public record DeliveryResult(String relay, long setupMillis, long transmitMillis, List<RecipientOutcome> outcomes) {

    public DeliveryResult {
        outcomes = List.copyOf(outcomes);
    }

    /** The same outcome for every one of {@code n} recipients. */
    public static DeliveryResult all(String relay, int n, RecipientOutcome outcome) {
        return new DeliveryResult(relay, 0, 0, Collections.nCopies(n, outcome));
    }
}
