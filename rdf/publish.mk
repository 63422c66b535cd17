# rdf/publish.mk — provtrace-publish (a run into an RDF store over HTTP) and the remote side
# of provtrace-query (--endpoint), on libcurl; the local Virtuoso for their tests
# (included by Makefile.am after rdf/export.mk).

PT_PUBLISH_TESTS = tests/rdf/publish.sh tests/rdf/publish-sqlite.sh tests/rdf/publish-pg.sh
EXTRA_DIST += $(PT_PUBLISH_TESTS) scripts/virtuoso-local.sh scripts/postgres-local.sh tests/rdf/storecmp.py \
	tests/rdf/failproxy.py bench/publish/bench.sh bench/publish/sink.py

.PHONY: bench-publish

if HAVE_REDLAND
if HAVE_CURL
bin_PROGRAMS += provtrace-publish
provtrace_publish_SOURCES = rdf/publish.c rdf/follow.h rdf/follow.c rdf/remote.h rdf/remote.c $(PT_RDF_SOURCES)
provtrace_publish_CPPFLAGS = $(AM_CPPFLAGS) -DPT_PKGDATADIR='"$(pkgdatadir)"'
provtrace_publish_CFLAGS = $(AM_CFLAGS) $(REDLAND_CFLAGS) $(CURL_CFLAGS)
provtrace_publish_LDADD = rdf/libptrun.la $(REDLAND_LIBS) $(CURL_LIBS)
if HAVE_PQ
provtrace_publish_SOURCES += rdf/pgstore.h rdf/pgstore.c
provtrace_publish_CFLAGS += $(PQ_CFLAGS)
provtrace_publish_LDADD += $(PQ_LIBS)
endif
provtrace_query_SOURCES += rdf/remote.h rdf/remote.c
provtrace_query_CFLAGS += $(CURL_CFLAGS)
provtrace_query_LDADD += $(CURL_LIBS)
dist_man_MANS += man/provtrace-publish.1
TESTS += $(PT_PUBLISH_TESTS)

# the publish benchmark (bench/README.md): a private Virtuoso, EVENTS from BENCH_PUBLISH_FLAGS
bench-publish: provtrace-publish provtrace-export provtrace-query tests/rdf/mkstore
	$(abs_top_srcdir)/bench/publish/bench.sh $(BENCH_PUBLISH_FLAGS) $(abs_top_builddir)
endif
endif
# reading a run while it runs (rdf/live.c, collector/live.c) and publish --follow
TESTS += tests/rdf/live.sh
EXTRA_DIST += tests/rdf/live.sh
