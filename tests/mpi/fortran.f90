! fortran.f90 — a Fortran MPI program for tests/mpi/fortran.sh: Open MPI's Fortran
! bindings call the C library's PMPI_ functions, which the shim wraps too.
program fortran
  use mpi
  implicit none
  integer :: ierr, rank, buf(4), st(MPI_STATUS_SIZE)
  call MPI_Init(ierr)
  call MPI_Comm_rank(MPI_COMM_WORLD, rank, ierr)
  buf = rank
  if (rank == 0) call MPI_Send(buf, 4, MPI_INTEGER, 1, 5, MPI_COMM_WORLD, ierr)
  if (rank == 1) call MPI_Recv(buf, 4, MPI_INTEGER, MPI_ANY_SOURCE, 5, MPI_COMM_WORLD, st, ierr)
  call MPI_Allreduce(MPI_IN_PLACE, buf, 4, MPI_INTEGER, MPI_SUM, MPI_COMM_WORLD, ierr)
  call MPI_Finalize(ierr)
  if (rank == 0) print '(a)', 'ok'
end program fortran
