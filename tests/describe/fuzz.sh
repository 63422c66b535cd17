#!/bin/sh
# fuzz.sh — libFuzzer over every describer (tests/describe/fuzz-describe, one run per
# format, seeded with that format's fixtures from mkfixtures.py), a bounded number of
# runs each: PT_FUZZ_RUNS (default 2000; a twentieth of it for HDF5 and NetCDF, which
# fork a child per input, whose coverage libFuzzer does not see: there it checks the
# isolation and the reply, not libhdf5).  A crash, a sanitizer report (a child's is
# found in its log file: its stderr is /dev/null), a leak or a broken contract (a gap
# without a reason, facts handed over with a gap) fails and leaves the input in the log.
# A longer run: PT_FUZZ_RUNS=200000 make check TESTS=tests/describe/fuzz.sh
. "$top_srcdir/tests/lib.sh"

fuzzer="$top_builddir/tests/describe/fuzz-describe"
[ -x "$fuzzer" ] || skip "fuzz-describe not built (configure found no clang with libFuzzer: apt-get install clang libclang-rt-14-dev)"
"$PY" -c 'import numpy, h5py, netCDF4' 2>/dev/null ||
	skip "$PY lacks numpy, h5py or netCDF4 for the seed corpus"
"$PY" "$top_srcdir/tests/describe/mkfixtures.py" "$T/fx" >/dev/null || fail "mkfixtures.py"
runs=${PT_FUZZ_RUNS:-2000}
seeds() {
	case $1 in
	npy) echo "$T/fx/"*.npy ;;
	npz) echo "$T/fx/"*.npz ;;
	hdf5) echo "$T/fx/data.h5" "$top_srcdir/tests/describe/corpus/"*.h5 ;;
	netcdf) echo "$T/fx/"*.nc "$top_srcdir/tests/describe/corpus/"*.nc ;;
	safetensors) echo "$T/fx/"*.safetensors ;;
	pytorch) echo "$T/fx/"*.pt ;;
	onnx) echo "$T/fx/"*.onnx ;;
	csv) echo "$T/fx/"*.csv "$T/fx/"*.tsv ;;
	sniff) ls -d "$T/fx/"* | grep -v '\.h5$\|\.nc$' ;;   # forking formats: below
	esac
}
# the HDF5 and NetCDF children write to /dev/null: sanitizer reports go to files.  A
# mutated header makes libhdf5 ask malloc for terabytes, which ASan would report: here
# malloc fails as it does outside ASan (a gap), and libhdf5's own code is not ours.
ASAN_OPTIONS="log_path=$T/san:allocator_may_return_null=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
UBSAN_OPTIONS="log_path=$T/san${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export ASAN_OPTIONS UBSAN_OPTIONS
for fmt in npy npz safetensors pytorch onnx csv sniff hdf5 netcdf; do
	mkdir "$T/c-$fmt"
	# shellcheck disable=SC2046
	cp $(seeds $fmt) "$T/c-$fmt/"
	n=$runs
	case $fmt in hdf5|netcdf) n=$((runs / 20)) ;; esac
	PT_FUZZ_FORMAT=$fmt "$fuzzer" -runs="$n" -max_len=16384 -seed=18 -print_final_stats=1 \
		-artifact_prefix="$T/crash-$fmt-" "$T/c-$fmt" >"$T/fuzz-$fmt.log" 2>&1 || {
		tail -n 40 "$T/fuzz-$fmt.log"
		cat "$T"/san.* 2>/dev/null | head -n 60
		for f in "$T"/crash-*; do [ -f "$f" ] && od -A x -t x1z "$f" | head -20; done
		fail "the $fmt fuzzer found a crash"
	}
	echo "ok: $fmt: $(grep -E 'stat::number_of_executed_units' "$T/fuzz-$fmt.log" | tail -n 1)"
done
for f in "$T"/san.*; do
	# (a failed huge allocation leaves only a WARNING line)
	[ -f "$f" ] && grep -q 'ERROR\|runtime error' "$f" || continue
	head -n 60 "$f"
	fail "a sanitizer report ($f)"
done
