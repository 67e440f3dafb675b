package org.wormhole.harness;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.wormhole.relay.events.LinkCameUp;
import org.wormhole.relay.events.LinkWentDown;
import org.wormhole.relay.events.MessageQueued;
import org.wormhole.relay.events.MessageRefused;
import org.wormhole.relay.events.RecipientAttempted;
import org.wormhole.relay.events.RecipientRefused;
import org.wormhole.relay.events.RelayEvents;
import org.wormhole.testing.Await;

/** Every event of one relay, in order, for tests to wait for and look at (instead of its log's wording). */
final class RecordedEvents implements RelayEvents {

    private final List<Record> seen = new CopyOnWriteArrayList<>();

    @Override
    public void messageQueued(MessageQueued e) {
        seen.add(e);
    }

    @Override
    public void messageRefused(MessageRefused e) {
        seen.add(e);
    }

    @Override
    public void recipientRefused(RecipientRefused e) {
        seen.add(e);
    }

    @Override
    public void recipientAttempted(RecipientAttempted e) {
        seen.add(e);
    }

    @Override
    public void linkUp(LinkCameUp e) {
        seen.add(e);
    }

    @Override
    public void linkDown(LinkWentDown e) {
        seen.add(e);
    }

    /** The events of this type so far. */
    <T extends Record> List<T> all(Class<T> type) {
        return seen.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Waits for the first event of this type that {@code matches}, and returns it. */
    <T extends Record> T await(Class<T> type, Predicate<T> matches) throws InterruptedException {
        Await.until("a " + type.getSimpleName() + " event", () -> all(type).stream().anyMatch(matches));
        return all(type).stream().filter(matches).findFirst().orElseThrow();
    }
}
