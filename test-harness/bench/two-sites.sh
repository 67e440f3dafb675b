#!/usr/bin/env bash
# two-sites.sh -- the two-site path, measured: mail from Tokyo's ingress over the link to
# Birlinghoven's hub, at loopback latency and with a WAN round-trip time added, side by side with
# the classic set-up (Postfix + stunnel, as in ../shared/bench/classic/run-classic.sh from the project
# root, i.e. beside the main checkout).
#
#   wormhole: smtp-source -> Tokyo relay (wormhole run) == link (TLS 1.3) ==> Birlinghoven relay
#             (wormhole run) -> smtp-sink
#   classic:  smtp-source -> Postfix A (transport: birlinghoven.example -> smtp:[127.0.0.1]:ST_A)
#             -> stunnel client :ST_A == TLS ==> stunnel server :ST_B -> Postfix B -> smtp-sink
#             (the "relay2" path of run-classic.sh, same Postfix settings; free ports per run)
#
# Load: Postfix's smtp-source, SIZE-byte messages, a new connection per message, -s CONC
# sessions, into the near site; counted by smtp-sink behind the far site. End-to-end msg/s is
# counted as run-classic.sh's measure.py counts it: N / (time from starting smtp-source until the
# sink has counted all N). Then the bulk run: BULK_N messages of BULK_SIZE bytes, MB/s end to end.
# Latency (first, after the warm-up): LAT_N lone messages of SIZE bytes, one at a time, each sent
# by two_sites_measure.py's own SMTP client once the previous one arrived and both queues are
# empty; latency = its arrival at the sink (smtp-sink's counter, timestamped as the sink writes it)
# minus the end of its DATA at the near site; median, p90 and max against the target RTT + 20 ms.
# Each RTT starts fresh relays; the JVMs are warmed first by WARM_N unmeasured messages through
# the whole path (the classic path, which has no JIT to warm, gets a sanity run of 100).
#
# The WAN (this kernel has no sch_netem, so no `tc netem`):
#   MODE=proxy  (default; no root needed for the wormhole path) the link, and the classic path's
#               stunnel-to-stunnel connection, go through DelayingProxy (test-harness), which holds
#               each direction's bytes for RTT/2. It acknowledges at once on both sides, so TCP's
#               own window never sees the delay: it delays, it does not limit a single connection.
#   MODE=netns  (root) as run-classic.sh: Tokyo (and Postfix A, stunnel A, smtp-source) in network
#               namespace siteA, Birlinghoven (Postfix B, stunnel B, the sink) in siteB, joined by
#               a veth pair 10.77.0.1 <-> 10.77.0.2, every packet entering a namespace held for
#               RTT/2 by nfq-delay (NFQUEUE), compiled from ../shared/bench/classic/nfq-delay.c of
#               the project root (NFQ_DELAY_SRC) into the work directory. Real TCP over a real delay.
#               Needs iproute2, iptables (iptables-legacy), iputils-ping, gcc, libnetfilter-queue-dev.
#   RTT 0 runs on 127.0.0.1 in the root namespace, without proxy, in both modes (as run-classic.sh).
#
# Usage: test-harness/bench/two-sites.sh          (results: $WORK/results/<stamp>/table.txt)
# Knobs (environment):
#   MODE=proxy|netns       RTTS="0 100 250" (ms)    CONCS="10 50" (smtp-source -s; "": no msg/s runs)
#   N=                     messages per run (default: N0=10000 at RTT 0, NRTT_MS/RTT otherwise,
#   N0=10000 NRTT_MS=200000   i.e. 2000 at 100 ms and 800 at 250 ms, as run-classic.sh)
#   SIZE=10240             payload bytes per message (smtp-source -l)
#   REPS=2                 repetitions of every measurement
#   PATHS="wormhole"       add "classic" for the Postfix + stunnel pair (root, postfix, stunnel4;
#                          creates Postfix instances postfix-tsa/postfix-tsb with postmulti, as
#                          run-classic.sh does, and configures them for this path)
#   BULK=1 BULK_N=20 BULK_SIZE=10000000 BULK_CONC=20   the bulk run (0: none)
#   LAT=1 LAT_N=20 LAT_GAP_S=0.5   the latency of lone messages (0: none), rest before each
#   bulk only, quickly:    CONCS="" LAT=0 WARM_N=200 (WARM_N=0: no warm-up, cold JVMs: 10x slower bulk)
#   WARM_N=1000            warm-up messages (s=50) per RTT through the wormhole path, not measured
#   LANES=                 link_lanes of both relays (empty: the relay's default, 4): TCP
#                          connections of the link (PROTOCOL.md "Lanes")
#   EXTRA_CONF=            more wormhole.conf lines for both relays, e.g. "message_size_limit = 2G"
#   TSMTP_CONC=            Tokyo's tsmtp_destination_concurrency_limit (empty: the relay's
#                          default, 256): messages in flight over the link at once
#   NS_TCP_WMEM=           MODE=netns: net.ipv4.tcp_wmem inside both namespaces, e.g.
#                          "4096 16384 16777216" (one TCP connection's send buffer bounds its
#                          bytes in flight, so its throughput is at most that max / RTT)
#   NS_SYSCTL=             MODE=netns: more sysctls inside both namespaces, space-separated KEY=VALUE,
#                          e.g. "net.ipv4.tcp_slow_start_after_idle=0"
#   JAVA_OPTS=             WORMHOLE_JAVA_OPTS for both relays
#   WORK=/tmp/two-sites-bench   MAX_RUN_S=600 STALL_S=60 (bounds of every run)
# Cleans up (processes, namespaces, Postfix instances stopped) on exit, error or Ctrl-C.
set -uo pipefail

BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/../.." && pwd)
MODE=${MODE:-proxy}
RTTS=${RTTS:-"0 100 250"}
CONCS=${CONCS-"10 50"}   # set but empty: no msg/s runs
N=${N:-}
N0=${N0:-10000}
NRTT_MS=${NRTT_MS:-200000}
SIZE=${SIZE:-10240}
REPS=${REPS:-2}
PATHS=${PATHS:-wormhole}
BULK=${BULK:-1}
BULK_N=${BULK_N:-20}
BULK_SIZE=${BULK_SIZE:-10000000}
BULK_CONC=${BULK_CONC:-20}
WARM_N=${WARM_N:-1000}
LAT=${LAT:-1}
LAT_N=${LAT_N:-20}
LAT_GAP_S=${LAT_GAP_S:-0.5}
TSMTP_CONC=${TSMTP_CONC:-}
LANES=${LANES:-}
EXTRA_CONF=${EXTRA_CONF:-}
JAVA_OPTS=${JAVA_OPTS:-}
WORK=${WORK:-/tmp/two-sites-bench}
MAX_RUN_S=${MAX_RUN_S:-600}
STALL_S=${STALL_S:-60}
# ../shared/bench/classic from the project root: the main checkout's parent (also from a git worktree)
PROJECT_ROOT=$(cd "$REPO" && cd "$(git rev-parse --git-common-dir 2>/dev/null || echo .git)/.." 2>/dev/null && pwd || echo "$REPO")
NFQ_DELAY_SRC=${NFQ_DELAY_SRC:-$PROJECT_ROOT/../shared/bench/classic/nfq-delay.c}
NS_TCP_WMEM=${NS_TCP_WMEM:-}
NS_SYSCTL=${NS_SYSCTL:-}

RUN=$WORK/run
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RES=$WORK/results/$STAMP
mkdir -p "$RUN" "$RES"
exec > >(tee -a "$RES/run.log") 2>&1
PY=python3
MEASURE=$BENCH/two_sites_measure.py
WORMHOLE=$REPO/relay/bin/wormhole
BENCH_JAR=$REPO/test-harness/target/benchmarks.jar
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "$*"; exit 1; }

case $MODE in proxy|netns) ;; *) die "MODE must be proxy or netns, not $MODE" ;; esac
[[ $MODE == netns && $(id -u) != 0 ]] && die "MODE=netns needs root (ip netns, iptables)"
[[ " $PATHS " == *" classic "* && $(id -u) != 0 ]] && die "PATHS with classic needs root (Postfix instances)"
for tool in smtp-source smtp-sink; do command -v $tool >/dev/null || die "$tool missing (Debian package postfix)"; done
if [[ $MODE == netns ]]; then   # before anything is built or started: what a fresh machine lacks
    for t in "ip:iproute2" "iptables-legacy:iptables" "ping:iputils-ping" "gcc:gcc" "chrt:util-linux"; do
        command -v "${t%%:*}" >/dev/null || die "${t%%:*} missing (Debian package ${t#*:})"
    done
    [[ -f /usr/include/libnetfilter_queue/libnetfilter_queue.h ]] || die "libnetfilter_queue.h missing (Debian package libnetfilter-queue-dev)"
    [[ -f $NFQ_DELAY_SRC ]] || die "$NFQ_DELAY_SRC missing (NFQ_DELAY_SRC)"
fi
[[ " $PATHS " == *" classic "* ]] && { command -v stunnel >/dev/null && command -v postmulti >/dev/null \
    || die "stunnel or postmulti missing (Debian packages stunnel4, postfix)"; }

# ---------------------------------------------------------------- build, keys, tools
prepare() {
    log "building the relay (if stale) and the benchmarks jar (if missing)"
    "$WORMHOLE" --version >/dev/null || die "wormhole does not build"
    if [[ $MODE == proxy && ! -f $BENCH_JAR ]]; then
        (cd "$REPO" && { mvn -B -q -o -DskipTests -pl test-harness -am package || mvn -B -q -DskipTests -pl test-harness -am package; }) \
            || die "benchmarks.jar does not build"
    fi
    for site in tokyo birlinghoven; do
        if [[ ! -s $RUN/$site/keys/site.crt ]]; then
            mkdir -p "$RUN/$site"
            "$WORMHOLE" keygen --dir "$RUN/$site/keys" --name "$site" >/dev/null 2>&1 || die "keygen $site failed"
        fi
    done
    TOKYO_PIN=$("$WORMHOLE" fingerprint "$RUN/tokyo/keys/site.crt") || die "fingerprint failed"
    BIRL_PIN=$("$WORMHOLE" fingerprint "$RUN/birlinghoven/keys/site.crt") || die "fingerprint failed"
    if [[ $MODE == netns ]]; then
        command -v iptables-legacy >/dev/null || die "iptables-legacy missing (Debian package iptables)"
        [[ -f $NFQ_DELAY_SRC ]] || die "$NFQ_DELAY_SRC missing (NFQ_DELAY_SRC)"
        gcc -O2 -Wall -o "$RUN/nfq-delay" "$NFQ_DELAY_SRC" -lnetfilter_queue -lnfnetlink \
            || die "nfq-delay does not build (Debian package libnetfilter-queue-dev)"
    fi
    if [[ " $PATHS " == *" classic "* ]]; then
        command -v stunnel >/dev/null || die "stunnel missing (Debian package stunnel4)"
        make_certs
        configure_postfix
    fi
}

make_certs() {   # a private CA and RSA-2048 certificates for the two stunnel ends, as run-classic.sh
    local c=$RUN/certs
    [[ -s $c/a.crt && -s $c/b.crt ]] && return
    mkdir -p "$c"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=two-sites test CA" \
        -keyout "$c/ca.key" -out "$c/ca.crt" 2>/dev/null
    for s in a b; do
        openssl req -newkey rsa:2048 -nodes -subj "/CN=relay-$s.$s.example" -keyout "$c/$s.key" -out "$c/$s.csr" 2>/dev/null
        printf 'subjectAltName=DNS:relay-%s.%s.example\n' $s $s > "$c/$s.ext"
        openssl x509 -req -in "$c/$s.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial \
            -days 3650 -extfile "$c/$s.ext" -out "$c/$s.crt" 2>/dev/null
    done
    chmod 600 "$c"/*.key
}

# The same Postfix settings as run-classic.sh (pf_common), for the path of this script only.
pf_common() {
    local d=$1
    postconf -c "$d" -e \
        "master_service_disable =" "inet_protocols = ipv4" "inet_interfaces = 127.0.0.1" \
        "mynetworks = 127.0.0.0/8" "mydestination =" "local_recipient_maps =" \
        "alias_maps =" "alias_database =" "smtpd_peername_lookup = no" \
        "smtp_dns_support_level = disabled" "smtp_host_lookup = native" \
        "smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination" \
        "default_transport = smtp" "relay_transport = relay" "transport_maps = texthash:$d/transport" \
        "biff = no" "compatibility_level = 3.7"
    postconf -c "$d" -MX smtp/inet 2>/dev/null || true
    postconf -c "$d" -F -e '*/*/chroot = n'
}

configure_postfix() {
    postmulti -l 2>/dev/null | grep -q '^postfix-tsa ' || {
        postmulti -e init
        postmulti -I postfix-tsa -e create
        postmulti -I postfix-tsb -e create
    }
    pf_common /etc/postfix-tsa
    postconf -c /etc/postfix-tsa -e "myhostname = relay-a.a.example" "mydomain = a.example" "myorigin = a.example" \
        "relayhost =" "maillog_file = /var/log/postfix-tsa.log"
    pf_common /etc/postfix-tsb
    postconf -c /etc/postfix-tsb -e "myhostname = relay-b.b.example" "mydomain = b.example" "myorigin = b.example" \
        "relay_domains = birlinghoven.example" "relayhost =" "maillog_file = /var/log/postfix-tsb.log"
    for i in a b; do
        postfix -c /etc/postfix-ts$i stop >/dev/null 2>&1 || true
        postsuper -c /etc/postfix-ts$i -d ALL >/dev/null 2>&1 || true
    done
}

pf_ports() {   # the instances' smtpd ports and routes for this RTT (free ports, chosen per RTT)
    local d s
    for d in /etc/postfix-tsa /etc/postfix-tsb; do
        for s in $(postconf -c "$d" -M | awk '$2 == "inet" && $1 ~ /^127\.0\.0\.1:/ {print $1 "/inet"}'); do
            postconf -c "$d" -MX "$s"
        done
    done
    postconf -c /etc/postfix-tsa -M -e "127.0.0.1:$PF_A/inet = 127.0.0.1:$PF_A inet n - n - - smtpd"
    postconf -c /etc/postfix-tsb -M -e "127.0.0.1:$PF_B/inet = 127.0.0.1:$PF_B inet n - n - - smtpd"
    printf '%s\n' "birlinghoven.example  smtp:[127.0.0.1]:$ST_A" > /etc/postfix-tsa/transport
    printf '%s\n' "birlinghoven.example  smtp:[127.0.0.1]:$SINK" > /etc/postfix-tsb/transport
}

# ---------------------------------------------------------------- topology
NSA=""; NSB=""; NS_A_NAME=""; B_ADDR=127.0.0.1; A_ADDR=127.0.0.1
DELAY_PIDS=()

topo_up() {   # $1 = RTT ms
    local rtt=$1
    NSA=""; NSB=""; NS_A_NAME=""; B_ADDR=127.0.0.1; A_ADDR=127.0.0.1
    [[ $MODE == netns && $rtt != 0 ]] || return 0
    topo_down
    log "namespaces siteA/siteB, veth, ${rtt} ms RTT (each ingress delayed $((rtt / 2)) ms by nfq-delay)"
    ip netns add siteA && ip netns add siteB || return 1
    ip link add vA netns siteA type veth peer name vB netns siteB
    ip -n siteA addr add 10.77.0.1/30 dev vA
    ip -n siteB addr add 10.77.0.2/30 dev vB
    for n in siteA siteB; do ip -n $n link set lo up; done
    if [[ -n $NS_TCP_WMEM ]]; then   # per namespace: the host's own setting is untouched
        for n in siteA siteB; do ip netns exec $n sysctl -q -w net.ipv4.tcp_wmem="$NS_TCP_WMEM" || return 1; done
    fi
    local kv
    for kv in $NS_SYSCTL; do
        for n in siteA siteB; do ip netns exec $n sysctl -q -w "$kv" || return 1; done
    done
    ip -n siteA link set vA up; ip -n siteB link set vB up
    local half; half=$($PY -c "print($rtt/2)")
    # SCHED_FIFO as in run-classic.sh: the delay stands in for netem, which runs in the kernel
    ip netns exec siteA chrt -f 50 "$RUN/nfq-delay" 1 "$half" $((MAX_RUN_S * 20)) 2>>"$RES/nfq-delay.log" & DELAY_PIDS+=($!)
    ip netns exec siteB chrt -f 50 "$RUN/nfq-delay" 2 "$half" $((MAX_RUN_S * 20)) 2>>"$RES/nfq-delay.log" & DELAY_PIDS+=($!)
    sleep 0.3
    ip netns exec siteA iptables-legacy -t mangle -A PREROUTING -i vA -j NFQUEUE --queue-num 1 || return 1
    ip netns exec siteB iptables-legacy -t mangle -A PREROUTING -i vB -j NFQUEUE --queue-num 2 || return 1
    NSA="ip netns exec siteA"; NSB="ip netns exec siteB"; NS_A_NAME=siteA; B_ADDR=10.77.0.2; A_ADDR=10.77.0.1
    ip netns exec siteA ping -U -c 5 -i 0.2 -q 10.77.0.2 | tail -1 | sed 's/^/  ping siteA->siteB: /' >&2
}

topo_down() {
    local p
    for p in "${DELAY_PIDS[@]:-}"; do [[ -n $p ]] && kill "$p" 2>/dev/null; done
    for p in "${DELAY_PIDS[@]:-}"; do [[ -n $p ]] && wait "$p" 2>/dev/null; done
    DELAY_PIDS=()
    if [[ $MODE == netns ]]; then   # removing a namespace removes its veth end and iptables rules
        ip netns list 2>/dev/null | grep -q '^siteA' && ip netns del siteA
        ip netns list 2>/dev/null | grep -q '^siteB' && ip netns del siteB
    fi
    return 0
}

# ---------------------------------------------------------------- services
SVC_PIDS=()     # everything started per RTT, stopped by services_down
POSTFIX_UP=0

wait_port() {   # $1 = ns prefix (may be empty), $2 = address, $3 = port
    local i
    for i in $(seq 1 300); do
        $1 ss -Hltn "sport = :$3" 2>/dev/null | grep -q LISTEN && return 0
        sleep 0.1
    done
    log "nothing listens on $2:$3"; return 1
}

wait_file() {   # $1 = file
    local i
    for i in $(seq 1 300); do [[ -e $1 ]] && return 0; sleep 0.1; done
    log "no $1 within 30 s"; return 1
}

wait_log() {    # $1 = file, $2 = text, $3 = seconds
    local i
    for i in $(seq 1 $(($3 * 10))); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    log "no \"$2\" in $1 within $3 s"; return 1
}

proxy_start() {   # $1 = listen port, $2 = target host, $3 = target port, $4 = RTT, $5 = name
    java -cp "$BENCH_JAR" org.wormhole.bench.DelayingProxy "$1" "$2" "$3" "$4" > "$RES/proxy-$5.log" 2>&1 &
    SVC_PIDS+=($!); echo $! > "$RUN/proxy-$5.pid"
    wait_port "" 127.0.0.1 "$1"
}

relay_conf() {   # $1 = site; writes $RUN/$1/wormhole.conf and mailertable
    local site=$1 d=$RUN/$1
    mkdir -p "$d"
    rm -rf "$d/spool"
    {
        echo "myhostname = relay.$site.example"
        echo "listen = \"127.0.0.1:$([[ $site == tokyo ]] && echo "$T_SMTP" || echo "$B_SMTP")\""
        echo "smtpd_pregreet_wait = 0s    # smtp-source greets at once; Postfix's smtpd has no such wait either"
        echo "queue_directory = \"$d/spool\""
        echo "mailertable = \"$d/mailertable\""
        echo "link_key_directory = \"$d/keys\""
        echo "shutdown_timeout = 5s"
        [[ -n $LANES ]] && echo "link_lanes = $LANES"
        [[ -n $EXTRA_CONF ]] && printf '%b\n' "$EXTRA_CONF"
        if [[ $site == tokyo ]]; then
            [[ -n $TSMTP_CONC ]] && echo "tsmtp_destination_concurrency_limit = $TSMTP_CONC"
            echo "peers { birlinghoven { address = \"$LINK_HOST\", port = $LINK_PORT, pins = [\"$BIRL_PIN\"], dial = true } }"
        else
            echo "link_listen = \"$B_ADDR:$B_LINK\""
            echo "peers { tokyo { address = \"$A_ADDR\", pins = [\"$TOKYO_PIN\"], dial = false } }"
        fi
    } > "$d/wormhole.conf"
    if [[ $site == tokyo ]]; then
        echo "birlinghoven.example  tsmtp:birlinghoven" > "$d/mailertable"
    else
        echo "birlinghoven.example  esmtp:[127.0.0.1]:$SINK" > "$d/mailertable"
    fi
}

relay_start() {   # $1 = site, $2 = ns prefix
    local site=$1
    : > "$RES/$site-$RTT.log"
    $2 env WORMHOLE_JAVA_OPTS="$JAVA_OPTS" "$WORMHOLE" run --config "$RUN/$site/wormhole.conf" 2>>"$RES/$site-$RTT.log" &
    SVC_PIDS+=($!); echo $! > "$RUN/$site.pid"
    wait_log "$RES/$site-$RTT.log" "running: SMTP on" 60
}

write_stunnel_confs() {   # $1 = where stunnel A connects (host:port)
    local c=$RUN/certs
    cat > "$RUN/stunnel-a.conf" <<EOF
; site A: plaintext SMTP in on loopback, TLS out to site B (as run-classic.sh)
foreground = yes
output = $RES/stunnel-a.log
debug = warning
[b-relay]
client = yes
accept = 127.0.0.1:$ST_A
connect = $1
cert = $c/a.crt
key = $c/a.key
CAfile = $c/ca.crt
verifyChain = yes
checkHost = relay-b.b.example
EOF
    cat > "$RUN/stunnel-b.conf" <<EOF
; site B: TLS in from site A (client certificate required), plaintext to Postfix B
foreground = yes
output = $RES/stunnel-b.log
debug = warning
[smtp-relay]
accept = $B_ADDR:$ST_B
connect = 127.0.0.1:$PF_B
cert = $c/b.crt
key = $c/b.key
CAfile = $c/ca.crt
verifyChain = yes
EOF
}

services_up() {   # $1 = RTT
    local rtt=$1 ports
    read -r T_SMTP B_SMTP B_LINK SINK PX_W PX_C PF_A PF_B ST_A ST_B < <($PY "$MEASURE" ports 10)
    LINK_HOST=$B_ADDR; LINK_PORT=$B_LINK
    if [[ $MODE == proxy && $rtt != 0 ]]; then LINK_HOST=127.0.0.1; LINK_PORT=$PX_W; fi
    # smtp-sink's counter goes through `stamp` to sink.count, and each new message's arrival time to
    # sink.arrivals (the latency runs read it)
    rm -f "$RUN/sink.fifo" "$RUN/sink.count" "$RUN/sink.arrivals"; mkfifo "$RUN/sink.fifo" || return 1
    $PY "$MEASURE" stamp "$RUN/sink.count" "$RUN/sink.arrivals" < "$RUN/sink.fifo" &
    SVC_PIDS+=($!); echo $! > "$RUN/stamp.pid"
    $NSB smtp-sink $([[ $(id -u) == 0 ]] && echo "-u nobody") -c "127.0.0.1:$SINK" 1024 > "$RUN/sink.fifo" 2>"$RES/sink-$rtt.err" &
    SVC_PIDS+=($!); echo $! > "$RUN/sink.pid"
    wait_port "$NSB" 127.0.0.1 "$SINK" && wait_file "$RUN/sink.arrivals" || return 1
    if [[ " $PATHS " == *" wormhole "* ]]; then
        relay_conf birlinghoven; relay_conf tokyo
        cp "$RUN/tokyo/wormhole.conf" "$RES/tokyo-$rtt.conf"; cp "$RUN/birlinghoven/wormhole.conf" "$RES/birlinghoven-$rtt.conf"
        if [[ $MODE == proxy && $rtt != 0 ]]; then proxy_start "$PX_W" 127.0.0.1 "$B_LINK" "$rtt" wormhole || return 1; fi
        relay_start birlinghoven "$NSB" || return 1
        relay_start tokyo "$NSA" || return 1
        wait_log "$RES/tokyo-$RTT.log" "link to birlinghoven up" 60 || return 1
    fi
    if [[ " $PATHS " == *" classic "* ]]; then
        pf_ports
        local to_b="$B_ADDR:$ST_B"
        if [[ $MODE == proxy && $rtt != 0 ]]; then
            proxy_start "$PX_C" 127.0.0.1 "$ST_B" "$rtt" classic || return 1
            to_b="127.0.0.1:$PX_C"
        fi
        write_stunnel_confs "$to_b"
        cp "$RUN/stunnel-a.conf" "$RUN/stunnel-b.conf" "$RES/"
        $NSA postfix -c /etc/postfix-tsa start 2>/dev/null && $NSB postfix -c /etc/postfix-tsb start 2>/dev/null || return 1
        POSTFIX_UP=1
        $NSB stunnel "$RUN/stunnel-b.conf" & SVC_PIDS+=($!); echo $! > "$RUN/stunnel-b.pid"
        $NSA stunnel "$RUN/stunnel-a.conf" & SVC_PIDS+=($!); echo $! > "$RUN/stunnel-a.pid"
        wait_port "$NSA" 127.0.0.1 "$PF_A" && wait_port "$NSB" 127.0.0.1 "$PF_B" && wait_port "$NSA" 127.0.0.1 "$ST_A" \
            && wait_port "$NSB" "$B_ADDR" "$ST_B" || return 1
    fi
}

services_down() {
    local p i
    if [[ $POSTFIX_UP == 1 ]]; then
        postfix -c /etc/postfix-tsa stop >/dev/null 2>&1
        postfix -c /etc/postfix-tsb stop >/dev/null 2>&1
        for i in $(seq 1 100); do   # the masters are gone before their namespaces are (next RTT: fresh start)
            postfix -c /etc/postfix-tsa status >/dev/null 2>&1 || postfix -c /etc/postfix-tsb status >/dev/null 2>&1 || break
            sleep 0.1
        done
        POSTFIX_UP=0
    fi
    for p in "${SVC_PIDS[@]:-}"; do [[ -n $p ]] && kill "$p" 2>/dev/null; done
    for i in $(seq 1 150); do   # relays stop within shutdown_timeout (5 s)
        local alive=0
        for p in "${SVC_PIDS[@]:-}"; do [[ -n $p ]] && kill -0 "$p" 2>/dev/null && alive=1; done
        [[ $alive == 0 ]] && break
        sleep 0.1
    done
    for p in "${SVC_PIDS[@]:-}"; do [[ -n $p ]] && kill -0 "$p" 2>/dev/null && { log "pid $p still up: KILL"; kill -9 "$p"; }; done
    for p in "${SVC_PIDS[@]:-}"; do [[ -n $p ]] && wait "$p" 2>/dev/null; done
    SVC_PIDS=()
    return 0
}

MEASURE_PID=""
cleanup() {
    log "teardown"
    if [[ -n $MEASURE_PID ]]; then kill "$MEASURE_PID" 2>/dev/null; wait "$MEASURE_PID" 2>/dev/null; fi
    services_down
    topo_down
}

# ---------------------------------------------------------------- measuring
measure() {   # $1 = path, $2 = kind (msg|bulk|warm), $3 = conc, $4 = n, $5 = size, $6 = rep
    local path=$1 kind=$2 args=()
    if [[ $path == wormhole ]]; then
        args=(--target "127.0.0.1:$T_SMTP" --queues "$(printf '%s,' "$RUN"/{tokyo,birlinghoven}/spool/{incoming,active,deferred,hold})"
              --cpu "tokyo=$(cat "$RUN/tokyo.pid")" --cpu "birlinghoven=$(cat "$RUN/birlinghoven.pid")")
        [[ -f $RUN/proxy-wormhole.pid && $MODE == proxy && $RTT != 0 ]] && args+=(--cpu "proxy=$(cat "$RUN/proxy-wormhole.pid")")
    else
        args=(--target "127.0.0.1:$PF_A" --queues "$(printf '%s,' /var/spool/postfix-ts{a,b}/{incoming,active,deferred,hold,maildrop})"
              --cpu "postfixA=@/var/spool/postfix-tsa/pid/master.pid" --cpu "postfixB=@/var/spool/postfix-tsb/pid/master.pid"
              --cpu "stunnelA=$(cat "$RUN/stunnel-a.pid")" --cpu "stunnelB=$(cat "$RUN/stunnel-b.pid")")
        [[ -f $RUN/proxy-classic.pid && $MODE == proxy && $RTT != 0 ]] && args+=(--cpu "proxy=$(cat "$RUN/proxy-classic.pid")")
    fi
    [[ ${#DELAY_PIDS[@]} -gt 0 ]] && args+=(--cpu "delay=$(IFS=+; echo "${DELAY_PIDS[*]}")")
    args+=(--cpu "sink=$(cat "$RUN/sink.pid")+$(cat "$RUN/stamp.pid")")
    [[ $kind != warm ]] && args+=(--out "$RES/runs.csv")
    if [[ $kind == bulk && -n $NSA ]]; then   # the far end's TCP state, once a second: cwnd, rtt, buffers
        local port=$B_LINK; [[ $path == classic ]] && port=$ST_B
        args+=(--sample "$NSA ss -Htin dst $B_ADDR:$port" --sample-out "$RES/ss-bulk.txt")
    fi
    # in the background, so that Ctrl-C or SIGTERM reach the trap at once (bash runs traps only
    # between foreground commands); cleanup stops it, and it stops its smtp-source
    $PY "$MEASURE" run --rtt "$RTT" --mode "$MODE" --path "$path" --kind "$kind" --conc "$3" --n "$4" --size "$5" \
        --rep "$6" --ns "$NS_A_NAME" --sink "$RUN/sink.count" --max-run-s "$MAX_RUN_S" --stall-s "$STALL_S" "${args[@]}" &
    MEASURE_PID=$!
    local rc=0
    wait "$MEASURE_PID" || rc=$?
    MEASURE_PID=""
    return $rc
}

latency() {   # $1 = path: LAT_N lone messages, from smtp-source's place (the near site's namespace)
    local path=$1 target queues
    if [[ $path == wormhole ]]; then
        target=127.0.0.1:$T_SMTP; queues=$(printf '%s,' "$RUN"/{tokyo,birlinghoven}/spool/{incoming,active,deferred,hold})
    else
        target=127.0.0.1:$PF_A; queues=$(printf '%s,' /var/spool/postfix-ts{a,b}/{incoming,active,deferred,hold,maildrop})
    fi
    $NSA $PY "$MEASURE" latency --rtt "$RTT" --mode "$MODE" --path "$path" --n "$LAT_N" --size "$SIZE" \
        --target "$target" --queues "$queues" --arrivals "$RUN/sink.arrivals" --gap-s "$LAT_GAP_S" \
        --timeout-s "$STALL_S" --max-run-s "$MAX_RUN_S" --out "$RES/latency.csv" &
    MEASURE_PID=$!
    local rc=0
    wait "$MEASURE_PID" || rc=$?
    MEASURE_PID=""
    return $rc
}

# ---------------------------------------------------------------- main
trap cleanup EXIT
trap 'exit 130' INT TERM
prepare
{
    echo "date_utc=$STAMP mode=$MODE rtts=$RTTS concs=$CONCS size=$SIZE reps=$REPS paths=$PATHS"
    echo "bulk=$BULK ${BULK_N}x$BULK_SIZE s=$BULK_CONC warm=$WARM_N lat=$LAT n=$LAT_N gap=${LAT_GAP_S}s tsmtp_conc=${TSMTP_CONC:-default} lanes=${LANES:-default} java_opts=$JAVA_OPTS"
    echo "tcp_wmem=$(sysctl -n net.ipv4.tcp_wmem | tr '\t' ' ') tcp_rmem=$(sysctl -n net.ipv4.tcp_rmem | tr '\t' ' ') ns_tcp_wmem=${NS_TCP_WMEM:-same} ns_sysctl=${NS_SYSCTL:-none} cc=$(sysctl -n net.ipv4.tcp_congestion_control)"
    echo "commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo +dirty)"
    echo "java=$(java -version 2>&1 | head -1)"
    echo "postfix=$(postconf -h mail_version 2>/dev/null) stunnel=$(stunnel -version 2>&1 | grep -m1 '^stunnel')"
    echo "kernel=$(uname -r) cpus=$(nproc) mem=$(free -g | awk '/Mem:/{print $2}')GiB"
    echo "queue_fs=$(df -T "$WORK" | awk 'NR==2{print $1, $2}') load=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$RES/versions.txt"
cat "$RES/versions.txt" >&2

for RTT in $RTTS; do
    topo_up "$RTT" || { log "topology for RTT $RTT failed"; topo_down; continue; }
    services_up "$RTT" || { log "services for RTT $RTT failed (logs in $RES)"; services_down; topo_down; continue; }
    if [[ -n $N ]]; then n=$N; elif [[ $RTT == 0 ]]; then n=$N0; else n=$((NRTT_MS / RTT)); fi
    for path in $PATHS; do   # Postfix has no JIT to warm: a short sanity run of its path
        w=$WARM_N; [[ $path == classic && $w -gt 100 ]] && w=100
        [[ $w -gt 0 ]] || continue
        log "RTT $RTT: warming $path up with $w messages (s=50, not measured)"
        measure "$path" warm 50 "$w" "$SIZE" 0 || log "warm-up of $path at RTT $RTT did not complete"
    done
    if [[ $LAT == 1 ]]; then
        for path in $PATHS; do
            log "RTT $RTT: latency of $path, $LAT_N lone messages"
            latency "$path" || log "latency of $path at RTT $RTT: not every message arrived"
        done
    fi
    for rep in $(seq 1 "$REPS"); do
        for path in $PATHS; do
            for conc in $CONCS; do measure "$path" msg "$conc" "$n" "$SIZE" "$rep"; done
        done
    done
    if [[ $BULK == 1 ]]; then
        for rep in $(seq 1 "$REPS"); do
            for path in $PATHS; do measure "$path" bulk "$BULK_CONC" "$BULK_N" "$BULK_SIZE" "$rep"; done
        done
    fi
    grep -h -E 'WARN|ERROR' "$RES"/tokyo-"$RTT".log "$RES"/birlinghoven-"$RTT".log 2>/dev/null | grep -v 'link to .* down: relay stopping' | tail -5 | sed 's/^/  relay log: /' >&2
    services_down
    topo_down
done
trap - EXIT
cleanup
if [[ -f $RES/runs.csv || -f $RES/latency.csv ]]; then
    $PY "$MEASURE" table $([[ -f $RES/runs.csv ]] && echo "$RES/runs.csv") \
        $([[ -f $RES/latency.csv ]] && echo "--latency $RES/latency.csv") | tee "$RES/table.txt"
fi
log "results in $RES"
