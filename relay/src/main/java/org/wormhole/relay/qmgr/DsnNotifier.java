package org.wormhole.relay.qmgr;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wormhole.relay.dsn.Action;
import org.wormhole.relay.dsn.DsnBuilder;
import org.wormhole.relay.dsn.FailedRecipient;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.Spool;

/**
 * Queues RFC 3464 delivery status notifications (bounces and delay warnings) from the null
 * sender {@code <>} to the original sender, so they can never cause a bounce themselves.
 */
public final class DsnNotifier implements Notifier {

    /** A remote server's reply as the SMTP delivery agent words it: {@code host SERVER said: REPLY}. */
    private static final Pattern HOST_SAID = Pattern.compile("host (\\S+) said: (.*)", Pattern.DOTALL);

    private final Spool spool;
    private final String myhostname;
    private volatile DsnBuilder builder;
    private volatile Duration delayWarningTime;
    private final Clock clock;

    public DsnNotifier(Spool spool, String myhostname, Duration maximalQueueLifetime, Duration delayWarningTime,
                       Clock clock) {
        this.spool = spool;
        this.myhostname = myhostname;
        this.builder = new DsnBuilder(myhostname, clock, maximalQueueLifetime);
        this.delayWarningTime = delayWarningTime;
        this.clock = clock;
    }

    /**
     * Notices queued from now on state these times (how long the relay keeps trying, when a
     * delay warning is sent): after a reload changed them.
     */
    public void times(Duration maximalQueueLifetime, Duration delayWarningTime) {
        this.builder = new DsnBuilder(myhostname, clock, maximalQueueLifetime);
        this.delayWarningTime = delayWarningTime;
    }

    @Override
    public QueueId bounce(QueuedMessage message, List<Failure> failed) throws IOException {
        return queue(message, failed, Action.FAILED);
    }

    @Override
    public QueueId delayed(QueuedMessage message, List<Failure> delayed) throws IOException {
        return queue(message, delayed, Action.DELAYED);
    }

    private QueueId queue(QueuedMessage m, List<Failure> failures, Action action) throws IOException {
        List<FailedRecipient> rcpts = failures.stream().map(f -> {
            // "host mx.example.net[192.0.2.1]:25 said: 550 5.1.1 ..." is the reply of that host:
            // the notice gets the reply itself (Diagnostic-Code: smtp; 550 ...) and the host as
            // Remote-MTA. Any other reason is our own, with no remote MTA.
            Matcher said = HOST_SAID.matcher(f.reason());
            boolean reply = said.matches();
            return new FailedRecipient(f.recipient(), f.recipient(), status(f.dsn(), action),
                    reply ? said.group(2) : f.reason(), reply ? remoteHost(said.group(1)) : "",
                    Instant.ofEpochMilli(f.lastAttemptMillis() > 0 ? f.lastAttemptMillis() : clock.millis()), action);
        }).toList();
        byte[] notice;
        try (InputStream original = spool.openContent(m)) {
            notice = builder.build(action, m.id().value(), m.sender(), Instant.ofEpochMilli(m.arrivalMillis()), rcpts,
                    original, action == Action.DELAYED ? delayWarningTime : null);
        }
        try (Spool.Incoming in = spool.create(clock.millis(), "local", "", List.of(m.sender()), Set.of())) {
            in.content().write(notice);
            in.commit(0);
            return in.id();
        }
    }

    /** A delayed recipient must have a 4.x.x status; a failed one keeps its own. */
    private static String status(String dsn, Action action) {
        if (dsn == null || !dsn.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") || dsn.startsWith("2")) {
            return action == Action.DELAYED ? "4.0.0" : "5.0.0";
        }
        if (action == Action.DELAYED && !dsn.startsWith("4")) {
            return "4.0.0";
        }
        return dsn;
    }

    /**
     * {@code mx.example.com[192.0.2.1]:25} gives {@code mx.example.com}, an address literal
     * nexthop {@code [192.0.2.1][192.0.2.1]:25} gives {@code 192.0.2.1} (as Postfix names it);
     * {@code none} gives nothing.
     */
    private static String remoteHost(String relay) {
        if (relay == null || relay.isEmpty() || relay.equals("none")) {
            return "";
        }
        int bracket = relay.indexOf('[');
        String host = bracket < 0 ? relay
                : bracket == 0 ? relay.substring(1, Math.max(1, relay.indexOf(']'))) : relay.substring(0, bracket);
        return host.matches("[A-Za-z0-9.-]+") ? host : "";
    }
}
