package org.wormhole.cli.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.server.SMTPServer;

/**
 * A mail server of the demo's world on loopback (a site's internal mail hub, or an outside
 * domain's MX): accepts every message and keeps its envelope and text.
 */
final class Mailbox implements AutoCloseable {

    /** One message as this server received it. */
    record Message(String from, List<String> recipients, String text) {
        /** True when a Wormhole relay handed it over the link on its way here. */
        boolean crossedTheLink() {
            return text.contains(" with WORMHOLE-LINK ");
        }
    }

    private final String name;
    private final List<Message> received = new CopyOnWriteArrayList<>();
    private final SMTPServer server;

    Mailbox(String name, String hostName) {
        this.name = name;
        this.server = SMTPServer.port(0).bindAddress(InetAddress.getLoopbackAddress()).hostName(hostName)
                .softwareName("wormhole demo").insertReceivedHeaders(false)
                .messageHandlerFactory(ctx -> new MessageHandler() {
                    private String from;
                    private final List<String> recipients = new ArrayList<>();

                    @Override
                    public void from(String f) {
                        from = f;
                    }

                    @Override
                    public void recipient(String r) {
                        recipients.add(r);
                    }

                    @Override
                    public String data(InputStream data) throws IOException {
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        data.transferTo(b);
                        received.add(new Message(from, List.copyOf(recipients), b.toString(StandardCharsets.UTF_8)));
                        return null;
                    }

                    @Override
                    public void done() {
                        // nothing held per session
                    }
                }).build();
        server.start();
    }

    /** What it is, for the demo's transcript, e.g. {@code Tokyo's mail hub}. */
    String name() {
        return name;
    }

    int port() {
        return server.getPortAllocated();
    }

    /** The first message received for {@code recipient}, if any. */
    Optional<Message> messageFor(String recipient) {
        return received.stream().filter(m -> m.recipients().contains(recipient)).findFirst();
    }

    @Override
    public String toString() {
        return name + " (127.0.0.1:" + port() + ")";
    }

    @Override
    public void close() {
        server.stop();
    }
}
