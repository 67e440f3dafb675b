package org.wormhole.relay.qmgr;

import org.wormhole.relay.delivery.RecipientOutcome;
import org.wormhole.relay.queue.RecipientState;

/**
 * A recipient's new state after an attempt, and what the log line says about it.
 *
 * @param sentTo the address the next hop was given (the mailertable may rewrite it)
 */
record RecipientResult(RecipientState state, RecipientOutcome outcome, String relay, String sentTo,
                       long setupMillis, long transmitMillis) {
}
