package org.wormhole.relay.smtpd;

import org.wormhole.relay.smtpd.auth.SubmissionUser;

/**
 * A session's successful AUTH.
 *
 * @param mechanism PLAIN or LOGIN
 * @param user      the user, as the users file had it at AUTH
 */
record Login(String mechanism, SubmissionUser user) {
}
