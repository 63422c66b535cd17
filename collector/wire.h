/* wire.h — the subset of msgpack provtrace records use: an allocation-free writer for the
 * shim's hot path, and a bounded reader for the collector and the tools.
 *
 * Writer: all pt_mpw_* functions append to a fixed buffer; on overflow they stop writing
 * and set w->overflow, so a caller checks once at the end.  Integers take their shortest
 * encoding.  Nothing here allocates, locks or makes a system call.
 *
 * Reader: pt_mpr_* functions return 0 on success and PT_EWIRE on malformed or truncated
 * input, and never read outside [p, end).  Every declared length or element count is
 * checked against the bytes left before it is used (msgpack-c checks neither), nesting is
 * limited to PT_MPR_DEPTH, and a reader never allocates.
 */
#ifndef PT_WIRE_H
#define PT_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define PT_EWIRE (-30900)     /* malformed record; see pt_strerror() */
#define PT_MPR_DEPTH 8

struct pt_mpw {
	uint8_t *p;
	uint8_t *end;
	int overflow;
};

static inline void pt_mpw_init(struct pt_mpw *w, void *buf, size_t len)
{
	w->p = buf;
	w->end = (uint8_t *)buf + len;
	w->overflow = 0;
}

static inline int pt_mpw_room(struct pt_mpw *w, size_t n)
{
	if ((size_t)(w->end - w->p) < n) {
		w->overflow = 1;
		w->p = w->end;
		return 0;
	}
	return 1;
}

static inline void pt_mpw_be16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = (uint8_t)v; }
static inline void pt_mpw_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}
static inline void pt_mpw_be64(uint8_t *p, uint64_t v)
{
	pt_mpw_be32(p, (uint32_t)(v >> 32));
	pt_mpw_be32(p + 4, (uint32_t)v);
}

static inline void pt_mpw_uint(struct pt_mpw *w, uint64_t v)
{
	if (v < 0x80) {
		if (pt_mpw_room(w, 1))
			*w->p++ = (uint8_t)v;
	} else if (v <= 0xff) {
		if (pt_mpw_room(w, 2)) {
			w->p[0] = 0xcc; w->p[1] = (uint8_t)v; w->p += 2;
		}
	} else if (v <= 0xffff) {
		if (pt_mpw_room(w, 3)) {
			w->p[0] = 0xcd; pt_mpw_be16(w->p + 1, (uint16_t)v); w->p += 3;
		}
	} else if (v <= 0xffffffffu) {
		if (pt_mpw_room(w, 5)) {
			w->p[0] = 0xce; pt_mpw_be32(w->p + 1, (uint32_t)v); w->p += 5;
		}
	} else if (pt_mpw_room(w, 9)) {
		w->p[0] = 0xcf; pt_mpw_be64(w->p + 1, v); w->p += 9;
	}
}

static inline void pt_mpw_int(struct pt_mpw *w, int64_t v)
{
	if (v >= 0) {
		pt_mpw_uint(w, (uint64_t)v);
	} else if (v >= -32) {
		if (pt_mpw_room(w, 1))
			*w->p++ = (uint8_t)(int8_t)v;
	} else if (v >= INT8_MIN) {
		if (pt_mpw_room(w, 2)) {
			w->p[0] = 0xd0; w->p[1] = (uint8_t)(int8_t)v; w->p += 2;
		}
	} else if (v >= INT16_MIN) {
		if (pt_mpw_room(w, 3)) {
			w->p[0] = 0xd1; pt_mpw_be16(w->p + 1, (uint16_t)(int16_t)v); w->p += 3;
		}
	} else if (v >= INT32_MIN) {
		if (pt_mpw_room(w, 5)) {
			w->p[0] = 0xd2; pt_mpw_be32(w->p + 1, (uint32_t)(int32_t)v); w->p += 5;
		}
	} else if (pt_mpw_room(w, 9)) {
		w->p[0] = 0xd3; pt_mpw_be64(w->p + 1, (uint64_t)v); w->p += 9;
	}
}

static inline void pt_mpw_nil(struct pt_mpw *w)
{
	if (pt_mpw_room(w, 1))
		*w->p++ = 0xc0;
}

/* Container and string headers: fix/16/32 forms chosen by size. */
static inline void pt_mpw_hdr(struct pt_mpw *w, uint32_t n, uint8_t fix, uint32_t fixmax,
			      uint8_t b8, uint8_t b16)
{
	if (n <= fixmax) {
		if (pt_mpw_room(w, 1))
			*w->p++ = (uint8_t)(fix | n);
	} else if (b8 && n <= 0xff) {
		if (pt_mpw_room(w, 2)) {
			w->p[0] = b8; w->p[1] = (uint8_t)n; w->p += 2;
		}
	} else if (n <= 0xffff) {
		if (pt_mpw_room(w, 3)) {
			w->p[0] = b16; pt_mpw_be16(w->p + 1, (uint16_t)n); w->p += 3;
		}
	} else if (pt_mpw_room(w, 5)) {
		w->p[0] = b16 + 1; pt_mpw_be32(w->p + 1, n); w->p += 5;
	}
}

static inline void pt_mpw_array(struct pt_mpw *w, uint32_t n)
{
	pt_mpw_hdr(w, n, 0x90, 15, 0, 0xdc);
}

static inline void pt_mpw_map(struct pt_mpw *w, uint32_t n)
{
	pt_mpw_hdr(w, n, 0x80, 15, 0, 0xde);
}

/* Text the project itself produces (ASCII): msgpack str. */
static inline void pt_mpw_str(struct pt_mpw *w, const char *s, size_t len)
{
	pt_mpw_hdr(w, (uint32_t)len, 0xa0, 31, 0xd9, 0xda);
	if (pt_mpw_room(w, len)) {
		memcpy(w->p, s, len);
		w->p += len;
	}
}

/* Bytes from the program (paths, argv): msgpack bin, any byte allowed. */
static inline void pt_mpw_bin(struct pt_mpw *w, const void *s, size_t len)
{
	if (len <= 0xff) {
		if (pt_mpw_room(w, 2)) {
			w->p[0] = 0xc4; w->p[1] = (uint8_t)len; w->p += 2;
		}
	} else if (len <= 0xffff) {
		if (pt_mpw_room(w, 3)) {
			w->p[0] = 0xc5; pt_mpw_be16(w->p + 1, (uint16_t)len); w->p += 3;
		}
	} else if (pt_mpw_room(w, 5)) {
		w->p[0] = 0xc6; pt_mpw_be32(w->p + 1, (uint32_t)len); w->p += 5;
	}
	if (pt_mpw_room(w, len)) {
		memcpy(w->p, s, len);
		w->p += len;
	}
}

static inline void pt_mpw_cstr(struct pt_mpw *w, const char *s)
{
	pt_mpw_bin(w, s, s ? strlen(s) : 0);
}

/* ---- reader ---- */

struct pt_mpr {
	const uint8_t *p;
	const uint8_t *end;
};

/* A byte string as read: points into the reader's buffer, not NUL-terminated. */
struct pt_bytes {
	const uint8_t *p;
	uint32_t len;
};

enum pt_mp_kind {
	PT_MP_NIL, PT_MP_BOOL, PT_MP_UINT, PT_MP_INT, PT_MP_FLOAT, PT_MP_STR, PT_MP_BIN,
	PT_MP_ARRAY, PT_MP_MAP, PT_MP_EXT,
};

static inline void pt_mpr_init(struct pt_mpr *r, const void *buf, size_t len)
{
	r->p = buf;
	r->end = (const uint8_t *)buf + len;
}

static inline size_t pt_mpr_left(const struct pt_mpr *r) { return (size_t)(r->end - r->p); }

/* The kind of the next value, or -1 at the end of input. */
int pt_mpr_peek(const struct pt_mpr *r);
/* Array or map header; the count is checked against the bytes left (each element takes
 * at least one byte, each map entry two). */
int pt_mpr_array(struct pt_mpr *r, uint32_t *n);
int pt_mpr_map(struct pt_mpr *r, uint32_t *n);
/* Integers: a negative value read as unsigned, or one out of range, is PT_EWIRE. */
int pt_mpr_uint(struct pt_mpr *r, uint64_t *v);
int pt_mpr_int(struct pt_mpr *r, int64_t *v);
/* str or bin; nil reads as an empty string. */
int pt_mpr_bytes(struct pt_mpr *r, struct pt_bytes *b);
int pt_mpr_nil(struct pt_mpr *r);
/* Skip one complete value of any kind, nested at most PT_MPR_DEPTH deep. */
int pt_mpr_skip(struct pt_mpr *r);

#endif /* PT_WIRE_H */
