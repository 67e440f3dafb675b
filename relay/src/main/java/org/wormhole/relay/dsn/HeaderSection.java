package org.wormhole.relay.dsn;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The header section of a stored message, as returned in a notice's {@code text/rfc822-headers}
 * part: every line ends in CRLF, and the empty line that ends the section is not included.
 */
final class HeaderSection {

    private final byte[] bytes;
    private final boolean truncated;

    private HeaderSection(byte[] bytes, boolean truncated) {
        this.bytes = bytes;
        this.truncated = truncated;
    }

    /**
     * Reads the header section from the start of {@code message}: up to the first empty line or
     * the end of the stream, whichever comes first. The body is never read, except what a read
     * buffer takes past the empty line. A section longer than {@code limit} bytes is cut after the
     * last header field that fits whole, and reading stops there. The stream is not closed.
     *
     * @throws IOException if the stream cannot be read
     */
    static HeaderSection read(InputStream message, int limit) throws IOException {
        InputStream in = message instanceof BufferedInputStream ? message : new BufferedInputStream(message, 8192);
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int fieldStart = 0;
        while (true) {
            int b = in.read();
            if (b == -1 || b == '\n') {
                byte[] text = withoutTrailingCr(line.toByteArray());
                if (text.length == 0) {
                    return new HeaderSection(section.toByteArray(), false);
                }
                if (!isContinuation(text)) {
                    fieldStart = section.size();
                }
                section.write(text);
                section.write('\r');
                section.write('\n');
                line.reset();
                if (b == -1) {
                    return new HeaderSection(section.toByteArray(), false);
                }
                continue;
            }
            line.write(b);
            if (section.size() + line.size() + 2 > limit) {
                int end = isContinuation(line.toByteArray()) ? fieldStart : section.size();
                return new HeaderSection(Arrays.copyOf(section.toByteArray(), end), true);
            }
        }
    }

    private static boolean isContinuation(byte[] line) {
        return line.length > 0 && (line[0] == ' ' || line[0] == '\t');
    }

    /** The line without its CR before LF; a CR anywhere else becomes a space, so it can't end a line. */
    private static byte[] withoutTrailingCr(byte[] line) {
        int n = line.length > 0 && line[line.length - 1] == '\r' ? line.length - 1 : line.length;
        byte[] text = Arrays.copyOf(line, n);
        for (int i = 0; i < n; i++) {
            if (text[i] == '\r') {
                text[i] = ' ';
            }
        }
        return text;
    }

    /** The header lines, each ending in CRLF. */
    byte[] bytes() {
        return bytes.clone();
    }

    /** True when the section was longer than the limit and only its first fields are kept. */
    boolean truncated() {
        return truncated;
    }
}
