/* wire-test.c — the msgpack writer and reader of collector/wire.h checked against msgpack-c
 * in both directions, the reader's defences against hostile input, and pt_ev_parse. */
#include "config.h"

#include <msgpack.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collector/event.h"
#include "collector/wire.h"
#include "tests/check.h"

/* Copy `len` bytes into a heap block of exactly that size, so that a read past the end
 * is caught by AddressSanitizer in the sanitizer build. */
static uint8_t *exact(const void *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	CHECK(b != NULL);
	if (len)
		memcpy(b, p, len);
	return b;
}

/* A msgpack-c buffer, rewound for each value. */
static msgpack_sbuffer sbuf;
static msgpack_packer pk;

static void mp_reset(void)
{
	msgpack_sbuffer_clear(&sbuf);
}

/* Every proper prefix of a well-formed value must be refused by the skipper. */
static void check_prefixes(const uint8_t *enc, size_t len)
{
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *b = exact(enc, cut);
		struct pt_mpr r;

		pt_mpr_init(&r, b, cut);
		if (pt_mpr_skip(&r) != PT_EWIRE) {
			fprintf(stderr, "a %zu-byte prefix of a %zu-byte value was accepted\n", cut, len);
			exit(1);
		}
		free(b);
	}
}

/* ---- integers */

static void check_uint(uint64_t v)
{
	uint8_t buf[16];
	struct pt_mpw w;
	struct pt_mpr r;
	uint64_t got;
	int64_t sgot;
	msgpack_unpacked u;
	size_t off = 0, len;

	/* ours → msgpack-c: the same bytes, and msgpack-c reads the value back */
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_uint(&w, v);
	CHECK(!w.overflow);
	len = (size_t)(w.p - buf);
	mp_reset();
	msgpack_pack_uint64(&pk, v);
	CHECK_UINT(len, ==, sbuf.size);
	CHECK_MEM(buf, sbuf.data, len);
	msgpack_unpacked_init(&u);
	CHECK_INT(msgpack_unpack_next(&u, (const char *)buf, len, &off), ==, MSGPACK_UNPACK_SUCCESS);
	CHECK_INT(u.data.type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
	CHECK_UINT(u.data.via.u64, ==, v);
	CHECK_UINT(off, ==, len);
	msgpack_unpacked_destroy(&u);

	/* msgpack-c → ours, in its shortest form and in the 64-bit form it may also use */
	uint8_t *b = exact(sbuf.data, sbuf.size);
	pt_mpr_init(&r, b, sbuf.size);
	CHECK_INT(pt_mpr_uint(&r, &got), ==, 0);
	CHECK_UINT(got, ==, v);
	CHECK_UINT(pt_mpr_left(&r), ==, 0);
	pt_mpr_init(&r, b, sbuf.size);
	if (v <= INT64_MAX) {
		CHECK_INT(pt_mpr_int(&r, &sgot), ==, 0);
		CHECK_INT(sgot, ==, (int64_t)v);
	} else {
		CHECK_INT(pt_mpr_int(&r, &sgot), ==, PT_EWIRE);
	}
	free(b);
	mp_reset();
	msgpack_pack_fix_uint64(&pk, v);
	b = exact(sbuf.data, sbuf.size);
	pt_mpr_init(&r, b, sbuf.size);
	CHECK_INT(pt_mpr_uint(&r, &got), ==, 0);
	CHECK_UINT(got, ==, v);
	free(b);
	check_prefixes(buf, len);
}

static void check_int(int64_t v)
{
	uint8_t buf[16];
	struct pt_mpw w;
	struct pt_mpr r;
	int64_t got;
	uint64_t ugot;
	msgpack_unpacked u;
	size_t off = 0, len;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_int(&w, v);
	CHECK(!w.overflow);
	len = (size_t)(w.p - buf);
	mp_reset();
	msgpack_pack_int64(&pk, v);
	CHECK_UINT(len, ==, sbuf.size);
	CHECK_MEM(buf, sbuf.data, len);
	msgpack_unpacked_init(&u);
	CHECK_INT(msgpack_unpack_next(&u, (const char *)buf, len, &off), ==, MSGPACK_UNPACK_SUCCESS);
	if (v < 0) {
		CHECK_INT(u.data.type, ==, MSGPACK_OBJECT_NEGATIVE_INTEGER);
		CHECK_INT(u.data.via.i64, ==, v);
	} else {
		CHECK_INT(u.data.type, ==, MSGPACK_OBJECT_POSITIVE_INTEGER);
		CHECK_UINT(u.data.via.u64, ==, (uint64_t)v);
	}
	msgpack_unpacked_destroy(&u);

	uint8_t *b = exact(sbuf.data, sbuf.size);
	pt_mpr_init(&r, b, sbuf.size);
	CHECK_INT(pt_mpr_int(&r, &got), ==, 0);
	CHECK_INT(got, ==, v);
	CHECK_UINT(pt_mpr_left(&r), ==, 0);
	/* a negative value is not an unsigned one */
	pt_mpr_init(&r, b, sbuf.size);
	CHECK_INT(pt_mpr_uint(&r, &ugot), ==, v < 0 ? PT_EWIRE : 0);
	free(b);
	/* the fixed-width signed forms msgpack-c can also produce */
	mp_reset();
	msgpack_pack_fix_int64(&pk, v);
	b = exact(sbuf.data, sbuf.size);
	pt_mpr_init(&r, b, sbuf.size);
	CHECK_INT(pt_mpr_int(&r, &got), ==, 0);
	CHECK_INT(got, ==, v);
	free(b);
	if (v >= INT32_MIN && v <= INT32_MAX) {
		mp_reset();
		msgpack_pack_fix_int32(&pk, (int32_t)v);
		b = exact(sbuf.data, sbuf.size);
		pt_mpr_init(&r, b, sbuf.size);
		CHECK_INT(pt_mpr_int(&r, &got), ==, 0);
		CHECK_INT(got, ==, v);
		free(b);
	}
	check_prefixes(buf, len);
}

static void integers(void)
{
	static const uint64_t u[] = {
		0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffffu, 0x100000000ull,
		(uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1, UINT64_MAX,
	};
	static const int64_t s[] = {
		0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffffll, 0x100000000ll, INT64_MAX,
		-1, -31, -32, -33, -127, -128, -129, -32767, -32768, -32769,
		INT32_MIN + 1ll, INT32_MIN, INT32_MIN - 1ll, INT64_MIN + 1, INT64_MIN,
	};

	for (size_t i = 0; i < sizeof u / sizeof u[0]; i++)
		check_uint(u[i]);
	for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
		check_int(s[i]);
}

/* ---- strings and byte strings */

static void check_bytes(size_t n, int bin)
{
	size_t cap = n + 16, len, off = 0;
	uint8_t *payload = malloc(n + 1), *buf = malloc(cap);
	struct pt_mpw w;
	struct pt_mpr r;
	struct pt_bytes b;
	msgpack_unpacked u;

	CHECK(payload && buf);
	for (size_t i = 0; i < n; i++)
		payload[i] = bin ? (uint8_t)(i * 7 + 3) : (uint8_t)('a' + i % 26);
	pt_mpw_init(&w, buf, cap);
	if (bin)
		pt_mpw_bin(&w, payload, n);
	else
		pt_mpw_str(&w, (const char *)payload, n);
	CHECK(!w.overflow);
	len = (size_t)(w.p - buf);
	mp_reset();
	if (bin) {
		msgpack_pack_bin(&pk, n);
		msgpack_pack_bin_body(&pk, payload, n);
	} else {
		msgpack_pack_str(&pk, n);
		msgpack_pack_str_body(&pk, payload, n);
	}
	CHECK_UINT(len, ==, sbuf.size);
	CHECK_MEM(buf, sbuf.data, len);
	msgpack_unpacked_init(&u);
	CHECK_INT(msgpack_unpack_next(&u, (const char *)buf, len, &off), ==, MSGPACK_UNPACK_SUCCESS);
	CHECK_INT(u.data.type, ==, bin ? MSGPACK_OBJECT_BIN : MSGPACK_OBJECT_STR);
	CHECK_UINT(bin ? u.data.via.bin.size : u.data.via.str.size, ==, n);
	CHECK_MEM(bin ? u.data.via.bin.ptr : u.data.via.str.ptr, payload, n);
	msgpack_unpacked_destroy(&u);

	uint8_t *e = exact(sbuf.data, sbuf.size);
	pt_mpr_init(&r, e, sbuf.size);
	CHECK_INT(pt_mpr_peek(&r), ==, bin ? PT_MP_BIN : PT_MP_STR);
	CHECK_INT(pt_mpr_bytes(&r, &b), ==, 0);
	CHECK_UINT(b.len, ==, n);
	CHECK_MEM(b.p, payload, n);
	CHECK_UINT(pt_mpr_left(&r), ==, 0);
	free(e);
	/* prefixes: every cut inside the header, and a few inside the body */
	for (size_t cut = 0; cut < len; cut += (cut < 8 || len - cut < 8) ? 1 : (len / 7 + 1)) {
		e = exact(buf, cut);
		pt_mpr_init(&r, e, cut);
		CHECK_INT(pt_mpr_bytes(&r, &b), ==, PT_EWIRE);
		pt_mpr_init(&r, e, cut);
		CHECK_INT(pt_mpr_skip(&r), ==, PT_EWIRE);
		free(e);
	}
	/* a writer one byte short stops and says so, writing nothing past its end */
	pt_mpw_init(&w, buf, len - 1);
	if (bin)
		pt_mpw_bin(&w, payload, n);
	else
		pt_mpw_str(&w, (const char *)payload, n);
	CHECK_INT(w.overflow, ==, 1);
	CHECK(w.p == buf + len - 1);
	free(payload);
	free(buf);
}

static void strings(void)
{
	static const size_t lens[] = { 0, 1, 31, 32, 255, 256, 65535, 65536, 70000 };

	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		check_bytes(lens[i], 0);
		check_bytes(lens[i], 1);
	}
}

/* ---- containers */

static void check_container(uint32_t n, int map)
{
	size_t cap = 2 * (size_t)n + 16, len, off = 0;
	uint8_t *buf = malloc(cap);
	struct pt_mpw w;
	struct pt_mpr r;
	uint32_t got;
	msgpack_unpacked u;

	CHECK(buf != NULL);
	pt_mpw_init(&w, buf, cap);
	if (map)
		pt_mpw_map(&w, n);
	else
		pt_mpw_array(&w, n);
	size_t hdr = (size_t)(w.p - buf);
	mp_reset();
	if (map)
		msgpack_pack_map(&pk, n);
	else
		msgpack_pack_array(&pk, n);
	CHECK_UINT(hdr, ==, sbuf.size);
	CHECK_MEM(buf, sbuf.data, hdr);
	/* elements: small integers, so that the count check is tight (one byte each) */
	for (uint32_t i = 0; i < (map ? 2 * n : n); i++)
		pt_mpw_uint(&w, i & 0x7f);
	CHECK(!w.overflow);
	len = (size_t)(w.p - buf);

	msgpack_unpacked_init(&u);
	CHECK_INT(msgpack_unpack_next(&u, (const char *)buf, len, &off), ==, MSGPACK_UNPACK_SUCCESS);
	CHECK_INT(u.data.type, ==, map ? MSGPACK_OBJECT_MAP : MSGPACK_OBJECT_ARRAY);
	CHECK_UINT(map ? u.data.via.map.size : u.data.via.array.size, ==, n);
	if (n) {
		if (map)
			CHECK_UINT(u.data.via.map.ptr[n - 1].val.via.u64, ==, (2 * n - 1) & 0x7f);
		else
			CHECK_UINT(u.data.via.array.ptr[n - 1].via.u64, ==, (n - 1) & 0x7f);
	}
	msgpack_unpacked_destroy(&u);

	uint8_t *e = exact(buf, len);
	pt_mpr_init(&r, e, len);
	CHECK_INT(map ? pt_mpr_map(&r, &got) : pt_mpr_array(&r, &got), ==, 0);
	CHECK_UINT(got, ==, n);
	pt_mpr_init(&r, e, len);
	CHECK_INT(pt_mpr_skip(&r), ==, 0);
	CHECK_UINT(pt_mpr_left(&r), ==, 0);
	free(e);
	/* one element short: the header's count exceeds what is left */
	if (n) {
		e = exact(buf, len - 1);
		pt_mpr_init(&r, e, len - 1);
		CHECK_INT(map ? pt_mpr_map(&r, &got) : pt_mpr_array(&r, &got), ==, PT_EWIRE);
		pt_mpr_init(&r, e, len - 1);
		CHECK_INT(pt_mpr_skip(&r), ==, PT_EWIRE);
		free(e);
	}
	for (size_t cut = 0; cut < hdr; cut++) {
		e = exact(buf, cut);
		pt_mpr_init(&r, e, cut);
		CHECK_INT(pt_mpr_skip(&r), ==, PT_EWIRE);
		free(e);
	}
	free(buf);
}

static void containers(void)
{
	static const uint32_t ns[] = { 0, 1, 15, 16, 65535, 65536 };

	for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
		check_container(ns[i], 0);
		check_container(ns[i], 1);
	}
}

/* ---- hostile input (RELIABILITY.md case 18) */

static int skip_of(const uint8_t *p, size_t n)
{
	uint8_t *e = exact(p, n);
	struct pt_mpr r;
	int ret;

	pt_mpr_init(&r, e, n);
	ret = pt_mpr_skip(&r);
	free(e);
	return ret;
}

/* `depth` containers, each the only element (or value) of the one around it; the
 * innermost is empty */
static size_t nest(uint8_t *buf, unsigned depth, int map)
{
	size_t n = 0;

	for (unsigned i = 0; i + 1 < depth; i++) {
		buf[n++] = map ? 0x81 : 0x91;
		if (map)
			buf[n++] = 0x00;   /* the key */
	}
	buf[n++] = map ? 0x80 : 0x90;
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void hostile(void)
{
	/* msgpack-c answers NOMEM or waits for 4 GiB here; ours refuses at once */
	static const uint8_t arr32[] = { 0xdd, 0xff, 0x00, 0x00, 0x00 };
	static const uint8_t str32[] = { 0xdb, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t bin32[] = { 0xc6, 0xff, 0xff, 0xff, 0xff, 'x' };
	static const uint8_t map32[] = { 0xdf, 0x80, 0x00, 0x00, 0x00, 0x01, 0x02 };
	static const uint8_t arr16[] = { 0xdc, 0x00, 0x05, 0x01, 0x02 };      /* 5 claimed, 2 left */
	static const uint8_t map16[] = { 0xde, 0x00, 0x02, 0x01, 0x02, 0x03 }; /* 2 entries, 3 bytes */
	static const uint8_t ext32[] = { 0xc9, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t never[] = { 0xc1 };
	uint8_t deep[4 * 200 + 8];
	struct pt_mpr r;
	struct pt_bytes b;
	uint32_t n;

	CHECK_INT(skip_of(arr32, sizeof arr32), ==, PT_EWIRE);
	CHECK_INT(skip_of(str32, sizeof str32), ==, PT_EWIRE);
	CHECK_INT(skip_of(bin32, sizeof bin32), ==, PT_EWIRE);
	CHECK_INT(skip_of(map32, sizeof map32), ==, PT_EWIRE);
	CHECK_INT(skip_of(arr16, sizeof arr16), ==, PT_EWIRE);
	CHECK_INT(skip_of(map16, sizeof map16), ==, PT_EWIRE);
	CHECK_INT(skip_of(ext32, sizeof ext32), ==, PT_EWIRE);
	CHECK_INT(skip_of(never, sizeof never), ==, PT_EWIRE);
	pt_mpr_init(&r, arr32, sizeof arr32);
	CHECK_INT(pt_mpr_array(&r, &n), ==, PT_EWIRE);
	pt_mpr_init(&r, str32, sizeof str32);
	CHECK_INT(pt_mpr_bytes(&r, &b), ==, PT_EWIRE);
	pt_mpr_init(&r, map32, sizeof map32);
	CHECK_INT(pt_mpr_map(&r, &n), ==, PT_EWIRE);

	/* nesting: PT_MPR_DEPTH containers deep is the limit */
	for (int map = 0; map <= 1; map++) {
		size_t len = nest(deep, PT_MPR_DEPTH, map);
		CHECK_INT(skip_of(deep, len), ==, 0);
		len = nest(deep, PT_MPR_DEPTH + 1, map);
		CHECK_INT(skip_of(deep, len), ==, PT_EWIRE);
		len = nest(deep, 200, map);
		CHECK_INT(skip_of(deep, len), ==, PT_EWIRE);
	}

	/* quickly: the refusals cost no more than a few bytes' work each, whatever the
	 * claimed sizes (a generous bound, for a loaded machine and the sanitizers) */
	size_t big = 1u << 20;
	uint8_t *huge = calloc(1, big);
	CHECK(huge != NULL);
	huge[0] = 0xdd;            /* array32 of 0xffffffff nils: more than the MiB left */
	huge[1] = huge[2] = huge[3] = huge[4] = 0xff;
	double t0 = now_s();
	for (int i = 0; i < 100000; i++) {
		pt_mpr_init(&r, huge, big);
		CHECK_INT(pt_mpr_skip(&r), ==, PT_EWIRE);
		pt_mpr_init(&r, str32, sizeof str32);
		CHECK_INT(pt_mpr_skip(&r), ==, PT_EWIRE);
		pt_mpr_init(&r, deep, nest(deep, 200, 0));
		CHECK_INT(pt_mpr_skip(&r), ==, PT_EWIRE);
	}
	double dt = now_s() - t0;
	if (dt > 5.0) {
		fprintf(stderr, "300000 refusals took %.2f s\n", dt);
		exit(1);
	}
	free(huge);
}

/* ---- records */

static int parse_of(const uint8_t *p, size_t n, struct pt_ev *ev)
{
	uint8_t *e = exact(p, n);
	int r = pt_ev_parse(e, n, ev);

	free(e);
	return r;
}

static void records(void)
{
	uint8_t buf[512];
	struct pt_mpw w;
	struct pt_ev ev;
	size_t len;

	/* a well-formed OPEN */
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 10);
	pt_mpw_uint(&w, PT_EV_OPEN);
	pt_mpw_uint(&w, 1234567890123456789ull);
	pt_mpw_uint(&w, 7);
	pt_mpw_uint(&w, 3);
	pt_mpw_bin(&w, "/a/b", 4);
	pt_mpw_uint(&w, 0101);
	pt_mpw_uint(&w, 0644);
	pt_mpw_uint(&w, PT_KIND_FILE);
	pt_mpw_int(&w, -5);
	pt_mpw_array(&w, 0);
	len = (size_t)(w.p - buf);
	CHECK(!w.overflow);
	CHECK_INT(parse_of(buf, len, &ev), ==, 0);
	CHECK_UINT(ev.type, ==, PT_EV_OPEN);
	CHECK_UINT(ev.ts, ==, 1234567890123456789ull);
	CHECK_UINT(ev.n, ==, 8);
	CHECK_UINT(pt_ev_u(&ev, 0), ==, 7);
	CHECK_UINT(pt_ev_b(&ev, 2).len, ==, 4);
	CHECK_INT(pt_ev_i(&ev, 6), ==, -5);
	CHECK_UINT(pt_ev_u(&ev, 6), ==, 0);      /* a negative value read as unsigned */
	CHECK_UINT(pt_ev_u(&ev, 20), ==, 0);     /* a field the record lacks */
	CHECK_UINT(pt_ev_b(&ev, 0).len, ==, 0);  /* a field of another kind */
	CHECK_UINT(ev.v[7].count, ==, 0);
	for (size_t cut = 0; cut < len; cut++)
		CHECK_INT(parse_of(buf, cut, &ev), ==, PT_EWIRE);

	/* unsigned fields of every width (the parser reads them in line), at each boundary,
	 * with their signed view; every prefix of the record is refused */
	static const uint64_t widths[] = { 0, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
					   0xffffffffull, 0x100000000ull, INT64_MAX,
					   (uint64_t)INT64_MAX + 1, UINT64_MAX };
	const size_t nw = sizeof widths / sizeof widths[0];
	uint8_t ubuf[256];
	pt_mpw_init(&w, ubuf, sizeof ubuf);
	pt_mpw_array(&w, (uint32_t)(nw + 2));
	pt_mpw_uint(&w, PT_EV_CLOSE);
	pt_mpw_uint(&w, 99);
	for (size_t i = 0; i < nw; i++)
		pt_mpw_uint(&w, widths[i]);
	size_t ulen = (size_t)(w.p - ubuf);
	CHECK(!w.overflow);
	CHECK_INT(parse_of(ubuf, ulen, &ev), ==, 0);
	CHECK_UINT(ev.n, ==, nw);
	for (size_t i = 0; i < nw; i++) {
		CHECK_INT(ev.v[i].kind, ==, PT_MP_UINT);
		CHECK_UINT(pt_ev_u(&ev, (unsigned)i), ==, widths[i]);
		CHECK_INT(pt_ev_i(&ev, (unsigned)i), ==,
			  widths[i] <= INT64_MAX ? (int64_t)widths[i] : 0);
		CHECK_UINT(pt_ev_b(&ev, (unsigned)i).len, ==, 0);
	}
	for (size_t cut = 0; cut < ulen; cut++)
		CHECK_INT(parse_of(ubuf, cut, &ev), ==, PT_EWIRE);

	/* trailing bytes after the record */
	buf[len] = 0xc0;
	CHECK_INT(parse_of(buf, len + 1, &ev), ==, PT_EWIRE);

	/* not an array */
	static const uint8_t scalar[] = { 0x01 };
	static const uint8_t amap[] = { 0x82, 0x01, 0x02, 0x03, 0x04 };
	static const uint8_t astr[] = { 0xa2, 'h', 'i' };
	CHECK_INT(parse_of(scalar, sizeof scalar, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(amap, sizeof amap, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(astr, sizeof astr, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(buf, 0, &ev), ==, PT_EWIRE);
	/* fewer than [type, ts] */
	static const uint8_t one[] = { 0x91, 0x01 };
	static const uint8_t none[] = { 0x90 };
	CHECK_INT(parse_of(one, sizeof one, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(none, sizeof none, &ev), ==, PT_EWIRE);
	/* type 0, 256, negative, a string; ts negative */
	static const uint8_t t0[] = { 0x92, 0x00, 0x05 };
	static const uint8_t t256[] = { 0x92, 0xcd, 0x01, 0x00, 0x05 };
	static const uint8_t tneg[] = { 0x92, 0xff, 0x05 };
	static const uint8_t tstr[] = { 0x92, 0xa1, 'x', 0x05 };
	static const uint8_t tsneg[] = { 0x92, 0x01, 0xff };
	static const uint8_t t255[] = { 0x92, 0xcc, 0xff, 0x05 };
	static const uint8_t t1[] = { 0x92, 0x01, 0x05 };
	CHECK_INT(parse_of(t0, sizeof t0, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(t256, sizeof t256, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(tneg, sizeof tneg, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(tstr, sizeof tstr, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(tsneg, sizeof tsneg, &ev), ==, PT_EWIRE);
	CHECK_INT(parse_of(t255, sizeof t255, &ev), ==, 0);
	CHECK_UINT(ev.type, ==, 255);
	CHECK_INT(parse_of(t1, sizeof t1, &ev), ==, 0);
	CHECK_UINT(ev.type, ==, 1);
	CHECK_UINT(ev.ts, ==, 5);
	CHECK_UINT(ev.n, ==, 0);

	/* more fields than kept: the extra ones are checked, not stored */
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 2 + PT_EV_FIELDS + 6);
	pt_mpw_uint(&w, 200);
	pt_mpw_uint(&w, 1);
	for (unsigned i = 0; i < PT_EV_FIELDS + 5; i++)
		pt_mpw_uint(&w, 1000 + i);
	pt_mpw_nil(&w);
	len = (size_t)(w.p - buf);
	CHECK_INT(parse_of(buf, len, &ev), ==, 0);
	CHECK_UINT(ev.n, ==, PT_EV_FIELDS);
	CHECK_UINT(pt_ev_u(&ev, PT_EV_FIELDS - 1), ==, 1000 + PT_EV_FIELDS - 1);
	/* a malformed field past the kept ones still makes the record malformed */
	buf[len - 1] = 0xc1;
	CHECK_INT(parse_of(buf, len, &ev), ==, PT_EWIRE);

	/* a field nested too deep */
	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_array(&w, 3);
	pt_mpw_uint(&w, 8);
	pt_mpw_uint(&w, 1);
	len = (size_t)(w.p - buf);
	len += nest(buf + len, 200, 0);
	CHECK_INT(parse_of(buf, len, &ev), ==, PT_EWIRE);
}

int main(void)
{
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	integers();
	strings();
	containers();
	hostile();
	records();
	msgpack_sbuffer_destroy(&sbuf);
	printf("wire: all checks passed\n");
	return 0;
}
