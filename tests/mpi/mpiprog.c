/* mpiprog.c — a 4-rank MPI program whose traffic tests/mpi/c.sh knows exactly: point to
 * point of every kind, collectives, a communicator split, and MPI-IO, with input files
 * read and output files written so that lineage across MPI can be checked.
 *
 *	mpirun -np 4 mpiprog DIR
 *
 * Phases are separated by barriers, so that what a rank wrote before a phase cannot
 * have come from data that moved in it.  Prints "ok" from rank 0 at the end.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[4096];

static void die(const char *what)
{
	fprintf(stderr, "mpiprog: %s\n", what);
	MPI_Abort(MPI_COMM_WORLD, 2);
}

/* Read all of DIR/name into buf; returns the size. */
static size_t slurp(const char *name, char *buf, size_t max)
{
	char path[4200];
	size_t n;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "rb")))
		die(path);
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

static void spill(const char *name, const char *buf, size_t n)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "wb")) || fwrite(buf, 1, n, f) != n || fclose(f))
		die(path);
}

int main(int argc, char **argv)
{
	static char a[4096], c[1024], e[256], buf[8192];
	int rank, size, ring_out[4], ring_in[4], one = 1, sum = 0;
	MPI_Status st;
	MPI_Request rq[2];
	MPI_Comm half;

	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (size != 4 || argc != 2)
		die("usage: mpirun -np 4 mpiprog DIR");
	snprintf(dir, sizeof dir, "%s", argv[1]);
	MPI_Barrier(MPI_COMM_WORLD);

	/* ---- point to point: 0 -> 1 (a.in becomes b.out), 2 -> 3 (c.in becomes d.out) */
	if (rank == 0) {
		slurp("a.in", a, sizeof a);
		MPI_Send(a, 4096, MPI_BYTE, 1, 7, MPI_COMM_WORLD);
	} else if (rank == 1) {
		/* the source comes from the status */
		MPI_Recv(buf, 4096, MPI_BYTE, MPI_ANY_SOURCE, 7, MPI_COMM_WORLD, &st);
		if (st.MPI_SOURCE != 0)
			die("wrong source");
		spill("b.out", buf, 4096);
	} else if (rank == 2) {
		slurp("c.in", c, sizeof c);
		MPI_Isend(c, 256, MPI_INT, 3, 8, MPI_COMM_WORLD, &rq[0]);
		MPI_Wait(&rq[0], MPI_STATUS_IGNORE);
	} else {
		MPI_Irecv(buf, 256, MPI_INT, MPI_ANY_SOURCE, 8, MPI_COMM_WORLD, &rq[0]);
		MPI_Wait(&rq[0], MPI_STATUS_IGNORE);
		spill("d.out", buf, 1024);
	}
	MPI_Barrier(MPI_COMM_WORLD);

	/* ---- more kinds: Sendrecv 0 <-> 3, Ssend 1 -> 2, persistent 3 -> 0 twice,
	 * a matched probe 1 -> 0 */
	if (rank == 0 || rank == 3) {
		int peer = 3 - rank;
		MPI_Sendrecv(a, 8, MPI_INT, peer, 9, buf, 8, MPI_INT, peer, 9, MPI_COMM_WORLD, &st);
	}
	if (rank == 1)
		MPI_Ssend(buf, 100, MPI_CHAR, 2, 10, MPI_COMM_WORLD);
	if (rank == 2)
		MPI_Recv(buf, 100, MPI_CHAR, 1, 10, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	if (rank == 3) {
		MPI_Send_init(buf, 4, MPI_INT, 0, 11, MPI_COMM_WORLD, &rq[0]);
		for (int i = 0; i < 2; i++) {
			MPI_Start(&rq[0]);
			MPI_Wait(&rq[0], MPI_STATUS_IGNORE);
		}
		MPI_Request_free(&rq[0]);
	}
	if (rank == 0) {
		MPI_Message msg;
		MPI_Recv_init(buf, 4, MPI_INT, 3, 11, MPI_COMM_WORLD, &rq[0]);
		for (int i = 0; i < 2; i++) {
			MPI_Start(&rq[0]);
			MPI_Waitall(1, rq, MPI_STATUSES_IGNORE);
		}
		MPI_Request_free(&rq[0]);
		MPI_Mprobe(MPI_ANY_SOURCE, 12, MPI_COMM_WORLD, &msg, &st);
		MPI_Mrecv(buf, 12, MPI_INT, &msg, MPI_STATUS_IGNORE);
	}
	if (rank == 1)
		MPI_Send(buf, 48, MPI_BYTE, 0, 12, MPI_COMM_WORLD);
	/* two receives from any source, completed by Waitany, then Testsome: 1 -> 2, 8 bytes
	 * each */
	if (rank == 1) {
		MPI_Send(buf, 2, MPI_INT, 2, 15, MPI_COMM_WORLD);
		MPI_Send(buf, 2, MPI_INT, 2, 15, MPI_COMM_WORLD);
	}
	if (rank == 2) {
		int idx, outn = 0, idxs[2], left = 1, tries = 0;
		MPI_Status sts[2];
		static int two[2][2];
		MPI_Irecv(two[0], 2, MPI_INT, MPI_ANY_SOURCE, 15, MPI_COMM_WORLD, &rq[0]);
		MPI_Irecv(two[1], 2, MPI_INT, MPI_ANY_SOURCE, 15, MPI_COMM_WORLD, &rq[1]);
		MPI_Waitany(2, rq, &idx, &st);
		while (left) {
			MPI_Testsome(2, rq, &outn, idxs, sts);
			if (outn == MPI_UNDEFINED || (left -= outn) < 0 || ++tries > 100000000)
				die("Testsome");
		}
	}
	MPI_Barrier(MPI_COMM_WORLD);

	/* ---- a ring of Sendrecv, 16 bytes to the next rank */
	for (int i = 0; i < 4; i++)
		ring_out[i] = rank;
	MPI_Sendrecv(ring_out, 4, MPI_INT, (rank + 1) % 4, 13, ring_in, 4, MPI_INT, (rank + 3) % 4,
		     13, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
	/* a child of a rank: none of the rank's traffic is its own */
	if (rank == 2) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		if (pid < 0 || waitpid(pid, NULL, 0) != pid)
			die("fork");
	}
	MPI_Barrier(MPI_COMM_WORLD);

	/* ---- collectives: e.in reaches rank 2 by a broadcast from 0 */
	if (rank == 0)
		slurp("e.in", e, sizeof e);
	MPI_Bcast(e, 256, MPI_BYTE, 0, MPI_COMM_WORLD);
	if (rank == 2)
		spill("f.out", e, 256);
	MPI_Reduce(&one, &sum, 1, MPI_INT, MPI_SUM, 1, MPI_COMM_WORLD);
	MPI_Allreduce(MPI_IN_PLACE, &one, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	MPI_Gather(ring_out, 2, MPI_INT, buf, 2, MPI_INT, 2, MPI_COMM_WORLD);
	MPI_Scatter(buf, 1, MPI_INT, ring_in, 1, MPI_INT, 3, MPI_COMM_WORLD);
	MPI_Allgather(ring_out, 1, MPI_INT, buf, 1, MPI_INT, MPI_COMM_WORLD);
	MPI_Alltoall(buf, 1, MPI_INT, buf + 64, 1, MPI_INT, MPI_COMM_WORLD);
	{
		int counts[4] = { 1, 2, 3, 4 }, displs[4] = { 0, 1, 3, 6 };
		MPI_Gatherv(ring_out, counts[rank], MPI_INT, buf, counts, displs, MPI_INT, 0,
			    MPI_COMM_WORLD);
		MPI_Allgatherv(ring_out, counts[rank], MPI_INT, buf, counts, displs, MPI_INT,
			       MPI_COMM_WORLD);
		MPI_Reduce_scatter(buf, buf + 256, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	}
	MPI_Reduce_scatter_block(buf, buf + 256, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	MPI_Scan(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	MPI_Exscan(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
	MPI_Ibcast(buf, 8, MPI_BYTE, 1, MPI_COMM_WORLD, &rq[0]);
	MPI_Iallreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &rq[1]);
	MPI_Waitall(2, rq, MPI_STATUSES_IGNORE);
	MPI_Barrier(MPI_COMM_WORLD);

	/* ---- a split: {0, 2} and {1, 3}; comm rank 1 sends 64 bytes to comm rank 0 of the
	 * even half (world 2 -> 0), comm rank 0 to comm rank 1 of the odd half (1 -> 3) */
	MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
	if (rank == 2)
		MPI_Send(buf, 64, MPI_BYTE, 0, 14, half);
	if (rank == 0)
		MPI_Recv(buf, 64, MPI_BYTE, 1, 14, half, MPI_STATUS_IGNORE);
	if (rank == 1)
		MPI_Send(buf, 64, MPI_BYTE, 1, 14, half);
	if (rank == 3)
		MPI_Recv(buf, 64, MPI_BYTE, MPI_ANY_SOURCE, 14, half, MPI_STATUS_IGNORE);
	MPI_Bcast(buf, 8, MPI_BYTE, 0, half);
	MPI_Comm_free(&half);
	MPI_Barrier(MPI_COMM_WORLD);

	/* ---- MPI-IO: each rank writes 1000 bytes at its place, then reads them back */
	{
		char path[4200];
		MPI_File fh;
		memset(buf, 'a' + rank, 1000);
		snprintf(path, sizeof path, "%s/io.dat", dir);
		if (MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_CREATE | MPI_MODE_WRONLY,
				  MPI_INFO_NULL, &fh) != MPI_SUCCESS)
			die("MPI_File_open for writing");
		MPI_File_write_at_all(fh, (MPI_Offset)rank * 1000, buf, 1000, MPI_BYTE,
				      MPI_STATUS_IGNORE);
		MPI_File_close(&fh);
		if (MPI_File_open(MPI_COMM_WORLD, path, MPI_MODE_RDONLY, MPI_INFO_NULL, &fh) !=
		    MPI_SUCCESS)
			die("MPI_File_open for reading");
		MPI_File_read_at(fh, (MPI_Offset)rank * 1000, buf, 500, MPI_BYTE, &st);
		MPI_File_read_at(fh, (MPI_Offset)rank * 1000 + 500, buf, 500, MPI_BYTE, &st);
		MPI_File_close(&fh);
		if (buf[0] != 'a' + rank)
			die("MPI-IO read back");
	}
	MPI_Barrier(MPI_COMM_WORLD);

	/* ---- g.in is read by rank 3 after its last message: nothing of it reached anyone */
	if (rank == 3) {
		slurp("g.in", buf, sizeof buf);
		spill("h.out", buf, 16);
	}
	MPI_Finalize();
	if (rank == 0)
		puts("ok");
	return 0;
}
