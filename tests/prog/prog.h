/* prog.h — shared by the small programs tests/shim/ runs under the shim: report a
 * failed step on stderr and exit 2, so that a broken program never looks like a pass. */
#ifndef PT_TEST_PROG_H
#define PT_TEST_PROG_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void need(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "%s: %s\n", what, strerror(errno));
		exit(2);
	}
}

/* "DIR/NAME" into buf (a path that does not fit is a failed step) */
static inline const char *path_in(char *buf, size_t n, const char *dir, const char *name)
{
	need(snprintf(buf, n, "%s/%s", dir, name) < (int)n, "path too long");
	return buf;
}

#endif
