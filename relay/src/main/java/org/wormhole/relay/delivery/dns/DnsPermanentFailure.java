package org.wormhole.relay.delivery.dns;

/**
 * DNS says mail cannot go there: the domain does not exist ({@code 5.1.2}), accepts no mail
 * ({@code 5.1.10}, RFC 7505 null MX), or none of its hosts has an address ({@code 5.4.4}). Bounce.
 */
public final class DnsPermanentFailure extends DnsFailure {

    private static final long serialVersionUID = 1L;

    public DnsPermanentFailure(String enhancedStatus, String text) {
        super(requirePermanent(enhancedStatus), text);
    }

    private static String requirePermanent(String status) {
        if (status == null || !status.startsWith("5.")) {
            throw new IllegalArgumentException("not a permanent status: " + status);
        }
        return status;
    }
}
