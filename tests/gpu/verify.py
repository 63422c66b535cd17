"""verify.py — tests/gpu/check.sh's judge: compares the CUDA records of a traced run (the
event log as `provtrace-dump --log` prints it) with what the job says it did, and prints
one table row per check.  Exit status 1 when a check fails.

  verify.py job MODE JOB.json LOG        the CUDA C job (tests/gpu/job.cu)
  verify.py torch MODE PROFILE.json LOG  the PyTorch job against torch.profiler's count
  verify.py quiet LOG                    a process that made no CUDA context: no record
  verify.py cost LABEL us|pct|step BARE TRACED LAUNCHES   one overhead row
  verify.py field JOB.json KEY            one value of a job's JSON line
  verify.py per-step PROFILE.json         kernels a training step, by the profiler
"""
import json
import sys

ok = True


def row(what, expected, got, good=None):
    global ok
    if good is None:
        good = expected == got
    ok = ok and good
    print("%-44s %14s %14s  %s" % (what, expected, got, "ok" if good else "FAIL"))


def load(path):
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return [json.loads(line) for line in f if line.strip()]
    except OSError:
        return []


def latest(recs):
    """Per (image, type, key): the record of the highest round (protocol.h)."""
    keys = {"CUDA_KERNEL": "name", "CUDA_MEMCPY": "kind", "CUDA_MEMSET": None,
            "CUDA_DROPS": "how"}
    best = {}
    for r in recs:
        t = r.get("type")
        if t not in keys:
            continue
        k = (r["proc"], t, r.get(keys[t]) if keys[t] else None)
        if k not in best or r.get("round", 0) > best[k].get("round", 0):
            best[k] = r
    return best


def kernel(best, name):
    launches = timed = 0
    for (proc, t, key), r in best.items():
        if t == "CUDA_KERNEL" and key == name:
            launches += r["launches"]
            timed += r.get("timed", 0)
    return launches, timed


def copies(best, kind):
    n = b = 0
    for (proc, t, key), r in best.items():
        if t == "CUDA_MEMCPY" and key == kind:
            n += r["count"]
            b += r["bytes"]
    return n, b


def last_json(path):
    """The job's JSON line, or None when it printed none (it failed)."""
    try:
        return json.loads(open(path).read().strip().splitlines()[-1])
    except (OSError, IndexError, ValueError):
        return None


def job(mode, jobfile, logfile):
    want = last_json(jobfile)
    if want is None:
        row("%s job output" % mode, "a JSON line", "none")
        return
    recs = load(logfile)
    best = latest(recs)
    for name in ("pt_empty", "pt_busy"):
        n, timed = kernel(best, name)
        row("%s %s launches" % (mode, name), want[name], n)
        if mode == "full":
            row("%s %s timed" % (mode, name), want[name], timed)
    row("%s graph launches" % mode, want["graph_launches"], kernel(best, "[cuGraphLaunch]")[0])
    # only the full mode sees the kernels inside a graph
    row("%s pt_graphk launches" % mode, want["pt_graphk"] if mode == "full" else 0,
        kernel(best, "pt_graphk")[0])
    row("%s copies host to device" % mode, (want["htod_count"], want["htod_bytes"]),
        copies(best, 1))
    row("%s copies device to host" % mode, (want["dtoh_count"], want["dtoh_bytes"]),
        copies(best, 2))
    sets = [r for (p, t, k), r in best.items() if t == "CUDA_MEMSET"]
    row("%s sets" % mode, (want["memset_count"], want["memset_bytes"]),
        (sum(r["count"] for r in sets), sum(r["bytes"] for r in sets)))
    devs = [r for r in recs if r.get("type") == "CUDA_DEVICE"]
    row("%s device records" % mode, 1, len(devs))
    if devs:
        d = devs[0]
        print("    device %s cc %s.%s, %d MiB, %s SMs, driver %s, runtime %s, uuid %s" % (
            d["name"], d["cc_major"], d["cc_minor"], d["memory"] >> 20, d["multiprocessors"],
            d["driver"], d["runtime"], d["uuid"].encode("utf-8", "surrogateescape").hex()))
    drops = [r for (p, t, k), r in best.items() if t == "CUDA_DROPS"]
    row("%s CUDA_DROPS" % mode, 0, sum(r["dropped"] for r in drops))
    # the forked child: a process of its own, no CUDA record
    procs = {r["proc"] for r in recs}
    cuda_procs = {r["proc"] for r in recs if r.get("type", "").startswith("CUDA_")}
    row("%s processes, with CUDA records" % mode, (2, 1), (len(procs), len(cuda_procs)))


def torch_(mode, proffile, logfile):
    prof = last_json(proffile)
    if prof is None:
        row("%s profiler output" % mode, "a JSON line", "none")
        return
    best = latest(load(logfile))
    total = sum(r["launches"] for (p, t, k), r in best.items()
                if t == "CUDA_KERNEL" and not str(k).startswith("["))
    row("%s torch kernel launches vs profiler" % mode, prof["profiler_kernels"], total)
    names = {k for (p, t, k), r in best.items() if t == "CUDA_KERNEL"}
    print("    %d kernel names; %.1f launches a step" % (
        len(names), total / (prof["steps"] + prof["warmup"])))


def quiet(logfile):
    recs = load(logfile)
    row("no context: CUDA records", 0,
        sum(1 for r in recs if r.get("type", "").startswith("CUDA_")))


def cost(label, unit, bare, traced, per):
    """us: microseconds per launch; pct: the same as a share; step: seconds per step of
    `per` launches, shown per launch."""
    try:
        bare, traced, per = float(bare), float(traced), float(per)
    except ValueError:
        row(label, "timings", "none")
        return
    if unit == "step":
        print("%-44s %+13.3f us a launch (step: bare %.1f us, traced %.1f us, %.1f launches)"
              % (label, (traced - bare) * 1e6 / per, bare * 1e6, traced * 1e6, per))
        return
    d = (traced - bare) / per
    if unit == "us":
        print("%-44s %+13.3f us a launch (bare %.3f us, traced %.3f us)" % (label, d, bare / per,
                                                                           traced / per))
    else:
        print("%-44s %+13.2f %% (bare %.3f us, traced %.3f us)" % (label, 100 * (traced - bare)
                                                                 / bare, bare, traced))


def main(argv):
    cmd = argv[1]
    if cmd == "job":
        job(argv[2], argv[3], argv[4])
    elif cmd == "torch":
        torch_(argv[2], argv[3], argv[4])
    elif cmd == "quiet":
        quiet(argv[2])
    elif cmd == "cost":
        cost(*argv[2:7])
    elif cmd == "field":     # one value of a job's JSON line, nothing when it has none
        j = last_json(argv[2])
        if j is not None and argv[3] in j:
            print(j[argv[3]])
    elif cmd == "per-step":  # kernels a step, from the profiled run
        j = last_json(argv[2])
        if j is not None:
            print(j["profiler_kernels"] / (j["steps"] + j["warmup"]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
