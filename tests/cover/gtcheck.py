#!/usr/bin/python3
"""gtcheck.py — compare what strace saw a job do to regular files with what provtrace
recorded of the same run, for tests/cover/groundtruth.sh.

  gtcheck.py NAME STRACE_OUT LOG [--exclude PREFIX]... [--sizes DIR] [--bytes]

STRACE_OUT is `strace -f -z -y -s 0 -o STRACE_OUT` of the job run inside `provtrace run`
(so both records are of one and the same execution), LOG the node store's event log
(`provtrace-dump --log`).  Each side becomes a set of (process, file, direction):

  strace: a successful read, readv, pread64, preadv, preadv2 (or the source of sendfile,
      copy_file_range, splice) that moved at least one byte from a descriptor on a file
      is a read of it; the same for the write family (and the copies' destination).
      Mappings are not counted on this side (the loader's and the C library's own are
      out of any preload's reach).  A thread counts as its process (clone with
      CLONE_THREAD).
  provtrace: a session on the file with rbytes > 0 is a read, wbytes > 0 a write; an
      object in the process's loaded objects (LIBS) is read (the loader read its header),
      and so is a program it exec'd or spawned (EXEC, SPAWN: the shim reads the header
      to tell static and set-id images, and the record names the file).

Files are compared by their real path (`strace -y` prints the descriptor's real path;
provtrace records the path as opened, made absolute).  Only regular files count:
descriptors strace decodes as pipe:, socket:, anon_inode: and paths under /proc, /sys and
/dev are left out, as are the paths given with --exclude (provtrace's own files) and
LIBC_INTERNAL below.  With stacks (strace -k) glibc's read-ahead inside a stream's seek
(SEEKS below) is left out too.  What is left out is counted in the summary line (PT_VERBOSE=1 lists
it).  Every triple of strace's set missing from provtrace's is a miss, printed; the exit
status is 1 when there is one.  --sizes DIR: the bytes provtrace
recorded for each file in DIR, summed per direction over the job, must equal the file's
size.  --bytes: they must equal strace's byte counts, for every file of strace's set.
"""
import collections
import json
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import evq  # noqa: E402

# Read by the C library itself, through its internal open and read, which no preloaded
# library can see (provtrace(7) lists it as a gap): locale aliases (setlocale), the name
# service switch and its files (getpwuid, ...), the time zone (tzset).  Printed, never
# counted as present.
LIBC_INTERNAL = ("/etc/locale.alias", "/etc/nsswitch.conf", "/etc/passwd", "/etc/group",
                 "/etc/localtime", "/usr/share/zoneinfo/", "/etc/ld.so.cache",
                 "/usr/lib/locale/", "/usr/lib/x86_64-linux-gnu/gconv/")

READS = {"read": 0, "readv": 0, "pread64": 0, "preadv": 0, "preadv2": 0}
WRITES = {"write": 0, "writev": 0, "pwrite64": 0, "pwritev": 0, "pwritev2": 0}
COPIES = {"sendfile": (1, 0), "copy_file_range": (0, 2), "splice": (0, 2)}  # (in, out)

LINE = re.compile(r"^(\d+)\s+(.*)$")
CALL = re.compile(r"^(\w+)\((.*)\)\s+=\s+(-?\d+|0x[0-9a-f]+|\?)")
FDPATH = re.compile(r"^-?\d+<(.*)>(\(deleted\))?$")


def split_args(s):
    """Top-level comma-separated arguments of a strace call."""
    out, depth, cur, q = [], 0, [], False
    i = 0
    while i < len(s):
        c = s[i]
        if q:
            cur.append(c)
            if c == "\\":
                cur.append(s[i + 1])
                i += 1
            elif c == '"':
                q = False
        elif c == '"':
            q = True
            cur.append(c)
        elif c in "([{<":
            depth += 1
            cur.append(c)
        elif c in ")]}>":
            depth -= 1
            cur.append(c)
        elif c == "," and depth == 0:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    if cur:
        out.append("".join(cur).strip())
    return out


def fd_path(arg):
    m = FDPATH.match(arg)
    if not m:
        return None
    # an unlinked file: "3</tmp/#123>(deleted)", as /proc/self/fd names it "/tmp/#123 (deleted)"
    return m.group(1) + (" (deleted)" if m.group(2) else "")


# The read family's calls strace saw inside these functions (the run of C library frames
# next to the system call) are glibc's read-ahead when a stream seeks: the block the new
# position falls in, which the program never receives.
SEEKS = re.compile(r"libc\.so\.6\((_IO_file_seekoff|_IO_new_file_seekoff|_IO_seekoff|fseek|"
                   r"fseeko|__fseeko64|fseeko64|fsetpos|fsetpos64|rewind)\+")


def classify(stack):
    """'' (the program's) or 'seek' (read-ahead)."""
    for f in stack:
        if "libc.so.6(" not in f:
            break
        if SEEKS.search(f):
            return "seek"
    return ""


def strace_set(path):
    """[(pid, path, 'r'|'w', bytes, class)] from strace -f -y [-k] output."""
    tgid, pending, out = {}, {}, []
    last = None   # the latest complete call's events: a stack (-k) follows its line
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith(" > "):
                if last is not None:
                    last[1].append(line[3:])
                continue
            m = LINE.match(line)
            if not m:
                continue
            if last is not None:
                out.extend(finish(last))
                last = None
            tid, rest = int(m.group(1)), m.group(2)
            if rest.endswith("<unfinished ...>"):
                pending[tid] = rest[: -len("<unfinished ...>")]
                continue
            r = re.match(r"^<\.\.\. (\w+) resumed>(.*)$", rest)
            if r:
                rest = pending.pop(tid, r.group(1) + "(") + r.group(2)
            c = CALL.match(rest)
            if not c or c.group(3) == "?":
                continue
            name, args, ret = c.group(1), split_args(c.group(2)), int(c.group(3), 0)
            pid = tgid.get(tid, tid)
            if name in ("clone", "clone3", "fork", "vfork"):
                if ret > 0:
                    tgid[ret] = pid if "CLONE_THREAD" in c.group(2) else ret
                continue
            if ret <= 0:
                continue
            ends = []
            if name in READS:
                ends = [(args[0], "r")]
            elif name in WRITES:
                ends = [(args[0], "w")]
            elif name in COPIES:
                i, o = COPIES[name]
                ends = [(args[i], "r"), (args[o], "w")]
            ev = [(pid, fd_path(a), d, ret) for a, d in ends]
            last = ([e for e in ev if e[1] is not None], [])
    if last is not None:
        out.extend(finish(last))
    return out


def finish(last):
    evs, stack = last
    cls = classify(stack)
    return [(pid, p, d, n, cls if d == "r" else "") for pid, p, d, n in evs]


def regular(p):
    return p.startswith("/") and not p.startswith(("/proc/", "/sys/", "/dev/"))


def real(p):
    if p.endswith(" (deleted)"):
        return p
    return os.path.realpath(p)


def provtrace_set(log):
    recs = evq.load(log)
    pid_of = {}
    for r in recs:
        if r.get("type") == "C_PROC":
            pid_of[r["proc"]] = r["pid"]
            evq.parents[r["proc"]] = r.get("parent")
    out = collections.Counter()
    for s in evq.sessions(recs, "*"):
        p = s["path"]
        if not isinstance(p, str) or not regular(p):
            continue
        pid = pid_of.get(s["proc"])
        for d, f in (("r", "rbytes"), ("w", "wbytes")):
            if s.get(f):
                out[(pid, real(p), d)] += s[f]
    libs, exes = set(), set()
    for r in recs:
        t, pid = r.get("type"), pid_of.get(r.get("proc"))
        if t == "LIBS":
            for lib in r.get("libs", []):
                libs.add((pid, real(lib[0]), "r"))
        elif t in ("EXEC", "SPAWN") and isinstance(r.get("path"), str) and r["path"]:
            exes.add((pid, real(r["path"]), "r"))
    return out, libs, exes


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        sys.exit(__doc__)
    name, st_path, log = args[:3]
    excl, sizes, cmp_bytes = [], None, False
    i = 3
    while i < len(args):
        if args[i] == "--exclude":
            excl.append(os.path.realpath(args[i + 1]))
            i += 2
        elif args[i] == "--sizes":
            sizes = os.path.realpath(args[i + 1])
            i += 2
        elif args[i] == "--bytes":
            cmp_bytes = True
            i += 1
        else:
            sys.exit("gtcheck.py: unknown argument %r" % args[i])

    def in_scope(p):
        return regular(p) and not any(p == e or p.startswith(e + "/") for e in excl)

    st = collections.Counter()
    internal, ahead = set(), set()
    for pid, p, d, n, cls in strace_set(st_path):
        if not in_scope(p):
            continue
        if p.startswith(LIBC_INTERNAL):
            internal.add(p)
        elif cls == "seek":
            ahead.add((pid, p, d))
        else:
            st[(pid, p, d)] += n
    pt, libs, exes = provtrace_set(log)
    pt = collections.Counter({k: v for k, v in pt.items() if in_scope(k[1])})
    have = set(pt) | libs | exes
    misses = sorted(k for k in st if k not in have)
    bad = []
    if cmp_bytes:
        for k in sorted(st):
            if k in pt and pt[k] != st[k]:
                bad.append("%s %s %s: provtrace %d bytes, strace %d" % (k[2], k[1], k[0], pt[k], st[k]))
    if sizes:
        per = collections.Counter()
        for (pid, p, d), n in pt.items():
            if os.path.dirname(p) == sizes:
                per[(p, d)] += n
        for e in sorted(os.listdir(sizes)):
            p = os.path.join(sizes, e)
            want = os.path.getsize(p)
            dirs = [d for d in "rw" if (p, d) in per or any(k[1] == p and k[2] == d for k in st)]
            for d in dirs:
                if per[(p, d)] != want:
                    bad.append("%s %s: provtrace %d bytes, size %d" % (d, p, per[(p, d)], want))
    files = lambda s: len({(k[1], k[2]) for k in s})  # noqa: E731
    n = len(st)
    by_sess = sum(1 for k in st if k in pt)
    by_libs = sum(1 for k in st if k not in pt and k in libs)
    by_exe = sum(1 for k in st if k not in pt and k not in libs and k in exes)
    cover = 100.0 * (n - len(misses)) / n if n else 100.0
    print("%s: strace %d files (%d process/file/direction), provtrace %d files with bytes; "
          "found %d (%d sessions, %d loaded objects, %d executables), misses %d, "
          "coverage %.2f%%; left out: libc-internal %d, seek read-ahead %d"
          % (name, files(st), n, files(pt), by_sess + by_libs + by_exe, by_sess, by_libs,
             by_exe, len(misses), cover, len(internal), len(ahead - set(st))))
    for k in misses:
        print("  MISS %s %s (pid %d, %d bytes)" % ("read" if k[2] == "r" else "written",
                                                    k[1], k[0], st[k]))
    for b in bad:
        print("  BYTES " + b)
    if os.environ.get("PT_VERBOSE"):
        print("  libc-internal: " + " ".join(sorted(internal)))
        print("  seek read-ahead: " + " ".join(sorted(k[1] for k in ahead - set(st))))
    sys.exit(1 if misses or bad else 0)


if __name__ == "__main__":
    main()
