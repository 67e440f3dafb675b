package org.wormhole.relay.smtpd;

import org.wormhole.relay.smtpd.auth.AuthFailures;
import org.wormhole.relay.smtpd.auth.LiveUsers;
import org.wormhole.relay.smtpd.auth.SenderLogin;

/**
 * What makes a listener a submission listener (port 587, RFC 6409): STARTTLS before anything
 * else ({@code 530 5.7.0 Must issue a STARTTLS command first}), AUTH PLAIN or LOGIN against the
 * users file, offered only inside TLS, before MAIL ({@code 530 5.7.0 Authentication required});
 * an authenticated client may relay to any domain, mynetworks or not, with the senders
 * {@code senderLogin} allows it; failed attempts are counted per client address.
 *
 * @param users       the users file, read again when it changes
 * @param failures    the failed attempts per client address, and their limit
 * @param senderLogin which envelope senders a user may use
 */
public record Submission(LiveUsers users, AuthFailures failures, SenderLogin senderLogin) {
}
