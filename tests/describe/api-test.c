/* api-test.c — rdf/describe.h's contract, on files this test writes: sniffing, the
 * order and types of facts, the limits (items, bytes, time), a callback that stops, no
 * fact handed over with a gap, errno kept; and the child process of isolate.c: a
 * describer that aborts, hangs or exits is a gap, not the caller's end. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdf/describe.h"
#include "rdf/describe/int.h"
#include "tests/check.h"

#define CHECK_STR(a, b)                                                                    \
	do {                                                                               \
		const char *a_ = (a), *b_ = (b);                                           \
		if (!a_ || !b_ || strcmp(a_, b_)) {                                        \
			fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__,       \
				a_ ? a_ : "(null)", b_ ? b_ : "(null)");                   \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

static char dir[] = "/tmp/pt-describe-api.XXXXXX";

struct rec {
	int n, stop_at;
	char lines[64][160];
};

static int collect(void *ctx, const char *item, const char *key, int type, const char *value)
{
	struct rec *r = ctx;

	if (r->n < 64)
		snprintf(r->lines[r->n], sizeof r->lines[0], "%s|%s|%d|%s", item, key, type, value);
	r->n++;
	return r->stop_at && r->n >= r->stop_at;
}

static char *file(const char *name, const void *data, size_t n)
{
	static char path[256];
	int fd;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, data, n) == (ssize_t)n);
	close(fd);
	return path;
}

static void sniffing(void)
{
	static const unsigned char npy[] = "\x93NUMPY\x01\x00";
	unsigned char zip[64] = "PK\x03\x04";
	static const unsigned char h5[] = "\x89HDF\r\n\x1a\n";
	static const unsigned char st[] = "\x10\0\0\0\0\0\0\0{\"a\":";

	CHECK_STR(pt_describe_sniff(npy, 8, NULL), "npy");
	CHECK_STR(pt_describe_sniff(npy, 8, "x.csv"), "npy");   /* magic before name */
	zip[26] = 5;
	memcpy(zip + 30, "x.npy", 5);
	CHECK_STR(pt_describe_sniff(zip, 35, NULL), "npz");
	zip[26] = 13;
	memcpy(zip + 30, "arch/data.pkl", 13);
	CHECK_STR(pt_describe_sniff(zip, 43, NULL), "pytorch");
	CHECK(pt_describe_sniff(zip, 40, NULL) == NULL);   /* its name cut off */
	zip[26] = 3;
	memcpy(zip + 30, "a.b", 3);
	CHECK(pt_describe_sniff(zip, 33, NULL) == NULL);   /* some other zip */
	CHECK_STR(pt_describe_sniff(zip, 33, "m.pth"), "pytorch");
	CHECK_STR(pt_describe_sniff(h5, 8, NULL), "hdf5");
	CHECK_STR(pt_describe_sniff(h5, 8, "a.nc"), "netcdf");
	CHECK_STR(pt_describe_sniff((const unsigned char *)"CDF\x02", 4, NULL), "netcdf");
	CHECK_STR(pt_describe_sniff(st, sizeof st - 1, NULL), "safetensors");
	CHECK_STR(pt_describe_sniff((const unsigned char *)"a,b\n", 4, "T.CSV"), "csv");
	CHECK_STR(pt_describe_sniff((const unsigned char *)"\x08\x07", 2, "m.onnx"), "onnx");
	CHECK(pt_describe_sniff((const unsigned char *)"hello", 5, NULL) == NULL);
	CHECK(pt_describe_sniff((const unsigned char *)"hello", 5, "a.txt") == NULL);
	CHECK_STR(pt_describe_sniff(NULL, 0, "a.npz"), "npz");
}

static const char npy_hdr[] = "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }";

static char *write_npy(const char *name, size_t data)
{
	char buf[256];
	size_t h = sizeof npy_hdr - 1, pad = 64 - (10 + h + 1) % 64;

	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (char)(h + pad + 1);
	buf[9] = 0;
	memcpy(buf + 10, npy_hdr, h);
	memset(buf + 10 + h, ' ', pad);
	buf[10 + h + pad] = '\n';
	memset(buf + 11 + h + pad, 0, data);
	return file(name, buf, 11 + h + pad + data);
}

static void facts_and_limits(void)
{
	struct pt_dlimits lim = { 0 };
	struct rec r = { 0 };
	char err[128], *p;

	p = write_npy("a.npy", 12);
	errno = 4321;
	CHECK_INT(pt_describe(p, NULL, NULL, collect, &r, err, sizeof err), ==, 0);
	CHECK_INT(errno, ==, 4321);
	CHECK_INT(r.n, ==, 6);
	CHECK_STR(r.lines[0], "|format|0|npy");
	CHECK_STR(r.lines[1], "|version|0|1.0");
	CHECK_STR(r.lines[2], "|dtype|0|int16");
	CHECK_STR(r.lines[3], "|shape|0|[2, 3]");
	CHECK_STR(r.lines[4], "|fortran_order|3|false");
	CHECK_STR(r.lines[5], "|bytes|1|12");
	CHECK_STR(err, "");

	/* a callback that stops at its second fact */
	memset(&r, 0, sizeof r);
	r.stop_at = 2;
	CHECK_INT(pt_describe(p, "npy", NULL, collect, &r, err, sizeof err), ==, -1);
	CHECK_INT(r.n, ==, 2);
	CHECK_STR(err, "stopped by the callback");

	/* a gap: no fact handed over; err may be absent */
	p = write_npy("cut.npy", 11);
	memset(&r, 0, sizeof r);
	CHECK_INT(pt_describe(p, NULL, NULL, collect, &r, err, sizeof err), ==, -1);
	CHECK_INT(r.n, ==, 0);
	CHECK_STR(err, "truncated data");
	CHECK_INT(pt_describe(p, NULL, NULL, collect, &r, NULL, 0), ==, -1);
	CHECK_INT(pt_describe(p, NULL, NULL, NULL, NULL, err, 8), ==, -1);
	CHECK_STR(err, "truncat");   /* cut to errlen */

	/* bytes: the header needs more than 20 */
	lim.max_bytes = 20;
	p = write_npy("b.npy", 12);
	CHECK_INT(pt_describe(p, NULL, &lim, collect, &r, err, sizeof err), ==, -1);
	CHECK_STR(err, "over the size limit");

	/* items: 2 of 5 columns, 3 omitted, the count last */
	p = file("t.csv", "a,b,c,d,e\n1,2,3,4,5\n", 20);
	lim.max_bytes = 0;
	lim.max_items = 2;
	memset(&r, 0, sizeof r);
	CHECK_INT(pt_describe(p, NULL, &lim, collect, &r, err, sizeof err), ==, 0);
	CHECK_INT(r.n, ==, 7);
	CHECK_STR(r.lines[2], "|columns|1|5");
	CHECK_STR(r.lines[3], "a|index|1|0");
	CHECK_STR(r.lines[4], "b|index|1|1");
	CHECK_STR(r.lines[5], "|rows|1|1");
	CHECK_STR(r.lines[6], "|omitted|1|3");

	/* time: 256 MiB of CSV rows (a sparse file) cannot be counted in 1 ms */
	p = file("big.csv", "a\n", 2);
	CHECK(truncate(p, 256 << 20) == 0);
	lim.max_bytes = 1u << 30;
	lim.max_ms = 1;
	lim.max_items = 0;
	CHECK_INT(pt_describe(p, NULL, &lim, collect, &r, err, sizeof err), ==, -1);
	CHECK_STR(err, "timed out");
	unlink(p);

	CHECK_INT(pt_describe(p, NULL, NULL, collect, &r, err, sizeof err), ==, -1);
	CHECK_STR(err, "cannot open: No such file or directory");
	CHECK_INT(pt_describe(dir, NULL, NULL, collect, &r, err, sizeof err), ==, -1);
	CHECK_STR(err, "not a regular file");
	p = write_npy("c.npy", 12);
	CHECK_INT(pt_describe(p, "xyz", NULL, collect, &r, err, sizeof err), ==, -1);
	CHECK_STR(err, "unknown format xyz");
	CHECK_INT(pt_describe(p, "onnx", NULL, collect, &r, err, sizeof err), ==, -1);
	CHECK_STR(err, "not an ONNX model");
}

/* ---- isolate.c: the child's facts come back; its end is a gap */

static int good(struct pt_d *d)
{
	pt_d_fact(d, "x", "dtype", PT_DV_STR, "int8");
	pt_d_fact_uint(d, "x", "bytes", 3);
	return 0;
}

static int aborts(struct pt_d *d)
{
	pt_d_fact(d, "x", "dtype", PT_DV_STR, "int8");
	abort();
}

static int hangs(struct pt_d *d)
{
	for (;;)
		pause();
	return 0;
}

static int exits(struct pt_d *d)
{
	_exit(7);
}

static int says(struct pt_d *d)
{
	return pt_d_gap(d, "bad header: %s", "from the child");
}

static int isolated(int (*fn)(struct pt_d *), unsigned ms, char *err, size_t n, int *facts)
{
	struct pt_d d = { .path = "-", .fd = -1, .err = err, .errlen = n };
	int rc;

	err[0] = 0;
	d.lim.max_bytes = 1u << 20;
	d.lim.max_items = 100;
	d.deadline_ns = pt_d_now_ns() + (uint64_t)ms * 1000000u;
	rc = pt_d_isolated(&d, fn, "Test");
	*facts = 0;
	for (size_t i = 0; i < d.flen; i++)
		*facts += d.facts[i] == 0;
	free(d.facts);
	return rc;
}

static void isolation(void)
{
	char err[128];
	int zeros;

	CHECK_INT(isolated(good, 10000, err, sizeof err, &zeros), ==, 0);
	CHECK_INT(zeros, ==, 8);   /* two facts of four strings */
	CHECK_INT(isolated(aborts, 10000, err, sizeof err, &zeros), ==, -1);
	CHECK_STR(err, "Test library crashed (signal 6)");
	CHECK_INT(zeros, ==, 0);
	CHECK_INT(isolated(hangs, 200, err, sizeof err, &zeros), ==, -1);
	CHECK_STR(err, "timed out");
	CHECK_INT(isolated(exits, 10000, err, sizeof err, &zeros), ==, -1);
	CHECK_STR(err, "Test library failed (exit 7)");
	CHECK_INT(isolated(says, 10000, err, sizeof err, &zeros), ==, -1);
	CHECK_STR(err, "bad header: from the child");
}

int main(void)
{
	char cmd[64];

	CHECK(mkdtemp(dir) != NULL);
	sniffing();
	facts_and_limits();
	isolation();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	puts("ok: sniffing, facts, limits, callback, isolation");
	return 0;
}
