package org.wormhole.relay.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An operator's command never hangs on a relay that does not answer. */
class ControlClientTest {

    @TempDir
    Path dir;

    @Test
    void aRelayThatNeverAnswersGivesAClearErrorNotAHang() throws Exception {
        Path socket = dir.resolve("control");
        try (ServerSocketChannel hungRelay = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            hungRelay.bind(UnixDomainSocketAddress.of(socket));
            IOException e = assertThrows(IOException.class,
                    () -> ControlClient.send(socket, "flush", Duration.ofMillis(300)));
            assertEquals("the relay did not answer within 0.3 s", e.getMessage());
            try (SocketChannel accepted = hungRelay.accept()) {
                assertTrue(accepted.isOpen(), "the client had connected and waited");
            }
        }
    }

    @Test
    void noRelayListeningMeansNotRunning() throws Exception {
        assertTrue(ControlClient.send(dir.resolve("control"), "flush").isEmpty());
    }
}
