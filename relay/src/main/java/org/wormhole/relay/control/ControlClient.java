package org.wormhole.relay.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/** Sends one request to a running relay's control socket. */
public final class ControlClient {

    /** The relay's answer: {@code ok}, its text, and the lines that follow it (e.g. one per peer). */
    public record Reply(boolean ok, String text, List<String> body) {
        public Reply {
            body = List.copyOf(body);
        }

        public Reply(boolean ok, String text) {
            this(ok, text, List.of());
        }
    }

    /** How long a command waits for the relay's answer (a flush or delete of a big queue takes a while). */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

    private ControlClient() {
    }

    /**
     * Sends {@code request}; empty if no relay is listening on {@code socket} (not running).
     */
    public static Optional<Reply> send(Path socket, String request) throws IOException {
        return send(socket, request, ANSWER_TIMEOUT);
    }

    /** As {@link #send(Path, String)}, waiting at most {@code timeout} for the answer. */
    public static Optional<Reply> send(Path socket, String request, Duration timeout) throws IOException {
        List<String> body = new ArrayList<>();
        Optional<Reply> reply = send(socket, request, timeout, body::add);
        return reply.map(r -> new Reply(r.ok(), r.text(), body));
    }

    /**
     * Sends {@code request} and hands each line after the reply line to {@code body} as it arrives
     * (a long answer, such as a queue listing, is never held whole); the reply it returns has no
     * body. Waits at most {@code timeout} for each line. Empty if no relay is listening on {@code socket}.
     */
    public static Optional<Reply> send(Path socket, String request, Duration timeout, Consumer<String> body)
            throws IOException {
        SocketChannel c;
        try {
            c = SocketChannel.open(StandardProtocolFamily.UNIX);
            c.connect(UnixDomainSocketAddress.of(socket));
        } catch (SocketException | NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (e.getMessage() != null && (e.getMessage().contains("refused") || e.getMessage().contains("No such file"))) {
                return Optional.empty();
            }
            throw e;
        }
        // A relay that hangs must not hang its operator's command too.
        AtomicBoolean timedOut = new AtomicBoolean();
        AtomicLong deadline = new AtomicLong(System.nanoTime() + timeout.toNanos());
        Thread watchdog = new Thread(() -> {
            try {
                for (long left; (left = deadline.get() - System.nanoTime()) > 0; ) {
                    TimeUnit.NANOSECONDS.sleep(left);
                }
                timedOut.set(true);
                c.close();
            } catch (InterruptedException | IOException answered) {
                // answered in time
            }
        }, "control-client-timeout");
        watchdog.setDaemon(true);
        watchdog.start();
        try (c) {
            return exchange(c, request, line -> {
                deadline.set(System.nanoTime() + timeout.toNanos());
                body.accept(line);
            });
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new IOException("the relay did not answer within " + timeout.toMillis() / 1000.0 + " s");
            }
            throw e;
        } finally {
            watchdog.interrupt();
        }
    }

    private static Optional<Reply> exchange(SocketChannel c, String request, Consumer<String> body) throws IOException {
        PrintWriter out = new PrintWriter(Channels.newOutputStream(c), true, StandardCharsets.UTF_8);
        out.println(request);
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
        String line = in.readLine();
        if (line == null) {
            throw new IOException("the relay closed the control connection without an answer");
        }
        for (String more; (more = in.readLine()) != null; ) {
            body.accept(more);
        }
        if (line.startsWith("OK")) {
            return Optional.of(new Reply(true, line.substring(2).strip()));
        }
        return Optional.of(new Reply(false, line.startsWith("ERROR") ? line.substring(5).strip() : line));
    }
}
