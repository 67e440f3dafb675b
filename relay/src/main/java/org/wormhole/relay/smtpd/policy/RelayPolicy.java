package org.wormhole.relay.smtpd.policy;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Who may relay where, and which recipient addresses are acceptable at all: Postfix's
 * {@code permit_mynetworks, reject_unauth_destination} with its address checks in front.
 *
 * <p>For each RCPT TO, in this order:
 * <ol>
 *   <li>Syntax, for every client. A malformed address gets {@code 553 5.1.3 <rcpt>: reason}:
 *       empty or missing domain, empty domain label, bad characters, quoted local part holding
 *       {@code @}, bad address literal, longer than 254 octets in all or 64 in the local part,
 *       no {@code @} at all. The one exception is the bare {@code postmaster} (any case), which
 *       RFC 5321 requires accepting: it is accepted from every client, for the caller to route.</li>
 *   <li>Routing tricks that hide a second destination in the address: the percent hack
 *       ({@code user%other@host}), bang paths ({@code host!user}, {@code user!x@host}) and source
 *       routes ({@code @a,@b:user@c}). From a client outside mynetworks they get Postfix's
 *       {@code 554 5.7.1 <rcpt>: Relay access denied}, which tells a prober nothing. From a client
 *       in mynetworks they are refused too, as downstream hosts may still honour them, but with
 *       {@code 553 5.1.3 <rcpt>: percent hack not supported} (or {@code bang path},
 *       {@code source route}) so that the local sender learns what to fix.</li>
 *   <li>Relay: a client in mynetworks may send to any domain and to address literals
 *       ({@code user@[192.0.2.1]}); any other client only to {@code relay_domains}, which never
 *       match an address literal. Otherwise {@code 554 5.7.1 <rcpt>: Relay access denied}.</li>
 * </ol>
 *
 * <p>Pure and immutable: no DNS, no I/O; safe to share between sessions and threads.
 */
public final class RelayPolicy {

    private static final int MAX_SHOWN = 256;

    private final List<Cidr> mynetworks;
    private final RelayDomains relayDomains;
    private final ClientCertificates clientCertificates;

    /**
     * @param mynetworks   the client networks trusted to relay anywhere (Postfix's {@code mynetworks})
     * @param relayDomains the destinations anyone may send to (Postfix's {@code relay_domains}):
     *                     {@code example.com} matches that domain, {@code .example.com} its
     *                     subdomains; case-insensitive, trailing dot ignored
     * @throws IllegalArgumentException if a relay domain is not a domain name
     */
    public RelayPolicy(List<Cidr> mynetworks, List<String> relayDomains) {
        this(mynetworks, relayDomains, ClientCertificates.NONE);
    }

    /**
     * As above; a client whose STARTTLS certificate's key is pinned in {@code clientCertificates}
     * (a classic peer) counts as authenticated ({@link #check(InetAddress, boolean, String)}).
     */
    public RelayPolicy(List<Cidr> mynetworks, List<String> relayDomains, ClientCertificates clientCertificates) {
        this.mynetworks = List.copyOf(mynetworks);
        this.relayDomains = new RelayDomains(List.copyOf(relayDomains));
        this.clientCertificates = clientCertificates;
    }

    /** The classic peers' pins, by which clients are known from their TLS certificates. */
    public ClientCertificates clientCertificates() {
        return clientCertificates;
    }

    /**
     * The verdict for one RCPT TO from a client.
     *
     * @param client    the connected client's address; an IPv4-mapped IPv6 address counts as IPv4
     * @param recipient the address as given in RCPT TO, without {@code <>} (a single enclosing
     *                  pair is tolerated and removed)
     * @return {@link RcptVerdict.Accept}, or a {@link RcptVerdict.Reject} carrying the reply to send
     */
    public RcptVerdict check(InetAddress client, String recipient) {
        return check(client, false, recipient);
    }

    /**
     * As {@link #check(InetAddress, String)}, for a client that may have authenticated (AUTH on the
     * submission listener, or a classic peer's pinned TLS client certificate): an authenticated
     * client is trusted as mynetworks is (Postfix's {@code permit_sasl_authenticated},
     * {@code permit_tls_clientcerts}), the address checks still apply.
     */
    public RcptVerdict check(InetAddress client, boolean authenticated, String recipient) {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(recipient, "recipient");
        String address = recipient.length() >= 2 && recipient.startsWith("<") && recipient.endsWith(">")
                ? recipient.substring(1, recipient.length() - 1)
                : recipient;
        String shown = shown(address);
        boolean trusted = authenticated || inMynetworks(client);
        RecipientAddress parsed = RecipientParser.parse(address);
        if (parsed instanceof RecipientAddress.Malformed malformed) {
            return new RcptVerdict.Reject(553, "5.1.3", shown + ": " + malformed.reason());
        }
        if (parsed instanceof RecipientAddress.RoutingTrick trick) {
            return trusted
                    ? new RcptVerdict.Reject(553, "5.1.3", shown + ": " + trick.trick() + " not supported")
                    : relayDenied(shown);
        }
        if (parsed instanceof RecipientAddress.Mailbox mailbox && !trusted
                && (mailbox.literal() || !relayDomains.matches(mailbox.domain()))) {
            return relayDenied(shown);
        }
        return new RcptVerdict.Accept();
    }

    /** True when {@code client} is in one of the mynetworks blocks. */
    public boolean inMynetworks(InetAddress client) {
        for (Cidr block : mynetworks) {
            if (block.contains(client)) {
                return true;
            }
        }
        return false;
    }

    private static RcptVerdict relayDenied(String shown) {
        return new RcptVerdict.Reject(554, "5.7.1", shown + ": Relay access denied");
    }

    /** {@code <address>} as it may be echoed in a reply: control characters as {@code ?}, bounded length. */
    private static String shown(String address) {
        StringBuilder sb = new StringBuilder("<");
        for (int i = 0; i < address.length() && i < MAX_SHOWN; i++) {
            char c = address.charAt(i);
            sb.append(c < ' ' || c == 127 ? '?' : c);
        }
        if (address.length() > MAX_SHOWN) {
            sb.append("...");
        }
        return sb.append('>').toString();
    }
}
