/* store-read.c — the readers' API: point getters and the pt_store_each_* walkers over a
 * reader's snapshot (or the writer's batch), used by rdf/ and the tools. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "store-schema.h"

/* ---- objects */

int pt_store_obj_find(pt_store *st, const void *name, size_t len, uint32_t *obj)
{
	return pt_st_obj_lookup(st, name, len, 0, obj);
}

int pt_store_obj_name(pt_store *st, uint32_t obj, const uint8_t **name, size_t *len,
		      uint32_t *kind)
{
	uint8_t k[4];
	MDB_val v;
	MDB_txn *txn;
	int temp, r;

	be32(k, obj);
	if ((r = pt_st_txn_get(st, &txn, &temp)))
		return r;
	MDB_val key = val(k, 4);
	r = mdb_get(txn, st->dbi[DB_OBJ], &key, &v);
	if (r == 0) {
		size_t n = v.mv_size - 1 < sizeof st->namebuf ? v.mv_size - 1 : sizeof st->namebuf;
		*kind = ((uint8_t *)v.mv_data)[0];
		memcpy(st->namebuf, (uint8_t *)v.mv_data + 1, n);
		*name = st->namebuf;
		*len = n;
	}
	pt_st_txn_put(txn, temp);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

/* ---- processes */

int pt_store_proc(pt_store *st, uint32_t proc, struct pt_proc_rec *r)
{
	return pt_st_proc_get(st, proc, r);
}

int pt_store_proc_start(pt_store *st, uint32_t proc, struct pt_ev *ev)
{
	uint8_t k[4];
	MDB_val v;
	int r;

	be32(k, proc);
	if ((r = pt_st_get(st, DB_PROCX, k, 4, &v)))
		return r;
	/* ev points into the store: valid while the snapshot lasts (readers keep theirs) */
	return pt_ev_parse(v.mv_data, v.mv_size, ev);
}

int pt_store_proc_at(pt_store *st, int32_t pid, uint64_t t, uint32_t *proc)
{
	uint8_t k[12];
	MDB_cursor *c;
	MDB_val key, v;
	MDB_txn *txn;
	int temp, r;

	be32(k, (uint32_t)pid);
	be64(k + 4, t == UINT64_MAX ? t : t + 1);
	if ((r = pt_st_txn_get(st, &txn, &temp)))
		return r;
	if ((r = mdb_cursor_open(txn, st->dbi[DB_PIDX], &c))) {
		pt_st_txn_put(txn, temp);
		return r;
	}
	key = val(k, 12);
	/* the first entry past (pid, t]: the one before it is the latest at or before t */
	r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	if (r == 0)
		r = mdb_cursor_get(c, &key, &v, MDB_PREV);
	else if (r == MDB_NOTFOUND)
		r = mdb_cursor_get(c, &key, &v, MDB_LAST);
	if (r == 0 && key.mv_size == 12 && rd32(key.mv_data) == (uint32_t)pid && v.mv_size == 4)
		memcpy(proc, v.mv_data, 4);
	else if (r == 0 || r == MDB_NOTFOUND)
		r = PT_ENOTFOUND;
	mdb_cursor_close(c);
	pt_st_txn_put(txn, temp);
	return r;
}

/* ---- iteration */

/* Walk the entries whose keys start with prefix (all of them when plen is 0). */
int pt_st_walk(pt_store *st, int db, const void *prefix, size_t plen, kv_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val k, v;
	MDB_txn *txn;
	int temp, r;

	if ((r = pt_st_txn_get(st, &txn, &temp)))
		return r;
	if ((r = mdb_cursor_open(txn, st->dbi[db], &c))) {
		pt_st_txn_put(txn, temp);
		return r;
	}
	k = val(prefix, plen);
	r = plen ? mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) : mdb_cursor_get(c, &k, &v, MDB_FIRST);
	while (r == 0) {
		if (plen && (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0))
			break;
		if ((r = fn(ctx, &k, &v)))
			break;
		r = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	pt_st_txn_put(txn, temp);
	return r == MDB_NOTFOUND ? 0 : r;
}

static int proc_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	struct pt_proc_rec p = { 0 };

	(void)k;
	memcpy(&p, v->mv_data, v->mv_size < sizeof p ? v->mv_size : sizeof p);
	return ((pt_proc_fn)w->fn)(w->ctx, &p);
}

int pt_store_each_proc(pt_store *st, pt_proc_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	return pt_st_walk(st, DB_PROC, NULL, 0, proc_cb, &w);
}

static int sess_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	struct pt_sess_rec s = { 0 };

	if (k->mv_size != 12 || pt_st_sess_unpack(v->mv_data, v->mv_size, &s))
		return 0;
	return ((pt_sess_fn)w->fn)(w->ctx, rd32(k->mv_data), rd64((uint8_t *)k->mv_data + 4), &s);
}

int pt_store_sess(pt_store *st, uint32_t proc, uint64_t sid, struct pt_sess_rec *s)
{
	uint8_t k[12];
	MDB_val v;
	int r;

	be32(k, proc);
	be64(k + 4, sid);
	if ((r = pt_st_get(st, DB_SESS, k, sizeof k, &v)))
		return r;
	memset(s, 0, sizeof *s);
	return pt_st_sess_unpack(v.mv_data, v.mv_size, s);
}

int pt_store_each_sess(pt_store *st, uint32_t proc, pt_sess_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, proc);
	return pt_st_walk(st, DB_SESS, k, proc ? 4 : 0, sess_cb, &w);
}

static int use_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	struct pt_use_rec u = { 0 };
	const uint8_t *p = k->mv_data;

	if (k->mv_size != 17 || pt_st_use_unpack(v->mv_data, v->mv_size, &u))
		return 0;
	/* a session that read and wrote has an entry per direction: report it once, from
	 * the entry of its highest direction, unless the walk asked for one direction */
	if (!w->dir && p[4] == PT_USE_READ && (u.dirs & PT_USE_WRITE))
		return 0;
	return ((pt_use_fn)w->fn)(w->ctx, rd32(p), rd32(p + 5), rd64(p + 9), &u);
}

int pt_store_each_use(pt_store *st, uint32_t obj, pt_use_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, obj);
	return pt_st_walk(st, DB_USE, k, obj ? 4 : 0, use_cb, &w);
}

int pt_store_each_use_dir(pt_store *st, uint32_t obj, uint32_t dir, pt_use_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, dir };
	uint8_t k[5];

	if (dir != PT_USE_READ && dir != PT_USE_WRITE)
		return EINVAL;
	be32(k, obj);
	k[4] = (uint8_t)dir;
	return pt_st_walk(st, DB_USE, k, 5, use_cb, &w);
}

static int edge_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	const uint8_t *p = k->mv_data, *d = v->mv_data;
	uint64_t ts = 0;

	if (k->mv_size == 16 && v->mv_size >= 1)   /* flow, flowr */
		return ((pt_edge_fn)w->fn)(w->ctx, rd32(p), rd32(p + 4), rd64(p + 8), d[0]);
	if (k->mv_size == 8 && v->mv_size == 9) {  /* child */
		memcpy(&ts, d + 1, 8);
		return ((pt_edge_fn)w->fn)(w->ctx, rd32(p), rd32(p + 4), ts, d[0]);
	}
	if (k->mv_size == 8 && v->mv_size == 8) {  /* libs: ts carries the base address */
		memcpy(&ts, d, 8);
		return ((pt_edge_fn)w->fn)(w->ctx, rd32(p), rd32(p + 4), ts, 0);
	}
	return 0;
}

int pt_store_each_child(pt_store *st, uint32_t parent, pt_edge_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, parent);
	return pt_st_walk(st, DB_CHILD, k, parent ? 4 : 0, edge_cb, &w);
}

int pt_store_each_flow(pt_store *st, uint32_t obj, int reverse, pt_edge_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, obj);
	return pt_st_walk(st, reverse ? DB_FLOWR : DB_FLOW, k, obj ? 4 : 0, edge_cb, &w);
}

int pt_store_each_lib(pt_store *st, uint32_t proc, pt_edge_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	uint8_t k[4];

	be32(k, proc);
	return pt_st_walk(st, DB_LIBS, k, proc ? 4 : 0, edge_cb, &w);
}

int pt_store_each_log(pt_store *st, uint64_t from, pt_log_fn fn, void *ctx)
{
	MDB_cursor *c;
	MDB_val key, v;
	MDB_txn *txn;
	uint8_t k[8];
	int temp, r;

	/* the writer's own batch: what it logged is read back too */
	if (st->txn && !st->rdonly && (r = pt_st_chunk_flush(st)))
		return r;
	if ((r = pt_st_txn_get(st, &txn, &temp)))
		return r;
	if ((r = mdb_cursor_open(txn, st->dbi[DB_LOG], &c))) {
		pt_st_txn_put(txn, temp);
		return r;
	}
	/* the chunk holding `from`: the last one that starts at or before it */
	be64(k, from);
	key = val(k, 8);
	r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	if (r == 0 && key.mv_size == 8 && rd64(key.mv_data) > from) {
		r = mdb_cursor_get(c, &key, &v, MDB_PREV);
		if (r == MDB_NOTFOUND)
			r = mdb_cursor_get(c, &key, &v, MDB_FIRST);
	} else if (r == MDB_NOTFOUND) {
		r = mdb_cursor_get(c, &key, &v, MDB_LAST);
	}
	while (r == 0) {
		const uint8_t *p = v.mv_data, *end = p + v.mv_size, *rec;
		uint64_t seq = key.mv_size == 8 ? rd64(key.mv_data) : 0;
		uint32_t proc, len;

		while (r == 0 && p < end && pt_st_chunk_next(&p, end, &proc, &rec, &len) == 0) {
			if (seq >= from)
				r = fn(ctx, seq, proc, rec, len);
			seq++;
		}
		if (r)
			break;
		r = mdb_cursor_get(c, &key, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	pt_st_txn_put(txn, temp);
	return r == MDB_NOTFOUND ? 0 : r;
}

static int gap_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;
	uint32_t proc;

	if (k->mv_size != 8 || v->mv_size < 8)
		return 0;
	memcpy(&proc, v->mv_data, 4);
	/* the record handed over is kind:u32 | detail */
	return ((pt_log_fn)w->fn)(w->ctx, rd64(k->mv_data), proc, (uint8_t *)v->mv_data + 4,
				  (uint32_t)(v->mv_size - 4));
}

int pt_store_each_gap(pt_store *st, pt_log_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	return pt_st_walk(st, DB_GAP, NULL, 0, gap_cb, &w);
}

static int obj_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct walk_ctx *w = ctx;

	if (k->mv_size != 4 || v->mv_size < 1)
		return 0;
	return ((pt_obj_fn)w->fn)(w->ctx, rd32(k->mv_data), ((uint8_t *)v->mv_data)[0],
				  (uint8_t *)v->mv_data + 1, v->mv_size - 1);
}

int pt_store_each_obj(pt_store *st, pt_obj_fn fn, void *ctx)
{
	struct walk_ctx w = { (void *)fn, ctx, 0 };
	return pt_st_walk(st, DB_OBJ, NULL, 0, obj_cb, &w);
}

/* pt_store_drop_pages() keeps the maps' pages while this process has less than this of
 * file pages resident (its own text included) */
#define PT_DROP_FLOOR ((size_t)32 << 20)

/* LMDB does not say where its map is (me_mapaddr is only set for MDB_FIXEDMAP), but a
 * reader's values point into it: the mapping that holds the schema's value is the map. */
static int map_find(pt_store *st)
{
	MDB_val v;
	struct stat sb;
	char line[512];
	mdb_filehandle_t fd;
	FILE *f;
	int r;

	if ((r = pt_st_get(st, DB_META, "schema", 6, &v)))
		return r;
	if ((r = mdb_env_get_fd(st->env, &fd)) || fstat(fd, &sb) < 0)
		return r ? r : errno;
	if (!(f = fopen("/proc/self/maps", "re")))
		return errno;
	r = ENOENT;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi, off, ino;
		unsigned maj, min;
		char perm[8];
		if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &lo, &hi, perm, &off, &maj, &min,
			   &ino) != 7 || (uintptr_t)v.mv_data < lo || (uintptr_t)v.mv_data >= hi)
			continue;
		/* a read-only shared mapping of the store's file: dropping its pages loses nothing */
		if (ino == (unsigned long)sb.st_ino && makedev(maj, min) == sb.st_dev &&
		    perm[1] != 'w') {
			st->map = (void *)lo;
			st->map_len = hi - lo;
			r = 0;
		}
		break;
	}
	fclose(f);
	return r;
}

/* This process's resident pages of mapped files (statm's third field, with the program's
 * own text), or 0 when /proc does not say.  The descriptor stays open (with many stores a
 * tool asks once per store every few hundred items), kept with the pid that opened it: a
 * child after fork reopens it, the inherited one would read its parent's counts. */
static size_t file_resident(void)
{
	static uint64_t open_fd;   /* pid << 32 | fd; 0: none yet */
	uint64_t cur = __atomic_load_n(&open_fd, __ATOMIC_ACQUIRE), mine;
	uint32_t me = (uint32_t)getpid();
	unsigned long size, rss, shared;
	char buf[128];
	ssize_t n;
	int f;

	if (cur >> 32 != me) {
		if ((f = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) < 0)
			return 0;
		mine = (uint64_t)me << 32 | (uint32_t)f;
		if (__atomic_compare_exchange_n(&open_fd, &cur, mine, 0, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			if (cur)
				close((int)(uint32_t)cur);   /* the parent's */
			cur = mine;
		} else {
			close(f);                        /* another thread's came first */
		}
	}
	if ((n = pread((int)(uint32_t)cur, buf, sizeof buf - 1, 0)) <= 0)
		return 0;
	buf[n] = 0;
	if (sscanf(buf, "%lu %lu %lu", &size, &rss, &shared) != 3)
		return 0;
	return (size_t)shared * (size_t)sysconf(_SC_PAGESIZE);
}

int pt_store_drop_pages(pt_store *st)
{
	size_t resident;
	int r;

	if (!st->rdonly)
		return EINVAL;
	/* Below the floor, keep the pages: each dropped page that is read again costs a page
	 * fault (10-14 µs on a VM), and a tool reading a job's 64 node stores drops all of
	 * them every few hundred items, refaulting each store's upper pages every time. */
	if ((resident = file_resident()) && resident < PT_DROP_FLOOR)
		return 0;
	if (!st->map && (r = map_find(st)))
		return r;
	return madvise(st->map, st->map_len, MADV_DONTNEED) < 0 ? errno : 0;
}

/* ---- content identity (the hash table) */

int pt_store_hash_get(pt_store *st, const struct pt_file_id *id, struct pt_hash_rec *h)
{
	uint8_t k[33];
	MDB_val v;
	int r;

	hash_key(k, id);
	if ((r = pt_st_get(st, DB_HASH, k, sizeof k, &v)))
		return r;
	if (v.mv_size != 17)
		return PT_EWIRE;
	h->state = ((const uint8_t *)v.mv_data)[0];
	memcpy(h->hash, (const uint8_t *)v.mv_data + 1, 16);
	return 0;
}

int pt_store_hash_path(pt_store *st, const void *path, size_t len, struct pt_file_id *id)
{
	uint8_t k[401];
	MDB_val v;
	int r;

	if (len == 0 || len > 400)
		return PT_ENOTFOUND;
	k[0] = 'p';
	memcpy(k + 1, path, len);
	if ((r = pt_st_get(st, DB_HASH, k, len + 1, &v)))
		return r;
	if (v.mv_size != 32)
		return PT_EWIRE;
	const uint8_t *p = v.mv_data;
	id->dev = rd64(p);
	id->ino = rd64(p + 8);
	id->size = rd64(p + 16);
	id->mtime = rd64(p + 24);
	return 0;
}

struct hash_walk {
	pt_hash_fn fn;
	void *ctx;
};

static int hash_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct hash_walk *w = ctx;
	const uint8_t *p = k->mv_data;
	struct pt_file_id id;
	struct pt_hash_rec h;

	if (k->mv_size != 33 || v->mv_size != 17)
		return 0;
	id.dev = rd64(p + 1);
	id.ino = rd64(p + 9);
	id.size = rd64(p + 17);
	id.mtime = rd64(p + 25);
	h.state = ((const uint8_t *)v->mv_data)[0];
	memcpy(h.hash, (const uint8_t *)v->mv_data + 1, 16);
	return w->fn(w->ctx, &id, &h);
}

int pt_store_each_hash(pt_store *st, pt_hash_fn fn, void *ctx)
{
	struct hash_walk w = { fn, ctx };

	return pt_st_walk(st, DB_HASH, "f", 1, hash_cb, &w);
}

/* ---- facts */

struct fact_walk {
	pt_fact_fn fn;
	void *ctx;
};

static int fact_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct fact_walk *w = ctx;
	return w->fn(w->ctx, k->mv_data, k->mv_size, v->mv_data, v->mv_size);
}

int pt_store_each_fact(pt_store *st, const void *prefix, size_t plen, pt_fact_fn fn, void *ctx)
{
	struct fact_walk w = { fn, ctx };
	return st->no_fact ? 0 : pt_st_walk(st, DB_FACT, prefix, plen, fact_cb, &w);
}
