# rdf/export.mk — provtrace-export and provtrace-query (the PROV-O mapping, on Redland),
# their vocabulary, ML typing rules, manual pages and tests (included by Makefile.am).

# The vocabulary and the default rules are data: installed with or without Redland.
pkgdata_DATA = share/ml.rules share/provtrace.ttl

PT_RDF_SOURCES = rdf/prov.h rdf/prov-int.h rdf/prov.c rdf/prov-activities.c rdf/prov-cache.c \
	rdf/prov-iri.c rdf/prov-entities.c rdf/prov-versions.c rdf/prov-derive.c rdf/prov-mpi.c \
	rdf/prov-ml.c rdf/prov-cuda.c rdf/iri.h rdf/rules.h
PT_RDF_TESTS = tests/rdf/export-small.sh tests/rdf/export-pool.sh \
	tests/rdf/export-hostile.sh tests/rdf/query.sh tests/rdf/export-mpi.sh \
	tests/rdf/export-mpirun.sh tests/rdf/rocrate.sh tests/rdf/export-cache.sh
EXTRA_DIST += $(pkgdata_DATA) $(PT_RDF_TESTS) tests/rdf/check.py tests/rdf/rdflib.sh \
	tests/rdf/crate-check.py \
	tests/rdf/golden/small.nt tests/rdf/golden/small.ttl tests/rdf/golden/small-ml.ttl \
	tests/rdf/golden/mpi.nt tests/rdf/golden/mpi.ttl \
	bench/export/bench.sh bench/export/rdflib_serialize.py

if HAVE_REDLAND
bin_PROGRAMS += provtrace-export provtrace-query
provtrace_export_SOURCES = rdf/export.c rdf/rocrate.h rdf/rocrate.c $(PT_RDF_SOURCES)
provtrace_export_CPPFLAGS = $(AM_CPPFLAGS) -DPT_PKGDATADIR='"$(pkgdatadir)"'
provtrace_export_CFLAGS = $(AM_CFLAGS) $(REDLAND_CFLAGS)
provtrace_export_LDADD = rdf/libptrun.la $(REDLAND_LIBS)
provtrace_query_SOURCES = rdf/query.c $(PT_RDF_SOURCES)
provtrace_query_CPPFLAGS = $(AM_CPPFLAGS) -DPT_PKGDATADIR='"$(pkgdatadir)"'
provtrace_query_CFLAGS = $(AM_CFLAGS) $(REDLAND_CFLAGS)
provtrace_query_LDADD = rdf/libptrun.la $(REDLAND_LIBS)
dist_man_MANS += man/provtrace-export.1 man/provtrace-query.1

# ---- tests: the store writer (also for bench/export), the unit test, the scenarios
check_PROGRAMS += tests/rdf/mkstore tests/rdf/iri-test
tests_rdf_mkstore_SOURCES = tests/rdf/mkstore.c
tests_rdf_mkstore_LDADD = collector/libptcore.la $(LMDB_LIBS)
tests_rdf_iri_test_SOURCES = tests/rdf/iri-test.c tests/check.h rdf/iri.h rdf/rules.h
tests_rdf_iri_test_LDADD = rdf/libptrun.la
TESTS += tests/rdf/iri-test $(PT_RDF_TESTS)
check_PROGRAMS += tests/unit/parse-test
tests_unit_parse_test_SOURCES = tests/unit/parse-test.c tests/check.h
tests_unit_parse_test_LDADD = rdf/libptrun.la
TESTS += tests/unit/parse-test
endif

# ---- provtrace-graph: a file's lineage drawn by Graphviz (built when libgvc is found)
if HAVE_GRAPHVIZ
bin_PROGRAMS += provtrace-graph
provtrace_graph_SOURCES = rdf/graph.c rdf/lgraph.h rdf/lgraph.c
provtrace_graph_CFLAGS = $(AM_CFLAGS) $(GRAPHVIZ_CFLAGS)
provtrace_graph_LDADD = rdf/libptrun.la $(GRAPHVIZ_LIBS)
TESTS += tests/rdf/graph.sh
endif
EXTRA_DIST += tests/rdf/graph.sh tests/rdf/graphcheck.py

# ---- provtrace-report: a run as one self-contained HTML page (needs Graphviz for its graph)
if HAVE_GRAPHVIZ
bin_PROGRAMS += provtrace-report
provtrace_report_SOURCES = rdf/report.c rdf/lgraph.h rdf/lgraph.c
provtrace_report_CFLAGS = $(AM_CFLAGS) $(GRAPHVIZ_CFLAGS)
provtrace_report_LDADD = rdf/libptrun.la $(GRAPHVIZ_LIBS)
dist_man_MANS += man/provtrace-report.1
endif
if HAVE_GRAPHVIZ
TESTS += tests/rdf/report.sh tests/rdf/report-mpi.sh tests/rdf/progress.sh
endif
EXTRA_DIST += tests/rdf/report.sh tests/rdf/report-mpi.sh tests/rdf/progress.sh tests/rdf/ptyrun.py tests/rdf/chrome.sh tests/rdf/reportcheck.py
CLEANFILES += tests/rdf/report-pool.png tests/rdf/report-mpi.png
EXTRA_DIST += docs/report.png
