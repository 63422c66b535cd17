# tests/mpi.mk — MPI (tests/mpi/) and Slurm (tests/slurm/): the shim's PMPI wrappers
# against Open MPI, multi-node runs simulated on one machine, and a real single-node Slurm.

if HAVE_MPI
# Open MPI's compiler wrapper knows its flags; asked when the rule runs, so that nothing
# else of the build depends on MPI (libmpi is shared: its place on the line is free)
PT_MPI_CFLAGS = `$(MPICC) --showme:compile`
PT_MPI_LDFLAGS = `$(MPICC) --showme:link`

check_PROGRAMS += tests/mpi/mpiprog tests/mpi/commfree tests/mpi/spawn
tests_mpi_mpiprog_SOURCES = tests/mpi/mpiprog.c
tests_mpi_mpiprog_CFLAGS = $(PT_PROG_COMPILE) $(PT_MPI_CFLAGS)
tests_mpi_mpiprog_LDFLAGS = $(PT_PROG_LINK) $(PT_MPI_LDFLAGS)
tests_mpi_commfree_SOURCES = tests/mpi/commfree.c
tests_mpi_commfree_CFLAGS = $(PT_PROG_COMPILE) $(PT_MPI_CFLAGS)
tests_mpi_commfree_LDFLAGS = $(PT_PROG_LINK) $(PT_MPI_LDFLAGS)
tests_mpi_spawn_SOURCES = tests/mpi/spawn.c
tests_mpi_spawn_CFLAGS = $(PT_PROG_COMPILE) $(PT_MPI_CFLAGS)
tests_mpi_spawn_LDFLAGS = $(PT_PROG_LINK) $(PT_MPI_LDFLAGS)

# another PMPI tool, preloaded beside the shim (a module: never installed)
check_LTLIBRARIES += tests/mpi/pmpitool.la
tests_mpi_pmpitool_la_SOURCES = tests/mpi/pmpitool.c tests/mpi/mpi4py_job.py
tests_mpi_pmpitool_la_CFLAGS = $(PT_PROG_COMPILE) $(PT_MPI_CFLAGS) -fvisibility=default
tests_mpi_pmpitool_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere $(PT_PROG_LINK) \
	$(PT_MPI_LDFLAGS)
endif

PT_MPI_TESTS = tests/mpi/c.sh tests/mpi/py.sh tests/mpi/pmpi.sh tests/mpi/twonode.sh \
	tests/mpi/launch.sh tests/mpi/fortran.sh tests/mpi/commfree.sh tests/mpi/commfree-py.sh \
	tests/mpi/spawn.sh
# a real single-node Slurm (scripts/slurm-local.sh, started by CI's start_services)
PT_SLURM_TESTS = tests/slurm/srun.sh tests/slurm/taskprolog.sh
# simulated hosts (UTS + mount namespaces, loopback only): tests/hosts/hlib.sh
PT_HOST_TESTS = tests/hosts/clean.sh tests/hosts/collector-kill.sh tests/hosts/rank-kill.sh \
	tests/hosts/node-lost.sh tests/hosts/slurm.sh tests/hosts/spawn.sh
TESTS += $(PT_MPI_TESTS) $(PT_SLURM_TESTS) $(PT_HOST_TESTS)
EXTRA_DIST += $(PT_HOST_TESTS) tests/hosts/hlib.sh tests/hosts/nsrsh tests/hosts/phases.py
EXTRA_DIST += $(PT_MPI_TESTS) tests/mpi/mlib.sh tests/mpi/mpiprog.c tests/mpi/commfree.c \
	tests/mpi/commfree_job.py tests/mpi/spawn.c tests/mpi/spawn_job.py \
	tests/mpi/pmpitool.c \
	tests/mpi/mpi4py_job.py tests/mpi/fortran.f90 $(PT_SLURM_TESTS) tests/slurm/slib.sh scripts/slurm-local.sh

# ---- the site-wide Slurm mode (provtrace-slurm(8)): installed where the scripts find the
# rest of provtrace (PREFIX/libexec/provtrace/slurm -> PREFIX/lib, PREFIX/sbin)
slurmscriptdir = $(pkglibexecdir)/slurm
dist_slurmscript_SCRIPTS = scripts/slurm/task-prolog scripts/slurm/task-epilog scripts/slurm/epilog
dist_man_MANS += man/provtrace-slurm.8

# ---- the PMPI overhead benchmark (bench/mpi/run.sh; see bench/mpi/pingpong.c)
EXTRA_DIST += bench/mpi/pingpong.c bench/mpi/run.sh
