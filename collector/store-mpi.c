/* store-mpi.c — the mpi table: what the indexer applies from MPI records (ranks,
 * communicators, traffic, spawns) and the getters and walkers that read it. */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

#include "store-schema.h"

/* ---- MPI (records 128-191): ranks, communicators, traffic.  One table, "mpi", whose
 * keys begin with a letter saying what they hold (store-schema.h lists them).  A store written
 * before the table existed opens without it and answers as one without MPI traffic. */

#define MPI_KEY_MAX 16

static int mpi_get(pt_store *st, const uint8_t *k, size_t kn, void *out, size_t outn)
{
	MDB_val key = val(k, kn), v;
	MDB_txn *txn;
	int temp, r;

	if (st->no_mpi)
		return PT_ENOTFOUND;
	if ((r = pt_st_txn_get(st, &txn, &temp)))
		return r;
	r = mdb_get(txn, st->dbi[DB_MPI], &key, &v);
	if (r == 0) {
		memset(out, 0, outn);
		memcpy(out, v.mv_data, v.mv_size < outn ? v.mv_size : outn);
	}
	pt_st_txn_put(txn, temp);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

static size_t mpi_key(uint8_t *k, char what, uint32_t proc)
{
	k[0] = (uint8_t)what;
	be32(k + 1, proc);
	return 5;
}

/* The latest record of a cumulative key wins: counts only grow, and its time is when
 * the traffic was last seen (the records of one image may arrive out of order when
 * several of its threads wrote them). */
static void mpi_merge(uint64_t *count, uint64_t *first, uint64_t *last, uint64_t ncount,
		      uint64_t nfirst, uint64_t ts)
{
	if (ncount >= *count)
		*count = ncount;
	if (nfirst && (!*first || nfirst < *first))
		*first = nfirst;
	if (ts > *last)
		*last = ts;
}

#define MPI_CMD_MAX 1024   /* bytes of a spawn's first command kept in its entry */

static int spawn_put(pt_store *st, uint32_t proc, const struct pt_ev *ev)
{
	uint8_t k[MPI_KEY_MAX], v[sizeof(struct pt_mpi_spawn) + MPI_CMD_MAX];
	struct pt_mpi_spawn s = { 0 };
	struct pt_bytes cmd = { 0 };
	uint64_t dur = pt_ev_u(ev, 8);
	int64_t comm = pt_ev_i(ev, 1);
	size_t kn;

	s.spawn = (uint32_t)pt_ev_u(ev, 0);
	s.comm = comm < 0 || comm > UINT32_MAX ? UINT32_MAX : (uint32_t)comm;
	s.how = (uint32_t)pt_ev_u(ev, 2);
	s.status = (int32_t)pt_ev_i(ev, 3);
	s.procs = (int32_t)pt_ev_i(ev, 4);
	s.maxprocs = (int32_t)pt_ev_i(ev, 5);
	s.flags = (uint32_t)pt_ev_u(ev, 7);
	s.end_ns = ev->ts;
	s.start_ns = ev->ts > dur ? ev->ts - dur : 0;
	if (ev->n > 6 && ev->v[6].kind == PT_MP_ARRAY) {
		/* [[command, argv[], maxprocs]...]: the first command */
		struct pt_mpr m;
		uint32_t n, three;
		s.ncmds = ev->v[6].count;
		pt_mpr_init(&m, ev->v[6].b.p, ev->v[6].b.len);
		if (pt_mpr_array(&m, &n) ||
		    (n && (pt_mpr_array(&m, &three) || pt_mpr_bytes(&m, &cmd))))
			return PT_EWIRE;
	}
	if (cmd.len > MPI_CMD_MAX)
		cmd.len = MPI_CMD_MAX;
	memcpy(v, &s, sizeof s);
	if (cmd.len)
		memcpy(v + sizeof s, cmd.p, cmd.len);
	kn = mpi_key(k, 'S', proc);
	be32(k + kn, s.spawn);
	return pt_st_put(st, DB_MPI, k, kn + 4, v, sizeof s + cmd.len, 0);
}

int pt_st_apply_mpi(pt_store *st, uint32_t proc, const struct pt_ev *ev)
{
	uint8_t k[MPI_KEY_MAX];
	struct pt_bytes b;
	size_t kn;
	uint32_t obj;
	int r;

	switch (ev->type) {
	case PT_EV_MPI_INIT: {
		struct pt_mpi_rank m = { 0 };
		b = pt_ev_b(ev, 2);
		m.job = pt_st_fnv64(b.p, b.len);
		m.rank = (int32_t)pt_ev_i(ev, 0);
		m.size = (int32_t)pt_ev_i(ev, 1);
		m.thread = (uint32_t)pt_ev_u(ev, 3);
		m.how = (uint32_t)pt_ev_u(ev, 6);
		m.init_ns = ev->ts;
		kn = mpi_key(k, 'r', proc);
		if ((r = pt_st_put(st, DB_MPI, k, kn, &m, sizeof m, 0)))
			return r;
		k[0] = 'J';
		be64(k + 1, m.job);
		if ((r = pt_st_put(st, DB_MPI, k, 9, b.p, b.len, 0)))
			return r;
		k[0] = 'j';
		be32(k + 9, (uint32_t)m.rank);
		return pt_st_put(st, DB_MPI, k, 13, &proc, 4, 0);
	}

	case PT_EV_MPI_FINI: {
		struct pt_mpi_rank m;
		kn = mpi_key(k, 'r', proc);
		if ((r = mpi_get(st, k, kn, &m, sizeof m)))
			return r == PT_ENOTFOUND ? 0 : r;
		m.fini_ns = ev->ts;
		m.dropped = pt_ev_u(ev, 0);
		m.foreign = pt_ev_u(ev, 1);
		m.foreign_bytes = pt_ev_u(ev, 2);
		return pt_st_put(st, DB_MPI, k, kn, &m, sizeof m, 0);
	}

	case PT_EV_MPI_COMM: {
		uint32_t flags = (uint32_t)pt_ev_u(ev, 3), remote = !!(flags & PT_MPI_COMM_REMOTE);
		struct pt_mpi_comm c = { 0 };
		struct pt_mpr m;
		uint32_t n;
		int32_t *ranks;
		kn = mpi_key(k, 'C', proc);
		be32(k + kn, (uint32_t)pt_ev_u(ev, 0));
		kn += 4;
		if ((r = mpi_get(st, k, kn, &c, sizeof c)) && r != PT_ENOTFOUND)
			return r;
		if (remote) {
			c.rsize = (int32_t)pt_ev_u(ev, 1);
			c.flags |= flags & PT_MPI_COMM_IDENTITY ? PT_MPI_COMM_RIDENTITY : 0;
		} else {
			c.size = (int32_t)pt_ev_u(ev, 1);
			c.rank = (int32_t)pt_ev_i(ev, 2);
			c.flags |= flags & (PT_MPI_COMM_INTER | PT_MPI_COMM_IDENTITY);
		}
		if ((r = pt_st_put(st, DB_MPI, k, kn, &c, sizeof c, 0)))
			return r;
		if (ev->n < 6 || ev->v[5].kind != PT_MP_ARRAY || !ev->v[5].count)
			return 0;
		/* the members, as 32-bit world ranks in native order, per chunk */
		pt_mpr_init(&m, ev->v[5].b.p, ev->v[5].b.len);
		if (pt_mpr_array(&m, &n) || !(ranks = malloc((size_t)n * 4)))
			return n ? ENOMEM : PT_EWIRE;
		for (uint32_t i = 0; i < n; i++) {
			int64_t v;
			if (pt_mpr_int(&m, &v)) {
				free(ranks);
				return PT_EWIRE;
			}
			ranks[i] = (int32_t)v;
		}
		k[0] = 'm';
		k[kn] = (uint8_t)remote;
		be32(k + kn + 1, (uint32_t)pt_ev_u(ev, 4));
		r = pt_st_put(st, DB_MPI, k, kn + 5, ranks, (size_t)n * 4, 0);
		free(ranks);
		return r;
	}

	case PT_EV_MPI_P2P: {
		struct pt_mpi_traffic t = { 0 };
		uint64_t bytes = pt_ev_u(ev, 3), msgs = pt_ev_u(ev, 2);
		kn = mpi_key(k, 'p', proc);
		be32(k + kn, (uint32_t)pt_ev_i(ev, 0));
		k[kn + 4] = (uint8_t)pt_ev_u(ev, 1);
		kn += 5;
		if ((r = mpi_get(st, k, kn, &t, sizeof t)) && r != PT_ENOTFOUND)
			return r;
		if (msgs >= t.msgs)
			t.bytes = bytes;
		mpi_merge(&t.msgs, &t.first, &t.last, msgs, pt_ev_u(ev, 4), ev->ts);
		return pt_st_put(st, DB_MPI, k, kn, &t, sizeof t, 0);
	}

	case PT_EV_MPI_COLL: {
		struct pt_mpi_calls c = { 0 };
		uint64_t calls = pt_ev_u(ev, 3);
		kn = mpi_key(k, 'c', proc);
		be32(k + kn, (uint32_t)pt_ev_u(ev, 0));
		k[kn + 4] = (uint8_t)pt_ev_u(ev, 1);
		be32(k + kn + 5, (uint32_t)(pt_ev_i(ev, 2) + 1));
		kn += 9;
		if ((r = mpi_get(st, k, kn, &c, sizeof c)) && r != PT_ENOTFOUND)
			return r;
		if (calls >= c.calls) {
			c.sent = pt_ev_u(ev, 4);
			c.recvd = pt_ev_u(ev, 5);
		}
		mpi_merge(&c.calls, &c.first, &c.last, calls, pt_ev_u(ev, 6), ev->ts);
		return pt_st_put(st, DB_MPI, k, kn, &c, sizeof c, 0);
	}

	case PT_EV_MPI_FOPEN:
		/* a session of the file's object, so that lineage and export see who read and
		 * wrote it through MPI-IO (the POSIX I/O underneath may be another rank's) */
		b = pt_ev_b(ev, 1);
		if ((r = pt_st_obj_lookup(st, b.p, b.len, PT_KIND_FILE, &obj)))
			return r;
		return pt_st_sess_begin(st, proc, pt_ev_u(ev, 0), obj, PT_KIND_MPI_FILE, -1,
				  (uint32_t)pt_ev_u(ev, 2), PT_CALL_MPI_FILE, ev->ts);

	case PT_EV_MPI_FCLOSE:
		/* C_SESS_END's first twelve fields: ended like a session the table held */
		return pt_st_sess_end(st, proc, ev, 1);

	case PT_EV_MPI_SPAWN:
		return spawn_put(st, proc, ev);

	case PT_EV_MPI_PARENT: {
		struct pt_mpi_parent p = { 0, -1, 0, 0, 0 };
		uint8_t ck[21];
		b = pt_ev_b(ev, 0);
		p.size = (int32_t)pt_ev_i(ev, 3);
		if (b.len) {
			p.job = pt_st_fnv64(b.p, b.len);
			p.rank = (int32_t)pt_ev_i(ev, 1);
			p.spawn = (uint32_t)pt_ev_u(ev, 2);
		}
		kn = mpi_key(k, 'P', proc);
		if ((r = pt_st_put(st, DB_MPI, k, kn, &p, sizeof p, 0)) || !p.job)
			return r;
		/* the parent job's name, for a reader whose store has none of its ranks */
		k[0] = 'J';
		be64(k + 1, p.job);
		if ((r = pt_st_put(st, DB_MPI, k, 9, b.p, b.len, 0)))
			return r;
		ck[0] = 'k';
		be64(ck + 1, p.job);
		be32(ck + 9, (uint32_t)p.rank);
		be32(ck + 13, p.spawn);
		be32(ck + 17, proc);
		return pt_st_put(st, DB_MPI, ck, sizeof ck, "", 0, 0);
	}
	}
	return 0;
}

/* ---- readers of the mpi table */

int pt_store_mpi_rank(pt_store *st, uint32_t proc, struct pt_mpi_rank *m)
{
	uint8_t k[MPI_KEY_MAX];

	return mpi_get(st, k, mpi_key(k, 'r', proc), m, sizeof *m);
}

int pt_store_mpi_find(pt_store *st, uint64_t job, int32_t rank, uint32_t *proc)
{
	uint8_t k[13];

	k[0] = 'j';
	be64(k + 1, job);
	be32(k + 9, (uint32_t)rank);
	return mpi_get(st, k, sizeof k, proc, sizeof *proc);
}

int pt_store_mpi_job(pt_store *st, uint64_t job, char *name, size_t *len)
{
	MDB_val key, v;
	MDB_txn *txn;
	uint8_t k[9];
	int temp, r;

	if (st->no_mpi)
		return PT_ENOTFOUND;
	k[0] = 'J';
	be64(k + 1, job);
	key = val(k, sizeof k);
	if ((r = pt_st_txn_get(st, &txn, &temp)))
		return r;
	r = mdb_get(txn, st->dbi[DB_MPI], &key, &v);
	if (r == 0) {
		size_t n = v.mv_size < *len ? v.mv_size : *len;
		memcpy(name, v.mv_data, n);
		*len = v.mv_size;
	}
	pt_st_txn_put(txn, temp);
	return r == MDB_NOTFOUND ? PT_ENOTFOUND : r;
}

int pt_store_mpi_parent(pt_store *st, uint32_t proc, struct pt_mpi_parent *p)
{
	uint8_t k[MPI_KEY_MAX];

	return mpi_get(st, k, mpi_key(k, 'P', proc), p, sizeof *p);
}

int pt_store_mpi_spawn(pt_store *st, uint32_t proc, uint32_t spawn, struct pt_mpi_spawn *s)
{
	uint8_t k[MPI_KEY_MAX];
	size_t kn = mpi_key(k, 'S', proc);

	be32(k + kn, spawn);
	return mpi_get(st, k, kn + 4, s, sizeof *s);
}

struct mpi_walk {
	void *fn, *ctx;
};

static int mpi_spawn_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	struct pt_mpi_spawn s = { 0 };
	size_t n = v->mv_size < sizeof s ? v->mv_size : sizeof s;

	if (k->mv_size != 9)
		return 0;
	memcpy(&s, v->mv_data, n);
	return ((pt_mpi_spawn_fn)w->fn)(w->ctx, rd32((uint8_t *)k->mv_data + 1), &s,
					 (const uint8_t *)v->mv_data + n, v->mv_size - n);
}

int pt_store_each_mpi_spawn(pt_store *st, uint32_t proc, pt_mpi_spawn_fn fn, void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };
	uint8_t k[MPI_KEY_MAX];

	if (st->no_mpi)
		return 0;
	return pt_st_walk(st, DB_MPI, k, proc ? mpi_key(k, 'S', proc) : (k[0] = 'S', 1), mpi_spawn_cb,
		    &w);
}

static int mpi_child_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	const uint8_t *p = k->mv_data;

	(void)v;
	if (k->mv_size != 21)
		return 0;
	return ((pt_mpi_child_fn)w->fn)(w->ctx, rd32(p + 13), rd32(p + 17));
}

int pt_store_each_mpi_child(pt_store *st, uint64_t job, int32_t rank, pt_mpi_child_fn fn,
			    void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };
	uint8_t k[13];

	if (st->no_mpi)
		return 0;
	k[0] = 'k';
	be64(k + 1, job);
	be32(k + 9, (uint32_t)rank);
	return pt_st_walk(st, DB_MPI, k, sizeof k, mpi_child_cb, &w);
}

static int mpi_rank_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	struct pt_mpi_rank m = { 0 };

	if (k->mv_size != 5)
		return 0;
	memcpy(&m, v->mv_data, v->mv_size < sizeof m ? v->mv_size : sizeof m);
	return ((pt_mpi_rank_fn)w->fn)(w->ctx, rd32((uint8_t *)k->mv_data + 1), &m);
}

int pt_store_each_mpi_rank(pt_store *st, pt_mpi_rank_fn fn, void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };

	return st->no_mpi ? 0 : pt_st_walk(st, DB_MPI, "r", 1, mpi_rank_cb, &w);
}

static int mpi_p2p_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	struct pt_mpi_traffic t = { 0 };
	const uint8_t *p = k->mv_data;

	if (k->mv_size != 10)
		return 0;
	memcpy(&t, v->mv_data, v->mv_size < sizeof t ? v->mv_size : sizeof t);
	return ((pt_mpi_p2p_fn)w->fn)(w->ctx, rd32(p + 1), (int32_t)rd32(p + 5), p[9], &t);
}

int pt_store_each_mpi_p2p(pt_store *st, uint32_t proc, pt_mpi_p2p_fn fn, void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };
	uint8_t k[5];

	if (st->no_mpi)
		return 0;
	return pt_st_walk(st, DB_MPI, k, proc ? mpi_key(k, 'p', proc) : (k[0] = 'p', 1), mpi_p2p_cb, &w);
}

static int mpi_coll_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_walk *w = ctx;
	struct pt_mpi_calls c = { 0 };
	const uint8_t *p = k->mv_data;

	if (k->mv_size != 14)
		return 0;
	memcpy(&c, v->mv_data, v->mv_size < sizeof c ? v->mv_size : sizeof c);
	return ((pt_mpi_coll_fn)w->fn)(w->ctx, rd32(p + 1), rd32(p + 5), p[9],
				       (int32_t)rd32(p + 10) - 1, &c);
}

int pt_store_each_mpi_coll(pt_store *st, uint32_t proc, pt_mpi_coll_fn fn, void *ctx)
{
	struct mpi_walk w = { (void *)fn, ctx };
	uint8_t k[5];

	if (st->no_mpi)
		return 0;
	return pt_st_walk(st, DB_MPI, k, proc ? mpi_key(k, 'c', proc) : (k[0] = 'c', 1), mpi_coll_cb, &w);
}

struct mpi_members {
	int32_t *out;
	size_t max, n;
};

static int mpi_member_cb(void *ctx, const MDB_val *k, const MDB_val *v)
{
	struct mpi_members *m = ctx;
	uint32_t off = rd32((uint8_t *)k->mv_data + 10);
	size_t n = v->mv_size / 4;

	if (off >= m->max)
		return 0;
	if (n > m->max - off)
		n = m->max - off;
	memcpy(m->out + off, v->mv_data, n * 4);
	if (off + n > m->n)
		m->n = off + n;
	return 0;
}

int pt_store_mpi_comm(pt_store *st, uint32_t proc, uint32_t comm, int remote,
		      struct pt_mpi_comm *c, int32_t *ranks, size_t max)
{
	uint8_t k[MPI_KEY_MAX];
	size_t kn = mpi_key(k, 'C', proc), size;
	struct mpi_members m = { ranks, max, 0 };
	int r;

	be32(k + kn, comm);
	kn += 4;
	if ((r = mpi_get(st, k, kn, c, sizeof *c)))
		return r;
	if (!ranks)
		return 0;
	size = (size_t)(remote ? c->rsize : c->size);
	if (size > max)
		size = max;
	if (c->flags & (remote ? PT_MPI_COMM_RIDENTITY : PT_MPI_COMM_IDENTITY)) {
		for (size_t i = 0; i < size; i++)
			ranks[i] = (int32_t)i;
		return 0;
	}
	for (size_t i = 0; i < size; i++)
		ranks[i] = -1;
	k[0] = 'm';
	k[kn] = (uint8_t)!!remote;
	return pt_st_walk(st, DB_MPI, k, kn + 1, mpi_member_cb, &m);
}

int pt_mpi_coll_flows(uint32_t op, int32_t from, int32_t to, int32_t root)
{
	if (from == to)
		return 0;
	switch (op & ~(uint32_t)PT_MPI_NB) {
	case PT_MPI_BARRIER:
		return 0;
	case PT_MPI_BCAST: case PT_MPI_SCATTER: case PT_MPI_SCATTERV:
		return root < 0 || from == root;
	case PT_MPI_REDUCE: case PT_MPI_GATHER: case PT_MPI_GATHERV:
		return root < 0 || to == root;
	case PT_MPI_SCAN: case PT_MPI_EXSCAN:
		return from < to;
	default:
		return 1;   /* the all-to-all kinds, and kinds newer than this reader */
	}
}

/* ---- the MPI times that bound data flow (lineage and export share them) */

struct mpi_when {
	int32_t peer;
	uint32_t op;            /* collective, or 0: point to point */
	int first;              /* first receipt, else last send */
	uint64_t t;
};

static void when_take(struct mpi_when *w, uint64_t first, uint64_t last)
{
	if (w->first) {
		if (first && (!w->t || first < w->t))
			w->t = first;
	} else if (last > w->t) {
		w->t = last;
	}
}

static int when_p2p(void *ctx, uint32_t proc, int32_t peer, uint32_t op,
		    const struct pt_mpi_traffic *t)
{
	struct mpi_when *w = ctx;

	(void)proc;
	if (peer == w->peer && (w->first ? !PT_MPI_P2P_SENDS(op) : PT_MPI_P2P_SENDS(op)))
		when_take(w, t->first, t->last);
	return 0;
}

static int when_coll(void *ctx, uint32_t proc, uint32_t comm, uint32_t op, int32_t root,
		     const struct pt_mpi_calls *c)
{
	struct mpi_when *w = ctx;

	(void)proc;
	(void)comm;
	(void)root;
	if (op == w->op)
		when_take(w, c->first, c->last);
	return 0;
}

static uint64_t mpi_when(pt_store *st, uint32_t proc, int32_t peer, uint32_t op, int first)
{
	struct mpi_when w = { peer, op, first, 0 };

	if (op)
		pt_store_each_mpi_coll(st, proc, when_coll, &w);
	else
		pt_store_each_mpi_p2p(st, proc, when_p2p, &w);
	return w.t;
}

uint64_t pt_store_mpi_last_send(pt_store *st, uint32_t proc, int32_t peer, uint32_t coll_op)
{
	return mpi_when(st, proc, peer, coll_op, 0);
}

uint64_t pt_store_mpi_first_recv(pt_store *st, uint32_t proc, int32_t peer, uint32_t coll_op)
{
	return mpi_when(st, proc, peer, coll_op, 1);
}

