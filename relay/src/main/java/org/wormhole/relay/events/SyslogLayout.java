package org.wormhole.relay.events;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * A log line as syslog writes Postfix's: {@code MMM dd HH:mm:ss HOST NAME/PROCESS[PID]: TEXT}, the
 * time local and the month in English, the day padded with a space ({@code Dec  4}), PROCESS the
 * logger's last name ({@code smtpd}, {@code qmgr}, {@code smtp}...), a WARN line's text beginning
 * {@code warning: } and an ERROR line's {@code error: }, as Postfix's do. Always one line: line
 * breaks in a message become spaces, and an exception is named after the text with its causes
 * ({@code ; java.io.IOException: ...}), never as a stack trace.
 */
public final class SyslogLayout extends LayoutBase<ILoggingEvent> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ENGLISH);

    private final String host;
    private final String name;
    private final long pid;
    private final ZoneId zone;

    /**
     * @param host the host name as syslog writes it (the part up to the first dot is taken)
     * @param name the syslog name, as Postfix's syslog_name ({@code wormhole})
     * @param pid  the process id
     * @param zone the time zone of the timestamps (syslog's: the system's)
     */
    public SyslogLayout(String host, String name, long pid, ZoneId zone) {
        int dot = host.indexOf('.');
        this.host = dot > 0 ? host.substring(0, dot) : host;
        this.name = name;
        this.pid = pid;
        this.zone = zone;
    }

    @Override
    public String doLayout(ILoggingEvent e) {
        StringBuilder sb = new StringBuilder(160);
        sb.append(TIME.format(Instant.ofEpochMilli(e.getTimeStamp()).atZone(zone))).append(' ').append(host).append(' ')
                .append(name).append('/').append(process(e.getLoggerName())).append('[').append(pid).append("]: ");
        if (e.getLevel() == Level.WARN) {
            sb.append("warning: ");
        } else if (e.getLevel() == Level.ERROR) {
            sb.append("error: ");
        }
        oneLine(sb, e.getFormattedMessage());
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
            sb.append("; ");
            oneLine(sb, t.getClassName() + (t.getMessage() == null ? "" : ": " + t.getMessage()));
        }
        return sb.append('\n').toString();
    }

    /** {@code org.wormhole.relay.Relay} gives {@code Relay}, {@code smtpd} stays. */
    private static String process(String logger) {
        return logger.substring(logger.lastIndexOf('.') + 1);
    }

    private static void oneLine(StringBuilder sb, String text) {
        if (text == null) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(c == '\n' || c == '\r' ? ' ' : c);
        }
    }
}
