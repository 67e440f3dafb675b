package org.wormhole.harness;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * What the relays of a test write to the {@code link} log, as an operator would read it: each
 * line with its time. Both relays of a test log here; a line names the peer it is about.
 */
final class LinkLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    /** One log line. */
    record Line(long millis, String level, String text) {
        @Override
        public String toString() {
            return level + " " + text;
        }
    }

    private final Logger logger = (Logger) LoggerFactory.getLogger("link");
    private final List<Line> lines = new CopyOnWriteArrayList<>();

    /** Starts capturing. */
    static LinkLog capture() {
        LinkLog log = new LinkLog();
        log.setContext(log.logger.getLoggerContext());
        log.start();
        log.logger.addAppender(log);
        return log;
    }

    @Override
    protected void append(ILoggingEvent e) {
        lines.add(new Line(e.getTimeStamp(), e.getLevel().toString(), e.getFormattedMessage()));
    }

    /** The first line containing {@code fragment}, if any yet. */
    Optional<Line> first(String fragment) {
        return lines.stream().filter(l -> l.text().contains(fragment)).findFirst();
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
