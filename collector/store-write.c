/* store-write.c — ingest: the collector's writes.  Every record is appended to the log;
 * only the tables the collector needs while the job runs are kept here (proc, pidx,
 * child, vfork, region), with the hash and fact results; the rest is store-index.c's. */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "region.h"
#include "store-schema.h"

/* ---- the log */

static uint8_t *put_varint(uint8_t *p, uint32_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* Every record enters the log here, into the open chunk. */
static int log_append(pt_store *st, uint32_t proc, const uint8_t *rec, size_t len)
{
	struct log_chunk *c = st->chunk;
	uint8_t *p;
	int r;

	if (len > PT_REC_MAX)
		return PT_EWIRE;
	if (st->full)
		return PT_EFULL;
	if (c->n && c->len + PT_CHUNK_HDR + len > PT_CHUNK_TARGET) {
		if ((r = pt_st_chunk_flush(st)))
			return r;
		pt_st_chunk_reset(st);
	}
	p = put_varint(c->buf + c->len, proc);
	p = put_varint(p, (uint32_t)len);
	memcpy(p, rec, len);
	c->len = (uint32_t)(p + len - c->buf);
	c->n++;
	c->dirty = 1;
	st->next_seq++;
	st->c.events++;
	return 0;
}

/* ---- processes: the tables the collector needs while the job runs */

static int child_put(pt_store *st, uint32_t parent, uint32_t child, uint32_t how, uint64_t ts)
{
	uint8_t k[8], v[9];

	be32(k, parent);
	be32(k + 4, child);
	v[0] = (uint8_t)how;
	memcpy(v + 1, &ts, 8);
	return pt_st_put(st, DB_CHILD, k, 8, v, 9, 0);
}

/* An image of pid whose parent is `parent` appeared: the vfork child of that parent
 * with that pid was traced after all.  (The parent logs the vfork once the child has
 * exec'd, so the record may come before or after the child's image.) */
static int vfork_seen(pt_store *st, int32_t pid, uint32_t parent)
{
	uint8_t k[12];
	MDB_cursor *c;
	MDB_val key, v;
	int r;

	if (!parent)
		return 0;
	be32(k, (uint32_t)pid);
	be64(k + 4, 0);
	if ((r = mdb_cursor_open(st->txn, st->dbi[DB_VFORK], &c)))
		return r;
	key = val(k, 12);
	r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	while (r == 0 && key.mv_size == 12 && rd32(key.mv_data) == (uint32_t)pid) {
		uint32_t forker;

		memcpy(&forker, v.mv_data, 4);
		if (v.mv_size != 4 || forker != parent) {
			r = mdb_cursor_get(c, &key, &v, MDB_NEXT);
			continue;
		}
		if ((r = mdb_cursor_del(c, 0)))
			break;
		/* a delete that empties the table leaves the cursor nowhere (GET_CURRENT then
		 * answers EINVAL, which failed every batch): look the pid up again */
		key = val(k, 12);
		r = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
	}
	mdb_cursor_close(c);
	if (r == MDB_MAP_FULL) {
		st->full = 1;
		return PT_EFULL;
	}
	return r == MDB_NOTFOUND || r == 0 ? 0 : r;
}

/* A vfork-table entry that is no vfork: a pid that said it records nothing. */
#define VFORK_UNRECORDED 0xffffffffu

int pt_store_unrecorded(pt_store *st, int32_t pid, const void *detail, size_t n)
{
	uint32_t mark = VFORK_UNRECORDED;
	struct timespec ts;
	uint8_t k[12];
	int r;

	if ((r = pt_store_gap(st, 0, PT_GAP_SHIM_DISABLED, detail, n)))
		return r;
	clock_gettime(CLOCK_REALTIME, &ts);
	be32(k, (uint32_t)pid);
	be64(k + 4, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	return pt_st_put(st, DB_VFORK, k, 12, &mark, 4, 0);
}

static int pid_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

int pt_store_untraced_children(pt_store *st)
{
	MDB_cursor *c;
	MDB_val key, v;
	struct { uint32_t proc; int32_t pid; } found[256];
	int32_t *quiet = NULL;   /* pids already counted by pt_store_unrecorded, sorted */
	size_t n, nquiet = 0, cap = 0;
	int r;

	if ((r = mdb_cursor_open(st->txn, st->dbi[DB_VFORK], &c)))
		return r;
	for (r = mdb_cursor_get(c, &key, &v, MDB_FIRST); r == 0;
	     r = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
		uint32_t proc;

		if (key.mv_size != 12 || v.mv_size != 4)
			continue;
		memcpy(&proc, v.mv_data, 4);
		if (proc != VFORK_UNRECORDED)
			continue;
		if (nquiet == cap) {
			cap = cap ? 2 * cap : 64;
			if (!(quiet = realloc(quiet, cap * sizeof *quiet)))
				abort();
		}
		quiet[nquiet++] = (int32_t)rd32(key.mv_data);
	}
	mdb_cursor_close(c);
	if (r != MDB_NOTFOUND) {
		free(quiet);
		return r;
	}
	/* collect, then report: a gap is a put into another table of this batch */
	do {
		n = 0;
		if ((r = mdb_cursor_open(st->txn, st->dbi[DB_VFORK], &c)))
			return r;
		r = mdb_cursor_get(c, &key, &v, MDB_FIRST);
		while (r == 0 && n < sizeof found / sizeof found[0]) {
			if (key.mv_size == 12 && v.mv_size == 4) {
				found[n].pid = (int32_t)rd32(key.mv_data);
				memcpy(&found[n].proc, v.mv_data, 4);
				n++;
			}
			if ((r = mdb_cursor_del(c, 0)))
				break;
			r = mdb_cursor_get(c, &key, &v, MDB_FIRST);
		}
		mdb_cursor_close(c);
		if (r && r != MDB_NOTFOUND)
			goto out;
		r = 0;
		for (size_t i = 0; i < n; i++) {
			char d[128];
			int len;

			/* a child that said it records nothing is one gap already */
			if (found[i].proc == VFORK_UNRECORDED ||
			    (nquiet && bsearch(&found[i].pid, quiet, nquiet, sizeof *quiet, pid_cmp)))
				continue;
			len = snprintf(d, sizeof d, "vfork child %d ran no traced image "
				       "(static or set-id, or its preload was removed)",
				       (int)found[i].pid);
			if ((r = pt_store_gap(st, found[i].proc, PT_GAP_UNTRACED_CHILD, d, (size_t)len)))
				goto out;
		}
	} while (n == sizeof found / sizeof found[0]);
out:
	free(quiet);
	if (r == MDB_MAP_FULL) {
		st->full = 1;
		return PT_EFULL;
	}
	return r == MDB_NOTFOUND ? 0 : r;
}

int pt_store_proc_add(pt_store *st, const struct pt_ident *id, uint32_t *out)
{
	struct pt_proc_rec p = { 0 }, prev;
	uint32_t prev_id, parent = 0, how = PT_CHILD_SPAWN;
	uint8_t k[12], buf[512];
	struct pt_mpw w;
	int r;

	p.id = st->next_proc;
	p.pid = id->pid;
	p.ppid = id->ppid;
	p.uid = id->uid;
	p.gid = id->gid;
	p.start_ns = id->start_ns;
	p.status = -1;
	p.verified = (uint32_t)id->verified;
	snprintf(p.host, sizeof p.host, "%s", id->host);

	/* the image this one replaced by exec: the same pid, still running */
	r = id->start_ns ? pt_store_proc_at(st, id->pid, id->start_ns - 1, &prev_id) : PT_ENOTFOUND;
	if (r == 0 && (r = pt_st_proc_get(st, prev_id, &prev)) == 0 &&
	    (prev.end_state == 0 || prev.end_state == PT_END_EXECED) && prev.exec_to == 0) {
		p.exec_from = prev_id;
		prev.exec_to = p.id;
		prev.end_state = PT_END_EXECED;
		if (!prev.end_ns || prev.end_ns > id->start_ns)
			prev.end_ns = id->start_ns;
		if ((r = pt_st_proc_put(st, &prev)) || (r = child_put(st, prev_id, p.id, PT_CHILD_EXEC, id->start_ns)))
			return r;
	} else if (r && r != PT_ENOTFOUND) {
		return r;
	} else {
		/* the parent: exactly, for a fork child; else the image of ppid running then */
		if (id->parent_start_ns) {
			be32(k, (uint32_t)id->ppid);
			be64(k + 4, id->parent_start_ns);
			MDB_val v;
			r = pt_st_get(st, DB_PIDX, k, 12, &v);
			if (r == 0 && v.mv_size == 4)
				memcpy(&parent, v.mv_data, 4);
			how = PT_CHILD_FORK;
		} else {
			r = pt_store_proc_at(st, id->ppid, id->start_ns, &parent);
		}
		if (r && r != PT_ENOTFOUND)
			return r;
		p.parent = r == 0 ? parent : 0;
		if (p.parent && (r = child_put(st, p.parent, p.id, how, id->start_ns)))
			return r;
	}
	if ((r = pt_st_proc_put(st, &p)))
		return r;
	be32(k, (uint32_t)id->pid);
	be64(k + 4, id->start_ns);
	if ((r = pt_st_put(st, DB_PIDX, k, 12, &p.id, 4, 0)))
		return r;
	if ((r = vfork_seen(st, id->pid, p.parent)))
		return r;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 11);
	pt_mpw_uint(&w, PT_EV_C_PROC);
	pt_mpw_uint(&w, id->start_ns);
	pt_mpw_int(&w, id->pid);
	pt_mpw_int(&w, id->ppid);
	pt_mpw_uint(&w, id->uid);
	pt_mpw_uint(&w, id->start_ns);
	pt_mpw_bin(&w, id->host, strnlen(id->host, sizeof id->host));
	pt_mpw_uint(&w, p.parent);
	pt_mpw_uint(&w, p.exec_from);
	pt_mpw_uint(&w, (uint64_t)id->verified);
	pt_mpw_bin(&w, id->region, strnlen(id->region, sizeof id->region));
	if (w.overflow)
		return PT_EWIRE;
	if ((r = log_append(st, p.id, buf, (size_t)(w.p - buf))))
		return r;
	st->next_proc++;
	st->c.procs++;
	*out = p.id;
	return 0;
}

/* ---- records of the programs */

/* The check at ingest: one msgpack array [type, ts, ...] of a process's record type,
 * well-formed all through, nothing after it.  Cheaper than a parse; the indexer parses. */
static int rec_check(const uint8_t *rec, uint32_t len, uint64_t *type)
{
	struct pt_mpr r;
	uint64_t ts;
	uint32_t n;

	pt_mpr_init(&r, rec, len);
	if (pt_mpr_array(&r, &n) || n < 2 || pt_mpr_uint(&r, type) || *type == 0 ||
	    *type >= PT_EV_C_PROC || pt_mpr_uint(&r, &ts))
		return PT_EWIRE;
	for (uint32_t i = 2; i < n; i++)
		if (pt_mpr_skip(&r))
			return PT_EWIRE;
	return pt_mpr_left(&r) ? PT_EWIRE : 0;
}

/* A vfork child whose exec the shim could not see into: remembered until its image
 * appears (pt_store_proc_add) or the run ends without it (pt_store_untraced_children).
 * Kept at ingest, like the process table, so that the collector can tell at the run's
 * end, before anything is indexed. */
static int vfork_child(pt_store *st, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct pt_proc_rec c;
	struct pt_ev ev;
	uint32_t child;
	uint8_t vk[12];
	int r;

	if (pt_ev_parse(rec, len, &ev) || pt_ev_u(&ev, 1) != PT_SPAWN_VFORK || pt_ev_i(&ev, 0) <= 0)
		return 0;
	/* its image may be here already: the latest of the pid, forked by us */
	r = pt_store_proc_at(st, (int32_t)pt_ev_i(&ev, 0), UINT64_MAX, &child);
	if (r == 0 && (r = pt_st_proc_get(st, child, &c)) == 0 && c.parent == proc)
		return 0;
	if (r && r != PT_ENOTFOUND)
		return r;
	be32(vk, (uint32_t)pt_ev_i(&ev, 0));
	be64(vk + 4, ev.ts);
	return pt_st_put(st, DB_VFORK, vk, 12, &proc, 4, 0);
}

int pt_store_event(pt_store *st, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	uint64_t type;
	int r;

	if (!st->txn || st->rdonly)
		return EINVAL;
	if (rec_check(rec, len, &type))
		return PT_EWIRE;
	if (type == PT_EV_FORK && (r = vfork_child(st, proc, rec, len)))
		return r;
	return log_append(st, proc, rec, len);
}

/* ---- records of the collector */

/* A gap the collector found: logged as a GAP record of the image (0: of the node), so
 * that the log alone still tells everything. */
int pt_store_gap(pt_store *st, uint32_t proc, uint32_t kind, const void *detail, size_t n)
{
	uint8_t buf[1100];
	struct pt_mpw w;
	struct timespec ts;

	if (n > 1024)
		n = 1024;
	clock_gettime(CLOCK_REALTIME, &ts);
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 4);
	pt_mpw_uint(&w, PT_EV_GAP);
	pt_mpw_uint(&w, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	pt_mpw_uint(&w, kind);
	pt_mpw_bin(&w, detail, n);
	/* indexed, like every logged record, by pt_store_index() */
	return log_append(st, proc, buf, (size_t)(w.p - buf));
}

int pt_store_proc_end(pt_store *st, uint32_t proc, uint32_t state, int32_t status,
		      uint64_t end_ns, uint64_t dropped, uint64_t torn, uint64_t corrupt)
{
	uint8_t buf[128];
	struct pt_mpw w;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 8);
	pt_mpw_uint(&w, PT_EV_C_PROC_END);
	pt_mpw_uint(&w, end_ns);
	pt_mpw_uint(&w, state);
	pt_mpw_int(&w, status);
	pt_mpw_uint(&w, end_ns);
	pt_mpw_uint(&w, dropped);
	pt_mpw_uint(&w, torn);
	pt_mpw_uint(&w, corrupt);
	return log_append(st, proc, buf, (size_t)(w.p - buf));
}

int pt_store_sess_end(pt_store *st, uint32_t proc, int fd, const struct pt_sess *t,
		      uint64_t end_ns)
{
	uint64_t sid = atomic_load_explicit(&t->sid, memory_order_acquire);
	struct pt_sess_totals sum;
	uint8_t buf[256];
	struct pt_mpw w;

	if (!sid || t->kind == PT_KIND_IGNORED)
		return 0;
	pt_sess_totals(t, &sum);   /* every thread's counts */
	/* the indexer drops it if the session's CLOSE came first (a close published just
	 * before a kill, the table entry not yet cleared) */
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 14);
	pt_mpw_uint(&w, PT_EV_C_SESS_END);
	pt_mpw_uint(&w, end_ns);
	pt_mpw_uint(&w, sid);
	pt_mpw_uint(&w, (uint64_t)fd);
	pt_mpw_uint(&w, sum.rbytes);
	pt_mpw_uint(&w, sum.rops);
	pt_mpw_uint(&w, sum.wbytes);
	pt_mpw_uint(&w, sum.wops);
	pt_mpw_uint(&w, t->rfirst);
	pt_mpw_uint(&w, t->rlast);
	pt_mpw_uint(&w, t->wfirst);
	pt_mpw_uint(&w, t->wlast);
	pt_mpw_uint(&w, sum.rmax);
	pt_mpw_uint(&w, sum.wmax);
	return w.overflow ? PT_EWIRE : log_append(st, proc, buf, (size_t)(w.p - buf));
}

int pt_store_top_status(pt_store *st, int32_t pid, int32_t status, uint64_t end_ns)
{
	struct pt_proc_rec p;
	uint32_t proc;
	int32_t top[2] = { pid, status };
	int r;

	if ((r = pt_store_meta_put(st, "top", top, sizeof top)))
		return r;
	r = pt_store_proc_at(st, pid, end_ns ? end_ns : UINT64_MAX, &proc);
	if (r == PT_ENOTFOUND)
		return 0;
	if (r || (r = pt_st_proc_get(st, proc, &p)))
		return r;
	if (p.status_from != 1) {
		p.status = status;
		p.status_from = 3;
		return pt_st_proc_put(st, &p);
	}
	return 0;
}

/* ---- regions */

int pt_store_region_get(pt_store *st, const char *name, struct pt_region_rec *rr,
			uint64_t *off, uint32_t max)
{
	MDB_val v;
	int r = pt_st_get(st, DB_REGION, name, strlen(name), &v);

	if (r)
		return r;
	if (v.mv_size < sizeof *rr)
		return PT_EWIRE;
	memcpy(rr, v.mv_data, sizeof *rr);
	if (rr->nslots > max || v.mv_size != sizeof *rr + rr->nslots * 8u)
		return PT_EWIRE;
	memcpy(off, (uint8_t *)v.mv_data + sizeof *rr, rr->nslots * 8u);
	return 0;
}

int pt_store_region_put(pt_store *st, const char *name, const struct pt_region_rec *rr,
			const uint64_t *off)
{
	size_t n = sizeof *rr + rr->nslots * 8u;
	uint8_t *v = malloc(n);
	int r;

	if (!v)
		return ENOMEM;
	memcpy(v, rr, sizeof *rr);
	memcpy(v + sizeof *rr, off, rr->nslots * 8u);
	r = pt_st_put(st, DB_REGION, name, strlen(name), v, n, 0);
	free(v);
	return r;
}

/* ---- content identity (the hash table; collector/hash.h computes the results) */


int pt_store_hash_put(pt_store *st, const struct pt_file_id *id, const struct pt_hash_rec *h)
{
	uint8_t k[33], v[17];

	hash_key(k, id);
	v[0] = (uint8_t)h->state;
	memcpy(v + 1, h->hash, 16);
	return pt_st_put(st, DB_HASH, k, sizeof k, v, sizeof v, 0);
}

int pt_store_hash_path_put(pt_store *st, const void *path, size_t len,
			   const struct pt_file_id *id)
{
	uint8_t k[401], v[33];

	if (len == 0 || len > 400)
		return 0;   /* not kept: readers find no identity for it */
	k[0] = 'p';
	memcpy(k + 1, path, len);
	hash_key(v, id);
	return pt_st_put(st, DB_HASH, k, len + 1, v + 1, 32, 0);
}

/* ---- facts: inside pt_store_update()'s batch (store.c) */

int pt_store_fact_clear(pt_store *st)
{
	if (st->rdonly || !st->txn)
		return EINVAL;
	return mdb_drop(st->txn, st->dbi[DB_FACT], 0);
}

int pt_store_fact_put(pt_store *st, const void *key, size_t kn, const void *v, size_t vn)
{
	if (st->rdonly || !st->txn)
		return EINVAL;
	return pt_st_put(st, DB_FACT, key, kn, v, vn, 0);
}

