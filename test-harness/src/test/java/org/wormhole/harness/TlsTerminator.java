package org.wormhole.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.wormhole.link.Pin;
import org.wormhole.link.PinningTrustManager;
import org.wormhole.link.SiteIdentity;
import org.wormhole.testing.TestCertificate;

/**
 * What a site still running a classic MTA puts in front of it, as stunnel with
 * {@code verifyPeer = yes}: implicit TLS with its own key pair, a client certificate required and
 * accepted only when it is one of the trusted ones (its CAfile), then the plain bytes to and from
 * the MTA behind it. The backend is dialed only after a completed handshake. A refused client
 * gets the TLS alert and then everything it still sends is read until it closes, so that it
 * reads the alert at once (closing with its last handshake flight unread would reset the
 * connection: the client could see only "Broken pipe" and try again after its backoff).
 */
final class TlsTerminator implements AutoCloseable {

    /** The key of each client that completed a handshake, in order. */
    final List<Pin> clients = new CopyOnWriteArrayList<>();
    /** The key of each client certificate refused (not one of the trusted certificates). */
    final List<Pin> refusedClients = new CopyOnWriteArrayList<>();
    /** Handshakes that failed (a refused key on either side, a client that gave up). */
    final AtomicInteger failedHandshakes = new AtomicInteger();
    /** Connections opened to the MTA behind. */
    final AtomicInteger backendConnections = new AtomicInteger();

    /** Plain TCP: TLS is layered on each connection, so that the TCP connection outlives a refused handshake. */
    private final ServerSocket listener;
    private final SSLSocketFactory tls;
    private final InetSocketAddress backend;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    /**
     * @param trustedClients the client certificates accepted (stunnel's CAfile), compared by key;
     *                       their subjects are the issuers named in the certificate request
     */
    TlsTerminator(SiteIdentity key, List<X509Certificate> trustedClients, InetSocketAddress backend) throws Exception {
        this.backend = backend;
        tls = context(key, trustedClients, refusedClients).getSocketFactory();
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tls-terminator");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * An SSL context with this key pair that trusts only the keys of the given certificates and,
     * as stunnel and OpenSSL do, names their subjects as the acceptable issuers when it asks for
     * a client certificate.
     */
    static SSLContext context(SiteIdentity key, List<X509Certificate> trusted, List<Pin> refused) throws Exception {
        Set<Pin> pins = trusted.stream().map(Pin::of).collect(Collectors.toSet());
        PinningTrustManager pinning = new PinningTrustManager(pins, (pin, why) -> refused.add(pin));
        X509TrustManager asStunnel = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                pinning.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("server side only");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return trusted.toArray(X509Certificate[]::new);
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(TestCertificate.keyManagers(key.privateKey(), key.certificate()), new TrustManager[] {asStunnel}, null);
        return context;
    }

    int port() {
        return listener.getLocalPort();
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket tcp = listener.accept();
                sockets.add(tcp);
                Thread t = new Thread(() -> serve(tcp), "tls-terminator-session");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket tcp) {
        try {
            tcp.setSoTimeout(20_000);
            SSLSocket client = (SSLSocket) tls.createSocket(tcp, null, false); // closing it leaves tcp open
            client.setUseClientMode(false);
            client.setNeedClientAuth(true);
            Pin clientKey;
            try {
                client.startHandshake();
                clientKey = Pin.of((X509Certificate) client.getSession().getPeerCertificates()[0]);
            } catch (IOException e) {
                failedHandshakes.incrementAndGet();
                readToTheEndAndClose(tcp);
                return;
            }
            clients.add(clientKey);
            client.setSoTimeout(0);
            Socket mta = new Socket();
            mta.connect(backend, 5_000);
            sockets.add(mta);
            backendConnections.incrementAndGet();
            Thread up = new Thread(() -> pump(client, mta, tcp), "tls-terminator-up");
            up.setDaemon(true);
            up.start();
            pump(mta, client, tcp);
        } catch (IOException e) {
            quietly(tcp);
        }
    }

    /**
     * After a refused handshake (the alert is sent): no more to send; reads what the client still
     * sends until it closes (or 5 s), then closes.
     */
    private static void readToTheEndAndClose(Socket tcp) {
        try {
            tcp.shutdownOutput();
            tcp.setSoTimeout(5_000);
            InputStream in = tcp.getInputStream();
            byte[] discard = new byte[4096];
            while (in.read(discard) != -1) {
                // the rest of the client's handshake, its alert
            }
        } catch (IOException e) {
            // gone or silent
        } finally {
            quietly(tcp);
        }
    }

    /** Copies until either side ends, then closes both and the TCP connection of the TLS side. */
    private void pump(Socket from, Socket to, Socket tcp) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[16384];
            for (int n; (n = in.read(buffer)) != -1; ) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            quietly(from);
            quietly(to);
            quietly(tcp);
        }
    }

    private static void quietly(Socket s) {
        try {
            s.setSoTimeout(100); // an SSLSocket's close waits for the peer's close_notify
            s.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(TlsTerminator::quietly);
    }
}
