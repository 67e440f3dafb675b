#!/usr/bin/env bash
# The proving ground of issue 8: real relay processes (Tokyo -> link -> Birlinghoven -> a sink that
# counts) killed with SIGKILL under load, their link cut mid-burst and mid-15 MB message, probed
# (open-relay tricks, SMTP smuggling) and flooded (SMTP, link port) while mail must keep flowing;
# with --postfix, the same kill -9 trial against Postfix as the relay. Prints one table; exits 0 when
# nothing acknowledged was lost, nothing duplicated over the link, every probe refused and mail kept
# flowing through every flood, 1 otherwise. Bounded: every wait has a deadline.
#
#   test-harness/proving-ground/run.sh --quick              # the short variant (mvn verify runs it), ~1 min
#   test-harness/proving-ground/run.sh                      # the full run: 20 kill -9 trials per relay, ~6 min
#   sudo test-harness/proving-ground/run.sh --postfix       # and Postfix side by side (root, Debian's postfix), ~7 min
#
# Options: ProvingGround --help (or test-harness/bench/README.md, "The proving ground").
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../.." && pwd)
JAR=$REPO/relay/target/wormhole.jar
BENCH_JAR=$REPO/test-harness/target/benchmarks.jar
if [[ ! -f $JAR || ! -f $BENCH_JAR || -n $(find "$REPO"/*/src/main "$REPO"/*/pom.xml -newer "$BENCH_JAR" -type f 2>/dev/null | head -n 1) ]]; then
    echo "proving ground: building the relay and the test harness (mvn package, tests skipped)..." >&2
    (cd "$REPO" && { mvn -B -q -o -DskipTests -pl test-harness -am package || mvn -B -q -DskipTests -pl test-harness -am package; }) >&2
fi
exec java -Xmx512m -cp "$BENCH_JAR" org.wormhole.proving.ProvingGround --jar "$JAR" "$@"
