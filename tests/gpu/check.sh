#!/bin/sh
# check.sh — libprovtrace-cuda.so on a real GPU: a CUDA C job and a PyTorch job, bare and
# traced, their recorded summaries checked against what they did, and the cost per launch.
#
# Not part of `make check` (it needs a GPU).  Two steps:
#
#  1. On the build machine (Debian 12, x86-64), from a build configured with CUPTI:
#         tests/gpu/check.sh --prepare BUILDDIR
#     copies into tests/bin/gpu/ (ignored by git: /tests/bin/) what the GPU machine lacks:
#     bin/ provtrace-run, provtrace-collectd, provtrace-stat, provtrace-dump, and lib/
#     libprovtrace.so, libprovtrace-cuda.so and every library `ldd` shows them linking
#     beyond the base system (liblmdb.so.0: that machine has no LMDB, msgpack-c, libunwind
#     or Redland, and no package registry).  Binaries built on glibc 2.36 run on its 2.39.
#  2. On the GPU machine, from the repository root, with tests/bin/gpu carried: the
#     `device` tool's  run(command="tests/gpu/check.sh", carry=["tests/bin/gpu"],
#     timeout_s=540).  It compiles tests/gpu/job.cu with nvcc, runs both jobs, prints one
#     table row per check and per cost, keeps logs and event logs in $OUT (or a temporary
#     directory), and exits 0 only when every check holds.
#
# Environment: PYTHON (default /opt/torch/.venv/bin/python3, else python3 on PATH), NVCC
# (default nvcc on PATH, else /usr/local/cuda/bin/nvcc), SKIP_TORCH=1 to leave PyTorch out,
# EMPTY / BUSY / STEPS to change the sizes of the runs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
G=$top/tests/bin/gpu

die() { echo "check.sh: $*" >&2; exit 2; }

prepare() {
	[ -n "${1:-}" ] || die "usage: check.sh --prepare BUILDDIR (a build configured with CUPTI)"
	b=$(cd "$1" && pwd) || exit 2
	[ -f "$b/interpose/.libs/libprovtrace-cuda.so" ] ||
		die "no interpose/.libs/libprovtrace-cuda.so in $b: configure found no CUPTI?"
	rm -rf "$G"
	mkdir -p "$G/bin" "$G/lib" || exit 2
	for p in provtrace-run provtrace-collectd provtrace-stat provtrace-dump; do
		[ -x "$b/$p" ] || die "$b/$p is missing: run make in $b"
		# a libtool wrapper script would not run elsewhere
		[ "$(head -c 2 "$b/$p")" != "#!" ] || die "$b/$p is a libtool wrapper"
		cp "$b/$p" "$G/bin/" || exit 2
	done
	cp "$b/interpose/.libs/libprovtrace.so" "$b/interpose/.libs/libprovtrace-cuda.so" \
		"$G/lib/" || exit 2
	for f in "$G"/bin/* "$G"/lib/*.so; do
		ldd "$f"
	done | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | sort -u | while read -r l; do
		case ${l##*/} in
		libc.so.* | libm.so.* | libpthread.so.* | libdl.so.* | librt.so.* | libutil.so.* | \
			libgcc_s.so.* | ld-linux* | libcupti.so.*) ;;
		*) cp -L "$l" "$G/lib/" || exit 2 ;;
		esac
	done
	ls -l "$G/bin" "$G/lib"
	du -sh "$G"
	echo "carry tests/bin/gpu and run tests/gpu/check.sh on the GPU machine"
}

if [ "${1:-}" = --prepare ]; then
	prepare "${2:-}"
	exit $?
fi

# ---- on the GPU machine

[ -x "$G/bin/provtrace-run" ] && [ -f "$G/lib/libprovtrace-cuda.so" ] ||
	die "$G is missing: run check.sh --prepare BUILDDIR on the build machine, carry tests/bin/gpu"
PY=${PYTHON:-/opt/torch/.venv/bin/python3}
[ -x "$PY" ] || PY=$(command -v python3) || die "no python3"
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
EMPTY=${EMPTY:-200000}
BUSY=${BUSY:-20000}
STEPS=${STEPS:-2000}
W=${OUT:-$(mktemp -d /tmp/ptgpu.XXXXXX)}/gpu-check
mkdir -p "$W" || exit 2
nvidia-smi -L 2>/dev/null | head -4

export PATH="$G/bin:$PATH"
export PROVTRACE_LIB="$G/lib/libprovtrace.so"
export PROVTRACE_COLLECTD="$G/bin/provtrace-collectd"
export LD_LIBRARY_PATH="$G/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# the module's rpath names the build machine's CUPTI; add this machine's only if it fails
# (before a wheel's own libcupti, LD_LIBRARY_PATH would otherwise win)
if ldd "$G/lib/libprovtrace-cuda.so" | grep -q 'libcupti.*not found'; then
	for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib \
		/usr/local/cuda-*/targets/x86_64-linux/lib /usr/local/cuda/extras/CUPTI/lib64; do
		if [ -e "$d/libcupti.so.13" ]; then
			LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
			break
		fi
	done
fi
missing=$(ldd "$G/lib/libprovtrace-cuda.so" | grep 'not found')
[ -z "$missing" ] || die "libprovtrace-cuda.so: $missing"
# a short directory: the collector's socket path must stay under 108 bytes
PROVTRACE_TMPDIR=$(mktemp -d /tmp/ptg.XXXXXX)
export PROVTRACE_TMPDIR
unset CUDA_INJECTION64_PATH PROVTRACE_CUDA PROVTRACE_CUDA_PERIOD

failed=0
# traced NAME MODE CMD... — CMD under provtrace run with PROVTRACE_CUDA=MODE; its output in
# $W/NAME.out and .err, its event log in $W/NAME.jsonl
traced() {
	_name=$1 _mode=$2
	shift 2
	rm -rf "$W/$_name"
	PROVTRACE_CUDA=$_mode timeout 300 provtrace-run -q -o "$W/$_name" -- "$@" \
		>"$W/$_name.out" 2>"$W/$_name.err"
	_rc=$?
	if [ $_rc -ne 0 ]; then
		echo "FAIL: $_name exited with $_rc: $(tail -3 "$W/$_name.err")"
		failed=1
	fi
	provtrace-dump --log "$W/$_name"/nodes/*.mdb >"$W/$_name.jsonl" 2>/dev/null
	return $_rc
}
bare() {
	_name=$1
	shift
	timeout 300 "$@" >"$W/$_name.out" 2>"$W/$_name.err"
	_rc=$?
	if [ $_rc -ne 0 ]; then
		echo "FAIL: $_name exited with $_rc: $(tail -3 "$W/$_name.err")"
		failed=1
	fi
	return $_rc
}
judge() {
	"$PY" "$here/verify.py" "$@" || failed=1
}
# field FILE KEY — a number from the job's JSON line (nothing when the job failed)
field() {
	"$PY" "$here/verify.py" field "$@"
}
# best KEY FILE... — the smallest value of KEY among the runs (the least disturbed)
best() {
	_k=$1
	shift
	for _f; do field "$_f" "$_k"; done | sort -g | head -1
}

printf '%-44s %14s %14s\n' check expected recorded

# ---- the CUDA C job
"$NVCC" -O2 -cudart shared -arch=native -o "$W/job" "$here/job.cu" 2>"$W/nvcc.err" ||
	"$NVCC" -O2 -cudart shared -gencode arch=compute_90,code=sm_90 -o "$W/job" \
		"$here/job.cu" 2>>"$W/nvcc.err" || die "nvcc: $(tail -5 "$W/nvcc.err")"
for r in 1 2 3; do
	bare job-bare$r "$W/job" "$EMPTY" "$BUSY"
	traced job-counts$r counts "$W/job" "$EMPTY" "$BUSY"
	traced job-full$r full "$W/job" "$EMPTY" "$BUSY"
done
judge job counts "$W/job-counts1.out" "$W/job-counts1.jsonl"
judge job full "$W/job-full1.out" "$W/job-full1.jsonl"
b=$(best us_empty "$W"/job-bare?.out)
c=$(best us_empty "$W"/job-counts?.out)
f=$(best us_empty "$W"/job-full?.out)
judge cost "cost: empty launch, counts" us "$b" "$c" 1
judge cost "cost: empty launch, full" us "$b" "$f" 1
b=$(best us_busy "$W"/job-bare?.out)
c=$(best us_busy "$W"/job-counts?.out)
f=$(best us_busy "$W"/job-full?.out)
judge cost "cost: ~10 us kernel, counts" pct "$b" "$c" 1
judge cost "cost: ~10 us kernel, full" pct "$b" "$f" 1

# ---- PyTorch
if [ -z "${SKIP_TORCH:-}" ] && "$PY" -c 'import torch; assert torch.cuda.is_available()' \
	2>/dev/null; then
	# the profiler's count and a traced run of the same job, without the profiler (CUPTI
	# takes one subscriber: the two cannot share a process)
	bare torch-prof "$PY" "$here/torch_job.py" --profile --steps 500
	traced torch-counts counts "$PY" "$here/torch_job.py" --steps 500
	judge torch counts "$W/torch-prof.out" "$W/torch-counts.jsonl"
	traced torch-full full "$PY" "$here/torch_job.py" --steps 500
	judge torch full "$W/torch-prof.out" "$W/torch-full.jsonl"
	# cuInit without a context: the module loads and records nothing
	traced torch-touch counts "$PY" "$here/torch_job.py" --touch
	judge quiet "$W/torch-touch.jsonl"
	for r in 1 2; do
		bare torch-bare$r "$PY" "$here/torch_job.py" --steps "$STEPS"
		traced torch-tc$r counts "$PY" "$here/torch_job.py" --steps "$STEPS"
		traced torch-tf$r full "$PY" "$here/torch_job.py" --steps "$STEPS"
	done
	per=$("$PY" "$here/verify.py" per-step "$W/torch-prof.out")
	b=$(best s_step "$W"/torch-bare?.out)
	c=$(best s_step "$W"/torch-tc?.out)
	f=$(best s_step "$W"/torch-tf?.out)
	echo "torch: $per launches a step; seconds a step: bare $b, counts $c, full $f"
	judge cost "cost: torch step per launch, counts" step "$b" "$c" "$per"
	judge cost "cost: torch step per launch, full" step "$b" "$f" "$per"
else
	echo "torch: skipped (SKIP_TORCH, or no torch with CUDA in $PY)"
fi

provtrace-stat "$W/job-counts1" | sed 's/^/    /'
rm -rf "$PROVTRACE_TMPDIR"
if [ $failed -ne 0 ]; then
	echo "check.sh: FAILED (logs in $W)"
	exit 1
fi
echo "check.sh: all checks hold (logs in $W)"
exit 0
