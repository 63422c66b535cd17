#!/bin/sh
# hostile.sh — provtrace describe on files cut short, with bytes flipped (seeded) and
# crafted against each parser (tests/describe/mkhostile.py): never a crash; a described
# file is well-formed facts and no error, a gap is exit 1, no fact and one error line, and
# where the manifest names the gap, exactly that one.  A few run under valgrind too.
. "$top_srcdir/tests/lib.sh"

"$PY" -c 'import numpy, h5py, netCDF4' 2>/dev/null ||
	skip "$PY lacks numpy, h5py or netCDF4 (python3-numpy python3-h5py python3-netcdf4)"
# in an ASan build, a header asking libhdf5 for terabytes gets NULL from malloc, as
# outside ASan, rather than ASan's report on the library's request
ASAN_OPTIONS="allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS
"$PY" "$top_srcdir/tests/describe/mkfixtures.py" "$T/fx" || fail "mkfixtures.py"
for f in data.h5 data.nc model.safetensors arrays.npz; do
	! provtrace-describe "$T/fx/$f" 2>&1 >/dev/null | grep -q 'unsupported: built without' ||
		skip "$(provtrace-describe "$T/fx/$f" 2>&1 >/dev/null) (configure's summary says which)"
done
"$PY" "$top_srcdir/tests/describe/mkhostile.py" "$T/fx" "$T/h" || fail "mkhostile.py"
cd "$T/h"
n=0 gaps=0 described=0 exact=0
while IFS='	' read -r f expect; do
	n=$((n + 1))
	set +e
	provtrace-describe -t "$f" >"$T/o" 2>"$T/e"
	rc=$?
	set -e
	case $rc in
	0)
		[ ! -s "$T/e" ] || fail "$f: described, yet an error: $(cat "$T/e")"
		# every fact: item, key, type, value (no raw tab or newline inside one)
		awk -F'\t' 'NF != 4 || $2 == "" { bad = 1 } END { exit bad }' "$T/o" ||
			fail "$f: malformed facts: $(head -n 5 "$T/o")"
		described=$((described + 1)) ;;
	1)
		[ ! -s "$T/o" ] || fail "$f: a gap, yet facts: $(head -n 3 "$T/o")"
		assert_eq 1 "$(wc -l <"$T/e")" "$f: error lines"
		case $(cat "$T/e") in
		"provtrace-describe: $f: "?*) ;;
		*) fail "$f: malformed error line: $(cat "$T/e")" ;;
		esac
		gaps=$((gaps + 1)) ;;
	*)
		fail "$f: exit status $rc (a crash?): $(tail -n 3 "$T/e")" ;;
	esac
	if [ "$expect" != "*" ]; then
		assert_eq "provtrace-describe: $f: $expect" "$(cat "$T/e")" "$f"
		exact=$((exact + 1))
	fi
done <manifest
[ "$n" -gt 200 ] || fail "only $n hostile files"
echo "ok: $n hostile files: $gaps gaps ($exact exactly as named), $described described"

# inputs the fuzzer found (tests/describe/corpus): headers that ask libhdf5 and libnetcdf
# for gigabytes; the child's memory limit turns them into gaps (in ASan builds, where
# there is no such limit, the allocation is reserved and the read fails: a gap too)
for f in "$top_srcdir"/tests/describe/corpus/*; do
	set +e
	provtrace-describe "$f" >"$T/o" 2>"$T/e"
	rc=$?
	set -e
	case "$rc $(cat "$T/e")" in
	"1 provtrace-describe: $f: bad header: "?*) ;;
	*) fail "$f: exit $rc: $(cat "$T/e")" ;;
	esac
done

# a classic header naming a dimension with 1,889 bytes: libnetcdf would copy it whole into
# its caller's NC_MAX_NAME + 1 bytes (the fuzzer's stack overflow); the header walk refuses it
f="$top_srcdir/tests/describe/corpus/longname.nc"
set +e
provtrace-describe "$f" >"$T/o" 2>"$T/e"
rc=$?
set -e
assert_eq "1 provtrace-describe: $f: bad header: a name of 1889 bytes (at most 256)" \
	"$rc $(cat "$T/e")" "a name longer than NC_MAX_NAME"

# not regular files
mkdir dir.npy
mkfifo fifo.csv
for f in dir.npy fifo.csv; do
	set +e
	provtrace-describe "$f" 2>"$T/e"
	rc=$?
	set -e
	assert_eq "1 provtrace-describe: $f: not a regular file" "$rc $(cat "$T/e")" "$f"
done

# under valgrind: memory errors and definite leaks fail (the HDF5 and NetCDF children
# are not followed: their libraries' own leaks are not ours)
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not found: that part skipped (apt-get install valgrind)" >&2
elif ldd "$top_builddir/provtrace-describe" | grep -q 'libasan'; then
	echo "an ASan build: valgrind part skipped (ASan checks these runs)" >&2
else
	for f in "$T/fx/arrays.npz" "$T/fx/model.safetensors" "$T/fx/model.pt" \
		"$T/fx/model.onnx" "$T/fx/data.h5" cut60-a.npy deep.safetensors \
		cut200-model.onnx badnpy.npz quote.csv; do
		valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
			"$top_builddir/provtrace-describe" "$f" >/dev/null 2>"$T/vg" || {
			rc=$?
			[ $rc -ne 99 ] || fail "valgrind on $f: $(head -n 30 "$T/vg")"
		}
	done
	echo "ok: valgrind clean on 10 files"
fi
