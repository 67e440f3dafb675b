#!/usr/bin/env python3
"""jfr_top.py FILE.jfr [N]: where a relay's CPU went, from a JFR recording (JDK 17's jfr has no 'view').

  - CPU by thread (jdk.ThreadCPULoad, user and system, summed over the recording; digits in
    thread names folded, so the pools add up), and the JVM's user/system split (jdk.CPULoad);
  - the top frames of jdk.ExecutionSample: self (top of stack), and the first org.wormhole frame
    (our code and what it calls), as a share of the samples.

ExecutionSample sees only threads running Java code: time in the kernel (fsync, file creation,
sockets) and in the JIT's compiler threads shows in the thread table, not in the frames.
Record with e.g. JAVA_OPTS="-XX:StartFlightRecording=filename=DIR/,settings=profile" (two-sites.sh).
"""
import collections, json, re, subprocess, sys


def events(path, kinds):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "64", "--events", kinds, path],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]


def fold(thread):
    t = thread or {}
    return re.sub(r"\d+", "N", t.get("javaName") or t.get("osName") or "?")


def main():
    path, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 15
    cpu, user, system = collections.Counter(), collections.Counter(), collections.Counter()
    jvm = [0.0, 0.0]
    for e in events(path, "jdk.ThreadCPULoad,jdk.CPULoad"):
        v = e["values"]
        if e["type"] == "jdk.CPULoad":
            jvm[0] += v["jvmUser"]
            jvm[1] += v["jvmSystem"]
            continue
        name = fold(v.get("eventThread"))
        cpu[name] += v["user"] + v["system"]
        user[name] += v["user"]
        system[name] += v["system"]
    total = sum(cpu.values()) or 1
    print(f"JVM user/system: {jvm[0] / (sum(jvm) or 1):.0%} / {jvm[1] / (sum(jvm) or 1):.0%}")
    print("CPU by thread (share; user, system as summed load):")
    for name, c in cpu.most_common(8):
        print(f"  {c / total:6.1%}  user {user[name]:6.2f}  sys {system[name]:6.2f}  {name}")
    own, top = collections.Counter(), collections.Counter()
    samples = events(path, "jdk.ExecutionSample")
    for e in samples:
        st = e["values"].get("stackTrace") or {}
        names = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in st.get("frames", [])]
        if not names:
            continue
        top[names[0]] += 1
        ours = next((x for x in names if x.startswith("org.wormhole.")), None)
        if ours:
            own[ours] += 1
    count = len(samples) or 1
    print(f"execution samples: {len(samples)}")
    print("top frames (self):")
    for name, c in top.most_common(n):
        print(f"  {c / count:6.1%}  {name}")
    print("first org.wormhole frame on the stack:")
    for name, c in own.most_common(n):
        print(f"  {c / count:6.1%}  {name}")


if __name__ == "__main__":
    main()
