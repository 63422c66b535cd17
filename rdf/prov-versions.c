/* prov-versions.c — a file's versions in the PROV-O mapping (see prov-int.h): its timeline
 * over every store, and the version a read saw or a write revised.
 *
 * A file's history is its timeline: the write sessions (at their first write),
 * the renames and hard links that put content under its name, and the renames that took
 * its content away, merged over every store that knows the path (a path is one file on
 * every node that shares the file system, as for provtrace lineage).  A read sees the
 * latest timeline entry before its first read; before any entry, the content the file had
 * when the run began ("v0"), which exists in the graph only when someone read it.
 * Reads also show changes nothing traced made: a read whose file identity at its close
 * (device, inode, size, mtime) differs from the one the reads before it in the same
 * stretch of the timeline saw (or from the close of the write that began the stretch)
 * read content put there by someone else, a version of its own ("vx", an external
 * change, at that read) unless the two contents hashed the same. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "prov-int.h"

/* ---- what counts as a system file (the software, not the data): not a derivation
 * source unless asked, as provtrace lineage hides them unless --all */

static const char *const system_prefixes[] = {
	"/usr/", "/lib/", "/lib32/", "/lib64/", "/bin/", "/sbin/", "/etc/", "/proc/", "/sys/",
	"/run/", "/var/lib/", "/var/cache/", "/dev/",
};

static int system_path(const char *p, size_t n)
{
	if (n >= 9 && memcmp(p, "/dev/shm/", 9) == 0)
		return 0;
	for (size_t i = 0; i < sizeof system_prefixes / sizeof system_prefixes[0]; i++) {
		size_t k = strlen(system_prefixes[i]);
		if (n >= k && memcmp(p, system_prefixes[i], k) == 0)
			return 1;
	}
	return 0;
}

/* ---- timelines */

struct tl_read {                /* a read session of the path, for external changes */
	uint64_t t, sid;
	uint32_t proc, store;
	int has;                    /* the use index said what its close saw: */
	struct sid_ent at;
};

struct tl_write {               /* a write session of the path, when the index said */
	uint32_t store, proc;
	struct sid_ent at;
};

struct tl_fill {
	pt_prov *pv;
	struct tl *t;
	size_t store, cap;
	uint64_t *reads;
	size_t nreads, capreads;
	struct tl_read *rs;
	size_t nrs, caprs;
	struct tl_write *ws;
	size_t nws, capws;
};

static void tl_add(struct tl_fill *f, const struct tl_ent *e)
{
	GROW(f->t->e, f->t->n, f->cap);
	f->t->e[f->t->n++] = *e;
}

static int tl_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid, const struct pt_use_rec *u)
{
	struct tl_fill *f = ctx;

	(void)obj;
	if (!file_session(u->kind))
		return 0;
	struct sid_ent at = { sid, u->end, { u->dev, u->ino, u->size, u->mtime } };
	if (u->dirs & PT_USE_WRITE) {
		struct tl_ent e = { u->wfirst, sid, proc, 0, (uint16_t)f->store, E_WRITE, 0 };
		tl_add(f, &e);
		if (u->has_id) {
			GROW(f->ws, f->nws, f->capws);
			f->ws[f->nws++] = (struct tl_write){ (uint32_t)f->store, proc, at };
		}
	}
	if (u->dirs & PT_USE_READ) {
		GROW(f->reads, f->nreads, f->capreads);
		f->reads[f->nreads++] = u->rfirst;
		GROW(f->rs, f->nrs, f->caprs);
		f->rs[f->nrs++] = (struct tl_read){ u->rfirst, sid, proc, (uint32_t)f->store,
						    u->has_id, at };
	}
	return 0;
}

static int tl_flow_in(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind)
{
	struct tl_fill *f = ctx;

	/* reverse walk: a is this object, b the source */
	if (kind == PT_FLOW_RENAME || kind == PT_FLOW_LINK) {
		struct tl_ent e = { ts, ts, a, b, (uint16_t)f->store, E_MOVE, (uint8_t)kind };
		tl_add(f, &e);
	} else if (kind == PT_FLOW_SYMLINK && !f->t->has_sym) {
		f->t->has_sym = 1;
		f->t->sym_store = (uint32_t)f->store;
		f->t->sym_obj = b;
	}
	return 0;
}

static int tl_flow_out(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind)
{
	struct tl_fill *f = ctx;

	(void)a;
	(void)b;
	if (kind == PT_FLOW_RENAME) {
		struct tl_ent e = { ts, 0, 0, 0, (uint16_t)f->store, E_GONE, 0 };
		tl_add(f, &e);
	}
	if (kind == PT_FLOW_RENAME || kind == PT_FLOW_LINK) {
		/* the content moved out is a version: v0 when nothing came before */
		GROW(f->reads, f->nreads, f->capreads);
		f->reads[f->nreads++] = ts;
	}
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	const struct tl_ent *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->store != y->store)
		return x->store < y->store ? -1 : 1;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	if (x->x != y->x)
		return x->x < y->x ? -1 : 1;
	return (x->src > y->src) - (x->src < y->src);
}

/* Index of the last of the first n entries before t, or -1. */
static long ents_before(const struct tl_ent *e, size_t n, uint64_t when)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (e[mid].t < when)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

/* Index of the last entry before t, or -1. */
static long tl_before(const struct tl *t, uint64_t when)
{
	return ents_before(t->e, t->n, when);
}

/* ---- external changes: what each read session's close saw of the file */

/* What the close of session sid of (s, proc) saw of its file, if it was a file session
 * that moved data and closed.  The use index says it beside each session (tl_use); a
 * store indexed by an earlier provtrace does not, and its session is looked up. */
static int sid_find(pt_prov *pv, size_t s, uint32_t proc, uint64_t sid, struct sid_ent *out)
{
	struct pt_sess_rec x;

	if (pt_store_sess(pv->rs.st[s], proc, sid, &x) || !x.obj || !x.close_ns ||
	    !file_session(x.kind) || (!x.rops && !x.wops))
		return 0;
	*out = (struct sid_ent){ sid, x.close_ns, { x.dev, x.ino, x.size, x.mtime } };
	return 1;
}

static int write_cmp(const void *a, const void *b)
{
	const struct tl_write *x = a, *y = b;

	if (x->store != y->store)
		return x->store < y->store ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return (x->at.sid > y->at.sid) - (x->at.sid < y->at.sid);
}

/* A write session of the path: from the index's word (f->ws, sorted) or the store. */
static int write_find(pt_prov *pv, struct tl_fill *f, const struct tl_ent *e,
		      struct sid_ent *out)
{
	struct tl_write key = { e->store, e->id, { e->x, 0, { 0, 0, 0, 0 } } };
	const struct tl_write *w = f->nws ? bsearch(&key, f->ws, f->nws, sizeof *f->ws,
						    write_cmp) : NULL;

	if (w) {
		*out = w->at;
		return 1;
	}
	return sid_find(pv, e->store, e->id, e->x, out);
}

static int id_known(const struct pt_file_id *id)
{
	return id->dev || id->ino || id->size || id->mtime;
}

static int id_same(const struct pt_file_id *a, const struct pt_file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size && a->mtime == b->mtime;
}

/* Two identities of one path whose bytes hashed the same are one version. */
static int same_bytes(pt_prov *pv, uint32_t sa, const struct pt_file_id *a, uint32_t sb,
		      const struct pt_file_id *b)
{
	struct pt_hash_rec x, y;

	return pt_store_hash_get(pv->rs.st[sa], a, &x) == 0 && x.state == PT_HASH_DONE &&
	       pt_store_hash_get(pv->rs.st[sb], b, &y) == 0 && y.state == PT_HASH_DONE &&
	       memcmp(x.hash, y.hash, 16) == 0;
}

static int read_cmp(const void *a, const void *b)
{
	const struct tl_read *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->store != y->store)
		return x->store < y->store ? -1 : 1;
	if (x->proc != y->proc)
		return x->proc < y->proc ? -1 : 1;
	return (x->sid > y->sid) - (x->sid < y->sid);
}

/* Walk the reads in time order, per stretch of the timeline (the entries before them):
 * each stretch starts from what its write's close left (or from its first read), and a
 * read that saw another identity begins an external version (E_EXT) at its first read.
 * Reads during a write of the job (an earlier entry's session still open) say nothing. */
static void tl_external(pt_prov *pv, struct tl *t, struct tl_fill *f)
{
	struct pt_file_id ref = { 0, 0, 0, 0 }, last = { 0, 0, 0, 0 };
	uint32_t ref_store = 0, last_store = 0;
	long seg = -1, done = -1;    /* the stretch of the last read; entries walked */
	uint64_t busy = 0;           /* the job's writes so far: open until */
	size_t nbase = t->n, cap = f->cap;

	if (f->nrs > 1)
		qsort(f->rs, f->nrs, sizeof *f->rs, read_cmp);
	if (f->nws > 1)
		qsort(f->ws, f->nws, sizeof *f->ws, write_cmp);
	for (size_t i = 0; i < f->nrs; i++) {
		const struct tl_read *r = &f->rs[i];
		/* the base entries (EXT ones are appended after them); reads come in time
		 * order, so stretches only move forward */
		long k = ents_before(t->e, nbase, r->t);
		for (; done < k; done++) {
			const struct tl_ent *e = &t->e[done + 1];
			struct sid_ent w;
			if (e->kind != E_WRITE)
				continue;
			if (!write_find(pv, f, e, &w)) {
				busy = UINT64_MAX;   /* a write whose close is not known */
			} else if (w.close > busy) {
				busy = w.close;      /* the last close of a write left the file */
				last = w.id;
				last_store = e->store;
			}
		}
		if (k != seg) {
			seg = k;
			memset(&ref, 0, sizeof ref);
			if (k >= 0 && t->e[k].kind == E_WRITE) {
				ref = last;
				ref_store = last_store;
			}
		}
		struct sid_ent rd = r->at;
		if ((!r->has && !sid_find(pv, r->store, r->proc, r->sid, &rd)) ||
		    !id_known(&rd.id) || r->t < busy)
			continue;
		if (id_known(&ref) && !id_same(&ref, &rd.id) &&
		    !same_bytes(pv, ref_store, &ref, r->store, &rd.id) &&
		    (t->n == nbase || t->e[t->n - 1].x != r->t)) {
			struct tl_ent e = { r->t - 1, r->t, t->cobj, 0, (uint16_t)t->cstore, E_EXT, 0 };
			GROW(t->e, t->n, cap);
			t->e[t->n++] = e;
		}
		ref = rd.id;
		ref_store = r->store;
	}
	f->cap = cap;
	if (t->n > nbase)
		qsort(t->e, t->n, sizeof *t->e, ent_cmp);
}

struct tl *pt_pv_get_tl(pt_prov *pv, size_t s, uint32_t obj)
{
	uint64_t key = (uint64_t)s << 32 | obj;
	struct tl *t = pt_pv_cache_find(pv, &pv->tl, key);
	struct pt_buf path = { 0 };

	if (t)
		return t;
	t = xmalloc(sizeof *t);
	memset(t, 0, sizeof *t);
	uint32_t kind = pt_pv_obj_name(pv, s, obj, &path);
	if (kind == PT_KIND_FILE && path.len && path.p[0] == '/') {
		struct tl_fill f = { .pv = pv, .t = t };
		t->is_file = 1;
		t->sys = system_path(path.p, path.len);
		t->cstore = (uint32_t)s;
		t->cobj = obj;
		for (size_t j = 0; j < pv->rs.n; j++) {
			uint32_t oj = obj;
			if (j != s && pt_store_obj_find(pv->rs.st[j], path.p, path.len, &oj))
				continue;
			if (j < t->cstore) {
				t->cstore = (uint32_t)j;
				t->cobj = oj;
			}
			f.store = j;
			pt_store_each_use(pv->rs.st[j], oj, tl_use, &f);
			pt_store_each_flow(pv->rs.st[j], oj, 1, tl_flow_in, &f);
			pt_store_each_flow(pv->rs.st[j], oj, 0, tl_flow_out, &f);
		}
		if (t->n > 1)
			qsort(t->e, t->n, sizeof *t->e, ent_cmp);
		/* v0 is in the graph when a read (or a move out) comes before every entry, or
		 * after the content was renamed away; through a symbolic link, when the target
		 * had no version of the run's making then either */
		for (size_t i = 0; i < f.nreads && !t->has_v0; i++) {
			long k = tl_before(t, f.reads[i]);
			if (k >= 0 && t->e[k].kind != E_GONE)
				continue;
			if (k < 0 && t->has_sym && pv->depth < 8) {
				pv->depth++;
				struct ver v = pt_pv_resolve(pv, t->sym_store, t->sym_obj, f.reads[i], 0, 0);
				pv->depth--;
				if (v.kind == V_WRITE || v.kind == V_MOVE)
					continue;
			}
			t->has_v0 = 1;
		}
		free(f.reads);
		if (!t->has_sym && f.nrs)
			tl_external(pv, t, &f);
		free(f.rs);
		free(f.ws);
	}
	pt_buf_free(&path);
	pt_pv_cache_put(pv, &pv->tl, key, t, sizeof *t + PT_PV_FIT(t->e, t->n));
	return t;
}

/* The version of (s, obj) at time `when`: for a read (the content it saw), or for a
 * write (the version it revises: none after a rename away, v0 only when it exists). */
struct ver pt_pv_resolve(pt_prov *pv, size_t s, uint32_t obj, uint64_t when, int for_write,
			  int depth)
{
	struct tl *t = pt_pv_get_tl(pv, s, obj);
	struct ver v = { V_NONE, 0, 0, 0 };

	if (!t->is_file)
		return v;
	long k = tl_before(t, when);
	if (k >= 0) {
		const struct tl_ent *e = &t->e[k];
		switch (e->kind) {
		case E_WRITE:
			v.kind = V_WRITE;
			v.store = e->store;
			v.id = e->id;
			v.x = e->x;
			return v;
		case E_MOVE:
			v.kind = V_MOVE;
			v.store = e->store;
			v.id = e->id;
			v.x = e->x;
			return v;
		case E_EXT:
			v.kind = V_EXT;
			v.store = t->cstore;
			v.id = t->cobj;
			v.x = e->x;
			return v;
		default:
			if (for_write)
				return v;
			break;
		}
	} else if (t->has_sym && depth < 8 && !for_write) {
		/* a symbolic link reads as its target; content from before the run, as its own */
		struct ver w = pt_pv_resolve(pv, t->sym_store, t->sym_obj, when, 0, depth + 1);
		if (w.kind == V_WRITE || w.kind == V_MOVE)
			return w;
	}
	if (for_write && !t->has_v0)
		return v;
	v.kind = V_V0;
	v.store = t->cstore;
	v.id = t->cobj;
	return v;
}
