#!/usr/bin/env bash
# backlog.sh -- a relay restarted on a large backlog (issue 10 item 6): Tokyo queues N messages
# for Birlinghoven while the link is down, is restarted with -Xmx$XMX on that backlog (time to
# the first 250 for new mail, heap), then Birlinghoven comes up and the backlog drains (msg/s,
# age order) while new mail is submitted at NEW_RATE msg/s; a baseline of fresh mail over the
# same link ends the run. Both relays are processes of relay/bin/wormhole. See BacklogRun.
#
# Usage: test-harness/bench/backlog.sh        Knobs: N=100000 S=10 SIZE=10240 XMX=256m NEW_RATE=20
#        WORK=/tmp/backlog-run (needs about N x SIZE x 2 of disk; spools deleted after, KEEP=1 keeps them)
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/../.." && pwd)
N=${N:-100000} S=${S:-10} SIZE=${SIZE:-10240} XMX=${XMX:-256m} NEW_RATE=${NEW_RATE:-20}
WORK=${WORK:-/tmp/backlog-run}
need=$((N * (SIZE + 2048) / 1024 / 1024 * 2))
avail=$(df -Pm "$(dirname "$WORK")" | awk 'NR==2{print $4}')
[[ $avail -gt $need ]] || { echo "backlog.sh: $avail MB free where $WORK goes, $need MB needed" >&2; exit 1; }
"$REPO/relay/bin/wormhole" --version >/dev/null   # builds the relay's jar if stale
JAR=$REPO/test-harness/target/benchmarks.jar
if [[ ! -f $JAR || -n $(find "$REPO/test-harness/src/main" -newer "$JAR" -type f | head -n 1) ]]; then
    (cd "$REPO" && mvn -B -q -o -DskipTests -pl test-harness -am package)
fi
echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ) commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo +dirty) load=$(cut -d' ' -f1-3 /proc/loadavg)"
exec java -cp "$JAR" org.wormhole.bench.BacklogRun "$REPO" "$WORK" "$N" "$S" "$SIZE" "$XMX" "$NEW_RATE"
