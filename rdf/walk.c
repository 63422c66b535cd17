/* walk.c — the lineage walk (see walk.h): the objects and process images a file came
 * from, or that came from it, straight from the stores' indices.
 *
 * The walk is over objects (files, pipes, sockets) and process images, each visited with
 * a time bound: going back, a file as it was before t came from writes that began before
 * t, by processes as they were before the end of those writes, which had read what they
 * read before that; going forward, the mirror image.  A node is walked again only with a
 * wider bound, so the walk ends; chains of any length work.
 *
 * MPI ranks are process images too: what a rank received from a peer (a message, or a
 * collective whose data flows from the peer to it) came from what the peer had when it
 * last sent, so going back from a rank at t reaches each peer it received from before
 * t, bounded by the earlier of the receiver's last receipt and the peer's last send;
 * going forward, the mirror image.  Peers are found on any node by (job, rank).  A rank
 * that MPI_Comm_spawn started began with what the rank that spawned it had, as a child
 * with what its parent had. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sets.h"
#include "walk.h"

struct item {
	uint64_t node, t;
	unsigned depth;
	int show;            /* reached as data a process read (back) or wrote (forward) */
};

struct walk {
	struct pt_runset *rs;
	const struct pt_walk_cb *cb;
	int back;            /* ancestors (1) or descendants (0) */
	unsigned max_depth;
	int all;
	const uint8_t *path;        /* the start */
	size_t plen;
	struct item *q;
	size_t nq, capq;
	struct pt_u64map seen;
	struct pt_u64map ranks;     /* (job, rank) -> its graph node | 1 << 63, or 0: none */
};

static const char *const system_prefixes[] = {
	"/usr/", "/lib/", "/lib32/", "/lib64/", "/bin/", "/sbin/", "/etc/", "/proc/", "/sys/",
	"/run/", "/var/lib/", "/var/cache/", "/dev/",
};

int pt_walk_shown(const uint8_t *p, size_t n)
{
	if (n >= 9 && memcmp(p, "/dev/shm/", 9) == 0)
		return 1;
	for (size_t i = 0; i < sizeof system_prefixes / sizeof system_prefixes[0]; i++) {
		size_t k = strlen(system_prefixes[i]);
		if (n >= k && memcmp(p, system_prefixes[i], k) == 0)
			return 0;
	}
	return 1;
}

/* An edge to a node `depth` processes away: reported when that node is within bound. */
static void edge(struct walk *L, int kind, uint64_t a, uint64_t b, uint64_t t, unsigned depth)
{
	if (depth <= L->max_depth && L->cb->edge)
		L->cb->edge(L->cb->ctx, kind, a, b, t);
}

static void push(struct walk *L, uint64_t node, uint64_t t, unsigned depth, int show)
{
	int fresh;
	uint64_t *best;

	if (depth > L->max_depth)
		return;
	/* the widest bound seen so far: back, the latest time; forward, the earliest */
	best = pt_u64map_get(&L->seen, node << 1 | (uint64_t)(show != 0), t, &fresh);
	if (!fresh) {
		if (L->back ? t <= *best : t >= *best)
			return;
		*best = t;
	}
	if (L->nq == L->capq) {
		L->capq = L->capq ? L->capq * 2 : 1024;
		L->q = realloc(L->q, L->capq * sizeof *L->q);
		if (!L->q) {
			fputs("provtrace: out of memory\n", stderr);
			exit(1);
		}
	}
	L->q[L->nq++] = (struct item){ node, t, depth, show };
}

/* ---- objects */

struct obj_walk {
	struct walk *L;
	size_t s;
	struct item it;
};

static int obj_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
		   const struct pt_use_rec *u)
{
	struct obj_walk *w = ctx;
	struct walk *L = w->L;
	uint64_t t = w->it.t;

	(void)obj;
	(void)sid;
	if (L->back) {
		/* writes that began before t, by the process as it was until they ended */
		if ((u->dirs & PT_USE_WRITE) && u->wfirst < t) {
			uint64_t p = PT_WALK_NODE(w->s, PT_WALK_PROC, proc);
			edge(L, PT_WALK_GENERATED, w->it.node, p, u->wfirst, w->it.depth + 1);
			push(L, p, u->end && u->end < t ? u->end : t, w->it.depth + 1, 0);
		}
	} else {
		/* reads still going on after t, by the process from when they began */
		if ((u->dirs & PT_USE_READ) && (u->end == 0 || u->end > t)) {
			uint64_t p = PT_WALK_NODE(w->s, PT_WALK_PROC, proc);
			edge(L, PT_WALK_USED, p, w->it.node, u->rfirst, w->it.depth + 1);
			push(L, p, u->rfirst > t ? u->rfirst : t, w->it.depth + 1, 0);
		}
	}
	return 0;
}

static int obj_flow(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind)
{
	struct obj_walk *w = ctx;
	struct walk *L = w->L;
	uint64_t t = w->it.t;
	/* back: edges into the object (a = it, b = the source); forward: out of it */
	uint32_t other = b;
	/* another name of the same content: shown forward (the name it ends up under) */
	int show = !L->back && kind != PT_FLOW_CHANNEL;

	uint64_t o = PT_WALK_NODE(w->s, PT_WALK_OBJ, other);

	(void)a;
	if (ts != 0 && !(L->back ? ts < t : ts > t))
		return 0;
	if (L->back)
		edge(L, PT_WALK_DERIVED, w->it.node, o, ts, w->it.depth);
	else
		edge(L, PT_WALK_DERIVED, o, w->it.node, ts, w->it.depth);
	push(L, o, ts ? ts : t, w->it.depth, show);
	return 0;
}

static void walk_obj(struct walk *L, const struct item *it)
{
	size_t s = PT_WALK_STORE(it->node);
	uint32_t obj = PT_WALK_ID(it->node), kind;
	struct obj_walk w = { L, s, *it };
	const uint8_t *name;
	size_t len;
	uint8_t copy[8192];

	if (pt_store_obj_name(L->rs->st[s], obj, &name, &len, &kind))
		return;
	if (len > sizeof copy)
		len = sizeof copy;
	memcpy(copy, name, len);
	if (kind == PT_KIND_FILE && it->show && L->cb->file &&
	    (L->all || pt_walk_shown(copy, len)) && !(len == L->plen && !memcmp(copy, L->path, len)))
		L->cb->file(L->cb->ctx, copy, len);
	/* back: only the writers of the object matter; forward: only its readers */
	pt_store_each_use_dir(L->rs->st[s], obj, L->back ? PT_USE_WRITE : PT_USE_READ, obj_use, &w);
	pt_store_each_flow(L->rs->st[s], obj, L->back, obj_flow, &w);
	/* a path is one file on every node that shares the file system */
	if (kind == PT_KIND_FILE) {
		for (size_t o = 0; o < L->rs->n; o++) {
			uint32_t other;
			if (o != s && pt_store_obj_find(L->rs->st[o], copy, len, &other) == 0)
				push(L, PT_WALK_NODE(o, PT_WALK_OBJ, other), it->t, it->depth, 0);
		}
	}
}

/* ---- processes */

struct proc_walk {
	struct walk *L;
	size_t s;
	struct item it;
	const struct pt_proc_rec *p;
};

static int proc_sess(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *x)
{
	struct proc_walk *w = ctx;
	struct walk *L = w->L;
	uint64_t t = w->it.t, end = x->close_ns ? x->close_ns : UINT64_MAX;

	(void)proc;
	(void)sid;
	if (!x->obj)
		return 0;
	if (L->back) {
		uint64_t first = x->rfirst ? x->rfirst : x->open_ns;
		if (x->rops && first < t) {
			uint64_t o = PT_WALK_NODE(w->s, PT_WALK_OBJ, x->obj);
			edge(L, PT_WALK_USED, w->it.node, o, first, w->it.depth);
			push(L, o, end < t ? end : t, w->it.depth, 1);
		}
	} else {
		uint64_t first = x->wfirst ? x->wfirst : x->open_ns;
		if (x->wops && end > t) {
			uint64_t o = PT_WALK_NODE(w->s, PT_WALK_OBJ, x->obj);
			edge(L, PT_WALK_GENERATED, o, w->it.node, first, w->it.depth);
			push(L, o, first > t ? first : t, w->it.depth, 1);
		}
	}
	return 0;
}

static int proc_child(void *ctx, uint32_t parent, uint32_t child, uint64_t ts, uint32_t how)
{
	struct proc_walk *w = ctx;
	struct walk *L = w->L;

	(void)parent;
	(void)how;
	/* a child began with what its parent had then */
	if (ts > w->it.t) {
		uint64_t c = PT_WALK_NODE(w->s, PT_WALK_PROC, child);
		edge(L, PT_WALK_INFORMED, c, w->it.node, ts, w->it.depth);
		push(L, c, ts, w->it.depth, 0);
	}
	return 0;
}

/* ---- MPI */

static uint64_t rank_key(uint64_t job, int32_t rank)
{
	uint64_t k[2] = { job, (uint64_t)(uint32_t)rank };

	return pt_hash_bytes(k, sizeof k);
}

/* The graph node of rank `rank` of `job`, on whichever node ran it; 0 if none did. */
static uint64_t rank_node(struct walk *L, uint64_t job, int32_t rank)
{
	int fresh;
	uint64_t *v = pt_u64map_get(&L->ranks, rank_key(job, rank), 0, &fresh);

	if (fresh) {
		for (size_t o = 0; o < L->rs->n; o++) {
			uint32_t proc;
			if (pt_store_mpi_find(L->rs->st[o], job, rank, &proc) == 0) {
				*v = PT_WALK_NODE(o, PT_WALK_PROC, proc) | 1ull << 63;
				break;
			}
		}
	}
	return *v & ~(1ull << 63);
}

struct mpi_walk {
	struct walk *L;
	size_t s;
	struct item it;
	struct pt_mpi_rank me;
};

/* When the image at `node` last sent to world rank `to` (op 0: point to point; else in
 * that collective, in any communicator); 0 when its store does not say. */
static uint64_t peer_last(struct walk *L, uint64_t node, int32_t to, uint32_t op)
{
	return pt_store_mpi_last_send(L->rs->st[PT_WALK_STORE(node)], PT_WALK_ID(node), to, op);
}

/* When the image at `node` first completed a receipt from world rank `from` (op as for
 * peer_last()): before that it held none of the sender's data; 0 when unknown. */
static uint64_t peer_first(struct walk *L, uint64_t node, int32_t from, uint32_t op)
{
	return pt_store_mpi_first_recv(L->rs->st[PT_WALK_STORE(node)], PT_WALK_ID(node), from, op);
}

/* Traffic between the walked rank and the peer at `node`: first and last as this rank
 * saw them; `op` as for peer_last(). */
static void mpi_edge(struct mpi_walk *w, uint64_t node, uint64_t first, uint64_t last, uint32_t op)
{
	struct walk *L = w->L;
	uint64_t t = w->it.t, bound;

	if (!node)
		return;
	if (L->back) {
		/* the peer as it was when it last sent: no later than our last receipt */
		uint64_t sent = peer_last(L, node, w->me.rank, op);
		bound = last < t ? last : t;
		if (sent && sent < bound)
			bound = sent;
	} else {
		/* the peer from its first receipt: a send returns after the data may have
		 * arrived, so the receiver's own time is the one to trust */
		uint64_t got = peer_first(L, node, w->me.rank, op);
		if (got && got < first)
			first = got;
		bound = first > t ? first : t;
	}
	if (L->back)
		edge(L, PT_WALK_INFORMED, w->it.node, node, bound, w->it.depth);
	else
		edge(L, PT_WALK_INFORMED, node, w->it.node, bound, w->it.depth);
	push(L, node, bound, w->it.depth, 0);
}

static int mpi_p2p(void *ctx, uint32_t proc, int32_t peer, uint32_t op,
		   const struct pt_mpi_traffic *t)
{
	struct mpi_walk *w = ctx;
	struct walk *L = w->L;

	(void)proc;
	if (L->back ? !PT_MPI_P2P_SENDS(op) && t->first < w->it.t
		   : PT_MPI_P2P_SENDS(op) && t->last > w->it.t)
		mpi_edge(w, rank_node(L, w->me.job, peer), t->first, t->last, 0);
	return 0;
}

static int mpi_coll(void *ctx, uint32_t proc, uint32_t comm, uint32_t op, int32_t root,
		    const struct pt_mpi_calls *c)
{
	struct mpi_walk *w = ctx;
	struct walk *L = w->L;
	struct pt_mpi_comm cm;
	int32_t *members, rootc = -1;

	if (L->back ? c->first >= w->it.t : c->last <= w->it.t)
		return 0;
	if (pt_store_mpi_comm(L->rs->st[w->s], proc, comm, 0, &cm, NULL, 0) || cm.size <= 0 ||
	    (cm.flags & PT_MPI_COMM_INTER))
		return 0;   /* intercommunicator collectives are not followed */
	if (!(members = malloc((size_t)cm.size * sizeof *members))) {
		fputs("provtrace: out of memory\n", stderr);
		exit(1);
	}
	pt_store_mpi_comm(L->rs->st[w->s], proc, comm, 0, &cm, members, (size_t)cm.size);
	for (int32_t i = 0; root >= 0 && i < cm.size; i++)
		if (members[i] == root)
			rootc = i;
	for (int32_t i = 0; i < cm.size; i++) {
		if (i == cm.rank || members[i] < 0)
			continue;
		if (L->back ? pt_mpi_coll_flows(op, i, cm.rank, rootc)
			   : pt_mpi_coll_flows(op, cm.rank, i, rootc))
			mpi_edge(w, rank_node(L, w->me.job, members[i]), c->first, c->last, op);
	}
	free(members);
	return 0;
}

/* Forward from a rank: the images it spawned after the bound, on any node. */
struct spawn_walk {
	struct walk *L;
	size_t s;
	const struct item *it;
};

static int mpi_child(void *ctx, uint32_t spawn, uint32_t proc)
{
	struct spawn_walk *w = ctx;
	struct walk *L = w->L;
	struct pt_proc_rec c;
	uint64_t node = PT_WALK_NODE(w->s, PT_WALK_PROC, proc);

	(void)spawn;
	if (pt_store_proc(L->rs->st[w->s], proc, &c) == 0 && c.start_ns > w->it->t) {
		edge(L, PT_WALK_INFORMED, node, w->it->node, c.start_ns, w->it->depth);
		push(L, node, c.start_ns, w->it->depth, 0);
	}
	return 0;
}

static void walk_mpi(struct walk *L, size_t s, const struct item *it, uint32_t proc)
{
	struct mpi_walk w = { L, s, *it, { 0 } };
	struct pt_mpi_parent pa;
	struct pt_proc_rec r;
	uint64_t node;

	if (pt_store_mpi_rank(L->rs->st[s], proc, &w.me))
		return;
	pt_store_each_mpi_p2p(L->rs->st[s], proc, mpi_p2p, &w);
	pt_store_each_mpi_coll(L->rs->st[s], proc, mpi_coll, &w);
	/* a spawned rank began with what the rank that spawned it had (its command line) */
	if (L->back) {
		if (pt_store_mpi_parent(L->rs->st[s], proc, &pa) == 0 && pa.job &&
		    (node = rank_node(L, pa.job, pa.rank)) &&
		    pt_store_proc(L->rs->st[s], proc, &r) == 0) {
			edge(L, PT_WALK_INFORMED, it->node, node, r.start_ns, it->depth);
			push(L, node, r.start_ns, it->depth, 0);
		}
		return;
	}
	for (size_t o = 0; o < L->rs->n; o++) {
		struct spawn_walk sw = { L, o, it };
		pt_store_each_mpi_child(L->rs->st[o], w.me.job, w.me.rank, mpi_child, &sw);
	}
}

static void walk_proc(struct walk *L, const struct item *it)
{
	size_t s = PT_WALK_STORE(it->node);
	struct pt_proc_rec p;
	struct proc_walk w = { L, s, *it, &p };

	if (pt_store_proc(L->rs->st[s], PT_WALK_ID(it->node), &p))
		return;
	pt_store_each_sess(L->rs->st[s], p.id, proc_sess, &w);
	walk_mpi(L, s, it, p.id);
	if (L->back) {
		if (p.parent) {
			uint64_t q = PT_WALK_NODE(s, PT_WALK_PROC, p.parent);
			edge(L, PT_WALK_INFORMED, it->node, q, p.start_ns, it->depth);
			push(L, q, p.start_ns, it->depth, 0);
		}
		if (p.exec_from) {
			uint64_t q = PT_WALK_NODE(s, PT_WALK_PROC, p.exec_from);
			edge(L, PT_WALK_INFORMED, it->node, q, p.start_ns, it->depth);
			push(L, q, p.start_ns, it->depth, 0);
		}
	} else {
		pt_store_each_child(L->rs->st[s], p.id, proc_child, &w);
	}
}

int pt_walk(struct pt_runset *rs, const uint8_t *path, size_t plen, int back,
	    unsigned max_depth, int all, const struct pt_walk_cb *cb)
{
	struct walk L = { .rs = rs, .cb = cb, .back = back, .max_depth = max_depth, .all = all,
			  .path = path, .plen = plen };
	int found = 0;

	for (size_t s = 0; s < rs->n; s++) {
		uint32_t obj;
		if (pt_store_obj_find(rs->st[s], path, plen, &obj) == 0) {
			push(&L, PT_WALK_NODE(s, PT_WALK_OBJ, obj), back ? UINT64_MAX : 0, 0, 0);
			found = 1;
		}
	}
	while (L.nq) {
		struct item it = L.q[--L.nq];
		if (PT_WALK_TYPE(it.node) == PT_WALK_OBJ)
			walk_obj(&L, &it);
		else
			walk_proc(&L, &it);
	}
	pt_u64map_free(&L.seen);
	pt_u64map_free(&L.ranks);
	free(L.q);
	return found ? 0 : ENOENT;
}
