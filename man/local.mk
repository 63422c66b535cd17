# man/local.mk — the manual pages: installed, distributed, and linted by make check
# (man/lint.sh lints every page in man/, those of other folders' tools included).
dist_man_MANS += man/provtrace.1 man/provtrace.7 man/provtrace-collectd.8
TESTS += man/lint.sh
EXTRA_DIST += man/lint.sh
dist_man_MANS += man/provtrace-diff.1
dist_man_MANS += man/provtrace-pack.1
