package org.wormhole.relay.events;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Postfix-style log lines of the relay's events: one line each, under the logger named after
 * the Postfix process that would write it ({@code smtpd}, {@code qmgr}, {@code link}). Their wording is what
 * operators grep and the proving ground parses: keep it.
 *
 * <p>{@link #postfix()} writes Postfix's own lines instead, for {@code log_format = syslog}: the tools
 * that read Postfix logs (pflogsumm) match its processes, lines and words. A message queued is
 * then three lines ({@code smtpd: ID: client=...}, {@code cleanup: ID: message-id=<...>} if it
 * has one, {@code qmgr: ID: from=<...>, size=N, nrcpt=N (queue active)}); a recipient's attempt
 * is logged by its delivery agent ({@code smtp}, {@code lmtp}, {@code error}, {@code discard},
 * {@code local}) with Postfix's {@code orig_to=}, and a refused RCPT names its {@code proto=}.
 *
 * <p>The mailertable's events ({@link TableSwapped}, {@link TableEditRejected}, {@link TableUnreadable})
 * have no line here: the mailertable module writes its own, under its own logger.
 */
public final class LoggedEvents implements RelayEvents {

    private static final Logger smtpd = LoggerFactory.getLogger("smtpd");
    private static final Logger link = LoggerFactory.getLogger("link");
    private static final Logger qmgr = LoggerFactory.getLogger("qmgr");
    private static final Logger cleanup = LoggerFactory.getLogger("cleanup");
    /** The delivery agents' loggers, by mailer, for Postfix's lines. */
    private static final Map<String, Logger> AGENTS = new ConcurrentHashMap<>();
    private static final Pattern TRAILING_ZEROS = Pattern.compile("\\.?0+$");
    /** {@link #twoDigits} of 0.000 to 9.999 s, filled as they are met: a log line costs no Formatter. */
    private static final String[] SECONDS_TEXT = new String[10_000];

    private final boolean postfix;

    /** The relay's own lines (log_format = default). */
    public LoggedEvents() {
        this(false);
    }

    private LoggedEvents(boolean postfix) {
        this.postfix = postfix;
    }

    /** Postfix's own lines, processes and words (log_format = syslog). */
    public static LoggedEvents postfix() {
        return new LoggedEvents(true);
    }

    /**
     * {@code PREGREET from [ADDRESS]: ...} for a client that talked before the greeting. The
     * refusals by the client limits are logged by {@code smtpd.ClientLimits}, at most once per client
     * and time unit with a count of those not logged; a refusal while stopping is not logged, nor a
     * session closed by the stop during its pregreet wait.
     */
    @Override
    public void sessionRefused(SessionRefused e) {
        if (e.reason() == SessionRefused.Reason.PREGREET) {
            smtpd.info("PREGREET from [{}]: client talked before the greeting; disconnected", e.address());
        }
    }

    /** With {@code sasl_method=..., sasl_username=...} after the client when it logged in, as Postfix writes them. */
    @Override
    public void messageQueued(MessageQueued e) {
        if (postfix) {
            smtpd.info("{}: client={}{}", e.id(), e.client(), sasl(e));
            if (!e.messageId().isEmpty()) {
                cleanup.info("{}: message-id={}", e.id(), e.messageId());
            }
            qmgr.info("{}: from=<{}>, size={}, nrcpt={} (queue active)", e.id(), e.sender(), e.size(), e.recipients());
            return;
        }
        smtpd.info("{}: client={}{}, from=<{}>, size={}, nrcpt={} (queue active)", e.id(), e.client(), sasl(e),
                e.sender(), e.size(), e.recipients());
    }

    /** {@code , sasl_method=PLAIN, sasl_username=alice} after the client when it logged in, as Postfix writes them. */
    private static String sasl(MessageQueued e) {
        return e.saslMethod().isEmpty() ? "" : ", sasl_method=" + e.saslMethod() + ", sasl_username=" + e.saslUsername();
    }

    /**
     * Postfix's {@code host[addr]: SASL LOGIN authentication failed: authentication failure}, which
     * fail2ban's filters match (samples/fail2ban); the name tried follows as {@code sasl_username=},
     * its unprintable characters as '?'. Once a client used up its limit, one more line says so.
     */
    @Override
    public void authenticationFailed(AuthenticationFailed e) {
        smtpd.warn("{}: SASL {} authentication failed: authentication failure, sasl_username={}", e.client(),
                e.mechanism(), printable(e.username()));
        if (e.limitReached()) {
            smtpd.warn("{}: AUTH failure limit reached: {} in {}s; AUTH from it gets 421 4.7.0 for the rest of the window",
                    e.client(), e.failures(), e.window().toSeconds());
        }
    }

    /** At most 64 characters of {@code s}, anything but printable ASCII as '?': an attacker's text in a log line. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(c -> b.append(c > ' ' && c < 0x7F ? (char) c : '?'));
        return b.toString();
    }

    @Override
    public void messageRefused(MessageRefused e) {
        smtpd.info("{}: reject: DATA from {}: {}; from=<{}>", e.id(), e.client(), e.reply(), e.sender());
    }

    @Override
    public void recipientRefused(RecipientRefused e) {
        if (postfix) {
            smtpd.info("NOQUEUE: reject: RCPT from {}: {} {} {}; from=<{}> to=<{}> proto={} helo=<{}>", e.client(), e.code(),
                    e.enhancedStatus(), e.text(), e.sender(), e.recipient(), e.proto(), e.helo());
            return;
        }
        smtpd.info("NOQUEUE: reject: RCPT from {}: {} {} {}; from=<{}> to=<{}> helo=<{}>", e.client(), e.code(),
                e.enhancedStatus(), e.text(), e.sender(), e.recipient(), e.helo());
    }

    /** {@code ID: to=<...>, relay=..., delay=..., delays=a/b/c/d, dsn=..., status=sent (...)}, as Postfix. */
    @Override
    public void recipientAttempted(RecipientAttempted e) {
        double a = Math.max(0, e.startMillis() - e.arrivalMillis()) / 1000.0;
        double b = Math.max(0, e.doneMillis() - e.startMillis() - e.setupMillis() - e.transmitMillis()) / 1000.0;
        String status = switch (e.outcome().status()) {
            case SENT -> "sent";
            case DEFERRED -> "deferred";
            case BOUNCED -> "bounced";
        };
        if (postfix) {
            agent(e.mailer()).info("{}: to=<{}>,{} relay={}, delay={}, delays={}/{}/{}/{}, dsn={}, status={} ({})", e.id(),
                    e.sentTo(), e.sentTo().equals(e.recipient()) ? "" : " orig_to=<" + e.recipient() + ">,", e.relay(),
                    seconds(e.delaySeconds()), seconds(a), seconds(b), seconds(e.setupMillis() / 1000.0),
                    seconds(e.transmitMillis() / 1000.0), e.outcome().dsn(), status, e.outcome().text());
            return;
        }
        qmgr.info("{}: to=<{}>,{} relay={}, delay={}, delays={}/{}/{}/{}, dsn={}, status={} ({})", e.id(), e.recipient(),
                e.sentTo().equals(e.recipient()) ? "" : " orig_to=<" + e.recipient() + ">, now_to=<" + e.sentTo() + ">,",
                e.relay(), seconds(e.delaySeconds()), seconds(a), seconds(b), seconds(e.setupMillis() / 1000.0),
                seconds(e.transmitMillis() / 1000.0), e.outcome().dsn(), status, e.outcome().text());
    }

    /**
     * The Postfix process that logs a mailer's deliveries: smtp for the SMTP mailers (and tsmtp:
     * over the link or SMTP to a classic peer), lmtp, error, discard and local for theirs; qmgr
     * for a recipient that was not routed (a mailertable lookup that failed for now, a loop).
     */
    private static Logger agent(String mailer) {
        String process = switch (mailer) {
            case "lmtp", "error", "discard", "local" -> mailer;
            case "none" -> "qmgr";
            default -> "smtp";
        };
        return AGENTS.computeIfAbsent(process, LoggerFactory::getLogger);
    }

    /** Seconds as Postfix writes them: two significant digits below ten, whole seconds above. */
    private static String seconds(double s) {
        if (s >= 10) {
            return Long.toString(Math.round(s));
        }
        double millis = Math.rint(s * 1000);
        if (Math.copySign(1.0, s) > 0 && millis < SECONDS_TEXT.length && millis / 1000 == s) { // whole milliseconds
            int i = (int) millis;
            String text = SECONDS_TEXT[i];
            if (text == null) {
                text = twoDigits(s);
                SECONDS_TEXT[i] = text; // a benign race: every thread computes the same string
            }
            return text;
        }
        return twoDigits(s);
    }

    private static String twoDigits(double s) {
        String f = String.format("%.2g", s);
        // Only a fraction's zeros: 9.996 s rounds to "10", which must not become "1".
        return f.indexOf('.') < 0 ? f : TRAILING_ZEROS.matcher(f).replaceAll("");
    }

    @Override
    public void linkUp(LinkCameUp e) {
        link.info("link to {} up{}", e.peer(), e.downSince().map(d -> " (down since " + d + ")").orElse(""));
    }
}
