package org.wormhole.relay.queue;

import java.io.IOException;
import java.nio.file.Path;

/** The spool's {@code master.lock} is held: another relay runs on it. */
public final class SpoolLockedException extends IOException {

    private final long pid;

    /** @param pid the holder's pid, or -1 if its lock file did not say */
    public SpoolLockedException(Path spool, long pid) {
        super("another relay " + (pid > 0 ? "(pid " + pid + ") " : "") + "is running on " + spool);
        this.pid = pid;
    }

    /** The holder's pid, or -1 if unknown. */
    public long pid() {
        return pid;
    }
}
