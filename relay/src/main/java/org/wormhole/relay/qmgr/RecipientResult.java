package org.wormhole.relay.qmgr;

import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.RecipientState;

/**
 * A recipient's new state after an attempt, and what the log line says about it.
 *
 * @param sentTo the address the next hop was given (the mailertable may rewrite it)
 * @param mailer the mailer of its route, {@code none} when it was not routed
 */
record RecipientResult(RecipientState state, RecipientOutcome outcome, String mailer, String relay, String sentTo,
                       long setupMillis, long transmitMillis) {
}
