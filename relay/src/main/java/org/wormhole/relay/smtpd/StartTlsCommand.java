package org.wormhole.relay.smtpd;

import java.io.IOException;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.server.Session;

/**
 * STARTTLS (RFC 3207), as SubEthaSMTP's own but with one log line for a failed handshake
 * ({@code TLS handshake failed from host[addr]: why}, or {@code lost connection after STARTTLS}
 * when the client simply went away) instead of a WARN with a stack trace. After the handshake
 * the session starts afresh (RFC 3207 4.2); plaintext the client sent after STARTTLS is dropped
 * with the plaintext stream. A client certificate whose key a classic peer's pin names lets the
 * session relay (Postfix's permit_tls_clientcerts).
 */
final class StartTlsCommand extends SmtpCommand {

    private static final Logger log = LoggerFactory.getLogger("smtpd");

    private final IngressContext ctx;

    StartTlsCommand(IngressContext ctx) {
        super("STARTTLS", "Start TLS.");
        this.ctx = ctx;
    }

    @Override
    void run(String args, Session s) throws IOException {
        if (!args.isEmpty()) {
            s.sendResponse("501 5.5.4 Syntax: STARTTLS");
            return;
        }
        if (!ctx.tlsOffered()) {
            s.sendResponse("502 5.5.1 Error: command not implemented");
            return;
        }
        if (s.isTLSStarted()) {
            s.sendResponse("554 5.5.1 Error: TLS already active");
            return;
        }
        s.sendResponse("220 2.0.0 Ready to start TLS");
        SSLSocket tls = s.getServer().createSSLSocket(s.getSocket());
        try {
            tls.startHandshake();
        } catch (IOException e) {
            if (!ctx.sessions().wasLost(s)) {
                log.info("TLS handshake failed from {}: {}", ctx.sessions().client(s), e.getMessage());
            }
            s.quit();
            return;
        }
        s.setSocket(tls);
        s.resetSmtpProtocol();
        s.setTlsStarted(true);
        ctx.rules(s).policy().clientCertificates().peer(tls.getSession()).ifPresent(peer -> {
            ctx.sessions().certifiedPeer(s, peer);
            log.info("{}: TLS client certificate of peer {} (pinned key): may relay", ctx.sessions().client(s), peer);
        });
    }
}
