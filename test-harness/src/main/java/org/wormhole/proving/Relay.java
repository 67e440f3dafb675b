package org.wormhole.proving;

import java.io.IOException;

/** A relay process the proving ground can crash and start again on the same queue. */
interface Relay extends AutoCloseable {

    String name();

    /** Starts it and returns once it accepts mail; throws with its log's tail if it does not. */
    void start() throws IOException, InterruptedException;

    /** SIGKILL: the process (all of its processes) dies at once, nothing is flushed. */
    void kill9() throws IOException, InterruptedException;

    /** True when nothing is queued (incoming, active, deferred, hold: no file). */
    boolean queueEmpty();

    /** A graceful stop. */
    @Override
    void close();
}
