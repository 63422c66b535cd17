/* pingpong.c — the cost of one MPI call, for the shim's PMPI wrappers: a 0-byte
 * ping-pong between ranks 0 and 1 (shared memory on one node), and a rank sending to
 * itself (no other process in the loop, so less noise), each timed several times.
 *
 *	mpirun -np 2 pingpong [ITERATIONS [REPEATS]]
 *	pingpong [ITERATIONS [REPEATS]]          (one process: the self measures only)
 *
 * Prints one line per measure, the best of the repeats of nanoseconds per MPI call:
 * "pingpong" (a round trip is two calls on each rank), "self" (MPI_Send then MPI_Recv
 * to and from the rank itself) and "selfnb" (MPI_Irecv, MPI_Send, MPI_Wait).
 * bench/mpi/run.sh runs it bare and traced and reports the differences.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static double best(double a, double b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 200000;
	int reps = argc > 2 ? atoi(argv[2]) : 5, rank, size;
	double pp = 1e30, self = 1e30, selfnb = 1e30;
	char b = 0;
	MPI_Request rq;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	for (int r = 0; r < reps; r++) {
		double t;

		/* rank 0 <-> rank 1; other ranks wait */
		MPI_Barrier(MPI_COMM_WORLD);
		t = MPI_Wtime();
		for (long i = 0; i < iters && rank < 2 && size > 1; i++) {
			if (rank == 0) {
				MPI_Send(&b, 0, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
				MPI_Recv(&b, 0, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
			} else {
				MPI_Recv(&b, 0, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
				MPI_Send(&b, 0, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
			}
		}
		pp = best(pp, (MPI_Wtime() - t) * 1e9 / (double)iters / 2);

		/* every rank to itself: an eager send, then its receive (two calls) */
		MPI_Barrier(MPI_COMM_WORLD);
		t = MPI_Wtime();
		for (long i = 0; i < iters; i++) {
			MPI_Send(&b, 0, MPI_BYTE, rank, 1, MPI_COMM_WORLD);
			MPI_Recv(&b, 0, MPI_BYTE, rank, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
		}
		self = best(self, (MPI_Wtime() - t) * 1e9 / (double)iters / 2);

		/* a nonblocking receive, a send, the wait (three calls) */
		MPI_Barrier(MPI_COMM_WORLD);
		t = MPI_Wtime();
		for (long i = 0; i < iters; i++) {
			MPI_Irecv(&b, 0, MPI_BYTE, rank, 2, MPI_COMM_WORLD, &rq);
			MPI_Send(&b, 0, MPI_BYTE, rank, 2, MPI_COMM_WORLD);
			MPI_Wait(&rq, MPI_STATUS_IGNORE);
		}
		selfnb = best(selfnb, (MPI_Wtime() - t) * 1e9 / (double)iters / 3);
	}
	if (rank == 0) {
		if (size > 1)
			printf("pingpong %.1f\n", pp);
		printf("self %.1f\nselfnb %.1f\n", self, selfnb);
	}
	MPI_Finalize();
	return 0;
}
