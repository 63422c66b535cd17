/* live.c — the node stores of a running job, as the tools open them: through the marker
 * each node's collector leaves in RUNDIR/nodes/ (collector/live.h), read-only beside the
 * writer, after asking the collector to bring its indices up to the log's end. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector/live.h"
#include "runset.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int open_pending(const char *store, pt_store **st, uint64_t *pending)
{
	int r = pt_store_open(store, PT_STORE_RDONLY | PT_STORE_ASIS | PT_STORE_LIVE, st);
	if (r == 0 && (r = pt_store_index_info(*st, pending, NULL))) {
		pt_store_close(*st);
		*st = NULL;
	}
	return r;
}

/* Wait (PROVTRACE_LIVE_WAIT seconds, 30 by default; 0: do not ask) for the collector to
 * index its log to the end, asking again each second; then read what is there. */
static int open_indexed(const struct pt_live_marker *m, pt_store **st, uint64_t *pending)
{
	const char *w = getenv("PROVTRACE_LIVE_WAIT");
	uint64_t wait_ms = (w && *w ? strtoull(w, NULL, 10) : 30) * 1000;
	uint64_t t0 = mono_ms(), asked = 0;
	int r;

	for (;;) {
		if ((r = open_pending(m->store, st, pending)) || !*pending || !wait_ms)
			return r;
		uint64_t now = mono_ms();
		if (now - t0 >= wait_ms)
			return 0;   /* the answer says how much it lacks */
		pt_store_close(*st);
		*st = NULL;
		if (!asked || now - asked >= 1000) {
			if (kill(m->pid, SIGUSR1) < 0)
				return errno == ESRCH ? PT_ELIVE_GONE : errno;
			asked = now;
		}
		nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	}
}

int pt_live_open(const char *nodes, const char *name, pt_store **st, uint64_t *pending)
{
	struct pt_live_marker m;
	char path[8192], host[256] = "";
	int r;

	*st = NULL;
	*pending = 0;
	snprintf(path, sizeof path, "%s/.live.%s", nodes, name);
	if ((r = pt_live_read(path, &m)))
		return r;
	gethostname(host, sizeof host - 1);
	if (strcmp(host, m.host))
		return PT_ELIVE_ELSEWHERE;
	if (kill(m.pid, 0) < 0 && errno == ESRCH)
		return PT_ELIVE_GONE;
	if ((r = open_indexed(&m, st, pending)) == ENOENT)
		r = PT_ELIVE_GONE;   /* it stopped meanwhile */
	return r;
}

int pt_live_running(const char *rundir)
{
	char nodes[4200];
	struct dirent *e;
	int live = 0;
	DIR *d;

	snprintf(nodes, sizeof nodes, "%s/nodes", rundir);
	if (!(d = opendir(nodes)))
		return 0;
	while (!live && (e = readdir(d)))
		live = !strncmp(e->d_name, ".live.", 6) && !strstr(e->d_name, ".tmp.");
	closedir(d);
	return live;
}

void pt_live_say(const char *me, const struct pt_runset *rs)
{
	char names[1024];

	if (rs->nlive)
		fprintf(stderr, "%s: live: %zu node store%s read from the running collector%s, "
			"%llu record%s not indexed yet\n", me, rs->nlive, rs->nlive == 1 ? "" : "s",
			rs->nlive == 1 ? "" : "s", (unsigned long long)rs->live_pending,
			rs->live_pending == 1 ? "" : "s");
	if (rs->nunseen)
		fprintf(stderr, "%s: live: not visible from this node: %s (running elsewhere, or "
			"its collector is gone without a copy)\n", me,
			pt_runset_unseen(rs, names, sizeof names));
}
