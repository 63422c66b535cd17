#!/bin/sh
# lint.sh — make check: every manual page in man/ passes `mandoc -T lint` with no
# message at warning level or above (style notes, such as a page not installed yet
# for an .Xr, are not failures).
set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
mandoc=${MANDOC:-$(command -v mandoc || true)}
if [ -z "$mandoc" ]; then
	echo "SKIP: mandoc not found (apt-get install mandoc, or scripts/install-deps.sh)" >&2
	exit 77
fi

failed=0 n=0
for page in "$srcdir"/man/*.[1-9]; do
	[ -f "$page" ] || continue
	n=$((n + 1))
	out=$("$mandoc" -T lint -W warning "$page" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] || [ -n "$out" ]; then
		echo "FAIL: ${page#"$srcdir"/} (mandoc exit $rc)" >&2
		printf '%s\n' "$out" >&2
		failed=1
	else
		echo "ok: ${page#"$srcdir"/}"
	fi
done
[ $n -gt 0 ] || { echo "FAIL: no manual page in $srcdir/man" >&2; exit 1; }
exit $failed
