package org.wormhole.link;

import java.util.regex.Pattern;

/**
 * A custodian's refusal of an offered message for a reason of its own (its queue is out of disk,
 * over a limit), with the SMTP-style reply the sending site gets for every recipient: a 4xx keeps
 * the message queued there for a later try, a 5xx bounces it. The reply text crosses the link;
 * details meant for this site only belong in its log, not here.
 */
public final class CustodyRefused extends Exception {

    private static final Pattern STATUS = Pattern.compile("[45]\\.\\d{1,3}\\.\\d{1,3}");

    private final int code;
    private final String enhancedStatus;

    /**
     * @param code           the reply code, 4xx or 5xx
     * @param enhancedStatus its RFC 3463 status of the same class, e.g. {@code 4.3.1}
     * @param text           the reply text, e.g. {@code Insufficient system storage}
     */
    public CustodyRefused(int code, String enhancedStatus, String text) {
        super(text);
        if (code < 400 || code > 599 || !STATUS.matcher(enhancedStatus).matches()
                || enhancedStatus.charAt(0) != Integer.toString(code).charAt(0)) {
            throw new IllegalArgumentException("not a refusal: " + code + " " + enhancedStatus);
        }
        this.code = code;
        this.enhancedStatus = enhancedStatus;
    }

    /** The sending site keeps the message for later: the receiving site is short of disk. */
    public static CustodyRefused insufficientStorage() {
        return new CustodyRefused(452, "4.3.1", "Insufficient system storage");
    }

    public int code() {
        return code;
    }

    public String enhancedStatus() {
        return enhancedStatus;
    }
}
