package org.wormhole.harness;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/** What the relays of a test write to the {@code qmgr} log, as an operator would read it: level and text. */
final class QmgrLog extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("qmgr");
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** Starts capturing. */
    static QmgrLog capture() {
        QmgrLog log = new QmgrLog();
        log.setContext(log.logger.getLoggerContext());
        log.start();
        log.logger.addAppender(log);
        return log;
    }

    @Override
    protected void append(ILoggingEvent e) {
        lines.add(e.getLevel() + " " + e.getFormattedMessage());
    }

    /** The lines containing {@code fragment}, each as {@code LEVEL text}. */
    List<String> containing(String fragment) {
        return lines.stream().filter(l -> l.contains(fragment)).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
