#!/bin/sh
# layers.sh — the shim's files call only down (docs/ARCHITECTURE.md, interpose/shim.h): an
# object of libprovtrace.so may use what another of its objects defines only when that one
# sits in a lower layer.  Read from the build's objects with nm: a call up, a new file in
# no layer, or objects that no longer use the core fail the test.
. "${top_srcdir:-.}/tests/lib.sh"

command -v nm >/dev/null 2>&1 || skip "no nm (binutils)"
O="$top_builddir/interpose/.libs"
[ -f "$O/libprovtrace_la-shim.o" ] || skip "no libtool objects in $O"

# the layers, bottom first: 0 core, 1 sessions, 2 wrappers by concern, 3 the process
# image, 4 syscall()'s dispatch (io.c)
layer() {
	case $1 in
	real | shim) echo 0 ;;
	session) echo 1 ;;
	gaps | stdio | ipc | mpi) echo 2 ;;
	proc) echo 3 ;;
	io) echo 4 ;;
	*) echo - ;;
	esac
}

: >"$T/syms"
for o in "$O"/libprovtrace_la-*.o "$O"/libptmpi_la-mpi.o "$O"/vfork-x86_64.o; do
	[ -f "$o" ] || continue
	f=$(basename "$o" .o)
	f=${f#libprovtrace_la-}
	f=${f#libptmpi_la-}
	[ "$f" != vfork-x86_64 ] || f=proc   # proc.c's vfork, in assembly
	l=$(layer "$f")
	[ "$l" != - ] || fail "interpose/$f: in no layer (add it to layers.sh and shim.h)"
	nm --defined-only "$o" | awk -v f="$f" -v l="$l" '$2 ~ /^[TDBRV]$/ { print "D", f, l, $3 }' >>"$T/syms"
	nm -u "$o" | awk -v f="$f" -v l="$l" '{ print "U", f, l, $2 }' >>"$T/syms"
done

awk '
$1 == "D" { def[$4] = $2; lay[$4] = $3 }
$1 == "U" { n++; user[n] = $2; ul[n] = $3; sym[n] = $4 }
END {
	for (i = 1; i <= n; i++) {
		s = sym[i]
		if (!(s in def) || def[s] == user[i])
			continue
		uses++
		if (user[i] == "proc" && def[s] == "shim" && s == "pt_rec_begin")
			core++
		if (lay[s] >= ul[i]) {
			printf "%s (layer %s) calls up: %s of %s (layer %s)\n", user[i], ul[i], s, def[s], lay[s]
			bad++
		}
	}
	printf "%d uses across files\n", uses
	exit bad ? 1 : (core ? 0 : 2)
}' "$T/syms" >"$T/report" && rc=0 || rc=$?
cat "$T/report"
[ "$rc" != 2 ] || fail "proc.o no longer uses pt_rec_begin of shim.o: the objects are not what this test reads"
assert_eq 0 "$rc" "calls up between the shim's files"
