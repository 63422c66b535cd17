/* prov-mpi.c — MPI in the PROV-O mapping (see prov-int.h): the flows of data into a rank
 * (found on whichever node ran the sender), its properties and communications, spawned
 * jobs, and whether the run's sends and receives agree.
 *
 * Traffic is described from the receiving side, the side whose counts say what
 * arrived: per point-to-point record (peer, kind) one communication, per collective
 * record (communicator, kind, root) one per member whose data flows to the rank.  A
 * collective of N ranks thus gives each rank up to N - 1 communications per record.  A
 * spawned rank has one more, from the root of its spawn. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpicheck.h"
#include "prov-int.h"

/* ---- MPI: who a rank received data from, as provtrace lineage reads it
 *
 * A rank heard from a peer when it completed a receive from it, or took part in a
 * collective whose data flows from the peer's member to its own (pt_mpi_coll_flows()).
 * Peers are named by (job, world rank) and found on whichever node ran them. */

static int rank_find(pt_prov *pv, uint64_t job, int32_t rank, uint32_t *store, uint32_t *proc)
{
	int fresh;
	uint64_t *v = pt_pv_kset_get(&pv->ranks, job, (uint32_t)rank, UINT64_MAX, &fresh);

	if (fresh) {
		/* the first store in name order that ran it: every tool picks the same one */
		for (size_t o = 0; o < pv->rs.n; o++) {
			uint32_t p;
			if (pt_store_mpi_find(pv->rs.st[o], job, rank, &p) == 0) {
				*v = (uint64_t)o << 32 | p;
				break;
			}
		}
	}
	if (*v == UINT64_MAX)
		return PT_ENOTFOUND;
	*store = (uint32_t)(*v >> 32);
	*proc = (uint32_t)*v;
	return 0;
}

struct mpi_walk {
	pt_prov *pv;
	size_t store;
	uint32_t proc;
	struct pt_mpi_rank me;
	mpi_flow_fn fn;
	void *ctx;
};

static int mw_p2p(void *ctx, uint32_t proc, int32_t peer, uint32_t op,
		  const struct pt_mpi_traffic *t)
{
	struct mpi_walk *w = ctx;
	struct mpi_flow f = { 0 };

	if (PT_MPI_P2P_SENDS(op) || !t->msgs)
		return 0;
	f.found = rank_find(w->pv, w->me.job, peer, &f.qs, &f.q) == 0;
	if (f.found && f.qs == w->store && f.q == proc)
		return 0;
	f.from = peer;
	f.to = w->me.rank;
	f.op = op;
	f.root = -1;
	f.t = t;
	w->fn(w->pv, w->ctx, &f);
	return w->pv->err;
}

static int mw_coll(void *ctx, uint32_t proc, uint32_t comm, uint32_t op, int32_t root,
		   const struct pt_mpi_calls *c)
{
	struct mpi_walk *w = ctx;
	pt_store *st = w->pv->rs.st[w->store];
	struct mpi_flow f = { 0 };
	int32_t *members, rootc = -1;

	/* intercommunicator collectives are not followed, as in provtrace lineage */
	if (!c->calls || pt_store_mpi_comm(st, proc, comm, 0, &f.cm, NULL, 0) ||
	    f.cm.size <= 0 || (f.cm.flags & PT_MPI_COMM_INTER))
		return 0;
	members = xmalloc((size_t)f.cm.size * sizeof *members);
	pt_store_mpi_comm(st, proc, comm, 0, &f.cm, members, (size_t)f.cm.size);
	for (int32_t i = 0; root >= 0 && i < f.cm.size; i++)
		if (members[i] == root)
			rootc = i;
	f.coll = 1;
	f.to = w->me.rank;
	f.comm = comm;
	f.op = op;
	f.root = root;
	f.c = c;
	for (int32_t i = 0; i < f.cm.size && !w->pv->err; i++) {
		if (i == f.cm.rank || members[i] < 0 || !pt_mpi_coll_flows(op, i, f.cm.rank, rootc))
			continue;
		f.qs = f.q = 0;
		f.found = rank_find(w->pv, w->me.job, members[i], &f.qs, &f.q) == 0;
		if (f.found && f.qs == w->store && f.q == proc)
			continue;
		f.from = members[i];
		w->fn(w->pv, w->ctx, &f);
	}
	free(members);
	return w->pv->err;
}

/* Every flow into image `proc` of store s, in the store's order (point to point by peer
 * and kind, then collectives by communicator, kind, root, and member), senders that no
 * store holds included; 0 when it is not a rank. */
int pt_pv_mpi_flows(pt_prov *pv, size_t s, uint32_t proc, mpi_flow_fn fn, void *ctx)
{
	struct mpi_walk w = { pv, s, proc, { 0 }, fn, ctx };

	if (pt_store_mpi_rank(pv->rs.st[s], proc, &w.me))
		return 0;
	pt_store_each_mpi_p2p(pv->rs.st[s], proc, mw_p2p, &w);
	pt_store_each_mpi_coll(pv->rs.st[s], proc, mw_coll, &w);
	return 1;
}

/* The rank that spawned image `proc` of store s (MPI_Comm_spawn's root), when the image
 * was told which and a store of the run holds it. */
int pt_pv_mpi_spawner(pt_prov *pv, size_t s, uint32_t proc, uint32_t *qs, uint32_t *q)
{
	struct pt_mpi_parent p;

	return pt_store_mpi_parent(pv->rs.st[s], proc, &p) == 0 && p.job &&
	       rank_find(pv, p.job, p.rank, qs, q) == 0;
}

/* With MPI traffic, whether each rank's sends to a peer are what the peer received
 * (pt:mpiConsistent), and each way that disagrees (pt:mpiMismatch), as provtrace stat. */
void pt_pv_emit_mpi_check(pt_prov *pv, const struct pt_buf *S)
{
	struct pt_mpi_pairs ps = { 0 };
	struct pt_mpi_way w[64];
	size_t bad;

	for (size_t s = 0; s < pv->rs.n; s++)
		if (pt_mpi_pairs_add_store(&ps, pv->rs.st[s]))
			goto out;   /* a store that cannot say: no verdict */
	if (!ps.n)
		goto out;
	bad = pt_mpi_mismatches(&ps, w, 64);
	e_bool(pv, S, PT("mpiConsistent"), bad == 0);
	for (size_t i = 0; i < bad && i < 64; i++) {
		char job[256], text[512];
		size_t n = sizeof job - 1;
		int have = 0;
		for (size_t s = 0; s < pv->rs.n && !have; s++)
			have = pt_store_mpi_job(pv->rs.st[s], w[i].job, job, &n) == 0;
		job[have ? (n < sizeof job - 1 ? n : sizeof job - 1) : 0] = 0;
		snprintf(text, sizeof text, "job %s: rank %d -> %d: %llu messages, %llu bytes sent; "
			 "%llu messages, %llu bytes received", have ? job : "?", (int)w[i].from,
			 (int)w[i].to, (unsigned long long)w[i].smsgs, (unsigned long long)w[i].sbytes,
			 (unsigned long long)w[i].rmsgs, (unsigned long long)w[i].rbytes);
		e_str(pv, S, PT("mpiMismatch"), text);
	}
out:
	pt_mpi_pairs_free(&ps);
}

/* ---- MPI: the rank, and what it received, from the receiving side */

static void mpi_op_name(struct pt_buf *b, const struct mpi_flow *f)
{
	const char *n = f->coll ? pt_mpi_coll_name(f->op) : pt_mpi_p2p_name(f->op);

	/* a kind newer than this reader: still one name, and a safe IRI segment */
	if (strcmp(n, "?") == 0) {
		pt_buf_puts(b, "op");
		pt_buf_u64(b, f->op);
		return;
	}
	pt_buf_puts(b, n);
}

/* RANK/mpi/OP/FROM, or RANK/mpi/commC/OP[/rootR]/FROM: one per record and sender */
static void iri_comm(struct pt_buf *b, const struct pt_buf *P, const struct mpi_flow *f)
{
	b->len = 0;
	pt_buf_put(b, P->p, P->len);
	pt_buf_puts(b, "/mpi/");
	if (f->coll) {
		pt_buf_puts(b, "comm");
		pt_buf_u64(b, f->comm);
		pt_buf_putc(b, '/');
	}
	mpi_op_name(b, f);
	if (f->coll && f->root >= 0) {
		pt_buf_puts(b, "/root");
		pt_buf_i64(b, f->root);
	}
	pt_buf_putc(b, '/');
	pt_buf_i64(b, f->from);
}

/* Pass 1: prov:qualifiedCommunication in the rank's block.  Pass 2: the communication. */
static void emit_flow(pt_prov *pv, void *ctx, const struct mpi_flow *f)
{
	struct proc_emit *pe = ctx;
	struct pt_buf *S = &pv->s, *O = &pv->o;
	uint64_t first = f->coll ? f->c->first : f->t->first;
	uint64_t last = f->coll ? f->c->last : f->t->last;

	if (!f->found)
		return;     /* no activity to name: said once by pt:mpiUntracedPeer */
	iri_comm(S, &pe->piri, f);
	if (pe->pass == 1) {
		e_buf(pv, &pe->piri, PROV("qualifiedCommunication"), S);
		return;
	}
	e_type(pv, S, PROV("Communication"));
	e_type(pv, S, f->coll ? PT("MPICollective") : PT("MPIPointToPoint"));
	pt_pv_iri_proc(pv, O, f->qs, f->q);
	e_buf(pv, S, PROV("activity"), O);
	O->len = 0;
	mpi_op_name(O, f);
	e_lit(pv, S, PT("mpiOperation"), O->p, O->len, NULL);
	if (f->coll) {
		e_uint(pv, S, PT("mpiCommunicator"), f->comm);
		e_int(pv, S, PT("mpiCommunicatorSize"), f->cm.size);
		if (f->root >= 0)
			e_int(pv, S, PT("mpiRoot"), f->root);
		e_uint(pv, S, PT("calls"), f->c->calls);
		/* the receiver's own buffers over all its calls: MPI says no more per pair */
		e_uint(pv, S, PT("bufferBytesSent"), f->c->sent);
		e_uint(pv, S, PT("bufferBytesReceived"), f->c->recvd);
	} else {
		e_uint(pv, S, PT("messages"), f->t->msgs);
		e_uint(pv, S, PT("bytes"), f->t->bytes);
	}
	if (first)
		e_time(pv, S, PT("firstAtTime"), first);
	if (last)
		e_time(pv, S, PT("lastAtTime"), last < first ? first : last);
}

struct unseen {
	int32_t *r;
	size_t n, cap;
};

static void unseen_flow(pt_prov *pv, void *ctx, const struct mpi_flow *f)
{
	struct unseen *u = ctx;

	(void)pv;
	if (f->found)
		return;
	GROW(u->r, u->n, u->cap);
	u->r[u->n++] = f->from;
}

static int i32_cmp(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/* The MPI_Get_library_version string from the image's MPI_INIT record, if logged. */
static int mpi_library(pt_prov *pv, size_t s, uint32_t proc, struct pt_bytes *lib)
{
	struct pt_ev ev;

	if (!pt_pv_log_mpi_init(pv, s, proc, &ev))
		return 0;
	*lib = pt_ev_b(&ev, 5);
	/* the C string's terminator and a final newline are not part of the name */
	while (lib->len && (lib->p[lib->len - 1] == 0 || lib->p[lib->len - 1] == '\n' ||
			    lib->p[lib->len - 1] == ' '))
		lib->len--;
	return lib->len > 0;
}

/* A job's name into pe->path, in a second look when longer than the first allowed. */
static int job_text(pt_store *st, struct proc_emit *pe, uint64_t job)
{
	size_t len = 256;

	for (int tries = 0; tries < 2; tries++) {
		size_t cap = len;
		pe->path.len = 0;
		pt_buf_grow(&pe->path, cap);
		if (pt_store_mpi_job(st, job, pe->path.p, &len))
			return 0;
		if (len <= cap) {
			pe->path.len = len;
			return 1;
		}
	}
	return 0;
}

/* A spawned rank: the rank that spawned it, as a literal, and (pass 1) prov:wasInformedBy,
 * pt:mpiSpawnedBy and the qualified communication, or (pass 2) its block. */
static void emit_spawned(pt_prov *pv, struct proc_emit *pe, const struct plist *l,
			 const uint32_t *inf, size_t ninf, int pass)
{
	pt_store *st = pv->rs.st[pe->store];
	struct pt_buf *P = &pe->piri, *O = &pv->o, *S = &pv->s;
	struct pt_mpi_parent p;
	struct pt_mpi_spawn sp;

	if (pt_store_mpi_parent(st, pe->rec->id, &p))
		return;
	if (pass == 1) {
		e_bool(pv, P, PT("mpiSpawned"), 1);
		if (p.job && job_text(st, pe, p.job)) {
			e_text(pv, P, PT("mpiParentJob"), pe->path.p, pe->path.len);
			e_int(pv, P, PT("mpiParentRank"), p.rank);
		}
	}
	if (!l->spawned)
		return;
	pt_pv_iri_proc(pv, O, l->sps, l->sp);
	S->len = 0;
	pt_buf_put(S, P->p, P->len);
	pt_buf_puts(S, "/mpi/spawn");
	if (pass == 1) {
		if (l->sps != pe->store || !bsearch(&l->sp, inf, ninf, sizeof *inf, u32_cmp))
			e_buf(pv, P, PROV("wasInformedBy"), O);
		e_buf(pv, P, PT("mpiSpawnedBy"), O);
		e_buf(pv, P, PROV("qualifiedCommunication"), S);
		return;
	}
	e_type(pv, S, PROV("Communication"));
	e_type(pv, S, PT("MPISpawn"));
	e_buf(pv, S, PROV("activity"), O);
	e_uint(pv, S, PT("mpiSpawn"), p.spawn);
	if (pt_store_mpi_spawn(pv->rs.st[l->sps], l->sp, p.spawn, &sp) == 0) {
		e_str(pv, S, PT("mpiOperation"), sp.how == 1 ? "spawn_multiple" : "spawn");
		e_int(pv, S, PT("processes"), sp.procs);
		if (sp.start_ns)
			e_time(pv, S, PT("spawnAtTime"), sp.start_ns);
	}
}

/* Pass 1, in the process's block: rank, world size, job, library; prov:wasInformedBy
 * each rank it received data from (once, and not again when a parent or IPC peer above
 * already said it), and the one that spawned it; the qualified communications.  Pass 2:
 * their blocks. */
void pt_pv_emit_mpi(pt_prov *pv, struct proc_emit *pe, const struct plist *l,
		     const uint32_t *inf, size_t ninf, int pass)
{
	pt_store *st = pv->rs.st[pe->store];
	struct pt_buf *P = &pe->piri, *O = &pv->o;
	struct pt_mpi_rank m;
	int save = pe->pass;

	if (pt_store_mpi_rank(st, pe->rec->id, &m))
		return;
	if (pass == 1) {
		struct pt_bytes lib;
		e_int(pv, P, PT("mpiRank"), m.rank);
		e_int(pv, P, PT("mpiWorldSize"), m.size);
		if (job_text(st, pe, m.job))
			e_text(pv, P, PT("mpiJob"), pe->path.p, pe->path.len);
		if (mpi_library(pv, pe->store, pe->rec->id, &lib))
			e_text(pv, P, PT("mpiLibrary"), lib.p, lib.len);
		if (m.dropped)
			e_uint(pv, P, PT("mpiDroppedRecords"), m.dropped);
		if (m.foreign) {
			e_uint(pv, P, PT("mpiForeignMessages"), m.foreign);
			e_uint(pv, P, PT("mpiForeignBytes"), m.foreign_bytes);
		}

		/* l->m is sorted by peer */
		for (size_t i = 0; i < l->nm && !pv->err; i++) {
			const struct mpe *e = &l->m[i];
			if (i && e->qs == e[-1].qs && e->q == e[-1].q)
				continue;
			if (e->qs == pe->store && bsearch(&e->q, inf, ninf, sizeof *inf, u32_cmp))
				continue;
			pt_pv_iri_proc(pv, O, e->qs, e->q);
			e_buf(pv, P, PROV("wasInformedBy"), O);
		}

		/* data from ranks no store of the run holds: said, not hidden */
		struct unseen u = { 0 };
		pt_pv_mpi_flows(pv, pe->store, pe->rec->id, unseen_flow, &u);
		if (u.n > 1)
			qsort(u.r, u.n, sizeof *u.r, i32_cmp);
		for (size_t i = 0; i < u.n; i++)
			if (!i || u.r[i] != u.r[i - 1])
				e_int(pv, P, PT("mpiUntracedPeer"), u.r[i]);
		free(u.r);
	}
	pe->pass = pass;
	pt_pv_mpi_flows(pv, pe->store, pe->rec->id, emit_flow, pe);
	pe->pass = save;
	emit_spawned(pv, pe, l, inf, ninf, pass);
}
