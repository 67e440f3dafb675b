package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.wormhole.bench.DelayingProxy;
import org.wormhole.link.SiteIdentity;
import org.wormhole.testing.Await;

/**
 * The deployment of the INET'98 paper, with Wormhole, for tests: a Tokyo and a Birlinghoven
 * relay, each with its own spool, key and GreenMail internal mail hub, joined by a link over real
 * TLS on loopback. Tokyo is the branch that dials out; Birlinghoven listens. With
 * {@link #throughProxy}, Tokyo dials Birlinghoven through a {@link DelayingProxy}, so a test can
 * cut, refuse or freeze every link connection; with {@link #throughLoopbackPath}, through a
 * {@link LoopbackPath}, which can hang as a frozen host does, or be narrow. Retries wait an
 * hour, so mail waiting for the link goes only when the link comes back (which flushes the queue).
 */
final class TwoSites implements AutoCloseable {

    /**
     * Both relays: retries wait an hour; the link redials within 2 s (a peer that is back is
     * relinked within a test's wait however many dials failed meanwhile); keepalive as the test sets it.
     */
    private static final String COMMON = "minimal_backoff_time = 1h\nmaximal_backoff_time = 2h\n"
            + "link_maximal_backoff_time = 2s\n";

    final GreenMail tokyoHub;
    final GreenMail birlHub;
    final FakeMx internet;
    final SiteIdentity tokyoKey;
    final SiteIdentity birlKey;
    final TestSite tokyo;
    final TestSite birl;
    /** Birlinghoven's link port. */
    final int linkPort;
    /** The WAN between the sites, or null when Tokyo dials Birlinghoven otherwise. */
    final DelayingProxy proxy;
    /** A path that can hang or be narrow, or null when Tokyo dials Birlinghoven otherwise. */
    final LoopbackPath loopbackPath;

    private TwoSites(Path dir, String config, Duration proxyRtt, boolean loopbackPath) throws Exception {
        this(dir, config, proxyRtt, loopbackPath, null);
    }

    /**
     * What one site's configuration adds for its forwarded services: Birlinghoven's, which may
     * name its hub's IMAP and POP3 ports, and Tokyo's.
     */
    record SiteExtras(Function<GreenMail, String> birlinghoven, String tokyo) {
    }

    private TwoSites(Path dir, String config, Duration proxyRtt, boolean loopbackPath, SiteExtras extras) throws Exception {
        tokyoHub = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        tokyoHub.start();
        // With services, Birlinghoven's hub is its mail server too: IMAP and POP3 for its users.
        birlHub = new GreenMail(extras == null ? new ServerSetup[] {ServerSetupTest.SMTP.dynamicPort()}
                : new ServerSetup[] {ServerSetupTest.SMTP.dynamicPort(), ServerSetupTest.IMAP.dynamicPort(),
                    ServerSetupTest.POP3.dynamicPort()});
        birlHub.start();
        internet = new FakeMx();
        // Birlinghoven's pin sorts first, so the duplicate-link tie-break is the same in every run.
        Path tokyoKeys;
        Path birlKeys;
        SiteIdentity t;
        SiteIdentity b;
        int attempt = 0;
        do {
            attempt++;
            tokyoKeys = dir.resolve("tokyo/keys-" + attempt);
            birlKeys = dir.resolve("birlinghoven/keys-" + attempt);
            t = SiteIdentity.generate(tokyoKeys, "tokyo", Duration.ofDays(30));
            b = SiteIdentity.generate(birlKeys, "birlinghoven", Duration.ofDays(30));
        } while (b.pin().value().compareTo(t.pin().value()) >= 0);
        tokyoKey = t;
        birlKey = b;
        birl = new TestSite(dir.resolve("birlinghoven"),
                "birlinghoven.example\tesmtp:[127.0.0.1]:" + birlHub.getSmtp().getPort() + "\n"
                        + "tokyo.example\ttsmtp:[127.0.0.1]\n",
                COMMON + config + (extras == null ? "" : extras.birlinghoven().apply(birlHub))
                        + "myhostname = relay.birlinghoven.example\n"
                        + "link_listen = \"127.0.0.1:0\"\n"
                        + "link_key_directory = \"" + birlKeys + "\"\n"
                        + "peers { tokyo { address = \"127.0.0.1\", pins = [\"" + tokyoKey.pin() + "\"], dial = false } }\n");
        try {
            // Birlinghoven first: Tokyo is told the link port it bound.
            birl.start();
            linkPort = birl.keepLinkPort();
            InetSocketAddress link = new InetSocketAddress("127.0.0.1", linkPort);
            proxy = proxyRtt == null ? null : new DelayingProxy(link, proxyRtt);
            this.loopbackPath = loopbackPath ? new LoopbackPath(link) : null;
            int dialed = proxy != null ? proxy.port() : this.loopbackPath != null ? this.loopbackPath.port() : linkPort;
            tokyo = new TestSite(dir.resolve("tokyo"),
                    "tokyo.example\tesmtp:[127.0.0.1]:" + tokyoHub.getSmtp().getPort() + "\n"
                            + "birlinghoven.example\ttsmtp:birlinghoven\n",
                    COMMON + config + (extras == null ? "" : extras.tokyo()) + "myhostname = relay.tokyo.example\n"
                            + "link_key_directory = \"" + tokyoKeys + "\"\n"
                            + "peers { birlinghoven { address = \"127.0.0.1\", port = " + dialed
                            + ", pins = [\"" + birlKey.pin() + "\"], dial = true } }\n");
            tokyo.dns.put("outside.example", internet.address());
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Both sites, Tokyo dialing Birlinghoven directly; {@code config} goes into both relays' configuration. */
    static TwoSites direct(Path dir, String config) throws Exception {
        return new TwoSites(dir, config, null, false).start();
    }

    /** Both sites, Tokyo dialing Birlinghoven through a {@link DelayingProxy} with this round-trip time. */
    static TwoSites throughProxy(Path dir, String config, Duration rtt) throws Exception {
        return new TwoSites(dir, config, rtt, false).start();
    }

    /**
     * Both sites with forwarded services, Tokyo dialing Birlinghoven through a {@link DelayingProxy}
     * with a round trip of 1 ms (so a test can cut the link); Birlinghoven's hub serves IMAP and POP3.
     */
    static TwoSites withServices(Path dir, String config, SiteExtras extras) throws Exception {
        return new TwoSites(dir, config, Duration.ofMillis(1), false, extras).start();
    }

    /** Both sites, Tokyo dialing Birlinghoven through a {@link LoopbackPath}. */
    static TwoSites throughLoopbackPath(Path dir, String config) throws Exception {
        return new TwoSites(dir, config, null, true).start();
    }

    private TwoSites start() throws Exception {
        try {
            tokyo.start();
        } catch (Exception e) {
            close();
            throw e;
        }
        return this;
    }

    /** One message over SMTP: Subject and body are {@code body}; returns the final reply. */
    static String send(TestSite site, String from, String to, String body) throws Exception {
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            return c.sendMail(from, "Subject: " + body + "\r\n\r\n" + body + "\r\n", to);
        }
    }

    /**
     * {@code n} messages in one SMTP session, subjects {@code prefix-0} ... ; after each one
     * {@code afterEach} runs with its number (to disturb the link mid-burst).
     */
    static void burst(TestSite site, String from, String to, String prefix, int n, Step afterEach) throws Exception {
        try (SmtpTranscript c = SmtpTranscript.connect(site.port())) {
            c.expect("220");
            c.send("EHLO client.example").expect("250");
            for (int i = 0; i < n; i++) {
                c.send("MAIL FROM:<" + from + ">").expect("250");
                c.send("RCPT TO:<" + to + ">").expect("250");
                c.send("DATA").expect("354");
                c.raw("Subject: " + prefix + "-" + i + "\r\n\r\nmessage " + i + "\r\n.\r\n");
                c.expect("250 2.0.0");
                afterEach.after(i);
            }
        }
    }

    /** What a test does between the messages of a {@link #burst}. */
    @FunctionalInterface
    interface Step {
        void after(int sent) throws Exception;
    }

    /** How many times each subject arrived at {@code hub}. */
    static Map<String, Integer> subjects(GreenMail hub) {
        Map<String, Integer> seen = new TreeMap<>();
        for (MimeMessage m : hub.getReceivedMessages()) {
            seen.merge(subject(m), 1, Integer::sum);
        }
        return seen;
    }

    static String subject(MimeMessage m) {
        try {
            return m.getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The subjects of a {@link #burst}: {@code prefix-0} ... {@code prefix-(n-1)}. */
    static List<String> numbered(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
    }

    /**
     * Waits for as many messages as {@code subjects} at {@code hub}, then until both relays'
     * queues are empty (a duplicate still on its way would be in one of them), and checks that
     * each subject arrived exactly once and nothing else.
     */
    void assertExactlyOnce(GreenMail hub, Collection<String> subjects) throws Exception {
        int n = subjects.size();
        Await.until(n + " messages at the hub", () -> hub.getReceivedMessages().length >= n);
        awaitQueuesEmpty();
        Map<String, Integer> seen = subjects(hub);
        List<String> missing = subjects.stream().filter(s -> !seen.containsKey(s)).toList();
        assertEquals(List.of(), missing, "never arrived");
        assertEquals(new TreeSet<>(subjects), seen.keySet(), "only the messages sent");
        assertEquals(Map.of(), seen.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "arrived twice or more");
    }

    /**
     * Waits until neither relay has any mail left to send: none in its queue manager, no file in
     * incoming/, active/, deferred/ or hold/. Then nothing more arrives anywhere: count.
     */
    void awaitQueuesEmpty() throws InterruptedException {
        Await.until("both relays' queues to be empty", () -> RelayEndToEndTest.queueIsEmpty(tokyo)
                && RelayEndToEndTest.queueIsEmpty(birl));
    }

    /**
     * A message "large" from Taro in Tokyo to Bob in Birlinghoven, with a body of about
     * {@code octets} octets of {@link LargeContent} (into {@code digest}); returns the octets of
     * its body.
     */
    long sendLarge(long octets, MessageDigest digest) throws Exception {
        byte[] header = ("From: Taro <taro@tokyo.example>\r\n"
                + "To: Bob <bob@birlinghoven.example>\r\n"
                + "Subject: large\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        long size;
        try (SmtpTranscript c = SmtpTranscript.connect(tokyo.port())) {
            c.expect("220");
            c.send("EHLO client.tokyo.example").expect("250");
            c.send("MAIL FROM:<taro@tokyo.example> SIZE=" + octets).expect("250");
            c.send("RCPT TO:<bob@birlinghoven.example>").expect("250");
            c.send("DATA").expect("354");
            c.raw(header);
            size = LargeContent.write(c, octets, digest);
            c.send(".").expect("250 2.0.0");
        }
        return size;
    }

    /**
     * The message with this subject at Birlinghoven's hub has the body sent ({@code size} octets,
     * SHA-256 in {@code sent}), its headers, and the link's trace header.
     */
    void assertArrivedByteForByte(String subject, long size, MessageDigest sent) throws Exception {
        MimeMessage m = Stream.of(birlHub.getReceivedMessages())
                .filter(x -> subject(x).equals(subject)).findFirst().orElseThrow();
        MessageDigest arrived = MessageDigest.getInstance("SHA-256");
        long length = 0;
        try (InputStream body = m.getRawInputStream()) {
            byte[] buf = new byte[65_536];
            for (int n; (n = body.read(buf)) > 0; ) {
                arrived.update(buf, 0, n);
                length += n;
            }
        }
        // GreenMail takes the CRLF that ends the last line for part of the CRLF.CRLF terminator.
        arrived.update("\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(size, length + 2, "octets of the body");
        HexFormat hex = HexFormat.of();
        assertEquals(hex.formatHex(sent.digest()), hex.formatHex(arrived.digest()), "SHA-256 of the body");
        String headers = String.join("\n", java.util.Collections.list(m.getAllHeaderLines()));
        assertTrue(headers.contains("by relay.birlinghoven.example (Wormhole) with WORMHOLE-LINK id "), headers);
        assertTrue(headers.contains("To: Bob <bob@birlinghoven.example>"), headers);
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {tokyo, birl, internet, proxy, loopbackPath}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // stopping
            }
        }
        tokyoHub.stop();
        birlHub.stop();
    }
}
