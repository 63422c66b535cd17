#!/bin/sh
# run.sh — what the shim's PMPI wrappers cost per MPI call: bench/mpi/pingpong bare and
# under `provtrace run`, alternately, ROUNDS times; prints the median of each measure and
# the difference, and the same as one JSON line (for bench/ptbench.py).
#
#   bench/mpi/run.sh BUILDDIR [ROUNDS [ITERATIONS]]
#
# Measures (nanoseconds per MPI call, see pingpong.c; medians and minima of the rounds): "self" and "selfnb" in one process
# (a singleton MPI_Init: no other process shares the loop, so the difference is the
# wrappers'), and "pingpong", 0 bytes between two ranks on shared memory, half a round
# trip (which holds two wrapped calls: a send and the receive it completes).
set -eu

build=$(cd "${1:?usage: run.sh BUILDDIR [ROUNDS [ITERATIONS]]}" && pwd)
rounds=${2:-7}
iters=${3:-200000}
src=$(cd "$(dirname "$0")" && pwd)
out=${PTB_OUT:-$build/bench/out/mpi}
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_rmaps_base_oversubscribe=1
prog="$out/pingpong"
[ "$prog" -nt "$src/pingpong.c" ] || mpicc -O2 -o "$prog" "$src/pingpong.c"
# two ranks on two cores of their own: without binding the scheduler's noise (on a
# shared machine) is larger than what is measured
bind="--bind-to core"
[ "$(nproc)" -ge 2 ] || bind="--oversubscribe"
run="$build/provtrace-run"
[ -x "$run" ] || run=provtrace-run

: >"$out/samples"
i=0
while [ $i -lt "$rounds" ]; do
	rm -rf "$out/r1" "$out/r2"
	"$prog" "$iters" 5 | sed 's/^/bare /' >>"$out/samples"
	"$run" -q -o "$out/r1" -- "$prog" "$iters" 5 | sed 's/^/traced /' >>"$out/samples"
	mpirun $bind -np 2 "$prog" "$iters" 3 | grep '^pingpong' | sed 's/^/bare /' >>"$out/samples"
	"$run" -q -o "$out/r2" -- mpirun $bind -np 2 "$prog" "$iters" 3 |
		grep '^pingpong' | sed 's/^/traced /' >>"$out/samples"
	i=$((i + 1))
done
rm -rf "$out/r1" "$out/r2"

python3 - "$out/samples" <<'PY'
import json, statistics, sys
s = {}
for line in open(sys.argv[1]):
    mode, measure, ns = line.split()
    s.setdefault(measure, {}).setdefault(mode, []).append(float(ns))
# medians, and minima: on a shared machine noise only ever adds time
res = {}
print("%-10s %10s %10s %10s   %10s %10s %10s" % ("measure", "bare ns", "traced ns", "overhead",
                                                "best bare", "best trc", "overhead"))
for m in ("self", "selfnb", "pingpong"):
    if m not in s:
        continue
    b, t = statistics.median(s[m]["bare"]), statistics.median(s[m]["traced"])
    bb, bt = min(s[m]["bare"]), min(s[m]["traced"])
    res[m] = {"bare_ns": round(b, 1), "traced_ns": round(t, 1), "overhead_ns": round(t - b, 1),
              "best_bare_ns": bb, "best_traced_ns": bt, "best_overhead_ns": round(bt - bb, 1),
              "rounds": len(s[m]["bare"])}
    print("%-10s %10.1f %10.1f %+10.1f   %10.1f %10.1f %+10.1f" % (m, b, t, t - b, bb, bt, bt - bb))
print("json " + json.dumps(res, sort_keys=True))
PY
