# tests/reliability.mk — the fault catalogue of RELIABILITY.md: faults injected with
# PROVTRACE_FAULT, collectors and programs killed at random points, hostile input.
RELIABILITY_TESTS = \
	tests/reliability/fault-commit.sh \
	tests/reliability/collector-restart.sh tests/reliability/collector-deaths.sh \
	tests/reliability/fault-announce.sh \
	tests/reliability/fault-region.sh \
	tests/reliability/kill9-program.sh \
	tests/reliability/load.sh \
	tests/reliability/security.sh \
	tests/reliability/corrupt-region.sh \
	tests/reliability/pid-reuse.sh \
	tests/reliability/missing-node.sh \
	tests/reliability/signal-run.sh \
	tests/reliability/hostile-announce.py \
	tests/reliability/fuzz.sh \
	tests/reliability/preload-combo.sh \
	tests/reliability/absent-collector.sh \
	tests/reliability/mapfull.sh \
	tests/reliability/exec-gaps.sh \
	tests/reliability/disabled.sh \
	tests/reliability/crash.sh \
	tests/reliability/deferred-index.sh \
	tests/reliability/fuzz-extract.sh
TESTS += $(RELIABILITY_TESTS)
EXTRA_DIST += $(RELIABILITY_TESTS) tests/reliability/rlib.sh
# programs run traced are built as tests/local.mk's PT_PROG_* say: never ASan, whose
# runtime would have to come first in LD_PRELOAD
check_PROGRAMS += tests/reliability/loadgen tests/reliability/mkregion
tests_reliability_loadgen_SOURCES = tests/reliability/loadgen.c
tests_reliability_loadgen_CFLAGS = $(PT_PROG_COMPILE) -pthread
tests_reliability_loadgen_LDFLAGS = $(PT_PROG_LINK) -pthread
tests_reliability_mkregion_SOURCES = tests/reliability/mkregion.c
check_PROGRAMS += tests/reliability/crash
tests_reliability_crash_SOURCES = tests/reliability/crash.c
tests_reliability_crash_CFLAGS = $(PT_PROG_COMPILE) -pthread
tests_reliability_crash_LDFLAGS = $(PT_PROG_LINK) -pthread
check_PROGRAMS += tests/reliability/staticprog tests/reliability/forkexec
tests_reliability_staticprog_SOURCES = tests/reliability/staticprog.c
tests_reliability_staticprog_CFLAGS = $(PT_CFLAGS)
tests_reliability_staticprog_LDFLAGS = -all-static
tests_reliability_forkexec_SOURCES = tests/reliability/forkexec.c
tests_reliability_forkexec_CFLAGS = $(PT_PROG_COMPILE)
tests_reliability_forkexec_LDFLAGS = $(PT_PROG_LINK)
check_PROGRAMS += tests/reliability/copyfile
tests_reliability_copyfile_SOURCES = tests/reliability/copyfile.c
tests_reliability_copyfile_CFLAGS = $(PT_PROG_COMPILE)
tests_reliability_copyfile_LDFLAGS = $(PT_PROG_LINK)
# a second preloaded tracer (a module: never installed)
check_LTLIBRARIES = tests/reliability/othertool.la
tests_reliability_othertool_la_SOURCES = tests/reliability/othertool.c
tests_reliability_othertool_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere $(PT_PROG_LINK)
tests_reliability_othertool_la_LIBADD = -ldl
# a tool exports the functions it wraps
tests_reliability_othertool_la_CFLAGS = $(PT_PROG_COMPILE) -fvisibility=default

# libFuzzer needs clang; built by `make check` when configure found it
FUZZ_SRC = tests/reliability/fuzz-record.c collector/wire.c collector/event.c \
	collector/consume.c collector/store.c collector/wmap.c collector/progress.c
FUZZ_SRC += collector/store-write.c collector/store-index.c collector/store-mpi.c collector/store-read.c
EXTRA_DIST += $(FUZZ_SRC) tests/reliability/corpus
if HAVE_CLANG
check_SCRIPTS = tests/reliability/fuzz-record
CLEANFILES += tests/reliability/fuzz-record
tests/reliability/fuzz-record: $(FUZZ_SRC:%=$(srcdir)/%)
	$(AM_V_CCLD)mkdir -p tests/reliability && $(CLANG) -g -O1 \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -I$(top_srcdir) -I$(top_builddir) $(LMDB_CFLAGS) -o $@ \
	    $(FUZZ_SRC:%=$(srcdir)/%) $(LMDB_LIBS)
endif

# the readers of a job's configurations, logs and command lines (rdf/parse.c)
FUZZ_EXTRACT_SRC = tests/reliability/fuzz-extract.c rdf/parse.c rdf/facts.c rdf/iri.c
EXTRA_DIST += tests/reliability/fuzz-extract.c
if HAVE_CLANG
check_SCRIPTS += tests/reliability/fuzz-extract
CLEANFILES += tests/reliability/fuzz-extract
tests/reliability/fuzz-extract: $(FUZZ_EXTRACT_SRC:%=$(srcdir)/%)
	$(AM_V_CCLD)mkdir -p tests/reliability && $(CLANG) -g -O1 \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -I$(top_srcdir) -I$(top_builddir) $(LMDB_CFLAGS) $(YAML_CFLAGS) \
	    $(JSONC_CFLAGS) -o $@ $(FUZZ_EXTRACT_SRC:%=$(srcdir)/%) $(YAML_LIBS) $(JSONC_LIBS)
endif
