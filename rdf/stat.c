/* stat.c — provtrace-stat (`provtrace stat`): what a run recorded, from its node stores
 * alone: processes, files, bytes, events and what was lost or could not be seen. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gather.h"
#include "content.h"
#include "mlstat.h"
#include "mpicheck.h"
#include "runset.h"
#include "sets.h"
#include "collector/wire.h"

#ifndef PT_PKGDATADIR
#define PT_PKGDATADIR "/usr/local/share/provtrace"
#endif

struct totals {
	uint64_t procs, exited, died, execed, running;
	struct pt_counters c;       /* every node store's, added up */
	struct pt_strset files, files_read, files_written;
	int have_top;
	int32_t top_status;
	int32_t top_signal;        /* a signal provtrace run passed to the job, or 0 */
};

static int count_proc(void *ctx, const struct pt_proc_rec *p)
{
	struct totals *t = ctx;

	t->procs++;
	switch (p->end_state) {
	case PT_END_EXITED: t->exited++; break;
	case PT_END_DIED: t->died++; break;
	case PT_END_EXECED: t->execed++; break;
	default: t->running++; break;
	}
	return 0;
}

struct use_ctx {
	struct totals *t;
	pt_store *st;
};

static int count_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
		     const struct pt_use_rec *u)
{
	struct use_ctx *c = ctx;
	const uint8_t *name;
	size_t len;
	uint32_t kind;

	(void)proc;
	(void)sid;
	if (u->kind != PT_KIND_FILE || pt_store_obj_name(c->st, obj, &name, &len, &kind))
		return 0;
	/* the same path on two nodes of a shared file system is one file */
	pt_strset_add(&c->t->files, name, len);
	if (u->dirs & PT_USE_READ)
		pt_strset_add(&c->t->files_read, name, len);
	if (u->dirs & PT_USE_WRITE)
		pt_strset_add(&c->t->files_written, name, len);
	return 0;
}

/* ---- GPU summary: gather.c reads the CUDA module's records from the event log */

static void gpu_print(const struct pt_gpu *g, int json)
{
	struct pt_gpu_totals t;

	pt_gpu_sum(g, &t);
	if (json) {
		printf(",\"gpu_processes\":%zu,\"gpu_devices\":%zu,\"gpu_kernels\":%zu,"
		       "\"gpu_kernel_launches\":%llu,\"gpu_graph_launches\":%llu,"
		       "\"gpu_kernel_timed\":%llu,\"gpu_kernel_ns\":%llu,"
		       "\"gpu_memcpy_count\":%llu,\"gpu_memcpy_bytes\":%llu,"
		       "\"gpu_memcpy_htod_bytes\":%llu,\"gpu_memcpy_dtoh_bytes\":%llu,"
		       "\"gpu_memcpy_dtod_bytes\":%llu,\"gpu_memcpy_ptop_bytes\":%llu,"
		       "\"gpu_memset_count\":%llu,\"gpu_memset_bytes\":%llu,"
		       "\"gpu_dropped\":%llu,\"gpu_uncaptured\":%llu",
		       g->procs.n, g->devices.n, g->kernels.n, (unsigned long long)t.launches,
		       (unsigned long long)t.graph_launches, (unsigned long long)t.timed,
		       (unsigned long long)t.kernel_ns, (unsigned long long)t.copies,
		       (unsigned long long)t.copy_bytes,
		       (unsigned long long)t.copy_kind[PT_COPY_HTOD],
		       (unsigned long long)t.copy_kind[PT_COPY_DTOH],
		       (unsigned long long)t.copy_kind[PT_COPY_DTOD],
		       (unsigned long long)t.copy_kind[PT_COPY_PTOP], (unsigned long long)t.sets,
		       (unsigned long long)t.set_bytes, (unsigned long long)t.dropped,
		       (unsigned long long)t.uncaptured);
		return;
	}
	printf("gpu        %zu process%s on %zu device%s: %llu kernel launches of %zu kernels, "
	       "%llu graph launches\n",
	       g->procs.n, g->procs.n == 1 ? "" : "es", g->devices.n, g->devices.n == 1 ? "" : "s",
	       (unsigned long long)t.launches, g->kernels.n, (unsigned long long)t.graph_launches);
	if (t.timed)
		printf("gpu time   %llu ns in %llu timed launches\n", (unsigned long long)t.kernel_ns,
		       (unsigned long long)t.timed);
	printf("copies     %llu: %llu bytes (%llu host to device, %llu device to host, %llu device "
	       "to device, %llu peer); %llu sets, %llu bytes\n",
	       (unsigned long long)t.copies, (unsigned long long)t.copy_bytes,
	       (unsigned long long)t.copy_kind[PT_COPY_HTOD],
	       (unsigned long long)t.copy_kind[PT_COPY_DTOH],
	       (unsigned long long)t.copy_kind[PT_COPY_DTOD],
	       (unsigned long long)t.copy_kind[PT_COPY_PTOP], (unsigned long long)t.sets,
	       (unsigned long long)t.set_bytes);
	if (t.dropped || t.uncaptured)
		printf("gpu lost   %llu launches or records; %llu process%s not fully captured "
		       "(CUPTI held by another tool, or without activity records)\n",
		       (unsigned long long)t.dropped, (unsigned long long)t.uncaptured,
		       t.uncaptured == 1 ? "" : "es");
}

/* ---- MPI: ranks and nodes, point-to-point traffic per peer, collectives per operation */

struct mpi_sum {
	struct pt_u64map ranks, jobs;
	struct pt_mpi_pairs pairs;             /* traffic per pair of ranks */
	struct pt_strset nodes;                /* nodes where a rank ran */
	struct pt_mpi_pair *p;                 /* the pairs, sorted for printing */
	size_t np;
	uint64_t op_msgs[PT_MPI_P2P_OPS], op_bytes[PT_MPI_P2P_OPS];
	uint64_t calls[PT_MPI_COLL_OPS], csent, crecvd, ncalls, dropped;
	uint64_t foreign, foreign_bytes;       /* messages with ranks of other jobs */
	pt_store *st;
	const char *node;
	char **jobname;                        /* by job hash, through jobs' values */
	size_t njobname;
	struct mpi_spawn *sp;                  /* spawns, by their roots */
	size_t nsp, capsp;
	struct pt_u64map kids;                 /* (job, rank, spawn) -> its children + 1 */
	struct mpi_kids *k;
	size_t nk, capk, spawned;              /* spawned: ranks that have a parent */
};

/* A spawn, as its root recorded it, and its children, as they did. */
struct mpi_spawn {
	uint64_t job;
	int32_t rank;
	struct pt_mpi_spawn s;
	char *cmd;
};

struct mpi_kids {
	uint64_t job;                          /* the spawning rank's */
	int32_t rank;
	uint32_t spawn;
	uint64_t kjob;                         /* theirs */
	size_t n;
};

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t k[2] = { a, b };
	return pt_hash_bytes(k, sizeof k);
}

static uint64_t kids_key(uint64_t job, int32_t rank, uint32_t spawn)
{
	uint64_t k[3] = { job, (uint64_t)(uint32_t)rank, spawn };
	return pt_hash_bytes(k, sizeof k);
}

/* A rank with a parent: counted under its spawn (job 0: it was not told which). */
static void mpi_kid(struct mpi_sum *s, uint32_t proc, const struct pt_mpi_rank *m)
{
	struct pt_mpi_parent p;
	int fresh;

	if (pt_store_mpi_parent(s->st, proc, &p))
		return;
	s->spawned++;
	if (!p.job)
		return;
	uint64_t *i = pt_u64map_get(&s->kids, kids_key(p.job, p.rank, p.spawn), 0, &fresh);
	if (fresh) {
		if (s->nk == s->capk &&
		    !(s->k = realloc(s->k, (s->capk = s->capk ? 2 * s->capk : 8) * sizeof *s->k)))
			abort();
		s->k[s->nk] = (struct mpi_kids){ p.job, p.rank, p.spawn, m->job, 0 };
		*i = ++s->nk;
	}
	s->k[*i - 1].n++;
}

static int mpi_rank_count(void *ctx, uint32_t proc, const struct pt_mpi_rank *m)
{
	struct mpi_sum *s = ctx;
	int fresh;

	pt_u64map_get(&s->ranks, mix(m->job, (uint64_t)(uint32_t)m->rank), 0, &fresh);
	pt_strset_add(&s->nodes, s->node, strlen(s->node));
	s->dropped += m->dropped;
	s->foreign += m->foreign;
	s->foreign_bytes += m->foreign_bytes;
	uint64_t *j = pt_u64map_get(&s->jobs, m->job, 0, &fresh);
	if (fresh) {
		char name[512];
		size_t n = sizeof name - 1;
		if (pt_store_mpi_job(s->st, m->job, name, &n))
			n = 0;
		name[n < sizeof name - 1 ? n : sizeof name - 1] = 0;
		if (!(s->jobname = realloc(s->jobname, (s->njobname + 1) * sizeof *s->jobname)) ||
		    !(s->jobname[s->njobname] = strdup(name)))
			abort();
		*j = ++s->njobname;
	}
	mpi_kid(s, proc, m);
	return 0;
}

static int mpi_spawn_count(void *ctx, uint32_t proc, const struct pt_mpi_spawn *sp,
			   const uint8_t *cmd, size_t len)
{
	struct mpi_sum *s = ctx;
	struct pt_mpi_rank m;

	if (pt_store_mpi_rank(s->st, proc, &m))
		return 0;
	if (s->nsp == s->capsp &&
	    !(s->sp = realloc(s->sp, (s->capsp = s->capsp ? 2 * s->capsp : 8) * sizeof *s->sp)))
		abort();
	s->sp[s->nsp] = (struct mpi_spawn){ m.job, m.rank, *sp, strndup((const char *)cmd, len) };
	if (!s->sp[s->nsp++].cmd)
		abort();
	return 0;
}

static int mpi_p2p_count(void *ctx, uint32_t proc, int32_t peer, uint32_t op,
			 const struct pt_mpi_traffic *t)
{
	struct mpi_sum *s = ctx;
	struct pt_mpi_rank m;

	if (pt_store_mpi_rank(s->st, proc, &m) || op >= PT_MPI_P2P_OPS)
		return 0;
	s->op_msgs[op] += t->msgs;
	s->op_bytes[op] += t->bytes;
	pt_mpi_pairs_add(&s->pairs, m.job, m.rank, peer, PT_MPI_P2P_SENDS(op), t->msgs, t->bytes);
	return 0;
}

static int mpi_coll_count(void *ctx, uint32_t proc, uint32_t comm, uint32_t op, int32_t root,
			  const struct pt_mpi_calls *c)
{
	struct mpi_sum *s = ctx;

	(void)proc;
	(void)comm;
	(void)root;
	if (op >= PT_MPI_COLL_OPS)
		return 0;
	s->calls[op] += c->calls;
	s->ncalls += c->calls;
	s->csent += c->sent;
	s->crecvd += c->recvd;
	return 0;
}

static const char *mpi_job(const struct mpi_sum *s, uint64_t job)
{
	int fresh;
	uint64_t *j = pt_u64map_get((struct pt_u64map *)&s->jobs, job, 0, &fresh);

	return !fresh && *j ? s->jobname[*j - 1] : "?";
}

static const struct mpi_sum *mpi_sorting;

/* For printing: by job name, then by the two ranks (rank and peer, or sender and receiver). */
static int mpi_order(uint64_t job1, int32_t a1, int32_t b1, uint64_t job2, int32_t a2, int32_t b2)
{
	int c = job1 == job2 ? 0 : strcmp(mpi_job(mpi_sorting, job1), mpi_job(mpi_sorting, job2));

	if (c)
		return c;
	if (a1 != a2)
		return a1 < a2 ? -1 : 1;
	return b1 < b2 ? -1 : b1 > b2;
}

static int mpi_pair_cmp(const void *a, const void *b)
{
	const struct pt_mpi_pair *x = a, *y = b;

	return mpi_order(x->job, x->rank, x->peer, y->job, y->rank, y->peer);
}

static void json_text(const char *p)
{
	putchar('"');
	for (; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

#define MPI_PEER_LINES 64   /* text output: more pairs are left to --json */

static int mpi_way_cmp(const void *a, const void *b)
{
	const struct pt_mpi_way *x = a, *y = b;

	return mpi_order(x->job, x->from, x->to, y->job, y->from, y->to);
}

static void mpi_check_print(const struct mpi_sum *s, int json)
{
	struct pt_mpi_way w[MPI_PEER_LINES];
	size_t bad = pt_mpi_mismatches(&s->pairs, w, MPI_PEER_LINES);
	size_t shown = bad < MPI_PEER_LINES ? bad : MPI_PEER_LINES;
	uint64_t self = 0;

	qsort(w, shown, sizeof *w, mpi_way_cmp);

	for (size_t i = 0; i < s->np; i++)
		if (s->p[i].rank == s->p[i].peer)
			self += s->p[i].smsgs;
	if (json) {
		printf(",\"mpi_consistent\":%s,\"mpi_self_messages\":%llu,\"mpi_mismatches\":[",
		       bad ? "false" : "true", (unsigned long long)self);
		for (size_t i = 0; i < shown; i++) {
			printf("%s{\"job\":", i ? "," : "");
			json_text(mpi_job(s, w[i].job));
			printf(",\"rank\":%d,\"peer\":%d,\"sent_messages\":%llu,\"sent_bytes\":%llu,"
			       "\"peer_received_messages\":%llu,\"peer_received_bytes\":%llu}",
			       (int)w[i].from, (int)w[i].to, (unsigned long long)w[i].smsgs,
			       (unsigned long long)w[i].sbytes, (unsigned long long)w[i].rmsgs,
			       (unsigned long long)w[i].rbytes);
		}
		printf("]");
		return;
	}
	if (!bad)
		printf("mpi check  every rank's sends to a peer match what the peer received\n");
	for (size_t i = 0; i < shown; i++)
		printf("MISMATCH   rank %d -> %d: %llu messages, %llu bytes sent; rank %d received "
		       "%llu messages, %llu bytes from %d (traffic credited to the wrong rank, or in "
		       "flight when a rank died)\n", (int)w[i].from, (int)w[i].to,
		       (unsigned long long)w[i].smsgs, (unsigned long long)w[i].sbytes, (int)w[i].to,
		       (unsigned long long)w[i].rmsgs, (unsigned long long)w[i].rbytes,
		       (int)w[i].from);
	if (bad > shown)
		printf("MISMATCH   ... %zu more (provtrace stat --json lists the first %d)\n",
		       bad - shown, MPI_PEER_LINES);
	if (self)
		printf("mpi check  %llu messages sent by ranks to themselves\n",
		       (unsigned long long)self);
}

static int mpi_spawn_cmp(const void *a, const void *b)
{
	const struct mpi_spawn *x = a, *y = b;
	int c = mpi_order(x->job, x->rank, 0, y->job, y->rank, 0);

	return c ? c : (x->s.spawn > y->s.spawn) - (x->s.spawn < y->s.spawn);
}

/* Each spawn with its children (the job they formed, how many were traced), and the
 * ranks with a parent that no spawn here accounts for (an untraced parent, or a child
 * that was not told). */
static void mpi_spawns_print(struct mpi_sum *s, int json)
{
	static const char *const call[] = { "MPI_Comm_spawn", "MPI_Comm_spawn_multiple" };
	size_t linked = 0;

	if (s->nsp)
		qsort(s->sp, s->nsp, sizeof *s->sp, mpi_spawn_cmp);
	if (json)
		printf(",\"mpi_spawns\":[");
	for (size_t i = 0; i < s->nsp; i++) {
		const struct mpi_spawn *x = &s->sp[i];
		const uint64_t *k = pt_u64map_find(&s->kids, kids_key(x->job, x->rank, x->s.spawn));
		const struct mpi_kids *c = k ? &s->k[*k - 1] : NULL;
		const char *how = call[x->s.how == 1];
		linked += c ? c->n : 0;
		if (json) {
			printf("%s{\"job\":", i ? "," : "");
			json_text(mpi_job(s, x->job));
			printf(",\"rank\":%d,\"spawn\":%u,\"call\":\"%s\",\"status\":%d,"
			       "\"processes\":%d,\"maxprocs\":%d,\"commands\":%u,\"command\":",
			       (int)x->rank, x->s.spawn, how, (int)x->s.status, (int)x->s.procs,
			       (int)x->s.maxprocs, x->s.ncmds);
			json_text(x->cmd);
			printf(",\"children_job\":");
			json_text(c ? mpi_job(s, c->kjob) : "");
			printf(",\"children_traced\":%zu}", c ? c->n : 0);
			continue;
		}
		printf("spawn      rank %d of job %s: %s", (int)x->rank, mpi_job(s, x->job), how);
		if (x->s.status)
			printf(" failed (error %d)", (int)x->s.status);
		printf(", %d of %d processes", (int)x->s.procs, (int)x->s.maxprocs);
		if (c)
			printf(" (job %s, %zu traced)", mpi_job(s, c->kjob), c->n);
		else if (x->s.procs)
			printf(" (none traced)");
		printf(": %s", x->cmd);
		if (x->s.ncmds > 1)
			printf(" and %u more command%s", x->s.ncmds - 1, x->s.ncmds > 2 ? "s" : "");
		printf("\n");
	}
	if (json) {
		printf("],\"mpi_spawned_ranks\":%zu,\"mpi_spawned_unlinked\":%zu", s->spawned,
		       s->spawned - linked);
		return;
	}
	if (s->spawned > linked)
		printf("spawned    %zu rank%s with a parent that no spawn in this record accounts "
		       "for (an untraced parent, or an MPI that did not pass the link on)\n",
		       s->spawned - linked, s->spawned - linked == 1 ? "" : "s");
}

static void mpi_print(struct mpi_sum *s, int json)
{
	uint64_t sm = 0, sb = 0, rm = 0, rb = 0;
	int first = 1;

	for (unsigned op = 1; op < PT_MPI_P2P_OPS; op++) {
		if (PT_MPI_P2P_SENDS(op)) {
			sm += s->op_msgs[op];
			sb += s->op_bytes[op];
		} else {
			rm += s->op_msgs[op];
			rb += s->op_bytes[op];
		}
	}
	mpi_sorting = s;
	s->np = s->pairs.n;
	if (s->np && !(s->p = malloc(s->np * sizeof *s->p)))
		abort();
	if (s->np) {
		memcpy(s->p, s->pairs.p, s->np * sizeof *s->p);
		qsort(s->p, s->np, sizeof *s->p, mpi_pair_cmp);
	}
	if (json) {
		printf(",\"mpi_jobs\":%zu,\"mpi_ranks\":%zu,\"mpi_nodes\":%zu,"
		       "\"mpi_messages_sent\":%llu,\"mpi_bytes_sent\":%llu,"
		       "\"mpi_messages_received\":%llu,\"mpi_bytes_received\":%llu,"
		       "\"mpi_collective_calls\":%llu,\"mpi_collective_bytes_sent\":%llu,"
		       "\"mpi_collective_bytes_received\":%llu,\"mpi_dropped\":%llu,\"mpi_p2p\":{",
		       s->jobs.n, s->ranks.n, s->nodes.n, (unsigned long long)sm,
		       (unsigned long long)sb, (unsigned long long)rm, (unsigned long long)rb,
		       (unsigned long long)s->ncalls, (unsigned long long)s->csent,
		       (unsigned long long)s->crecvd, (unsigned long long)s->dropped);
		for (unsigned op = 1; op < PT_MPI_P2P_OPS; op++) {
			if (!s->op_msgs[op])
				continue;
			printf("%s\"%s\":{\"messages\":%llu,\"bytes\":%llu}", first ? "" : ",",
			       pt_mpi_p2p_name(op), (unsigned long long)s->op_msgs[op],
			       (unsigned long long)s->op_bytes[op]);
			first = 0;
		}
		printf("},\"mpi_collectives\":{");
		first = 1;
		for (unsigned op = 1; op < PT_MPI_COLL_OPS; op++) {
			if (!s->calls[op])
				continue;
			printf("%s\"%s\":%llu", first ? "" : ",", pt_mpi_coll_name(op),
			       (unsigned long long)s->calls[op]);
			first = 0;
		}
		printf("},\"mpi_peers\":[");
		for (size_t i = 0; i < s->np; i++) {
			const struct pt_mpi_pair *x = &s->p[i];
			printf("%s{\"job\":", i ? "," : "");
			json_text(mpi_job(s, x->job));
			printf(",\"rank\":%d,\"peer\":%d,\"sent_messages\":%llu,\"sent_bytes\":%llu,"
			       "\"received_messages\":%llu,\"received_bytes\":%llu}",
			       (int)x->rank, (int)x->peer, (unsigned long long)x->smsgs,
			       (unsigned long long)x->sbytes, (unsigned long long)x->rmsgs,
			       (unsigned long long)x->rbytes);
		}
		printf("],\"mpi_foreign_messages\":%llu,\"mpi_foreign_bytes\":%llu",
		       (unsigned long long)s->foreign, (unsigned long long)s->foreign_bytes);
		mpi_check_print(s, 1);
		mpi_spawns_print(s, 1);
		return;
	}
	printf("mpi        %zu job%s, %zu rank%s on %zu node%s%s\n", s->jobs.n,
	       s->jobs.n == 1 ? "" : "s", s->ranks.n, s->ranks.n == 1 ? "" : "s", s->nodes.n,
	       s->nodes.n == 1 ? "" : "s", s->dropped ? " (some traffic not followed: see dump)" : "");
	printf("messages   %llu sent (%llu bytes), %llu received (%llu bytes), point to point\n",
	       (unsigned long long)sm, (unsigned long long)sb, (unsigned long long)rm,
	       (unsigned long long)rb);
	if (s->foreign)
		printf("messages   %llu (%llu bytes) sent to or received from ranks of other jobs "
		       "(over a spawn's intercommunicator): counted, not followed\n",
		       (unsigned long long)s->foreign, (unsigned long long)s->foreign_bytes);
	printf("collective %llu calls", (unsigned long long)s->ncalls);
	for (unsigned op = 1; op < PT_MPI_COLL_OPS; op++) {
		if (!s->calls[op])
			continue;
		printf("%s%llu %s", first ? " (" : ", ", (unsigned long long)s->calls[op],
		       pt_mpi_coll_name(op));
		first = 0;
	}
	printf("%s: %llu bytes sent, %llu received\n", first ? "" : ")",
	       (unsigned long long)s->csent, (unsigned long long)s->crecvd);
	for (size_t i = 0; i < s->np && i < MPI_PEER_LINES; i++) {
		const struct pt_mpi_pair *x = &s->p[i];
		if (!x->smsgs && !x->rmsgs)
			continue;
		printf("peer       %s%s%srank %d -> %d: %llu messages, %llu bytes; from %d: %llu "
		       "messages, %llu bytes\n", s->jobs.n > 1 ? "job " : "",
		       s->jobs.n > 1 ? mpi_job(s, x->job) : "", s->jobs.n > 1 ? " " : "",
		       (int)x->rank, (int)x->peer, (unsigned long long)x->smsgs,
		       (unsigned long long)x->sbytes, (int)x->peer, (unsigned long long)x->rmsgs,
		       (unsigned long long)x->rbytes);
	}
	if (s->np > MPI_PEER_LINES)
		printf("peer       ... %zu more pairs (provtrace stat --json lists them all)\n",
		       s->np - MPI_PEER_LINES);
	mpi_check_print(s, 0);
	mpi_spawns_print(s, 0);
}

static void mpi_free(struct mpi_sum *s)
{
	pt_u64map_free(&s->ranks);
	pt_u64map_free(&s->jobs);
	pt_mpi_pairs_free(&s->pairs);
	pt_strset_free(&s->nodes);
	for (size_t i = 0; i < s->njobname; i++)
		free(s->jobname[i]);
	free(s->jobname);
	free(s->p);
	for (size_t i = 0; i < s->nsp; i++)
		free(s->sp[i].cmd);
	free(s->sp);
	pt_u64map_free(&s->kids);
	free(s->k);
}

/* ---- coverage gaps, one by one: the process (pid and executable) that could not be seen
 * into, or the node when no image holds the gap (a process that recorded nothing), the
 * kind and the detail. */

/* Bytes from the program, in a text line: controls and backslashes escaped. */
static void text_bytes(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f || p[i] == '\\')
			printf("\\x%02x", p[i]);
		else
			putchar(p[i]);
	}
}

#define GAP_LINES 20   /* text output: more gaps of one kind are left to --json */

static void gaps_print(const struct pt_gap_list *g, const struct pt_runset *rs, int json)
{
	if (json) {
		printf(",\"gap_list\":[");
		for (size_t i = 0; i < g->n; i++) {
			const struct pt_gap_ent *e = &g->e[i];

			printf("%s{\"node\":", i ? "," : "");
			json_text(rs->name[e->node]);
			if (e->pid)
				printf(",\"pid\":%d,\"exe\":", (int)e->pid);
			else
				printf(",\"pid\":null,\"exe\":null");
			if (e->pid)
				pt_json_bytes(stdout, e->exe ? e->exe : (const uint8_t *)"", e->exe_len);
			printf(",\"kind\":\"%s\",\"kind_number\":%u,\"detail\":",
			       pt_gap_name(e->kind), e->kind);
			pt_json_bytes(stdout, e->detail, e->detail_len);
			printf("}");
		}
		printf("]");
		return;
	}
	for (size_t i = 0, shown = 0; i < g->n; i++) {
		const struct pt_gap_ent *e = &g->e[i];

		if (i == 0 || e->kind != g->e[i - 1].kind) {
			size_t same = 0;
			for (size_t j = i; j < g->n && g->e[j].kind == e->kind; j++)
				same++;
			printf("  %s (%zu): %s\n", pt_gap_name(e->kind), same, pt_gap_meaning(e->kind));
			shown = 0;
		}
		if (shown++ == GAP_LINES) {
			size_t more = 1;
			while (i + more < g->n && g->e[i + more].kind == e->kind)
				more++;
			printf("    ... and %zu more (provtrace stat --json lists every one)\n", more);
			i += more - 1;
			continue;
		}
		if (shown > GAP_LINES)
			continue;
		if (e->pid) {
			printf("    pid %d ", (int)e->pid);
			text_bytes(e->exe, e->exe_len);
			if (rs->n > 1)
				printf(" on %s", rs->name[e->node]);
		} else {
			printf("    node %s", rs->name[e->node]);
		}
		printf(": ");
		text_bytes(e->detail, e->detail_len);
		printf("\n");
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace stat [--json] RUNDIR\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, 0, 'j' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	static struct pt_runset rs;
	struct totals t = { 0 };
	struct pt_gpu g = { 0 };
	struct mpi_sum mpi = { 0 };
	struct pt_gap_list gaps = { 0 };
	struct pt_hash_counts hc = { { 0 } };
	int c, json = 0, r;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	/* hyperparameters and metrics: read from the job's files once, kept in the store */
	struct pt_extract_stats xs = { 0 };
	pt_rules *rules = NULL;
	const char *used;
	char err[512];
	if (pt_rules_default(PT_PKGDATADIR, &rules, &used, err, sizeof err))
		fprintf(stderr, "provtrace stat: %s\n", err);
	/* (not while the job runs: its files are still being written) */
	if (rules && !pt_live_running(argv[optind]))
		pt_extract_tool("provtrace stat", argv[optind], rules, &xs);
	pt_rules_free(rules);
	/* a store whose indexing is pending is indexed now; one this user cannot write is
	 * read as it is, and the output says what is missing */
	if ((r = pt_runset_open_as(argv[optind], PT_STORE_PENDING_OK, &rs))) {
		fprintf(stderr, "provtrace stat: %s: %s\n", argv[optind],
			r == ENOENT ? "no node store in this run directory" : pt_strerror(r));
		return 1;
	}
	if ((r = pt_runset_counters(&rs, &t.c))) {
		fprintf(stderr, "provtrace stat: %s: %s\n", argv[optind], pt_strerror(r));
		return 1;
	}
	for (size_t i = 0; i < rs.n; i++) {
		struct use_ctx uc = { &t, rs.st[i] };
		int32_t top[2];
		size_t n = sizeof top;

		g.node = (uint32_t)i;
		gaps.st = rs.st[i];
		gaps.node = i;
		if ((r = pt_store_each_proc(rs.st[i], count_proc, &t)) ||
		    (r = pt_store_each_gap(rs.st[i], pt_gap_rec, &gaps)) ||
		    (r = pt_store_each_use(rs.st[i], 0, count_use, &uc)) ||
		    (r = pt_store_each_log(rs.st[i], 0, pt_gpu_rec, &g)) ||
		    (r = pt_content_counts(rs.st[i], &hc))) {
			fprintf(stderr, "provtrace stat: %s: %s\n", rs.name[i], pt_strerror(r));
			return 1;
		}
		mpi.st = rs.st[i];
		mpi.node = rs.name[i];
		if ((r = pt_store_each_mpi_rank(rs.st[i], mpi_rank_count, &mpi)) ||
		    (r = pt_store_each_mpi_p2p(rs.st[i], 0, mpi_p2p_count, &mpi)) ||
		    (r = pt_store_each_mpi_coll(rs.st[i], 0, mpi_coll_count, &mpi)) ||
		    (r = pt_store_each_mpi_spawn(rs.st[i], 0, mpi_spawn_count, &mpi))) {
			fprintf(stderr, "provtrace stat: %s: %s\n", rs.name[i], pt_strerror(r));
			return 1;
		}
		if (pt_store_meta_get(rs.st[i], "top", top, &n) == 0 && n == sizeof top) {
			t.have_top = 1;
			t.top_status = top[1];
		}
		n = sizeof top[0];
		if (pt_store_meta_get(rs.st[i], "top_signal", top, &n) == 0 && n == sizeof top[0])
			t.top_signal = top[0];
	}
	pt_gap_sort(&gaps);
	uint64_t lost = t.c.dropped + t.c.torn + t.c.corrupt, pending = 0, indexed_now = 0;
	for (size_t i = 0; i < rs.n; i++) {
		uint64_t p, d;
		if (pt_store_index_info(rs.st[i], &p, &d) == 0)
			pending += p, indexed_now += d;
	}
	if (json) {
		printf("{\"processes\":%llu,\"files\":%zu,\"bytes_read\":%llu,\"bytes_written\":%llu,"
		       "\"events\":%llu,\"dropped\":%llu,\"gaps\":%llu,"
		       "\"files_read\":%zu,\"files_written\":%zu,\"ipc_bytes\":%llu,"
		       "\"dropped_in_process\":%llu,\"torn\":%llu,\"corrupt\":%llu,"
		       "\"exited\":%llu,\"killed\":%llu,\"execed\":%llu,\"running\":%llu,\"nodes\":%zu,"
		       "\"index_pending\":%llu,\"indexed_now\":%llu,\"signal_received\":%d,"
		       "\"complete\":%s,\"nodes_missing\":[",
		       (unsigned long long)t.procs, t.files.n, (unsigned long long)t.c.bytes_read,
		       (unsigned long long)t.c.bytes_written, (unsigned long long)t.c.events,
		       (unsigned long long)lost, (unsigned long long)t.c.gaps, t.files_read.n,
		       t.files_written.n, (unsigned long long)t.c.ipc_bytes,
		       (unsigned long long)t.c.dropped, (unsigned long long)t.c.torn,
		       (unsigned long long)t.c.corrupt, (unsigned long long)t.exited,
		       (unsigned long long)t.died, (unsigned long long)t.execed,
		       (unsigned long long)t.running, rs.n, (unsigned long long)pending,
		       (unsigned long long)indexed_now, (int)t.top_signal,
		       rs.nmissing ? "false" : "true");
		for (size_t i = 0; i < rs.nmissing; i++) {
			printf("%s", i ? "," : "");
			json_text(rs.missing[i]);
		}
		printf("],\"live_nodes\":%zu,\"live_pending\":%llu,\"nodes_not_visible\":[", rs.nlive,
		       (unsigned long long)rs.live_pending);
		for (size_t i = 0; i < rs.nunseen; i++) {
			printf("%s", i ? "," : "");
			json_text(rs.unseen[i]);
		}
		printf("]");
		pt_content_counts_print(&hc, 1);
		gaps_print(&gaps, &rs, 1);
		if (g.procs.n)
			gpu_print(&g, 1);
		if (mpi.ranks.n)
			mpi_print(&mpi, 1);
		pt_ml_print(&rs, 1, &xs);
		printf("}\n");
	} else {
		printf("run        %s (%zu node%s)\n", argv[optind], rs.n, rs.n == 1 ? "" : "s");
		if (rs.nmissing) {
			char names[1024];
			printf("INCOMPLETE no store for %zu node%s the job ran on (%s): what happened "
			       "there is not in this record\n", rs.nmissing, rs.nmissing == 1 ? "" : "s",
			       pt_runset_missing(&rs, names, sizeof names));
		}
		if (rs.nlive)
			printf("live       %zu node store%s read from the running collector%s: "
			       "counts up to now\n", rs.nlive, rs.nlive == 1 ? "" : "s",
			       rs.nlive == 1 ? "" : "s");
		if (rs.nunseen) {
			char names[1024];
			printf("NOT LIVE   %zu node%s not visible from this host (%s): not counted\n",
			       rs.nunseen, rs.nunseen == 1 ? "" : "s",
			       pt_runset_unseen(&rs, names, sizeof names));
		}
		printf("processes  %llu: %llu exited, %llu replaced by exec, %llu killed, %llu still "
		       "running at the end\n",
		       (unsigned long long)t.procs, (unsigned long long)t.exited,
		       (unsigned long long)t.execed, (unsigned long long)t.died,
		       (unsigned long long)t.running);
		if (t.have_top) {
			int st = t.top_status;
			if ((st & 0x7f) == 0)
				printf("job        exited with status %d", (st >> 8) & 0xff);
			else
				printf("job        killed by signal %d", st & 0x7f);
			if (t.top_signal)
				printf(" after provtrace run received signal %d (%s) and passed it on",
				       t.top_signal, strsignal(t.top_signal));
			printf("\n");
		}
		printf("files      %zu (%zu read, %zu written)\n", t.files.n, t.files_read.n,
		       t.files_written.n);
		printf("bytes      %llu read, %llu written through files; %llu through pipes and "
		       "sockets\n",
		       (unsigned long long)t.c.bytes_read, (unsigned long long)t.c.bytes_written,
		       (unsigned long long)t.c.ipc_bytes);
		printf("events     %llu stored, %llu lost (%llu dropped in processes, %llu torn, "
		       "%llu corrupt)\n",
		       (unsigned long long)t.c.events, (unsigned long long)lost,
		       (unsigned long long)t.c.dropped, (unsigned long long)t.c.torn,
		       (unsigned long long)t.c.corrupt);
		pt_content_counts_print(&hc, 0);
		printf("gaps       %llu%s\n", (unsigned long long)t.c.gaps,
		       t.c.gaps ? ": what the shim could not see, by kind and process" : "");
		gaps_print(&gaps, &rs, 0);
		if (g.procs.n)
			gpu_print(&g, 0);
		if (mpi.ranks.n)
			mpi_print(&mpi, 0);
		pt_ml_print(&rs, 0, &xs);
		if (pending && rs.nlive)
			printf("index      PENDING: %llu records logged by the running collector%s and "
			       "not indexed yet: the counts above lack them\n",
			       (unsigned long long)pending, rs.nlive == 1 ? "" : "s");
		else if (pending)
			printf("index      PENDING: %llu records not indexed (the store is not writable "
			       "here): the counts of processes, files and bytes above are incomplete\n",
			       (unsigned long long)pending);
		else if (indexed_now)
			printf("index      complete (%llu records indexed now: the collector leaves "
			       "indexing to the first query)\n", (unsigned long long)indexed_now);
		else
			printf("index      complete\n");
	}
	pt_gpu_free(&g);
	mpi_free(&mpi);
	pt_gap_free(&gaps);
	pt_strset_free(&t.files);
	pt_strset_free(&t.files_read);
	pt_strset_free(&t.files_written);
	pt_runset_close(&rs);
	return 0;
}
