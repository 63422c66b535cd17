/* fault.h — fault injection for the reliability tests.  PROVTRACE_FAULT lists points
 * that fail: "commit:3" fails the third pass through the point "commit", "commit:3+"
 * every pass from the third on, "commit:*" every pass; ":N" after the count picks the
 * errno (default EIO).  Several points are separated by commas.
 *
 * Points: commit (an LMDB batch commit), copy (writing the store's copy into the run
 * directory), announce (the shim's message to the collector), region (the shim creating
 * its region in the spool), index (a reader doing deferred indexing: a hit kills it with
 * SIGKILL after a step, before that step commits), hash (the collector's hasher about to
 * hash a file that is not an image: a hit kills the collector with SIGKILL).  Unset, a point costs a test of a
 * cached pointer. */
#ifndef PT_FAULT_H
#define PT_FAULT_H

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Count a pass through `point` (counter kept by the caller); returns the errno to fail
 * with, or 0. */
static inline int pt_fault_hit(const char *spec, const char *point, unsigned *counter)
{
	size_t plen = strlen(point);
	unsigned pass;

	if (!spec || !*spec)
		return 0;
	pass = ++*counter;
	for (const char *p = spec; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
		char *end;
		unsigned long n;
		int from = 0, every = 0, err = EIO;

		if (strncmp(p, point, plen) != 0 || p[plen] != ':')
			continue;
		p += plen + 1;
		if (*p == '*') {
			every = 1;
			end = (char *)p + 1;
			n = 0;
		} else {
			n = strtoul(p, &end, 10);
			if (*end == '+') {
				from = 1;
				end++;
			}
		}
		if (*end == ':')
			err = (int)strtol(end + 1, NULL, 10);
		if (every || pass == n || (from && pass >= n))
			return err > 0 ? err : EIO;
	}
	return 0;
}

#endif /* PT_FAULT_H */
