#!/bin/sh
# fuzz-extract.sh — a short libFuzzer run (PT_FUZZ_SECONDS, default 20) of the readers of
# a job's configurations, logs and command lines (rdf/parse.c) over the checked-in seeds
# (one of each format, first byte = the reader).  A crash, a sanitizer report or a leak
# fails the test and leaves the input in the log.
. "$top_srcdir/tests/lib.sh"

fuzz_run fuzz-extract extract
