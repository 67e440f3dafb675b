package org.wormhole.relay.delivery.smtp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The byte level of a client session: commands out, replies in, content streamed, TLS layered on.
 * Every blocking read has the socket's SO_TIMEOUT, every blocking write a
 * {@link WriteDeadlineOutputStream} deadline. Logs the protocol (not the content) at DEBUG.
 * Not thread-safe, except {@link #close()}.
 */
final class SmtpWire {

    private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final List<String> TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private final Socket tcp;
    private final String remote;
    private final Duration commandTimeout;
    private Socket socket;
    private ReplyReader in;
    private WriteDeadlineOutputStream deadline;
    private BufferedOutputStream out;
    /** Copies content from the queue file to the wire; one per connection, made at its first message. */
    private byte[] contentBuffer;

    SmtpWire(Socket tcp, String remote, Duration commandTimeout) throws IOException {
        this.tcp = tcp;
        this.remote = remote;
        this.commandTimeout = commandTimeout;
        use(tcp);
    }

    String remote() {
        return remote;
    }

    /** Buffers one command line; {@link #flush()} sends it. */
    void send(String command) throws IOException {
        log.debug("{} > {}", remote, command);
        out.write((command + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    void flush() throws IOException {
        deadline.timeout(commandTimeout);
        out.flush();
    }

    ReplyReader.Received read(Duration timeout) throws IOException, SmtpProtocolException {
        socket.setSoTimeout(Math.toIntExact(timeout.toMillis()));
        ReplyReader.Received r = in.read();
        log.debug("{} < {}", remote, r.reply());
        return r;
    }

    /** Sends one command and waits for its reply. */
    ReplyReader.Received command(String command) throws IOException, SmtpProtocolException {
        send(command);
        flush();
        return read(commandTimeout);
    }

    /**
     * Streams the content dot-stuffed and, with a {@code lineLengthLimit} (0: none), long lines
     * folded; ends it with {@code ".\r\n"} and flushes.
     */
    void content(InputStream body, Duration timeout, int lineLengthLimit) throws IOException {
        deadline.timeout(timeout);
        DotStuffingOutputStream stuffed = new DotStuffingOutputStream(out, lineLengthLimit);
        if (contentBuffer == null) {
            contentBuffer = new byte[BUFFER_BYTES]; // once per connection: a cached one sends many messages
        }
        byte[] buffer = contentBuffer;
        long total = 0;
        for (int n; (n = body.read(buffer)) != -1; ) {
            stuffed.write(buffer, 0, n);
            total += n;
        }
        stuffed.finish();
        out.flush();
        deadline.timeout(commandTimeout);
        log.debug("{} > ({} bytes of content) .", remote, total);
    }

    /** True when the server sent bytes no reply has consumed (forbidden before a TLS handshake). */
    boolean hasUnreadInput() throws IOException {
        return in.hasUnreadInput();
    }

    /**
     * Layers TLS (TLSv1.2 or TLSv1.3 only) over the TCP socket after the server's 220 to STARTTLS
     * and runs the handshake.
     *
     * @return the TLS session's protocol and cipher suite, for logs
     */
    String startTls(SSLSocketFactory factory, String serverName) throws IOException {
        return handshake(factory, serverName, true);
    }

    /**
     * Layers TLS (TLSv1.2 or TLSv1.3 only) over the freshly connected TCP socket, before the
     * greeting (implicit TLS, SMTPS), and runs the handshake.
     *
     * @return the TLS session's protocol and cipher suite, for logs
     */
    String implicitTls(SSLSocketFactory factory, String serverName) throws IOException {
        return handshake(factory, serverName, false);
    }

    private String handshake(SSLSocketFactory factory, String serverName, boolean afterStartTls) throws IOException {
        SSLSocket ssl = (SSLSocket) factory.createSocket(tcp, serverName, tcp.getPort(), true);
        String[] protocols = Arrays.stream(ssl.getSupportedProtocols()).filter(TLS_PROTOCOLS::contains).toArray(String[]::new);
        if (protocols.length == 0) {
            throw failed(afterStartTls, "neither TLSv1.2 nor TLSv1.3 is supported here", null);
        }
        ssl.setEnabledProtocols(protocols);
        ssl.setUseClientMode(true);
        ssl.setSoTimeout(Math.toIntExact(commandTimeout.toMillis()));
        try {
            ssl.startHandshake();
        } catch (IOException e) {
            throw failed(afterStartTls, String.valueOf(e.getMessage()), e);
        }
        use(ssl);
        String description = ssl.getSession().getProtocol() + " " + ssl.getSession().getCipherSuite();
        log.debug("{} TLS established: {}", remote, description);
        return description;
    }

    private TlsFailedException failed(boolean afterStartTls, String reason, IOException cause) {
        return afterStartTls ? new StartTlsFailedException(remote, reason, cause)
                : new TlsFailedException("TLS handshake with " + remote + " failed: " + reason, true, cause);
    }

    /** Closes the TCP socket (and so any TLS over it) without a goodbye. Any thread; idempotent. */
    void close() {
        if (deadline != null) {
            deadline.stopWatching();
        }
        try {
            tcp.close();
        } catch (IOException e) {
            log.debug("{} close: {}", remote, e.toString());
        }
    }

    private void use(Socket s) throws IOException {
        if (deadline != null) {
            deadline.stopWatching();
        }
        socket = s;
        in = new ReplyReader(new BufferedInputStream(s.getInputStream(), 8192));
        deadline = new WriteDeadlineOutputStream(s.getOutputStream(), tcp, commandTimeout);
        out = new BufferedOutputStream(deadline, BUFFER_BYTES);
    }
}
