/* commfree.c — communicators freed where the shim's MPI_Comm_free wrapper does not see
 * them (inside another MPI_Comm_free, from an attribute delete callback, as mpi4py frees
 * its internal copies), then new communicators whose ranks run in reverse, which Open
 * MPI may place at a freed one's handle: the traffic on them must be credited to the
 * world ranks that really sent and received it.  For tests/mpi/commfree.sh.
 *
 * Each rank r of N:
 *   on A, a duplicate of MPI_COMM_WORLD: one 8-byte message to r+1 (mod N);
 *   on B, another duplicate: a barrier only; B is freed by A's delete callback;
 *   then ROUNDS times: two splits of the world in reverse order (rank N-1-r), on each
 *   one 4-byte message to the next rank of the split (world rank r-1 mod N), both freed;
 *   and an intercommunicator between the even and odd ranks (N even), duplicated, a
 *   4-byte message to the same-index rank of the other side, both freed.
 * Prints "ok" on rank 0.  With the argument "unmatched", rank 0 only sends rank 1 one
 * 4-byte message that rank 1 never receives.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 6

static MPI_Comm B;

static int free_b(MPI_Comm comm, int keyval, void *attr, void *extra)
{
	(void)comm, (void)keyval, (void)attr, (void)extra;
	return MPI_Comm_free(&B);   /* nested in MPI_Comm_free(&A) */
}

static void need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "commfree: %s failed\n", what);
		MPI_Abort(MPI_COMM_WORLD, 2);
	}
}

/* one message of n bytes to `to`, one from `from`, on comm */
static void ring(MPI_Comm comm, int to, int from, int n)
{
	char out[8] = "abcdefg", in[8];

	need(MPI_Sendrecv(out, n, MPI_CHAR, to, 7, in, n, MPI_CHAR, from, 7, comm,
			  MPI_STATUS_IGNORE) == MPI_SUCCESS, "sendrecv");
}

int main(int argc, char **argv)
{
	int rank, size, key;
	MPI_Comm A, C, inter, dup;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (argc > 1 && !strcmp(argv[1], "unmatched")) {
		/* a small (eager) message nobody receives: sent, never received */
		if (rank == 0 && size > 1)
			need(MPI_Send("abcd", 4, MPI_CHAR, 1, 99, MPI_COMM_WORLD) == MPI_SUCCESS, "send");
		MPI_Barrier(MPI_COMM_WORLD);
		MPI_Finalize();
		if (rank == 0)
			puts("ok");
		return 0;
	}

	need(MPI_Comm_dup(MPI_COMM_WORLD, &A) == MPI_SUCCESS, "dup A");
	need(MPI_Comm_dup(MPI_COMM_WORLD, &B) == MPI_SUCCESS, "dup B");
	need(MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, free_b, &key, NULL) == MPI_SUCCESS,
	     "keyval");
	need(MPI_Comm_set_attr(A, key, NULL) == MPI_SUCCESS, "set_attr");
	ring(A, (rank + 1) % size, (rank + size - 1) % size, 8);
	need(MPI_Barrier(B) == MPI_SUCCESS, "barrier B");
	need(MPI_Comm_free(&A) == MPI_SUCCESS, "free A");
	need(B == MPI_COMM_NULL, "B freed by A's callback");
	MPI_Comm_free_keyval(&key);

	for (int i = 0; i < ROUNDS; i++) {
		/* two at once: the allocator hands back A's memory, then B's */
		MPI_Comm C2;
		int crank, csize;
		need(MPI_Comm_split(MPI_COMM_WORLD, 0, size - 1 - rank, &C) == MPI_SUCCESS, "split");
		need(MPI_Comm_split(MPI_COMM_WORLD, 0, size - 1 - rank, &C2) == MPI_SUCCESS, "split 2");
		MPI_Comm_rank(C, &crank);
		MPI_Comm_size(C, &csize);
		need(crank == size - 1 - rank, "reversed rank");
		ring(C, (crank + 1) % csize, (crank + csize - 1) % csize, 4);
		ring(C2, (crank + 1) % csize, (crank + csize - 1) % csize, 4);
		need(MPI_Comm_free(i % 2 ? &C : &C2) == MPI_SUCCESS, "free C");
		need(MPI_Comm_free(i % 2 ? &C2 : &C) == MPI_SUCCESS, "free C2");
		if (size % 2)
			continue;
		MPI_Comm half;
		int hrank;
		need(MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half) == MPI_SUCCESS, "halves");
		MPI_Comm_rank(half, &hrank);
		/* the other half's leader, in the world: rank 1 for the evens, 0 for the odds */
		need(MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, rank % 2 ? 0 : 1, 9, &inter) ==
		     MPI_SUCCESS, "intercomm");
		need(MPI_Comm_dup(inter, &dup) == MPI_SUCCESS, "dup inter");
		ring(dup, hrank, hrank, 4);   /* the same index on the other side */
		need(MPI_Comm_free(&dup) == MPI_SUCCESS && MPI_Comm_free(&inter) == MPI_SUCCESS &&
		     MPI_Comm_free(&half) == MPI_SUCCESS, "free inter");
	}
	MPI_Finalize();
	if (rank == 0)
		puts("ok");
	return 0;
}
