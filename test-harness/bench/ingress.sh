#!/usr/bin/env bash
# Ingress alone, Wormhole against Postfix in the same run (issue 10 item 5): Postfix's smtp-source
# pushes N messages of SIZE bytes over C sessions (a new connection per message) into one relay,
# which relays them to smtp-sink (relay-vs-postfix.sh does one measurement). Per round: Wormhole
# freshly started (cold JVM), Wormhole again in the same process (warm JVM), Postfix (its
# processes are C: cold and warm are the same; it is run twice too, the second after its first).
# Prints accepted msg/s and end-to-end msg/s of each, and the ratios Wormhole / Postfix.
#
#   sudo test-harness/bench/ingress.sh                  # N=5000 C=10 SIZE=10240 ROUNDS=3 WORK=/tmp/ingress-run
#
# Needs root (a Postfix instance of its own, postfix-ing, made with postmulti) and Debian's
# postfix package (smtp-source, smtp-sink). Both relays spool on the same file system (WORK) and
# both look up the client's name (Postfix's default smtpd_peername_lookup; 127.0.0.1 is in /etc/hosts).
set -euo pipefail
N=${N:-5000}; C=${C:-10}; SIZE=${SIZE:-10240}; ROUNDS=${ROUNDS:-3}; WORK=${WORK:-/tmp/ingress-run}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
ONE=$REPO/test-harness/bench/relay-vs-postfix.sh
SINK=26002
die() { echo "ingress.sh: $*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "needs root (a Postfix instance of its own)"
command -v smtp-source >/dev/null && command -v postmulti >/dev/null || die "smtp-source or postmulti missing (Debian package postfix)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
W_PORT=$(free_port); P_PORT=$(free_port)
rm -rf "$WORK"; mkdir -p "$WORK"

# Postfix: the same settings as two-sites.sh's instances, relaying sink.example to the sink.
PF=/etc/postfix-ing
postmulti -l 2>/dev/null | grep -q '^postfix-ing ' || { postmulti -e init; postmulti -I postfix-ing -e create; }
postconf -c $PF -e "master_service_disable =" "inet_protocols = ipv4" "inet_interfaces = 127.0.0.1" \
    "mynetworks = 127.0.0.0/8" "mydestination =" "local_recipient_maps =" "alias_maps =" "alias_database =" \
    "smtp_dns_support_level = disabled" "smtp_host_lookup = native" \
    "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" "relayhost =" \
    "transport_maps = texthash:$PF/transport" "myhostname = relay-ing.ingress.example" "mydomain = ingress.example" \
    "maillog_file = /var/log/postfix-ing.log" "biff = no" "compatibility_level = 3.7"
postconf -c $PF -F -e '*/*/chroot = n'
for s in $(postconf -c $PF -M | awk '$2 == "inet" {print $1 "/inet"}'); do postconf -c $PF -MX "$s"; done
postconf -c $PF -M -e "127.0.0.1:$P_PORT/inet = 127.0.0.1:$P_PORT inet n - n - - smtpd"
echo "sink.example  smtp:[127.0.0.1]:$SINK" > $PF/transport
postfix -c $PF stop >/dev/null 2>&1 || true
postsuper -c $PF -d ALL >/dev/null 2>&1 || true
postfix -c $PF start >/dev/null 2>&1

# Wormhole: one relay, the same route.
cat > "$WORK/wormhole.conf" <<EOF
myhostname = relay.ingress.example
listen = "127.0.0.1:$W_PORT"
smtpd_pregreet_wait = 0s
queue_directory = "$WORK/spool"
mailertable = "$WORK/mailertable"
link_key_directory = "$WORK/keys"
shutdown_timeout = 5s
EOF
echo "sink.example  esmtp:[127.0.0.1]:$SINK" > "$WORK/mailertable"
WPID=""
stop_wormhole() { [[ -n $WPID ]] && { kill "$WPID" 2>/dev/null; wait "$WPID" 2>/dev/null || true; }; WPID=""; }
cleanup() { stop_wormhole; postfix -c $PF stop >/dev/null 2>&1 || true; }
trap cleanup EXIT
start_wormhole() {
    rm -rf "$WORK/spool"; : > "$WORK/wormhole.log"
    setsid "$REPO/relay/bin/wormhole" run --config "$WORK/wormhole.conf" 2>>"$WORK/wormhole.log" &
    WPID=$!
    for _ in $(seq 600); do grep -q "running: SMTP on" "$WORK/wormhole.log" && return; sleep 0.1; done
    die "wormhole did not start: $WORK/wormhole.log"
}
measure() {   # $1 = label, $2 = port: one line "label accepted e2e"
    local out; out=$("$ONE" "$2" "$N" "$C" "$SIZE")
    echo "$1 $(sed -n 's/^accepted: .* = \([0-9]*\) msg\/s/\1/p' <<<"$out") $(sed -n 's/.* = \([0-9]*\) msg\/s end to end/\1/p' <<<"$out")"
}

"$REPO/relay/bin/wormhole" --version >/dev/null   # builds the jar once, outside the measurement
echo "ingress: N=$N C=$C SIZE=$SIZE ROUNDS=$ROUNDS cores=$(nproc) postfix=$(postconf -h mail_version) load=$(cut -d' ' -f1-3 /proc/loadavg)"
RES=$WORK/results; : > "$RES"
for r in $(seq "$ROUNDS"); do
    start_wormhole
    measure wormhole-cold "$W_PORT" >> "$RES"
    measure wormhole-warm "$W_PORT" >> "$RES"
    stop_wormhole
    measure postfix-1 "$P_PORT" >> "$RES"
    measure postfix-2 "$P_PORT" >> "$RES"
    echo "  round $r: $(tail -n 4 "$RES" | tr '\n' ' ') load=$(cut -d' ' -f1 /proc/loadavg)"
done
python3 - "$RES" <<'EOF'
import sys, statistics as st
rows = {}
for line in open(sys.argv[1]):
    k, a, e = line.split()
    rows.setdefault(k, []).append((float(a), float(e)))
med = lambda k, i: st.median(v[i] for v in rows[k])
pf_a = st.median([v[0] for k in ("postfix-1", "postfix-2") for v in rows[k]])
pf_e = st.median([v[1] for k in ("postfix-1", "postfix-2") for v in rows[k]])
print("| run | accepted msg/s (median) | end to end msg/s | accepted / Postfix |")
print("|---|--:|--:|--:|")
for k in ("wormhole-cold", "wormhole-warm", "postfix-1", "postfix-2"):
    print(f"| {k} | {med(k,0):.0f} | {med(k,1):.0f} | {med(k,0)/pf_a:.2f} |")
EOF
