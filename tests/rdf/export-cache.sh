#!/bin/sh
# export-cache.sh — the export's caches change its memory and time, never its triples: a
# 30,000-event bench run exported with the default budget (nothing evicted), with 64 KiB
# (the least recently used read lists and timelines evicted and read again) and with one
# byte (everything evicted at every process and file) gives the same bytes; so does the
# store with its use index as an earlier provtrace wrote it (each session's identity
# looked up).  The caches never hold more than the budget plus what one process or file
# needs, however long the run.  A budget that is not a size is refused in one line, before
# any output.
. "${top_srcdir:-.}/tests/lib.sh"

"$top_builddir/tests/rdf/mkstore" bench 30000 "$T/b" 2>/dev/null || fail "mkstore bench"

# "budget B bytes, at most M, F fills, E evictions" -> "B F E"
stats() { sed -n 's/^provtrace export: caches: budget \([0-9]*\) bytes, at most [0-9]*, \([0-9]*\) fills, \([0-9]*\) evictions$/\1 \2 \3/p' "$1"; }

PROVTRACE_DEBUG=1 provtrace-export -q -f ntriples -o "$T/all.nt" "$T/b" 2>"$T/all.err" ||
	fail "export ($(cat "$T/all.err"))"
set -- $(stats "$T/all.err")
assert_eq 33554432 "$1" "default budget (32 MiB)"
assert_eq 0 "$3" "evictions with the default budget"
fills=$2
[ "$fills" -gt 1000 ] || fail "fills: $fills"

for b in 64k 1; do
	PROVTRACE_DEBUG=1 PROVTRACE_EXPORT_CACHE=$b provtrace-export -q -f ntriples \
		-o "$T/$b.nt" "$T/b" 2>"$T/$b.err" || fail "export with $b ($(cat "$T/$b.err"))"
	cmp -s "$T/all.nt" "$T/$b.nt" || fail "the export with a $b cache differs"
	set -- $(stats "$T/$b.err")
	[ "$3" -gt 0 ] || fail "no eviction with a $b budget"
	[ "$2" -gt "$fills" ] || fail "a $b budget read no item twice ($2 fills)"
done
assert_eq 65536 "$(stats "$T/64k.err" | cut -d' ' -f1)" "64k budget"

# bounded (RELIABILITY 26): evicted at safe points, the caches hold at most the budget plus
# what one process or file fills, which a 1-byte budget shows; for a run twice as long too
peak() { sed -n 's/^provtrace export: caches: budget [0-9]* bytes, at most \([0-9]*\),.*/\1/p' "$1"; }
"$top_builddir/tests/rdf/mkstore" bench 60000 "$T/b2" 2>/dev/null || fail "mkstore bench 60000"
for run in b b2; do
	PROVTRACE_DEBUG=1 PROVTRACE_EXPORT_CACHE=1 provtrace-export -q -f ntriples -o /dev/null \
		"$T/$run" 2>"$T/one.err" || fail "export of $run with 1 byte"
	one=$(peak "$T/one.err")
	for b in 65536 262144; do
		PROVTRACE_DEBUG=1 PROVTRACE_EXPORT_CACHE=$b provtrace-export -q -f ntriples \
			-o /dev/null "$T/$run" 2>"$T/bound.err" || fail "export of $run with $b"
		p=$(peak "$T/bound.err")
		[ "$p" -le $((b + one)) ] || fail "$run: caches held $p bytes, over $b + $one"
	done
done

# a store indexed by an earlier provtrace: the identities come from the sessions
n=$("$top_builddir/tests/rdf/mkstore" strip-ids "$T/b/nodes/bench.mdb") || fail "strip-ids"
assert_eq 15084 "$n" "use entries rewritten (one per session and direction)"
PROVTRACE_EXPORT_CACHE=64k provtrace-export -q -f ntriples -o "$T/v1.nt" "$T/b" ||
	fail "export of the stripped store"
cmp -s "$T/all.nt" "$T/v1.nt" || fail "the stripped store exports otherwise"

# bad budgets: one line, status 2, no file
for v in lots -5 12X 99999999999999999999G; do
	rc=0
	PROVTRACE_EXPORT_CACHE=$v provtrace-export -q -f ntriples -o "$T/bad.nt" "$T/b" \
		>"$T/bad.out" 2>"$T/bad.err" || rc=$?
	assert_eq 2 "$rc" "status for PROVTRACE_EXPORT_CACHE=$v"
	assert_eq "provtrace export: PROVTRACE_EXPORT_CACHE='$v' is not a size (bytes, or with k, M or G)" \
		"$(cat "$T/bad.err")" "message for $v"
	[ ! -e "$T/bad.nt" ] || fail "an output for PROVTRACE_EXPORT_CACHE=$v"
done
rc=0
PROVTRACE_EXPORT_CACHE=lots provtrace-publish --to sqlite:"$T/x.db" "$T/b" 2>"$T/pub.err" || rc=$?
assert_eq 2 "$rc" "publish's status for a bad budget"
assert_eq "provtrace publish: PROVTRACE_EXPORT_CACHE='lots' is not a size (bytes, or with k, M or G)" \
	"$(cat "$T/pub.err")" "publish's message"
exit 0
