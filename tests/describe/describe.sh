#!/bin/sh
# describe.sh — provtrace describe on files of every format, written at test time by
# numpy, h5py, netCDF4 and by hand (safetensors, PyTorch zip, ONNX): the exact facts
# (tests/describe/golden.tsv), the same dtypes and shapes as the Python libraries read,
# the options, the front command, and the exit status beside a file it cannot describe.
. "$top_srcdir/tests/lib.sh"

"$PY" -c 'import numpy, h5py, netCDF4' 2>/dev/null ||
	skip "$PY lacks numpy, h5py or netCDF4 (python3-numpy python3-h5py python3-netcdf4)"
fx="$T/fx"
"$PY" "$top_srcdir/tests/describe/mkfixtures.py" "$fx" || fail "mkfixtures.py"
for f in data.h5 data.nc model.safetensors arrays.npz; do
	! provtrace-describe "$T/fx/$f" 2>&1 >/dev/null | grep -q 'unsupported: built without' ||
		skip "$(provtrace-describe "$T/fx/$f" 2>&1 >/dev/null) (configure's summary says which)"
done
cd "$fx"
files="a.npy big.npy fortran.npy scalar.npy when.npy words.npy rec.npy arrays.npz
 packed.npz data.h5 data.nc classic.nc model.safetensors model.pt model.onnx table.csv
 names.csv table.tsv"
# shellcheck disable=SC2086
provtrace-describe -t $files >"$T/out.tsv" || fail "provtrace-describe exited $?"
diff -u "$top_srcdir/tests/describe/golden.tsv" "$T/out.tsv" >&2 ||
	fail "facts differ from golden.tsv"
echo "ok: $(wc -l <"$T/out.tsv") facts of 18 files as expected"

# shellcheck disable=SC2086
provtrace-describe $files >"$T/plain.tsv"
"$PY" "$top_srcdir/tests/describe/crosscheck.py" "$fx" "$T/plain.tsv" ||
	fail "the Python libraries read the files otherwise"

# one file: no name column; -H adds it, -h takes it away
provtrace-describe model.onnx | grep -v '^	' | sort >"$T/roles"
assert_eq "seq	role	output
x	role	input
y	role	output" "$(grep '	role	' "$T/roles")" "ONNX roles"
assert_eq "a.npy		format	npy" "$(provtrace-describe -H a.npy | head -n 1)" "-H"
assert_eq "	format	npy" "$(provtrace-describe -h a.npy words.npy | head -n 1)" "-h"

# safetensors is known by its header, whatever the name; -f forces a format where
# nothing tells (ONNX and CSV have no magic number); a wrong one is that format's gap
cp model.safetensors weights.bin
assert_eq "2" "$(provtrace-describe weights.bin | grep -c '	shape	')" "safetensors sniffed"
cp model.onnx model.bin
assert_eq "2" "$(provtrace-describe -f onnx model.bin | grep -c '	shape	')" "-f onnx"
set +e
provtrace-describe model.bin >"$T/o" 2>"$T/e"; rc=$?
set -e
assert_eq "1" "$rc" "an unknown format's exit status"
assert_eq "provtrace-describe: model.bin: unknown format" "$(cat "$T/e")" "its error line"
set +e
provtrace-describe -f npy model.onnx >"$T/o" 2>"$T/e"; rc=$?
set -e
assert_eq "1 0" "$rc $(wc -c <"$T/o")" "-f npy on ONNX: exit 1, no fact"
assert_eq "provtrace-describe: model.onnx: not an NPY file" "$(cat "$T/e")" "-f npy on ONNX"

# a bad file among good ones: their facts, its one error line, exit 1
set +e
provtrace-describe a.npy legacy.pt nothere.npy model.pt >"$T/o" 2>"$T/e"; rc=$?
set -e
assert_eq "1" "$rc" "exit status with bad files"
assert_eq "provtrace-describe: legacy.pt: unsupported: legacy PyTorch pickle file
provtrace-describe: nothere.npy: cannot open: No such file or directory" "$(cat "$T/e")" "errors"
assert_eq "6 11" "$(grep -c '^a.npy' "$T/o") $(grep -c '^model.pt' "$T/o")" "facts of the good files"

# limits: items (the rest counted), bytes (CSV rows only within them)
provtrace-describe --max-items 3 data.h5 >"$T/o"
assert_eq "3" "$(grep -c '	attr\.\|	dtype	' "$T/o")" "--max-items 3: three reported"
assert_eq "	omitted	9" "$(tail -n 1 "$T/o")" "--max-items 3: the rest counted"
provtrace-describe --max-bytes 20 table.csv >"$T/o" || fail "--max-bytes 20 table.csv"
assert_eq "3 0" "$(grep -c '	index	' "$T/o") $(grep -c '	rows	' "$T/o")" \
	"--max-bytes below the CSV's size: columns, no rows"
set +e
provtrace-describe --max-bytes 100 model.onnx >"$T/o" 2>"$T/e"; rc=$?
set -e
assert_eq "1 provtrace-describe: model.onnx: over the size limit" "$rc $(cat "$T/e")" \
	"--max-bytes below the ONNX graph"
set +e
provtrace-describe --max-items x a.npy 2>/dev/null; rc=$?
set -e
assert_eq "2" "$rc" "a bad option value's exit status"

# names with tabs and newlines stay one line per fact
printf 'a\tb,"c\nd"\n1,2\n' >tab.csv
assert_eq "a\\tb	index	0
c\\nd	index	1" "$(provtrace-describe tab.csv | grep index)" "escaped names"

# repeated column names as pandas renames them
printf 'a,a,a.1,a\n1,2,3,4\n' >dup.csv
assert_eq "a a.1 a.1.1 a.2" "$(provtrace-describe dup.csv | awk -F'\t' '$2 == "index" { printf "%s%s", s, $1; s = " " }')" \
	"repeated column names"

# the front command
assert_eq "$(provtrace-describe a.npy)" "$(provtrace describe a.npy)" "provtrace describe"
echo "ok: options, exit status, limits, escapes, front command"
