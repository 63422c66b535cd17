# rdf/describe.mk — data and model descriptions from file headers (rdf/describe.h):
# the convenience library, provtrace-describe, its manual page, tests and fuzzers
# (included by Makefile.am).  Each format's library is linked when configure found it;
# without it that format says "unsupported: built without ...".

PT_DESCRIBE_CFLAGS = $(HDF5_CFLAGS) $(NETCDF_CFLAGS) $(LIBZIP_CFLAGS) $(JSONC_CFLAGS)
PT_DESCRIBE_LIBS = $(NETCDF_LIBS) $(HDF5_LIBS) $(LIBZIP_LIBS) $(JSONC_LIBS)
PT_DESCRIBE_SRC = rdf/describe/describe.c rdf/describe/isolate.c rdf/describe/npy.c \
	rdf/describe/zip.c rdf/describe/safetensors.c rdf/describe/onnx.c rdf/describe/csv.c \
	rdf/describe/hdf5.c rdf/describe/netcdf.c

noinst_LTLIBRARIES += rdf/libptdescribe.la
rdf_libptdescribe_la_SOURCES = rdf/describe.h rdf/describe/int.h $(PT_DESCRIBE_SRC)
rdf_libptdescribe_la_CFLAGS = $(AM_CFLAGS) $(PT_DESCRIBE_CFLAGS)
rdf_libptdescribe_la_LIBADD = $(PT_DESCRIBE_LIBS)

bin_PROGRAMS += provtrace-describe
provtrace_describe_SOURCES = rdf/describe-main.c
provtrace_describe_LDADD = rdf/libptdescribe.la
dist_man_MANS += man/provtrace-describe.1

# ---- tests: fixtures written by tests/describe/mkfixtures.py at test time
PT_DESCRIBE_TESTS = tests/describe/describe.sh tests/describe/hostile.sh
check_PROGRAMS += tests/describe/api-test
tests_describe_api_test_SOURCES = tests/describe/api-test.c tests/check.h
tests_describe_api_test_LDADD = rdf/libptdescribe.la
TESTS += tests/describe/api-test $(PT_DESCRIBE_TESTS)
EXTRA_DIST += $(PT_DESCRIBE_TESTS) tests/describe/mkfixtures.py tests/describe/crosscheck.py \
	tests/describe/golden.tsv tests/describe/mkhostile.py \
	tests/describe/corpus/alloc8g.h5 tests/describe/corpus/allochuge.h5 \
	tests/describe/corpus/alloc.nc tests/describe/corpus/longname.nc

# ---- the fuzzer: one libFuzzer program, run once per format by tests/describe/fuzz.sh
# (the libraries' own code is not instrumented; ours is, with ASan and UBSan)
TESTS += tests/describe/fuzz.sh
EXTRA_DIST += tests/describe/fuzz.sh tests/describe/fuzz-describe.c
if HAVE_LIBFUZZER
check_DATA = tests/describe/fuzz-describe
CLEANFILES += tests/describe/fuzz-describe
tests/describe/fuzz-describe: $(srcdir)/tests/describe/fuzz-describe.c \
		$(PT_DESCRIBE_SRC:%=$(srcdir)/%) $(srcdir)/rdf/describe.h \
		$(srcdir)/rdf/describe/int.h config.h
	$(AM_V_CCLD)mkdir -p tests/describe && $(CLANG) -g -O1 \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    -I$(top_srcdir) -I$(top_builddir) $(PT_DESCRIBE_CFLAGS) -o $@ \
	    $(srcdir)/tests/describe/fuzz-describe.c $(PT_DESCRIBE_SRC:%=$(srcdir)/%) \
	    $(PT_DESCRIBE_LIBS)
endif

# ---- extraction (rdf/extract.c) describes the files of `extract GLOB describe` rules:
# every tool linked with rdf/libptrun.la gets the readers and their libraries.  HDF5 and
# NetCDF run in a forked child (rdf/describe.h), so the tools stay single-threaded there.
rdf_libptrun_la_CFLAGS += -DHAVE_PT_DESCRIBE
rdf_libptrun_la_LIBADD += rdf/libptdescribe.la
# the descriptions of a traced job's data and model files, and the query of their shapes
TESTS += tests/ml/describe.sh
EXTRA_DIST += tests/ml/describe.sh tests/ml/rq/data-shapes.rq
