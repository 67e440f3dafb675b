package org.wormhole.link;

import java.util.List;
import java.util.Set;

/** How a refused key is put in the log, the same by the listener and by a dialer. */
final class RefusalReasons {

    private RefusalReasons() {
    }

    /** The peer answered this site's certificate ({@code self}) with a TLS alert. */
    static String theyRefused(SiteIdentity self, HandshakeFailure.RefusedByPeer r) {
        return "the peer refused our key " + self.pin() + ": is it in their pins? (TLS alert " + r.alert() + ")";
    }

    /** Pins as the log lists them: sorted by value. */
    static List<String> sorted(Set<Pin> pins) {
        return pins.stream().map(Pin::value).sorted().toList();
    }
}
