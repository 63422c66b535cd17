# tests/reliability.mk — the fault catalogue of RELIABILITY.md: faults injected with
# PROVTRACE_FAULT, collectors and programs killed at random points, hostile input.
RELIABILITY_TESTS = \
	tests/reliability/fault-commit.sh \
	tests/reliability/collector-restart.sh \
	tests/reliability/fault-announce.sh \
	tests/reliability/fault-region.sh \
	tests/reliability/kill9-program.sh
TESTS += $(RELIABILITY_TESTS)
EXTRA_DIST += $(RELIABILITY_TESTS) tests/reliability/rlib.sh
check_PROGRAMS += tests/reliability/loadgen
tests_reliability_loadgen_SOURCES = tests/reliability/loadgen.c
tests_reliability_loadgen_LDADD = -lpthread
