package org.wormhole.relay.events;

import java.nio.file.Path;

/**
 * A version of the mailertable is in use: the one loaded at start (generation 1, every entry
 * counted as added) or an edit that loaded. The mailertable logs it itself ({@code loaded N entries (...)}).
 *
 * @param file       the table's file
 * @param entries    entries in the version now in use
 * @param generation 1 for the table loaded at start, +1 for each swap
 * @param added      keys only in the new version
 * @param removed    keys only in the version used before
 * @param changed    keys in both whose value differs
 */
public record TableSwapped(Path file, int entries, long generation, int added, int removed, int changed) {
}
