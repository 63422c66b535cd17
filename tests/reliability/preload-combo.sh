#!/bin/sh
# preload-combo.sh — RELIABILITY 1: the shim preloaded with another allocator (jemalloc,
# tcmalloc) or another tracer, in either order: no deadlock in symbol resolution, the
# program's output unchanged, both tracers see the calls, the shim records them exactly.
. "$top_srcdir/tests/lib.sh"

other="$top_builddir/tests/reliability/.libs/othertool.so"
[ -f "$other" ] || other="$top_builddir/tests/reliability/othertool.so"
prog="$top_builddir/tests/reliability/copyfile"
head -c 51200 /dev/urandom >"$T/in"
want=$("$prog" "$T/in" "$T/ref")

# file_bytes PATH: bytes read and written through PATH's sessions in $T/run
file_bytes() {
	provtrace-dump --log "$T/run/nodes/"*.mdb | "$PY" -c '
import json, sys
path = sys.argv[1]
sids, r, w = set(), 0, 0
for rec in map(json.loads, sys.stdin):
    if rec["type"] == "OPEN" and rec["path"] == path:
        sids.add((rec["proc"], rec["sid"]))
    elif rec["type"] == "CLOSE" and (rec["proc"], rec["sid"]) in sids:
        r += rec["rbytes"]
        w += rec["wbytes"]
print(r, w)' "$1"
}

check() {   # check NAME PRELOAD: traced with this LD_PRELOAD beside the shim's
	rm -rf "$T/run" "$T/out" "$T/other"
	# the other preload goes to the traced program only (the launcher may be an ASan
	# build); its exec wrapper puts the shim in front
	got=$(OTHERTOOL_OUT="$T/other" provtrace-run -q -o "$T/run" -- env LD_PRELOAD="$2" "$prog" "$T/in" "$T/out")
	assert_eq "$want" "$got" "$1: program output"
	cmp -s "$T/ref" "$T/out" || fail "$1: copy differs"
	assert_eq "51200 0" "$(file_bytes "$T/in")" "$1: bytes of the input recorded by the shim"
	assert_eq "0 51200" "$(file_bytes "$T/out")" "$1: bytes of the output recorded by the shim"
}

for lib in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4; do
	if [ -f "$lib" ]; then
		check "$(basename "$lib")" "$lib"
	else
		echo "note: $lib not installed, not tested" >&2
	fi
done
# another tracer, after and (by putting the shim last) before the shim
check "other tracer" "$other"
[ -s "$T/other" ] || fail "the other tracer saw nothing"
assert_eq "copyfile 2 101 100" "$(grep ^copyfile "$T/other")" "calls the other tracer saw (2 opens, 101 reads, 100 writes)"
rm -rf "$T/run2"
got=$(OTHERTOOL_OUT="$T/other2" provtrace-run -q -o "$T/run2" -- \
	env LD_PRELOAD="$other:$SHIM" "$prog" "$T/in" "$T/out2")
assert_eq "$want" "$got" "other tracer first: program output"
assert_eq "copyfile 2 101 100" "$(grep ^copyfile "$T/other2")" "other tracer first: its calls"
# and the shim, second in the chain, still saw every byte
run_dir="$T/run"
mv "$T/run" "$T/run1"
mv "$T/run2" "$T/run"
assert_eq "0 51200" "$(file_bytes "$T/out2")" "other tracer first: bytes of the output recorded"
