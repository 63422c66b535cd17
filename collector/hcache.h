/* hcache.h — the node's content-hash cache: a file's XXH3-128 kept across runs, so that
 * a data set every run reads is read for its hash once, not once per run.
 *
 * Key: the file's device, inode, size, mtime and ctime (nanoseconds).  Writing the file
 * changes its mtime and ctime; putting the mtime back (touch -d, cp -p, rsync -t)
 * changes the ctime, which no user can set.  Only a file whose ctime is PT_HCACHE_SETTLE_S
 * seconds in the past when it was hashed is kept: any later change is stamped with a
 * later ctime even where timestamps are coarse (1 s, or a 4 ms kernel tick), and a
 * deleted file's inode reused gets a later one too.  So a hit is the bytes that were
 * hashed.  (The job's own outputs, hashed soon after their close, are hashed by each run;
 * what the cache saves is the data set every run reads.)  Only files of at least
 * PT_HCACHE_MIN bytes are kept (below that, reading is cheaper than the cache's durable
 * write).
 *
 * The cache is an LMDB file shared by the node's collectors (one per running job):
 * $PROVTRACE_HASH_CACHE, else $XDG_CACHE_HOME/provtrace/hashes.mdb, else
 * ~/.cache/provtrace/hashes.mdb; PROVTRACE_HASH_CACHE=0 (or empty) turns it off.  Its map
 * is bounded (PT_HCACHE_MAP, or PROVTRACE_HASH_CACHE_SIZE bytes): three quarters full, it
 * is emptied and starts again.  A cache file owned by another user or writable by group or others is
 * not used (what it says is taken for a file's bytes).  A cache that
 * cannot be opened or is damaged is not used (one warning on the collector's stderr; none
 * when the default place is not writable): every file is then read. */
#ifndef PT_HCACHE_H
#define PT_HCACHE_H

#include <stdint.h>
#include <sys/stat.h>

#define PT_HCACHE_MIN ((uint64_t)1 << 20)
#define PT_HCACHE_SETTLE_S 2
#define PT_HCACHE_MAP ((size_t)64 << 20)

typedef struct pt_hcache pt_hcache;

/* Open the cache named by the environment; NULL when it is off (why[0] == 0) or cannot
 * be used (why holds one line). */
pt_hcache *pt_hcache_open(char *why, size_t whylen);
void pt_hcache_close(pt_hcache *hc);

/* The hash of the file `sb` describes, if cached: 1 (out set), else 0. */
int pt_hcache_get(pt_hcache *hc, const struct stat *sb, uint8_t out[16]);

/* Remember it (files under PT_HCACHE_MIN bytes are not kept). */
void pt_hcache_put(pt_hcache *hc, const struct stat *sb, const uint8_t hash[16]);

#endif /* PT_HCACHE_H */
