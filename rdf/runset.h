/* runset.h — a run as the tools see it: the node stores in RUNDIR/nodes/, opened
 * read-only, in name order (so that every tool walks them the same way). */
#ifndef PT_RUNSET_H
#define PT_RUNSET_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "collector/store.h"
#include "iri.h"   /* struct pt_buf */

#define PT_RUNSET_MAX 4096

struct pt_runset {
	size_t n;
	pt_store *st[PT_RUNSET_MAX];
	char *name[PT_RUNSET_MAX];     /* node name: the store file's name without .mdb */
	char dir[4096];                /* the run directory ("" for a single store file) */
	/* nodes run.json lists (its "nodes", else its "host") that have no store here: the
	 * run's record is incomplete (a node's collector died, its store was not copied) */
	size_t nmissing;
	char *missing[PT_RUNSET_MAX];
	/* a running job (rdf/live.c): stores read from this node's running collector (live[i]
	 * set), the records their indices lacked when opened, and the nodes whose collector
	 * runs on another host or is gone without leaving its copy */
	unsigned char live[PT_RUNSET_MAX];
	size_t nlive;
	uint64_t live_pending;
	size_t nunseen;
	char *unseen[PT_RUNSET_MAX];
};

/* rdf/live.c.  Open the store of node `name` whose collector runs now, from its marker
 * RUNDIR/nodes/.live.NAME (`nodes`: RUNDIR/nodes): read-only beside the collector, after
 * asking it to index its log (waits up to PROVTRACE_LIVE_WAIT seconds, 30 by default, 0
 * to not ask); *pending: the records the indices still lack.  Errors:
 * PT_ELIVE_ELSEWHERE (the collector runs on another host), PT_ELIVE_GONE (it is dead or
 * stopped meanwhile), errno, LMDB's. */
#define PT_ELIVE_ELSEWHERE EREMOTE
#define PT_ELIVE_GONE ESRCH
int pt_live_open(const char *nodes, const char *name, pt_store **st, uint64_t *pending);
/* Whether a collector of the run in `rundir` is running (a marker is there). */
int pt_live_running(const char *rundir);
/* Tell on stderr, after "`me`: ", how current the answer from a live run is. */
void pt_live_say(const char *me, const struct pt_runset *rs);
/* "a, b": the nodes not visible live, for a message. */
const char *pt_runset_unseen(const struct pt_runset *rs, char *buf, size_t n);

/* Open `path`: a run directory, or one store file.  Returns 0 or an error for
 * pt_strerror() (ENOENT when the directory holds no node store). */
int pt_runset_open(const char *path, struct pt_runset *rs);
/* The same, with more pt_store_open() flags for every store (PT_STORE_PENDING_OK). */
int pt_runset_open_as(const char *path, unsigned flags, struct pt_runset *rs);
void pt_runset_close(struct pt_runset *rs);

/* "a, b and c": the missing nodes' names for a message, in buf. */
const char *pt_runset_missing(const struct pt_runset *rs, char *buf, size_t n);

/* The counters of every node store of the run, added up (a store that cannot say adds
 * nothing; the first such error is returned). */
int pt_runset_counters(const struct pt_runset *rs, struct pt_counters *sum);

/* Lexically normalise an absolute or relative path (relative to the working directory),
 * the way the shim records paths.  Returns the length, 0 if it does not fit. */
size_t pt_path_normalise(const char *in, char *out, size_t outsz);

/* Whether the path names one of the tracer's own libraries (its base name starts with
 * "libprovtrace"): a library the job loaded that is not the job's. */
int pt_is_tracer_lib(const uint8_t *path, size_t len);

/* The run's record, run.json: its command (the arguments joined by spaces, and the
 * first of them), host, user, pid, times, exit status and signal (-1 where absent). */
struct pt_runinfo {
	struct pt_buf cmd, exe, host;
	int have_cmd;
	int64_t user, pid, start_ns, end_ns, exit, sig;
};

/* Parse run.json's text into ri.  Returns 0 when it is a finished run's record (command,
 * start_ns and end_ns present), else -1.  Free with pt_runinfo_free() either way. */
int pt_runinfo_parse(const struct pt_buf *text, struct pt_runinfo *ri);
void pt_runinfo_free(struct pt_runinfo *ri);

#endif /* PT_RUNSET_H */
