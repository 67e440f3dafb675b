package org.wormhole.relay.delivery.smtp;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.wormhole.relay.delivery.NexthopResolver;

/**
 * One client session with an SMTP or LMTP server, relaying stored messages byte for byte.
 *
 * <p>Call order: {@link #open} (connect, greeting, EHLO/LHLO, STARTTLS as the
 * {@link TlsMode} says), then {@link #send} any number of times while {@link #reusable()}, then
 * {@link #quit()} (or {@link #close()} to drop the connection without QUIT).
 *
 * <p>What the outcomes mean for delivery: {@link #send} returns one {@link SmtpReply} per
 * recipient (2xx delivered, 4xx defer, 5xx bounce). An {@link IOException} (connection lost,
 * timeout, TLS failure) means the outcome of every recipient not in a returned result is unknown:
 * defer them. {@link SmtpProtocolException} means the server refused the session or broke the
 * protocol: try another server or defer. After any exception, or a 421 reply, the connection is
 * closed and not {@link #reusable()}.
 *
 * <p>Thread safety: not thread-safe; use it from one thread at a time. {@link #close()} may be
 * called from any thread to abort a blocked call, which then fails with an {@link IOException}.
 */
public final class SmtpConnection implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(SmtpConnection.class);

    private final String serverName;
    private final SmtpClientOptions options;
    private final SmtpWire wire;
    private EhloExtensions extensions = EhloExtensions.NONE;
    private boolean tls;
    private volatile boolean usable = true;

    private SmtpConnection(String serverName, SmtpClientOptions options, SmtpWire wire) {
        this.serverName = serverName;
        this.options = options;
        this.wire = wire;
    }

    /**
     * Connects and runs the session's opening: the TLS handshake first when {@code options.tls()}
     * is {@link TlsMode#IMPLICIT}; greeting; EHLO (HELO when EHLO gets a 5xx) or, for LMTP, LHLO;
     * then, when the server offers STARTTLS and {@code options.tls()} is {@link TlsMode#MAY} or
     * {@link TlsMode#REQUIRE}, STARTTLS and EHLO again. With {@code MAY} a server that answers
     * STARTTLS with an error (other than 421) is used in plaintext; with {@code REQUIRE} a server
     * that does not offer STARTTLS or refuses it ends the session ({@link TlsFailedException}).
     *
     * @param serverName the server's host name, for TLS SNI and for {@link #remote()}
     * @param address    the resolved address and port to connect to
     * @throws SmtpProtocolException   a non-2xx greeting or EHLO/HELO/LHLO reply (see
     *                                 {@link SmtpProtocolException#reply()}), or a protocol violation
     * @throws StartTlsFailedException the TLS handshake after STARTTLS failed
     * @throws TlsFailedException      the implicit TLS handshake failed, or TLS is required and
     *                                 the server does not offer or refuses STARTTLS
     * @throws IOException             connect failed, timed out, or the server closed
     */
    public static SmtpConnection open(String serverName, InetSocketAddress address, SmtpClientOptions options)
            throws IOException, SmtpProtocolException {
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(options, "options");
        if (address.isUnresolved()) {
            throw new UnknownHostException("unresolved address " + address.getHostString());
        }
        String remote = NexthopResolver.Target.bare(serverName) + "[" + address.getAddress().getHostAddress() + "]:"
                + address.getPort();
        Socket tcp = new Socket();
        SmtpConnection connection = null;
        try {
            tcp.setTcpNoDelay(true);
            tcp.connect(address, Math.toIntExact(options.connectTimeout().toMillis()));
            connection = new SmtpConnection(serverName, options, new SmtpWire(tcp, remote, options.commandTimeout()));
            connection.opening();
            return connection;
        } catch (IOException | SmtpProtocolException | RuntimeException e) {
            if (connection != null) {
                connection.close();
            }
            tcp.close();
            throw e;
        }
    }

    /**
     * Sends one message. The content is opened before any command is sent: when that fails, the
     * IOException leaves the session usable. When the envelope needs SMTPUTF8 and the server lacks
     * it ({@code 553 5.6.7}), or the content exceeds the server's announced SIZE
     * ({@code 552 5.3.4}), no transaction is started and every recipient gets that reply.
     *
     * @return one reply per recipient, in envelope order
     * @throws IOException           the connection failed (including a timeout) before the outcome
     *                               of any recipient was known; defer them all
     * @throws SmtpProtocolException the server broke the protocol; defer them all
     * @throws IllegalStateException the connection is not {@link #reusable()}
     */
    public TransactionResult send(OutboundEnvelope envelope, MessageContent content) throws IOException, SmtpProtocolException {
        if (!usable) {
            throw new IllegalStateException("connection to " + remote() + " is closed or failed; open a new one");
        }
        SmtpReply refusal = refusal(envelope, content.size());
        if (refusal != null) {
            return result(Collections.nCopies(envelope.recipients().size(), refusal));
        }
        InputStream body = content.open();
        try {
            Transaction.Outcome outcome = new Transaction(wire, envelope, extensions, options).run(content.size(), body);
            if (!outcome.sessionUsable()) {
                close();
            }
            return result(outcome.replies());
        } catch (IOException | SmtpProtocolException | RuntimeException e) {
            close();
            throw e;
        } finally {
            closeQuietly(body);
        }
    }

    /** True while the connection is open and the last transaction left the session in a clean state. */
    public boolean reusable() {
        return usable;
    }

    /** Says QUIT (when the session is still usable), waits for the reply, and closes. Never throws. */
    public void quit() {
        if (!usable) {
            close();
            return;
        }
        try {
            wire.command("QUIT");
        } catch (IOException | SmtpProtocolException e) {
            log.debug("{} QUIT: {}", remote(), e.toString());
        } finally {
            close();
        }
    }

    /** Closes the connection without QUIT. Any thread; idempotent. */
    @Override
    public void close() {
        usable = false;
        wire.close();
    }

    /** The EHLO/LHLO keywords of the server, upper case (after STARTTLS: the ones offered over TLS). */
    public Set<String> extensions() {
        return extensions.names();
    }

    public boolean tlsActive() {
        return tls;
    }

    /** The server as {@code host[ip]:port}. */
    public String remote() {
        return wire.remote();
    }

    private void opening() throws IOException, SmtpProtocolException {
        SmtpReply greeting;
        if (options.tls() == TlsMode.IMPLICIT) {
            wire.implicitTls(options.tlsSocketFactory(), serverName);
            tls = true;
            try {
                greeting = wire.read(options.commandTimeout()).reply();
            } catch (SSLException e) { // TLS 1.3: the server's verdict on our certificate comes after our handshake
                throw new TlsFailedException("TLS handshake with " + remote()
                        + " failed: the server ended the session after the handshake: " + e.getMessage(), true, e);
            }
        } else {
            greeting = wire.read(options.commandTimeout()).reply();
        }
        if (!greeting.positive()) {
            throw refused("greeting", greeting);
        }
        hello();
        if (options.tls() == TlsMode.REQUIRE && !extensions.has("STARTTLS")) {
            sayQuit();
            throw new TlsFailedException("TLS is required, but was not offered by host " + remote(), false, null);
        }
        if ((options.tls() == TlsMode.MAY || options.tls() == TlsMode.REQUIRE) && extensions.has("STARTTLS")) {
            startTls();
        }
    }

    private void hello() throws IOException, SmtpProtocolException {
        String verb = options.lmtp() ? "LHLO" : "EHLO";
        ReplyReader.Received ehlo = wire.command(verb + " " + options.heloName());
        if (ehlo.reply().positive()) {
            extensions = EhloExtensions.parse(ehlo.lines());
            return;
        }
        if (options.lmtp() || !ehlo.reply().permanentFailure()) {
            throw refused(verb, ehlo.reply());
        }
        SmtpReply helo = wire.command("HELO " + options.heloName()).reply();
        if (!helo.positive()) {
            throw refused("HELO", helo);
        }
        extensions = EhloExtensions.NONE;
    }

    private void startTls() throws IOException, SmtpProtocolException {
        SmtpReply reply = wire.command("STARTTLS").reply();
        if (reply.code() == 421) {
            throw refused("STARTTLS", reply);
        }
        if (reply.code() != 220 && options.tls() == TlsMode.REQUIRE) {
            sayQuit();
            throw new TlsFailedException("TLS is required, but host " + remote() + " refused STARTTLS: " + reply, false, null);
        }
        if (reply.code() != 220) {
            log.info("{} answered STARTTLS with {}; continuing without TLS", remote(), reply);
            return;
        }
        if (wire.hasUnreadInput()) {
            throw new SmtpProtocolException(remote() + " sent data after its reply to STARTTLS (response injection)", null);
        }
        wire.startTls(options.tlsSocketFactory(), serverName);
        tls = true;
        extensions = EhloExtensions.NONE;
        try {
            hello();
        } catch (SSLException e) { // TLS 1.3: the server's verdict on our certificate comes after our handshake
            throw new StartTlsFailedException(remote(), "the server ended the session after the handshake: " + e.getMessage(), e);
        }
    }

    private SmtpProtocolException refused(String stage, SmtpReply reply) {
        if (reply.code() != 421) {
            goodbye();
        }
        return new SmtpProtocolException(remote() + " refused the session at " + stage, reply);
    }

    /** Sends QUIT and waits for its reply, in a session that is in order but must end. */
    private void sayQuit() {
        try {
            wire.command("QUIT");
        } catch (IOException | SmtpProtocolException e) {
            log.debug("{} QUIT: {}", remote(), e.toString());
        }
    }

    /** Sends QUIT without waiting for its reply, before the session is dropped. */
    private void goodbye() {
        try {
            wire.send("QUIT");
            wire.flush();
        } catch (IOException e) {
            log.debug("{} QUIT: {}", remote(), e.toString());
        }
    }

    private SmtpReply refusal(OutboundEnvelope envelope, long size) {
        if (envelope.smtpUtf8() && !extensions.has("SMTPUTF8")) {
            return new SmtpReply(553, "5.6.7", "SMTPUTF8 not supported by server " + remote());
        }
        long limit = extensions.sizeLimit();
        if (limit > 0 && size > limit) {
            return new SmtpReply(552, "5.3.4", "message size " + size + " exceeds size limit " + limit + " of server " + remote());
        }
        return null;
    }

    private TransactionResult result(List<SmtpReply> replies) {
        return new TransactionResult(replies, remote(), tls);
    }

    private void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException e) {
            log.debug("closing message content: {}", e.toString());
        }
    }
}
