# bench/local.mk — `make bench` and `make bench-quick` (included by Makefile.am): the
# benchmark programs are built on demand by these targets only, never by `make all`.
PTB_PROGS = bench/ptb-io bench/ptb-spawn bench/ptb-store
EXTRA_PROGRAMS = $(PTB_PROGS)
CLEANFILES += $(PTB_PROGS)

bench_ptb_io_SOURCES = bench/ptb-io.c
bench_ptb_io_LDADD = -lpthread -ldl
bench_ptb_spawn_SOURCES = bench/ptb-spawn.c
bench_ptb_store_SOURCES = bench/ptb-store.c
bench_ptb_store_CFLAGS = $(AM_CFLAGS) $(LMDB_CFLAGS)
bench_ptb_store_LDADD = rdf/libptrun.la

EXTRA_DIST += bench/README.md bench/ptbench.py bench/dft.py bench/rdflib_lineage.py

# BENCH_FLAGS passes options to the driver, e.g. BENCH_FLAGS='--only percall,openclose'
# or DARSHAN_LIB=/path/libdarshan.so in the environment to add Darshan to each measure.
PTB_DRIVER = $(PYTHON3) $(abs_top_srcdir)/bench/ptbench.py \
	--build $(abs_top_builddir) --src $(abs_top_srcdir) --out $(abs_top_builddir)/bench/out

.PHONY: bench bench-quick bench-build
bench-build:
	@$(MAKE) $(AM_MAKEFLAGS) all $(PTB_PROGS)

bench: bench-build
	$(PTB_DRIVER) $(BENCH_FLAGS)

bench-quick: bench-build
	$(PTB_DRIVER) --quick $(BENCH_FLAGS)

EXTRA_DIST += bench/timed.sh
