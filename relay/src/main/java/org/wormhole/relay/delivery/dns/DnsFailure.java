package org.wormhole.relay.delivery.dns;

/**
 * A domain's mail exchangers could not be found. The two kinds tell the caller to defer or to
 * bounce; both carry the RFC 3463 enhanced status code a DSN or log line should show.
 */
public abstract sealed class DnsFailure extends Exception permits DnsTemporaryFailure, DnsPermanentFailure {

    private static final long serialVersionUID = 1L;

    private final String enhancedStatus;
    private final String text;

    DnsFailure(String enhancedStatus, String text) {
        super(enhancedStatus + " " + text);
        this.enhancedStatus = enhancedStatus;
        this.text = text;
    }

    /** For example {@code 4.4.3} or {@code 5.1.2}. */
    public String enhancedStatus() {
        return enhancedStatus;
    }

    /** What went wrong, for a human: {@code domain nowhere.example does not exist (NXDOMAIN)}. */
    public String text() {
        return text;
    }
}
