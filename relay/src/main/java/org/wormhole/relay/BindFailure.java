package org.wormhole.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Locale;

/**
 * A listener that cannot bind, named with its setting and address, as an operator reads it:
 * {@code listen 127.0.0.1:25: address already in use}.
 */
final class BindFailure {

    private BindFailure() {
    }

    /** Binding a listener. */
    interface Bind {
        void run() throws IOException;
    }

    /**
     * Runs {@code bind}; a socket error (however wrapped: SubEthaSMTP wraps it in a
     * RuntimeException) becomes an IOException saying {@code what: reason}. Other errors pass.
     */
    static void naming(String what, Bind bind) throws IOException {
        try {
            bind.run();
        } catch (IOException | RuntimeException e) {
            SocketException cause = socketCause(e);
            if (cause == null) {
                throw e;
            }
            throw new IOException(what + ": " + reason(cause, what), e);
        }
    }

    /** {@code 127.0.0.1:25}, {@code [::1]:25}. */
    static String address(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private static SocketException socketCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketException s) {
                return s;
            }
        }
        return null;
    }

    private static String reason(SocketException e, String what) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        m = m.replaceFirst(" \\(Bind failed\\)$", "");
        String lower = m.isEmpty() ? m : m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
        if (lower.startsWith("permission denied") && lowPort(what)) {
            return lower + " (a port below 1024 needs root or CAP_NET_BIND_SERVICE)";
        }
        if (lower.startsWith("cannot assign requested address")) {
            return lower + " (not an address of this machine)";
        }
        return lower;
    }

    private static boolean lowPort(String what) {
        int colon = what.lastIndexOf(':');
        try {
            int port = Integer.parseInt(what.substring(colon + 1));
            return port > 0 && port < 1024;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
