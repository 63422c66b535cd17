# tests/local.mk — make check: every test is a process under a watchdog (tests/timeout.sh)
# that exits 0 (pass), 77 (skip, with the reason on stderr) or anything else (fail).
TEST_EXTENSIONS = .sh .py
LOG_COMPILER = $(top_srcdir)/tests/timeout.sh
SH_LOG_COMPILER = $(top_srcdir)/tests/timeout.sh $(SHELL)
PY_LOG_COMPILER = $(top_srcdir)/tests/timeout.sh $(PYTHON3)
AM_TESTS_ENVIRONMENT = top_builddir='$(abs_top_builddir)'; top_srcdir='$(abs_top_srcdir)'; \
	PYTHON3='$(PYTHON3)'; export top_builddir top_srcdir PYTHON3;
EXTRA_DIST += tests/timeout.sh tests/lib.sh tests/check.h
