/* gather.c — the CUDA summaries and the coverage gaps of a run, as provtrace stat and
 * provtrace report read them (gather.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "collector/wire.h"

#define GPU_KEY_MAX 4096   /* the module cuts kernel names there */

static uint8_t *dup_bytes(const void *p, size_t n)
{
	uint8_t *d = malloc(n + 1);

	if (!d)
		abort();
	if (n)
		memcpy(d, p, n);
	d[n] = 0;
	return d;
}

/* Keep the values of the record when it is the latest round of its (image, key). */
static void gpu_put(struct pt_gpu *g, uint32_t proc, const struct pt_ev *ev, uint64_t round,
		    const void *key, size_t klen, const uint64_t v[4])
{
	uint8_t buf[16 + GPU_KEY_MAX];
	uint64_t *slot;
	struct pt_gpu_ent *e;
	int fresh;

	if (klen > GPU_KEY_MAX)
		klen = GPU_KEY_MAX;
	memcpy(buf, &g->node, 4);
	memcpy(buf + 4, &proc, 4);
	memcpy(buf + 8, &ev->type, 4);
	memcpy(buf + 12, key, klen);
	slot = pt_u64map_get(&g->idx, pt_hash_bytes(buf, 12 + klen), 0, &fresh);
	if (fresh) {
		if (g->n == g->cap) {
			g->cap = g->cap ? 2 * g->cap : 256;
			if (!(g->e = realloc(g->e, g->cap * sizeof *g->e)))
				abort();
		}
		e = &g->e[g->n];
		*slot = ++g->n;
		*e = (struct pt_gpu_ent){ .type = ev->type, .node = g->node, .proc = proc };
		if (ev->type == PT_EV_CUDA_KERNEL) {
			e->key = dup_bytes(key, klen);
			e->klen = klen;
		}
	} else if (g->e[*slot - 1].round >= round) {
		return;
	}
	e = &g->e[*slot - 1];
	e->round = round;
	memcpy(e->v, v, sizeof e->v);
}

int pt_gpu_rec(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct pt_gpu *g = ctx;
	struct pt_mpr r;
	struct pt_bytes b;
	struct pt_ev ev;
	uint64_t type, v[4] = { 0 };
	uint32_t n;
	uint8_t k;
	int fresh;

	(void)seq;
	/* most of the log is not CUDA: look at the type before parsing the record */
	pt_mpr_init(&r, rec, len);
	if (pt_mpr_array(&r, &n) || pt_mpr_uint(&r, &type) || type < PT_EV_CUDA_DEVICE ||
	    type > PT_EV_CUDA_DROPS || pt_ev_parse(rec, len, &ev))
		return 0;
	pt_u64map_get(&g->procs, (uint64_t)g->node << 32 | proc, 0, &fresh);
	switch (ev.type) {
	case PT_EV_CUDA_DEVICE:
		b = pt_ev_b(&ev, 2);
		if (!b.len)   /* no UUID: the name on that node stands for it */
			b = pt_ev_b(&ev, 1);
		pt_strset_add(&g->devices, b.p, b.len);
		break;
	case PT_EV_CUDA_KERNEL:
		b = pt_ev_b(&ev, 0);
		if (b.len && b.p[0] != '[')
			pt_strset_add(&g->kernels, b.p, b.len);
		v[0] = pt_ev_u(&ev, 1);                               /* launches */
		v[1] = pt_ev_u(&ev, 9);                               /* timed */
		v[2] = pt_ev_u(&ev, 2);                               /* total_ns */
		v[3] = b.len == sizeof "[cuGraphLaunch]" - 1 &&
		       memcmp(b.p, "[cuGraphLaunch]", b.len) == 0;
		gpu_put(g, proc, &ev, pt_ev_u(&ev, 10), b.p, b.len, v);
		break;
	case PT_EV_CUDA_MEMCPY:
		k = (uint8_t)pt_ev_u(&ev, 0);
		v[0] = k;
		v[1] = pt_ev_u(&ev, 1);                               /* count */
		v[2] = pt_ev_u(&ev, 2);                               /* bytes */
		gpu_put(g, proc, &ev, pt_ev_u(&ev, 4), &k, 1, v);
		break;
	case PT_EV_CUDA_MEMSET:
		v[0] = pt_ev_u(&ev, 0);
		v[1] = pt_ev_u(&ev, 1);
		gpu_put(g, proc, &ev, pt_ev_u(&ev, 3), "", 0, v);
		break;
	case PT_EV_CUDA_DROPS:
		k = (uint8_t)pt_ev_u(&ev, 1);
		v[0] = k;
		v[1] = pt_ev_u(&ev, 0);                               /* dropped */
		gpu_put(g, proc, &ev, pt_ev_u(&ev, 2), &k, 1, v);
		break;
	}
	return 0;
}

void pt_gpu_sum(const struct pt_gpu *g, struct pt_gpu_totals *t)
{
	memset(t, 0, sizeof *t);
	for (size_t i = 0; i < g->n; i++) {
		const struct pt_gpu_ent *e = &g->e[i];
		switch (e->type) {
		case PT_EV_CUDA_KERNEL:
			if (e->v[3]) {
				t->graph_launches += e->v[0];
			} else {
				t->launches += e->v[0];
				t->timed += e->v[1];
				t->kernel_ns += e->v[2];
			}
			break;
		case PT_EV_CUDA_MEMCPY:
			t->copies += e->v[1];
			t->copy_bytes += e->v[2];
			t->copy_kind[e->v[0] < PT_COPY_KINDS ? e->v[0] : PT_COPY_UNKNOWN] += e->v[2];
			break;
		case PT_EV_CUDA_MEMSET:
			t->sets += e->v[0];
			t->set_bytes += e->v[1];
			break;
		case PT_EV_CUDA_DROPS:
			if (e->v[0] == PT_CUDA_DROP_CUPTI || e->v[0] == PT_CUDA_DROP_TABLE)
				t->dropped += e->v[1];
			else if (e->v[1])
				t->uncaptured++;
			break;
		}
	}
}

void pt_gpu_free(struct pt_gpu *g)
{
	pt_u64map_free(&g->idx);
	pt_u64map_free(&g->procs);
	pt_strset_free(&g->devices);
	pt_strset_free(&g->kernels);
	for (size_t i = 0; i < g->n; i++)
		free(g->e[i].key);
	free(g->e);
}

int pt_gap_rec(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct pt_gap_list *g = ctx;
	struct pt_gap_ent *e;
	struct pt_proc_rec pr;
	struct pt_ev ev;

	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		if (!(g->e = realloc(g->e, g->cap * sizeof *g->e)))
			abort();
	}
	e = &g->e[g->n++];
	memset(e, 0, sizeof *e);
	if (len >= 4)
		memcpy(&e->kind, rec, 4);
	e->node = g->node;
	e->seq = seq;
	e->detail_len = len > 4 ? len - 4 : 0;
	e->detail = dup_bytes(rec + (len > 4 ? 4 : len), e->detail_len);
	if (proc && pt_store_proc(g->st, proc, &pr) == 0)
		e->pid = pr.pid;
	if (proc && pt_store_proc_start(g->st, proc, &ev) == 0) {
		struct pt_bytes b = pt_ev_b(&ev, 0);
		e->exe_len = b.len;
		e->exe = dup_bytes(b.p, b.len);
	}
	return 0;
}

static int gap_cmp(const void *a, const void *b)
{
	const struct pt_gap_ent *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

void pt_gap_sort(struct pt_gap_list *g)
{
	if (g->n)
		qsort(g->e, g->n, sizeof *g->e, gap_cmp);
}

void pt_gap_free(struct pt_gap_list *g)
{
	for (size_t i = 0; i < g->n; i++) {
		free(g->e[i].exe);
		free(g->e[i].detail);
	}
	free(g->e);
}
