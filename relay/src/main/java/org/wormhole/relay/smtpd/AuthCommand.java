package org.wormhole.relay.smtpd;

import java.io.IOException;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.subethamail.smtp.AuthenticationHandler;
import org.subethamail.smtp.AuthenticationHandlerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.auth.EasyAuthenticationHandlerFactory;
import org.subethamail.smtp.server.Session;
import org.wormhole.relay.events.AuthenticationFailed;
import org.wormhole.relay.smtpd.auth.AuthFailures;
import org.wormhole.relay.smtpd.auth.LiveUsers;
import org.wormhole.relay.smtpd.auth.SubmissionUser;

/**
 * AUTH (RFC 4954) on the submission listener: PLAIN and LOGIN, decoded by SubEthaSMTP's
 * handlers, passwords checked against the users file; with Postfix's replies and enhanced
 * status codes, and refused before STARTTLS ({@code 530 5.7.0}). A wrong name or password gets
 * {@code 535 5.7.8}, is reported ({@link AuthenticationFailed}: the log line fail2ban reads) and
 * counted against the client's address; a client over {@code submission_auth_failure_limit} gets
 * {@code 421 4.7.0} and is disconnected. On any other listener AUTH is not enabled (503 5.5.1).
 */
final class AuthCommand extends SmtpCommand {

    static final List<String> MECHANISMS = List.of("PLAIN", "LOGIN");

    private final IngressContext ctx;
    private final AuthenticationHandlerFactory handlers;

    AuthCommand(IngressContext ctx) {
        super("AUTH", "AUTH mechanism [initial-response]");
        this.ctx = ctx;
        this.handlers = ctx.submission().map(sub -> new EasyAuthenticationHandlerFactory(sub.users())).orElse(null);
    }

    @Override
    void run(String args, Session s) throws IOException, DropConnectionException {
        Optional<Submission> submission = ctx.submission();
        if (submission.isEmpty()) {
            s.sendResponse("503 5.5.1 Error: authentication not enabled");
            return;
        }
        if (!s.isTLSStarted()) {
            s.sendResponse("530 5.7.0 Must issue a STARTTLS command first");
            return;
        }
        if (s.getHelo().isEmpty()) {
            s.sendResponse("503 5.5.1 Error: send HELO/EHLO first");
            return;
        }
        if (s.isAuthenticated()) {
            s.sendResponse("503 5.5.1 Error: already authenticated");
            return;
        }
        if (s.isMailTransactionInProgress()) {
            s.sendResponse("503 5.5.1 Error: MAIL transaction in progress");
            return;
        }
        AuthFailures failures = submission.get().failures();
        InetAddress address = SessionInfo.clientAddress(s);
        if (failures.blocked(address)) {
            throw new DropConnectionException(421, tooMany(address));
        }
        String[] a = args.split(" ", -1);
        if (args.isEmpty() || a.length > 2) {
            s.sendResponse("501 5.5.4 Syntax: AUTH mechanism [initial-response]");
            return;
        }
        String mechanism = a[0].toUpperCase(Locale.ROOT);
        if (!MECHANISMS.contains(mechanism)) {
            s.sendResponse("504 5.5.4 Unsupported authentication mechanism");
            return;
        }
        AuthenticationHandler handler = handlers.create();
        try {
            Optional<String> challenge = handler.auth("AUTH " + mechanism + (a.length == 2 ? " " + a[1] : ""), s);
            while (challenge.isPresent()) {
                // SubEthaSMTP's PLAIN asks with "334 Ok": RFC 4954 wants an empty challenge.
                s.sendResponse(challenge.get().equals("334 Ok") ? "334 " : challenge.get());
                String response = s.getReader().readLine();
                if (response == null) {
                    ctx.sessions().lost(s);
                    return;
                }
                if (response.strip().equals("*")) {
                    s.sendResponse("501 5.7.0 Authentication aborted");
                    return;
                }
                challenge = handler.auth(response, s);
            }
        } catch (RejectException e) {
            if (e.getCode() == 535) {
                failed(s, failures, address, mechanism, handler);
            } else {
                s.sendResponse("501 5.5.2 Cannot decode response");
            }
            return;
        } catch (LiveUsers.Unavailable e) {
            s.sendResponse("454 4.7.0 Temporary authentication failure");
            return;
        } catch (RuntimeException e) { // SubEthaSMTP's decoders on an empty or truncated response
            s.sendResponse("501 5.5.2 Cannot decode response");
            return;
        }
        Optional<SubmissionUser> user;
        try {
            user = submission.get().users().user(String.valueOf(handler.getIdentity()));
        } catch (LiveUsers.Unavailable e) {
            s.sendResponse("454 4.7.0 Temporary authentication failure");
            return;
        }
        if (user.isEmpty()) { // removed from the file in the meantime
            failed(s, failures, address, mechanism, handler);
            return;
        }
        ctx.sessions().loggedIn(s, new Login(mechanism, user.get()));
        s.setAuthenticationHandler(handler);
        s.sendResponse("235 2.7.0 Authentication successful");
    }

    private void failed(Session s, AuthFailures failures, InetAddress address, String mechanism,
                        AuthenticationHandler handler) throws IOException, DropConnectionException {
        int count = failures.failed(address);
        int limit = failures.settings().limit();
        Object identity = handler.getIdentity();
        ctx.events().authenticationFailed(new AuthenticationFailed(ctx.sessions().client(s), mechanism,
                identity == null ? "" : identity.toString(), count, limit > 0 && count == limit,
                failures.settings().window()));
        s.sendResponse("535 5.7.8 Error: authentication failed: authentication failure");
    }

    private static String tooMany(InetAddress address) {
        return "4.7.0 Error: too many failed authentications from " + address.getHostAddress() + "; try again later";
    }
}
