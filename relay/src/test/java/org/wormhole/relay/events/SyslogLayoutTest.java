package org.wormhole.relay.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

/** A log line in syslog's form, as pflogsumm and grep scripts read Postfix's. */
class SyslogLayoutTest {

    private final LoggerContext context = new LoggerContext();
    private final SyslogLayout layout = new SyslogLayout("relay.tokyo.example", "wormhole", 4711, ZoneId.of("Asia/Tokyo"));

    private String line(String logger, Level level, Throwable t, String format, Object... args) {
        LoggingEvent e = new LoggingEvent("test", context.getLogger(logger), level, format, t, args);
        e.setTimeStamp(Instant.parse("2026-12-03T19:05:09.250Z").toEpochMilli()); // Dec 4, 04:05:09 in Tokyo
        return layout.doLayout(e);
    }

    @Test
    void aLineHasSyslogsTimeHostAndTagAndPostfixsText() {
        assertEquals("Dec  4 04:05:09 relay wormhole/smtpd[4711]: 1K820IHON00HPP: client=localhost[127.0.0.1]\n",
                line("smtpd", Level.INFO, null, "{}: client={}", "1K820IHON00HPP", "localhost[127.0.0.1]"));
        assertEquals("Dec  4 04:05:09 relay wormhole/WatchedMailertable[4711]: mailertable loaded\n",
                line("org.wormhole.mailertable.WatchedMailertable", Level.INFO, null, "mailertable loaded"));
    }

    @Test
    void warningsAndErrorsSayWhatTheyAreAsPostfixs() {
        assertEquals("Dec  4 04:05:09 relay wormhole/link[4711]: warning: the peer's certificate expires in 10 days\n",
                line("link", Level.WARN, null, "the peer's certificate expires in 10 days"));
        assertEquals("Dec  4 04:05:09 relay wormhole/smtpd[4711]: error: NOQUEUE: cannot create queue file\n",
                line("smtpd", Level.ERROR, null, "NOQUEUE: cannot create queue file"));
    }

    @Test
    void anEventIsOneLineEvenWithAnExceptionOrALineBreak() {
        IOException e = new IOException("disk full", new IllegalStateException("no space\nleft"));
        assertEquals("Dec  4 04:05:09 relay wormhole/qmgr[4711]: error: write failed  twice; java.io.IOException: disk full;"
                        + " java.lang.IllegalStateException: no space left\n",
                line("qmgr", Level.ERROR, e, "write failed\r\ntwice"));
    }
}
