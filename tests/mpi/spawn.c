/* spawn.c — an MPI job of two ranks that spawns two more jobs, for tests/mpi/spawn.sh.
 *
 *	mpirun -np 2 spawn DIR [HOST]
 *
 * Rank 0 reads DIR/a.in, then is the root of an MPI_Comm_spawn of 2 processes ("child
 * DIR", MPI_INFO_NULL, or an info placing them on HOST) on MPI_COMM_WORLD, sends each
 * child one int (42) over the
 * intercommunicator, and reads DIR/late.in.  Rank 1 reads DIR/b.in, then is the root of
 * an MPI_Comm_spawn_multiple on MPI_COMM_WORLD of "multi x" (1 process, with an info
 * whose "env" sets SPAWN_TAG=tagged and an LD_PRELOAD of the program's own) and "multi y"
 * (2 processes, MPI_INFO_NULL).  Each child writes DIR/c.RANK ("RANK 42") or DIR/mARG.RANK
 * ("RANK ARG TAG", TAG "-" when unset), RANK its rank in its own MPI_COMM_WORLD.
 *
 * The roots check that the info objects they passed are unchanged and that none is left
 * behind (a new info takes the handle index the last one freed); rank 0 prints "ok".
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[4096];

static void die(const char *what)
{
	fprintf(stderr, "spawn: %s\n", what);
	MPI_Abort(MPI_COMM_WORLD, 2);
}

static void slurp(const char *name)
{
	char path[4200], buf[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "rb")))
		die(path);
	while (fread(buf, 1, sizeof buf, f) > 0)
		;
	fclose(f);
}

static void spill(const char *name, const char *text)
{
	char path[4200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f))
		die(path);
}

/* The handle index the next info object gets. */
static int next_info(void)
{
	MPI_Info i;
	int f;

	MPI_Info_create(&i);
	f = MPI_Info_c2f(i);
	MPI_Info_free(&i);
	return f;
}

static void child(MPI_Comm parent, int rank, int argc, char **argv)
{
	char name[64], text[256];
	const char *tag = getenv("SPAWN_TAG");
	int v = 0;

	if (!strcmp(argv[1], "child")) {
		MPI_Recv(&v, 1, MPI_INT, 0, 0, parent, MPI_STATUS_IGNORE);
		snprintf(name, sizeof name, "c.%d", rank);
		snprintf(text, sizeof text, "%d %d\n", rank, v);
	} else {
		snprintf(name, sizeof name, "m%s.%d", argc > 3 ? argv[3] : "?", rank);
		snprintf(text, sizeof text, "%d %s %s\n", rank, argc > 3 ? argv[3] : "?", tag ? tag : "-");
	}
	spill(name, text);
	MPI_Comm_disconnect(&parent);
}

int main(int argc, char **argv)
{
	MPI_Comm parent, inter;
	MPI_Info where = MPI_INFO_NULL;
	int rank, size, before;

	MPI_Init(&argc, &argv);
	MPI_Comm_get_parent(&parent);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (parent == MPI_COMM_NULL && argc != 2 && argc != 3)
		die("usage: mpirun -np 2 spawn DIR [HOST]");
	snprintf(dir, sizeof dir, "%s", argv[argc > 2 && parent != MPI_COMM_NULL ? 2 : 1]);
	if (parent != MPI_COMM_NULL) {
		child(parent, rank, argc, argv);
		MPI_Finalize();
		return 0;
	}
	if (size != 2)
		die("two ranks, please");

	/* a spawn by rank 0 */
	if (argc > 2) {
		MPI_Info_create(&where);
		MPI_Info_set(where, "host", argv[2]);
	}
	before = next_info();
	if (rank == 0)
		slurp("a.in");
	MPI_Comm_spawn(argv[0], (char *[]){ "child", dir, NULL }, 2, where, 0, MPI_COMM_WORLD,
		       &inter, MPI_ERRCODES_IGNORE);
	if (rank == 0) {
		int v = 42;
		MPI_Send(&v, 1, MPI_INT, 0, 0, inter);
		MPI_Send(&v, 1, MPI_INT, 1, 0, inter);
	}
	MPI_Comm_disconnect(&inter);
	if (next_info() != before)
		die("an info object was left behind (MPI_Comm_spawn)");
	if (where != MPI_INFO_NULL)
		MPI_Info_free(&where);
	if (rank == 0)
		slurp("late.in");

	/* by rank 1, two commands, one with an "env" of the program's own */
	char env[] = "SPAWN_TAG=tagged\nLD_PRELOAD=libm.so.6", got[256];
	char *cmds[2] = { argv[0], argv[0] };
	char **argvs[2] = { (char *[]){ "multi", dir, "x", NULL }, (char *[]){ "multi", dir, "y", NULL } };
	int procs[2] = { 1, 2 }, flag = 0, nkeys = 0;
	MPI_Info infos[2] = { MPI_INFO_NULL, MPI_INFO_NULL };

	MPI_Info_create(&infos[0]);
	MPI_Info_set(infos[0], "env", env);
	before = next_info();
	if (rank == 1)
		slurp("b.in");
	MPI_Comm_spawn_multiple(2, cmds, argvs, procs, infos, 1, MPI_COMM_WORLD, &inter,
				MPI_ERRCODES_IGNORE);
	MPI_Comm_disconnect(&inter);
	if (next_info() != before)
		die("an info object was left behind (MPI_Comm_spawn_multiple)");
	MPI_Info_get_nkeys(infos[0], &nkeys);
	MPI_Info_get(infos[0], "env", sizeof got - 1, got, &flag);
	if (nkeys != 1 || !flag || strcmp(got, env))
		die("the program's info was changed");
	MPI_Info_free(&infos[0]);

	MPI_Barrier(MPI_COMM_WORLD);
	if (rank == 0)
		printf("ok\n");
	MPI_Finalize();
	return 0;
}
