package org.wormhole.relay.delivery.dns;

/** DNS gave no usable answer for now (timeout, SERVFAIL, a loop): defer, with 4.4.3. */
public final class DnsTemporaryFailure extends DnsFailure {

    private static final long serialVersionUID = 1L;

    public DnsTemporaryFailure(String text) {
        super("4.4.3", text);
    }
}
