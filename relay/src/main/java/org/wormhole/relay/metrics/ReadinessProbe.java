package org.wormhole.relay.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.wormhole.mailertable.WatchedMailertable;
import org.wormhole.relay.queue.FreeSpace;
import org.wormhole.relay.queue.QueueState;
import org.wormhole.relay.queue.Spool;

/**
 * Looks at the running relay and tells its {@link Readiness}: the spool, the mailertable and the
 * listeners. Cheap enough for every probe (a few file-system calls, no file read). Thread-safe.
 */
public final class ReadinessProbe {

    private static final long MIB = 1024 * 1024;

    private final Spool spool;
    private final FreeSpace freeSpace;
    private final WatchedMailertable mailertable;
    private volatile String listeners = "starting: not every listener is bound yet";
    private volatile boolean bound;

    public ReadinessProbe(Spool spool, FreeSpace freeSpace, WatchedMailertable mailertable) {
        this.spool = spool;
        this.freeSpace = freeSpace;
        this.mailertable = mailertable;
    }

    /** Every listener is bound: {@code which} names them ({@code smtp 127.0.0.1:2525, control socket ...}). */
    public void bound(String which) {
        listeners = which;
        bound = true;
    }

    /** The relay stops: it takes no more mail (new SMTP sessions get 421). */
    public void stopping() {
        listeners = "stopping: new sessions are refused";
        bound = false;
    }

    public Readiness check() {
        return new Readiness(List.of(spool(), mailertable(), new Readiness.Check("listeners", bound, listeners)));
    }

    private Readiness.Check spool() {
        Path incoming = spool.dir(QueueState.INCOMING);
        if (!Files.isWritable(incoming)) {
            return new Readiness.Check("spool", false, incoming + " is not writable: no mail can be queued");
        }
        Optional<String> shortage = freeSpace.shortage();
        if (shortage.isPresent()) {
            return new Readiness.Check("spool", false, shortage.get() + ": new mail is refused (452 4.3.1)");
        }
        String free;
        try {
            free = freeSpace.usable() / MIB + " MiB free";
        } catch (IOException e) {
            free = "free space unknown (" + e.getMessage() + ")";
        }
        return new Readiness.Check("spool", true, spool.root() + " writable, " + free
                + (freeSpace.minimum() > 0 ? " (queue_minfree " + freeSpace.minimum() / MIB + " MiB)" : ""));
    }

    private Readiness.Check mailertable() {
        WatchedMailertable.Status s = mailertable.status();
        if (s.unavailable().isPresent()) {
            return new Readiness.Check("mailertable", false, s.unavailable().get() + ": routing defers all mail");
        }
        String edit = s.rejectedErrors().isEmpty() ? ""
                : "; its newest edit was rejected with " + s.rejectedErrors().size() + " error(s), the version before is in use";
        return new Readiness.Check("mailertable", true, s.file() + " loaded, " + s.entries()
                + (s.entries() == 1 ? " entry" : " entries") + edit);
    }
}
