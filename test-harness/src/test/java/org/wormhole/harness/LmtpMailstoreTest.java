package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.lmtp.LMTPConfiguration;
import org.apache.james.protocols.lmtp.core.DataLineMessageHookHandler;
import org.apache.james.protocols.lmtp.core.LhloCmdHandler;
import org.apache.james.protocols.lmtp.core.ReceivedDataLineFilter;
import org.apache.james.protocols.lmtp.core.WelcomeMessageHandler;
import org.apache.james.protocols.lmtp.hook.DeliverToRecipientHook;
import org.apache.james.protocols.netty.NettyServer;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;
import org.apache.james.protocols.smtp.core.MailCmdHandler;
import org.apache.james.protocols.smtp.core.NoopCmdHandler;
import org.apache.james.protocols.smtp.core.QuitCmdHandler;
import org.apache.james.protocols.smtp.core.RcptCmdHandler;
import org.apache.james.protocols.smtp.core.RsetCmdHandler;
import org.apache.james.protocols.smtp.core.UnknownCmdHandler;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.reactivestreams.Publisher;
import org.wormhole.relay.queue.QueueId;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.QueuedMessage;
import org.wormhole.relay.queue.RecipientState;
import org.wormhole.relay.queue.RecipientStatus;
import org.wormhole.testing.Await;

/**
 * The site's mailbox server speaks LMTP (Dovecot's role): the relay routes
 * {@code mailstore.example} to it with {@code lmtp:[127.0.0.1]:port}, delivers one copy per
 * transaction, and takes the server's per-recipient replies (RFC 2033 4.2) one by one: a 2xx is
 * delivered, a 5xx bounces to the sender, a 4xx waits in the queue for the next try.
 *
 * <p>The mailbox server is Apache James Protocols 3.8.1's LMTP server on Netty; its
 * {@link DeliverToRecipientHook} stores each recipient's message bytes and answers from a
 * per-mailbox script. The sender's own site hub, where bounces arrive, is a {@link FakeMx}.
 */
class LmtpMailstoreTest {

    private static final String ALICE = "alice@birlinghoven.example";

    @RegisterExtension
    final OneSite one = new OneSite();

    private Mailstore mailstore;
    private TestSite site;

    /** Before the site: a delivery still talking to the mailstore ends at once. */
    @AfterEach
    void stopMailstore() {
        if (mailstore != null) {
            mailstore.close();
        }
    }

    /**
     * A relay routing the mailstore by LMTP and alice's domain to her hub. Deferred mail is
     * retried only after an hour, so that only a flush brings it out again.
     */
    private TestSite site() throws Exception {
        mailstore = new Mailstore();
        site = one.start("mailstore.example\tlmtp:[127.0.0.1]:" + mailstore.port() + "\n",
                "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n");
        return site;
    }

    /** 8-bit text, dots at line starts, a 998-octet line, a header the relay must not touch. */
    static String message() {
        return "From: Alice <alice@birlinghoven.example>\r\n"
                + "To: Bob <bob@mailstore.example>, Carol <carol@mailstore.example>\r\n"
                + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
                + "Message-ID: <lmtp-1@birlinghoven.example>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n"
                + "Gr\u00fc\u00dfe aus Birlinghoven \u2014 \u6771\u4eac\r\n"
                + "..a line that starts with a dot (stuffed on the wire)\r\n"
                + "...\r\n"
                + "\r\n"
                + "x".repeat(998) + "\r\n"
                + "Received: not a header, body text\r\n";
    }

    @Test
    void twoMailboxesOnTheMailstoreEachGetTheMessageExactlyOnceByteForByte() throws Exception {
        site();
        String reply;
        try (SmtpTranscript c = one.client()) {
            reply = c.sendMail(ALICE, message(), "bob@mailstore.example", "carol@mailstore.example");
            c.send("QUIT").expect("221");
        }
        assertTrue(reply.matches("250 2\\.0\\.0 Ok: queued as [0-9A-V]{14}"), reply);
        String queueId = reply.substring(reply.lastIndexOf(' ') + 1);

        Await.until("both mailboxes to have the message", () -> mailstore.stored("bob@mailstore.example").size() == 1
                && mailstore.stored("carol@mailstore.example").size() == 1);
        Await.until("the queue to be empty", () -> queueIsEmpty());

        // One LMTP transaction for both: LHLO, MAIL, two RCPTs, DATA, one reply each.
        assertEquals(1, mailstore.transactions.size(), "transactions seen by the mailstore");
        Mailstore.Transaction t = mailstore.transactions.get(0);
        assertEquals(ALICE, t.sender());
        assertEquals(List.of("bob@mailstore.example", "carol@mailstore.example"), t.recipients());
        assertEquals("relay.test.example", t.helo());
        // ... and that greeting was LHLO: this server knows no EHLO or HELO. (James records LHLO
        // as helo mode "EHLO", so the session attachment cannot tell.)
        try (SmtpTranscript lmtp = SmtpTranscript.connect(mailstore.port())) {
            lmtp.expect("220 mailstore.example");
            lmtp.send("EHLO relay.test.example").expect("500");
            lmtp.send("LHLO relay.test.example").expect("250");
        }

        // The client dot-stuffed its lines on the wire; the relay stuffs them again for LMTP; the
        // mailbox gets what the client meant, behind James's and the relay's Received: headers.
        byte[] expected = message().replace("\r\n..", "\r\n.").getBytes(StandardCharsets.UTF_8);
        for (String mailbox : List.of("bob@mailstore.example", "carol@mailstore.example")) {
            byte[] got = mailstore.stored(mailbox).get(0);
            String text = new String(got, StandardCharsets.ISO_8859_1); // one char per octet
            // What James adds: its own Received: header, folded with ten spaces; with two
            // recipients it names none ("for <...>" only for a single one). It says EHLO although
            // the relay said LHLO: James's LhloCmdHandler records the mode of its parent, EHLO.
            int jamesEnd = endOfHeaderField(text, 0);
            String james = text.substring(0, jamesEnd);
            assertTrue(james.matches("Received: from \\S+ \\(EHLO relay\\.test\\.example\\) \\(\\[127\\.0\\.0\\.1\\]\\)\r\n"
                    + " {10}by mailstore\\.example \\(Mailstore LMTP\\) with LMTP ID \\S+;\r\n"
                    + " {10}\\w{3}, \\d{2} \\w{3} \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4} \\(.+\\)\r\n"), james);
            // Then the relay's, naming the queue id (and, with two recipients, none of them), then
            // the message exactly as the client sent it.
            int relayEnd = endOfHeaderField(text, jamesEnd);
            String relay = text.substring(jamesEnd, relayEnd);
            assertTrue(relay.startsWith("Received: from client.example (unknown [127.0.0.1])\r\n"
                    + "\tby relay.test.example (Wormhole) with ESMTP id " + queueId + "; "), relay);
            assertArrayEquals(expected, Arrays.copyOfRange(got, relayEnd, got.length),
                    mailbox + ":\n" + new String(got, StandardCharsets.UTF_8));
        }
    }

    @Test
    void perRecipientRepliesDeliverOneBounceOneAndKeepTheOverQuotaOneQueuedUntilFlushed() throws Exception {
        site();
        mailstore.refuse("full@mailstore.example", "552", "5.2.2 <full@mailstore.example>: mailbox full");
        mailstore.refuse("quota@mailstore.example", "452", "4.2.2 <quota@mailstore.example>: over quota, try later");
        try (SmtpTranscript c = one.client()) {
            c.sendMail(ALICE, "From: alice@birlinghoven.example\r\nSubject: three\r\n\r\nhello\r\n",
                    "ok@mailstore.example", "full@mailstore.example", "quota@mailstore.example");
            c.send("QUIT").expect("221");
        }

        // ok is delivered; full bounces to alice at her hub with the mailstore's own status.
        Await.until("ok@ to be delivered", () -> mailstore.stored("ok@mailstore.example").size() == 1);
        Await.until("the bounce to reach alice", () -> one.hub.received.size() == 1);
        FakeMx.Received bounce = one.hub.received.get(0);
        DeliveryReport dsn = DeliveryReport.of(bounce);
        assertEquals("", dsn.envelopeSender(), "bounces come from the null sender");
        assertEquals(List.of(ALICE), dsn.recipients());
        assertEquals("multipart/report", dsn.contentType(), bounce.text());
        String full = dsn.recipientFields("full@mailstore.example");
        assertEquals("failed", DeliveryReport.field(full, "Action"), dsn.deliveryStatus());
        assertEquals("5.2.2", DeliveryReport.field(full, "Status"), dsn.deliveryStatus());
        String diagnostic = DeliveryReport.field(full, "Diagnostic-Code");
        assertTrue(diagnostic != null && diagnostic.contains("552 5.2.2") && diagnostic.contains("mailbox full"),
                dsn.deliveryStatus());
        assertEquals("", dsn.recipientFields("ok@mailstore.example"), "the delivered recipient is not in the bounce");
        assertEquals("", dsn.recipientFields("quota@mailstore.example"), "the deferred recipient is not in the bounce");

        // quota stays in deferred/ with the mailstore's 452 as its last error.
        Await.until("the message to wait in deferred/", () -> deferred().size() == 1
                && site.relay.queue().counts().get(QueueState.DEFERRED) == 1);
        QueuedMessage waiting = deferred().get(0);
        assertEquals(ALICE, waiting.sender());
        assertEquals(Map.of("ok@mailstore.example", RecipientStatus.SENT,
                        "full@mailstore.example", RecipientStatus.BOUNCED,
                        "quota@mailstore.example", RecipientStatus.PENDING),
                statuses(waiting), waiting.toString());
        assertTrue(waiting.lastError().contains("452 4.2.2") && waiting.lastError().contains("over quota"),
                waiting.lastError());
        assertEquals(1, waiting.pending().get(0).attempts());

        // The mailbox gets room again; a flush delivers the message to quota only, once.
        mailstore.accept("quota@mailstore.example");
        assertEquals(1, site.relay.queue().flush(), "messages flushed");
        // Relay bug: a flush that lands while the first attempt is still winding up (the file is
        // already in deferred/ but the id not yet out of QueueManager's inFlight set) is dropped
        // by scheduleLoop and also supersedes the attempt's own retry, so the message would wait
        // for another flush or a restart. Flush again until the mailstore sees the second
        // transaction; repeating a flush cannot duplicate anything.
        Await.until("the flush to bring the message to the mailstore", () -> {
            if (mailstore.transactions.size() < 2) {
                site.relay.queue().flush();
            }
            return mailstore.transactions.size() >= 2;
        });
        Await.until("quota@ to be delivered", () -> mailstore.stored("quota@mailstore.example").size() == 1);
        Await.until("the queue to be empty", () -> queueIsEmpty());

        assertEquals(1, mailstore.stored("ok@mailstore.example").size(), "ok@ delivered again");
        assertEquals(0, mailstore.stored("full@mailstore.example").size(), "full@ stored although refused");
        assertEquals(2, mailstore.transactions.size(), "LMTP transactions");
        assertEquals(List.of("ok@mailstore.example", "full@mailstore.example", "quota@mailstore.example"),
                mailstore.transactions.get(0).recipients());
        assertEquals(List.of("quota@mailstore.example"), mailstore.transactions.get(1).recipients(),
                "the retry names only the recipient still pending");
        assertArrayEquals(withoutFirstField(mailstore.stored("ok@mailstore.example").get(0)),
                withoutFirstField(mailstore.stored("quota@mailstore.example").get(0)),
                "both mailboxes hold the same bytes after James's Received: header");
        assertEquals(1, one.hub.received.size(), "one bounce only");
    }

    private boolean queueIsEmpty() {
        try {
            for (QueueState st : List.of(QueueState.INCOMING, QueueState.ACTIVE, QueueState.DEFERRED, QueueState.HOLD)) {
                if (!site.relay.spool().list(st).isEmpty()) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private List<QueuedMessage> deferred() {
        try {
            List<QueuedMessage> out = new ArrayList<>();
            for (QueueId id : site.relay.spool().list(QueueState.DEFERRED)) {
                out.add(site.relay.spool().read(QueueState.DEFERRED, id));
            }
            return out;
        } catch (Exception e) {
            return List.of();
        }
    }

    private static Map<String, RecipientStatus> statuses(QueuedMessage m) {
        Map<String, RecipientStatus> s = new ConcurrentHashMap<>();
        for (RecipientState r : m.recipients()) {
            s.put(r.address(), r.status());
        }
        return s;
    }

    /** The message without its first header field (the one the mailstore added). */
    private static byte[] withoutFirstField(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        return Arrays.copyOfRange(message, endOfHeaderField(text, 0), message.length);
    }

    /** Where the header field starting at {@code from} ends (after its last folded line). */
    private static int endOfHeaderField(String text, int from) {
        int end = text.indexOf("\r\n", from) + 2;
        while (text.charAt(end) == ' ' || text.charAt(end) == '\t') {
            end = text.indexOf("\r\n", end) + 2;
        }
        return end;
    }

    /**
     * The mailbox server: James Protocols' LMTP server with a delivery hook that stores each
     * recipient's message in a map. Every mailbox accepts unless told to refuse it.
     */
    static final class Mailstore implements AutoCloseable {

        /** One DATA as the hook saw it. */
        record Transaction(String helo, String sender, List<String> recipients) {
        }

        /** The message bytes each mailbox was given, in order (James's Received: header first). */
        private final Map<String, List<byte[]>> mailboxes = new ConcurrentHashMap<>();
        /** Mailbox -> the reply that refuses it ({code, enhanced status and text}). */
        private final Map<String, String[]> refusals = new ConcurrentHashMap<>();
        final List<Transaction> transactions = new CopyOnWriteArrayList<>();
        private final NettyServer server;

        Mailstore() throws Exception {
            MetricFactory metrics = new NoMetrics();
            // No default handlers: the LMTP set (LHLO instead of EHLO/HELO, the LMTP DATA with one
            // reply per recipient) on top of the SMTP commands LMTP shares.
            SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(metrics, false);
            List<ProtocolHandler> handlers = List.of(
                    new CommandDispatcher<SMTPSession>(),
                    new LhloCmdHandler(metrics),
                    new MailCmdHandler(metrics),
                    new RcptCmdHandler(metrics),
                    new DataCmdHandler(metrics),
                    new NoopCmdHandler(),
                    new RsetCmdHandler(),
                    new QuitCmdHandler(metrics),
                    new WelcomeMessageHandler(),
                    new ReceivedDataLineFilter(),
                    new DataLineMessageHookHandler(),
                    new UnknownCmdHandler(metrics),
                    (DeliverToRecipientHook) this::deliver);
            chain.addAll(handlers);
            chain.wireExtensibleHandlers();
            server = new NettyServer.Factory().protocol(new SMTPProtocol(chain, new Config())).build();
            server.setListenAddresses(new InetSocketAddress("127.0.0.1", 0));
            server.setGracefulShutdown(false);
            server.bind();
        }

        int port() {
            return server.getListenAddresses().get(0).getPort();
        }

        void refuse(String mailbox, String code, String text) {
            refusals.put(mailbox, new String[] {code, text});
        }

        void accept(String mailbox) {
            refusals.remove(mailbox);
        }

        /** What {@code mailbox} was given, one entry per delivery; empty if nothing. */
        List<byte[]> stored(String mailbox) {
            return mailboxes.getOrDefault(mailbox, List.of());
        }

        /** Called on a Netty I/O thread once per recipient, after the final dot. */
        private HookResult deliver(SMTPSession session, MailAddress recipient, MailEnvelope envelope) {
            if (recipient.equals(envelope.getRecipients().get(0))) {
                transactions.add(new Transaction(
                        session.getAttachment(SMTPSession.CURRENT_HELO_NAME, ProtocolSession.State.Connection).orElse(""),
                        envelope.getMaybeSender().asString(""),
                        envelope.getRecipients().stream().map(MailAddress::asString).toList()));
            }
            String mailbox = recipient.asString();
            String[] refusal = refusals.get(mailbox);
            if (refusal != null) {
                return HookResult.builder()
                        .hookReturnCode(refusal[0].startsWith("4") ? HookReturnCode.denySoft() : HookReturnCode.deny())
                        .smtpReturnCode(refusal[0]).smtpDescription(refusal[1]).build();
            }
            try {
                byte[] bytes = envelope.getMessageInputStream().readAllBytes();
                mailboxes.computeIfAbsent(mailbox, k -> new CopyOnWriteArrayList<>()).add(bytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return HookResult.builder().hookReturnCode(HookReturnCode.ok())
                    .smtpReturnCode("250").smtpDescription("2.0.0 <" + mailbox + "> Saved").build();
        }

        @Override
        public void close() {
            server.unbind();
        }
    }

    /** LMTP settings: the HELO name would otherwise be this machine's host name. */
    private static final class Config extends LMTPConfiguration {
        Config() {
            super("Mailstore LMTP");
        }

        @Override
        public String getHelloName() {
            return "mailstore.example";
        }

        @Override
        public long getMaxMessageSize() {
            return 0;
        }

        @Override
        public boolean isPlainAuthEnabled() {
            return false;
        }

        @Override
        public Optional<OidcSASLConfiguration> saslConfiguration() {
            return Optional.empty();
        }
    }

    /** James Protocols wants a MetricFactory and ships no no-op one. */
    @SuppressWarnings("deprecation") // logWhenExceedP99 and its publisher twin are abstract yet deprecated
    private static final class NoMetrics implements MetricFactory {
        private static final Metric METRIC = new Metric() {
            @Override
            public void increment() {
            }

            @Override
            public void decrement() {
            }

            @Override
            public void add(int value) {
            }

            @Override
            public void remove(int value) {
            }

            @Override
            public long getCount() {
                return 0;
            }
        };

        private static final TimeMetric.ExecutionResult RESULT = new TimeMetric.ExecutionResult() {
            @Override
            public Duration elasped() {
                return Duration.ZERO;
            }

            @Override
            public TimeMetric.ExecutionResult logWhenExceedP99(Duration threshold) {
                return this;
            }
        };

        @Override
        public Metric generate(String name) {
            return METRIC;
        }

        @Override
        public TimeMetric timer(String name) {
            return new TimeMetric() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public ExecutionResult stopAndPublish() {
                    return RESULT;
                }
            };
        }

        @Override
        public <T> Publisher<T> decoratePublisherWithTimerMetric(String name, Publisher<T> publisher) {
            return publisher;
        }

        @Override
        public <T> Publisher<T> decoratePublisherWithTimerMetricLogP99(String name, Publisher<T> publisher) {
            return publisher;
        }
    }
}
