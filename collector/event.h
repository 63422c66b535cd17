/* event.h — a parsed record: [type, ts, field...] as positional values, checked once.
 * The collector, the store and the tools read records through this and never see raw
 * msgpack.  Fields a record lacks read as 0 / empty; containers keep their encoding. */
#ifndef PT_EVENT_H
#define PT_EVENT_H

#include <stdint.h>
#include <stdio.h>

#include "protocol.h"
#include "wire.h"

#define PT_EV_FIELDS 24   /* fields after [type, ts] kept; later ones are checked and skipped */

struct pt_val {
	int kind;                  /* enum pt_mp_kind */
	uint64_t u;                /* PT_MP_UINT, PT_MP_BOOL */
	int64_t i;                 /* PT_MP_INT, and PT_MP_UINT values <= INT64_MAX */
	struct pt_bytes b;         /* PT_MP_STR / PT_MP_BIN: the bytes; containers: their encoding */
	uint32_t count;            /* PT_MP_ARRAY / PT_MP_MAP: number of elements / entries */
};

struct pt_ev {
	uint32_t type;
	uint64_t ts;
	uint32_t n;                /* fields present (at most PT_EV_FIELDS) */
	struct pt_val v[PT_EV_FIELDS];
};

/* Parse one record.  Returns 0, or PT_EWIRE when it is not a well-formed record (not an
 * array, type outside 1..255, a container nested deeper than PT_MPR_DEPTH, a length that
 * runs past the end, trailing bytes). */
int pt_ev_parse(const void *rec, size_t len, struct pt_ev *ev);

/* Field accessors by position after [type, ts]; a missing field or one of another kind
 * reads as 0 / empty. */
uint64_t pt_ev_u(const struct pt_ev *ev, unsigned i);
int64_t pt_ev_i(const struct pt_ev *ev, unsigned i);
struct pt_bytes pt_ev_b(const struct pt_ev *ev, unsigned i);

/* The type's name ("OPEN") and the name of its field i ("path"), or NULL. */
const char *pt_ev_name(uint32_t type);
const char *pt_ev_field(uint32_t type, unsigned i, char *buf, size_t bufsz);

/* Write the record as one JSON object line: {"type":"OPEN","ts":...,"path":"..."};
 * `extra` (or NULL): more members, written first ("\"seq\":3").
 * A byte that is not part of valid UTF-8 is written as \udcXX (the "surrogateescape"
 * convention: Python recovers the bytes with .encode("utf-8", "surrogateescape")). */
void pt_ev_json(FILE *out, const struct pt_ev *ev, const char *extra);
void pt_json_bytes(FILE *out, const uint8_t *p, size_t len);

#endif /* PT_EVENT_H */
