/* live.c — the live marker of a node's collector and its on-demand indexing steps
 * (see live.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "live.h"

/* RUNDIR/nodes/NODE.mdb → RUNDIR/nodes/.live.NODE */
static int marker_path(const char *output, char *buf, size_t n)
{
	const char *base = strrchr(output, '/');
	size_t dir = base ? (size_t)(base - output) + 1 : 0;
	size_t len;

	base = base ? base + 1 : output;
	len = strlen(base);
	if (len > 4 && !strcmp(base + len - 4, ".mdb"))
		len -= 4;
	if ((size_t)snprintf(buf, n, "%.*s.live.%.*s", (int)dir, output, (int)len, base) >= n)
		return ENAMETOOLONG;
	return 0;
}

int pt_live_mark(const char *output, pid_t pid, const char *store)
{
	char path[4200], tmp[4300], host[256] = "";
	FILE *f;
	int r;

	if ((r = marker_path(output, path, sizeof path)))
		return r;
	gethostname(host, sizeof host - 1);
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
	if (!(f = fopen(tmp, "we")))
		return errno;
	fprintf(f, "pid %d\nhost %s\nstore %s\n", (int)pid, host, store);
	r = ferror(f);
	if (fclose(f) || r || rename(tmp, path) < 0) {
		r = errno ? errno : EIO;
		unlink(tmp);
		return r;
	}
	return 0;
}

void pt_live_unmark(const char *output)
{
	char path[4200];

	if (marker_path(output, path, sizeof path) == 0)
		unlink(path);
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	if (n && s[n - 1] == '\n')
		s[n - 1] = 0;
}

int pt_live_read(const char *path, struct pt_live_marker *m)
{
	char line[4200];
	int have = 0;
	FILE *f = fopen(path, "re");

	if (!f)
		return errno;
	memset(m, 0, sizeof *m);
	while (fgets(line, sizeof line, f)) {
		chomp(line);
		if (!strncmp(line, "pid ", 4)) {
			m->pid = (pid_t)strtol(line + 4, NULL, 10);
			have |= 1;
		} else if (!strncmp(line, "host ", 5)) {
			snprintf(m->host, sizeof m->host, "%.255s", line + 5);
			have |= 2;
		} else if (!strncmp(line, "store ", 6) && line[6] == '/') {
			snprintf(m->store, sizeof m->store, "%.4095s", line + 6);
			have |= 4;
		}
	}
	fclose(f);
	return have == 7 && m->pid > 0 ? 0 : EINVAL;
}

int pt_live_index_step(pt_store *st)
{
	for (int attempt = 0; attempt < 64; attempt++) {
		uint64_t lag = 0;
		int all = 0, r;

		if ((r = pt_store_begin(st)))
			return r > 0 ? -r : r;
		if ((r = pt_store_index_lag(st, &lag)) == 0 && lag)
			r = pt_store_index(st, PT_LIVE_STEP, &all);
		if (r == 0 && !lag) {
			pt_store_abort(st);
			return 0;
		}
		if (r == 0)
			r = pt_store_commit(st);
		else
			pt_store_abort(st);
		if (r == PT_EFULL)
			continue;   /* the map has grown: replay the step */
		if (r)
			return r > 0 ? -r : r;
		return !all;
	}
	return PT_EFULL;
}
