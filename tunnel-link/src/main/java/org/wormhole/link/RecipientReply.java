package org.wormhole.link;

/**
 * The receiving site's answer for one recipient of a message carried over the link, as an SMTP
 * reply: 2xx it has the message, 4xx try again later, 5xx never.
 *
 * @param status the enhanced status code, e.g. {@code 2.0.0}
 */
public record RecipientReply(int code, String status, String text) {
}
