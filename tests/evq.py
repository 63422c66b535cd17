#!/usr/bin/python3
"""evq.py — queries over an event log as `provtrace-dump --log STORE` prints it (one JSON
object per line), for the shell tests.  Every command prints one line per match, fields
separated by spaces, lists joined by commas, absent fields as "-".

  evq.py LOG rec TYPE [FIELD=VALUE ...] [-f F1,F2,...]
        records of TYPE ("*" for any) whose fields equal the values; without -f, their count
  evq.py LOG sess PATH [FIELD=VALUE ...] [-f F1,F2,...]
        access sessions on the object PATH (a path, "pipe:[N]", ...; PREFIX* for every
        object whose name begins with PREFIX): those its OPEN or
        ADOPT began and those that continued them (DUP, INHERIT in a child), each merged
        with the record that ended it (CLOSE, or C_SESS_END from the region's table).
        Fields: proc sid fd path via (OPEN|ADOPT|DUP|INHERIT) call flags mode kind end
        (CLOSE|C_SESS_END|-) how rbytes rops wbytes wops rmax wmax size
  evq.py LOG procs [FIELD=VALUE ...] [-f F1,F2,...]
        process images: proc pid ppid parent exec_from exe argv start_how exit_how
        exit_status state status dropped torn corrupt, and chain: how it came to be,
        link by link up to the first image ("exec fork 1": exec'd in a child that
        process 1 forked; "spawn": started by its parent's pid, as after vfork + exec)
  evq.py LOG times
        the number of sessions whose times are out of order (each on stderr): a
        session's OPEN/ADOPT/DUP/INHERIT <= first read <= last read <= its end, and
        the same for writes
A VALUE may be written in octal (0o...) or hex (0x...); FIELD!=VALUE negates.
Bytes that are not UTF-8 come back as the surrogate escapes provtrace-dump wrote.
"""
import json
import sys


def load(path):
    recs = []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.strip()
            if line:
                recs.append(json.loads(line))
    return recs


def fmt(v):
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, list):
        return ",".join(fmt(x) for x in v)
    if isinstance(v, dict):
        return ",".join("%s=%s" % (k, fmt(x)) for k, x in sorted(v.items()))
    return str(v)


def value_of(text):
    for base, prefix in ((8, "0o"), (16, "0x")):
        if text.startswith(prefix):
            return str(int(text[2:], base))
    return text


def matches(r, conds):
    for field, neg, want in conds:
        have = fmt(r.get(field))
        if (have == want) == neg:
            return False
    return True


def parse_args(args):
    conds, fields = [], None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-f":
            fields = args[i + 1].split(",")
            i += 2
            continue
        if "!=" in a:
            k, v = a.split("!=", 1)
            conds.append((k, True, value_of(v)))
        elif "=" in a:
            k, v = a.split("=", 1)
            conds.append((k, False, value_of(v)))
        else:
            sys.exit("evq.py: cannot read the condition %r" % a)
        i += 1
    return conds, fields


def emit(rows, fields):
    if fields is None:
        print(len(rows))
        return
    for r in rows:
        print(" ".join(fmt(r.get(f)) for f in fields))


def sessions(recs, path):
    """Sessions of the object `path`, in log order."""
    out, by_key = [], {}
    for r in recs:
        t, proc = r.get("type"), r.get("proc")
        if t in ("OPEN", "ADOPT") and (r.get("path") == path or (
                path.endswith("*") and str(r.get("path")).startswith(path[:-1]))):
            s = {"proc": proc, "sid": r["sid"], "fd": r.get("fd"), "via": t, "path": r["path"],
                 "call": r.get("call"), "flags": r.get("flags"), "mode": r.get("mode"),
                 "kind": r.get("kind"), "end": None}
            by_key[(proc, r["sid"])] = s
            out.append(s)
        elif t == "DUP" and (proc, r.get("oldsid")) in by_key:
            # DUP continues the old session: its second field is that session's id
            old = by_key[(proc, r["oldsid"])]
            s = dict(old, sid=r["sid"], fd=r.get("newfd"), via="DUP", end=None)
            by_key[(proc, r["sid"])] = s
            out.append(s)
        elif t == "INHERIT":
            parent = parents.get(proc)
            if parent is not None and (parent, r.get("parent_sid")) in by_key:
                old = by_key[(parent, r["parent_sid"])]
                s = dict(old, proc=proc, sid=r["sid"], fd=r.get("fd"), via="INHERIT",
                         end=None)
                by_key[(proc, r["sid"])] = s
                out.append(s)
        elif t in ("CLOSE", "C_SESS_END") and (proc, r.get("sid")) in by_key:
            s = by_key[(proc, r["sid"])]
            if s["end"] is None:
                s["end"] = t
                for f in ("rbytes", "rops", "wbytes", "wops", "rmax", "wmax", "size", "how"):
                    if f in r:
                        s[f] = r[f]
                if t == "C_SESS_END":
                    s["how"] = "table"
    return out


parents = {}


def procs(recs):
    out, by = [], {}
    for r in recs:
        t, proc = r.get("type"), r.get("proc")
        if t == "C_PROC":
            p = {"proc": proc, "pid": r.get("pid"), "ppid": r.get("ppid"),
                 "parent": r.get("parent"), "exec_from": r.get("exec_from")}
            by[proc] = p
            out.append(p)
        elif proc in by:
            p = by[proc]
            if t == "PROC_START":
                p["exe"] = r.get("exe")
                p["argv"] = r.get("argv")
                p["start_how"] = r.get("how")
                p["cwd"] = r.get("cwd")
            elif t == "PROC_EXIT":
                p["exit_how"] = r.get("how")
                p["exit_status"] = r.get("status")
            elif t == "C_PROC_END":
                for f in ("state", "status", "dropped", "torn", "corrupt"):
                    p[f] = r.get(f)
    for p in out:
        links, q, seen = [], p, set()
        while q["proc"] not in seen:
            seen.add(q["proc"])
            if q.get("exec_from"):
                links.append("exec")
                q = by.get(q["exec_from"], q)
            elif q.get("parent"):
                links.append("fork" if q.get("start_how") == 1 else "spawn")
                q = by.get(q["parent"], q)
            else:
                break
        p["chain"] = " ".join(links + [str(q["proc"])])
    return out


def times(recs):
    begun, bad = {}, 0
    for r in recs:
        t, key = r.get("type"), (r.get("proc"), r.get("sid"))
        if t in ("OPEN", "ADOPT", "DUP", "INHERIT"):
            begun[key] = r["ts"]
        elif t in ("CLOSE", "C_SESS_END") and key in begun:
            for d in ("r", "w"):
                if not r.get(d + "ops"):
                    continue
                seq = [begun[key], r[d + "first"], r[d + "last"], r["ts"]]
                if seq != sorted(seq):
                    print("process %s session %s: %s: begun, first, last, end = %s"
                          % (key[0], key[1], "reads" if d == "r" else "writes", seq),
                          file=sys.stderr)
                    bad += 1
    return bad


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.stdout.reconfigure(errors="surrogateescape")
    recs = load(sys.argv[1])
    for r in recs:
        if r.get("type") == "C_PROC":
            parents[r.get("proc")] = r.get("parent")
    cmd = sys.argv[2]
    if cmd == "rec":
        rtype = sys.argv[3]
        conds, fields = parse_args(sys.argv[4:])
        rows = [r for r in recs if (rtype == "*" or r.get("type") == rtype) and matches(r, conds)]
    elif cmd == "sess":
        conds, fields = parse_args(sys.argv[4:])
        rows = [s for s in sessions(recs, sys.argv[3]) if matches(s, conds)]
    elif cmd == "times":
        print(times(recs))
        return
    elif cmd == "procs":
        conds, fields = parse_args(sys.argv[3:])
        rows = [p for p in procs(recs) if matches(p, conds)]
    else:
        sys.exit("evq.py: unknown command %r" % cmd)
    emit(rows, fields)


if __name__ == "__main__":
    main()
