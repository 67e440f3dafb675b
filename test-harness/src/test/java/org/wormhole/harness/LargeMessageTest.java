package org.wormhole.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.wormhole.testing.Await;

/**
 * A 50 MB message through the real relay process started by the launcher with a 64 MB heap:
 * accepted with 250 and relayed byte for byte, so neither receiving nor delivering holds a
 * message in memory. The test streams the message too, hashing it as it goes.
 */
class LargeMessageTest {

    private static final Path LAUNCHER = Path.of("../relay/bin/wormhole").toAbsolutePath().normalize();
    private static final long SIZE = 50_000_000;

    @TempDir
    Path home;

    private FakeMx mx;
    private Process relay;
    private final List<String> relayLog = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (relay != null && relay.isAlive()) {
            relay.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        if (mx != null) {
            mx.close();
        }
    }

    @Test
    void aFiftyMegabyteMessageIsRelayedByteForByteByARelayWithA64MegabyteHeap() throws Exception {
        mx = new FakeMx();
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/mailertable"), "large.example\tesmtp:[127.0.0.1]:" + mx.port() + "\n");
        Path conf = Files.writeString(home.resolve("config/large.conf"), ""
                + "myhostname = relay.large.example\n"
                + "listen = \"127.0.0.1:0\"\n"
                + "smtpd_pregreet_wait = 0s\n"
                + "message_size_limit = 100M\n"
                + "queue_directory = \"" + home.resolve("spool") + "\"\n"
                + "mailertable = \"" + home.resolve("config/mailertable") + "\"\n");

        BlockingQueue<String> lines = startRelay("run", "--config", conf.toString());
        int port = RelayProcess.smtpPort(awaitLine(lines, "running: SMTP on 127.0.0.1:"));

        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        long sentLength;
        String reply;
        try (SmtpTranscript c = SmtpTranscript.connect(port)) {
            c.expect("220");
            c.send("EHLO client.example").expect("250");
            c.send("MAIL FROM:<alice@birlinghoven.example> SIZE=" + SIZE).expect("250");
            c.send("RCPT TO:<bob@large.example>").expect("250");
            c.send("DATA").expect("354");
            sentLength = streamMessage(c, sent);
            c.send(".");
            reply = c.reply();
            c.send("QUIT").expect("221");
        }
        assertTrue(reply.matches("250 2\\.0\\.0 Ok: queued as [0-9A-V]{14}"), reply + "\nrelay log:\n" + log());
        String queueId = reply.substring(reply.lastIndexOf(' ') + 1);

        Await.until("the MX to receive the 50 MB message", () -> mx.received.size() == 1);
        FakeMx.Received got = mx.received.get(0);
        assertEquals("alice@birlinghoven.example", got.from());
        assertEquals(List.of("bob@large.example"), got.recipients());
        byte[] content = got.content();
        int body = endOfReceivedHeader(content);
        String received = new String(content, 0, body, StandardCharsets.US_ASCII);
        assertTrue(received.contains("by relay.large.example (Wormhole) with ESMTP id " + queueId + "\r\n"), received);
        assertEquals(sentLength, content.length - body, "octets after the relay's Received: header");
        MessageDigest arrived = MessageDigest.getInstance("SHA-256");
        arrived.update(content, body, content.length - body);
        HexFormat hex = HexFormat.of();
        assertEquals(hex.formatHex(sent.digest()), hex.formatHex(arrived.digest()), "SHA-256 of the content");

        relay.destroy();
        assertTrue(relay.waitFor(60, TimeUnit.SECONDS), "the relay did not stop on SIGTERM");
        assertTrue(List.of(0, 143).contains(relay.exitValue()), "exit status " + relay.exitValue() + "\n" + log());
        assertTrue(relayLog.stream().noneMatch(l -> l.contains("OutOfMemoryError")), log());
        for (String state : List.of("incoming", "active", "deferred")) {
            assertArrayEquals(new String[0], home.resolve("spool").resolve(state).toFile().list(), "spool/" + state);
        }
    }

    /** Writes a header and {@link LargeContent} up to {@link #SIZE} octets; returns the octets written. */
    private static long streamMessage(SmtpTranscript c, MessageDigest digest) throws IOException {
        byte[] header = ("From: Alice <alice@birlinghoven.example>\r\n"
                + "To: Bob <bob@large.example>\r\n"
                + "Subject: 50 MB\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + "Content-Transfer-Encoding: base64\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        digest.update(header);
        c.raw(header);
        return header.length + LargeContent.write(c, SIZE - header.length, digest);
    }

    /** Where the relay's Received: header (its first line and continuation lines) ends. */
    private static int endOfReceivedHeader(byte[] content) {
        String start = new String(content, 0, Math.min(content.length, 4096), StandardCharsets.US_ASCII);
        assertTrue(start.startsWith("Received: "), start);
        int end = start.indexOf("\r\n") + 2;
        while (start.charAt(end) == '\t' || start.charAt(end) == ' ') {
            end = start.indexOf("\r\n", end) + 2;
        }
        return end;
    }

    private BlockingQueue<String> startRelay(String... args) throws IOException {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("WORMHOLE_HOME", home.toString());
        pb.environment().put("WORMHOLE_JAVA_OPTS", "-Xmx64m");
        relay = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(relay.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    relayLog.add(line);
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "relay-stderr");
        pump.setDaemon(true);
        pump.start();
        return lines;
    }

    private String awaitLine(BlockingQueue<String> lines, String fragment) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.contains(fragment)) {
                return line;
            }
            if (line == null && !relay.isAlive()) {
                break;
            }
        }
        return fail("no line with '" + fragment + "' from the relay; it said:\n" + log());
    }

    private String log() {
        return String.join("\n", relayLog);
    }
}
