# tests/local.mk — make check: every test is a process under a watchdog (tests/timeout.sh)
# that exits 0 (pass), 77 (skip, with the reason on stderr) or anything else (fail).
TEST_EXTENSIONS = .sh .py
LOG_COMPILER = $(top_srcdir)/tests/timeout.sh
SH_LOG_COMPILER = $(top_srcdir)/tests/timeout.sh $(SHELL)
PY_LOG_COMPILER = $(top_srcdir)/tests/timeout.sh $(PYTHON3)
AM_TESTS_ENVIRONMENT = top_builddir='$(abs_top_builddir)'; top_srcdir='$(abs_top_srcdir)'; \
	PYTHON3='$(PYTHON3)'; LSAN_OPTIONS='suppressions=$(abs_top_srcdir)/tests/lsan.supp'; \
	export top_builddir top_srcdir PYTHON3 LSAN_OPTIONS;
EXTRA_DIST += tests/timeout.sh tests/lib.sh tests/check.h tests/evq.py tests/lsan.supp

# ---- unit tests: the encoder and decoder, the region consumer, the store, its write-back map
check_PROGRAMS += tests/unit/wire-test tests/unit/consume-test tests/unit/store-test \
	tests/unit/wmap-test
tests_unit_wire_test_SOURCES = tests/unit/wire-test.c tests/check.h
tests_unit_wire_test_CFLAGS = $(AM_CFLAGS) $(MSGPACK_CFLAGS)
tests_unit_wire_test_LDADD = collector/libptcore.la $(MSGPACK_LIBS)
tests_unit_consume_test_SOURCES = tests/unit/consume-test.c tests/check.h
tests_unit_consume_test_LDADD = collector/libptcore.la
tests_unit_store_test_SOURCES = tests/unit/store-test.c tests/check.h
tests_unit_store_test_CFLAGS = $(AM_CFLAGS) $(LMDB_CFLAGS)
tests_unit_store_test_LDADD = collector/libptcore.la $(LMDB_LIBS)
tests_unit_wmap_test_SOURCES = tests/unit/wmap-test.c tests/check.h
tests_unit_wmap_test_LDADD = collector/libptcore.la $(LMDB_LIBS)
TESTS += tests/unit/wire-test tests/unit/consume-test tests/unit/store-test tests/unit/wmap-test

# ---- programs the shim tests run traced (tests/prog/): UBSan like the shim, never ASan,
# whose runtime would have to come first in LD_PRELOAD
PT_PROG_COMPILE = $(PT_CFLAGS) $(PT_SHIM_SAN_CFLAGS)
PT_PROG_LINK = $(PT_SHIM_SAN_CFLAGS)
check_PROGRAMS += tests/prog/open tests/prog/open-fortify tests/prog/open-fortify64 \
	tests/prog/stdio tests/prog/rw \
	tests/prog/mmap tests/prog/dup tests/prog/ns tests/prog/ipc tests/prog/spawn \
	tests/prog/exit tests/prog/killn tests/prog/errno tests/prog/forkstress \
	tests/prog/sigio tests/prog/fdclobber tests/prog/threads tests/prog/stdio2 \
	tests/prog/families tests/prog/rawsys tests/prog/uring tests/prog/stdio3 \
	tests/prog/stdio3-fortify
tests_prog_open_SOURCES = tests/prog/open.c tests/prog/prog.h
tests_prog_open_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_open_LDFLAGS = $(PT_PROG_LINK)
# the same program, fortified: it calls __open_2, __openat_2 and __read_chk
tests_prog_open_fortify_SOURCES = tests/prog/open.c tests/prog/prog.h
tests_prog_open_fortify_CFLAGS = $(PT_PROG_COMPILE) -O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2
tests_prog_open_fortify_LDFLAGS = $(PT_PROG_LINK)
# and with 64-bit offsets: __open64_2, __openat64_2, open64, openat64
tests_prog_open_fortify64_SOURCES = tests/prog/open.c tests/prog/prog.h
tests_prog_open_fortify64_CFLAGS = $(tests_prog_open_fortify_CFLAGS) -D_FILE_OFFSET_BITS=64
tests_prog_open_fortify64_LDFLAGS = $(PT_PROG_LINK)
tests_prog_stdio_SOURCES = tests/prog/stdio.c tests/prog/prog.h
tests_prog_stdio_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_stdio_LDFLAGS = $(PT_PROG_LINK)
tests_prog_rw_SOURCES = tests/prog/rw.c tests/prog/prog.h
tests_prog_rw_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_rw_LDFLAGS = $(PT_PROG_LINK)
tests_prog_mmap_SOURCES = tests/prog/mmap.c tests/prog/prog.h
tests_prog_mmap_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_mmap_LDFLAGS = $(PT_PROG_LINK)
tests_prog_dup_SOURCES = tests/prog/dup.c tests/prog/prog.h
tests_prog_dup_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_dup_LDFLAGS = $(PT_PROG_LINK)
tests_prog_ns_SOURCES = tests/prog/ns.c tests/prog/prog.h
tests_prog_ns_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_ns_LDFLAGS = $(PT_PROG_LINK)
tests_prog_ipc_SOURCES = tests/prog/ipc.c tests/prog/prog.h
tests_prog_ipc_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_ipc_LDFLAGS = $(PT_PROG_LINK)
tests_prog_spawn_SOURCES = tests/prog/spawn.c tests/prog/prog.h
tests_prog_spawn_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_spawn_LDFLAGS = $(PT_PROG_LINK)
tests_prog_exit_SOURCES = tests/prog/exit.c tests/prog/prog.h
tests_prog_exit_CFLAGS = $(PT_PROG_COMPILE) -pthread
tests_prog_exit_LDFLAGS = $(PT_PROG_LINK) -pthread
tests_prog_killn_SOURCES = tests/prog/killn.c tests/prog/prog.h
tests_prog_killn_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_killn_LDFLAGS = $(PT_PROG_LINK)
tests_prog_errno_SOURCES = tests/prog/errno.c tests/prog/prog.h
tests_prog_errno_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_errno_LDFLAGS = $(PT_PROG_LINK)
tests_prog_forkstress_SOURCES = tests/prog/forkstress.c tests/prog/prog.h
tests_prog_forkstress_CFLAGS = $(PT_PROG_COMPILE) -pthread
tests_prog_forkstress_LDFLAGS = $(PT_PROG_LINK) -pthread
tests_prog_sigio_SOURCES = tests/prog/sigio.c tests/prog/prog.h
tests_prog_sigio_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_sigio_LDFLAGS = $(PT_PROG_LINK)
tests_prog_stdio2_SOURCES = tests/prog/stdio2.c tests/prog/prog.h
tests_prog_stdio2_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_stdio2_LDFLAGS = $(PT_PROG_LINK)
tests_prog_stdio3_SOURCES = tests/prog/stdio3.c tests/prog/prog.h
tests_prog_stdio3_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_stdio3_LDFLAGS = $(PT_PROG_LINK)
# the same program, fortified: __fread_unlocked_chk, __fgets_unlocked_chk, __dprintf_chk, ...
tests_prog_stdio3_fortify_SOURCES = tests/prog/stdio3.c tests/prog/prog.h
tests_prog_stdio3_fortify_CFLAGS = $(PT_PROG_COMPILE) -O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2
tests_prog_stdio3_fortify_LDFLAGS = $(PT_PROG_LINK)
tests_prog_families_SOURCES = tests/prog/families.c tests/prog/prog.h
tests_prog_families_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_families_LDFLAGS = $(PT_PROG_LINK)
tests_prog_threads_SOURCES = tests/prog/threads.c tests/prog/prog.h
tests_prog_threads_CFLAGS = $(PT_PROG_COMPILE) -pthread
tests_prog_threads_LDFLAGS = $(PT_PROG_LINK) -pthread
tests_prog_fdclobber_SOURCES = tests/prog/fdclobber.c tests/prog/prog.h
tests_prog_fdclobber_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_fdclobber_LDFLAGS = $(PT_PROG_LINK)
tests_prog_rawsys_SOURCES = tests/prog/rawsys.c tests/prog/prog.h
tests_prog_rawsys_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_rawsys_LDFLAGS = $(PT_PROG_LINK)
# io_uring through inline and generic system calls always; through liburing when found
tests_prog_uring_SOURCES = tests/prog/uring.c tests/prog/prog.h
tests_prog_uring_CFLAGS = $(PT_PROG_COMPILE)
tests_prog_uring_LDFLAGS = $(PT_PROG_LINK)
if HAVE_URING
tests_prog_uring_CFLAGS += -DHAVE_LIBURING $(URING_CFLAGS)
tests_prog_uring_LDADD = $(URING_LIBS)
endif

# ---- the shim under provtrace run, one test per wrapper family and failure mode
PT_SHIM_TESTS = tests/shim/open.sh tests/shim/stdio.sh tests/shim/rw.sh tests/shim/mmap.sh \
	tests/shim/dup.sh tests/shim/ns.sh tests/shim/ipc.sh tests/shim/spawn.sh \
	tests/shim/exit.sh tests/shim/killn.sh tests/shim/errno.sh tests/shim/forkstress.sh \
	tests/shim/sigio.sh tests/shim/fdclobber.sh tests/shim/exclude.sh \
	tests/shim/threads.sh tests/shim/stdio2.sh tests/shim/uring.sh tests/shim/rawsys.sh \
	tests/shim/stdio3.sh
# ---- a real numpy job, and multiprocessing's three start methods
PT_ML_TESTS = tests/ml/pool.sh tests/ml/mp-start.sh
TESTS += $(PT_SHIM_TESTS) $(PT_ML_TESTS)
EXTRA_DIST += $(PT_SHIM_TESTS) $(PT_ML_TESTS) tests/ml/mp_start.py
# ---- the shim's files call only down (docs/ARCHITECTURE.md): read from its objects
TESTS += tests/shim/layers.sh
EXTRA_DIST += tests/shim/layers.sh
# ---- hyperparameters and metrics read from an ML job's files after the job
TESTS += tests/ml/hyper.sh
EXTRA_DIST += tests/ml/hyper.sh tests/ml/rq/models-of-shard.rq tests/ml/rq/best-model.rq \
	tests/ml/rq/batch-size.rq examples/train_ml.py
# ---- ground truth: strace and provtrace on the same runs of real programs
PT_COVER_TESTS = tests/cover/groundtruth.sh
TESTS += $(PT_COVER_TESTS)
EXTRA_DIST += $(PT_COVER_TESTS) tests/cover/gtcheck.py
# ---- content identity (hashes), diff, pack and rerun
PT_CONTENT_TESTS = tests/content/hash.sh tests/content/diff.sh tests/content/pack.sh \
	tests/content/versions.sh tests/content/hash-restart.sh tests/content/hash-cache.sh \
	tests/content/redirect.sh
TESTS += $(PT_CONTENT_TESTS)
EXTRA_DIST += $(PT_CONTENT_TESTS)
