package org.wormhole.relay.events;

import java.time.Duration;

/**
 * A client's AUTH on the submission listener failed: wrong name or password (535 5.7.8).
 *
 * @param client       the client as the log shows it: {@code name[address]}
 * @param mechanism    PLAIN or LOGIN
 * @param username     the name it tried, as it sent it (empty if it sent none); not to be trusted
 * @param failures     this client address's failures in the current window, this one included
 * @param limitReached this failure used up the client's limit: its next AUTH gets 421 4.7.0
 * @param window       the window the failures are counted in ({@code submission_auth_failure_window})
 */
public record AuthenticationFailed(String client, String mechanism, String username, int failures,
                                   boolean limitReached, Duration window) {
}
