/* store-index.c — the indices, built from the log by pt_store_index(): objects, sessions
 * and their uses, data-flow edges, libraries, gaps, the later fields of process records
 * (MPI records go to store-mpi.c), in steps whose records are written back once. */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathnorm.h"
#include "store-schema.h"
#include "wmap.h"

/* ---- objects: names interned to ids */

uint64_t pt_st_fnv64(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Find the object named `name`; with `kind` != 0, create it when missing. */
int pt_st_obj_lookup(pt_store *st, const void *name, size_t len, uint32_t kind, uint32_t *obj)
{
	uint8_t key[PT_PATH_KEY_MAX + 1];
	size_t kn;
	MDB_val v;
	int r;

	for (unsigned probe = 0; probe < 256; probe++) {
		if (len <= PT_PATH_KEY_MAX) {
			memcpy(key, name, len);
			kn = len;
			if (len == 0) {
				key[0] = 0;   /* LMDB keys cannot be empty */
				kn = 1;
			}
		} else {
			/* a path past LMDB's key limit: keyed by hash, the name kept whole in obj */
			key[0] = 0xff;
			be64(key + 1, pt_st_fnv64(name, len));
			key[9] = (uint8_t)probe;
			kn = 10;
		}
		r = pt_st_get(st, DB_PATH, key, kn, &v);
		if (r == 0) {
			uint32_t id;
			const uint8_t *nm;
			size_t nl;
			uint32_t k2;

			if (v.mv_size != 4)
				return PT_EWIRE;
			memcpy(&id, v.mv_data, 4);
			if (len <= PT_PATH_KEY_MAX) {
				*obj = id;
				return 0;
			}
			if ((r = pt_store_obj_name(st, id, &nm, &nl, &k2)))
				return r;
			if (nl == len && memcmp(nm, name, len) == 0) {
				*obj = id;
				return 0;
			}
			continue;    /* another long name with the same hash: next probe */
		}
		if (r != PT_ENOTFOUND)
			return r;
		if (!kind)
			return PT_ENOTFOUND;
		/* create */
		uint32_t id = st->next_obj;
		uint8_t ok[4];
		uint8_t *ov = malloc(len + 1);

		if (!ov)
			return ENOMEM;
		be32(ok, id);
		ov[0] = (uint8_t)kind;
		memcpy(ov + 1, name, len);
		r = pt_st_put(st, DB_OBJ, ok, 4, ov, len + 1, MDB_APPEND);
		free(ov);
		if (r || (r = pt_st_put(st, DB_PATH, key, kn, &id, 4, 0)))
			return r;
		st->next_obj++;
		*obj = id;
		return 0;
	}
	return PT_EWIRE;
}

/* ---- processes */

/* Writing back in key order: a key past the table's last one is appended (MDB_APPEND
 * fills pages instead of splitting them in half), the others are put where they go.
 * Most of a step's sessions and processes are new ones, with the highest keys. */
struct flush {
	pt_store *st;
	uint8_t last[12];   /* the table's last key, big-endian, zeros when empty */
	int any;
};

static int flush_start(struct flush *f, pt_store *st, int db, size_t kn)
{
	memset(f, 0, sizeof *f);
	f->st = st;
	return pt_st_last_key(st->txn, st->dbi[db], f->last, kn, &f->any);
}

static unsigned flush_flags(struct flush *f, const uint8_t *k, size_t kn)
{
	if (f->any && memcmp(k, f->last, kn) <= 0)
		return 0;
	memcpy(f->last, k, kn);
	f->any = 1;
	return MDB_APPEND;
}

/* Process and session records go through the step's write-back maps while an indexing
 * step runs (st->wback): a get finds the step's own version first, a put stays in memory
 * until wback_flush() writes each changed record once. */
static int wback_keep(struct pt_wmap *m, uint32_t a, uint64_t b, const void *v, size_t n,
		      int dirty)
{
	uint8_t *d;
	void *e = pt_wmap_add(m, a, b, &d);

	if (!e)
		return ENOMEM;
	memcpy(e, v, n);
	*d |= (uint8_t)dirty;
	return 0;
}

int pt_st_proc_get(pt_store *st, uint32_t proc, struct pt_proc_rec *r)
{
	uint8_t k[4];
	MDB_val v;
	void *c;
	int e;

	if (st->wback && (c = pt_wmap_find(st->wproc, proc, 0))) {
		memcpy(r, c, sizeof *r);
		return 0;
	}
	be32(k, proc);
	if ((e = pt_st_get(st, DB_PROC, k, 4, &v)))
		return e;
	memset(r, 0, sizeof *r);
	memcpy(r, v.mv_data, v.mv_size < sizeof *r ? v.mv_size : sizeof *r);
	return st->wback ? wback_keep(st->wproc, proc, 0, r, sizeof *r, 0) : 0;
}

/* A process record into the table; f: written back in key order (NULL: plainly) */
static int proc_write(pt_store *st, uint32_t proc, const struct pt_proc_rec *r, struct flush *f)
{
	uint8_t k[4];

	be32(k, proc);
	return pt_st_put(st, DB_PROC, k, 4, r, sizeof *r, f ? flush_flags(f, k, 4) : 0);
}

int pt_st_proc_put(pt_store *st, const struct pt_proc_rec *r)
{
	if (st->wback)
		return wback_keep(st->wproc, r->id, 0, r, sizeof *r, 1);
	return proc_write(st, r->id, r, NULL);
}

/* ---- sessions, and the uses of objects by those that moved data */

static int sess_get(pt_store *st, uint32_t proc, uint64_t sid, struct pt_sess_rec *s)
{
	uint8_t k[12];
	MDB_val v;
	void *c;
	int r;

	if (st->wback && (c = pt_wmap_find(st->wsess, proc, sid))) {
		memcpy(s, c, sizeof *s);
		return 0;
	}
	be32(k, proc);
	be64(k + 4, sid);
	if ((r = pt_st_get(st, DB_SESS, k, 12, &v)))
		return r;
	memset(s, 0, sizeof *s);
	if ((r = pt_st_sess_unpack(v.mv_data, v.mv_size, s)))
		return r;
	return st->wback ? wback_keep(st->wsess, proc, sid, s, sizeof *s, 0) : 0;
}

/* A session record into the table; f: written back in key order (NULL: plainly) */
static int sess_write(pt_store *st, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s,
		      struct flush *f)
{
	uint8_t k[12], v[SESS_FIELDS * 9 + 4];
	size_t n = pt_st_sess_pack(s, v, sizeof v);

	be32(k, proc);
	be64(k + 4, sid);
	return n ? pt_st_put(st, DB_SESS, k, 12, v, n, f ? flush_flags(f, k, 12) : 0) : PT_EWIRE;
}

static int sess_put(pt_store *st, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s)
{
	if (st->wback)
		return wback_keep(st->wsess, proc, sid, s, sizeof *s, 1);
	return sess_write(st, proc, sid, s, NULL);
}

static int flush_sess(void *ctx, uint32_t proc, uint64_t sid, const void *v)
{
	struct flush *f = ctx;

	return sess_write(f->st, proc, sid, v, f);
}

static int flush_proc(void *ctx, uint32_t proc, uint64_t unused, const void *v)
{
	struct flush *f = ctx;

	(void)unused;
	return proc_write(f->st, proc, v, f);
}

/* Start (on) or end (off) an indexing step's write-back; at the end, write what changed
 * unless the step failed (its transaction is aborted anyway). */
static int wback(pt_store *st, int on, int write)
{
	int r = 0;

	if (on) {
		if ((!st->wsess && !(st->wsess = pt_wmap_new(sizeof(struct pt_sess_rec)))) ||
		    (!st->wproc && !(st->wproc = pt_wmap_new(sizeof(struct pt_proc_rec)))))
			return ENOMEM;
		pt_wmap_clear(st->wsess);
		pt_wmap_clear(st->wproc);
		st->wback = 1;
		return 0;
	}
	st->wback = 0;
	if (write) {
		struct flush f;
		pt_wmap_sort(st->wsess);
		pt_wmap_sort(st->wproc);
		if (!(r = flush_start(&f, st, DB_SESS, 12)))
			r = pt_wmap_each_dirty(st->wsess, flush_sess, &f);
		if (!r && !(r = flush_start(&f, st, DB_PROC, 4)))
			r = pt_wmap_each_dirty(st->wproc, flush_proc, &f);
	}
	pt_wmap_clear(st->wsess);
	pt_wmap_clear(st->wproc);
	return r;
}

int pt_st_sess_begin(pt_store *st, uint32_t proc, uint64_t sid, uint32_t obj, uint32_t kind,
		     int fd, uint32_t flags, uint32_t call, uint64_t ts)
{
	struct pt_sess_rec s = { 0 };

	s.obj = obj;
	s.kind = kind;
	s.fd = fd;
	s.flags = flags;
	s.call = call;
	s.open_ns = ts;
	st->c.sessions++;
	return sess_put(st, proc, sid, &s);
}

static uint32_t obj_kind(uint32_t kind)
{
	return kind >= PT_KIND_FILE && kind <= PT_KIND_OTHER ? kind : PT_KIND_OTHER;
}

/* Has any session of obj moved data before? (a cursor on the use index's prefix) */
static int obj_used(pt_store *st, uint32_t obj, int *used)
{
	uint8_t k[4];
	MDB_cursor *c;
	MDB_val key, v;
	int r;

	be32(k, obj);
	*used = 0;
	if ((r = mdb_cursor_open(st->txn, st->dbi[DB_USE], &c)))
		return r;
	key = val(k, 4);
	r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	if (r == 0 && key.mv_size >= 4 && memcmp(key.mv_data, k, 4) == 0)
		*used = 1;
	mdb_cursor_close(c);
	return r == MDB_NOTFOUND ? 0 : r;
}

/* CLOSE and C_SESS_END share their first twelve fields. */
int pt_st_sess_end(pt_store *st, uint32_t proc, const struct pt_ev *ev, int from_table)
{
	struct pt_sess_rec s;
	struct pt_proc_rec p;
	uint64_t sid = pt_ev_u(ev, 0);
	int r, used;

	r = sess_get(st, proc, sid, &s);
	if (r == PT_ENOTFOUND)
		return 0;        /* its OPEN was lost (counted as dropped by the producer) */
	if (r)
		return r;
	if (s.close_ns)
		return 0;        /* already closed: a CLOSE published just before a kill */
	s.rbytes = pt_ev_u(ev, 2);
	s.rops = pt_ev_u(ev, 3);
	s.wbytes = pt_ev_u(ev, 4);
	s.wops = pt_ev_u(ev, 5);
	s.rfirst = pt_ev_u(ev, 6);
	s.rlast = pt_ev_u(ev, 7);
	s.wfirst = pt_ev_u(ev, 8);
	s.wlast = pt_ev_u(ev, 9);
	s.rmax = pt_ev_u(ev, 10);
	s.wmax = pt_ev_u(ev, 11);
	if (!from_table) {
		s.dev = pt_ev_u(ev, 12);
		s.ino = pt_ev_u(ev, 13);
		s.size = pt_ev_u(ev, 14);
		s.mtime = pt_ev_u(ev, 15);
		s.how = (uint32_t)pt_ev_u(ev, 16);
	} else {
		s.how = 0xff;
	}
	s.close_ns = ev->ts ? ev->ts : 1;
	if ((r = sess_put(st, proc, sid, &s)))
		return r;
	if (!s.obj || (!s.rops && !s.wops))
		return 0;

	struct pt_use_rec u = { 0 };
	uint8_t k[17];
	u.dirs = (s.rops ? PT_USE_READ : 0) | (s.wops ? PT_USE_WRITE : 0);
	u.kind = s.kind;
	u.rfirst = s.rfirst ? s.rfirst : s.open_ns;
	u.wfirst = s.wfirst ? s.wfirst : s.open_ns;
	u.end = s.close_ns;
	u.rbytes = s.rbytes;
	u.wbytes = s.wbytes;
	u.dev = s.dev;     /* what the close saw, for a reader of the file's history */
	u.ino = s.ino;
	u.size = s.size;
	u.mtime = s.mtime;
	if ((r = obj_used(st, s.obj, &used)))
		return r;
	/* one entry per direction, so that a walk back seeks the writers of an object and
	 * a walk forward its readers, without stepping over the other kind */
	uint8_t v[USE_FIELDS * 9 + 4];
	size_t vn = pt_st_use_pack(&u, v, sizeof v);
	if (!vn)
		return PT_EWIRE;
	be32(k, s.obj);
	be32(k + 5, proc);
	be64(k + 9, sid);
	for (uint32_t dir = PT_USE_READ; dir <= PT_USE_WRITE; dir <<= 1) {
		if (!(u.dirs & dir))
			continue;
		k[4] = (uint8_t)dir;
		if ((r = pt_st_put(st, DB_USE, k, 17, v, vn, 0)))
			return r;
	}
	if (s.kind == PT_KIND_FILE) {
		if (!used)
			st->c.files++;
		st->c.bytes_read += s.rbytes;
		st->c.bytes_written += s.wbytes;
		if ((r = pt_st_proc_get(st, proc, &p)))
			return r == PT_ENOTFOUND ? 0 : r;
		p.rbytes += s.rbytes;
		p.wbytes += s.wbytes;
		return pt_st_proc_put(st, &p);
	}
	if (s.kind == PT_KIND_PIPE || s.kind == PT_KIND_SOCKET)
		st->c.ipc_bytes += s.rbytes + s.wbytes;
	return 0;
}

/* ---- data-flow edges */

static int flow_put(pt_store *st, uint32_t from, uint32_t to, uint64_t ts, uint32_t kind)
{
	uint8_t k[16], v = (uint8_t)kind;
	int r;

	be32(k, from);
	be32(k + 4, to);
	be64(k + 8, ts);
	if ((r = pt_st_put(st, DB_FLOW, k, 16, &v, 1, 0)))
		return r;
	be32(k, to);
	be32(k + 4, from);
	return pt_st_put(st, DB_FLOWR, k, 16, &v, 1, 0);
}

static int endpoint(pt_store *st, const char *fmt, uint64_t ino, uint32_t *obj)
{
	char name[64];
	int n = snprintf(name, sizeof name, fmt, (unsigned long long)ino);

	return pt_st_obj_lookup(st, name, (size_t)n, PT_KIND_SOCKET, obj);
}

/* ---- applying records */

static int gap_index(pt_store *st, uint32_t proc, uint32_t kind, const void *detail, size_t n);

static int apply(pt_store *st, uint32_t proc, const struct pt_ev *ev, const uint8_t *rec,
		 uint32_t len)
{
	struct pt_proc_rec p, c;
	struct pt_sess_rec s;
	struct pt_bytes b, b2;
	uint32_t obj, obj2, child;
	uint8_t k[8];
	int r;

	switch (ev->type) {
	case PT_EV_PROC_START:
		be32(k, proc);
		if ((r = pt_st_put(st, DB_PROCX, k, 4, rec, len, 0)))
			return r;
		if ((r = pt_st_proc_get(st, proc, &p)))
			return r == PT_ENOTFOUND ? 0 : r;
		p.how = (uint32_t)pt_ev_u(ev, 9);
		p.flags |= (uint32_t)pt_ev_u(ev, 10);
		return pt_st_proc_put(st, &p);

	case PT_EV_PROC_EXIT:
		if ((r = pt_st_proc_get(st, proc, &p)))
			return r == PT_ENOTFOUND ? 0 : r;
		if (pt_ev_u(ev, 0) != PT_EXIT_DESTRUCTOR) {
			p.status = (int32_t)pt_ev_i(ev, 1);
			p.status_from = 1;
		}
		p.end_ns = ev->ts;
		p.utime_us = pt_ev_u(ev, 2);
		p.stime_us = pt_ev_u(ev, 3);
		p.maxrss_kb = pt_ev_u(ev, 4);
		return pt_st_proc_put(st, &p);

	case PT_EV_WAIT:
		/* how a child ended, seen by its parent: the only witness of a signal */
		if ((r = pt_store_proc_at(st, (int32_t)pt_ev_i(ev, 0), ev->ts, &child)))
			return r == PT_ENOTFOUND ? 0 : r;
		if ((r = pt_st_proc_get(st, child, &c)))
			return r == PT_ENOTFOUND ? 0 : r;
		if (c.status_from != 1) {
			c.status = (int32_t)pt_ev_i(ev, 1);
			c.status_from = 2;
			return pt_st_proc_put(st, &c);
		}
		return 0;

	case PT_EV_LIBS: {
		struct pt_mpr m;
		uint32_t n, two;
		if (ev->n < 1 || ev->v[0].kind != PT_MP_ARRAY)
			return 0;
		pt_mpr_init(&m, ev->v[0].b.p, ev->v[0].b.len);
		if (pt_mpr_array(&m, &n))
			return PT_EWIRE;
		while (n--) {
			uint64_t base = 0;
			uint8_t lk[8];
			if (pt_mpr_array(&m, &two) || two < 2 || pt_mpr_bytes(&m, &b) ||
			    pt_mpr_uint(&m, &base))
				return PT_EWIRE;
			for (uint32_t i = 2; i < two; i++)
				if (pt_mpr_skip(&m))
					return PT_EWIRE;
			if ((r = pt_st_obj_lookup(st, b.p, b.len, PT_KIND_FILE, &obj)))
				return r;
			be32(lk, proc);
			be32(lk + 4, obj);
			if ((r = pt_st_put(st, DB_LIBS, lk, 8, &base, 8, 0)))
				return r;
		}
		return 0;
	}

	case PT_EV_OPEN:
	case PT_EV_ADOPT: {
		uint32_t kind = (uint32_t)pt_ev_u(ev, 3 + (ev->type == PT_EV_OPEN ? 2 : 0));
		b = pt_ev_b(ev, 2);
		if ((r = pt_st_obj_lookup(st, b.p, b.len, obj_kind(kind), &obj)))
			return r;
		return pt_st_sess_begin(st, proc, pt_ev_u(ev, 0), obj, kind, (int)pt_ev_i(ev, 1),
				  ev->type == PT_EV_OPEN ? (uint32_t)pt_ev_u(ev, 3) : 0,
				  ev->type == PT_EV_OPEN ? (uint32_t)pt_ev_u(ev, 6) : 0xff, ev->ts);
	}

	case PT_EV_INHERIT:
		/* the parent's session gives the object */
		if ((r = pt_st_proc_get(st, proc, &p)))
			return r == PT_ENOTFOUND ? 0 : r;
		r = p.parent ? sess_get(st, p.parent, pt_ev_u(ev, 2), &s) : PT_ENOTFOUND;
		if (r == PT_ENOTFOUND)
			return 0;
		if (r)
			return r;
		return pt_st_sess_begin(st, proc, pt_ev_u(ev, 0), s.obj, s.kind, (int)pt_ev_i(ev, 1),
				  s.flags, s.call, ev->ts);

	case PT_EV_DUP:
		r = sess_get(st, proc, pt_ev_u(ev, 1), &s);
		if (r == PT_ENOTFOUND)
			return 0;
		if (r)
			return r;
		return pt_st_sess_begin(st, proc, pt_ev_u(ev, 0), s.obj, s.kind, (int)pt_ev_i(ev, 2),
				  s.flags, s.call, ev->ts);

	case PT_EV_CLOSE:
		return pt_st_sess_end(st, proc, ev, 0);

	case PT_EV_RENAME:
	case PT_EV_LINK: {
		uint32_t kind = ev->type == PT_EV_RENAME ? PT_FLOW_RENAME
			       : pt_ev_u(ev, 2) ? PT_FLOW_SYMLINK : PT_FLOW_LINK;
		uint8_t *joined = NULL;
		b = pt_ev_b(ev, 0);
		b2 = pt_ev_b(ev, 1);
		/* a relative target (kept as written in the log) names a file of the link's
		 * own directory: the object is that file, as the kernel resolves it */
		if (kind == PT_FLOW_SYMLINK && b.len && b.p[0] != '/' && b2.len && b2.p[0] == '/') {
			size_t dir = b2.len;
			while (dir > 0 && b2.p[dir - 1] != '/')
				dir--;
			if (!(joined = malloc(dir + b.len + 1)))
				return ENOMEM;
			memcpy(joined, b2.p, dir);
			memcpy(joined + dir, b.p, b.len);
			b.len = (uint32_t)pt_path_lexical((char *)joined, dir + b.len);
			b.p = joined;
		}
		if ((r = pt_st_obj_lookup(st, b.p, b.len, PT_KIND_FILE, &obj)) == 0)
			r = pt_st_obj_lookup(st, b2.p, b2.len, PT_KIND_FILE, &obj2);
		free(joined);
		if (r)
			return r;
		return flow_put(st, obj, obj2, kind == PT_FLOW_SYMLINK ? 0 : ev->ts, kind);
	}

	case PT_EV_SOCKPAIR:
		if ((r = endpoint(st, "socket:[%llu]", pt_ev_u(ev, 0), &obj)) ||
		    (r = endpoint(st, "socket:[%llu]", pt_ev_u(ev, 1), &obj2)) ||
		    (r = flow_put(st, obj, obj2, 0, PT_FLOW_CHANNEL)))
			return r;
		return flow_put(st, obj2, obj, 0, PT_FLOW_CHANNEL);

	case PT_EV_CONNECT:
	case PT_EV_ACCEPT: {
		uint8_t name[PT_PATH_KEY_MAX];
		b = pt_ev_b(ev, 2);
		if (b.len + 5 > sizeof name)
			return 0;
		memcpy(name, "unix:", 5);
		memcpy(name + 5, b.p, b.len);
		if ((r = endpoint(st, "socket:[%llu]", pt_ev_u(ev, 1), &obj)) ||
		    (r = pt_st_obj_lookup(st, name, b.len + 5, PT_OBJ_UNIX, &obj2)) ||
		    (r = flow_put(st, obj, obj2, 0, PT_FLOW_CHANNEL)))
			return r;
		return flow_put(st, obj2, obj, 0, PT_FLOW_CHANNEL);
	}

	case PT_EV_GAP:
		b = pt_ev_b(ev, 1);
		return gap_index(st, proc, (uint32_t)pt_ev_u(ev, 0), b.p, b.len);

	case PT_EV_MPI_INIT: case PT_EV_MPI_FINI: case PT_EV_MPI_COMM: case PT_EV_MPI_P2P:
	case PT_EV_MPI_COLL: case PT_EV_MPI_FOPEN: case PT_EV_MPI_FCLOSE:
	case PT_EV_MPI_SPAWN: case PT_EV_MPI_PARENT:
		return pt_st_apply_mpi(st, proc, ev);

	default:
		/* EXEC, EXEC_FAIL, FORK, SPAWN, MMAP, UNLINK, TRUNCATE, MKDIR, IO, and types
		 * newer than this collector: kept in the log only */
		return 0;
	}
}

/* ---- the indexing step */

/* C_PROC_END: how the image ended and what its region lost. */
static int proc_ended(pt_store *st, uint32_t proc, const struct pt_ev *ev)
{
	struct pt_proc_rec p;
	uint64_t end_ns = pt_ev_u(ev, 2);
	int r;

	if ((r = pt_st_proc_get(st, proc, &p)))
		return r == PT_ENOTFOUND ? 0 : r;
	if (p.end_state != PT_END_EXECED)
		p.end_state = (uint32_t)pt_ev_u(ev, 0);
	if (end_ns && (!p.end_ns || p.end_state == PT_END_DIED || p.end_state == PT_END_RUNNING))
		p.end_ns = end_ns;
	if (p.status_from == 0 && p.end_state == PT_END_EXITED && pt_ev_i(ev, 1) >= 0) {
		p.status = (int32_t)pt_ev_i(ev, 1);
		p.status_from = 1;
	}
	p.dropped += pt_ev_u(ev, 3);
	p.torn += pt_ev_u(ev, 4);
	p.corrupt += pt_ev_u(ev, 5);
	st->c.dropped += pt_ev_u(ev, 3);
	st->c.torn += pt_ev_u(ev, 4);
	st->c.corrupt += pt_ev_u(ev, 5);
	return pt_st_proc_put(st, &p);
}

struct index_ctx {
	pt_store *st;
	uint64_t budget, done, last;
	int err;
};

static int index_one(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct index_ctx *x = ctx;
	struct pt_ev ev;
	int r = 0;

	if (x->done == x->budget)
		return 1;
	x->done++;
	x->last = seq;
	if (pt_ev_parse(rec, len, &ev)) {
		x->st->c.corrupt++;   /* checked at ingest: only a newer writer's record gets here */
		return 0;
	}
	switch (ev.type) {
	case PT_EV_C_PROC:
		break;                /* applied by pt_store_proc_add itself */
	case PT_EV_C_SESS_END:
		r = pt_st_sess_end(x->st, proc, &ev, 1);
		break;
	case PT_EV_C_PROC_END:
		r = proc_ended(x->st, proc, &ev);
		break;
	default:
		r = apply(x->st, proc, &ev, rec, len);
		break;
	}
	if (r) {
		x->err = r;
		return 1;
	}
	return 0;
}

int pt_store_index(pt_store *st, uint64_t budget, int *done)
{
	struct index_ctx x = { st, budget, 0, 0, 0 };
	uint64_t from = 0;
	size_t n = sizeof from;
	int r;

	if (!st->txn || st->rdonly)
		return EINVAL;
	r = pt_store_meta_get(st, "indexed", &from, &n);
	if (r && r != PT_ENOTFOUND)
		return r;
	if ((r = wback(st, 1, 0)))
		return r;
	r = pt_store_each_log(st, from + 1, index_one, &x);
	if (x.err)
		r = x.err;
	else if (r == 1)
		r = 0;
	/* the step's sessions and processes, each written once */
	int w = wback(st, 0, r == 0);
	if (r || (r = w))
		return r;
	*done = x.done < budget;
	if (x.done && (r = pt_store_meta_put(st, "indexed", &x.last, sizeof x.last)))
		return r;
	return 0;
}

void pt_store_defer_index(pt_store *st, int defer)
{
	st->defer_index = defer;
}

int pt_store_index_lag(pt_store *st, uint64_t *lag)
{
	uint64_t indexed = 0, next = st->next_seq, first;
	size_t n = sizeof indexed;
	MDB_val v;
	int r = pt_store_meta_get(st, "indexed", &indexed, &n);

	if (r && r != PT_ENOTFOUND)
		return r;
	/* the writer knows its log's end; a reader looks at its snapshot's */
	if (st->rdonly && (r = pt_st_log_end(st, st->txn, &next, &first, &v)))
		return r;
	*lag = next > indexed + 1 ? next - indexed - 1 : 0;
	return 0;
}

/* The gap index and counter; the GAP record is in the log already. */
static int gap_index(pt_store *st, uint32_t proc, uint32_t kind, const void *detail, size_t n)
{
	uint8_t k[8];
	uint8_t v[8 + 1024];

	if (n > 1024)
		n = 1024;
	memcpy(v, &proc, 4);
	memcpy(v + 4, &kind, 4);
	if (n)
		memcpy(v + 8, detail, n);
	st->c.gaps++;
	be64(k, st->c.gaps);
	return pt_st_put(st, DB_GAP, k, 8, v, 8 + n, 0);
}

