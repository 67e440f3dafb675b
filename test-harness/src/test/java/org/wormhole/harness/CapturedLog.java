package org.wormhole.harness;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * What the relay logs while a test runs, as an operator would read it: line, and any stack
 * trace. Everything ({@link #capture}) or one logger's lines ({@link #of}: {@code qmgr}, {@code smtpd}).
 */
final class CapturedLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    /** One log event: its logger, level, text, and the exception printed with it (null: none). */
    record Line(String logger, String level, String text, String exception) {
        @Override
        public String toString() {
            return level + " " + logger + " - " + text + (exception == null ? "" : " [trace: " + exception + "]");
        }
    }

    private final Logger root;
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    private CapturedLog(String logger) {
        this.root = (Logger) LoggerFactory.getLogger(logger);
    }

    /** Captures every logger. */
    static CapturedLog capture() {
        return of(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    /** Captures {@code logger} (and the loggers below it). */
    static CapturedLog of(String logger) {
        CapturedLog log = new CapturedLog(logger);
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

    /** The lines containing {@code fragment}, each as {@code LEVEL text}. */
    List<String> levelAndText(String fragment) {
        return containing(fragment).stream().map(l -> l.level() + " " + l.text()).toList();
    }

    /** The text of the first line containing {@code fragment}; waits for it up to 5 s (another thread logs it). */
    String firstText(String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < deadline) {
            List<Line> found = containing(fragment);
            if (!found.isEmpty()) {
                return found.get(0).text();
            }
            Thread.sleep(10);
        }
        return "no line with '" + fragment + "' in " + lines;
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
