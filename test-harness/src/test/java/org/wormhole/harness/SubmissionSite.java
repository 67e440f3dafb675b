package org.wormhole.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.wormhole.relay.smtpd.auth.PasswordHash;
import org.wormhole.relay.smtpd.auth.SubmissionUser;
import org.wormhole.relay.smtpd.auth.UsersFile;
import org.wormhole.testing.TestCertificate;

/**
 * A {@link OneSite} with a submission listener, as an admin sets it up: the smtpd certificate
 * (generated, for relay.test.example), a users file with alice (who owns
 * alice@birlinghoven.example), {@code submission_listen} on a free loopback port, and a
 * mynetworks that does not hold loopback, so the test's clients count as laptops outside it.
 */
final class SubmissionSite {

    static final String ALICE_PASSWORD = "correct horse 42";

    private final OneSite one;
    TestCertificate cert;
    TestCertificate.PemFiles pem;
    Path users;

    SubmissionSite(OneSite one) {
        this.one = one;
    }

    /** Starts the relay with {@code moreConfig} added. */
    SubmissionSite start(String moreConfig) throws Exception {
        cert = TestCertificate.forHost("relay.test.example");
        pem = cert.writePem(one.home);
        users = one.home.resolve("submission-users");
        UsersFile.empty(users).with(new SubmissionUser("alice", PasswordHash.hash(ALICE_PASSWORD.toCharArray(),
                PasswordHash.MIN_COST), List.of("alice@birlinghoven.example"))).write();
        one.start("smtpd_tls_cert_file = \"" + pem.certFile() + "\"\n"
                + "smtpd_tls_key_file = \"" + pem.keyFile() + "\"\n"
                + "mynetworks = [\"192.0.2.0/24\"]\n"
                + "submission_listen = \"127.0.0.1:0\"\n"
                + "submission_users_file = \"" + users + "\"\n"
                + moreConfig);
        return this;
    }

    int port() {
        return one.site.relay.submissionPort().orElseThrow();
    }

    /** A client connected to the submission port that has had the greeting. */
    SmtpTranscript client() throws IOException {
        return greeted(SmtpTranscript.connect(port()));
    }

    /** As {@link #client}, from another loopback address (127.0.0.2, ...). */
    SmtpTranscript clientFrom(String localAddress) throws IOException {
        return greeted(SmtpTranscript.connectFrom(localAddress, port()));
    }

    private static SmtpTranscript greeted(SmtpTranscript c) throws IOException {
        c.expect("220 relay.test.example ESMTP");
        return c;
    }

    /** EHLO, STARTTLS, the handshake (trusting only the site's certificate), EHLO again; returns that EHLO's reply. */
    String startTls(SmtpTranscript c) throws Exception {
        c.send("EHLO laptop.example").expect("250");
        c.send("STARTTLS").expect("220 2.0.0");
        c.startTls(cert.clientTrustingOnlyThis());
        return c.send("EHLO laptop.example").expect("250");
    }

    /** The AUTH PLAIN initial response for {@code user} and {@code password}. */
    static String plain(String user, String password) {
        return base64("\0" + user + "\0" + password);
    }

    static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
