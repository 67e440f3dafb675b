/**
 * SMTP AUTH for the submission listener: the users file ({@link org.wormhole.relay.smtpd.auth.UsersFile},
 * {@code NAME:BCRYPT[:ADDRESS,...]} lines, bcrypt as {@code htpasswd -B} writes it), the live
 * table the listener checks passwords against ({@link org.wormhole.relay.smtpd.auth.LiveUsers}),
 * who owns which sender address ({@link org.wormhole.relay.smtpd.auth.SenderLogin}), and the
 * per-client limit on failed attempts ({@link org.wormhole.relay.smtpd.auth.AuthFailures}).
 *
 * <p>It never speaks SMTP (the {@code AUTH} verb is {@code smtpd.AuthCommand}), never logs a
 * password, and writes the users file only for {@code wormhole user} (atomically, mode 0600).
 */
package org.wormhole.relay.smtpd.auth;
