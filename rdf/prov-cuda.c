/* prov-cuda.c — the one pass of the PROV-O mapping over the stores' logs (see prov-int.h),
 * for what only the log holds: the CUDA summaries of libprovtrace-cuda.so (the latest
 * round of each) and the MPI_INIT records (the MPI library's name); the GPUs, kernel, copy
 * and set summaries of each process. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/wire.h"
#include "prov-int.h"

/* A CUDA record of the log: per image and key, the one of the highest round counts. */
struct cuda_rec {
	uint32_t proc, type;
	uint64_t round, seq;
	uint8_t key[16];
	uint32_t klen;
	uint8_t *rec;
	uint32_t len;
};

struct cuda_list {
	struct cuda_rec *r;
	size_t n, cap;
};

struct cuda_fill {
	pt_prov *pv;
	struct cuda_list *l;
	uint64_t seen;
	size_t store;
};

static int cuda_log(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct cuda_fill *f = ctx;
	const uint8_t *p = rec, *end = rec + len;
	struct pt_ev ev;

	/* most records are neither CUDA's nor MPI_INIT: look at the type without parsing */
	if ((++f->seen & 0x1ffff) == 0)
		pt_store_drop_pages(f->pv->rs.st[f->store]);
	if (p < end && *p >= 0x90 && *p <= 0x9f)
		p++;
	else if (p < end && *p == 0xdc)
		p += 3;
	else
		return 0;
	if (p + 1 >= end || p[0] != 0xcc ||
	    ((p[1] < PT_EV_CUDA_DEVICE || p[1] > PT_EV_CUDA_DROPS) && p[1] != PT_EV_MPI_INIT))
		return 0;
	if (pt_ev_parse(rec, len, &ev))
		return 0;

	struct cuda_rec c = { proc, ev.type, 0, seq, { 0 }, 0, NULL, len };
	struct pt_bytes b;
	uint64_t k;
	switch (ev.type) {
	case PT_EV_MPI_INIT:
		break;      /* one per image: no key, no round; the first in the log */
	case PT_EV_CUDA_DEVICE:
		b = pt_ev_b(&ev, 2);
		c.klen = b.len < 16 ? b.len : 16;
		memcpy(c.key, b.p, c.klen);
		break;
	case PT_EV_CUDA_KERNEL:
		/* the name is the key: a prefix here, the whole name compared when sorting */
		c.round = pt_ev_u(&ev, 10);
		break;
	case PT_EV_CUDA_MEMCPY:
	case PT_EV_CUDA_DROPS:
		k = pt_ev_u(&ev, ev.type == PT_EV_CUDA_MEMCPY ? 0 : 1);
		c.round = pt_ev_u(&ev, ev.type == PT_EV_CUDA_MEMCPY ? 4 : 2);
		for (int i = 0; i < 8; i++)
			c.key[i] = (uint8_t)(k >> (56 - 8 * i));
		c.klen = 8;
		break;
	default:
		c.round = pt_ev_u(&ev, 3);
		break;
	}
	c.rec = xmalloc(len);
	memcpy(c.rec, rec, len);
	GROW(f->l->r, f->l->n, f->l->cap);
	f->l->r[f->l->n++] = c;
	return 0;
}

static int cuda_key_cmp(const struct cuda_rec *x, const struct cuda_rec *y)
{
	if (x->type == PT_EV_CUDA_KERNEL) {
		struct pt_ev a, b;
		pt_ev_parse(x->rec, x->len, &a);
		pt_ev_parse(y->rec, y->len, &b);
		struct pt_bytes na = pt_ev_b(&a, 0), nb = pt_ev_b(&b, 0);
		size_t n = na.len < nb.len ? na.len : nb.len;
		int c = memcmp(na.p, nb.p, n);
		return c ? c : (na.len > nb.len) - (na.len < nb.len);
	}
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->key, y->key, n);
	return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

static int cuda_cmp(const void *a, const void *b)
{
	const struct cuda_rec *x = a, *y = b;
	int c;

	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	if (x->type != y->type)
		return x->type < y->type ? -1 : 1;
	if ((c = cuda_key_cmp(x, y)))
		return c;
	/* the highest round first; devices (no round): the first seen */
	if (x->round != y->round)
		return x->round > y->round ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

int pt_pv_cuda_collect(pt_prov *pv)
{
	int r = 0;

	pv->cuda = calloc(pv->rs.n ? pv->rs.n : 1, sizeof *pv->cuda);
	if (!pv->cuda)
		abort();
	for (size_t s = 0; s < pv->rs.n && !r; s++) {
		struct cuda_fill f = { pv, &pv->cuda[s], 0, s };
		r = pt_store_each_log(pv->rs.st[s], 0, cuda_log, &f);
		if (f.l->n > 1)
			qsort(f.l->r, f.l->n, sizeof *f.l->r, cuda_cmp);
		pt_store_drop_pages(pv->rs.st[s]);
	}
	return r;
}

void pt_pv_cuda_free(pt_prov *pv)
{
	for (size_t s = 0; pv->cuda && s < pv->rs.n; s++) {
		for (size_t i = 0; i < pv->cuda[s].n; i++)
			free(pv->cuda[s].r[i].rec);
		free(pv->cuda[s].r);
	}
	free(pv->cuda);
	pv->cuda = NULL;
}

/* The records of one image: [*lo, *hi) of the store's sorted list. */
static void cuda_range(const pt_prov *pv, size_t s, uint32_t proc, size_t *lo, size_t *hi)
{
	const struct cuda_list *l = &pv->cuda[s];
	size_t a = 0, b = l->n;

	while (a < b) {
		size_t m = (a + b) / 2;
		if (l->r[m].proc < proc)
			a = m + 1;
		else
			b = m;
	}
	*lo = a;
	while (a < l->n && l->r[a].proc == proc)
		a++;
	*hi = a;
}

static const char *const copy_kinds[] = {
	"unknown", "HtoD", "DtoH", "HtoA", "AtoH", "AtoA", "AtoD", "DtoA", "DtoD", "HtoH", "PtoP",
};

static void iri_gpu(pt_prov *pv, struct pt_buf *b, const uint8_t *uuid, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	pt_pv_iri_run(pv, b, "/gpu/");
	for (size_t i = 0; i < n; i++) {
		pt_buf_putc(b, hex[uuid[i] >> 4]);
		pt_buf_putc(b, hex[uuid[i] & 15]);
	}
}

/* nvidia-smi's spelling: GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx */
static void uuid_text(struct pt_buf *b, const uint8_t *u, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	b->len = 0;
	pt_buf_puts(b, "GPU-");
	for (size_t i = 0; i < n; i++) {
		if (n == 16 && (i == 4 || i == 6 || i == 8 || i == 10))
			pt_buf_putc(b, '-');
		pt_buf_putc(b, hex[u[i] >> 4]);
		pt_buf_putc(b, hex[u[i] & 15]);
	}
}

static void triple3(struct pt_buf *b, const struct pt_ev *ev, unsigned field)
{
	struct pt_mpr m;
	uint32_t n;
	uint64_t v;

	b->len = 0;
	if (ev->n <= field || ev->v[field].kind != PT_MP_ARRAY)
		return;
	pt_mpr_init(&m, ev->v[field].b.p, ev->v[field].b.len);
	if (pt_mpr_array(&m, &n))
		return;
	for (uint32_t i = 0; i < n && pt_mpr_uint(&m, &v) == 0; i++) {
		if (i)
			pt_buf_putc(b, ',');
		pt_buf_u64(b, v);
	}
}

/* Pass 1: the properties of the process (its block).  Pass 2: the summaries' blocks. */
void pt_pv_emit_cuda(pt_prov *pv, size_t s, const struct pt_buf *P, int pass)
{
	struct pt_buf *S = &pv->s, *O = &pv->o;
	size_t lo, hi, nk = 0;
	uint32_t proc = 0;
	struct pt_ev ev;

	if (!pv->cuda || !pv->cuda[s].n)
		return;
	proc = pv->cur_proc;
	cuda_range(pv, s, proc, &lo, &hi);
	for (size_t i = lo; i < hi && !pv->err; i++) {
		const struct cuda_rec *c = &pv->cuda[s].r[i];
		/* only the first (highest round) of each key */
		if (i > lo && c->type == c[-1].type && cuda_key_cmp(c, c - 1) == 0)
			continue;
		if (pt_ev_parse(c->rec, c->len, &ev))
			continue;
		switch (c->type) {
		case PT_EV_CUDA_DEVICE: {
			struct pt_bytes name = pt_ev_b(&ev, 1), uuid = pt_ev_b(&ev, 2);
			if (pass == 1) {
				iri_gpu(pv, O, uuid.p, uuid.len);
				e_buf(pv, P, PT("gpu"), O);
				e_int(pv, P, PT("cudaDriverVersion"), pt_ev_i(&ev, 6));
				e_int(pv, P, PT("cudaRuntimeVersion"), pt_ev_i(&ev, 7));
				break;
			}
			if (!pt_strset_add(&pv->gpus, uuid.p, uuid.len))
				break;
			iri_gpu(pv, S, uuid.p, uuid.len);
			e_type(pv, S, PROV("Entity"));
			e_type(pv, S, PT("GPU"));
			e_text(pv, S, RDFS_LABEL, name.p, name.len);
			uuid_text(&pv->tmp, uuid.p, uuid.len);
			e_lit(pv, S, PT("uuid"), pv->tmp.p, pv->tmp.len, NULL);
			char cc[32];
			int n = snprintf(cc, sizeof cc, "%llu.%llu", (unsigned long long)pt_ev_u(&ev, 3),
					 (unsigned long long)pt_ev_u(&ev, 4));
			e_lit(pv, S, PT("computeCapability"), cc, (size_t)n, NULL);
			e_uint(pv, S, PT("memoryBytes"), pt_ev_u(&ev, 5));
			if (ev.n > 8)
				e_uint(pv, S, PT("multiprocessors"), pt_ev_u(&ev, 8));
			break;
		}
		case PT_EV_CUDA_KERNEL:
			S->len = 0;
			pt_buf_put(S, P->p, P->len);
			pt_buf_puts(S, "/kernel/");
			pt_buf_u64(S, nk++);
			if (pass == 1) {
				e_buf(pv, P, PT("kernelSummary"), S);
				break;
			}
			e_type(pv, S, PROV("Entity"));
			e_type(pv, S, PT("KernelSummary"));
			struct pt_bytes kn = pt_ev_b(&ev, 0);
			e_text(pv, S, PT("kernelName"), kn.p, kn.len);
			e_uint(pv, S, PT("launches"), pt_ev_u(&ev, 1));
			if (pt_ev_u(&ev, 9)) {
				e_uint(pv, S, PT("timedLaunches"), pt_ev_u(&ev, 9));
				e_uint(pv, S, PT("gpuTimeNs"), pt_ev_u(&ev, 2));
				e_uint(pv, S, PT("minGpuTimeNs"), pt_ev_u(&ev, 3));
				e_uint(pv, S, PT("maxGpuTimeNs"), pt_ev_u(&ev, 4));
			}
			triple3(O, &ev, 5);
			if (O->len)
				e_lit(pv, S, PT("grid"), O->p, O->len, NULL);
			triple3(O, &ev, 6);
			if (O->len) {
				e_lit(pv, S, PT("block"), O->p, O->len, NULL);
				e_uint(pv, S, PT("sharedMemoryBytes"), pt_ev_u(&ev, 7));
			}
			if (pt_ev_u(&ev, 8))
				e_uint(pv, S, PT("registers"), pt_ev_u(&ev, 8));
			break;
		case PT_EV_CUDA_MEMCPY:
		case PT_EV_CUDA_MEMSET: {
			int copy = c->type == PT_EV_CUDA_MEMCPY;
			uint64_t kind = copy ? pt_ev_u(&ev, 0) : 0;
			const char *dir = kind < sizeof copy_kinds / sizeof copy_kinds[0] ? copy_kinds[kind]
					  : copy_kinds[0];
			unsigned f0 = copy ? 1 : 0;
			S->len = 0;
			pt_buf_put(S, P->p, P->len);
			pt_buf_puts(S, copy ? "/memcpy/" : "/memset");
			if (copy)
				pt_buf_puts(S, dir);
			if (pass == 1) {
				e_buf(pv, P, copy ? PT("copySummary") : PT("setSummary"), S);
				break;
			}
			e_type(pv, S, PROV("Entity"));
			e_type(pv, S, copy ? PT("CopySummary") : PT("SetSummary"));
			if (copy)
				e_str(pv, S, PT("direction"), dir);
			e_uint(pv, S, PT("count"), pt_ev_u(&ev, f0));
			e_uint(pv, S, PT("bytes"), pt_ev_u(&ev, f0 + 1));
			if (pt_ev_u(&ev, f0 + 2))
				e_uint(pv, S, PT("gpuTimeNs"), pt_ev_u(&ev, f0 + 2));
			break;
		}
		case PT_EV_CUDA_DROPS:
			if (pass != 1)
				break;
			switch (pt_ev_u(&ev, 1)) {
			case PT_CUDA_DROP_CUPTI:
				e_uint(pv, P, PT("cudaDroppedRecords"), pt_ev_u(&ev, 0));
				break;
			case PT_CUDA_DROP_TABLE:
				e_uint(pv, P, PT("cudaUntrackedLaunches"), pt_ev_u(&ev, 0));
				break;
			case PT_CUDA_DROP_NO_CUPTI:
				e_bool(pv, P, PT("cudaUnavailable"), 1);
				break;
			case PT_CUDA_DROP_NO_ACTIVITY:
				e_bool(pv, P, PT("cudaNoActivity"), 1);
				break;
			}
			break;
		}
	}
}

int pt_pv_log_mpi_init(const pt_prov *pv, size_t s, uint32_t proc, struct pt_ev *ev)
{
	size_t lo, hi;

	if (!pv->cuda || !pv->cuda[s].n)
		return 0;
	cuda_range(pv, s, proc, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		const struct cuda_rec *c = &pv->cuda[s].r[i];
		if (c->type == PT_EV_MPI_INIT && pt_ev_parse(c->rec, c->len, ev) == 0)
			return 1;
	}
	return 0;
}
