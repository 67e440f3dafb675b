package org.wormhole.relay.forward;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.link.LinkStream;

/**
 * One TCP connection joined to one link stream: a thread copies the socket's octets to the stream,
 * another the stream's to the socket. An end of input on one side is passed on as a half-close
 * (EOF on the stream, {@code shutdownOutput} on the socket); when both directions have ended, or
 * either side fails or closes, both are closed, with the first reason, and the stream's log line
 * is written: {@code stream imap from 127.0.0.1:50312 via birlinghoven closed after 1.2 s: 1834
 * octets out, 96211 in (closed both ways)}.
 *
 * <p>Thread-safe: {@link #close} may be called from any thread, any number of times.
 */
final class StreamSplice {

    private static final Logger log = LoggerFactory.getLogger("forward");
    private static final int BUFFER = 64 * 1024;

    private final String label;
    private final Socket socket;
    private final LinkStream stream;
    private final Consumer<StreamSplice> ended;
    private final long startedNanos = System.nanoTime();
    private volatile long lastActivityNanos = startedNanos;
    private final AtomicInteger directionsDone = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param label what the log line says the stream is, e.g. {@code imap from 127.0.0.1:50312 via birlinghoven}
     * @param ended told once, after the stream and the socket are closed
     */
    StreamSplice(String label, Socket socket, LinkStream stream, Consumer<StreamSplice> ended) {
        this.label = label;
        this.socket = socket;
        this.stream = stream;
        this.ended = ended;
    }

    /** Starts copying both ways. */
    void start() {
        thread("up", this::socketToStream).start();
        thread("down", this::streamToSocket).start();
    }

    private Thread thread(String direction, Runnable r) {
        Thread t = new Thread(r, "stream-" + stream.service() + "-" + stream.channel() + "-" + direction);
        t.setDaemon(true);
        return t;
    }

    /** How long neither side has sent an octet. */
    Duration idle() {
        return Duration.ofNanos(System.nanoTime() - lastActivityNanos);
    }

    String label() {
        return label;
    }

    LinkStream stream() {
        return stream;
    }

    private void socketToStream() {
        byte[] buf = new byte[BUFFER];
        try {
            InputStream in = socket.getInputStream(); // not closed here: closing it closes the socket both ways
            OutputStream out = stream.output();
            for (int n; (n = in.read(buf)) >= 0; ) {
                lastActivityNanos = System.nanoTime();
                out.write(buf, 0, n);
            }
            stream.shutdownOutput();
            directionDone();
        } catch (IOException e) {
            close(closed.get() || stream.closedReason() != null ? reasonOfStream() : "connection lost: " + text(e));
        }
    }

    private void streamToSocket() {
        byte[] buf = new byte[BUFFER];
        try {
            InputStream in = stream.input();
            OutputStream out = socket.getOutputStream();
            for (int n; (n = readStream(in, buf)) >= 0; ) {
                lastActivityNanos = System.nanoTime();
                try {
                    out.write(buf, 0, n);
                } catch (IOException e) {
                    close("connection lost: " + text(e));
                    return;
                }
            }
            socket.shutdownOutput();
            directionDone();
        } catch (StreamEnded e) {
            close(reasonOfStream());
        } catch (IOException e) {
            close("connection lost: " + text(e));
        }
    }

    /** The stream's end of input is -1; a stream closed without EOF is {@link StreamEnded}. */
    private static int readStream(InputStream in, byte[] buf) throws StreamEnded {
        try {
            return in.read(buf);
        } catch (IOException e) {
            throw new StreamEnded();
        }
    }

    private static final class StreamEnded extends IOException {
        StreamEnded() {
            super("the link stream ended");
        }
    }

    private String reasonOfStream() {
        String r = stream.closedReason();
        return r == null ? "closed" : r;
    }

    private void directionDone() {
        if (directionsDone.incrementAndGet() == 2) {
            close("closed both ways");
        }
    }

    /** Ends the stream and closes the socket, once; the first reason is the one logged. */
    void close(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stream.close(reason);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        // Both directions ended: that is the reason, whichever side's CLOSE came first.
        String why = directionsDone.get() == 2 || stream.closedReason() == null ? reason : stream.closedReason();
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        log.info("stream {} closed after {} s: {} octets out, {} in ({})", label,
                String.format(Locale.ROOT, "%.1f", seconds), stream.octetsOut(), stream.octetsIn(), why);
        ended.accept(this);
    }

    private static String text(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
