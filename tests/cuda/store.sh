#!/bin/sh
# store.sh — CUDA summaries through the whole path without a GPU: tests/cuda/feed writes
# them through the shim (two cumulative rounds, then a forked child), the collector
# stores them, provtrace stat sums the latest round of each; and provtrace run points the
# CUDA driver at the module.
. "$top_srcdir/tests/lib.sh"

FEED="$top_builddir/tests/cuda/feed"
LIB="$top_builddir/interpose/.libs/libprovtrace-cuda.so"
[ -x "$FEED" ] || skip "tests/cuda/feed not built (configure found no CUPTI)"

ptrun feed "$FEED"
assert_eq 0 "$rc" "feed: exit status ($(cat "$T/feed.err"))"

# the records as stored, with the fields protocol.h documents
assert_eq 2 "$(ev rec CUDA_DEVICE device=0 name='NVIDIA H200' cc_major=9 cc_minor=0 \
	memory=161061273600 driver=13000 runtime=13000 multiprocessors=132)" "CUDA_DEVICE"
assert_eq "3 1;5 2;" "$(ev rec CUDA_KERNEL name=_Z4axpyfPKfPf -f launches,round | tr '\n' ';')" \
	"axpy, two rounds"
assert_eq "5 4000 1000 3000 128,1,1 256,1,1 0 32 2" "$(ev rec CUDA_KERNEL round=2 \
	-f launches,total_ns,min_ns,max_ns,grid,block,shared,registers,timed)" "axpy round 2"
assert_eq "1 2;2 7;" "$(ev rec CUDA_KERNEL name=_Z6reducePfi -f proc,launches | tr '\n' ';')" \
	"reduce, parent and child"
assert_eq "3 12288 3000" "$(ev rec CUDA_MEMCPY kind=1 round=2 -f count,bytes,total_ns)" \
	"host to device, round 2"
assert_eq "1 512 10 1" "$(ev rec CUDA_MEMSET -f count,bytes,total_ns,round)" "CUDA_MEMSET"
assert_eq 0 "$(ev rec CUDA_DROPS)" "CUDA_DROPS"

# stat: the latest round per process and key, summed over processes (never 3 + 5 axpy)
assert_eq "2 1 2 14 0 2 4000" "$(stat_of gpu_processes gpu_devices gpu_kernels \
	gpu_kernel_launches gpu_graph_launches gpu_kernel_timed gpu_kernel_ns)" "stat: kernels"
assert_eq "5 12438 12288 150 0 0 1 512 0 0" "$(stat_of gpu_memcpy_count gpu_memcpy_bytes \
	gpu_memcpy_htod_bytes gpu_memcpy_dtoh_bytes gpu_memcpy_dtod_bytes gpu_memcpy_ptop_bytes \
	gpu_memset_count gpu_memset_bytes gpu_dropped gpu_uncaptured)" "stat: copies"
provtrace-stat "$RUN" >"$T/stat.txt"
assert_eq "gpu        2 processes on 1 device: 14 kernel launches of 2 kernels, 0 graph launches" \
	"$(grep '^gpu  ' "$T/stat.txt")" "stat text"
assert_eq "copies     5: 12438 bytes (12288 host to device, 150 device to host, 0 device to device, 0 peer); 1 sets, 512 bytes" \
	"$(grep '^copies' "$T/stat.txt")" "stat text, copies"

# the launcher: CUDA_INJECTION64_PATH names the module next to the shim, unless set
if [ -f "$LIB" ]; then
	ptrun env sh -c 'printf %s "$CUDA_INJECTION64_PATH"'
	assert_eq "$LIB" "$(cat "$T/env.out")" "CUDA_INJECTION64_PATH"
	# no CUDA record, no GPU line
	assert_eq "" "$(provtrace-stat --json "$RUN" | grep -o '"gpu_[a-z_]*"' || true)" \
		"stat of a run without CUDA"
	ptrun kept env CUDA_INJECTION64_PATH=/opt/tool/inject.so \
		sh -c 'printf %s "$CUDA_INJECTION64_PATH"'
	assert_eq /opt/tool/inject.so "$(cat "$T/kept.out")" "a user's injection library"
fi
set +e
PROVTRACE_CUDA_LIB=relative.so provtrace-run -q -o "$T/rel" -- true 2>"$T/rel.err"
rc=$?
set -e
assert_eq 125 "$rc" "a relative PROVTRACE_CUDA_LIB ($(cat "$T/rel.err"))"
exit 0
