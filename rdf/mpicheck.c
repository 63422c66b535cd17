/* mpicheck.c — point-to-point traffic per pair of ranks, and its check (mpicheck.h). */
#include "config.h"

#include <stdlib.h>

#include "mpicheck.h"

static uint64_t pair_key(uint64_t job, int32_t rank, int32_t peer)
{
	uint64_t k[3] = { job, (uint64_t)(uint32_t)rank, (uint64_t)(uint32_t)peer };

	return pt_hash_bytes(k, sizeof k);
}

void pt_mpi_pairs_add(struct pt_mpi_pairs *ps, uint64_t job, int32_t rank, int32_t peer,
		      int sent, uint64_t msgs, uint64_t bytes)
{
	int fresh;
	uint64_t *slot = pt_u64map_get(&ps->index, pair_key(job, rank, peer), 0, &fresh);
	struct pt_mpi_pair *x;

	if (fresh) {
		if (ps->n == ps->cap) {
			ps->cap = ps->cap ? 2 * ps->cap : 64;
			if (!(ps->p = realloc(ps->p, ps->cap * sizeof *ps->p)))
				abort();
		}
		ps->p[ps->n] = (struct pt_mpi_pair){ job, rank, peer, 0, 0, 0, 0 };
		*slot = ++ps->n;
	}
	x = &ps->p[*slot - 1];
	if (sent) {
		x->smsgs += msgs;
		x->sbytes += bytes;
	} else {
		x->rmsgs += msgs;
		x->rbytes += bytes;
	}
}

const struct pt_mpi_pair *pt_mpi_pairs_find(const struct pt_mpi_pairs *ps, uint64_t job,
					    int32_t rank, int32_t peer)
{
	const uint64_t *slot = pt_u64map_find(&ps->index, pair_key(job, rank, peer));

	return slot ? &ps->p[*slot - 1] : NULL;
}

struct add_ctx {
	struct pt_mpi_pairs *ps;
	pt_store *st;
};

static int add_p2p(void *ctx, uint32_t proc, int32_t peer, uint32_t op,
		   const struct pt_mpi_traffic *t)
{
	struct add_ctx *a = ctx;
	struct pt_mpi_rank m;

	if (op < PT_MPI_P2P_OPS && pt_store_mpi_rank(a->st, proc, &m) == 0)
		pt_mpi_pairs_add(a->ps, m.job, m.rank, peer, PT_MPI_P2P_SENDS(op), t->msgs, t->bytes);
	return 0;
}

int pt_mpi_pairs_add_store(struct pt_mpi_pairs *ps, pt_store *st)
{
	struct add_ctx a = { ps, st };

	return pt_store_each_mpi_p2p(st, 0, add_p2p, &a);
}

void pt_mpi_pairs_free(struct pt_mpi_pairs *ps)
{
	pt_u64map_free(&ps->index);
	free(ps->p);
	ps->p = NULL;
	ps->n = ps->cap = 0;
}

size_t pt_mpi_mismatches(const struct pt_mpi_pairs *ps, struct pt_mpi_way *w, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < ps->n; i++) {
		const struct pt_mpi_pair *x = &ps->p[i];
		const struct pt_mpi_pair *y = pt_mpi_pairs_find(ps, x->job, x->peer, x->rank);
		/* x's sends against y's receives; x's receives from a peer with no record of
		 * its own (otherwise they are looked at from the peer's pair) */
		struct pt_mpi_way a = { x->job, x->rank, x->peer, x->smsgs, x->sbytes,
					y ? y->rmsgs : 0, y ? y->rbytes : 0 };
		struct pt_mpi_way b = { x->job, x->peer, x->rank, 0, 0, x->rmsgs, x->rbytes };
		if (a.smsgs != a.rmsgs || a.sbytes != a.rbytes) {
			if (n < max)
				w[n] = a;
			n++;
		}
		if (!y && (b.rmsgs || b.rbytes)) {
			if (n < max)
				w[n] = b;
			n++;
		}
	}
	return n;
}
