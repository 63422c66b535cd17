#!/bin/sh
# fuzz.sh — a short libFuzzer run (PT_FUZZ_SECONDS, default 20) of the collector's
# record path over the checked-in corpus (RELIABILITY 18's seeds and one record of each
# kind).  A crash, a sanitizer report or a leak fails the test and leaves the input in
# the log.  A longer run: PT_FUZZ_SECONDS=3600 make check TESTS=tests/reliability/fuzz.sh
. "$top_srcdir/tests/lib.sh"

fuzz_run fuzz-record record
