package org.wormhole.relay.dsn;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.util.ByteArrayDataSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes delivery status notifications (RFC 3464): bounces and delay warnings, returned to the
 * original sender with the original message's header section, never its body.
 *
 * <p>A notice is a {@code multipart/report; report-type=delivery-status} (RFC 6522) from
 * {@code Mail Delivery System <MAILER-DAEMON@reportingMta>} with {@code Auto-Submitted:
 * auto-replied} (RFC 3834) and three parts:
 * <ol>
 *   <li>{@code text/plain}: what happened, worded after Postfix's notices;</li>
 *   <li>{@code message/delivery-status}: {@code Reporting-MTA}, {@code X-Wormhole-Queue-ID},
 *       {@code X-Wormhole-Sender} and {@code Arrival-Date}, then per recipient
 *       {@code Final-Recipient}, {@code Original-Recipient} (when it differs), {@code Action},
 *       {@code Status}, {@code Remote-MTA} and {@code Diagnostic-Code} (when known),
 *       {@code Last-Attempt-Date}, and for a delay {@code Will-Retry-Until}. This part is 7-bit:
 *       remote replies are put on one line (a multi-line reply joined as Postfix does), cut at
 *       900 characters, and non-ASCII in them becomes {@code ?}; a diagnostic that is not an
 *       SMTP reply gets the type {@code X-Wormhole} instead of {@code smtp};</li>
 *   <li>{@code text/rfc822-headers}: the original header section, cut after the last whole
 *       field that fits in {@value #HEADER_SECTION_LIMIT} bytes.</li>
 * </ol>
 *
 * <p>Dates come from the injected {@link Clock} and are written in its zone. Immutable and
 * thread-safe.
 */
public final class DsnBuilder {

    /** How long mail is retried before it bounces when no lifetime is given: Postfix's 5 days. */
    public static final Duration DEFAULT_MAXIMAL_QUEUE_LIFETIME = Duration.ofDays(5);

    /** The most bytes of the original header section a notice returns. */
    public static final int HEADER_SECTION_LIMIT = 64 * 1024;

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?");
    private static final Pattern QUEUE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final String reportingMta;
    private final Clock clock;
    private final Duration maximalQueueLifetime;
    private final Session session;

    /**
     * A builder that tells senders of delayed mail it is retried for
     * {@link #DEFAULT_MAXIMAL_QUEUE_LIFETIME}.
     *
     * @see #DsnBuilder(String, Clock, Duration)
     */
    public DsnBuilder(String reportingMta, Clock clock) {
        this(reportingMta, clock, DEFAULT_MAXIMAL_QUEUE_LIFETIME);
    }

    /**
     * @param reportingMta         our host name (Postfix's {@code myhostname}), e.g.
     *                             {@code relay.tokyo.example}: the notice is from
     *                             {@code MAILER-DAEMON@reportingMta}
     * @param clock                gives the notice's date and zone
     * @param maximalQueueLifetime how long after arrival the relay keeps retrying (Postfix's
     *                             {@code maximal_queue_lifetime}); a delay warning promises it
     * @throws IllegalArgumentException if {@code reportingMta} is not a host name or the lifetime
     *                                  is not positive
     */
    public DsnBuilder(String reportingMta, Clock clock, Duration maximalQueueLifetime) {
        Objects.requireNonNull(reportingMta, "reportingMta");
        if (!HOST.matcher(reportingMta).matches()) {
            throw new IllegalArgumentException("bad reporting MTA '" + reportingMta + "': expected a host name");
        }
        if (maximalQueueLifetime.isNegative() || maximalQueueLifetime.isZero()) {
            throw new IllegalArgumentException("maximal queue lifetime must be positive, not " + maximalQueueLifetime);
        }
        this.reportingMta = reportingMta;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maximalQueueLifetime = maximalQueueLifetime;
        Properties props = new Properties();
        // An SMTPUTF8 sender's address goes into the To: header as UTF-8, not mangled.
        props.setProperty("mail.mime.allowutf8", "true");
        this.session = Session.getInstance(props);
    }

    /**
     * A bounce ({@link Action#FAILED}) or a delay warning ({@link Action#DELAYED}) to
     * {@code originalSender}, as the exact bytes of an RFC 5322 message with CRLF line endings,
     * ready to be queued with the null sender {@code <>}.
     *
     * <p>Reads the header section from the start of {@code originalMessage} and stops there (or at
     * {@link #HEADER_SECTION_LIMIT}); it never reads the body into memory and does not close the
     * stream.
     *
     * @param kind              {@code FAILED} for a bounce, {@code DELAYED} for a delay warning
     * @param queueId           the original message's queue id: letters, digits, {@code . _ -}
     * @param originalSender    the original envelope sender (MAIL FROM without {@code <>}); never
     *                          empty, as no notice is ever sent about mail from the null sender
     * @param arrival           when the original message was received
     * @param recipients        the recipients to report on, at least one, each with action
     *                          {@code kind}
     * @param originalMessage   the stored original message, CRLF, positioned at its start
     * @param delayWarningAfter for a delay warning, how long delivery had been late when the
     *                          warning was due (worded "for more than 4 hours"); may be null
     * @return the notice, ending in CRLF
     * @throws IOException              if {@code originalMessage} cannot be read
     * @throws IllegalArgumentException if an argument breaks the rules above
     */
    public byte[] build(Action kind, String queueId, String originalSender, Instant arrival,
            List<FailedRecipient> recipients, InputStream originalMessage, Duration delayWarningAfter)
            throws IOException {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(originalMessage, "originalMessage");
        checkArguments(kind, queueId, originalSender, recipients);

        HeaderSection headers = HeaderSection.read(originalMessage, HEADER_SECTION_LIMIT);
        Instant now = clock.instant();
        Notice notice = new Notice(kind, reportingMta, clock.getZone(), queueId, originalSender, arrival, now,
                arrival.plus(maximalQueueLifetime), delayWarningAfter, List.copyOf(recipients),
                headers.truncated());
        try {
            return Crlf.normalize(write(notice, headers));
        } catch (MessagingException e) {
            throw new IllegalStateException("cannot write a delivery status notification: " + e.getMessage(), e);
        }
    }

    private static void checkArguments(Action kind, String queueId, String sender, List<FailedRecipient> recipients) {
        Objects.requireNonNull(queueId, "queueId");
        Objects.requireNonNull(sender, "originalSender");
        Objects.requireNonNull(recipients, "recipients");
        if (!QUEUE_ID.matcher(queueId).matches()) {
            throw new IllegalArgumentException("bad queue id '" + queueId + "': expected 1-64 letters, digits, '.', '_' or '-'");
        }
        if (sender.isEmpty()) {
            throw new IllegalArgumentException("no notice is sent about mail from the null sender <>");
        }
        if (sender.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw new IllegalArgumentException("bad original sender '" + ReportText.ascii(sender)
                    + "': holds spaces or control characters");
        }
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a notice needs at least one recipient");
        }
        for (FailedRecipient r : recipients) {
            if (r.action() != kind) {
                throw new IllegalArgumentException("recipient " + r.address() + " has action " + r.action().keyword()
                        + " but this notice reports " + kind.keyword() + " recipients");
            }
        }
    }

    private byte[] write(Notice n, HeaderSection headers) throws MessagingException, IOException {
        MimeMessage message = new NoticeMessage(session, messageId(n));
        message.setFrom(new InternetAddress("MAILER-DAEMON@" + reportingMta, "Mail Delivery System", "UTF-8"));
        message.setHeader("To", n.sender());
        message.setSubject(n.kind() == Action.FAILED
                ? "Undelivered Mail Returned to Sender"
                : "Delayed Mail (still being retried)");
        message.setHeader("Date", n.date(n.now()));
        message.setHeader("Auto-Submitted", "auto-replied");
        message.setContent(new DeliveryReport(explanation(n), deliveryStatus(n), returnedHeaders(n, headers)));
        message.saveChanges();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toByteArray();
    }

    /** {@code <20250602100000.4F2A9C1B7.5e1f03a2@relay.tokyo.example>}: unique even for two notices a second. */
    private static String messageId(Notice n) {
        return "<" + ID_TIME.format(n.now()) + "." + n.queueId() + "."
                + String.format("%08x", ThreadLocalRandom.current().nextInt()) + "@" + n.reportingMta() + ">";
    }

    private static MimeBodyPart explanation(Notice n) throws MessagingException {
        String text = Explanation.render(n);
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text, ReportText.isPrintableAscii(text.replace("\r\n", "")) ? "us-ascii" : "utf-8");
        part.setHeader("Content-Description", "Notification");
        return part;
    }

    private static MimeBodyPart deliveryStatus(Notice n) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(DeliveryStatusFields.render(n), "message/delivery-status")));
        part.setHeader("Content-Description", "Delivery report");
        part.setHeader("Content-Transfer-Encoding", "7bit");
        return part;
    }

    private static MimeBodyPart returnedHeaders(Notice n, HeaderSection headers) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(headers.bytes(), "text/rfc822-headers")));
        part.setHeader("Content-Description",
                n.kind() == Action.FAILED ? "Undelivered Message Headers" : "Delayed Message Headers");
        return part;
    }
}
