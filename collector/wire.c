/* wire.c — the bounded msgpack reader (see wire.h).
 * Every length is checked against the bytes left before it is trusted. */
#include "config.h"

#include "wire.h"

static uint64_t be(const uint8_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* Consume a header of `n` bytes after the tag; fails when fewer remain. */
static int take(struct pt_mpr *r, size_t n, const uint8_t **at)
{
	if (pt_mpr_left(r) < n)
		return PT_EWIRE;
	*at = r->p;
	r->p += n;
	return 0;
}

int pt_mpr_peek(const struct pt_mpr *r)
{
	uint8_t c;

	if (r->p >= r->end)
		return -1;
	c = *r->p;
	if (c <= 0x7f)
		return PT_MP_UINT;
	if (c <= 0x8f)
		return PT_MP_MAP;
	if (c <= 0x9f)
		return PT_MP_ARRAY;
	if (c <= 0xbf)
		return PT_MP_STR;
	if (c >= 0xe0)
		return PT_MP_INT;
	switch (c) {
	case 0xc0: return PT_MP_NIL;
	case 0xc2: case 0xc3: return PT_MP_BOOL;
	case 0xc4: case 0xc5: case 0xc6: return PT_MP_BIN;
	case 0xc7: case 0xc8: case 0xc9: case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
		return PT_MP_EXT;
	case 0xca: case 0xcb: return PT_MP_FLOAT;
	case 0xcc: case 0xcd: case 0xce: case 0xcf: return PT_MP_UINT;
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: return PT_MP_INT;
	case 0xd9: case 0xda: case 0xdb: return PT_MP_STR;
	case 0xdc: case 0xdd: return PT_MP_ARRAY;
	case 0xde: case 0xdf: return PT_MP_MAP;
	default: return PT_MP_EXT;   /* 0xc1: never used; treated as malformed by readers */
	}
}

static int container(struct pt_mpr *r, uint32_t *n, uint8_t fix, uint8_t b16, unsigned per)
{
	const uint8_t *h;
	uint8_t c;
	uint64_t v;

	if (r->p >= r->end)
		return PT_EWIRE;
	c = *r->p++;
	if ((c & 0xf0) == fix) {
		v = c & 0x0f;
	} else if (c == b16) {
		if (take(r, 2, &h))
			return PT_EWIRE;
		v = be(h, 2);
	} else if (c == b16 + 1) {
		if (take(r, 4, &h))
			return PT_EWIRE;
		v = be(h, 4);
	} else {
		return PT_EWIRE;
	}
	if (v * per > pt_mpr_left(r))
		return PT_EWIRE;
	*n = (uint32_t)v;
	return 0;
}

int pt_mpr_array(struct pt_mpr *r, uint32_t *n)
{
	return container(r, n, 0x90, 0xdc, 1);
}

int pt_mpr_map(struct pt_mpr *r, uint32_t *n)
{
	return container(r, n, 0x80, 0xde, 2);
}

/* Reads any integer into a signed 128-bit-free form: *neg tells the sign. */
static int integer(struct pt_mpr *r, uint64_t *mag, int *neg)
{
	const uint8_t *h;
	uint8_t c;

	if (r->p >= r->end)
		return PT_EWIRE;
	c = *r->p++;
	*neg = 0;
	if (c <= 0x7f) {
		*mag = c;
		return 0;
	}
	if (c >= 0xe0) {
		*neg = 1;
		*mag = (uint64_t)(-(int64_t)(int8_t)c);
		return 0;
	}
	switch (c) {
	case 0xcc: case 0xcd: case 0xce: case 0xcf: {
		int n = 1 << (c - 0xcc);
		if (take(r, (size_t)n, &h))
			return PT_EWIRE;
		*mag = be(h, n);
		return 0;
	}
	case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
		int n = 1 << (c - 0xd0);
		int64_t s;
		uint64_t u;
		if (take(r, (size_t)n, &h))
			return PT_EWIRE;
		u = be(h, n);
		/* sign-extend from n bytes */
		if (n < 8 && (u >> (n * 8 - 1)) & 1)
			u |= ~(uint64_t)0 << (n * 8);
		s = (int64_t)u;
		if (s < 0) {
			*neg = 1;
			*mag = (uint64_t)0 - (uint64_t)s;
		} else {
			*mag = (uint64_t)s;
		}
		return 0;
	}
	default:
		r->p--;
		return PT_EWIRE;
	}
}

int pt_mpr_uint(struct pt_mpr *r, uint64_t *v)
{
	int neg;

	if (integer(r, v, &neg))
		return PT_EWIRE;
	return neg ? PT_EWIRE : 0;
}

int pt_mpr_int(struct pt_mpr *r, int64_t *v)
{
	uint64_t mag;
	int neg;

	if (integer(r, &mag, &neg))
		return PT_EWIRE;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return PT_EWIRE;
		*v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > INT64_MAX)
			return PT_EWIRE;
		*v = (int64_t)mag;
	}
	return 0;
}

int pt_mpr_bytes(struct pt_mpr *r, struct pt_bytes *b)
{
	const uint8_t *h;
	uint8_t c;
	uint64_t n;

	if (r->p >= r->end)
		return PT_EWIRE;
	c = *r->p++;
	if (c >= 0xa0 && c <= 0xbf) {
		n = c & 0x1f;
	} else if (c == 0xc0) {
		b->p = r->p;
		b->len = 0;
		return 0;
	} else if (c == 0xc4 || c == 0xd9) {
		if (take(r, 1, &h))
			return PT_EWIRE;
		n = h[0];
	} else if (c == 0xc5 || c == 0xda) {
		if (take(r, 2, &h))
			return PT_EWIRE;
		n = be(h, 2);
	} else if (c == 0xc6 || c == 0xdb) {
		if (take(r, 4, &h))
			return PT_EWIRE;
		n = be(h, 4);
	} else {
		return PT_EWIRE;
	}
	if (n > pt_mpr_left(r))
		return PT_EWIRE;
	b->p = r->p;
	b->len = (uint32_t)n;
	r->p += n;
	return 0;
}

int pt_mpr_nil(struct pt_mpr *r)
{
	if (r->p >= r->end || *r->p != 0xc0)
		return PT_EWIRE;
	r->p++;
	return 0;
}

static int skip(struct pt_mpr *r, int depth)
{
	const uint8_t *h;
	struct pt_bytes b;
	uint64_t u;
	uint32_t n;
	int k = pt_mpr_peek(r);

	/* depth counts the containers around this value: PT_MPR_DEPTH of them at most */
	if (depth > PT_MPR_DEPTH ||
	    (depth == PT_MPR_DEPTH && (k == PT_MP_ARRAY || k == PT_MP_MAP)))
		return PT_EWIRE;
	switch (k) {
	case PT_MP_NIL: case PT_MP_BOOL:
		if (*r->p == 0xc1)
			return PT_EWIRE;
		r->p++;
		return 0;
	case PT_MP_UINT: case PT_MP_INT: {
		int neg;
		return integer(r, &u, &neg);
	}
	case PT_MP_FLOAT:
		return take(r, *r->p == 0xca ? 5 : 9, &h);
	case PT_MP_STR: case PT_MP_BIN:
		return pt_mpr_bytes(r, &b);
	case PT_MP_ARRAY:
		if (pt_mpr_array(r, &n))
			return PT_EWIRE;
		while (n--)
			if (skip(r, depth + 1))
				return PT_EWIRE;
		return 0;
	case PT_MP_MAP:
		if (pt_mpr_map(r, &n))
			return PT_EWIRE;
		while (n--)
			if (skip(r, depth + 1) || skip(r, depth + 1))
				return PT_EWIRE;
		return 0;
	case PT_MP_EXT: {
		uint8_t c = *r->p++;
		uint64_t len;
		switch (c) {
		case 0xd4: len = 1; break;
		case 0xd5: len = 2; break;
		case 0xd6: len = 4; break;
		case 0xd7: len = 8; break;
		case 0xd8: len = 16; break;
		case 0xc7: if (take(r, 1, &h)) return PT_EWIRE; len = h[0]; break;
		case 0xc8: if (take(r, 2, &h)) return PT_EWIRE; len = be(h, 2); break;
		case 0xc9: if (take(r, 4, &h)) return PT_EWIRE; len = be(h, 4); break;
		default: return PT_EWIRE;
		}
		/* one type byte, then the data */
		return take(r, (size_t)len + 1, &h);
	}
	default:
		return PT_EWIRE;
	}
}

int pt_mpr_skip(struct pt_mpr *r)
{
	return skip(r, 0);
}
