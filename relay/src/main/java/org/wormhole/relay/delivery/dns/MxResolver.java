package org.wormhole.relay.delivery.dns;

import java.util.List;

/**
 * Finds the hosts that accept mail for a domain: the delivery agent's one question to DNS.
 * Implementations are thread-safe.
 */
public interface MxResolver {

    /**
     * The mail exchangers of {@code domain}, in the order to try them: by preference, equal
     * preferences in random order (RFC 5321 5.1). Every exchanger returned has at least one address;
     * exchangers without one are left out.
     *
     * @param domain a domain name, ASCII or internationalized, with or without the final dot
     * @return at least one exchanger
     * @throws DnsTemporaryFailure DNS did not answer (timeout, SERVFAIL): defer
     * @throws DnsPermanentFailure the domain does not exist, accepts no mail (null MX) or has no
     *                             reachable host: bounce
     */
    List<MailExchanger> resolve(String domain) throws DnsTemporaryFailure, DnsPermanentFailure;
}
