package org.wormhole.relay.delivery.dns;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * An authoritative DNS server for a made-up zone, over UDP on 127.0.0.1, port 0: the outside world
 * of {@link DnsjavaMxResolver}. Names not in the zone are NXDOMAIN; a name that has records, but
 * none of the type asked, gets an empty NOERROR answer (NODATA). Names can be made to SERVFAIL or
 * to get no answer at all. Thread-safe; the zone can change while it runs.
 */
final class FakeDnsServer implements AutoCloseable {

    private static final long TTL = 60;

    private final DatagramSocket socket;
    private final Thread thread;
    private final Map<Name, List<Record>> zone = new ConcurrentHashMap<>();
    private final Set<Name> servfail = ConcurrentHashMap.newKeySet();
    private final Set<Name> silent = ConcurrentHashMap.newKeySet();
    private final List<String> queries = new CopyOnWriteArrayList<>();

    private FakeDnsServer() throws IOException {
        socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        thread = new Thread(this::serve, "fake-dns");
        thread.setDaemon(true);
        thread.start();
    }

    static FakeDnsServer start() throws IOException {
        return new FakeDnsServer();
    }

    /** A resolver that asks only this server. */
    SimpleResolver resolver(Duration timeout) {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(socket.getLocalAddress(), socket.getLocalPort()));
        r.setTimeout(timeout);
        return r;
    }

    FakeDnsServer mx(String domain, int preference, String host) throws IOException {
        return add(new MXRecord(name(domain), DClass.IN, TTL, preference, name(host)));
    }

    FakeDnsServer a(String host, String address) throws IOException {
        return add(new ARecord(name(host), DClass.IN, TTL, InetAddress.getByName(address)));
    }

    FakeDnsServer aaaa(String host, String address) throws IOException {
        return add(new AAAARecord(name(host), DClass.IN, TTL, InetAddress.getByName(address)));
    }

    /** A record that makes the name exist without MX or address records. */
    FakeDnsServer txt(String name, String text) throws IOException {
        return add(new TXTRecord(name(name), DClass.IN, TTL, text));
    }

    /** Every question about this name gets SERVFAIL. */
    FakeDnsServer servfail(String name) throws IOException {
        servfail.add(name(name));
        return this;
    }

    /** Questions about this name are never answered (the resolver times out). */
    FakeDnsServer silent(String name) throws IOException {
        silent.add(name(name));
        return this;
    }

    /** The questions received, as {@code name/TYPE}. */
    List<String> queries() {
        return List.copyOf(queries);
    }

    @Override
    public void close() {
        socket.close();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private FakeDnsServer add(Record r) {
        zone.computeIfAbsent(r.getName(), n -> new CopyOnWriteArrayList<>()).add(r);
        return this;
    }

    private void serve() {
        byte[] buffer = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                Message query = new Message(java.util.Arrays.copyOf(packet.getData(), packet.getLength()));
                Message answer = answer(query);
                if (answer != null) {
                    byte[] wire = answer.toWire(512);
                    socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
                }
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    System.err.println("fake-dns: " + e);
                }
            }
        }
    }

    private Message answer(Message query) throws IOException {
        Record question = query.getQuestion();
        Name name = question.getName();
        queries.add(name + "/" + Type.string(question.getType()));
        if (silent.contains(name)) {
            return null;
        }
        Message answer = new Message(query.getHeader().getID());
        answer.getHeader().setFlag(Flags.QR);
        answer.getHeader().setFlag(Flags.AA);
        if (query.getHeader().getFlag(Flags.RD)) {
            answer.getHeader().setFlag(Flags.RD);
            answer.getHeader().setFlag(Flags.RA);
        }
        answer.addRecord(question, Section.QUESTION);
        if (servfail.contains(name)) {
            answer.getHeader().setRcode(Rcode.SERVFAIL);
            return answer;
        }
        List<Record> records = zone.get(name);
        if (records == null) {
            answer.getHeader().setRcode(Rcode.NXDOMAIN);
            answer.addRecord(soa(), Section.AUTHORITY);
            return answer;
        }
        List<Record> matching = new ArrayList<>();
        for (Record r : records) {
            if (r.getType() == question.getType()) {
                matching.add(r);
            }
        }
        if (matching.isEmpty()) {
            answer.addRecord(soa(), Section.AUTHORITY);
        }
        for (Record r : matching) {
            answer.addRecord(r, Section.ANSWER);
        }
        return answer;
    }

    private static SOARecord soa() throws IOException {
        return new SOARecord(Name.root, DClass.IN, TTL, name("ns.example"), name("hostmaster.example"), 1, 3600, 600, 86400, TTL);
    }

    private static Name name(String s) throws IOException {
        return Name.fromString(s.endsWith(".") ? s : s + ".");
    }
}
