#!/usr/bin/python3
"""ptbench.py — the driver of `make bench` (issue 4): runs each measure side by side with
its peers, prints one table and writes bench/out/results.json in the build tree.

  ptbench.py --build BUILDDIR --src SRCDIR --out OUTDIR [--quick] [--only M1,M2] [--profile]

Measures (names for --only): percall, openclose, fopenclose, dft, procs, getc, ml, ingest,
lineage, report, extract, publish, publish-scale, merge (store size comes with ingest,
lineage and ml).  Every comparison alternates configurations inside each round and reports medians with their spread (IQR), because the machines this runs on
are shared: read bench/README.md before reading the numbers.
"""
import argparse
import html
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time

import numpy as np

PEERS = {   # /work/shared/PEERS.md and issue 4: what each row is compared with
    "pread": "bare 430-450 ns; Darshan +140-150 ns; strace x135; ltrace x300",
    "openclose": "bare 2.1-2.3 us; Darshan +290-400 ns; PROBE +1.5 us",
    "dft": "published: DXT +21%, Score-P +20%, Recorder +16%, DFTracer +5-7% (Py: DXT +16%, DFTracer +1%)",
    "ml": "Darshan 1.024-1.033; DFTracer 1.21; PROBE 1.02; strace 2.4-3.7",
    "ingest": "LMDB 10k puts/txn MDB_APPEND ~5.7 M/s; msgpack-c unpack ~5 M/s/thread",
    "lineage": "rdflib 68 ms for 300 hops on 100 k triples, fails past ~1,000 hops",
    "size": "DFTracer 5.6 B/event (compressed), Recorder 13, Score-P 50",
}


def med(v):
    return float(np.median(v)) if len(v) else float("nan")


def pct(v, q):
    return float(np.percentile(v, q)) if len(v) else float("nan")


def iqr(v):
    return [pct(v, 25), pct(v, 75)]


def summary(v):
    """median, IQR, min, max and n of a list: what every figure of results.json carries"""
    v = [float(x) for x in v]
    return {"median": med(v), "iqr": iqr(v), "min": min(v) if v else None,
            "max": max(v) if v else None, "n": len(v)}


def fmt_ns(x):
    if x != x:
        return "-"
    if abs(x) >= 1e6:
        return "%.2f ms" % (x / 1e6)
    if abs(x) >= 10000:
        return "%.1f us" % (x / 1000)
    return "%.0f ns" % x


def fmt_delta(x, lo, hi, unit="ns"):
    return "%+.0f %s [%+.0f..%+.0f]" % (x, unit, lo, hi)


def fmt_ratio(x, lo=None, hi=None):
    if x != x:
        return "-"
    if lo is None:
        return "x%.3f" % x if x < 10 else "x%.0f" % x
    if x >= 10:
        return "x%.0f [%.0f..%.0f]" % (x, lo, hi)
    return "x%.3f [%.3f..%.3f]" % (x, lo, hi)


def verdict(median, spread, limit, width=0.10):
    """met / not met, or "noisy" when the rounds disagree by more than `width` (a ratio
    measured while other jobs load the machine says little about a 1-3 % target)"""
    if spread[1] - spread[0] > width:
        return "noisy"
    return median <= limit


def fmt_ms(x):
    return "%.1f ms" % (x * 1e3) if x == x else "-"


def log(msg):
    sys.stderr.write("[bench %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class Collector:
    """A provtrace-collectd started by the suite (not through provtrace-run), so that
    microbenchmark processes find a live collector draining their regions."""

    def __init__(self, bench, name, interval=None):
        self.b = bench
        self.dir = os.path.join(bench.tmp, name)
        os.makedirs(self.dir, mode=0o700)
        self.spool = os.path.join(self.dir, "spool")
        os.makedirs(self.spool, mode=0o700)
        if bench.shm:
            # memory-backed like provtrace-run's default: a region on a disk file system
            # pays a page-cache allocation at every first touch
            self.spool = tempfile.mkdtemp(prefix="ptb-%s-" % name, dir=bench.shm)
        self.sock = os.path.join(self.dir, "c.sock")
        self.store = os.path.join(self.dir, "store.mdb")
        self.logfile = os.path.join(self.dir, "collectd.log")
        r, w = os.pipe()
        cmd = [bench.prog("provtrace-collectd"), "-s", self.sock, "-S", self.spool,
               "-d", self.store, "-l", self.logfile, "-r", str(w)]
        if interval:
            cmd += ["-i", str(interval)]
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, pass_fds=(w,), env=bench.env_base())
        os.close(w)
        ok = os.read(r, 1)
        os.close(r)
        if ok != b"R":
            raise RuntimeError("collector did not start (see %s)" % self.logfile)

    def env(self):
        return {"LD_PRELOAD": self.b.shim, "PROVTRACE_SPOOL": self.spool,
                "PROVTRACE_SOCKET": self.sock}

    def stop(self):
        """SIGTERM, wait; returns (wall s from start, cpu s of the collector)"""
        self.proc.send_signal(signal.SIGTERM)
        _, status, ru = os.wait4(self.proc.pid, 0)
        self.proc.returncode = status
        wall = time.perf_counter() - self.t0
        if self.spool.startswith(self.b.shm or "\0"):
            shutil.rmtree(self.spool, ignore_errors=True)
        return wall, ru.ru_utime + ru.ru_stime

    def counters(self):
        return self.b.store_counters(self.store)


class Bench:
    def __init__(self, a):
        self.a = a
        self.quick = a.quick
        self.build = os.path.abspath(a.build)
        self.src = os.path.abspath(a.src)
        self.out = os.path.abspath(a.out)
        os.makedirs(self.out, exist_ok=True)
        self.shim = os.path.join(self.build, "interpose/.libs/libprovtrace.so")
        self.py = "/usr/bin/python3"
        self.darshan = os.environ.get("DARSHAN_LIB") or None
        if self.darshan and not os.path.exists(self.darshan):
            log("DARSHAN_LIB=%s does not exist: Darshan not measured" % self.darshan)
            self.darshan = None
        self.have = {t: shutil.which(t) is not None
                     for t in ("strace", "ltrace", "valgrind", "mdb_stat", "callgrind_annotate",
                               "perf")}
        self.want_profile = a.profile or not a.quick
        # a short private directory: the collector's socket path must stay under 108 bytes
        self.tmp = tempfile.mkdtemp(prefix="ptb-")
        self.shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
        self.results = {"meta": self.meta(), "measures": {}, "rows": []}
        self.rows = self.results["rows"]
        self.session = None

    # ---- helpers

    def meta(self):
        rev = subprocess.run(["git", "-C", self.src, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", self.src, "status", "--porcelain", "--",
                                "interpose", "collector", "rdf"],
                               capture_output=True, text=True).stdout.strip()
        return {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "host": socket.gethostname(),
                "kernel": platform.release(), "cpus": os.cpu_count(),
                "cpu": self.cpu_model(), "git": rev + ("+dirty" if dirty else ""),
                "quick": self.quick, "loadavg_start": os.getloadavg(),
                "darshan": os.environ.get("DARSHAN_LIB")}

    @staticmethod
    def cpu_model():
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return platform.machine()

    def prog(self, name):
        for d in ("", "bench"):
            p = os.path.join(self.build, d, name)
            if os.access(p, os.X_OK):
                return p
        raise RuntimeError("%s not built in %s" % (name, self.build))

    def env_base(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PROVTRACE_") and not k.startswith("DARSHAN")
               and k not in ("LD_PRELOAD", "DXT_ENABLE_IO_TRACE")}
        return env

    def config_env(self, cfg, coll=None):
        """environment additions and command prefix of a configuration"""
        if cfg == "bare":
            return {}, []
        if cfg == "provtrace":
            return coll.env(), []
        if cfg == "strace":
            return {}, ["strace", "-f", "-qq", "-o", "/dev/null"]
        if cfg == "ltrace":
            return {}, ["ltrace", "-f", "-o", "/dev/null"]
        if cfg == "darshan":
            e = {"LD_PRELOAD": self.darshan, "DARSHAN_ENABLE_NONMPI": "1",
                 "DARSHAN_LOGFILE": os.path.join(self.tmp, "darshan.log")}
            if os.environ.get("DARSHAN_DXT"):
                e["DXT_ENABLE_IO_TRACE"] = "1"
            return e, []
        raise ValueError(cfg)

    def spawn(self, cmd, env=None, n=1, listfile=None, keep=False, timeout=None):
        """ptb-spawn: whole-process wall and cpu times, in ns"""
        args = [self.prog("ptb-spawn"), "-n", str(n)]
        for k, v in (env or {}).items():
            args += ["-e", "%s=%s" % (k, v)]
        if listfile:
            args += ["-L", listfile]
        if keep:
            args.append("-k")
        r = subprocess.run(args + ["--"] + cmd, capture_output=True, text=True,
                           env=self.env_base(), timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError("ptb-spawn %s: %s" % (cmd[0], r.stderr.strip()))
        d = json.loads(r.stdout)
        if d["fail"]:
            log("warning: %d of %d runs of %s failed (last status %d): %s" %
                (d["fail"], len(d["ns"]), " ".join(cmd[:3]), d["status"], r.stderr.strip()[-300:]))
        return d

    def run_json(self, cmd, env=None, timeout=None):
        e = self.env_base()
        e.update(env or {})
        r = subprocess.run(cmd, capture_output=True, text=True, env=e, timeout=timeout)
        if r.returncode != 0:
            raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd[:4]), r.returncode,
                                                    r.stderr.strip()[-500:]))
        return json.loads(r.stdout.strip().splitlines()[-1])

    def store_counters(self, path):
        return self.run_json([self.prog("ptb-store"), "counters", path])

    def rounds(self, full, quick):
        return quick if self.quick else full

    def configs(self, ltrace=True):
        c = ["bare", "provtrace"]
        if self.have["strace"]:
            c.append("strace")
        if ltrace and self.have["ltrace"]:
            c.append("ltrace")
        if self.darshan:
            c.append("darshan")
        return c

    def row(self, **kw):
        self.rows.append(kw)

    def datafile(self, name, size):
        path = os.path.join(self.tmp, name)
        if not os.path.exists(path):
            with open(path, "wb") as f:
                f.write(os.urandom(size))
        return path

    # ---- (1, 2) ns added per call, and per open+close pair

    def percall(self, ops):
        f = self.datafile("data-1m", 1 << 20)
        coll = self.session
        procs = self.rounds(4, 2)
        nb = self.rounds(301, 101)
        for op in ops:
            small = op in ("openclose", "fopenclose")
            # short batches (about a millisecond): on a busy machine most of them run
            # undisturbed, and the few a context switch hits fall outside the median
            batch = 300 if small else 2000
            log("%s: interleaved batches, %d processes x %d pairs" % (op, procs, nb))
            deltas, control, real_ns, linked_ns = [], [], [], []
            for i in range(procs):
                for cfg in (("provtrace", "bare") if i % 2 else ("bare", "provtrace")):
                    env = coll.env() if cfg == "provtrace" else {}
                    d = self.run_json([self.prog("ptb-io"), "pair", op, f, str(batch), str(nb)], env)
                    dd = [b - a for a, b in zip(d["real"], d["linked"])]
                    if cfg == "provtrace":
                        if not d["interposed"]:
                            raise RuntimeError("the shim did not interpose %s" % op)
                        deltas += dd
                        linked_ns += d["linked"]
                    else:
                        control += dd
                        real_ns += d["real"]
            # separate processes, plain calls: the figure the peers are compared on
            cfgs = self.configs()
            loops = {c: [] for c in cfgs}
            rounds = self.rounds(5, 2)
            for r in range(rounds):
                order = cfgs[r % len(cfgs):] + cfgs[:r % len(cfgs)]
                for cfg in order:
                    env, pre = self.config_env(cfg, coll)
                    n = 2000 if small else 20000
                    if cfg == "strace":
                        n = 200 if small else 1000
                    elif cfg == "ltrace":
                        n = 100 if small else 300
                    d = self.run_json(pre + [self.prog("ptb-io"), "loop", op, f, str(n), "5"],
                                      env, timeout=600)
                    loops[cfg].append(med(d["ns"]))
            cg = self.callgrind_percall(op, f) if self.have["valgrind"] else {}
            m = {"pair_delta_ns": summary(deltas), "pair_control_delta_ns": summary(control),
                 "p10_delta_ns": pct(linked_ns, 10) - pct(real_ns, 10),
                 "bare_ns_in_process": summary(real_ns),
                 "process_ns": {c: summary(v) for c, v in loops.items()},
                 "callgrind_ir": cg, "batch": batch, "batches": nb, "processes": procs}
            self.results["measures"]["percall_" + op] = m
            bare = med(loops["bare"])
            trc = med(loops["provtrace"])
            d = m["pair_delta_ns"]
            ir = ""
            if cg:
                ir = "; %+.0f instr (%d -> %d)" % (cg["provtrace"] - cg["bare"], cg["bare"],
                                                    cg["provtrace"])
            peer = {c: fmt_ratio(med(loops[c]) / bare) for c in cfgs if c in ("strace", "ltrace")}
            darshan = "+%s" % fmt_ns(med(loops["darshan"]) - bare) if "darshan" in loops else None
            label = {"openclose": "(2) open+close pair",
                     "fopenclose": "(2b) fopen+fgetc+fclose"}.get(op, "(1) %s 8 B, open fd" % op)
            target = {"openclose": 150, "fopenclose": None}.get(op, 15)
            self.row(measure=label,
                     unit="ns added/call",
                     bare=fmt_ns(m["bare_ns_in_process"]["median"]),
                     provtrace=fmt_delta(d["median"], d["iqr"][0], d["iqr"][1]) + ir,
                     note="paired batches of %d calls, libc vs wrapped, in one traced process; "
                     "null test (libc vs libc, untraced) %+.0f ns; separate processes %s vs %s "
                     "(%+.0f ns)" % (batch, m["pair_control_delta_ns"]["median"],
                                     fmt_ns(trc), fmt_ns(bare), trc - bare),
                     strace=peer.get("strace"), ltrace=peer.get("ltrace"), darshan=darshan, peers=1,
                     target="<= %d ns" % target if target else "-",
                     met=d["median"] <= target if target else None)

    def callgrind_percall(self, op, f):
        """instructions per call inside ptb_cg_loop (loop overhead included in both)"""
        n = 2000 if op in ("openclose", "fopenclose") else 20000
        out = {}
        cfgs = ["bare", "provtrace"] + (["darshan"] if self.darshan else [])
        for cfg in cfgs:
            env, _ = self.config_env(cfg, self.session)
            cgf = os.path.join(self.tmp, "cg.%s.%s" % (op, cfg))
            e = self.env_base()
            e.update(env)
            r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cgf,
                                "--collect-atstart=no", "--toggle-collect=ptb_cg_loop",
                                self.prog("ptb-io"), "cg", op, f, str(n)],
                               capture_output=True, text=True, env=e)
            m = re.search(r"Collected : (\d+)", r.stderr)
            if r.returncode or not m:
                log("callgrind %s %s failed: %s" % (op, cfg, r.stderr[-300:]))
                return {}
            out[cfg] = int(m.group(1)) / n
            if cfg == "provtrace":
                self.keep_profile("percall-%s" % op, cgf)
        return out

    def keep_profile(self, name, cgf):
        """the traced run's callgrind file and its top functions (self cost)"""
        pdir = os.path.join(self.out, "profile")
        os.makedirs(pdir, exist_ok=True)
        dst = os.path.join(pdir, "callgrind.%s.out" % name)
        shutil.copyfile(cgf, dst)
        if not self.have["callgrind_annotate"]:
            return
        prof = {}
        for incl in ("no", "yes"):
            r = subprocess.run(["callgrind_annotate", "--inclusive=" + incl, "--auto=no",
                                "--threshold=99", dst], capture_output=True, text=True)
            top = []
            for line in r.stdout.splitlines():
                m = re.match(r"\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(\S.*\[.*\])\s*$", line)
                if m:
                    top.append({"ir": int(m.group(1).replace(",", "")), "pct": float(m.group(2)),
                                "fn": m.group(3)})
            prof["self" if incl == "no" else "inclusive"] = top[:30]
            with open(os.path.join(pdir, "%s.%s.txt" % (name, "self" if incl == "no" else "incl")),
                      "w") as f:
                f.write(r.stdout)
        self.results.setdefault("profiles", {})[name] = prof

    def perf_profile(self, name, pdata):
        """top symbols (kernel included) of a perf cpu-clock recording"""
        r = subprocess.run(["perf", "report", "-i", pdata, "--stdio", "-n", "--sort", "dso,sym"],
                           capture_output=True, text=True)
        pdir = os.path.join(self.out, "profile")
        os.makedirs(pdir, exist_ok=True)
        with open(os.path.join(pdir, "%s.perf.txt" % name), "w") as f:
            f.write(r.stdout)
        top = []
        for line in r.stdout.splitlines():
            m = re.match(r"\s*([\d.]+)%\s+(\d+)\s+(\S+)\s+\[(.)\]\s+(.*\S)", line)
            if m:
                top.append({"pct": float(m.group(1)), "samples": int(m.group(2)),
                            "fn": "%s %s" % (m.group(3), m.group(5))})
        self.results.setdefault("profiles", {})[name] = {"self": top[:30], "tool": "perf cpu-clock"}

    # ---- (3) DFTracer's microbenchmark, whole process

    def dft(self):
        f = self.datafile("data-4m", 4 << 20)
        coll = self.session
        rounds = self.rounds(9, 3)
        res = {}
        for lang in ("c", "python"):
            if lang == "c":
                cmd = [self.prog("ptb-io"), "dft", f, "1000", "4096"]
                k = self.rounds(20, 10)
            else:
                cmd = [self.py, os.path.join(self.src, "bench/dft.py"), f, "1000", "4096"]
                k = self.rounds(5, 3)
            cfgs = self.configs(ltrace=(lang == "c"))
            per = {c: [] for c in cfgs}
            cpu = {c: [] for c in cfgs}
            log("dft %s: %d rounds x %d processes per configuration" % (lang, rounds, k))
            for r in range(rounds):
                order = cfgs[r % len(cfgs):] + cfgs[:r % len(cfgs)]
                for cfg in order:
                    env, pre = self.config_env(cfg, coll)
                    d = self.spawn(pre + cmd, env, n=k, timeout=600)
                    per[cfg].append(med(d["ns"]))
                    cpu[cfg].append(med(d["cpu_ns"]))
            ratios = {c: [a / b for a, b in zip(per[c], per["bare"])] for c in cfgs}
            cratio = [a / b for a, b in zip(cpu["provtrace"], cpu["bare"]) if b]
            res[lang] = {"process_ns": {c: summary(v) for c, v in per.items()},
                         "ratio": {c: summary(v) for c, v in ratios.items()},
                         "cpu_ratio_provtrace": summary(cratio), "processes_per_round": k}
            rt = res[lang]["ratio"]["provtrace"]
            self.row(measure="(3) DFTracer ubench, %s" % ("C" if lang == "c" else "Python"),
                     unit="process time ratio", bare=fmt_ns(med(per["bare"])),
                     provtrace=fmt_ratio(rt["median"], *rt["iqr"]),
                     note="open, 1000 x 4 KiB read(2), close, %d processes a round: %s per process "
                     "(wall); cpu-time ratio %s%s" % (
                         k, ("%+.0f us" % ((med(per["provtrace"]) - med(per["bare"])) / 1e3)),
                         fmt_ratio(med(cratio)), self.dft_callgrind(cmd) if lang == "c" else ""),
                     strace=fmt_ratio(res[lang]["ratio"]["strace"]["median"]) if "strace" in cfgs else None,
                     ltrace=fmt_ratio(res[lang]["ratio"]["ltrace"]["median"]) if "ltrace" in cfgs else None,
                     darshan=fmt_ratio(res[lang]["ratio"]["darshan"]["median"]) if "darshan" in cfgs else None,
                     peers=1,
                     target="<= 1.03" if lang == "c" else "<= 1.01",
                     met=verdict(rt["median"], rt["iqr"], 1.03 if lang == "c" else 1.01))
        self.results["measures"]["dft"] = res

    def dft_callgrind(self, cmd):
        """user-space instructions of the whole C process, bare and traced"""
        if not self.have["valgrind"]:
            return ""
        ir = {}
        for cfg in ("bare", "provtrace"):
            env, _ = self.config_env(cfg, self.session)
            e = self.env_base()
            e.update(env)
            r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" +
                                os.path.join(self.tmp, "cg.dft." + cfg)] + cmd,
                               capture_output=True, text=True, env=e)
            m = re.search(r"Collected : (\d+)", r.stderr)
            if not m:
                return ""
            ir[cfg] = int(m.group(1))
        self.keep_profile("dft-c-process", os.path.join(self.tmp, "cg.dft.provtrace"))
        self.results["measures"].setdefault("dft_callgrind", ir)
        return "; user-space instructions %d k -> %d k (+%d k)" % (
            ir["bare"] / 1e3, ir["provtrace"] / 1e3, (ir["provtrace"] - ir["bare"]) / 1e3)


    # ---- (10) a getc_unlocked loop over 100 MB: the shim's share is per refill

    def getc(self):
        f = self.datafile("data-100m", 100 << 20)
        coll = self.session
        rounds = self.rounds(11, 3)
        k = self.rounds(5, 2)
        cmd = [self.prog("ptb-io"), "getc", f]
        cfgs = self.configs()
        peer_rounds = min(rounds, 3)
        per = {c: [] for c in cfgs}
        cpu = {c: [] for c in cfgs}
        log("getc: %d rounds x %d processes bare and traced (peers: %d rounds x 1)" %
            (rounds, k, peer_rounds))
        for r in range(rounds):
            order = cfgs[r % len(cfgs):] + cfgs[:r % len(cfgs)]
            for cfg in order:
                main = cfg in ("bare", "provtrace")
                if not main and r >= peer_rounds:
                    continue
                env, pre = self.config_env(cfg, coll)
                d = self.spawn(pre + cmd, env, n=k if main else 1, timeout=600)
                per[cfg].append(med(d["ns"]))
                cpu[cfg].append(med(d["cpu_ns"]))
        ratios = {c: [a / b for a, b in zip(per[c], per["bare"])] for c in cfgs}
        cratio = [a / b for a, b in zip(cpu["provtrace"], cpu["bare"]) if b]
        blk = os.stat(f).st_blksize or 4096
        res = {"process_ns": {c: summary(v) for c, v in per.items()},
               "ratio": {c: summary(v) for c, v in ratios.items()},
               "cpu_ratio_provtrace": summary(cratio), "processes_per_round": k,
               "bytes": os.path.getsize(f), "buffer": blk}
        ir = self.getc_callgrind(blk)
        res["callgrind"] = ir
        self.results["measures"]["getc"] = res
        rt = res["ratio"]["provtrace"]
        note = ("fopen, getc_unlocked to the end, fclose (the macro calls __uflow once per %d-byte "
                "refill: %d refills); %d processes a round: %+.1f ms per process (wall); cpu-time "
                "ratio %s" % (blk, res["bytes"] // blk, k,
                              (med(per["provtrace"]) - med(per["bare"])) / 1e6, fmt_ratio(med(cratio))))
        if ir:
            note += ("; callgrind on %d MiB: %.3f -> %.3f instr/byte, %+.0f instr per refill "
                     "(fopen and fclose included)" % (ir["bytes"] >> 20, ir["bare"] / ir["bytes"],
                                                      ir["provtrace"] / ir["bytes"], ir["per_refill"]))
        peer = lambda c: fmt_ratio(med(ratios[c])) if c in cfgs else None
        self.row(measure="(10) getc_unlocked loop, 100 MB", unit="process time ratio",
                 bare=fmt_ns(med(per["bare"])), provtrace=fmt_ratio(rt["median"], *rt["iqr"]),
                 note=note, strace=peer("strace"), ltrace=peer("ltrace"), darshan=peer("darshan"),
                 peers=1, target="<= 1.02", met=verdict(rt["median"], rt["iqr"], 1.02))

    # ---- (12) reading hyperparameters and metrics from a run's files after the job
    def extract_run(self, name, cmd, cwd):
        run = os.path.join(self.tmp, name)
        shutil.rmtree(run, ignore_errors=True)
        env = self.env_base()
        subprocess.run([os.path.join(self.build, "scripts", "provtrace"), "run", "-q", "-o", run,
                        "--"] + cmd, check=True, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
        return run

    def extract_time(self, run, rounds):
        """median wall time of provtrace stat --json: extracting (force) and not (0)"""
        stat = os.path.join(self.build, "provtrace-stat")
        per = {"force": [], "0": []}
        env = self.env_base()
        env["PROVTRACE_RULES"] = os.path.join(self.src, "share", "ml.rules")
        subprocess.run([stat, run], check=True, env=env, stdout=subprocess.DEVNULL)  # indexed
        facts = None
        for r in range(rounds):
            for mode in (("force", "0") if r % 2 == 0 else ("0", "force")):
                env["PROVTRACE_EXTRACT"] = mode
                t = time.perf_counter()
                out = subprocess.run([stat, "--json", run], check=True, env=env,
                                     capture_output=True, text=True).stdout
                per[mode].append(time.perf_counter() - t)
                if mode == "force":
                    d = json.loads(out)
                    facts = (len(d["ml_processes"]), len(d["ml_gaps"]),
                             len(d.get("ml_descriptions", [])))
        return med(per["force"]) - med(per["0"]), med(per["0"]), facts

    def extract(self):
        rounds = self.rounds(9, 3)
        work = os.path.join(self.tmp, "extract")
        os.makedirs(work, exist_ok=True)
        ex = os.path.join(self.src, "examples", "train_ml.py")
        subprocess.run([self.py, "-c", textwrap.dedent("""
            import numpy as np
            rows = [(((i * 37) % 100) / 50 - 1, ((i * 61) % 100) / 50 - 1, float(i % 2))
                    for i in range(2000)]
            np.save("shard-0.npy", np.array(rows))
            open("cfg.yaml", "w").write("model: {hidden: 64}\\noptimizer: {lr: 0.1, momentum: 0.9}\\n"
                                        "batch_size: 64\\nepochs: 20\\n")
            """)], check=True, cwd=work)
        runs = []
        cmd = "; ".join("'%s' '%s' --config cfg.yaml --data shard-0.npy --out o%d --lr 0.%d" %
                        (self.py, ex, k, k + 1) for k in range(3))
        runs.append(("ML pipeline: 3 x train_ml.py, 20 epochs",
                     self.extract_run("extract-ml", ["sh", "-c", cmd], work)))
        logs = textwrap.dedent("""
            for i in range(10000):
                with open("log-%05d.csv" % i, "w") as f:
                    f.write("step,loss,acc\\n" + "".join("%d,%g,%g\\n" % (s, 1 / (s + 1), s / 10)
                                                        for s in range(10)))
            """)
        runs.append(("a run that wrote 10^4 CSV logs of 10 steps",
                     self.extract_run("extract-10k", [self.py, "-c", logs], work)))
        # describe rules: 10^4 NPY headers (share/ml.rules' `extract *.npy describe`)
        npys = textwrap.dedent("""
            import numpy as np
            for i in range(10000):
                np.save("arr-%05d.npy" % i, np.zeros((i % 7 + 1, 3), dtype=np.float32))
            """)
        runs.append(("a run that wrote 10^4 NPY files (describe)",
                     self.extract_run("extract-10k-npy", [self.py, "-c", npys], work)))
        for label, run in runs:
            dt, base, facts = self.extract_time(run, rounds)
            self.row(measure="(12) extraction: " + label, unit="ms added to the first stat",
                     bare="%.0f ms" % (base * 1e3), provtrace="%+.0f ms" % (dt * 1e3),
                     note="provtrace stat --json with PROVTRACE_EXTRACT=force against =0, %d "
                          "alternating rounds, medians; %s processes with facts, %s files not read, "
                          "%s files described" % (rounds, facts[0], facts[1], facts[2]))
        self.results["measures"]["extract"] = [r for r in self.rows if "extraction" in r["measure"]]

    # ---- (13) publish against Virtuoso's bulk loader; one export of a job's 64 node stores

    def timed(self, cmd, env=None):
        """wall seconds and peak RSS (KiB) of cmd, measured by /usr/bin/time -v"""
        tf = os.path.join(self.tmp, "time.txt")
        t = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-v", "-o", tf] + cmd, check=True, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        dt = time.perf_counter() - t
        with open(tf) as f:
            rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", f.read()).group(1))
        return dt, rss

    def publish(self):
        """bench/publish/bench.sh: provtrace publish and Virtuoso's bulk loader, same triples"""
        if not all(os.access(p, os.X_OK) for p in ("/usr/bin/virtuoso-t", "/usr/bin/isql-vt",
                                                    "/usr/bin/time")):
            log("publish: Virtuoso (virtuoso-opensource) or /usr/bin/time missing: row skipped")
            return
        env = self.env_base()
        env["PROVTRACE_VIRTUOSO_HTTP"] = os.environ.get("PROVTRACE_VIRTUOSO_HTTP", "18892")
        n = 10 ** 4 if self.quick else 10 ** 5
        out = subprocess.run(["sh", os.path.join(self.src, "bench", "publish", "bench.sh"),
                              "-n", str(n), self.build], check=True, env=env,
                             capture_output=True, text=True).stdout
        rows = [[c.strip() for c in l.strip("|").split("|")] for l in out.splitlines()
                if l.startswith("| ") and not l.startswith("| program") and "---" not in l]
        for c in rows:
            self.row(measure="(13) publish %s events: %s" % ("10^%d" % len(str(n)[1:]), c[0]),
                     unit="s; triples/s", provtrace="%s s; %s/s" % (c[3], c[4]),
                     note="%s: %s triples, peak RSS %s MiB (bench/publish/bench.sh -n %d)"
                          % (c[1], c[2], c[5] if len(c) > 5 else "-", n))
        self.results["measures"]["publish"] = {"events": n, "table": out}

    def publish_scale(self):
        """bench/publish/bench.sh -s: publish 10^7 events (10^6 with --quick) to a sink that keeps
        nothing, for the publisher's own time and peak RSS at the issue's scale"""
        if not os.access("/usr/bin/time", os.X_OK):
            log("publish-scale: /usr/bin/time missing: row skipped")
            return
        n = 10 ** 6 if self.quick else 10 ** 7
        # with Virtuoso, its bulk loader on the same triples beside the publish
        bulk = ["-b"] if all(os.access(p, os.X_OK) for p in ("/usr/bin/virtuoso-t",
                                                            "/usr/bin/isql-vt")) else []
        env = self.env_base()
        env["PROVTRACE_VIRTUOSO_HTTP"] = os.environ.get("PROVTRACE_VIRTUOSO_HTTP", "18892")
        out = subprocess.run(["sh", os.path.join(self.src, "bench", "publish", "bench.sh"),
                              "-s"] + bulk + ["-n", str(n), self.build], check=True, env=env,
                             capture_output=True, text=True).stdout
        rows = [[c.strip() for c in l.strip("|").split("|")] for l in out.splitlines()
                if l.startswith("| ") and not l.startswith("| program") and "---" not in l]
        for c in rows:
            pub = "publish" in c[0]
            self.row(measure="(13) 10^%d events: %s" % (len(str(n)[1:]), c[0]),
                     unit="s; triples/s", provtrace="%s s; %s/s" % (c[3], c[4]),
                     target="<= 100 MiB RSS" if pub else "-",
                     met=(float(c[5]) <= 100) if pub else None,
                     note="%s: %s triples, peak RSS %s MiB (bench/publish/bench.sh -s %s-n %d)"
                          % (c[1], c[2], c[5], "-b " if bulk else "", n))
        self.results["measures"]["publish-scale"] = {"events": n, "table": out}

    def merge(self):
        """one export of a job's 64 node stores against one store of the same events"""
        if not os.access("/usr/bin/time", os.X_OK):
            log("merge: /usr/bin/time missing: row skipped")
            return
        mk = os.path.join(self.build, "tests", "rdf", "mkstore")
        exp = os.path.join(self.build, "provtrace-export")
        n = 2 * 10 ** 4 if self.quick else 10 ** 5
        res = {}
        for k in (1, 64):
            run = os.path.join(self.tmp, "merge-%d" % k)
            shutil.rmtree(run, ignore_errors=True)
            cmd = [mk, "bench", str(n), run] if k == 1 else [mk, "nodes", str(k), str(n), run]
            subprocess.run(cmd, check=True, stderr=subprocess.DEVNULL)
            nt = os.path.join(self.tmp, "merge.nt")
            subprocess.run([exp, "-q", "-f", "ntriples", "-o", nt, run], check=True)  # indexed
            dt, rss = self.timed([exp, "-q", "-f", "ntriples", "-o", nt, run])
            with open(nt, "rb") as f:
                triples = sum(1 for _ in f)
            res[k] = (dt, rss, triples)
            shutil.rmtree(run, ignore_errors=True)
            self.row(measure="(13) export of %d node store%s, %d events" % (k, "s" if k > 1 else "", n),
                     unit="s; triples/s", provtrace="%.1f s; %.0f/s" % (dt, triples / dt),
                     note="tests/rdf/mkstore %s, then provtrace-export -f ntriples (second run, "
                          "indexed): %d triples, peak RSS %.0f MiB" % (
                              "bench" if k == 1 else "nodes %d" % k, triples, rss / 1024))
        self.results["measures"]["merge"] = {str(k): {"seconds": v[0], "rss_kib": v[1],
                                                      "triples": v[2]} for k, v in res.items()}

    def getc_callgrind(self, blk):
        """user-space instructions of ptb_getc_loop (fopen to fclose) on 8 MiB, bare and traced"""
        if not self.have["valgrind"]:
            return {}
        f = self.datafile("data-8m", 8 << 20)
        out = {"bytes": os.path.getsize(f)}
        for cfg in ("bare", "provtrace"):
            env, _ = self.config_env(cfg, self.session)
            e = self.env_base()
            e.update(env)
            cgf = os.path.join(self.tmp, "cg.getc." + cfg)
            r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cgf,
                                "--collect-atstart=no", "--toggle-collect=ptb_getc_loop",
                                self.prog("ptb-io"), "getc", f], capture_output=True, text=True, env=e)
            m = re.search(r"Collected : (\d+)", r.stderr)
            if r.returncode or not m:
                log("callgrind getc %s failed: %s" % (cfg, r.stderr[-300:]))
                return {}
            out[cfg] = int(m.group(1))
        self.keep_profile("getc", os.path.join(self.tmp, "cg.getc.provtrace"))
        out["per_refill"] = (out["provtrace"] - out["bare"]) / (out["bytes"] / blk)
        return out

    # ---- (4) ML pipeline with Pool workers, whole job

    def ml(self):
        nshards = 400
        epochs = self.rounds(16, 3)
        workers = 4
        data = os.path.join(self.out, "ml-data-%d" % nshards)
        if not os.path.exists(os.path.join(data, "shard-%03d.npz" % (nshards - 1))):
            log("ml: writing %d shards" % nshards)
            subprocess.run([self.py, os.path.join(self.src, "examples/make_shards.py"),
                            data, str(nshards)], check=True, env=self.env_base())
        shard_bytes = sum(os.path.getsize(os.path.join(data, n)) for n in os.listdir(data)
                          if n.startswith("shard-"))
        script = os.path.join(self.src, "examples/train_pool.py")
        ckpt = os.path.join(self.tmp, "ckpt")
        # "shim": preloaded with no collector, which separates the shim's own cost from
        # the collector's and the launcher's
        # "nohash": provtrace with the collector's content hashes off (PROVTRACE_HASH=0):
        # the difference to `provtrace` is what hashing costs the job
        cfgs = ["bare", "provtrace", "shim", "nohash"] + \
            (["strace"] if self.have["strace"] else []) + (["darshan"] if self.darshan else [])
        rounds = self.rounds(7, 3)
        strace_rounds = self.rounds(3, 1)
        per = {c: [] for c in cfgs}
        cpu = {c: [] for c in cfgs}
        pairs = {c: [] for c in cfgs}
        checks = []
        last_run = None
        log("ml: %d rounds, %d shards, %d epochs, %d workers" % (rounds, nshards, epochs, workers))
        for r in range(rounds):
            order = cfgs[r % len(cfgs):] + cfgs[:r % len(cfgs)]
            got = {}
            for cfg in order:
                if cfg == "strace" and r >= strace_rounds:
                    continue
                shutil.rmtree(ckpt, ignore_errors=True)
                cmd = [self.py, script, data, ckpt, str(epochs), str(workers)]
                env, pre = self.config_env(cfg, None) if cfg not in ("provtrace", "shim", "nohash") \
                    else ({}, [])
                spool = None
                if cfg == "shim":
                    spool = tempfile.mkdtemp(prefix="ptb-ml-", dir=self.shm or self.tmp)
                    env = {"LD_PRELOAD": self.shim, "PROVTRACE_SPOOL": spool}
                if cfg == "provtrace":
                    rundir = os.path.join(self.tmp, "ml-run-%d" % r)
                    cmd = [self.prog("provtrace-run"), "-q", "-o", rundir, "--"] + cmd
                    env = {"PROVTRACE_TMPDIR": self.tmp}
                if cfg == "nohash":
                    nrun = os.path.join(self.tmp, "ml-nohash-%d" % r)
                    cmd = [self.prog("provtrace-run"), "-q", "-o", nrun, "--"] + cmd
                    env = {"PROVTRACE_TMPDIR": self.tmp, "PROVTRACE_HASH": "0"}
                d = self.spawn(pre + cmd, env, n=1, timeout=1800)
                if spool:
                    shutil.rmtree(spool, ignore_errors=True)
                got[cfg] = d["ns"][0]
                per[cfg].append(d["ns"][0])
                cpu[cfg].append(d["cpu_ns"][0])
                if cfg == "nohash":
                    shutil.rmtree(nrun, ignore_errors=True)
                if cfg == "provtrace":
                    checks.append(self.ml_check(rundir, nshards, epochs, workers, shard_bytes))
                    if last_run:
                        shutil.rmtree(last_run, ignore_errors=True)
                    last_run = rundir
            for c in got:
                pairs[c].append(got[c] / got["bare"])
        res = {"wall_ns": {c: summary(v) for c, v in per.items()},
               "ratio": {c: summary(v) for c, v in pairs.items()},
               "cpu_ratio_provtrace": summary([a / b for a, b in zip(cpu["provtrace"], cpu["bare"])]),
               "cpu_ratio_shim": summary([a / b for a, b in zip(cpu["shim"], cpu["bare"])]),
               "capture": checks, "shards": nshards, "epochs": epochs, "workers": workers}
        res["cpu_ratio_nohash"] = summary([a / b for a, b in zip(cpu["nohash"], cpu["bare"])])
        hashes = {}
        if last_run:
            try:
                hashes = json.loads(subprocess.run(
                    [self.prog("provtrace-stat"), "--json", last_run], capture_output=True,
                    check=True, env=self.env_base()).stdout).get("hashes", {})
            except (subprocess.CalledProcessError, ValueError):
                hashes = {}
            res["hashes"] = hashes
        if last_run:
            st = self.store_counters(last_run)
            res["store"] = st
            res["store_bytes_per_event"] = st["store_bytes"] / max(st["events"], 1)
        self.results["measures"]["ml"] = res
        rt = res["ratio"]["provtrace"]
        allok = all(c["ok"] for c in checks)
        self.row(measure="(4) ML pipeline, Pool workers",
                 unit="job wall ratio",
                 bare="%.2f s" % (med(per["bare"]) / 1e9),
                 provtrace=fmt_ratio(rt["median"], *rt["iqr"]),
                 note="%d shards, Pool(%d), %d epochs, checkpoints via rename; provtrace-run with "
                 "collector start/stop and content hashes (%s versions hashed, %s not); "
                 "cpu-time ratio %s; hashing off (PROVTRACE_HASH=0) wall %s, cpu %s; "
                 "shim alone (no collector) wall %s, "
                 "cpu %s; workers' reads captured: %s" % (
                     nshards, workers, epochs, hashes.get("hashed", "?"),
                     hashes.get("not_hashed", "?"),
                     fmt_ratio(res["cpu_ratio_provtrace"]["median"]),
                     fmt_ratio(res["ratio"]["nohash"]["median"]),
                     fmt_ratio(res["cpu_ratio_nohash"]["median"]),
                     fmt_ratio(res["ratio"]["shim"]["median"]),
                     fmt_ratio(res["cpu_ratio_shim"]["median"]),
                     "yes, every round (%s)" % checks[-1]["summary"] if allok
                     else "NO: " + "; ".join(c["summary"] for c in checks if not c["ok"])),
                 strace=fmt_ratio(res["ratio"]["strace"]["median"]) if "strace" in res["ratio"] else None,
                 darshan=fmt_ratio(res["ratio"]["darshan"]["median"]) if "darshan" in res["ratio"] else None,
                 peers=1,
                 target="<= 1.01 + capture",
                 met=False if not allok else verdict(rt["median"], rt["iqr"], 1.01))
        if last_run:
            self.row(measure="(7) store size, ML run (compacted)", unit="B/event",
                     provtrace="%.0f" % res["store_bytes_per_event"],
                     note="%d events in RUNDIR/nodes; a small store pays LMDB's fixed pages (15 "
                     "sub-databases)" % res["store"]["events"], target="<= 100 B", met=None)

    def ml_check(self, rundir, nshards, epochs, workers, shard_bytes):
        """every Pool worker read shards, every shard was read each epoch, bytes add up"""
        d = self.run_json([self.prog("ptb-store"), "readers", rundir, "/shard-"])
        stat = self.run_json([self.prog("provtrace-stat"), "--json", rundir])
        top = [p for p in d["all"] if p["parent"] == 0]
        top_id = top[0]["proc"] if top else None
        kids = [p["proc"] for p in d["all"] if p["parent"] == top_id]
        readers = {p["proc"]: p for p in d["procs"]}
        worker_reads = [readers[k] for k in kids if k in readers]
        sessions = sum(p["sessions"] for p in worker_reads)
        nbytes = sum(p["bytes"] for p in worker_reads)
        ok = (len(kids) == workers and len(worker_reads) == workers and d["files"] == nshards
              and sessions >= nshards * epochs and stat.get("dropped", 0) == 0)
        return {"ok": ok, "workers": len(kids), "workers_reading": len(worker_reads),
                "shards_seen": d["files"], "shard_sessions": sessions,
                "shard_bytes_read": nbytes, "shard_bytes_expected": shard_bytes * epochs,
                "parent_shard_reads": readers.get(top_id, {}).get("sessions", 0),
                "stat": stat,
                "summary": "%d/%d workers read, %d/%d shards, %d sessions, %.2f of the bytes" % (
                    len(worker_reads), workers, d["files"], nshards, sessions,
                    nbytes / max(shard_bytes * epochs, 1))}

    # ---- (5) collector ingest

    def ingest(self):
        procs = 2
        pairs = self.rounds(500000, 150000)
        f = os.path.join(self.tmp, "churn")
        res = {"producers": procs, "pairs_per_producer": pairs}
        churn = [self.prog("ptb-io"), "churn", f, str(pairs), "1"]

        def producers(env):
            e = self.env_base()
            e.update(env)
            ps = [subprocess.Popen(churn[:2] + [f + ".%d" % i] + churn[3:], env=e,
                                   stdout=subprocess.PIPE, text=True) for i in range(procs)]
            outs = [json.loads(p.communicate()[0]) for p in ps]
            if any(p.returncode for p in ps):
                raise RuntimeError("churn producer failed")
            return outs

        log("ingest: bare producers")
        t0 = time.perf_counter()
        producers({})
        res["bare_producers_s"] = time.perf_counter() - t0

        # live: producers at full speed against a running collector (10 ms batches)
        log("ingest: live, %d producers x %d open+close pairs" % (procs, pairs))
        c = Collector(self, "ingest-live")
        perf = None
        pdata = os.path.join(self.tmp, "collectd.perf")
        if self.want_profile and self.have["perf"]:
            # software clock sampling works where hardware counters are not exposed (VMs)
            perf = subprocess.Popen(["perf", "record", "-q", "-e", "cpu-clock", "-F", "4000",
                                     "-o", pdata, "-p", str(c.proc.pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.3)
        t0 = time.perf_counter()
        producers(c.env())
        t1 = time.perf_counter()
        wall, ccpu = c.stop()
        t2 = time.perf_counter()
        if perf:
            perf.wait(timeout=60)
            self.perf_profile("collectd-live", pdata)
        cnt = c.counters()
        ev = cnt["events"]
        res["live"] = {"events": ev, "producers_s": t1 - t0, "until_drained_s": t2 - t0,
                       "collector_cpu_s": ccpu, "events_per_s": ev / (t2 - t0),
                       "events_per_cpu_s": ev / ccpu if ccpu else None,
                       "dropped": cnt["dropped"], "torn": cnt["torn"],
                       "store_bytes": cnt["store_bytes"], "log_bytes": cnt["log_bytes"],
                       "bytes_per_event": cnt["store_bytes"] / max(ev, 1),
                       "log_bytes_per_event": cnt["log_bytes"] / max(ev, 1)}
        # offline: the same records written with no collector, then drained at once
        log("ingest: spool filled offline, drained by provtrace-collectd --once")
        spool = tempfile.mkdtemp(prefix="ptb-once-", dir=self.shm or self.tmp)
        store = os.path.join(self.tmp, "once.mdb")
        producers({"LD_PRELOAD": self.shim, "PROVTRACE_SPOOL": spool,
                   "PROVTRACE_BUFSIZE": "%d" % (1 << 26)})
        d = self.spawn([self.prog("provtrace-collectd"), "--once", "-S", spool, "-d", store])
        cnt2 = self.store_counters(store)
        shutil.rmtree(spool, ignore_errors=True)
        res["once"] = {"events": cnt2["events"], "s": d["ns"][0] / 1e9,
                       "cpu_s": d["cpu_ns"][0] / 1e9,
                       "events_per_s": cnt2["events"] / (d["ns"][0] / 1e9),
                       "dropped": cnt2["dropped"]}
        os.unlink(store)
        self.results["measures"]["ingest"] = res
        lv = res["live"]
        self.row(measure="(5) collector ingest to LMDB",
                 unit="events/s stored",
                 bare="%.0f k/s made" % (2 * procs * pairs / res["bare_producers_s"] / 1e3),
                 provtrace="%.0f k/s (%.0f k per cpu-s)" % (
                     lv["events_per_s"] / 1e3, (lv["events_per_cpu_s"] or 0) / 1e3),
                 note="%d producers x %d open+close pairs at full speed, live collector (log only, "
                 "no fsync, batches paced by ring fill), until drained; producer drops %d, producers took x%.2f their "
                 "untraced time; pre-filled spool drained by --once: %.0f k/s; 'bare' = the "
                 "producers' own event rate untraced"
                 % (procs, pairs, lv["dropped"], lv["producers_s"] / res["bare_producers_s"],
                    res["once"]["events_per_s"] / 1e3),
                 target=">= 5 M/s, 0 drops",
                 met=lv["events_per_s"] >= 5e6 and lv["dropped"] == 0)
        self.row(measure="(7) store size, ingest run (live)", unit="B/event",
                 provtrace="%.0f log, %.0f indexed" % (lv["log_bytes_per_event"],
                                                       lv["bytes_per_event"]),
                 note="log: the store the collector wrote; indexed: after the first query "
                 "indexed it in place", target="<= 100 B",
                 met=lv["bytes_per_event"] <= 100)

    # ---- (8) fixed cost per traced process, (9) the launcher's start and stop

    def procs(self):
        coll = self.session
        n = self.rounds(1000, 200)
        rounds = self.rounds(7, 3)
        per = {"bare": [], "provtrace": []}
        faults = {"bare": [], "provtrace": []}
        log("procs: %d rounds x %d posix_spawn of /bin/true, bare and traced" % (rounds, n))
        for r in range(rounds):
            for cfg in (["bare", "provtrace"] if r % 2 == 0 else ["provtrace", "bare"]):
                env, pre = self.config_env(cfg, coll)
                d = self.spawn(pre + ["/bin/true"], env, n=n)
                per[cfg].append(med(d["ns"]))
                faults[cfg].append(med(d.get("minflt", [0])))
        added = [t - b for t, b in zip(per["provtrace"], per["bare"])]
        res = {"process_ns": {c: summary(v) for c, v in per.items()},
               "added_ns": summary(added), "per_round": n,
               "minflt": {c: med(v) for c, v in faults.items()}}
        a = res["added_ns"]
        self.row(measure="(8) fixed cost per traced process", unit="us added/process",
                 bare=fmt_ns(med(per["bare"])),
                 provtrace=fmt_delta(a["median"] / 1e3, a["iqr"][0] / 1e3, a["iqr"][1] / 1e3,
                                     "us"),
                 note="%d posix_spawn + wait of /bin/true per round, median per round, %d "
                 "alternating rounds, against the suite's live collector (loader, constructor, "
                 "region, announcement, PROC_START/EXIT, libraries at exit); page faults per "
                 "process %.0f bare, %.0f traced" % (n, rounds, res["minflt"]["bare"],
                                                     res["minflt"]["provtrace"]),
                 target="<= +30 us", met=verdict(a["median"], a["iqr"], 30e3, width=30e3))
        # provtrace run -- /bin/true: the launcher, collector start and stop, store copy
        k = self.rounds(20, 8)
        lst = os.path.join(self.tmp, "runs.txt")
        wall = {"bare": [], "provtrace": []}
        for r in range(rounds):
            with open(lst, "w") as f:
                for i in range(k):
                    f.write(os.path.join(self.tmp, "true-%d-%d" % (r, i)) + "\n")
            for cfg in (["bare", "provtrace"] if r % 2 == 0 else ["provtrace", "bare"]):
                if cfg == "bare":
                    d = self.spawn(["/bin/true"], n=k)
                else:
                    d = self.spawn([self.prog("provtrace-run"), "-q", "-o", "{}", "--", "/bin/true"],
                                   {"PROVTRACE_TMPDIR": self.tmp}, listfile=lst)
                wall[cfg].append(med(d["ns"]))
            for i in range(k):
                shutil.rmtree(os.path.join(self.tmp, "true-%d-%d" % (r, i)), ignore_errors=True)
        radd = [t - b for t, b in zip(wall["provtrace"], wall["bare"])]
        res["run_true_ns"] = {c: summary(v) for c, v in wall.items()}
        res["run_true_added_ns"] = summary(radd)
        ra = res["run_true_added_ns"]
        self.row(measure="(9) provtrace run -- /bin/true", unit="ms added",
                 bare=fmt_ns(med(wall["bare"])),
                 provtrace="%+.1f ms [%+.1f..%+.1f]" % (ra["median"] / 1e6, ra["iqr"][0] / 1e6,
                                                       ra["iqr"][1] / 1e6),
                 note="launcher, collector start (store created), job, collector stop (final "
                 "batch, copy into the run directory, fsync); %d runs a round" % k,
                 target="<= +2 ms", met=verdict(ra["median"], ra["iqr"], 2e6, width=2e6))
        self.results["measures"]["procs"] = res

    # ---- (6, 7) lineage on a generated store, and store size

    def lineage(self):
        events = self.rounds(10000000, 1000000)
        nq = self.rounds(200, 50)
        groups = self.rounds(300, 20)
        gdir = os.path.join(self.out, "gen-%d" % events)
        stamp = os.path.join(gdir, "gen.json")
        copy = os.path.join(gdir, "run/nodes/gen.mdb")
        live = os.path.join(gdir, "live.mdb")
        # -D: only the log is written, as the collector does; the first reader indexes
        gen_args = ["-D", "-e", str(events), "-c", "10000", "-Q", str(nq), "-G", str(groups)]
        gen = None
        if os.path.exists(stamp) and os.path.exists(copy):
            with open(stamp) as f:
                gen = json.load(f)
            # a rebuilt generator (or store code: it is linked in) means a new store
            if (gen.get("args") != gen_args or gen.get("store_mtime") != os.path.getmtime(copy)
                    or os.path.getmtime(self.prog("ptb-store")) > os.path.getmtime(stamp)):
                gen = None
        if gen is None:
            shutil.rmtree(gdir, ignore_errors=True)
            os.makedirs(os.path.join(gdir, "run/nodes"))
            log("lineage: generating a store of %d events through the store API" % events)
            gen = self.run_json([self.prog("ptb-store"), "gen"] + gen_args +
                                ["-q", os.path.join(gdir, "queries.txt"),
                                 "-t", os.path.join(gdir, "sub.nt"),
                                 "-T", os.path.join(gdir, "queries-sub.txt"), live, copy])
            gen["log_bytes"] = os.path.getsize(copy)
            # the deferred work: the first query indexes the store the run left
            log("lineage: the first reader indexes %d events" % events)
            d = self.spawn([self.prog("provtrace-stat"), "--json", os.path.join(gdir, "run")],
                           timeout=3600)
            gen["deferred_index_s"] = d["ns"][0] / 1e9
            gen["deferred_index_cpu_s"] = d["cpu_ns"][0] / 1e9
            # the same command on the indexed store: what stat itself costs, so that the
            # indexing alone is the difference
            d = self.spawn([self.prog("provtrace-stat"), "--json", os.path.join(gdir, "run")],
                           timeout=3600)
            gen["stat_after_s"] = d["ns"][0] / 1e9
            gen["breakdown"] = self.mdb_breakdown(copy, gen["events"])
            gen["args"] = gen_args
            gen["store_mtime"] = os.path.getmtime(copy)
            # the live store has been measured; 10^7 events of it are gigabytes
            os.unlink(live)
            if os.path.exists(live + "-lock"):
                os.unlink(live + "-lock")
            with open(stamp, "w") as f:
                json.dump(gen, f)
        else:
            log("lineage: reusing the generated store in %s" % gdir)
        run = os.path.join(gdir, "run")
        lin = self.prog("provtrace-lineage")
        res = {"store": gen}
        # warm the page cache the way a second query would find it
        warm = os.path.join(self.tmp, "warm.txt")
        with open(os.path.join(gdir, "queries.txt")) as f, open(warm, "w") as w:
            w.writelines(f.readlines()[:20])
        self.spawn([lin, "--depth", "10", "{}", run], listfile=warm)
        log("lineage: %d queries (<= 10 hops) on %d events" % (nq, events))
        q = self.spawn([lin, "--depth", "10", "{}", run], listfile=os.path.join(gdir, "queries.txt"))
        res["query_ns"] = summary(q["ns"])
        res["p95_ns"] = pct(q["ns"], 95)
        floor = self.spawn([lin, "--depth", "10", "/bench/wf000000/raw/input-0.bin", run], n=20)
        res["floor_ns"] = summary(floor["ns"])
        qs = self.spawn([lin, "--depth", "10", "{}", run],
                        listfile=os.path.join(gdir, "queries-sub.txt"))
        res["query_sub_ns"] = summary(qs["ns"])
        # the long chain: every link must come back
        ch = subprocess.run([lin, "/bench/chain/link-10000.bin", run], capture_output=True)
        res["chain_results"] = ch.stdout.count(b"\n")
        chn = self.spawn([lin, "/bench/chain/link-10000.bin", run], n=5)
        res["chain_ns"] = summary(chn["ns"])
        # the same question in SPARQL with rdflib, on the first workflows only
        log("lineage: rdflib on the N-Triples of %d workflows" % groups)
        rd = self.run_json([self.py, os.path.join(self.src, "bench/rdflib_lineage.py"), "graph",
                            os.path.join(gdir, "sub.nt"), os.path.join(gdir, "queries-sub.txt")],
                           timeout=3600)
        res["rdflib"] = {"triples": rd["triples"], "load_s": rd["load_s"],
                         "query_s": summary(rd["times_s"]), "p95_s": pct(rd["times_s"], 95)}
        # same answer? provtrace unbounded on rdflib's sample target
        for target, files in rd["sample"].items():
            pt = subprocess.run([lin, target, run], capture_output=True, text=True).stdout.split()
            res["rdflib"]["same_answer"] = sorted(pt) == sorted(files)
            res["rdflib"]["answer_sizes"] = [len(pt), len(files)]
        chains = {}
        for hops in ([300, 1000, 10000] if not self.quick else [300, 1000]):
            try:
                chains[hops] = self.run_json([self.py, os.path.join(self.src, "bench/rdflib_lineage.py"),
                                              "chain", str(hops)], timeout=600)
            except subprocess.TimeoutExpired:
                chains[hops] = {"ok": False, "error": "timeout after 600 s"}
        res["rdflib_chain"] = chains
        # the cause, isolated: the same workflows without shared read-only files
        alt = self.lineage_no_shared()
        res["no_shared_files"] = alt
        self.results["measures"]["lineage"] = res

        p50, p95 = res["query_ns"]["median"], res["p95_ns"]
        rq = res["rdflib"]["query_s"]["median"] * 1e9
        speed = rq / res["query_sub_ns"]["median"]
        self.row(measure="(6) lineage <= 10 hops, %.0e ev" % events,
                 unit="p50 / p95", bare="floor %s" % fmt_ms(res["floor_ns"]["median"] / 1e9),
                 provtrace="%s / %s" % (fmt_ms(p50 / 1e9), fmt_ms(p95 / 1e9)),
                 note="%d queries, whole provtrace-lineage command (floor: a file with no "
                 "ancestors = exec + store open); the same workflows without shared read-only "
                 "files (%.0e events): %s / %s" % (
                     nq, alt["events"], fmt_ms(alt["p50_ns"] / 1e9), fmt_ms(alt["p95_ns"] / 1e9)),
                 target="<= 10 ms p95", met=p95 <= 10e6)
        self.row(measure="    vs rdflib SPARQL, same targets",
                 unit="median",
                 bare="rdflib %s" % fmt_ms(rq / 1e9),
                 provtrace="%s: %s" % (fmt_ms(res["query_sub_ns"]["median"] / 1e9),
                                       "%.1fx faster" % speed if speed >= 1
                                       else "%.0fx slower" % (1 / speed)),
                 note="SPARQL property path (wasGeneratedBy/wasInformedBy*/used)+ on the first "
                 "%d workflows (%d triples, loaded in %.1f s); provtrace on the whole store; same "
                 "answer: %s" % (groups, rd["triples"], rd["load_s"], res["rdflib"].get("same_answer")),
                 target=">= 10x faster", met=speed >= 10)
        ch_rdf = "; ".join("%d hops %s" % (h, ("%.0f ms" % (c["seconds"] * 1e3)) if c.get("ok")
                                              else "fails (%s)" % c.get("error", "?")[:40])
                           for h, c in chains.items())
        self.row(measure="    chain of 10^4 hops", unit="latency",
                 provtrace="%s, %d/10000 links" % (fmt_ms(res["chain_ns"]["median"] / 1e9),
                                                   res["chain_results"]),
                 note="rdflib: " + ch_rdf, target="works", met=res["chain_results"] == 10000)
        indexed = os.path.getsize(os.path.join(gdir, "run/nodes/gen.mdb"))
        ix = gen["deferred_index_s"] - gen.get("stat_after_s", 0)
        self.row(measure="(6b) deferred indexing, %.0e ev" % events, unit="s",
                 provtrace="%.1f s (first stat %.1f s, cpu %.1f s)"
                 % (ix, gen["deferred_index_s"], gen["deferred_index_cpu_s"]),
                 note="the first reader of a log-only store (as the collector leaves it) indexes "
                 "it in place before answering: the first provtrace stat less the same command "
                 "on the indexed store (%.1f s); %.0f k events/s indexed"
                 % (gen.get("stat_after_s", 0), gen["events"] / ix / 1e3),
                 target="<= 10 s", met=ix <= 10)
        self.row(measure="(7) store size, generated %.0e ev" % events, unit="B/event",
                 provtrace="%.0f log, %.0f indexed" % (gen["log_bytes"] / gen["events"],
                                                       indexed / gen["events"]),
                 note="log: what the collector writes during the run (store API ingest %.0f k ev/s, "
                 "10k events/txn); indexed: the run directory's store after its first query. "
                 "B/event by sub-database: %s" % (
                     gen["events"] / gen["ingest_s"] / 1e3,
                     ", ".join("%s %.0f" % (k, v) for k, v in
                               sorted(gen["breakdown"].items(), key=lambda kv: -kv[1])[:6])),
                 target="<= 100 B", met=indexed / gen["events"] <= 100)

    def lineage_no_shared(self):
        events = 1000000
        gdir = os.path.join(self.tmp, "gen-noshared")
        os.makedirs(os.path.join(gdir, "run/nodes"))
        copy = os.path.join(gdir, "run/nodes/gen.mdb")
        g = self.run_json([self.prog("ptb-store"), "gen", "-e", str(events), "-c", "0", "-k", "0",
                           "-Q", "50", "-q", os.path.join(gdir, "q.txt"),
                           os.path.join(gdir, "live.mdb"), copy])
        lin = self.prog("provtrace-lineage")
        args = [lin, "--depth", "10", "{}", os.path.join(gdir, "run")]
        self.spawn(args, listfile=os.path.join(gdir, "q.txt"))
        q = self.spawn(args, listfile=os.path.join(gdir, "q.txt"))
        shutil.rmtree(gdir, ignore_errors=True)
        return {"events": g["events"], "p50_ns": med(q["ns"]), "p95_ns": pct(q["ns"], 95),
                "live_bytes_per_event": g["live_bytes"] / g["events"]}

    def mdb_breakdown(self, path, events):
        """bytes per event of each LMDB sub-database (mdb_stat pages x page size)"""
        if not self.have["mdb_stat"]:
            return {}
        r = subprocess.run(["mdb_stat", "-n", "-a", path], capture_output=True, text=True)
        out, name = {}, None
        for line in r.stdout.splitlines():
            m = re.match(r"Status of (\S+)", line)
            if m:
                name = m.group(1)
                out[name] = 0
                continue
            m = re.match(r"\s+(Branch|Leaf|Overflow) pages: (\d+)", line)
            if m and name:
                out[name] += int(m.group(2)) * 4096 / events
        return {k: round(v, 1) for k, v in out.items() if v}

    # ---- profiles (make bench; bench-quick skips them)

    def profiles(self):
        if not self.have["valgrind"]:
            return
        log("profile: collector drain (--once) and one lineage query under callgrind")
        spool = tempfile.mkdtemp(prefix="ptb-prof-", dir=self.shm or self.tmp)
        subprocess.run([self.prog("ptb-io"), "churn", os.path.join(self.tmp, "prof"), "20000", "1"],
                       env=dict(self.env_base(), LD_PRELOAD=self.shim, PROVTRACE_SPOOL=spool),
                       check=True, capture_output=True)
        store = os.path.join(self.tmp, "prof.mdb")
        cgf = os.path.join(self.tmp, "cg.collectd")
        subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cgf,
                        self.prog("provtrace-collectd"), "--once", "-S", spool, "-d", store],
                       check=True, capture_output=True, env=self.env_base())
        n = self.store_counters(store)["events"]
        self.keep_profile("collectd-once", cgf)
        self.results.setdefault("profiles", {})["collectd-once-events"] = n
        shutil.rmtree(spool, ignore_errors=True)
        gdir = os.path.join(self.out, "gen-%d" % self.rounds(10000000, 1000000))
        qf = os.path.join(gdir, "queries.txt")
        if os.path.exists(qf):
            with open(qf) as f:
                target = f.readline().strip()
            cgf = os.path.join(self.tmp, "cg.lineage")
            subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cgf,
                            self.prog("provtrace-lineage"), "--depth", "10", target,
                            os.path.join(gdir, "run")], check=True, capture_output=True)
            self.keep_profile("lineage-query", cgf)

    # ---- table

    def mpi(self):
        """PMPI wrappers: bench/mpi/run.sh measures bare and traced, alternately."""
        if not shutil.which("mpicc") or not shutil.which("mpirun"):
            self.row(measure="PMPI ping-pong, 0 B, 2 ranks", unit="ns added/call",
                     provtrace="not measured (no mpicc/mpirun)", target="<= 15 ns", met=None)
            return
        rounds, iters = (5, 100000) if self.quick else (11, 200000)
        env = dict(os.environ, PTB_OUT=os.path.join(self.out, "mpi"))
        out = subprocess.run(["sh", os.path.join(self.src, "bench/mpi/run.sh"), self.build,
                              str(rounds), str(iters)], env=env, capture_output=True, text=True)
        line = [l for l in out.stdout.splitlines() if l.startswith("json ")]
        if out.returncode or not line:
            self.row(measure="PMPI ping-pong, 0 B, 2 ranks", unit="ns added/call",
                     provtrace="failed: " + (out.stderr.strip().splitlines() or ["?"])[-1][:60],
                     target="<= 15 ns", met=False)
            return
        res = json.loads(line[0][5:])
        pp, me = res.get("pingpong", {}), res.get("self", {})
        if pp:
            self.row(measure="PMPI ping-pong, 0 B, 2 ranks", unit="ns added/call",
                     bare="%.0f ns" % pp["bare_ns"],
                     provtrace="%+.1f ns (best-of %+.1f ns)" % (pp["overhead_ns"],
                                                                pp["best_overhead_ns"]),
                     target="<= 15 ns", met=pp["overhead_ns"] <= 15,
                     note="half a round trip (a send and its receive, two wrapped calls); "
                          "%d rounds x %d" % (pp["rounds"], iters))
        if me:
            self.row(measure="MPI Send+Recv, one process", unit="ns added/call",
                     bare="%.0f ns" % me["bare_ns"], provtrace="%+.1f ns" % me["overhead_ns"],
                     target="<= 15 ns", met=me["overhead_ns"] <= 15)

    # ---- (13) provtrace report of a 10^6-event run: written, its size, opened in Chromium

    REPORT_OPEN = """<!DOCTYPE html><html><body><div id="t">none</div><script>
var t0 = performance.now(), f = document.createElement('iframe');
f.style.width = '1280px'; f.style.height = '2000px';
f.onload = function () {
  var d = f.contentDocument, h = d ? d.documentElement.scrollHeight : -1;
  document.getElementById('t').textContent = 'ms ' + (performance.now() - t0) + ' h ' + h;
};
f.src = location.hash.slice(1);
document.body.appendChild(f);
</script></body></html>
"""

    def report(self):
        """provtrace-report on a synthetic store (tests/rdf/mkstore bench), then the page
        loaded into an iframe of a timing page in headless Chromium: from the iframe's
        creation to its load event plus a forced layout (its scrollHeight)"""
        events = self.rounds(1000000, 100000)
        rounds = self.rounds(5, 2)
        chromium = shutil.which("chromium") or "/usr/bin/chromium"
        mk = os.path.join(self.build, "tests/rdf/mkstore")
        if not os.access(mk, os.X_OK):
            subprocess.run(["make", "-C", self.build, "tests/rdf/mkstore"], capture_output=True)
        try:
            rep = self.prog("provtrace-report")
        except RuntimeError:
            rep = None
        if not rep or not os.access(mk, os.X_OK) or not os.access(chromium, os.X_OK):
            self.row(measure="(13) report of 10^6 events", unit="s to open, MB",
                     provtrace="not measured (needs provtrace-report, tests/rdf/mkstore, "
                               "chromium)", target="<= 3 s, <= 20 MB", met=None)
            return
        run = os.path.join(self.tmp, "report-run")
        log("report: writing a store of %d events" % events)
        subprocess.run([mk, "bench", str(events), run], check=True, capture_output=True)
        page = os.path.join(self.tmp, "report.html")
        walls, rss = [], 0
        for _ in range(rounds):
            t = time.perf_counter()
            r = subprocess.run(["/usr/bin/time", "-f", "%M", rep, "-q", "-o", page, run],
                               capture_output=True, text=True, check=True)
            walls.append(time.perf_counter() - t)
            rss = max(rss, int(r.stderr.strip().splitlines()[-1]))
        size = os.path.getsize(page)
        opener = os.path.join(self.tmp, "open.html")
        with open(opener, "w") as f:
            f.write(self.REPORT_OPEN)
        opens = []
        for i in range(rounds):
            prof = os.path.join(self.tmp, "chrome-%d" % i)
            r = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                "--no-first-run", "--disable-extensions",
                                "--disable-background-networking",
                                "--allow-file-access-from-files", "--window-size=1280,2000",
                                "--user-data-dir=" + prof, "--dump-dom",
                                "file://%s#%s" % (opener, page)],
                               capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, HOME=self.tmp))
            m = re.search(r'id="t">ms ([0-9.]+) h (-?[0-9]+)', r.stdout)
            if m and int(m.group(2)) > 0:
                opens.append(float(m.group(1)) / 1000)
            shutil.rmtree(prof, ignore_errors=True)
        folded = re.findall(r"<h3>Folded in this report</h3>\n<ul>\n(.*?)</ul>",
                            open(page, encoding="utf-8").read(), re.S)
        res = {"events": events, "write_s": walls, "peak_rss_kb": rss, "bytes": size,
               "open_s": opens,
               "folded": [html.unescape(f) for f in re.findall(r"<li>(.*?)</li>", folded[0])]
               if folded else []}
        self.results["measures"]["report"] = res
        ok = bool(opens) and med(opens) <= 3 and size <= 20e6
        self.row(measure="(13) report of %s events, opened in Chromium"
                 % ("10^6" if events == 1000000 else events), unit="s, MB",
                 provtrace="opens in %s s; %.2f MB; written in %.2f s (%.0f MiB peak RSS)"
                 % ("%.2f" % med(opens) if opens else "?", size / 1e6, med(walls), rss / 1024),
                 target="<= 3 s, <= 20 MB", met=ok,
                 note="open: iframe load + layout, headless Chromium, median of %d; folded: %s"
                      % (len(opens), "; ".join(res["folded"]) or "nothing"))

    def placeholders(self):
        self.mpi()
        self.row(measure="CUDA per-launch cost", unit="us/launch",
                 provtrace="not measured (needs a GPU)", target="<= 0.3 us", met=None)
        self.row(measure="export N-Triples / Turtle", unit="triples/s",
                 provtrace="not in this table (bench/export)",
                 target=">= 1 M/s, >= 250 k/s", met=None)

    def table(self):
        cols = [("measure", "measure"), ("unit", "unit"), ("bare", "bare"),
                ("provtrace", "provtrace (median [IQR])"), ("strace", "strace -f"),
                ("ltrace", "ltrace"), ("darshan", "Darshan"), ("target", "target"),
                ("met", "met")]
        lines = []
        for r in self.rows:
            vals = []
            for k, _ in cols:
                v = r.get(k)
                if k == "met":
                    v = "-" if v is None else v if isinstance(v, str) else ("yes" if v else "NO")
                elif k == "darshan" and v is None and r.get("peers"):
                    v = "n/m" if not self.darshan else "-"
                vals.append(v if v is not None else "-")
            lines.append(vals)
        # plain-text table, widths from the content; notes under their row
        w = [max(len(h), *(len(l[i]) for l in lines)) for i, (_, h) in enumerate(cols)]
        w[0] = min(w[0], 58)
        sep = "+".join("-" * (x + 2) for x in w)
        out = [" | ".join(h.ljust(w[i]) for i, (_, h) in enumerate(cols)), sep]
        for r, l in zip(self.rows, lines):
            out.append(" | ".join(v.ljust(w[i]) if i else v[:58].ljust(w[i])
                                  for i, v in enumerate(l)))
            if r.get("note"):
                out.append(textwrap.fill(r["note"], width=118, initial_indent="    ^ ",
                                         subsequent_indent="      "))
        m = self.results["meta"]
        head = ["provtrace bench%s — %s, %s, %d cpus, kernel %s, git %s" % (
            " (quick)" if self.quick else "", m["date"], m["cpu"], m["cpus"], m["kernel"], m["git"]),
            "load average at start %.2f, at end %.2f (other work on the machine adds noise)" % (
                m["loadavg_start"][0], m["loadavg_end"][0]),
            "Darshan: %s" % (self.darshan if self.darshan else
                             "not measured (set DARSHAN_LIB=/path/libdarshan.so)")]
        return "\n".join(head + [""] + out) + "\n"

    def run(self):
        only = set(self.a.only.split(",")) if self.a.only else None
        want = lambda m: only is None or m in only
        t0 = time.perf_counter()
        try:
            if any(want(m) for m in ("percall", "openclose", "fopenclose", "dft", "procs", "getc")):
                self.session = Collector(self, "session")
            if want("percall"):
                self.percall(["pread", "read", "write"])
            if want("openclose"):
                self.percall(["openclose"])
            if want("fopenclose"):
                self.percall(["fopenclose"])
            if want("dft"):
                self.dft()
            if want("procs"):
                self.procs()
            if want("getc"):
                self.getc()
            if self.session:
                wall, cpu = self.session.stop()
                c = self.session.counters()
                self.results["measures"]["session_collector"] = c
                if c["dropped"]:
                    log("warning: the microbenchmarks' collector counted %d dropped events"
                        % c["dropped"])
                self.session = None
            if want("ml"):
                self.ml()
            if want("ingest"):
                self.ingest()
            if want("lineage"):
                self.lineage()
            if want("report"):
                self.report()
            if want("extract"):
                self.extract()
            if want("publish"):
                self.publish()
            if want("publish-scale"):
                self.publish_scale()
            if want("merge"):
                self.merge()
            if self.want_profile and (only is None or "profile" in only):
                self.profiles()
            self.placeholders()
        finally:
            if self.session:
                self.session.stop()
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.results["meta"]["loadavg_end"] = os.getloadavg()
        self.results["meta"]["seconds"] = time.perf_counter() - t0
        text = self.table()
        sys.stdout.write(text)
        with open(os.path.join(self.out, "results.json"), "w") as f:
            json.dump(self.results, f, indent=1, sort_keys=True)
        with open(os.path.join(self.out, "table.txt"), "w") as f:
            f.write(text)
        log("done in %.0f s: %s/results.json, %s/table.txt" % (
            self.results["meta"]["seconds"], self.out, self.out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--only", default="")
    ap.add_argument("--profile", action="store_true")
    Bench(ap.parse_args()).run()


if __name__ == "__main__":
    main()
