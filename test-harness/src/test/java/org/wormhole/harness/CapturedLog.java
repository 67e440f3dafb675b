package org.wormhole.harness;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** Everything the relay logs while a test runs, as an operator would read it: line, and any stack trace. */
final class CapturedLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    /** One log event: its logger, level, text, and the exception printed with it (null: none). */
    record Line(String logger, String level, String text, String exception) {
        @Override
        public String toString() {
            return level + " " + logger + " - " + text + (exception == null ? "" : " [trace: " + exception + "]");
        }
    }

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    static CapturedLog capture() {
        CapturedLog log = new CapturedLog();
        log.setContext(log.root.getLoggerContext());
        log.start();
        log.root.addAppender(log);
        return log;
    }

    @Override
    protected void append(ILoggingEvent e) {
        lines.add(new Line(e.getLoggerName(), e.getLevel().toString(), e.getFormattedMessage(),
                e.getThrowableProxy() == null ? null : e.getThrowableProxy().getClassName()));
    }

    /** The lines containing {@code fragment}. */
    List<Line> containing(String fragment) {
        return lines.stream().filter(l -> l.text().contains(fragment)).toList();
    }

    /** The lines printed with a stack trace. */
    List<Line> withTrace() {
        return lines.stream().filter(l -> l.exception() != null).toList();
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        root.detachAppender(this);
        stop();
    }
}
