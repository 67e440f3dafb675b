package org.wormhole.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.subethamail.smtp.server.SMTPServer;
import org.wormhole.relay.Relay;
import org.wormhole.relay.config.ConfigLoader;
import org.wormhole.relay.delivery.NexthopResolver;

/**
 * Load run of one relay: N messages of SIZE bytes over C concurrent SMTP sessions (a new
 * connection per message, as Postfix's smtp-source does) into a real relay with a real spool
 * (fsync on), delivered to a counting sink. Prints accepted msg/s (first connect to last 250)
 * and end-to-end msg/s (first connect to the last message at the sink).
 *
 * <pre>
 * mvn -B -q -DskipTests package -pl test-harness -am
 * java -cp test-harness/target/benchmarks.jar org.wormhole.bench.RelayLoadRun [N] [C] [SIZE] [SPOOL-DIR]
 * </pre>
 * Defaults: 5000 messages, 10 sessions, 10240 bytes, a temporary spool under /tmp (on the same
 * file system as the system's Postfix queue, for a fair fsync comparison). {@code -Drelay.conf=TEXT}
 * adds configuration lines, e.g. {@code 'metrics_listen = "127.0.0.1:0"'} to measure the metrics' cost.
 */
public final class RelayLoadRun {

    private RelayLoadRun() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int c = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 10240;
        Path home = args.length > 3 ? Path.of(args[3]) : Files.createTempDirectory("wormhole-load");
        AtomicInteger delivered = new AtomicInteger();
        AtomicLong lastDelivery = new AtomicLong();
        SMTPServer sink = BenchSink.start(100_000_000, 200, data -> {
            data.transferTo(OutputStream.nullOutputStream());
            delivered.incrementAndGet();
            lastDelivery.set(System.nanoTime());
        });
        Files.createDirectories(home.resolve("config"));
        Files.writeString(home.resolve("config/mailertable"), "sink.example esmtp:[127.0.0.1]:" + sink.getPortAllocated() + "\n");
        String conf = "myhostname = relay.load.example\nlisten = \"127.0.0.1:0\"\nsmtpd_pregreet_wait = 0s\n"
                + "smtpd_client_connection_limit = 500\n"
                + "queue_directory = \"" + home.resolve("spool") + "\"\nmailertable = \"" + home.resolve("config/mailertable") + "\"\n"
                + System.getProperty("relay.conf", ""); // e.g. -Drelay.conf='metrics_listen = "127.0.0.1:0"'
        NexthopResolver resolver = (nexthop, port) -> List.of(new NexthopResolver.Target("sink.example",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), nexthop.port())));
        Relay relay;
        try {
            relay = Relay.start(ConfigLoader.fromText("load.conf", conf, home), resolver, Clock.systemUTC());
        } catch (Exception | Error e) {
            sink.stop();
            throw e;
        }
        byte[] message = message(size);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        AtomicLong lastAccept = new AtomicLong();
        CountDownLatch done = new CountDownLatch(c);
        long start = System.nanoTime();
        for (int t = 0; t < c; t++) {
            Thread th = new Thread(() -> {
                try {
                    while (next.getAndIncrement() < n) {
                        if (send(relay.smtpPort(), message)) {
                            accepted.incrementAndGet();
                            lastAccept.set(System.nanoTime());
                        }
                    }
                } catch (IOException e) {
                    System.err.println("client: " + e);
                } finally {
                    done.countDown();
                }
            });
            th.start();
        }
        done.await();
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (delivered.get() < accepted.get() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        double acceptSecs = (lastAccept.get() - start) / 1e9;
        double e2eSecs = (lastDelivery.get() - start) / 1e9;
        System.out.printf("cores=%d messages=%d sessions=%d size=%d%n", Runtime.getRuntime().availableProcessors(), n, c, size);
        System.out.printf("accepted %d in %.2f s = %.0f msg/s%n", accepted.get(), acceptSecs, accepted.get() / acceptSecs);
        System.out.printf("delivered %d, last at %.2f s = %.0f msg/s end to end%n", delivered.get(), e2eSecs,
                delivered.get() / e2eSecs);
        relay.close();
        sink.stop();
        if (args.length <= 3) {
            try (Stream<Path> files = Files.walk(home)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(0);
    }

    /** One message on a new connection, the way smtp-source sends it (pipelined where allowed). */
    private static boolean send(int port, byte[] content) throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            expect(in, '2');
            out.write("EHLO load.example\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(in, '2');
            out.write("MAIL FROM:<load@client.example>\r\nRCPT TO:<user@sink.example>\r\nDATA\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            expect(in, '2');
            expect(in, '2');
            expect(in, '3');
            out.write(content);
            out.write(".\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            boolean ok = expect(in, '2');
            expect(in, '2');
            return ok;
        }
    }

    private static boolean expect(InputStream in, char digit) throws IOException {
        return SmtpSession.expect(in, digit);
    }

    private static byte[] message(int size) {
        StringBuilder sb = new StringBuilder(size + 100);
        sb.append("From: load@client.example\r\nTo: user@sink.example\r\nSubject: load\r\n\r\n");
        while (sb.length() < size) {
            sb.append("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
