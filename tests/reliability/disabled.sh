#!/bin/sh
# disabled.sh — a process run with PROVTRACE_DISABLE inside a traced job records nothing,
# as asked, but is counted: one shim-disabled gap of the node per such process, naming
# its pid and executable, however it was started (exec in place, vfork + exec, Python's
# subprocess), never a second gap for the same child; listed by provtrace stat (text
# and JSON) and the export.
. "$top_srcdir/tests/lib.sh"

true_exe=$(readlink -f /bin/true)
gaps() {   # gaps RUN: "kind detail" of each GAP record
	provtrace-dump --log "$1/nodes/"*.mdb | "$PY" -c '
import json, sys
for r in map(json.loads, sys.stdin):
    if r["type"] == "GAP":
        print(r["kind"], r["detail"])'
}

# exec in place: sh's image ends by exec; the program it becomes records nothing
provtrace-run -q -o "$T/r1" -- /bin/sh -c 'echo $$; PROVTRACE_DISABLE=1 exec /bin/true' >"$T/r1.out"
pid=$(cat "$T/r1.out")
detail="pid $pid ($true_exe) recorded nothing: PROVTRACE_DISABLE is set"
assert_eq "6 $detail" "$(gaps "$T/r1")" "exec in place: GAP records (kind detail)"
assert_eq 1 "$(provtrace-stat --json "$T/r1" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["processes"])')" \
	"exec in place: processes recorded (sh only)"
node=$(provtrace-stat --json "$T/r1" | "$PY" -c '
import json, sys
for g in json.load(sys.stdin)["gap_list"]:
    print(g["node"], g["pid"], g["exe"], g["kind"], g["detail"], sep="|")')
host=${node%%|*}
assert_eq "$host|None|None|shim-disabled|$detail" "$node" "stat --json gap_list (node|pid|exe|kind|detail)"
assert_eq "gaps       1: what the shim could not see, by kind and process
  shim-disabled (1): a process recorded nothing (PROVTRACE_DISABLE, or it could not make its region)
    node $host: $detail" "$(provtrace-stat "$T/r1" | sed -n '/^gaps /,/^index /p' | sed '$d')" \
	"provtrace stat's gaps"
provtrace-export -q -f ntriples -o "$T/r1.nt" "$T/r1"
grep -c 'ns#gapKind> "shim-disabled"' "$T/r1.nt" >"$T/n" || true
assert_eq 1 "$(cat "$T/n")" "the export's shim-disabled gap"
grep -F "ns#detail> \"$detail\"" "$T/r1.nt" >/dev/null || fail "the export's gap detail: $(grep detail "$T/r1.nt")"

# vfork + exec (dash runs a command that is not its last through vfork): the child said
# it records nothing, so it is not counted again as a vfork child that never showed
provtrace-run -q -o "$T/r2" -- /bin/sh -c 'PROVTRACE_DISABLE=1 /bin/true; exit 0'
assert_eq "6" "$(gaps "$T/r2" | cut -d' ' -f1)" "vfork + exec: GAP kinds"

# Python's subprocess (vfork too), twice: two processes, two gaps
provtrace-run -q -o "$T/r3" -- "$PY" -c '
import os, subprocess
env = dict(os.environ, PROVTRACE_DISABLE="1")
for _ in range(2):
    subprocess.run(["/bin/true"], env=env, check=True)'
assert_eq "6
6" "$(gaps "$T/r3" | cut -d' ' -f1)" "subprocess: GAP kinds"

# PROVTRACE_DISABLE="0" or empty is no disabling: no gap
provtrace-run -q -o "$T/r4" -- /bin/sh -c 'PROVTRACE_DISABLE=0 /bin/true; PROVTRACE_DISABLE= /bin/true; exit 0'
assert_eq "" "$(gaps "$T/r4")" "PROVTRACE_DISABLE 0 or empty: GAP records"
