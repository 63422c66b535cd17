/* pmpitool.c — another PMPI tool, preloaded beside provtrace by tests/mpi/pmpi.sh: it
 * wraps a few MPI calls the way tools do (its MPI_Name calls PMPI_Name), counts calls and
 * bytes, and at MPI_Finalize writes them to $PMPITOOL_OUT.RANK, so that the test can see
 * its results are the same with provtrace in the chain, before it or after it. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long sends, sbytes, recvs, rbytes, bcasts, allreduces, barriers, waits;

static unsigned long size_of(int count, MPI_Datatype dt)
{
	int s = 0;

	PMPI_Type_size(dt, &s);
	return (unsigned long)count * (unsigned long)s;
}

int MPI_Send(const void *buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm)
{
	sends++;
	sbytes += size_of(count, dt);
	return PMPI_Send(buf, count, dt, dest, tag, comm);
}

int MPI_Recv(void *buf, int count, MPI_Datatype dt, int src, int tag, MPI_Comm comm,
	     MPI_Status *st)
{
	MPI_Status local;
	int r, n = 0;

	if (st == MPI_STATUS_IGNORE)
		st = &local;
	r = PMPI_Recv(buf, count, dt, src, tag, comm, st);
	PMPI_Get_count(st, dt, &n);
	recvs++;
	rbytes += size_of(n, dt);
	return r;
}

int MPI_Isend(const void *buf, int count, MPI_Datatype dt, int dest, int tag, MPI_Comm comm,
	      MPI_Request *req)
{
	sends++;
	sbytes += size_of(count, dt);
	return PMPI_Isend(buf, count, dt, dest, tag, comm, req);
}

int MPI_Wait(MPI_Request *req, MPI_Status *st)
{
	waits++;
	return PMPI_Wait(req, st);
}

int MPI_Bcast(void *buf, int count, MPI_Datatype dt, int root, MPI_Comm comm)
{
	bcasts++;
	return PMPI_Bcast(buf, count, dt, root, comm);
}

int MPI_Allreduce(const void *sbuf, void *rbuf, int count, MPI_Datatype dt, MPI_Op op,
		  MPI_Comm comm)
{
	allreduces++;
	return PMPI_Allreduce(sbuf, rbuf, count, dt, op, comm);
}

int MPI_Barrier(MPI_Comm comm)
{
	barriers++;
	return PMPI_Barrier(comm);
}

int MPI_Finalize(void)
{
	const char *out = getenv("PMPITOOL_OUT");
	char path[4096];
	int rank = -1;
	FILE *f;

	PMPI_Comm_rank(MPI_COMM_WORLD, &rank);
	snprintf(path, sizeof path, "%s.%d", out ? out : "pmpitool", rank);
	if ((f = fopen(path, "w"))) {
		fprintf(f, "rank %d sends %lu %lu recvs %lu %lu waits %lu bcasts %lu allreduces %lu "
			"barriers %lu\n", rank, sends, sbytes, recvs, rbytes, waits, bcasts,
			allreduces, barriers);
		fclose(f);
	}
	return PMPI_Finalize();
}
