package org.wormhole.link;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/**
 * Names the failure of an established link's connection as an operator reads it: a plain network
 * cut (reset, closed without GOODBYE, broken pipe) is "connection lost (...)", which the link
 * heals by reconnecting; anything else is "connection failed: ...". Neither is a protocol
 * violation, and neither deserves a stack trace.
 */
final class ConnectionLoss {

    private ConnectionLoss() {
    }

    static String describe(IOException e) {
        if (e instanceof EOFException) {
            return "connection lost (closed by the peer without GOODBYE"
                    + (e.getMessage() != null && e.getMessage().contains("inside a frame") ? ", inside a frame)" : ")");
        }
        if (e instanceof SocketTimeoutException) {
            return "connection failed: " + e.getMessage();
        }
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("connection reset")) {
            return "connection lost (reset by peer)";
        }
        if (m.contains("broken pipe")) {
            return "connection lost (broken pipe)";
        }
        if (m.contains("socket closed") || m.contains("socket is closed")) {
            return "connection lost (socket closed)";
        }
        if (m.contains("peer shut down incorrectly") || m.contains("remote host terminated")) {
            return "connection lost (closed by the peer without GOODBYE)";
        }
        return "connection failed: " + (e.getMessage() == null ? e.toString() : e.getMessage());
    }
}
