package org.wormhole.relay.smtpd.policy;

import java.util.Objects;
import java.util.regex.Pattern;

/** What the policy says to one RCPT TO: accept it, or reject it with this SMTP reply. */
public sealed interface RcptVerdict {

    /** The recipient may be accepted; the caller gives the 250 reply and routes it. */
    record Accept() implements RcptVerdict {
    }

    /**
     * The recipient is refused with this reply, e.g. {@code 554 5.7.1 <x@y>: Relay access denied}.
     *
     * @param code           the SMTP reply code, 4xx or 5xx
     * @param enhancedStatus the RFC 3463 status, e.g. {@code 5.7.1}, of the same class as {@code code}
     * @param text           the reply text, one line of printable text
     */
    record Reject(int code, String enhancedStatus, String text) implements RcptVerdict {

        private static final Pattern STATUS = Pattern.compile("[45]\\.\\d{1,3}\\.\\d{1,3}");

        /** @throws IllegalArgumentException if the code, status or text break the rules above */
        public Reject {
            Objects.requireNonNull(enhancedStatus, "enhancedStatus");
            Objects.requireNonNull(text, "text");
            if (code < 400 || code > 599) {
                throw new IllegalArgumentException("reply code " + code + " is not 4xx or 5xx");
            }
            if (!STATUS.matcher(enhancedStatus).matches() || enhancedStatus.charAt(0) != Integer.toString(code).charAt(0)) {
                throw new IllegalArgumentException("enhanced status " + enhancedStatus + " does not fit reply code " + code);
            }
            if (text.chars().anyMatch(c -> c < ' ' || c == 127)) {
                throw new IllegalArgumentException("reply text holds control characters");
            }
        }

        /** The reply line as the client sees it: {@code 554 5.7.1 <x@y>: Relay access denied}. */
        @Override
        public String toString() {
            return code + " " + enhancedStatus + " " + text;
        }
    }
}
