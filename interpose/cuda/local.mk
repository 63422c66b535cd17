# interpose/cuda/local.mk — libprovtrace-cuda.so, the CUPTI injection module, and its tests
# (included by Makefile.am; built only when configure found CUPTI).
EXTRA_DIST += tests/cuda/load.sh tests/cuda/store.sh \
	tests/gpu/check.sh tests/gpu/job.cu tests/gpu/torch_job.py tests/gpu/verify.py

if HAVE_CUPTI
# Built next to libprovtrace.so (interpose/.libs in a build tree, $(libdir) installed):
# provtrace-run finds it there.  Loaded into CUDA processes by the driver: like the shim,
# UBSan only, and never unloaded (its exit handler must stay mapped).
lib_LTLIBRARIES += interpose/libprovtrace-cuda.la
interpose_libprovtrace_cuda_la_SOURCES = interpose/cuda/ptcuda.h interpose/cuda/agg.c \
	interpose/cuda/activity.c interpose/cuda/inject.c interpose/provtrace.h \
	collector/protocol.h collector/wire.h
interpose_libprovtrace_cuda_la_CPPFLAGS = $(AM_CPPFLAGS) $(CUPTI_CPPFLAGS)
interpose_libprovtrace_cuda_la_CFLAGS = $(PT_CFLAGS) $(PT_SHIM_SAN_CFLAGS)
interpose_libprovtrace_cuda_la_LDFLAGS = -module -avoid-version -shared -Wl,-z,nodelete \
	$(CUPTI_LDFLAGS) $(PT_SHIM_SAN_CFLAGS)
interpose_libprovtrace_cuda_la_LIBADD = -lcupti -ldl -lpthread

# The record -> table -> event path, without CUPTI: unit tests and a producer for the
# store test.
check_PROGRAMS += tests/cuda/agg-test tests/cuda/feed tests/cuda/load-test
tests_cuda_agg_test_SOURCES = tests/cuda/agg-test.c tests/cuda/records.h tests/check.h \
	interpose/cuda/agg.c interpose/cuda/activity.c
tests_cuda_agg_test_CPPFLAGS = $(AM_CPPFLAGS) $(CUPTI_CPPFLAGS)
tests_cuda_agg_test_LDADD = collector/libptcore.la -lpthread
tests_cuda_feed_SOURCES = tests/cuda/feed.c tests/cuda/records.h \
	interpose/cuda/agg.c interpose/cuda/activity.c
tests_cuda_feed_CPPFLAGS = $(AM_CPPFLAGS) $(CUPTI_CPPFLAGS)
tests_cuda_feed_LDADD = -ldl -lpthread
tests_cuda_load_test_SOURCES = tests/cuda/load-test.c tests/check.h
tests_cuda_load_test_LDADD = -ldl -lpthread
# these two run with the shim preloaded: UBSan like the shim, never ASan
tests_cuda_feed_CFLAGS = $(PT_CFLAGS) $(PT_SHIM_SAN_CFLAGS)
tests_cuda_feed_LDFLAGS = $(PT_SHIM_SAN_CFLAGS)
tests_cuda_load_test_CFLAGS = $(PT_CFLAGS) $(PT_SHIM_SAN_CFLAGS)
tests_cuda_load_test_LDFLAGS = $(PT_SHIM_SAN_CFLAGS)

TESTS += tests/cuda/agg-test tests/cuda/load.sh tests/cuda/store.sh
endif
