package org.wormhole.proving;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The mail server behind the last relay (SubEthaSMTP on loopback, in the proving ground's JVM):
 * it keeps, per {@code X-Proving-Id}, every copy that arrived, with the queue id the final hop
 * gave it (from that hop's {@code Received:} header), so a duplicate can be told apart: the same
 * queue id twice is the final hop delivering one queued message twice; two queue ids is a copy
 * made before it (over the link). A message with an {@code X-Proving-Smuggled} header of its own
 * is a smuggled one. {@link #tempfail} makes it answer 451 to every message (a hub that is down).
 */
final class Sink implements AutoCloseable {

    /** One copy that arrived; {@code atMillis}: the wall clock when the sink had it, before its 250. */
    record Arrival(String id, String finalHopQueueId, List<String> recipients, long bodyLength, String bodySha256,
                   boolean smuggled, long atMillis) {
    }

    private static final Pattern PROVING_ID = Pattern.compile("(?im)^X-Proving-Id: *(\\S+)");
    private static final Pattern SMUGGLED = Pattern.compile("(?im)^X-Proving-Smuggled:");

    private final String name;
    private final Pattern finalHop;
    private final SMTPServer server;
    private final Map<String, List<Arrival>> byId = new ConcurrentHashMap<>();
    private final List<Arrival> all = new CopyOnWriteArrayList<>();
    private final AtomicLong tempfailed = new AtomicLong();
    private volatile boolean tempfail;

    /**
     * @param finalHopHost the {@code by} host of the Received: header whose queue id is recorded
     *                     (the relay that delivers to this sink)
     */
    Sink(String name, String finalHopHost) {
        this.name = name;
        this.finalHop = Pattern.compile("(?i)\\bby " + Pattern.quote(finalHopHost) + " \\([^)]*\\) with \\S+ id (\\S+?)[;\\s]");
        this.server = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress()).hostName(name)
                .softwareName("proving-ground sink").maxMessageSize(200_000_000).insertReceivedHeaders(false)
                .maxConnections(1000).connectionTimeout(60, TimeUnit.SECONDS)
                .messageHandlerFactory(ctx -> new Handler()).build();
        server.start();
    }

    private final class Handler implements MessageHandler {
        private final List<String> recipients = new ArrayList<>();

        @Override
        public void from(String from) {
        }

        @Override
        public void recipient(String recipient) {
            recipients.add(recipient);
        }

        @Override
        public String data(InputStream data) throws IOException, RejectException {
            byte[] bytes = data.readAllBytes();
            if (tempfail) {
                tempfailed.incrementAndGet();
                throw new RejectException(451, "4.3.0 the sink is paused, try again later");
            }
            record(bytes, recipients);
            return null;
        }

        @Override
        public void done() {
        }
    }

    private void record(byte[] bytes, List<String> recipients) {
        int headerEnd = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int bodyStart = headerEnd < 0 ? bytes.length : headerEnd + 4;
        String header = new String(bytes, 0, headerEnd < 0 ? bytes.length : headerEnd, StandardCharsets.ISO_8859_1)
                .replaceAll("\r\n[ \t]+", " ");
        Matcher id = PROVING_ID.matcher(header);
        Matcher hop = finalHop.matcher(header + "\n");
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(bytes, bodyStart, bytes.length - bodyStart);
        Arrival a = new Arrival(id.find() ? id.group(1) : "(none)", hop.find() ? hop.group(1) : "(none)",
                List.copyOf(recipients), bytes.length - bodyStart, HexFormat.of().formatHex(sha.digest()),
                SMUGGLED.matcher(header).find(), System.currentTimeMillis());
        all.add(a);
        byId.computeIfAbsent(a.id(), k -> new CopyOnWriteArrayList<>()).add(a);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    int port() {
        return server.getPortAllocated();
    }

    String name() {
        return name;
    }

    /** The copies of message {@code id} that arrived so far. */
    List<Arrival> copies(String id) {
        return byId.getOrDefault(id, List.of());
    }

    boolean arrived(String id) {
        return byId.containsKey(id);
    }

    /** Every copy that arrived so far, in order of arrival. */
    List<Arrival> all() {
        return List.copyOf(all);
    }

    Map<String, List<Arrival>> byId() {
        return byId;
    }

    void tempfail(boolean on) {
        this.tempfail = on;
    }

    long tempfailed() {
        return tempfailed.get();
    }

    @Override
    public void close() {
        server.stop();
    }
}
