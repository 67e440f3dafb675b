package org.wormhole.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Handshake slots: 10 in all, 3 per address, and room of its own for a configured peer's address. */
class StartupSlotsTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void oneAddressGetsThreeTheCrowdTenAndThePeerStillGetsIn() throws Exception {
        StartupSlots slots = new StartupSlots(10, 3, Set.of(ip("192.0.2.1")));
        List<StartupSlots.Taken> taken = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            taken.add(assertInstanceOf(StartupSlots.Taken.class, slots.take(ip("203.0.113.7"))));
        }
        assertEquals(new StartupSlots.Busy("busy: 3 handshakes from this address are already in progress (at most 3"
                + " per address)"), slots.take(ip("203.0.113.7")));
        for (int i = 8; i < 15; i++) {
            taken.add(assertInstanceOf(StartupSlots.Taken.class, slots.take(ip("203.0.113." + i))));
        }
        assertEquals(new StartupSlots.Busy("busy: 10 handshakes are already in progress (a flood?)"),
                slots.take(ip("198.51.100.1")));
        StartupSlots.Taken peer = assertInstanceOf(StartupSlots.Taken.class, slots.take(ip("192.0.2.1")),
                "the configured peer's address has room of its own");

        slots.release(taken.get(0));
        assertInstanceOf(StartupSlots.Taken.class, slots.take(ip("198.51.100.1")), "a slot given back is free again");
        slots.release(peer);
    }
}
