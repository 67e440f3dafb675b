#!/usr/bin/env python3
"""Measurement loop and result table for two-sites.sh.

  two_sites_measure.py count SINK_COUNT_FILE   -> messages counted so far by an `smtp-sink -c`
  two_sites_measure.py ports N                 -> N free TCP ports on 127.0.0.1
  two_sites_measure.py run ...                 -> one smtp-source run, appended as a CSV row
  two_sites_measure.py stamp COUNT ARRIVALS    -> between smtp-sink -c and its count file: passes the
                                                  counter on and timestamps each new message
  two_sites_measure.py latency ...             -> lone messages, one at a time: arrival - submission
  two_sites_measure.py table RUNS.csv          -> medians and [min-max] per RTT, path, load (and the
                                                  latency.csv beside it, and the ratios)

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

Latency: the sink's smtp-sink -c writes its counter to a pipe read by `stamp`, which writes the
counter on to the count file (so counting is unchanged) and, for every new mesg=N, a line
"N CLOCK_MONOTONIC-ns" to the arrivals file at the moment it reads it: the sink's arrival time
of each message. `latency` submits one message at a time with its own SMTP client (in the near
site's namespace), takes the time right after the last byte of DATA (the dot) went into the
socket, waits for the arrival line of that message, then for both queues to be empty and a gap;
latency = arrival - submission (CLOCK_MONOTONIC is one clock for all processes and namespaces).
"""
import argparse, csv, math, os, re, signal, socket, statistics, subprocess, sys, time

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


def cmd_stamp(a):
    """smtp-sink -c's output on stdin -> the count file as is; each new mesg=N -> 'N ns' lines."""
    fd = sys.stdin.fileno()
    last, tail = -1, b""
    with open(a.count, "wb", buffering=0) as out, open(a.arrivals, "w", buffering=1) as arr:
        while True:
            b = os.read(fd, 65536)
            t = time.monotonic_ns()
            if not b:
                return 0
            out.write(b)
            tail += b
            cut = tail.rfind(b"\r")   # smtp-sink ends each update with \r: parse only whole ones
            if cut < 0:
                continue
            for m in MESG.findall(tail[:cut]):
                n = int(m)
                if n > last:
                    arr.write(f"{n} {t}\n")
                    last = n
            tail = tail[cut + 1:]


def last_arrival(path):
    """(N, ns) of the last line of the arrivals file, (0, 0) if none."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 200))
            lines = [x for x in f.read().split(b"\n") if x.strip()]
    except FileNotFoundError:
        return 0, 0
    for line in reversed(lines):
        parts = line.split()
        if len(parts) == 2:
            try:
                return int(parts[0]), int(parts[1])
            except ValueError:
                continue
    return 0, 0


class SmtpError(Exception):
    pass


def submit_one(host, port, size, ident, a, timeout):
    """One message over a new SMTP connection: returns (t_connect, t_dot, t_250) in monotonic ns."""
    t_conn = time.monotonic_ns()
    with socket.create_connection((host, port), timeout=timeout) as s:
        f = s.makefile("rb")

        def reply(want):
            while True:
                line = f.readline()
                if not line:
                    raise SmtpError(f"connection closed, waiting for {want}")
                if line[3:4] != b"-":
                    break
            if int(line[:3]) != want:
                raise SmtpError(f"wanted {want}: {line.decode(errors='replace').strip()}")

        reply(220)
        for c, want in ((f"EHLO {a.helo}", 250), (f"MAIL FROM:<{a.sender}>", 250), (f"RCPT TO:<{a.rcpt}>", 250),
                        ("DATA", 354)):
            s.sendall(c.encode() + b"\r\n")
            reply(want)
        head = (f"From: <{a.sender}>\r\nTo: <{a.rcpt}>\r\nSubject: latency {ident}\r\n"
                f"Message-ID: <lat-{ident}-{t_conn}@{a.helo}>\r\nX-Latency-Id: {ident}\r\n\r\n").encode()
        line = b"x" * 78 + b"\r\n"
        body = line * (size // len(line)) + b"x" * (size % len(line)) + b"\r\n"
        s.sendall(head + body + b".\r\n")
        t_dot = time.monotonic_ns()
        reply(250)
        t_ack = time.monotonic_ns()
        try:
            s.sendall(b"QUIT\r\n")
            reply(221)
        except (OSError, SmtpError):
            pass
    return t_conn, t_dot, t_ack


LAT_FIELDS = ["rtt_ms", "mode", "path", "i", "size", "ok", "load_before", "lat_ms", "from_connect_ms", "ack_ms", "note"]


def cmd_latency(a):
    dirs = [d for d in a.queues.split(",") if d]
    host, port = a.target.rsplit(":", 1)
    end = time.monotonic() + a.max_run_s
    res, rows = [], []
    for i in range(1, a.n + 1):
        if time.monotonic() > end:
            print(f"  latency: stopped after {i - 1} messages (--max-run-s {a.max_run_s:.0f})", file=sys.stderr)
            break
        if not wait_empty(dirs, 60):
            print(f"  latency: queues not empty ({queued(dirs)} files): stopped", file=sys.stderr)
            break
        time.sleep(a.gap_s)
        load = loadavg()
        n0, _ = last_arrival(a.arrivals)
        row = {"rtt_ms": a.rtt, "mode": a.mode, "path": a.path, "i": i, "size": a.size, "ok": 0,
               "load_before": load, "lat_ms": "", "from_connect_ms": "", "ack_ms": "", "note": ""}
        try:
            t_conn, t_dot, t_ack = submit_one(host, int(port), a.size, f"{a.path}-{a.rtt}-{i}", a, a.timeout_s)
            row["ack_ms"] = round((t_ack - t_dot) / 1e6, 2)
            deadline = time.monotonic() + a.timeout_s
            while True:
                n, t_arr = last_arrival(a.arrivals)
                if n > n0:
                    break
                if time.monotonic() > deadline:
                    raise SmtpError(f"not at the sink within {a.timeout_s:.0f} s")
                time.sleep(0.001)
            if n > n0 + 1:
                row["note"] = f"{n - n0} messages arrived meanwhile"
            row.update(ok=1, lat_ms=round((t_arr - t_dot) / 1e6, 2), from_connect_ms=round((t_arr - t_conn) / 1e6, 2))
            res.append((t_arr - t_dot) / 1e6)
        except (OSError, SmtpError) as e:
            row["note"] = str(e)[:200]
        rows.append(row)
    wait_empty(dirs, 60)
    if a.out:
        new = not os.path.exists(a.out)
        with open(a.out, "a", newline="") as f:
            w = csv.DictWriter(f, fieldnames=LAT_FIELDS)
            if new:
                w.writeheader()
            w.writerows(rows)
    bad = [r["note"] for r in rows if not r["ok"]]
    if res:
        print(f"  [{time.strftime('%H:%M:%S')}] rtt={a.rtt} {a.path:8s} latency n={len(res)}/{a.n} median "
              f"{statistics.median(res):.1f} ms p90 {pct(res, 90):.1f} max {max(res):.1f} ms (target {a.rtt + 20} ms)"
              f"  load {rows[0]['load_before']}{'  failed: ' + bad[0] if bad else ''}", file=sys.stderr, flush=True)
    else:
        print(f"  latency rtt={a.rtt} {a.path}: no message arrived{': ' + bad[0] if bad else ''}", file=sys.stderr)
    return 0 if res and len(res) == a.n else 1


def pct(vals, p):
    """Nearest-rank percentile: of 20 values, p90 is the 18th smallest."""
    v = sorted(vals)
    return v[max(0, math.ceil(p / 100 * len(v)) - 1)]


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
    lat = []
    for path in a.latency or [os.path.join(os.path.dirname(os.path.abspath(c)), "latency.csv") for c in a.csv[:1]]:
        if os.path.exists(path):
            with open(path) as f:
                lat += list(csv.DictReader(f))
    lat_groups = {}
    for r in lat:
        lat_groups.setdefault((int(r["rtt_ms"]), r["mode"], r["path"]), []).append(r)
    if lat_groups:
        print("\nLatency of a lone message: one at a time (each after the previous reached the sink and both queues were"
              " empty),\nms from the end of its DATA (the dot) at the near site to its arrival at smtp-sink behind the far"
              " site;\nfrom connect: from opening the SMTP connection; 250: the near site's reply to the dot.")
        print(f"{'RTT':>4} {'mode':6} {'path':8} {'n':>3} {'ok':>3}  {'median':>8} {'p90':>8} {'max':>8}  {'target':>7} "
              f"{'met':>4}  {'from connect':>12} {'250 after':>9}  load before (first)")
        for key in sorted(lat_groups, key=lambda k: (k[0], k[1], k[2] != "wormhole", k[2])):
            rs = lat_groups[key]
            ok = [r for r in rs if r["ok"] == "1"]
            v = [float(r["lat_ms"]) for r in ok]
            if not v:
                print(f"{key[0]:>4} {key[1]:6} {key[2]:8} {len(rs):>3} {0:>3}  -")
                continue
            med, target = statistics.median(v), key[0] + 20
            conn = statistics.median(float(r["from_connect_ms"]) for r in ok)
            ack = statistics.median(float(r["ack_ms"]) for r in ok)
            print(f"{key[0]:>4} {key[1]:6} {key[2]:8} {len(rs):>3} {len(ok):>3}  {med:8.1f} {pct(v, 90):8.1f} {max(v):8.1f}  "
                  f"{target:>7} {'yes' if med <= target else 'no':>4}  {conn:12.1f} {ack:9.1f}  {rs[0]['load_before'].split()[0]}")
    ratios = []
    med = lambda rs, k: statistics.median([float(r[k]) for r in rs if r["ok"] == "1"] or [float("nan")])
    for (kind, rtt, mode, path, conc, size), rs in sorted(groups.items()):
        if path != "wormhole":
            continue
        other = groups.get((kind, rtt, mode, "classic", conc, size))
        base = groups.get((kind, 0, mode, "wormhole", conc, size)) if rtt else None
        what = f"{kind} RTT {rtt:>3} s={conc:<3}"
        k = "e2e_rate" if kind == "msg" else "e2e_MBps"
        line = f"  {what}  wormhole/classic {med(rs, k) / med(other, k):5.2f}" if other else f"  {what}  wormhole/classic     -"
        if base:
            line += f"   wormhole at RTT {rtt} / at RTT 0 {med(rs, k) / med(base, k):5.2f}"
        if other or base:
            ratios.append(line)
    for (rtt, mode, path), rs in sorted(lat_groups.items()):
        other = lat_groups.get((rtt, mode, "classic"))
        if path == "wormhole" and other:
            v = lambda g: [float(r["lat_ms"]) for r in g if r["ok"] == "1"]
            if v(rs) and v(other):
                ratios.append(f"  latency RTT {rtt:>3}  classic/wormhole median {statistics.median(v(other)) / statistics.median(v(rs)):5.2f}")
    if ratios:
        print("\nRatios of medians (msg/s, bulk MB/s; latency: classic's over wormhole's):")
        print("\n".join(ratios))
    notes = [r for r in rows if r["note"]] + [dict(r, kind="latency", conc=1, rep=r["i"]) for r in lat if r["note"]]
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
    st = sp.add_parser("stamp")
    st.add_argument("count", help="the count file (what smtp-sink -c wrote, as is)")
    st.add_argument("arrivals", help="'N monotonic-ns' for every new message counted")
    la = sp.add_parser("latency")
    la.add_argument("--rtt", type=int, required=True)
    la.add_argument("--mode", default="proxy")
    la.add_argument("--path", required=True)
    la.add_argument("--n", type=int, default=20)
    la.add_argument("--size", type=int, default=10240)
    la.add_argument("--target", required=True, help="host:port of the near site's SMTP")
    la.add_argument("--helo", default="client.tokyo.example")
    la.add_argument("--sender", default="sender@tokyo.example")
    la.add_argument("--rcpt", default="user@birlinghoven.example")
    la.add_argument("--arrivals", required=True, help="the sink's arrivals file (written by stamp)")
    la.add_argument("--queues", default="", help="comma-separated queue directories that must be empty")
    la.add_argument("--gap-s", type=float, default=0.5, help="rest before each message, queues empty")
    la.add_argument("--timeout-s", type=float, default=60)
    la.add_argument("--max-run-s", type=float, default=600)
    la.add_argument("--out", default="")
    t = sp.add_parser("table")
    t.add_argument("csv", nargs="*")
    t.add_argument("--latency", action="append", default=[], help="latency CSV (default: latency.csv beside the first)")
    a = ap.parse_args()
    if a.cmd == "count":
        print(sink_count(a.file))
    elif a.cmd == "ports":
        print(" ".join(str(x) for x in free_ports(a.n)))
    elif a.cmd == "run":
        return cmd_run(a)
    elif a.cmd == "stamp":
        return cmd_stamp(a)
    elif a.cmd == "latency":
        return cmd_latency(a)
    else:
        cmd_table(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
