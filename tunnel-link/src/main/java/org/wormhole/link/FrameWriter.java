package org.wormhole.link;

import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.locks.ReentrantLock;
import org.wormhole.link.wire.Frame;
import org.wormhole.link.wire.FrameCodec;

/**
 * The write side of one link. Frames go out whole, one at a time, under one fair lock: writers
 * take turns in the order they came (a bulk message's CHUNKs, a stream's DATA and a PING
 * alternate; none keeps the lock by barging back in). The buffered stream is flushed by the
 * last writer of a run: a writer that sees another one waiting leaves the flush to it, so
 * frames written back to back share TLS records and system calls, and every frame is on the
 * wire once no writer is left.
 *
 * <p>After each flush, still under the lock, the {@link AfterFlush} hook runs (the session's
 * rekey: a TLS KeyUpdate must go between frames, with the stream flushed).
 */
final class FrameWriter {

    /** Runs under the write lock right after a flush. */
    interface AfterFlush {
        void run(OutputStream out) throws IOException;
    }

    /** Work under the write lock that writes to the stream. */
    interface Locked {
        void run(OutputStream out) throws IOException;
    }

    private final OutputStream out;
    private final ReentrantLock lock = new ReentrantLock(true);
    private volatile AfterFlush afterFlush = out -> { };

    FrameWriter(OutputStream out) {
        this.out = out;
    }

    /** Sets the hook run after each flush; before the first frame is written by other threads. */
    void afterFlush(AfterFlush hook) {
        this.afterFlush = hook;
    }

    /** Writes one frame, flushed now or by the writer waiting behind this one. */
    void write(Frame f) throws IOException {
        locked(o -> FrameCodec.write(o, f));
    }

    /**
     * Runs {@code work} under the write lock (e.g. to number PINGs in the order they go out),
     * then flushes as {@link #write} does.
     */
    void locked(Locked work) throws IOException {
        lock.lock();
        try {
            work.run(out);
            if (!lock.hasQueuedThreads()) {
                out.flush();
                afterFlush.run(out);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes one frame and flushes it at once, without the after-flush hook (GOODBYE). */
    void writeNow(Frame f) throws IOException {
        lock.lock();
        try {
            FrameCodec.write(out, f);
            out.flush();
        } finally {
            lock.unlock();
        }
    }
}
