#!/usr/bin/env bash
# Issue 10 item 7: one message of SIZE_MB (default 1000: 1 GB) through Tokyo -> link -> Birlinghoven
# -> a sink, both relays with -XmxXMX (default 64m), the body's SHA-256 compared at the sink; the
# baseline of the same run is BASE_N x 10 MB (default 20) end to end. org.wormhole.bench.LargeMessageRun.
#
#   test-harness/bench/large-message.sh                 # SIZE_MB=1000 XMX=64m BASE_N=20 WORK=/tmp/large-run
#
# Needs about 3 x SIZE_MB of disk under WORK (both spools); they are removed at the end.
set -euo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$BENCH/../.." && pwd)
SIZE_MB=${SIZE_MB:-1000} XMX=${XMX:-64m} BASE_N=${BASE_N:-20} WORK=${WORK:-/tmp/large-run}
need=$(( (SIZE_MB + BASE_N * 10) * 3 ))
avail=$(df -Pm "$(dirname "$WORK")" | awk 'NR==2{print $4}')
[[ $avail -gt $need ]] || { echo "large-message.sh: $avail MB free where $WORK goes, $need MB needed" >&2; exit 1; }
"$REPO/relay/bin/wormhole" --version >/dev/null   # builds the relay's jar if stale
JAR=$REPO/test-harness/target/benchmarks.jar
if [[ ! -f $JAR || -n $(find "$REPO/test-harness/src/main" -newer "$JAR" -type f | head -n 1) ]]; then
    (cd "$REPO" && mvn -B -q -o -DskipTests -pl test-harness -am package)
fi
echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ) commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo +dirty) load=$(cut -d' ' -f1-3 /proc/loadavg)"
exec java -Xmx256m -cp "$JAR" org.wormhole.bench.LargeMessageRun "$REPO" "$WORK" "$SIZE_MB" "$XMX" "$BASE_N"
