#!/bin/sh
# fault-announce.sh — RELIABILITY 17: announcements that never reach the collector (its
# socket gone, the send failing) lose nothing: the collector finds the regions in the
# spool, marks them unverified (no kernel-stamped pid) and stores every event.
. "$top_srcdir/tests/reliability/rlib.sh"

mkdir "$T/out"
cat >"$T/job.py" <<'PY'
import os, subprocess, sys
for i in range(100):
    with open(os.path.join(sys.argv[1], "f%d" % i), "w") as f:
        f.write("y" * 10)
subprocess.run(["/bin/cat", os.path.join(sys.argv[1], "f1")], stdout=subprocess.DEVNULL, check=True)
PY
PROVTRACE_FAULT='announce:*' provtrace-run -q -o "$T/run" -- "$PY" "$T/job.py" "$T/out"
store=$(echo "$T/run/nodes/"*.mdb)
# python opened f0..f99, cat opened f1 once more
assert_eq 101 "$(count_log "$store" OPEN "$T/out/f")" "files opened"
assert_eq 1000 "$(stat_field "$T/run" bytes_written)" "bytes written"
assert_eq 2 "$(stat_field "$T/run" processes)" "processes"
unverified=$(provtrace-dump --log "$store" | "$PY" -c '
import json, sys
print(sum(1 for l in sys.stdin if json.loads(l)["type"] == "C_PROC" and json.loads(l)["verified"] == 0))')
assert_eq 2 "$unverified" "processes found by the spool scan, unverified"
# lineage still crosses the processes: cat read what python wrote
provtrace-lineage --descendants "$T/out/f1" "$T/run" >/dev/null
