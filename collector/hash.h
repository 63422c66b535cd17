/* hash.h — content identity of the files a job read and wrote: XXH3-128 of a file's bytes
 * as they were at a session's close, computed by the collector in a background thread.
 *
 * The collector feeds the hasher from the records it ingests (pt_hasher_open/_dup/_close,
 * main thread only): a file session's close gives (dev, inode, size, mtime), and the
 * hasher queues the file once per such identity.  One thread, at the lowest CPU and I/O
 * priority (SCHED_IDLE, the idle I/O class), reads each queued file in 128 KiB chunks, and
 * only when its identity at hashing is still the one of the close: a file changed since
 * is recorded as PT_HASH_CHANGED (the bytes of that version are gone), never with the
 * hash of other bytes.  Files over the size limit are not read (PT_HASH_LARGE; readers
 * may hash them on request with pt_hash_file).  Results go back to the main thread
 * (pt_hasher_take), which stores them in its batches, the store's only writer.
 *
 * The queue is memory: a collector killed with files queued leaves their closes in the
 * store's log with no result, and the next collector of the store feeds the log's records
 * again (provtrace-collectd: the rebuild), the identities with results marked known.
 *
 * PROVTRACE_FAULT=hash:N (reliability tests): the worker kills the collector (SIGKILL)
 * as it is about to hash its Nth file that is not an image.
 *
 * PROVTRACE_HASH_ROOT (set by provtrace rerun): the job ran chrooted there, and its paths
 * are read under it.
 *
 * Errors: the functions returning int give 0 or an errno value.  Not fork-safe. */
#ifndef PT_HASH_H
#define PT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define PT_HASH_MAX_DEFAULT ((uint64_t)1 << 30)   /* PROVTRACE_HASH_MAX: bytes */

/* Hash one file if its identity is still `id` (size and mtime; dev and inode when
 * nonzero) and it is at most max bytes (0: no limit).  h->state says the outcome;
 * h->hash is set only for PT_HASH_DONE. */
void pt_hash_file(const char *path, const struct pt_file_id *id, uint64_t max,
		  struct pt_hash_rec *h);

/* Like pt_hash_file for a file named only by its path (a loaded library, an executable):
 * its identity is taken with stat(2) first and returned in *id. */
void pt_hash_path(const char *path, uint64_t max, struct pt_file_id *id, struct pt_hash_rec *h);

/* "xxh3-128:" and 32 lower-case hex digits, NUL-terminated, into out[PT_HASH_STR]. */
#define PT_HASH_STR 42
void pt_hash_fmt(const uint8_t h[16], char *out);

struct pt_hasher;

/* A result for the store: file identity and outcome, and for a path-only file its path. */
struct pt_hash_done {
	struct pt_file_id id;
	struct pt_hash_rec h;
	char *path;               /* non-NULL for images (libraries, executables) */
};

/* Start the thread (max: the size limit, 0 none).  ENOMEM, or pthread_create's error. */
int pt_hasher_start(uint64_t max, struct pt_hasher **out);

/* Feed, from the ingest: a session opened on `path` (regular files only), a descriptor
 * duplicated, a session closed with the file's identity.  Records seen
 * twice (a batch replayed) are harmless. */
void pt_hasher_open(struct pt_hasher *hs, uint32_t proc, uint64_t sid, const void *path,
		    size_t len);
void pt_hasher_dup(struct pt_hasher *hs, uint32_t proc, uint64_t sid, uint64_t oldsid);
/* pt_hasher_close returns 0 when the session was never opened here (its OPEN record not
 * fed yet: see the collector's rebuild of the queue from the log), else 1. */
int pt_hasher_close(struct pt_hasher *hs, uint32_t proc, uint64_t sid,
		    const struct pt_file_id *id, int moved_data);
/* An identity the store already has a result for: a close with it queues nothing (the
 * results of an earlier collector of the same store, so that a restart hashes no file
 * twice). */
void pt_hasher_known(struct pt_hasher *hs, const struct pt_file_id *id);
/* A rename the job made: a queued file no longer at its path is looked for there. */
void pt_hasher_rename(struct pt_hasher *hs, const void *from, size_t flen, const void *to,
		      size_t tlen);
/* A file known by path only (a loaded library, an executable), hashed as it is then. */
void pt_hasher_image(struct pt_hasher *hs, const void *path, size_t len);

/* Results finished since the last call: *out is an array of n entries the caller frees
 * with pt_hasher_free_done. */
size_t pt_hasher_take(struct pt_hasher *hs, struct pt_hash_done **out);
void pt_hasher_free_done(struct pt_hash_done *d, size_t n);

/* Wait until the queue is empty or `ms` milliseconds passed; returns what is left. */
size_t pt_hasher_drain(struct pt_hasher *hs, int ms);

/* Stop the thread; what was never hashed comes back as PT_HASH_PENDING results. */
size_t pt_hasher_stop(struct pt_hasher *hs, struct pt_hash_done **out);

#endif /* PT_HASH_H */
