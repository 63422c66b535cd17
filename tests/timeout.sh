#!/bin/sh
# timeout.sh — every test runs under a watchdog: a hung test fails instead of hanging
# make check.  PT_TEST_TIMEOUT (seconds) overrides the default.
exec timeout -k 10 "${PT_TEST_TIMEOUT:-300}" "$@"
