#!/usr/bin/env bash
# Side-by-side load run: Postfix's smtp-source pushes N messages of SIZE bytes over C sessions
# (a new connection per message) into a relay on 127.0.0.1:PORT that relays them to smtp-sink;
# prints accepted msg/s (smtp-source finished) and end-to-end msg/s (the last message at the sink).
# Needs Debian's postfix package (smtp-source, smtp-sink) and a relay listening on PORT whose
# route for sink.example is [127.0.0.1]:26002, e.g.
#   Postfix:  relayhost = [127.0.0.1]:26002, smtpd on 127.0.0.1:2526
#   Wormhole: mailertable "sink.example esmtp:[127.0.0.1]:26002", listen = "127.0.0.1:2527"
# Usage: relay-vs-postfix.sh PORT [N] [C] [SIZE]
set -euo pipefail
port=$1; n=${2:-5000}; c=${3:-10}; size=${4:-10240}
out=$(mktemp)
pkill -x smtp-sink 2>/dev/null || true
sleep 0.5
setsid smtp-sink -u nobody -c 127.0.0.1:26002 1000 > "$out" 2>&1 &
sleep 1
count() { tr '\r' '\n' < "$out" | grep -o 'mesg=[0-9]*' | tail -n 1 | cut -d= -f2; }
start=$(date +%s.%N)
smtp-source -s "$c" -l "$size" -m "$n" -f load@client.example -t user@sink.example "127.0.0.1:$port"
accepted=$(date +%s.%N)
deadline=$(( $(date +%s) + 600 ))
while [ "$(count || echo 0)" -lt "$n" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.05; done
done_at=$(date +%s.%N)
got=$(count || echo 0)
pkill -x smtp-sink || true
rm -f "$out"
awk -v n="$n" -v got="$got" -v s="$start" -v a="$accepted" -v d="$done_at" -v c="$c" -v size="$size" -v cores="$(nproc)" 'BEGIN {
  printf "cores=%d messages=%d sessions=%d size=%d\n", cores, n, c, size;
  printf "accepted: %d in %.2f s = %.0f msg/s\n", n, a - s, n / (a - s);
  printf "delivered to the sink: %d, last at %.2f s = %.0f msg/s end to end\n", got, d - s, got / (d - s) }'
