package org.wormhole.relay.delivery.smtp;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A scriptable SMTP or LMTP server on 127.0.0.1, port 0, one thread per connection: the outside
 * world for tests of our client. It answers from a {@link Script}, records a transcript of each
 * session ({@code "C: ..."} what the client sent, {@code "S: ..."} what it answered, {@code "-- ..."}
 * events) and every message it received, and notes protocol violations a strict server would
 * reject (improper pipelining, as Postfix's smtpd does). Thread-safe to query while running.
 */
final class FakeSmtpServer implements AutoCloseable {

    /** In {@link Script#afterDot}: close the connection instead of replying. */
    static final String DROP = "(drop the connection)";

    /** Content kept in full up to this size; larger messages keep only their size and SHA-256. */
    private static final int KEEP_LIMIT = 4 * 1024 * 1024;

    /**
     * One message as the server stored it.
     *
     * @param mailFrom   the whole MAIL command line, parameters included
     * @param recipients the recipients it accepted
     * @param content    the content after undoing dot-stuffing, or null when larger than 4 MB
     */
    record Received(String mailFrom, List<String> recipients, byte[] content, long size, String sha256, boolean tls) {
        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    /** What the server says and does. Build it, then {@link #start()}. */
    static final class Script {
        private String greeting;
        private final List<String> extensions = new ArrayList<>();
        private boolean lmtp;
        private final Map<String, String> replies = new LinkedHashMap<>();
        private final List<String> afterDot = new ArrayList<>();
        private String stallOn;
        private boolean dropAfterContent;
        private boolean stopReadingContent;
        private boolean holdRepliesUntilData;
        private SSLContext tls;

        /** The greeting, e.g. {@code "554 5.3.2 go away"}. */
        Script greeting(String reply) {
            this.greeting = reply;
            return this;
        }

        /** EHLO keywords, e.g. {@code "PIPELINING", "SIZE 1000"}. */
        Script advertise(String... keywords) {
            extensions.addAll(List.of(keywords));
            return this;
        }

        /** Speak LMTP: LHLO, one reply per accepted recipient after the dot. */
        Script lmtp() {
            this.lmtp = true;
            return this;
        }

        /**
         * Answer commands that start with {@code commandPrefix} (case-insensitive; first match
         * wins) with {@code reply}; lines of a multi-line reply are separated by CRLF. A 421
         * reply is followed by closing the connection.
         */
        Script on(String commandPrefix, String reply) {
            replies.put(commandPrefix.toUpperCase(Locale.ROOT), reply);
            return this;
        }

        /**
         * The replies after the final dot, in order (LMTP: one per accepted recipient); {@link #DROP}
         * closes the connection instead.
         */
        Script afterDot(String... replies) {
            afterDot.addAll(List.of(replies));
            return this;
        }

        /** Read a command starting with this prefix, then never answer. */
        Script stallOn(String commandPrefix) {
            this.stallOn = commandPrefix.toUpperCase(Locale.ROOT);
            return this;
        }

        /** Read the whole content, then close the connection without a reply. */
        Script dropAfterContent() {
            this.dropAfterContent = true;
            return this;
        }

        /** Answer DATA with 354, then stop reading. */
        Script stopReadingContent() {
            this.stopReadingContent = true;
            return this;
        }

        /**
         * Answer MAIL and RCPT only once DATA has arrived, as a pipelining client expects: a client
         * that waits for each reply before the next command hangs against this server.
         */
        Script holdRepliesUntilData() {
            this.holdRepliesUntilData = true;
            return this;
        }

        /** Offer STARTTLS with this server context. */
        Script startTls(SSLContext serverContext) {
            this.tls = serverContext;
            return this;
        }

        FakeSmtpServer start() throws IOException {
            return new FakeSmtpServer(this);
        }
    }

    static Script script() {
        return new Script();
    }

    private final Script script;
    private final ServerSocket listener;
    private final Thread acceptor;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> sessions = new CopyOnWriteArrayList<>();
    private final List<String> transcript = new CopyOnWriteArrayList<>();
    private final List<Received> messages = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final CountDownLatch closing = new CountDownLatch(1);

    private FakeSmtpServer(Script script) throws IOException {
        this.script = script;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "fake-smtp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
    }

    /** Everything said in all sessions, in order. */
    List<String> transcript() {
        return List.copyOf(transcript);
    }

    /** Only the lines the client sent ({@code "C: "} removed). */
    List<String> commands() {
        return transcript.stream().filter(l -> l.startsWith("C: ")).map(l -> l.substring(3)).toList();
    }

    List<Received> messages() {
        return List.copyOf(messages);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    int connections() {
        return sessions.size();
    }

    @Override
    public void close() throws IOException {
        closing.countDown();
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
        try {
            acceptor.join(5000);
            for (Thread t : sessions) {
                t.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                s.setTcpNoDelay(true);
                s.setSoTimeout(30_000);
                sockets.add(s);
                Thread t = new Thread(() -> new Session(s).run(), "fake-smtp-session-" + sessions.size());
                t.setDaemon(true);
                sessions.add(t);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One connection. */
    private final class Session {
        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private boolean tlsActive;
        private String mailFrom;
        private final List<String> recipients = new ArrayList<>();
        private final List<String> held = new ArrayList<>();

        Session(Socket socket) {
            use(socket);
        }

        void run() {
            try {
                String greeting = script.greeting != null ? script.greeting
                        : "220 fake.example " + (script.lmtp ? "LMTP" : "ESMTP") + " fake";
                if (!respond(greeting)) {
                    return;
                }
                while (true) {
                    String line = readCommand();
                    if (line == null) {
                        transcript.add("-- client closed");
                        return;
                    }
                    transcript.add("C: " + line);
                    if (!offers("PIPELINING") && in.available() > 0) {
                        violations.add("improper pipelining after '" + line + "'");
                    }
                    String upper = line.toUpperCase(Locale.ROOT);
                    if (script.stallOn != null && upper.startsWith(script.stallOn)) {
                        transcript.add("-- stalling");
                        closing.await();
                        return;
                    }
                    if (!handle(line, upper)) {
                        return;
                    }
                }
            } catch (IOException e) {
                if (closing.getCount() > 0) {
                    transcript.add("-- " + e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        /** Answers one command; false when the session is over. */
        private boolean handle(String line, String upper) throws IOException, InterruptedException {
            String verb = upper.split(" ", 2)[0];
            String scripted = scripted(upper);
            switch (verb) {
                case "EHLO", "LHLO" -> {
                    boolean wrongVerb = script.lmtp != verb.equals("LHLO");
                    return respond(scripted != null ? scripted
                            : wrongVerb ? "500 5.5.1 Error: say " + (script.lmtp ? "LHLO" : "EHLO") : ehloReply());
                }
                case "HELO" -> {
                    return respond(scripted != null ? scripted
                            : script.lmtp ? "500 5.5.1 Error: say LHLO" : "250 fake.example");
                }
                case "MAIL" -> {
                    String r = scripted != null ? scripted : "250 2.1.0 Ok";
                    if (r.startsWith("2")) {
                        mailFrom = line;
                        recipients.clear();
                    }
                    return respondHoldable(r);
                }
                case "RCPT" -> {
                    String r = scripted != null ? scripted : mailFrom == null ? "503 5.5.1 Error: need MAIL command" : "250 2.1.5 Ok";
                    if (r.startsWith("2")) {
                        recipients.add(between(line, '<', '>'));
                    }
                    return respondHoldable(r);
                }
                case "DATA" -> {
                    return data(scripted);
                }
                case "RSET" -> {
                    mailFrom = null;
                    recipients.clear();
                    return respond(scripted != null ? scripted : "250 2.0.0 Ok");
                }
                case "NOOP" -> {
                    return respond("250 2.0.0 Ok");
                }
                case "QUIT" -> {
                    respond("221 2.0.0 Bye");
                    return false;
                }
                case "STARTTLS" -> {
                    return startTls(scripted);
                }
                default -> {
                    return respond("502 5.5.2 Error: command not recognized");
                }
            }
        }

        private boolean data(String scripted) throws IOException, InterruptedException {
            String r = scripted != null ? scripted
                    : mailFrom == null ? "503 5.5.1 Error: need MAIL command"
                    : recipients.isEmpty() ? "554 5.5.1 Error: no valid recipients"
                    : "354 End data with <CR><LF>.<CR><LF>";
            if (!respond(r) || !r.startsWith("354")) {
                return code(r) != 421;
            }
            if (script.stopReadingContent) {
                transcript.add("-- not reading the content");
                closing.await();
                return false;
            }
            receiveContent();
            if (script.dropAfterContent) {
                transcript.add("-- dropping the connection");
                return false;
            }
            List<String> accepted = List.copyOf(recipients);
            mailFrom = null;
            recipients.clear();
            int answers = script.lmtp ? accepted.size() : 1;
            for (int i = 0; i < answers; i++) {
                String reply = i < script.afterDot.size() ? script.afterDot.get(i)
                        : script.lmtp ? "250 2.1.5 <" + accepted.get(i) + "> delivered"
                        : "250 2.0.0 Ok: queued as Q" + messages.size();
                if (reply.equals(DROP)) {
                    transcript.add("-- dropping the connection");
                    return false;
                }
                if (!respond(reply)) {
                    return false;
                }
            }
            return true;
        }

        private void receiveContent() throws IOException {
            MessageDigest sha = sha256();
            ByteArrayOutputStream kept = new ByteArrayOutputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
            long size = 0;
            while (true) {
                line.reset();
                for (int b; (b = in.read()) != '\n'; ) {
                    if (b == -1) {
                        throw new EOFException("client closed during content");
                    }
                    line.write(b);
                }
                line.write('\n');
                byte[] l = line.toByteArray();
                if (l.length == 3 && l[0] == '.' && l[1] == '\r') {
                    break;
                }
                int off = l[0] == '.' ? 1 : 0;
                sha.update(l, off, l.length - off);
                if (size + l.length <= KEEP_LIMIT) {
                    kept.write(l, off, l.length - off);
                }
                size += l.length - off;
            }
            transcript.add("C: (" + size + " bytes of content)");
            transcript.add("C: .");
            messages.add(new Received(mailFrom, List.copyOf(recipients), size <= KEEP_LIMIT ? kept.toByteArray() : null,
                    size, HexFormat.of().formatHex(sha.digest()), tlsActive));
        }

        private boolean startTls(String scripted) throws IOException {
            if (script.tls == null || tlsActive) {
                return respond("502 5.5.1 Error: command not implemented");
            }
            String r = scripted != null ? scripted : "220 2.0.0 Ready to start TLS";
            if (!respond(r) || !r.startsWith("220")) {
                return code(r) != 421;
            }
            SSLSocket ssl = (SSLSocket) script.tls.getSocketFactory()
                    .createSocket(socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
            ssl.setUseClientMode(false);
            try {
                ssl.startHandshake();
            } catch (IOException e) {
                transcript.add("-- TLS handshake failed: " + e.getMessage());
                return false;
            }
            transcript.add("-- TLS established: " + ssl.getSession().getProtocol());
            use(ssl);
            tlsActive = true;
            mailFrom = null;
            recipients.clear();
            return true;
        }

        private String ehloReply() {
            List<String> lines = new ArrayList<>();
            lines.add("fake.example");
            lines.addAll(script.extensions);
            if (script.tls != null && !tlsActive) {
                lines.add("STARTTLS");
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lines.size(); i++) {
                sb.append(i > 0 ? "\r\n" : "").append(i < lines.size() - 1 ? "250-" : "250 ").append(lines.get(i));
            }
            return sb.toString();
        }

        private boolean offers(String keyword) {
            return script.extensions.stream().anyMatch(e -> e.toUpperCase(Locale.ROOT).startsWith(keyword));
        }

        private String scripted(String upperLine) {
            for (Map.Entry<String, String> e : script.replies.entrySet()) {
                if (upperLine.startsWith(e.getKey())) {
                    return e.getValue();
                }
            }
            return null;
        }

        private boolean respondHoldable(String reply) throws IOException {
            if (script.holdRepliesUntilData) {
                held.add(reply);
                return true;
            }
            return respond(reply);
        }

        /** Writes any held replies and this one; false when the reply was 421 (then closes). */
        private boolean respond(String reply) throws IOException {
            held.add(reply);
            for (String r : held) {
                String[] lines = r.split("\r\n");
                if (lines.length > 20) {
                    transcript.add("S: " + lines[0]);
                    transcript.add("S: ... (" + lines.length + " lines)");
                } else {
                    for (String l : lines) {
                        transcript.add("S: " + l);
                    }
                }
                out.write((r + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            held.clear();
            try {
                out.flush();
            } catch (SocketException e) {
                return false;
            }
            return code(reply) != 421;
        }

        private String readCommand() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            for (int b; (b = in.read()) != '\n'; ) {
                if (b == -1) {
                    return null;
                }
                if (line.size() > 64 * 1024) {
                    throw new IOException("command line too long");
                }
                line.write(b);
            }
            String s = line.toString(StandardCharsets.UTF_8);
            return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
        }

        private void use(Socket s) {
            socket = s;
            try {
                in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
                out = new BufferedOutputStream(s.getOutputStream());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static int code(String reply) {
        return reply == null || !reply.matches("\\d{3}(?s:.*)") ? 0 : Integer.parseInt(reply.substring(0, 3));
    }

    private static String between(String s, char open, char close) {
        int a = s.indexOf(open);
        int b = s.indexOf(close, a + 1);
        return a < 0 || b < 0 ? s : s.substring(a + 1, b);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
