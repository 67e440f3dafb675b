#!/usr/bin/env python3
"""Measurement loop and result table for two-sites.sh.

  two_sites_measure.py count SINK_COUNT_FILE   -> messages counted so far by an `smtp-sink -c`
  two_sites_measure.py ports N                 -> N free TCP ports on 127.0.0.1
  two_sites_measure.py run ...                 -> one smtp-source run, appended as a CSV row
  two_sites_measure.py table RUNS.csv          -> medians and [min-max] per RTT, path, load

A run is counted as /work/shared/bench/classic/measure.py counts it, so that the figures
compare: end-to-end msg/s = N / (time from starting smtp-source to the moment the sink behind
the far site has counted all N messages); inject msg/s = N / (time until smtp-source exited,
i.e. the near site accepted everything). Before each run the queues of both sites must be empty
and the script waits 3 s (Postfix's cached SMTP connections expire). Every run is bounded:
smtp-source is killed (by its own pid) after --max-run-s, and waiting for the sink stops after
--stall-s without progress.

CPU: ticks (user+system, reaped children included) of each process tree named by --cpu
LABEL=PID, between a snapshot before smtp-source starts and one after the queues are empty
again; "busy" is the whole machine (from /proc/stat), so "other" shows other tenants.
"""
import argparse, csv, math, os, re, signal, statistics, subprocess, sys, time

TCK = os.sysconf("SC_CLK_TCK")
MESG = re.compile(rb"mesg=(\d+)")


def sink_count(path):
    """The last mesg=N an smtp-sink -c wrote (it rewrites one line with \\r)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 400))
            found = MESG.findall(f.read())
            return int(found[-1]) if found else 0
    except FileNotFoundError:
        return 0


def free_ports(n):
    import socket
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def proc_ticks():
    """pid -> (ppid, user+system ticks including reaped children)."""
    t = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                s = f.read()
        except OSError:
            continue
        rest = s[s.rindex(")") + 2:].split()
        t[int(d)] = (int(rest[1]), sum(int(x) for x in rest[11:15]))
    return t


def tree_ticks(table, root):
    if root not in table:
        return 0
    kids = {}
    for pid, (ppid, _) in table.items():
        kids.setdefault(ppid, []).append(pid)
    total, todo = 0, [root]
    while todo:
        p = todo.pop()
        total += table[p][1]
        todo.extend(kids.get(p, []))
    return total


def machine_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v[:8]) - v[3] - v[4]


def pid_of(spec):
    """A pid, or @FILE holding one (Postfix's master.pid)."""
    if spec.startswith("@"):
        try:
            with open(spec[1:]) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return -1
    return int(spec)


def snapshot(cpus):
    table = proc_ticks()
    snap = {label: sum(tree_ticks(table, pid_of(p)) for p in pids.split("+")) for label, pids in cpus}
    snap["busy"] = machine_busy()
    snap["mono"] = time.monotonic()
    return snap


def queued(dirs):
    n = 0
    for d in dirs:
        for _, _, files in os.walk(d):
            n += len(files)
    return n


def wait_empty(dirs, limit_s):
    end = time.monotonic() + limit_s
    while time.monotonic() < end:
        if queued(dirs) == 0:
            return True
        time.sleep(0.05)
    return False


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


FIELDS = ["rtt_ms", "mode", "path", "kind", "conc", "rep", "n", "size", "ok", "load_before", "t_inj", "t_e2e",
          "inj_rate", "e2e_rate", "e2e_MBps", "cpu", "cpu_busy", "cpu_other", "wall", "note"]


def cmd_run(a):
    dirs = [d for d in a.queues.split(",") if d]
    cpus = [c.split("=", 1) for c in a.cpu]
    if not wait_empty(dirs, 120):
        print(f"  queues not empty before the run ({queued(dirs)} files): run not made", file=sys.stderr)
        return 1
    time.sleep(a.settle_s)
    load = loadavg()
    c0 = sink_count(a.sink)
    s0 = snapshot(cpus)
    cmd = ["smtp-source", "-s", str(a.conc), "-m", str(a.n), "-l", str(a.size), "-M", a.helo,
           "-f", a.sender, "-t", a.rcpt, a.target]
    if a.ns:
        cmd = ["ip", "netns", "exec", a.ns] + cmd
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def stop(signum, frame):   # the script is being stopped: take smtp-source along
        if p.returncode is None:
            p.kill()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    next_sample = t0
    t_inj = t_e2e = None
    rc, src_cpu, note = None, 0.0, ""
    last_c, last_progress = c0, t0
    while True:
        now = time.monotonic()
        if t_inj is None:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                t_inj, rc = now, os.waitstatus_to_exitcode(status)
                p.returncode = rc
                src_cpu = ru.ru_utime + ru.ru_stime
        c = sink_count(a.sink)
        if c != last_c:
            last_c, last_progress = c, now
        if t_e2e is None and c - c0 >= a.n:
            t_e2e = now
        if t_inj is not None and t_e2e is not None:
            break
        if a.sample and now >= next_sample:   # e.g. `ss -tin` of the link: its cwnd, rtt and send buffer
            with open(a.sample_out, "a") as f:
                f.write(f"--- rtt={a.rtt} {a.path} {a.kind} rep={a.rep} t={now - t0:.1f}s sink={c - c0}\n")
                f.flush()
                subprocess.run(a.sample, shell=True, stdout=f, stderr=subprocess.STDOUT, timeout=5)
            next_sample = now + a.sample_s
        if now - t0 > a.max_run_s or now - last_progress > a.stall_s:
            note = f"stopped: the sink got {c - c0}/{a.n} after {now - t0:.0f} s"
            if t_inj is None:
                os.kill(p.pid, signal.SIGTERM)
                _, status, ru = os.wait4(p.pid, 0)
                rc = os.waitstatus_to_exitcode(status)
                p.returncode = rc
            break
        time.sleep(0.005)
    err = p.stderr.read().decode(errors="replace").strip()
    if rc != 0 or err:
        note += f" smtp-source rc={rc} {err[:200]}"
    wait_empty(dirs, a.stall_s)
    s1 = snapshot(cpus)
    ok = t_inj is not None and t_e2e is not None and rc == 0
    inj = (t_inj - t0) if t_inj is not None else float("nan")
    e2e = (t_e2e - t0) if t_e2e is not None else float("nan")
    # CPU per 1000 messages; for bulk runs per GB of payload
    per_k = 1000.0 / a.n if a.kind != "bulk" else 1e9 / (a.n * a.size)
    cpu = {label: (s1[label] - s0[label]) / TCK for label, _ in cpus}
    busy = (s1["busy"] - s0["busy"]) / TCK
    row = {
        "rtt_ms": a.rtt, "mode": a.mode, "path": a.path, "kind": a.kind, "conc": a.conc, "rep": a.rep,
        "n": a.n, "size": a.size, "ok": int(ok), "load_before": load,
        "t_inj": round(inj, 3), "t_e2e": round(e2e, 3),
        "inj_rate": round(a.n / inj, 1), "e2e_rate": round(a.n / e2e, 2),
        "e2e_MBps": round(a.n * a.size / e2e / 1e6, 2),
        "cpu": " ".join(f"{k}={v * per_k:.2f}" for k, v in cpu.items()) + f" source={src_cpu * per_k:.2f}",
        "cpu_busy": round(busy * per_k, 2),
        "cpu_other": round((busy - sum(cpu.values()) - src_cpu) * per_k, 2),
        "wall": round(s1["mono"] - s0["mono"], 2), "note": note.strip(),
    }
    if a.out:
        new = not os.path.exists(a.out)
        with open(a.out, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=FIELDS)
            if new:
                w.writeheader()
            w.writerow(row)
    what = f"{a.n} x {a.size} B"
    print(f"  [{time.strftime('%H:%M:%S')}] rtt={a.rtt} {a.path:8s} {a.kind:4s} s={a.conc:<3d} rep={a.rep} {what:>16s}"
          f"  inject {row['inj_rate']:>8} msg/s  end-to-end {row['e2e_rate']:>8} msg/s = {row['e2e_MBps']:>6} MB/s"
          f"  cpu s/{'GB' if a.kind == 'bulk' else '1000 msg'}: {row['cpu']} busy={row['cpu_busy']}  load {load}  {row['note']}",
          file=sys.stderr, flush=True)
    return 0 if ok else 1


def fmt(v):
    return f"{v:.2f}" if v < 10 else (f"{v:.1f}" if v < 100 else f"{v:.0f}")


def spread(vals):
    vals = [v for v in vals if not math.isnan(v)]
    if not vals:
        return "-"
    m = statistics.median(vals)
    if len(vals) == 1 or min(vals) == max(vals):
        return fmt(m)
    return f"{fmt(m)} [{fmt(min(vals))}-{fmt(max(vals))}]"


def cmd_table(a):
    rows = []
    for path in a.csv:
        with open(path) as f:
            rows += list(csv.DictReader(f))
    groups = {}
    for r in rows:
        groups.setdefault((r["kind"], int(r["rtt_ms"]), r["mode"], r["path"], int(r["conc"]), int(r["size"])), []).append(r)
    print("End to end: from starting smtp-source at the near site to the last message counted by smtp-sink behind "
          "the far site.\nmedian [min-max] over runs; MB/s = payload bytes / 1e6; CPU seconds per 1000 messages "
          "(bulk: per GB of payload; median; busy = whole machine).")
    print(f"{'kind':4} {'RTT':>4} {'mode':6} {'path':8} {'s':>3} {'N x size':>16} {'runs':>4} {'ok':>2}  "
          f"{'end-to-end msg/s':>20} {'MB/s':>18} {'inject msg/s':>18}  {'busy':>5}  per process; load before")
    for key in sorted(groups, key=lambda k: (k[0] != "msg", k[1], k[2], k[3] != "wormhole", k[3], k[4])):
        rs = groups[key]
        fl = lambda k: [float(r[k]) for r in rs]
        cpu_parts = {}
        for r in rs:
            for item in r["cpu"].split():
                label, v = item.split("=")
                cpu_parts.setdefault(label, []).append(float(v))
        cpu = " ".join(f"{k}={statistics.median(v):.2f}" for k, v in cpu_parts.items())
        loads = ", ".join(r["load_before"].split()[0] for r in rs)
        print(f"{key[0]:4} {key[1]:>4} {key[2]:6} {key[3]:8} {key[4]:>3} {rs[0]['n'] + ' x ' + str(key[5]):>16} "
              f"{len(rs):>4} {sum(int(r['ok']) for r in rs):>2}  {spread(fl('e2e_rate')):>20} "
              f"{spread(fl('e2e_MBps')):>18} {spread(fl('inj_rate')):>18}  "
              f"{statistics.median(fl('cpu_busy')):5.2f}  {cpu}; {loads}")
    notes = [r for r in rows if r["note"]]
    if notes:
        print("\nNotes:")
        for r in notes:
            print(f"  rtt={r['rtt_ms']} {r['path']} {r['kind']} s={r['conc']} rep={r['rep']}: {r['note']}")


def main():
    ap = argparse.ArgumentParser()
    sp = ap.add_subparsers(dest="cmd", required=True)
    c = sp.add_parser("count")
    c.add_argument("file")
    p = sp.add_parser("ports")
    p.add_argument("n", type=int)
    r = sp.add_parser("run")
    r.add_argument("--rtt", type=int, required=True)
    r.add_argument("--mode", default="proxy")
    r.add_argument("--path", required=True)
    r.add_argument("--kind", default="msg", help="msg or bulk: only a label in the table")
    r.add_argument("--conc", type=int, required=True)
    r.add_argument("--rep", type=int, default=0)
    r.add_argument("--n", type=int, required=True)
    r.add_argument("--size", type=int, default=10240)
    r.add_argument("--target", required=True, help="host:port smtp-source connects to")
    r.add_argument("--ns", default="", help="network namespace of smtp-source")
    r.add_argument("--helo", default="client.tokyo.example")
    r.add_argument("--sender", default="sender@tokyo.example")
    r.add_argument("--rcpt", default="user@birlinghoven.example")
    r.add_argument("--sink", required=True, help="the far sink's smtp-sink -c output")
    r.add_argument("--queues", default="", help="comma-separated queue directories that must be empty")
    r.add_argument("--cpu", action="append", default=[], help="LABEL=PID[+PID...] (PID or @PIDFILE)")
    r.add_argument("--out", default="", help="CSV to append to (none: a warm-up, not recorded)")
    r.add_argument("--sample", default="", help="a shell command run every --sample-s during the run")
    r.add_argument("--sample-s", type=float, default=1.0)
    r.add_argument("--sample-out", default="/dev/null")
    r.add_argument("--settle-s", type=float, default=3.0)
    r.add_argument("--max-run-s", type=float, default=600)
    r.add_argument("--stall-s", type=float, default=60)
    t = sp.add_parser("table")
    t.add_argument("csv", nargs="+")
    a = ap.parse_args()
    if a.cmd == "count":
        print(sink_count(a.file))
    elif a.cmd == "ports":
        print(" ".join(str(x) for x in free_ports(a.n)))
    elif a.cmd == "run":
        return cmd_run(a)
    else:
        cmd_table(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
