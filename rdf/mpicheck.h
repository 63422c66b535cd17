/* mpicheck.h — a run's point-to-point MPI traffic per ordered pair of ranks (what each rank
 * counted it sent to a peer and received from it), and the check that what a rank sent a
 * peer is what the peer counted it received: shared by provtrace stat and the export. */
#ifndef PT_MPICHECK_H
#define PT_MPICHECK_H

#include <stddef.h>
#include <stdint.h>

#include "collector/store.h"
#include "sets.h"

struct pt_mpi_pair {
	uint64_t job;
	int32_t rank, peer;
	uint64_t smsgs, sbytes, rmsgs, rbytes;   /* as `rank` counted them */
};

struct pt_mpi_pairs {
	struct pt_u64map index;        /* (job, rank, peer) -> 1 + position in p */
	struct pt_mpi_pair *p;         /* in the order first seen */
	size_t n, cap;
};

/* Add a store's traffic: every MPI_P2P record of its ranks. */
int pt_mpi_pairs_add_store(struct pt_mpi_pairs *ps, pt_store *st);
/* Add msgs and bytes that `rank` counted as sent to (or received from) `peer`. */
void pt_mpi_pairs_add(struct pt_mpi_pairs *ps, uint64_t job, int32_t rank, int32_t peer,
		      int sent, uint64_t msgs, uint64_t bytes);
const struct pt_mpi_pair *pt_mpi_pairs_find(const struct pt_mpi_pairs *ps, uint64_t job,
					    int32_t rank, int32_t peer);
void pt_mpi_pairs_free(struct pt_mpi_pairs *ps);

/* One way, from `from` to `to`: the messages and bytes the sender counted and those the
 * receiver counted (a side with no record counts nothing). */
struct pt_mpi_way {
	uint64_t job;
	int32_t from, to;
	uint64_t smsgs, sbytes, rmsgs, rbytes;
};

/* The ways whose two sides disagree (traffic credited to the wrong rank, or in flight
 * when a rank died): returns how many, the first max of them in w, in the pairs' order. */
size_t pt_mpi_mismatches(const struct pt_mpi_pairs *ps, struct pt_mpi_way *w, size_t max);

#endif /* PT_MPICHECK_H */
