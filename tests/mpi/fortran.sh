#!/bin/sh
# fortran.sh — a Fortran MPI program (built here with mpif90): its calls reach the shim
# through the C library's PMPI_ functions, counted once each.
. "$top_srcdir/tests/mpi/mlib.sh"

command -v mpif90 >/dev/null 2>&1 || skip "mpif90 not found (apt-get install gfortran)"
mpif90 -o "$T/fortran" "$top_srcdir/tests/mpi/fortran.f90" 2>"$T/build.err" ||
	skip "mpif90 cannot build a program: $(tail -3 "$T/build.err")"
ptrun f $MPIRUN -np 2 "$T/fortran"
assert_eq 0 "$rc" "mpirun's status (stderr: $(tail -5 "$T/f.err"))"
assert_eq ok "$(cat "$T/f.out")" "the program's output"
assert_eq "0 1 1 16 0 0
1 0 0 0 1 16" "$(mpi_peers)" "messages and bytes per pair"
assert_eq '{"allreduce": 2}' "$(mpi_stat mpi_collectives)" "collective calls"
