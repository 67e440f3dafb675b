package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.wormhole.harness.SubmissionSite.plain;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.events.SyslogLayout;

/**
 * The sample fail2ban filter (samples/fail2ban) against the line a real failed AUTH makes, written
 * with the relay's own log pattern (relay/src/main/resources/logback.xml) as the journal holds it:
 * in Java, and with fail2ban's own fail2ban-regex where it is installed.
 */
class Fail2banFilterTest {

    private static final Path FILTER = Path.of("../samples/fail2ban/filter.d/wormhole-submission.conf")
            .toAbsolutePath().normalize();
    private static final Path LOGBACK = Path.of("../relay/src/main/resources/logback.xml").toAbsolutePath().normalize();
    /** What journalctl (and syslog) put before the relay's own line. */
    private static final String SYSLOG_PREFIX = "Dec  4 04:21:07 relay wormhole[4242]: ";

    @RegisterExtension
    final OneSite one = new OneSite();

    @TempDir
    Path dir;

    /** The message of a failed AUTH, as the relay logs it (the text, without level and logger). */
    private String failedAuthText() throws Exception {
        SubmissionSite site = new SubmissionSite(one).start("");
        try (CapturedLog log = CapturedLog.of("smtpd"); SmtpTranscript c = site.client()) {
            site.startTls(c);
            c.send("AUTH PLAIN " + plain("bob", "guess")).expect("535 5.7.8");
            return log.firstText("authentication failed");
        }
    }

    /** That line as log_format = syslog writes it ({@link SyslogLayout}, Postfix's form). */
    private static String syslogLine(String text) {
        LoggingEvent e = new LoggingEvent();
        e.setLoggerName("smtpd");
        e.setLevel(Level.WARN);
        e.setMessage(text);
        e.setTimeStamp(System.currentTimeMillis());
        return new SyslogLayout("relay.test.example", "wormhole", 4242, ZoneOffset.UTC).doLayout(e).strip();
    }

    /** The relay's log line of a failed AUTH, as its production log pattern (log_format = default) writes it. */
    private String failedAuthLine() throws Exception {
        return defaultLine(failedAuthText());
    }

    private static String defaultLine(String text) throws IOException {
        Matcher m = Pattern.compile("<pattern>(.*)</pattern>").matcher(Files.readString(LOGBACK));
        assertTrue(m.find(), LOGBACK + " has no <pattern>");
        PatternLayout layout = new PatternLayout();
        layout.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
        layout.setPattern(m.group(1));
        layout.start();
        LoggingEvent e = new LoggingEvent();
        e.setLoggerName("smtpd");
        e.setLevel(Level.WARN);
        e.setMessage(text);
        e.setTimeStamp(System.currentTimeMillis());
        e.setThreadName("main");
        return layout.doLayout(e).strip();
    }

    /** The filter's [Definition] values. */
    private static Map<String, String> definition() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(FILTER)) {
            Matcher m = Pattern.compile("^(\\w+)\\s*=\\s*(.*)$").matcher(line);
            if (m.matches()) {
                values.put(m.group(1), m.group(2));
            }
        }
        return values;
    }

    /**
     * The failregex as a Java pattern. fail2ban's common.conf {@code __prefix_line} stands for what
     * syslog or the journal puts before the line once fail2ban has cut out the date: a host name and
     * the daemon with its PID.
     */
    private static Pattern failregex() throws IOException {
        Map<String, String> d = definition();
        String daemon = d.get("_daemon");
        String r = d.get("failregex")
                .replace("%(__prefix_line)s", "(?:[\\w.-]+\\s+)?(?:" + daemon + "(?:\\[\\d+\\])?:\\s+)?")
                .replace("%(_relay)s", d.get("_relay"))
                .replace("<HOST>", "(?<host>[0-9A-Fa-f.:]+)");
        return Pattern.compile(r);
    }

    @Test
    void theFilterFindsTheClientAddressInARealFailedAuthLine() throws Exception {
        String line = failedAuthLine();
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\S+ WARN  smtpd: \\S+\\[127\\.0\\.0\\.1\\]: SASL PLAIN authentication"
                + " failed: authentication failure, sasl_username=bob"), line);
        Pattern failregex = failregex();
        for (String logged : List.of("relay wormhole[4242]: " + line, "relay java[4242]: " + line, line,
                "relay wormhole[4242]: " + line.substring(line.indexOf(' ') + 1))) { // with the relay's time stamp cut
            Matcher m = failregex.matcher(logged);
            assertTrue(m.find(), "no match: " + logged);
            assertEquals("127.0.0.1", m.group("host"), logged);
        }
    }

    @Test
    void theFilterFindsItInPostfixsSyslogFormToo() throws Exception {
        String line = syslogLine(failedAuthText());
        assertTrue(line.matches("\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d relay wormhole/smtpd\\[4242\\]: warning: \\S+\\[127\\.0\\.0\\.1\\]:"
                + " SASL PLAIN authentication failed: authentication failure, sasl_username=bob"), line);
        Matcher m = failregex().matcher(line.substring(16)); // fail2ban cuts the date out first
        assertTrue(m.find(), "no match: " + line);
        assertEquals("127.0.0.1", m.group("host"));
    }

    @Test
    void textAClientSendsCannotMakeTheFilterBanAnAddressOfItsChoice() throws Exception {
        Pattern failregex = failregex();
        String evil = "relay wormhole[4242]: 2026-12-04T04:21:07.331+00:00 INFO  smtpd: NOQUEUE: reject: RCPT from"
                + " unknown[192.0.2.9]: 554 5.7.1 <x@y.example>: Relay access denied; from=<a@b.example> to=<x@y.example>"
                + " helo=<smtpd: host[198.51.100.1]: SASL PLAIN authentication failed: authentication failure>";
        assertFalse(failregex.matcher(evil).find(), evil);
        String user = "relay wormhole[4242]: 2026-12-04T04:21:07.331+00:00 WARN  smtpd: unknown[192.0.2.9]: SASL PLAIN"
                + " authentication failed: authentication failure, sasl_username=x]:?SASL?PLAIN?authentication?failed";
        Matcher m = failregex.matcher(user);
        assertTrue(m.find());
        assertEquals("192.0.2.9", m.group("host"));
    }

    @Test
    void fail2banRegexItselfMatchesTheLine() throws Exception {
        Path common = Path.of("/etc/fail2ban/filter.d/common.conf");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/fail2ban-regex")) && Files.exists(common),
                "fail2ban is not installed (apt-get install fail2ban): only the Java match runs");
        Path filters = Files.createDirectories(dir.resolve("filter.d"));
        Files.copy(common, filters.resolve("common.conf"));
        Path filter = Files.copy(FILTER, filters.resolve("wormhole-submission.conf"));
        String text = failedAuthText();
        Path logFile = Files.writeString(dir.resolve("journal.log"), SYSLOG_PREFIX + defaultLine(text) + "\n"
                + syslogLine(text) + "\n");
        Process p = new ProcessBuilder("fail2ban-regex", "--print-all-matched", logFile.toString(), filter.toString())
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "fail2ban-regex did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.matches("(?s).*Failregex: 2 total.*"), out); // both log formats
        assertTrue(out.contains("127.0.0.1"), out);
    }
}
