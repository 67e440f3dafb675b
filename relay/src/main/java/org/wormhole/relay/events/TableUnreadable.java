package org.wormhole.relay.events;

import java.nio.file.Path;

/**
 * The mailertable's file cannot be read (past a short grace time for editors that save by
 * rename): lookups defer until it is back, which is reported as a {@link TableSwapped}. The
 * mailertable logs it itself.
 *
 * @param file   the table's file
 * @param reason why, e.g. {@code no such file: /etc/wormhole/mailertable}
 */
public record TableUnreadable(Path file, String reason) {
}
