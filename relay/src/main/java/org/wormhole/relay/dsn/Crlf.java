package org.wormhole.relay.dsn;

import java.io.ByteArrayOutputStream;

/** Line endings as SMTP and RFC 5322 want them: CRLF, never a bare CR or LF. */
final class Crlf {

    private Crlf() {
    }

    /** {@code bytes} with every bare LF and every bare CR turned into CRLF; CRLF stays as it is. */
    static byte[] normalize(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 64);
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '\r') {
                out.write('\r');
                out.write('\n');
                if (i + 1 < bytes.length && bytes[i + 1] == '\n') {
                    i++;
                }
            } else if (b == '\n') {
                out.write('\r');
                out.write('\n');
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }
}
