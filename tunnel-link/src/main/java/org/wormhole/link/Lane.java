package org.wormhole.link;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One TLS connection of a link (PROTOCOL.md "Lanes"): its buffered, counted streams, the
 * {@link FrameWriter} that writes to it, and, once it carries the link, its reader thread, its
 * {@link Keepalive} and its {@link Rekeying}. Lane 0 is the connection the link started on.
 */
final class Lane {

    final int index;
    final Socket socket;
    final InputStream in;
    final FrameWriter writer;
    final AtomicLong read;    // TLS plaintext octets, frames and all
    final AtomicLong written;
    // Set once by the session when the lane starts carrying the link.
    volatile Keepalive keepalive;
    volatile Rekeying rekeying;
    volatile Thread reader;

    private Lane(int index, Socket socket, InputStream in, FrameWriter writer, AtomicLong read, AtomicLong written) {
        this.index = index;
        this.socket = socket;
        this.in = in;
        this.writer = writer;
        this.read = read;
        this.written = written;
    }

    /** The lane over an authenticated socket (its TLS handshake done). */
    static Lane over(Socket tls, int index) throws IOException {
        AtomicLong read = new AtomicLong();
        AtomicLong written = new AtomicLong();
        InputStream in = new BufferedInputStream(new Counting.In(tls.getInputStream(), read), 65_536);
        FrameWriter writer = new FrameWriter(new BufferedOutputStream(new Counting.Out(tls.getOutputStream(), written),
                65_536));
        return new Lane(index, tls, in, writer, read, written);
    }

    /** Closes the connection: TLS close waits for the peer's close_notify at most 200 ms. */
    void close() {
        try {
            socket.setSoTimeout(200);
            // ... and for the lock of a writer blocked on a peer that stopped reading at most 1 s
            // (SO_LINGER): then the connection is dropped, which fails that write. Without it,
            // close would wait as long as the write, forever if the peer's host hangs.
            socket.setSoLinger(true, 1);
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
