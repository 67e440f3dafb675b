package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.harness.SubmissionSite.ALICE_PASSWORD;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.wormhole.testing.Await;

/**
 * The submission listener with the clients laptops really use: swaks (the admin's test client)
 * and msmtp (a typical sendmail replacement on a workstation), each logging in over STARTTLS and
 * sending to an outside domain, and refused with a wrong password. Skipped where the tool is not
 * installed (apt-get install swaks msmtp).
 */
class SubmissionClientsTest {

    @RegisterExtension
    final OneSite one = new OneSite();

    private final SubmissionSite site = new SubmissionSite(one);

    /** What a process printed and how it exited. */
    private record Run(int exit, String output) {
    }

    private static Run run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), command.get(0) + " did not finish");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static void assumeInstalled(String tool) {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin", tool)),
                tool + " is not installed (apt-get install " + tool + "): skipped");
    }

    private Run swaks(String password) throws Exception {
        return run(List.of("swaks", "--server", "127.0.0.1:" + site.port(), "--ehlo", "laptop.example", "--tls",
                "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", password,
                "--from", "alice@birlinghoven.example", "--to", "dave@outside.example",
                "--header", "Subject: swaks over submission", "--body", "sent with swaks"), "");
    }

    @Test
    void swaksLogsInOverStartTlsAndRelaysToAnOutsideDomain() throws Exception {
        assumeInstalled("swaks");
        site.start("");
        FakeMx outside = one.outside();
        Run ok = swaks(ALICE_PASSWORD);
        assertEquals(0, ok.exit(), ok.output());
        assertTrue(ok.output().contains("235 2.7.0 Authentication successful"), ok.output());
        Await.until("the outside MX to receive it", () -> outside.received.size() == 1);
        assertEquals(List.of("dave@outside.example"), outside.received.get(0).recipients());

        Run wrong = swaks("not the password");
        assertNotEquals(0, wrong.exit(), wrong.output());
        assertTrue(wrong.output().contains("535 5.7.8 Error: authentication failed"), wrong.output());
        assertEquals(1, outside.received.size());
    }

    /** An msmtp account for alice, the relay's certificate pinned by its SHA-256 fingerprint; mode 0600 as msmtp wants. */
    private Path msmtpConfig(String password) throws Exception {
        String fingerprint = HexFormat.ofDelimiter(":").withUpperCase().formatHex(
                MessageDigest.getInstance("SHA-256").digest(site.cert.certificate().getEncoded()));
        List<String> lines = new ArrayList<>(List.of(
                "account submission",
                "host 127.0.0.1",
                "port " + site.port(),
                "domain laptop.example",
                "tls on",
                "tls_starttls on",
                "tls_fingerprint " + fingerprint,
                "auth plain",
                "user alice",
                "password " + password,
                "from alice@birlinghoven.example",
                "account default : submission"));
        Path conf = one.home.resolve("msmtprc-" + Math.abs(password.hashCode()));
        Files.write(conf, lines);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
        return conf;
    }

    @Test
    void msmtpLogsInOverStartTlsAndRelaysToAnOutsideDomain() throws Exception {
        assumeInstalled("msmtp");
        site.start("");
        FakeMx outside = one.outside();
        String message = "From: alice@birlinghoven.example\nTo: erin@outside.example\nSubject: msmtp over submission\n"
                + "\nsent with msmtp\n";
        Run ok = run(List.of("msmtp", "-C", msmtpConfig(ALICE_PASSWORD).toString(), "erin@outside.example"), message);
        assertEquals(0, ok.exit(), ok.output());
        Await.until("the outside MX to receive it", () -> outside.received.size() == 1);
        assertEquals(List.of("erin@outside.example"), outside.received.get(0).recipients());
        assertTrue(outside.received.get(0).text().contains("sent with msmtp"));

        Run wrong = run(List.of("msmtp", "-C", msmtpConfig("not the password").toString(), "erin@outside.example"), message);
        assertNotEquals(0, wrong.exit(), wrong.output());
        assertTrue(wrong.output().contains("535 5.7.8"), wrong.output());
    }
}
