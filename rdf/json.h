/* json.h — a small JSON reader for the files of a run directory (run.json, written by
 * the launcher): strings come back as bytes (a \udcXX escape gives back byte XX, the
 * surrogateescape way json_str() writes them), integers as int64, anything else can be
 * skipped.  Nesting deeper than 32 is refused.  Each call returns 0, or -1 for malformed
 * input, and leaves j->p after what it read. */
#ifndef PT_JSON_H
#define PT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "iri.h"   /* struct pt_buf */

#define PT_JSON_MAX (16u << 20)   /* pt_json_load reads at most this much */

struct pt_json {
	const uint8_t *p, *end;
	int depth;
};

void pt_json_init(struct pt_json *j, const void *text, size_t len);
/* The file at path into text; 0 or an errno (ENOENT for none). */
int pt_json_load(const char *path, struct pt_buf *text);
void pt_json_ws(struct pt_json *j);
/* A string, into out (its bytes, not NUL-terminated: pt_buf_cstr() for that). */
int pt_json_str(struct pt_json *j, struct pt_buf *out);
int pt_json_num(struct pt_json *j, int64_t *v);
/* Any one value, whatever it is. */
int pt_json_skip(struct pt_json *j);

/* An object: fn(ctx, key, j) for each member, with key NUL-terminated and j at its value,
 * which fn reads (returning 0) or leaves to be skipped (returning 1); -1 from fn stops.
 * Returns 0 for a whole, well-formed object, -1 otherwise (members already read stay). */
typedef int (*pt_json_member_fn)(void *ctx, const char *key, struct pt_json *j);
int pt_json_object(struct pt_json *j, pt_json_member_fn fn, void *ctx);

/* An array of strings: fn(ctx, s) for each (its bytes in s); a nonzero return stops.
 * Returns 0, or -1 for anything but an array of strings. */
typedef int (*pt_json_string_fn)(void *ctx, const struct pt_buf *s);
int pt_json_strings(struct pt_json *j, pt_json_string_fn fn, void *ctx);

#endif /* PT_JSON_H */
