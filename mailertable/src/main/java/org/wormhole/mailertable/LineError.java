package org.wormhole.mailertable;

/**
 * One bad line of a mailertable file. Prints as {@code FILE:LINE: what is wrong}.
 *
 * @param file    the file name as given by the user
 * @param line    1-based line number, or 0 for a problem with the file as a whole
 * @param message what is wrong, in words an admin understands
 */
public record LineError(String file, int line, String message) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + message : file + ": " + message;
    }
}
