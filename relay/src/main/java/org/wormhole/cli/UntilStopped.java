package org.wormhole.cli;

import java.util.concurrent.CountDownLatch;

/**
 * Holds a command that runs until the JVM is told to stop (SIGTERM, Ctrl-C): {@code run} and
 * {@code mailertable watch}. What it runs is closed in the JVM's shutdown, then the command returns.
 */
final class UntilStopped {

    private final CountDownLatch stopped = new CountDownLatch(1);

    private UntilStopped() {
    }

    /** From now on, the JVM's shutdown runs {@code close} and then lets {@link #await()} return. */
    static UntilStopped closing(Runnable close) {
        UntilStopped until = new UntilStopped();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close.run();
            until.stopped.countDown();
        }, "shutdown"));
        return until;
    }

    /** Returns once the shutdown has closed what the command runs. */
    void await() throws InterruptedException {
        stopped.await();
    }
}
