package org.wormhole.relay.delivery.smtp;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One message's content: the exact stored bytes, with CRLF line endings and NOT dot-stuffed.
 * {@link SmtpConnection} streams it; it never holds the whole message in memory.
 */
public interface MessageContent {

    /** A new stream over the content from its first byte; the caller closes it. */
    InputStream open() throws IOException;

    /** The number of bytes {@link #open()} gives; sent as {@code SIZE=} when the server offers it. */
    long size();

    /** Content held in memory. The array is not copied: do not change it afterwards. */
    static MessageContent ofBytes(byte[] bytes) {
        return new MessageContent() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(bytes);
            }

            @Override
            public long size() {
                return bytes.length;
            }
        };
    }

    /** Content that is a file's bytes from its start, e.g. a queue file's body section. */
    static MessageContent ofFile(Path file) throws IOException {
        long size = Files.size(file);
        return new MessageContent() {
            @Override
            public InputStream open() throws IOException {
                return Files.newInputStream(file);
            }

            @Override
            public long size() {
                return size;
            }
        };
    }
}
