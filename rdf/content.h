/* content.h — the content identity of file versions as the tools read it from a run's
 * stores (the collector's hash table, collector/hash.h), and hashing on request. */
#ifndef PT_CONTENT_H
#define PT_CONTENT_H

#include <stdint.h>

#include "collector/hash.h"
#include "collector/store.h"
#include "runset.h"

/* The content of a version as an RDF resource: this + 32 hex digits of its XXH3-128. */
#define PT_NS_CONTENT "https://w3id.org/provtrace/content/xxh3-128/"

/* Results of a store's hash table by state (index: enum pt_hash_state; 0 unused). */
struct pt_hash_counts {
	uint64_t n[6];
};
int pt_content_counts(pt_store *st, struct pt_hash_counts *c);
/* stat's "hashes" line, or its "hashes" JSON member (with a leading comma). */
void pt_content_counts_print(const struct pt_hash_counts *c, int json);

/* The content of the version a session's close identified, as text into out
 * (PT_HASH_STR bytes): "xxh3-128:HEX", or when it has none: "changed", "large",
 * "unreadable", "pending", "unknown" (no identity or no result).  With `lazy`, a version
 * without a hash whose file still has that identity is hashed now, with no size limit
 * ("on request").  Returns 1 when out holds a hash, else 0. */
int pt_content_text(pt_store *st, const char *path, const struct pt_file_id *id, int lazy,
		    char *out);

/* The same for a file known by path only (a loaded library, an executable). */
int pt_content_path(pt_store *st, const char *path, int lazy, char *out);

/* The content of a path's latest version in a run: its last write (by close), else the
 * last read of it (a file changed outside the job between reads has versions of its
 * own); as pt_content_text.  "unknown" when no store has a session of it. */
int pt_content_latest(struct pt_runset *rs, const char *path, size_t len, int lazy, char *out);

#endif /* PT_CONTENT_H */
