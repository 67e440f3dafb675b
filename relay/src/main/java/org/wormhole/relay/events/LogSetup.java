package org.wormhole.relay.events;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.config.LogConfig;

/**
 * Puts a process's log into the form {@code log_format} asks for: for {@code syslog}, the console
 * appenders of the shipped logback.xml get a {@link SyslogLayout}. For the {@code wormhole run}
 * process only (it changes the whole JVM's logging); a relay in a test's JVM keeps the test's.
 */
public final class LogSetup {

    private LogSetup() {
    }

    /** Applies {@code log} to this JVM's console log; {@code myhostname} is the host syslog lines name. */
    public static void apply(LogConfig log, String myhostname) {
        if (log.format() != LogConfig.Format.SYSLOG
                || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> i = root.iteratorForAppenders(); i.hasNext(); ) {
            appenders.add(i.next());
        }
        for (Appender<ILoggingEvent> a : appenders) {
            if (a instanceof ConsoleAppender<ILoggingEvent> console) {
                SyslogLayout layout = new SyslogLayout(myhostname, log.syslogName(), ProcessHandle.current().pid(),
                        ZoneId.systemDefault());
                layout.setContext(ctx);
                layout.start();
                LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
                encoder.setContext(ctx);
                encoder.setLayout(layout);
                encoder.setCharset(StandardCharsets.UTF_8);
                encoder.start();
                console.stop();
                console.setEncoder(encoder);
                console.start();
            }
        }
    }
}
