/* gather.h — what provtrace stat and provtrace report gather alike from a run's node
 * stores: the CUDA module's summaries (from the event log) and the coverage gaps. */
#ifndef PT_GATHER_H
#define PT_GATHER_H

#include <stddef.h>
#include <stdint.h>

#include "collector/protocol.h"
#include "collector/store.h"
#include "sets.h"

/* ---- GPU: the CUDA records are cumulative per process image; of each (image, key) only
 * the highest round counts (protocol.h). */

struct pt_gpu_ent {
	uint32_t type;              /* PT_EV_CUDA_KERNEL, _MEMCPY, _MEMSET, _DROPS */
	uint32_t node, proc;
	uint64_t round;
	uint64_t v[4];              /* kernel: launches, timed, total_ns, is-graph-launch;
				       memcpy: kind, count, bytes; memset: count, bytes;
				       drops: kind, dropped */
	uint8_t *key;               /* the kernel's name (terminated), else NULL */
	size_t klen;
};

struct pt_gpu {
	struct pt_u64map idx;       /* hash of (node, image, type, key) -> entry + 1 */
	struct pt_gpu_ent *e;
	size_t n, cap;
	struct pt_u64map procs;     /* (node, image) with CUDA records */
	struct pt_strset devices;   /* UUIDs */
	struct pt_strset kernels;   /* names, the pseudo-kernels "[...]" aside */
	uint32_t node;              /* set by the caller before each store's log */
};

struct pt_gpu_totals {
	uint64_t launches, graph_launches, timed, kernel_ns;
	uint64_t copies, copy_bytes, copy_kind[PT_COPY_KINDS], sets, set_bytes;
	uint64_t dropped, uncaptured;
};

/* A pt_log_fn: pt_store_each_log(st, 0, pt_gpu_rec, &gpu), g.node set to the store's
 * index first. */
int pt_gpu_rec(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len);
void pt_gpu_sum(const struct pt_gpu *g, struct pt_gpu_totals *t);
void pt_gpu_free(struct pt_gpu *g);

/* ---- coverage gaps, one by one: the process (pid and executable) that could not be
 * seen into, or the node when no image holds the gap, the kind and the detail. */

struct pt_gap_ent {
	uint32_t kind;
	size_t node;
	uint64_t seq;
	int32_t pid;               /* 0: a gap of the node */
	uint8_t *exe, *detail;     /* terminated copies */
	size_t exe_len, detail_len;
};

struct pt_gap_list {
	struct pt_gap_ent *e;
	size_t n, cap;
	pt_store *st;              /* set by the caller before each store's gaps */
	size_t node;
};

/* A pt_log_fn for pt_store_each_gap(). */
int pt_gap_rec(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len);
/* By kind, then as the stores hold them (node, then time). */
void pt_gap_sort(struct pt_gap_list *g);
void pt_gap_free(struct pt_gap_list *g);

#endif /* PT_GATHER_H */
