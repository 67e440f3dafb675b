package org.wormhole.relay.events;

import java.nio.file.Path;
import java.time.Instant;

/**
 * An edit of the mailertable was rejected whole (bad lines, or a {@code tsmtp} route to an unknown
 * peer); the last good version stays in use. The mailertable logs it itself, with every error.
 *
 * @param file                 the table's file
 * @param errors               how many errors the edit has
 * @param stillUsingGeneration the generation of the version still in use
 * @param stillUsingLoadedAt   when that version was loaded
 * @param stillUsingEntries    its entries
 */
public record TableEditRejected(Path file, int errors, long stillUsingGeneration, Instant stillUsingLoadedAt,
                                int stillUsingEntries) {
}
