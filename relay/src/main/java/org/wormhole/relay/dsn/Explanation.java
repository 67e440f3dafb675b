package org.wormhole.relay.dsn;

import java.time.Duration;

/**
 * The human-readable first part of a notice, worded after Postfix's bounce and delay messages:
 * what happened, to which recipients and why, the queue id, and for a delay warning that nothing
 * needs to be done and how long the relay keeps trying. CRLF line endings; may hold non-ASCII
 * text from remote replies.
 */
final class Explanation {

    /** The longest diagnostic quoted, in characters. */
    static final int DIAGNOSTIC_LIMIT = 4000;

    private Explanation() {
    }

    static String render(Notice n) {
        StringBuilder sb = new StringBuilder();
        line(sb, "This is the mail system at host " + n.reportingMta() + ".");
        line(sb, "");
        if (n.kind() == Action.FAILED) {
            line(sb, "I'm sorry to have to inform you that your message could not");
            line(sb, "be delivered to one or more recipients. Its headers are attached below.");
        } else {
            line(sb, "####################################################################");
            line(sb, "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #");
            line(sb, "####################################################################");
            line(sb, "");
            line(sb, n.delayWarningAfter() == null
                    ? "Your message could not be delivered yet."
                    : "Your message could not be delivered for more than " + words(n.delayWarningAfter()) + ".");
            line(sb, "It will be retried until it is " + words(Duration.between(n.arrival(), n.retryUntil()))
                    + " old (until " + n.date(n.retryUntil()) + ").");
        }
        line(sb, "");
        line(sb, "Queue ID: " + n.queueId() + ", received " + n.date(n.arrival()) + ".");
        if (n.headersTruncated()) {
            line(sb, "The attached header section was too long and has been shortened.");
        }
        line(sb, "");
        line(sb, "For further assistance, please send mail to postmaster.");
        line(sb, "");
        line(sb, "If you do so, please include this problem report. You can");
        line(sb, "delete your own text from the attached message headers.");
        line(sb, "");
        line(sb, "                   The mail system");
        for (FailedRecipient r : n.recipients()) {
            line(sb, "");
            line(sb, recipient(r));
        }
        return sb.toString();
    }

    /** {@code <user@example.net> (expanded from <alias@example.net>): host mx.example.net said: 550 ...}. */
    private static String recipient(FailedRecipient r) {
        String who = "<" + r.address() + ">";
        if (!r.originalRecipient().equals(r.address())) {
            who += " (expanded from <" + r.originalRecipient() + ">)";
        }
        String diagnostic = ReportText.diagnostic(r.diagnostic(), DIAGNOSTIC_LIMIT);
        String why;
        if (r.remoteMta().isEmpty()) {
            why = diagnostic.isEmpty() ? "status " + r.status() : diagnostic;
        } else {
            why = diagnostic.isEmpty()
                    ? "host " + r.remoteMta() + ": status " + r.status()
                    : "host " + r.remoteMta() + " said: " + diagnostic;
        }
        return who + ": " + why;
    }

    /** {@code 4 hours}, {@code 1 day}, {@code 90 minutes}: the largest whole unit. */
    static String words(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s >= 86_400 && s % 86_400 == 0) {
            return count(s / 86_400, "day");
        }
        if (s >= 3_600 && s % 3_600 == 0) {
            return count(s / 3_600, "hour");
        }
        if (s >= 60 && s % 60 == 0) {
            return count(s / 60, "minute");
        }
        return count(s, "second");
    }

    private static String count(long n, String unit) {
        return n + " " + unit + (n == 1 ? "" : "s");
    }

    private static void line(StringBuilder sb, String text) {
        sb.append(text).append("\r\n");
    }
}
