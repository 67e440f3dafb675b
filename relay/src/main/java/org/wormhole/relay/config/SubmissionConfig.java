package org.wormhole.relay.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import org.wormhole.relay.smtpd.auth.AuthFailures;
import org.wormhole.relay.smtpd.auth.SenderLogin;

/** What the submission listener (port 587, AUTH) reads. */
public record SubmissionConfig(
        Optional<InetSocketAddress> listen, // submission_listen (empty: no submission listener)
        Path usersFile,                     // submission_users_file
        SenderLogin senderLogin,            // submission_sender_login
        AuthFailures.Settings authFailures) { // submission_auth_failure_limit, submission_auth_failure_window
}
