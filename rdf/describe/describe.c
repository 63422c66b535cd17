/* describe.c — pt_describe(): open the file, sniff or check its format, run the format's
 * describer within the limits, and hand the gathered facts to the caller; the helpers
 * every describer shares (bounded reads, bounded values, the item count, the deadline). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "int.h"

uint64_t pt_d_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int pt_d_has_gap(const struct pt_d *d)
{
	return d->err && d->errlen && d->err[0];
}

int pt_d_gap(struct pt_d *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->err || !d->errlen || d->err[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(d->err, d->errlen, fmt, ap);
	va_end(ap);
	/* one line: a reason quoting the file must not break it */
	for (char *p = d->err; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return -1;
}

int pt_d_late(struct pt_d *d)
{
	if (pt_d_now_ns() > d->deadline_ns)
		return pt_d_gap(d, "timed out");
	return 0;
}

int pt_d_charge(struct pt_d *d, uint64_t n)
{
	if (n > d->lim.max_bytes || d->nread > d->lim.max_bytes - n)
		return pt_d_gap(d, "over the size limit");
	d->nread += n;
	return 0;
}

int pt_d_read(struct pt_d *d, uint64_t off, void *buf, size_t n)
{
	size_t got = 0;

	if (off > d->size || n > d->size - off)
		return pt_d_gap(d, "truncated header");
	if (pt_d_charge(d, n) < 0 || pt_d_late(d) < 0)
		return -1;
	while (got < n) {
		ssize_t r = pread(d->fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return pt_d_gap(d, "read error: %s", strerror(errno));
		if (r == 0)
			return pt_d_gap(d, "truncated header");   /* shrank since fstat */
		got += (size_t)r;
	}
	return 0;
}

int pt_d_take(struct pt_d *d)
{
	if (d->items >= d->lim.max_items) {
		d->omitted++;
		return 1;
	}
	d->items++;
	return 0;
}

static void facts_put(struct pt_d *d, const char *s, size_t n)
{
	if (d->fcap - d->flen < n + 1) {
		size_t cap = d->fcap ? d->fcap : 4096;
		while (cap - d->flen < n + 1)
			cap *= 2;
		char *f = realloc(d->facts, cap);
		if (!f) {
			fputs("provtrace: out of memory\n", stderr);
			abort();
		}
		d->facts = f;
		d->fcap = cap;
	}
	if (n)
		memcpy(d->facts + d->flen, s, n);
	d->facts[d->flen + n] = 0;
	d->flen += n + 1;
}

/* A value cut to PT_DESCRIBE_MAX_VALUE bytes (with "..." in its last three) */
static size_t cut_len(const char *v, int *cut)
{
	size_t n = strnlen(v, PT_DESCRIBE_MAX_VALUE);

	*cut = n >= PT_DESCRIBE_MAX_VALUE;
	return *cut ? PT_DESCRIBE_MAX_VALUE - 4 : n;
}

void pt_d_fact(struct pt_d *d, const char *item, const char *key, int type, const char *value)
{
	char t = (char)('0' + type);
	int icut, vcut;
	size_t in = cut_len(item, &icut), vn = cut_len(value, &vcut);
	char buf[PT_DESCRIBE_MAX_VALUE];

	facts_put(d, &t, 1);
	if (icut) {
		memcpy(buf, item, in);
		memcpy(buf + in, "...", 3);
		facts_put(d, buf, in + 3);
	} else {
		facts_put(d, item, in);
	}
	facts_put(d, key, strnlen(key, PT_DESCRIBE_MAX_VALUE - 1));
	if (vcut) {
		memcpy(buf, value, vn);
		memcpy(buf + vn, "...", 3);
		facts_put(d, buf, vn + 3);
	} else {
		facts_put(d, value, vn);
	}
}

void pt_d_factf(struct pt_d *d, const char *item, const char *key, int type,
		const char *fmt, ...)
{
	char buf[PT_DESCRIBE_MAX_VALUE + 1];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	pt_d_fact(d, item, key, type, buf);
}

void pt_d_fact_int(struct pt_d *d, const char *item, const char *key, int64_t v)
{
	pt_d_factf(d, item, key, PT_DV_INT, "%lld", (long long)v);
}

void pt_d_fact_uint(struct pt_d *d, const char *item, const char *key, uint64_t v)
{
	pt_d_factf(d, item, key, PT_DV_INT, "%llu", (unsigned long long)v);
}

void pt_d_fact_bool(struct pt_d *d, const char *item, const char *key, int v)
{
	pt_d_fact(d, item, key, PT_DV_BOOL, v ? "true" : "false");
}

void pt_dstr_init(struct pt_dstr *b)
{
	b->n = 0;
	b->cut = 0;
	b->s[0] = 0;
}

void pt_dstr_addn(struct pt_dstr *b, const char *s, size_t n)
{
	size_t room = sizeof b->s - 1 - b->n;

	if (n > room) {
		n = room;
		b->cut = 1;
	}
	if (n)
		memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

void pt_dstr_add(struct pt_dstr *b, const char *fmt, ...)
{
	char tmp[PT_DESCRIBE_MAX_VALUE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof tmp) {
		n = sizeof tmp - 1;
		b->cut = 1;
	}
	pt_dstr_addn(b, tmp, (size_t)n);
}

const char *pt_dstr_get(struct pt_dstr *b)
{
	if (b->cut && b->n >= 3)
		memcpy(b->s + b->n - 3, "...", 3);
	return b->s;
}

void pt_dstr_dims(struct pt_dstr *b, const uint64_t *v, size_t n)
{
	pt_dstr_addn(b, "[", 1);
	for (size_t i = 0; i < n && !b->cut; i++)
		pt_dstr_add(b, i ? ", %llu" : "%llu", (unsigned long long)v[i]);
	pt_dstr_addn(b, "]", 1);
}

void pt_d_fmt_double(struct pt_dstr *b, double v, int single)
{
	char buf[64];

	for (int prec = single ? 6 : 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		double back = strtod(buf, NULL);
		if (v != v || (single ? (float)back == (float)v : back == v))
			break;
	}
	pt_dstr_add(b, "%s", buf);
}

/* ---- sniffing */

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

static const char *by_extension(const char *name)
{
	static const struct { const char *ext, *fmt; } ext[] = {
		{ ".npy", "npy" }, { ".npz", "npz" }, { ".h5", "hdf5" }, { ".hdf5", "hdf5" },
		{ ".hdf", "hdf5" }, { ".he5", "hdf5" }, { ".nc", "netcdf" }, { ".nc4", "netcdf" },
		{ ".cdf", "netcdf" }, { ".netcdf", "netcdf" }, { ".safetensors", "safetensors" },
		{ ".pt", "pytorch" }, { ".pth", "pytorch" }, { ".ckpt", "pytorch" },
		{ ".onnx", "onnx" }, { ".csv", "csv" }, { ".tsv", "csv" },
	};
	size_t n;

	if (!name)
		return NULL;
	n = strlen(name);
	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
		if (ends_with(name, n, ext[i].ext))
			return ext[i].fmt;
	return NULL;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* A zip's kind from its first local header's entry name: numpy.savez writes "x.npy"
 * entries, torch.save "ARCHIVE/data.pkl" first. */
static const char *zip_kind(const unsigned char *h, size_t n, const char *name)
{
	const char *ext = by_extension(name);

	if (n >= 30) {
		size_t len = le16(h + 26);
		const char *e = (const char *)h + 30;
		if (len && 30 + len <= n) {
			if (ends_with(e, len, ".npy"))
				return "npz";
			if (ends_with(e, len, "/data.pkl") || ends_with(e, len, "/version"))
				return "pytorch";
		}
	}
	if (ext && (!strcmp(ext, "npz") || !strcmp(ext, "pytorch")))
		return ext;
	return NULL;
}

const char *pt_describe_sniff(const unsigned char *h, size_t n, const char *name)
{
	const char *ext = by_extension(name);

	if (!h)
		n = 0;
	if (n >= 6 && !memcmp(h, "\x93NUMPY", 6))
		return "npy";
	if (n >= 4 && !memcmp(h, "PK\x03\x04", 4))
		return zip_kind(h, n, name);
	if (n >= 4 && !memcmp(h, "PK\x05\x06", 4))   /* an empty zip */
		return ext && (!strcmp(ext, "npz") || !strcmp(ext, "pytorch")) ? ext : NULL;
	if (n >= 8 && !memcmp(h, "\x89HDF\r\n\x1a\n", 8))
		return ext && !strcmp(ext, "netcdf") ? "netcdf" : "hdf5";
	if (n >= 4 && !memcmp(h, "CDF", 3) && (h[3] == 1 || h[3] == 2 || h[3] == 5))
		return "netcdf";
	/* safetensors: an 8-byte little-endian length, then a JSON object */
	if (n >= 9 && h[8] == '{' && !h[7] && !h[6] && !h[5])
		return "safetensors";
	/* no magic number: the name says (ONNX and CSV have none; for the others the
	 * describer then names what is wrong) */
	return ext;
}

/* ---- the call */

static const struct {
	const char *name;
	int (*fn)(struct pt_d *);
} formats[] = {
	{ "npy", pt_d_npy }, { "npz", pt_d_npz }, { "hdf5", pt_d_hdf5 },
	{ "netcdf", pt_d_netcdf }, { "safetensors", pt_d_safetensors },
	{ "pytorch", pt_d_pytorch }, { "onnx", pt_d_onnx }, { "csv", pt_d_csv },
};

static int deliver(struct pt_d *d, pt_dfact_fn fn, void *ctx)
{
	const char *p = d->facts, *end;

	if (!p)
		return 0;
	end = p + d->flen;
	while (p < end) {
		int type = p[0] - '0';
		const char *item = p + 2;
		const char *key = item + strlen(item) + 1;
		const char *value = key + strlen(key) + 1;
		p = value + strlen(value) + 1;
		if (fn && fn(ctx, item, key, type, value))
			return pt_d_gap(d, "stopped by the callback");
	}
	return 0;
}

static int run(struct pt_d *d, const char *format)
{
	unsigned char head[512];
	size_t hn = d->size < sizeof head ? (size_t)d->size : sizeof head;
	const char *name = strrchr(d->path, '/');

	name = name ? name + 1 : d->path;
	if (hn > d->lim.max_bytes)
		hn = (size_t)d->lim.max_bytes;
	if (!format) {
		if (pt_d_read(d, 0, head, hn) < 0)
			return -1;
		d->nread = 0;   /* read again by the describer: charged once */
		format = pt_describe_sniff(head, hn, name);
		if (!format)
			return pt_d_gap(d, d->size ? "unknown format" : "empty file");
	}
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(format, formats[i].name))
			continue;
		pt_d_fact(d, "", "format", PT_DV_STR, formats[i].name);
		if (formats[i].fn(d) < 0) {
			if (!pt_d_has_gap(d))
				pt_d_gap(d, "bad header");
			return -1;
		}
		if (d->omitted)
			pt_d_fact_uint(d, "", "omitted", d->omitted);
		return 0;
	}
	return pt_d_gap(d, "unknown format %.40s", format);
}

int pt_describe(const char *path, const char *format, const struct pt_dlimits *lim,
		pt_dfact_fn fn, void *ctx, char *err, size_t errlen)
{
	struct pt_d d = { .path = path, .fd = -1, .err = err, .errlen = errlen };
	struct stat st;
	int saved = errno, rc = -1;

	if (err && errlen)
		err[0] = 0;
	d.lim.max_bytes = lim && lim->max_bytes ? lim->max_bytes : PT_DLIMIT_BYTES;
	d.lim.max_ms = lim && lim->max_ms ? lim->max_ms : PT_DLIMIT_MS;
	d.lim.max_items = lim && lim->max_items ? lim->max_items : PT_DLIMIT_ITEMS;
	d.deadline_ns = pt_d_now_ns() + (uint64_t)d.lim.max_ms * 1000000u;
	if (!path) {
		pt_d_gap(&d, "cannot open: %s", strerror(EINVAL));
		goto out;
	}
	/* O_NONBLOCK: a FIFO named like a data file must not hang the caller */
	d.fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (d.fd < 0) {
		pt_d_gap(&d, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (fstat(d.fd, &st) < 0) {
		pt_d_gap(&d, "cannot open: %s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		pt_d_gap(&d, "not a regular file");
		goto out;
	}
	d.size = (uint64_t)st.st_size;
	if (run(&d, format) == 0)
		rc = deliver(&d, fn, ctx);
out:
	if (d.fd >= 0)
		close(d.fd);
	free(d.facts);
	errno = saved;
	return rc;
}
