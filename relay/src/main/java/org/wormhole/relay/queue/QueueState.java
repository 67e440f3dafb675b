package org.wormhole.relay.queue;

/** The state of a queued message: the spool directory its file is in. */
public enum QueueState {
    INCOMING("incoming"),
    ACTIVE("active"),
    DEFERRED("deferred"),
    HOLD("hold"),
    CORRUPT("corrupt");

    private final String directory;

    QueueState(String directory) {
        this.directory = directory;
    }

    public String directory() {
        return directory;
    }

    @Override
    public String toString() {
        return directory;
    }
}
