package org.wormhole.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The WAN stand-in of the two-site benchmarks and link tests: delay, cut, freeze. */
class DelayingProxyTest {

    private ServerSocket echo;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (true) {
                try {
                    Socket s = echo.accept();
                    Thread c = new Thread(() -> {
                        try (s) {
                            s.getInputStream().transferTo(s.getOutputStream());
                        } catch (IOException ignored) {
                            // the test cut it
                        }
                    });
                    c.setDaemon(true);
                    c.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    private InetSocketAddress echoAddress() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), echo.getLocalPort());
    }

    @Test
    void bytesComeBackIntactNoSoonerThanOneRoundTrip() throws Exception {
        try (DelayingProxy proxy = new DelayingProxy(echoAddress(), Duration.ofMillis(200));
             Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            byte[] sent = new byte[300_000];
            new java.util.Random(7).nextBytes(sent);
            long t0 = System.nanoTime();
            Thread w = new Thread(() -> {
                try {
                    s.getOutputStream().write(sent);
                    s.shutdownOutput();
                } catch (IOException ignored) {
                    // the read below fails then
                }
            });
            w.start();
            byte[] back = s.getInputStream().readAllBytes();
            long elapsedMillis = (System.nanoTime() - t0) / 1_000_000;
            assertArrayEquals(sent, back);
            assertTrue(elapsedMillis >= 200, "came back after " + elapsedMillis + " ms, under one round trip");
            assertEquals(sent.length, proxy.bytesForward());
        }
    }

    @Test
    void aCutResetsTheConnection() throws Exception {
        try (DelayingProxy proxy = new DelayingProxy(echoAddress(), Duration.ZERO);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            s.getOutputStream().write('x');
            assertEquals('x', s.getInputStream().read());
            proxy.cut();
            s.setSoTimeout(5_000);
            assertThrows(IOException.class, () -> {
                s.getOutputStream().write('y');
                if (s.getInputStream().read() < 0) {
                    throw new IOException("closed");
                }
            });
        }
    }

    @Test
    void aFrozenPathHoldsBytesUntilThawed() throws Exception {
        try (DelayingProxy proxy = new DelayingProxy(echoAddress(), Duration.ZERO);
             Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            InputStream in = s.getInputStream();
            proxy.freeze(true);
            s.getOutputStream().write('z');
            s.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, in::read);
            proxy.freeze(false);
            s.setSoTimeout(5_000);
            assertEquals('z', in.read());
        }
    }
}
