package org.wormhole.relay;

import org.wormhole.mailertable.TableDiff;
import org.wormhole.mailertable.WatchedMailertable;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.relay.events.TableEditRejected;
import org.wormhole.relay.events.TableSwapped;
import org.wormhole.relay.events.TableUnreadable;

/**
 * What the live mailertable tells the relay, reported as the relay's events. The mailertable
 * writes its own log lines, so these events have none in {@link org.wormhole.relay.events.LoggedEvents}.
 */
final class TableEvents implements WatchedMailertable.Listener {

    private final RelayEvents events;

    TableEvents(RelayEvents events) {
        this.events = events;
    }

    @Override
    public void swapped(WatchedMailertable.Status now, TableDiff diff) {
        events.tableSwapped(new TableSwapped(now.file(), now.entries(), now.generation(), diff.added().size(),
                diff.removed().size(), diff.changed().size()));
    }

    @Override
    public void rejected(WatchedMailertable.Status now) {
        events.tableEditRejected(new TableEditRejected(now.file(), now.rejectedErrors().size(), now.generation(),
                now.loadedAt(), now.entries()));
    }

    @Override
    public void unreadable(WatchedMailertable.Status now) {
        events.tableUnreadable(new TableUnreadable(now.file(), now.unavailable().orElse("")));
    }
}
