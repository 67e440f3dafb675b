package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.harness.process.RelayProcess;
import org.wormhole.relay.Relay;
import org.wormhole.testing.Await;
import org.wormhole.testing.DeadPort;

/**
 * With {@code log_format = syslog} a relay's log is read by the tool admins run on Postfix logs:
 * Debian's pflogsumm counts what the relay received, delivered, deferred, bounced and rejected,
 * from the log a real relay process wrote.
 */
class PflogsummTest {

    private static final Path PFLOGSUMM = Path.of("/usr/sbin/pflogsumm");
    /** A syslog line: time, host, syslog_name/process[pid]: text. */
    private static final Pattern SYSLOG_LINE =
            Pattern.compile("[A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d relay wormhole/[A-Za-z]+\\[\\d+\\]: .+");
    private static final Pattern TOTAL = Pattern.compile("^\\s*(\\d+)[ km]\\s+(received|delivered|deferred|bounced|rejected)\\b",
            Pattern.MULTILINE);

    @TempDir
    Path home;

    private final FakeMx sink = new FakeMx();
    private final DeadPort unreachable = DeadPort.hold();
    private RelayProcess relay;

    @AfterEach
    void stop() throws IOException {
        if (relay != null) {
            relay.close();
        }
        sink.close();
        unreachable.close();
    }

    @Test
    void pflogsummCountsWhatTheRelayReceivedDeliveredDeferredBouncedAndRejected() throws Exception {
        assumeTrue(Files.isExecutable(PFLOGSUMM), "skipped: no " + PFLOGSUMM + " (Debian: apt-get install pflogsumm)");
        sink.rejectRecipients.add("nobody@sink.example"); // 550 5.1.1: a bounce
        Files.createDirectories(home.resolve("config"));
        Path table = Files.writeString(home.resolve("config/mailertable"),
                "sink.example\tesmtp:[127.0.0.1]:" + sink.port() + "\n"
                + "dead.example\tesmtp:[127.0.0.1]:" + unreachable.port() + "\n");
        Path conf = Files.writeString(home.resolve("config/wormhole.conf"), """
                myhostname = relay.test.example
                listen = "127.0.0.1:0"
                smtpd_pregreet_wait = 0s
                mynetworks = ["192.0.2.0/24"]
                relay_domains = [sink.example, dead.example]
                minimal_backoff_time = 1h
                maximal_backoff_time = 2h
                queue_directory = "%s"
                mailertable = "%s"
                log_format = syslog
                """.formatted(home.resolve("spool"), table));
        Path log = home.resolve("mail.log");
        List<String> cmd = new ArrayList<>(List.of(RelayProcess.java()));
        cmd.addAll(RelayProcess.SMALL_JVM);
        // The logging the relay ships with, not the tests' (logback-test.xml is on this class path).
        // Copied out: under mvn verify it is inside the relay's jar, which Path.of cannot open.
        Path logback = home.resolve("logback.xml");
        try (InputStream shipped = Relay.class.getResourceAsStream("/logback.xml")) {
            Files.copy(shipped, logback);
        }
        cmd.add("-Dlogback.configurationFile=" + logback);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RelayProcess.MAIN_CLASS,
                "run", "--config", conf.toString()));
        relay = RelayProcess.start(home, cmd, log);
        relay.awaitErr("running: SMTP on");
        int port = RelayProcess.smtpPort(relay.err());

        // 5 received: 3 delivered, 1 deferred (nothing listens at its next hop), 1 bounced by the
        // sink, whose notice goes back to the sender at the sink (delivered: 4 in all); 2 refused.
        for (String to : List.of("a@sink.example", "b@sink.example", "c@sink.example", "d@dead.example",
                "nobody@sink.example")) {
            try (SmtpTranscript c = SmtpTranscript.connect(port)) {
                c.expect("220");
                c.sendMail("alice@sink.example", "Message-ID: <" + to + ">\r\nSubject: s\r\n\r\nbody\r\n", to);
                c.send("QUIT").expect("221");
            }
        }
        try (SmtpTranscript c = SmtpTranscript.connect(port)) {
            c.expect("220");
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<mallory@elsewhere.example>").expect("250");
            c.send("RCPT TO:<victim@outside.example>").expect("554 5.7.1");
            c.send("RCPT TO:<victim2@outside.example>").expect("554 5.7.1");
            c.send("QUIT").expect("221");
        }
        Await.until("4 messages at the sink, a deferral and a bounce in the log", () -> sink.received.size() == 4
                && relay.err().contains("status=deferred") && relay.err().contains(": sender non-delivery notification: "));
        relay.close(); // SIGTERM: the log is complete
        relay = null;

        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        assertEquals(List.of(), lines.stream().filter(l -> !SYSLOG_LINE.matcher(l).matches()
                && !l.startsWith("wormhole relay relay.test.example running:")).toList(), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* wormhole/smtpd\\[\\d+\\]: NOQUEUE: reject: RCPT from \\S+: 554 5\\.7\\.1"
                + " <victim@outside\\.example>: Relay access denied; from=<mallory@elsewhere\\.example>"
                + " to=<victim@outside\\.example> proto=ESMTP helo=<client\\.example>")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* wormhole/cleanup\\[\\d+\\]: \\w+: message-id=<a@sink\\.example>")),
                String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* wormhole/qmgr\\[\\d+\\]: \\w+: from=<alice@sink\\.example>,"
                + " size=\\d+, nrcpt=1 \\(queue active\\)")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* wormhole/smtp\\[\\d+\\]: \\w+: to=<a@sink\\.example>,"
                + " relay=\\S+, delay=[\\d.]+, delays=[\\d./]+, dsn=2\\.0\\.0, status=sent \\(.*")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* wormhole/qmgr\\[\\d+\\]: \\w+: removed")), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches(".* wormhole/bounce\\[\\d+\\]: \\w+: sender non-delivery notification: \\w+")),
                String.join("\n", lines));

        Process p = new ProcessBuilder(PFLOGSUMM.toString(), "--syslog-name=wormhole", log.toString())
                .redirectErrorStream(true).start();
        String report = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), report);
        Map<String, Integer> totals = new LinkedHashMap<>();
        Matcher m = TOTAL.matcher(report.substring(report.indexOf("Grand Totals")));
        while (m.find()) {
            totals.putIfAbsent(m.group(2), Integer.parseInt(m.group(1)));
        }
        assertEquals(Map.of("received", 5, "delivered", 4, "deferred", 1, "bounced", 1, "rejected", 2), totals, report);
    }
}
