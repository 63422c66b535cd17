/* live.h — reading a run while it runs: the marker a node's collector leaves in
 * RUNDIR/nodes/ for as long as it writes its node-local store, and the indexing it does
 * when a reader asks for it.
 *
 * The marker RUNDIR/nodes/.live.NODE names the collector (pid, host) and its store; it is
 * written when the collector is ready and removed after NODE.mdb, the copy, is in place,
 * so a reader that finds NODE.mdb ignores the marker.  Indexing stays deferred: a live
 * reader sends the collector SIGUSR1, which makes it index the log in steps between its
 * drain cycles until the indices reach the log's end (the job's cores are only used when
 * someone asks). */
#ifndef PT_LIVE_H
#define PT_LIVE_H

#include <stdint.h>
#include <sys/types.h>

#include "store.h"

/* Records one indexing step applies: small enough that draining never waits long. */
#define PT_LIVE_STEP 20000

struct pt_live_marker {
	pid_t pid;
	char host[256];
	char store[4096];
};

/* Write the marker of the store copied at stop to `output` (RUNDIR/nodes/NODE.mdb): the
 * collector is `pid` on this host and writes `store`.  Atomic (a temporary name renamed).
 * Returns 0 or errno. */
int pt_live_mark(const char *output, pid_t pid, const char *store);
/* Remove it (after the copy is renamed into place). */
void pt_live_unmark(const char *output);
/* Read the marker file `path`.  Returns 0, errno, or EINVAL for a malformed one. */
int pt_live_read(const char *path, struct pt_live_marker *m);

/* The collector: one indexing step of at most PT_LIVE_STEP records in a batch of its own
 * (grown map: replayed).  Returns 1 while records remain, 0 when the indices reach the
 * log's end, or a negative error for the log (pt_strerror of -it). */
int pt_live_index_step(pt_store *st);

#endif /* PT_LIVE_H */
