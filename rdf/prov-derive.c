/* prov-derive.c — derivations in the PROV-O mapping (see prov-int.h): what each process
 * read (and which version), whom it heard from over pipes, sockets and MPI, and the walk
 * that gives a written version its sources.
 *
 * A version written by P derives from what P read before the write ended,
 * from what the processes P received data from over pipes and sockets had read before
 * they wrote it, from what the MPI ranks P received from (on any node) had read before
 * they last sent to it, and from what P's parent (or pre-exec image, or the MPI rank that
 * spawned it) had read before P began: the same temporal walk as provtrace lineage, done
 * per write with a memo of the widest bound per process, and capped (max_sources) with
 * the cut made visible. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "prov-int.h"

/* The walk's work: an image, and the time before which what it had counts. */
struct stack_item {
	uint32_t store, proc;
	uint64_t t;
};

/* ---- IPC channels: the objects joined by channel edges, and who wrote into them */

struct comp_fill {
	pt_prov *pv;
	size_t store;
	uint32_t *objs;
	size_t nobjs, capobjs;
	struct comp *c;
	size_t cap;
};

static int comp_edge(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind)
{
	struct comp_fill *f = ctx;

	(void)a;
	(void)ts;
	if (kind != PT_FLOW_CHANNEL)
		return 0;
	for (size_t i = 0; i < f->nobjs; i++)
		if (f->objs[i] == b)
			return 0;
	if (f->nobjs >= 4096)
		return 0;    /* a channel hub that big says nothing more */
	GROW(f->objs, f->nobjs, f->capobjs);
	f->objs[f->nobjs++] = b;
	return 0;
}

static int comp_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
		    const struct pt_use_rec *u)
{
	struct comp_fill *f = ctx;

	(void)obj;
	(void)sid;
	if (!(u->dirs & PT_USE_WRITE))
		return 0;
	GROW(f->c->w, f->c->n, f->cap);
	f->c->w[f->c->n++] = (struct cw){ proc, u->wfirst, u->end };
	return 0;
}

static int cw_cmp(const void *a, const void *b)
{
	const struct cw *x = a, *y = b;

	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	if (x->wfirst != y->wfirst)
		return x->wfirst < y->wfirst ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

static struct comp *get_comp(pt_prov *pv, size_t s, uint32_t obj)
{
	uint64_t key = (uint64_t)s << 32 | obj;
	struct comp *c = pt_pv_cache_find(pv, &pv->comp, key);

	if (c)
		return c;
	c = xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	struct comp_fill f = { pv, s, NULL, 0, 0, c, 0 };
	GROW(f.objs, f.nobjs, f.capobjs);
	f.objs[f.nobjs++] = obj;
	for (size_t i = 0; i < f.nobjs; i++)
		pt_store_each_flow(pv->rs.st[s], f.objs[i], 0, comp_edge, &f);
	for (size_t i = 0; i < f.nobjs; i++)
		pt_store_each_use(pv->rs.st[s], f.objs[i], comp_use, &f);
	if (c->n > 1)
		qsort(c->w, c->n, sizeof *c->w, cw_cmp);
	free(f.objs);
	pt_pv_cache_put(pv, &pv->comp, key, c, sizeof *c + PT_PV_FIT(c->w, c->n));
	return c;
}

/* When the sender of f last sent what f received (its latest send to the receiver, or
 * its latest call of the collective in any communicator); 0 when its store does not say. */
static uint64_t peer_last(pt_prov *pv, const struct mpi_flow *f)
{
	return pt_store_mpi_last_send(pv->rs.st[f->qs], f->q, f->to, f->coll ? f->op : 0);
}

/* ---- per process: what it read (with versions) and whom it heard from */

struct pl_fill {
	pt_prov *pv;
	size_t store;
	struct plist *l;
	size_t capr, cape, capm;
};

static int pl_sess(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *x)
{
	struct pl_fill *f = ctx;
	pt_prov *pv = f->pv;
	uint64_t end = x->close_ns;

	(void)sid;
	if (!x->obj || !end || !x->rops)
		return 0;
	uint64_t first = x->rfirst ? x->rfirst : x->open_ns;
	if (file_session(x->kind)) {
		struct ver v = pt_pv_resolve(pv, f->store, x->obj, first, 0, 0);
		if (v.kind == V_NONE)
			return 0;
		struct tl *t = pt_pv_get_tl(pv, f->store, x->obj);
		GROW(f->l->r, f->l->nr, f->capr);
		f->l->r[f->l->nr++] = (struct rd){ first, v, t->sys };
	} else if (x->kind == PT_KIND_PIPE || x->kind == PT_KIND_SOCKET) {
		struct comp *c = get_comp(pv, f->store, x->obj);
		/* per writer process: its earliest write into the channel before this read
		 * ended, and the latest end of those writes */
		for (size_t i = 0; i < c->n;) {
			uint32_t q = c->w[i].proc;
			uint64_t wfirst = UINT64_MAX, wend = 0;
			for (; i < c->n && c->w[i].proc == q; i++) {
				if (c->w[i].wfirst >= end)
					continue;
				if (c->w[i].wfirst < wfirst)
					wfirst = c->w[i].wfirst;
				if (c->w[i].end > wend)
					wend = c->w[i].end;
			}
			if (q == proc || wfirst == UINT64_MAX)
				continue;
			GROW(f->l->e, f->l->ne, f->cape);
			f->l->e[f->l->ne++] = (struct ie){ first, end, wfirst, wend, q };
		}
	}
	return 0;
}

/* An MPI peer's data, as it was when it last sent to this rank: no later than this
 * rank's latest receipt (from the peer's first send on, nothing bounds it below). */
static void pl_flow(pt_prov *pv, void *ctx, const struct mpi_flow *fl)
{
	struct pl_fill *f = ctx;
	uint64_t first = fl->coll ? fl->c->first : fl->t->first;
	uint64_t last = fl->coll ? fl->c->last : fl->t->last;
	uint64_t sent;

	if (!fl->found)
		return;
	sent = peer_last(pv, fl);
	if (sent && sent < last)
		last = sent;
	GROW(f->l->m, f->l->nm, f->capm);
	f->l->m[f->l->nm++] = (struct mpe){ first, last, fl->qs, fl->q };
}

static int mpe_cmp(const void *a, const void *b)
{
	const struct mpe *x = a, *y = b;

	if (x->qs != y->qs)
		return x->qs < y->qs ? -1 : 1;
	if (x->q != y->q)
		return x->q < y->q ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->reach < y->reach) - (x->reach > y->reach);   /* furthest first */
}

/* Sort by peer and time, and keep the entries that reach further than the peer's
 * earlier ones (see struct mpe). */
static void mpe_steps(struct plist *l)
{
	size_t k = 0;

	if (l->nm > 1)
		qsort(l->m, l->nm, sizeof *l->m, mpe_cmp);
	for (size_t i = 0; i < l->nm; i++) {
		const struct mpe *e = &l->m[i];
		if (k && l->m[k - 1].qs == e->qs && l->m[k - 1].q == e->q &&
		    l->m[k - 1].reach >= e->reach)
			continue;
		l->m[k++] = *e;
	}
	l->nm = k;
}

static int rd_cmp(const void *a, const void *b)
{
	const struct rd *x = a, *y = b;
	uint64_t a1 = ver_k1(&x->v), b1 = ver_k1(&y->v);

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (a1 != b1)
		return a1 < b1 ? -1 : 1;
	return (x->v.x > y->v.x) - (x->v.x < y->v.x);
}

static int ie_cmp(const void *a, const void *b)
{
	const struct ie *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->q != y->q)
		return x->q < y->q ? -1 : 1;
	if (x->wfirst != y->wfirst)
		return x->wfirst < y->wfirst ? -1 : 1;
	if (x->rend != y->rend)
		return x->rend < y->rend ? -1 : 1;
	return (x->wend > y->wend) - (x->wend < y->wend);
}

struct plist *pt_pv_get_plist(pt_prov *pv, size_t s, uint32_t proc)
{
	uint64_t key = (uint64_t)s << 32 | proc;
	struct plist *l = pt_pv_cache_find(pv, &pv->pl, key);

	if (l)
		return l;
	l = xmalloc(sizeof *l);
	memset(l, 0, sizeof *l);
	if (pt_store_proc(pv->rs.st[s], proc, &l->rec) == 0) {
		struct pl_fill f = { pv, s, l, 0, 0, 0 };
		pt_store_each_sess(pv->rs.st[s], proc, pl_sess, &f);
		pt_pv_mpi_flows(pv, s, proc, pl_flow, &f);
		mpe_steps(l);
		l->spawned = pt_pv_mpi_spawner(pv, s, proc, &l->sps, &l->sp);
		if (l->nr > 1)
			qsort(l->r, l->nr, sizeof *l->r, rd_cmp);
		if (l->ne > 1)
			qsort(l->e, l->ne, sizeof *l->e, ie_cmp);
	}
	size_t bytes = sizeof *l + PT_PV_FIT(l->r, l->nr) +
		       PT_PV_FIT(l->e, l->ne) + PT_PV_FIT(l->m, l->nm);
	pt_pv_cache_put(pv, &pv->pl, key, l, bytes);
	return l;
}

/* ---- derivations: the sources of a version written by `proc` until `t` */

static void push(pt_prov *pv, uint32_t store, uint32_t proc, uint64_t t)
{
	int fresh;
	uint64_t *best = pt_pv_kset_get(&pv->memo, proc, store, t, &fresh);

	if (!fresh) {
		if (t <= *best)
			return;
		*best = t;
	}
	GROW(pv->stack, pv->nstack, pv->capstack);
	pv->stack[pv->nstack++] = (struct stack_item){ store, proc, t };
}

/* Fills pv->srcs (sorted) and returns 1 when the limit cut the list. */
int pt_pv_sources(pt_prov *pv, size_t s, uint32_t proc, uint64_t t, const struct ver *self)
{
	uint64_t max = pv->opt.max_sources;
	int fresh, cut = 0;

	pt_pv_kset_reset(&pv->memo);
	pt_pv_kset_reset(&pv->vset);
	pv->nsrcs = 0;
	pv->nstack = 0;
	push(pv, (uint32_t)s, proc, t);
	while (pv->nstack && !cut) {
		struct stack_item it = pv->stack[--pv->nstack];
		struct plist *l = pt_pv_get_plist(pv, it.store, it.proc);
		size_t lo = 0, hi = l->nr;

		/* its own reads before the bound, latest first */
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (l->r[mid].t < it.t)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (size_t j = lo; j-- > 0;) {
			const struct rd *r = &l->r[j];
			if ((r->sys && !pv->opt.all_sources) || ver_cmp(&r->v, self) == 0)
				continue;
			pt_pv_kset_get(&pv->vset, ver_k1(&r->v), r->v.x, 0, &fresh);
			if (!fresh)
				continue;
			if (max && pv->nsrcs >= max) {
				cut = 1;
				break;
			}
			GROW(pv->srcs, pv->nsrcs, pv->capsrcs);
			pv->srcs[pv->nsrcs++] = r->v;
		}
		/* the processes it heard from, as they were when they wrote */
		for (size_t j = l->ne; j-- > 0;) {
			const struct ie *e = &l->e[j];
			uint64_t bound = e->rend < it.t ? e->rend : it.t;
			if (e->t >= it.t || e->wfirst >= bound)
				continue;
			push(pv, it.store, e->q, e->wend < bound ? e->wend : bound);
		}
		/* the MPI peers it heard from before the bound, on any node, each as far as
		 * its last entry that began before it reaches */
		for (size_t j = 0, k; j < l->nm; j = k) {
			size_t a = j, b;
			for (k = j + 1; k < l->nm && l->m[k].qs == l->m[j].qs && l->m[k].q == l->m[j].q;)
				k++;
			for (b = k; a < b;) {
				size_t mid = (a + b) / 2;
				if (l->m[mid].t < it.t)
					a = mid + 1;
				else
					b = mid;
			}
			if (a == j)
				continue;
			uint64_t bound = l->m[a - 1].reach < it.t ? l->m[a - 1].reach : it.t;
			if (bound)
				push(pv, l->m[j].qs, l->m[j].q, bound);
		}
		/* a child began with what its parent (or the image it replaced, or the rank
		 * that spawned it: its command line) had */
		if (l->rec.parent)
			push(pv, it.store, l->rec.parent, l->rec.start_ns);
		if (l->rec.exec_from)
			push(pv, it.store, l->rec.exec_from, l->rec.start_ns);
		if (l->spawned)
			push(pv, l->sps, l->sp, l->rec.start_ns);
	}
	if (pv->nsrcs > 1)
		qsort(pv->srcs, pv->nsrcs, sizeof *pv->srcs, ver_cmp);
	return cut;
}
