/* zip.c — the zip-based formats through libzip: NumPy's .npz (each entry an .npy whose
 * header is read through the entry's first bytes) and PyTorch's torch.save archives
 * (entries listed; data.pkl named, never unpickled).  libzip reads through a source of
 * our own, so that every byte it reads counts against max_bytes and the deadline. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "int.h"

#ifndef PT_HAVE_LIBZIP

int pt_d_npz(struct pt_d *d)
{
	return pt_d_gap(d, "unsupported: built without libzip");
}

int pt_d_pytorch(struct pt_d *d)
{
	return pt_d_gap(d, "unsupported: built without libzip");
}

#else
#include <zip.h>

struct src {
	struct pt_d *d;
	uint64_t off;
	zip_error_t err;
};

static zip_int64_t src_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct src *s = ud;
	struct pt_d *d = s->d;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		s->off = 0;
		return 0;
	case ZIP_SOURCE_READ: {
		uint64_t n = len;
		if (s->off >= d->size)
			return 0;
		if (n > d->size - s->off)
			n = d->size - s->off;
		if (n > (1u << 30))
			n = 1u << 30;
		if (pt_d_read(d, s->off, data, (size_t)n) < 0) {
			zip_error_set(&s->err, ZIP_ER_READ, EFBIG);
			return -1;
		}
		s->off += n;
		return (zip_int64_t)n;
	}
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;
		if (len < sizeof *st)
			return -1;
		zip_stat_init(st);
		st->size = d->size;
		st->valid |= ZIP_STAT_SIZE;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->err, data, len);
	case ZIP_SOURCE_SEEK: {
		zip_int64_t off = zip_source_seek_compute_offset(s->off, d->size, data, len, &s->err);
		if (off < 0)
			return -1;
		s->off = (uint64_t)off;
		return 0;
	}
	case ZIP_SOURCE_TELL:
		return (zip_int64_t)s->off;
	case ZIP_SOURCE_FREE:
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
						      ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
						      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
						      ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
						      ZIP_SOURCE_SUPPORTS, -1);
	default:
		zip_error_set(&s->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

static zip_t *zopen(struct pt_d *d, struct src *s, const char *notit)
{
	zip_error_t ze;
	zip_source_t *zs;
	zip_t *za;

	s->d = d;
	s->off = 0;
	zip_error_init(&s->err);
	zip_error_init(&ze);
	zs = zip_source_function_create(src_cb, s, &ze);
	if (!zs) {
		pt_d_gap(d, "bad header: %s", zip_error_strerror(&ze));
		goto out;
	}
	za = zip_open_from_source(zs, ZIP_RDONLY, &ze);
	if (za) {
		zip_error_fini(&ze);
		return za;
	}
	zip_source_free(zs);
	switch (zip_error_code_zip(&ze)) {
	case ZIP_ER_NOZIP: {
		/* a local header at the start but no end record: the end was cut off */
		uint8_t magic[4];
		if (d->size >= 4 && pt_d_read(d, 0, magic, 4) == 0 && !memcmp(magic, "PK\x03\x04", 4))
			pt_d_gap(d, "truncated header");
		else
			pt_d_gap(d, "%s", notit);
		break;
	}
	case ZIP_ER_INCONS:
		pt_d_gap(d, "bad header: inconsistent zip archive");
		break;
	default:
		pt_d_gap(d, "bad header: %s", zip_error_strerror(&ze));
	}
out:
	zip_error_fini(&ze);
	zip_error_fini(&s->err);
	return NULL;
}

static void zclose(zip_t *za, struct src *s)
{
	zip_discard(za);
	zip_error_fini(&s->err);
}

/* Up to n bytes of entry i into buf; the count read, or -1 (gap set). */
static zip_int64_t entry_head(struct pt_d *d, zip_t *za, zip_uint64_t i, void *buf,
			      size_t n, const char *name)
{
	zip_file_t *f = zip_fopen_index(za, i, 0);
	zip_int64_t got = 0;

	if (!f) {
		if (!pt_d_has_gap(d))
			pt_d_gap(d, "bad header: entry %.200s: %s", name, zip_strerror(za));
		return -1;
	}
	while ((size_t)got < n) {
		zip_int64_t r = zip_fread(f, (char *)buf + got, n - (size_t)got);
		if (r < 0) {
			if (!pt_d_has_gap(d))
				pt_d_gap(d, "bad header: entry %.200s: %s", name,
					 zip_file_strerror(f));
			zip_fclose(f);
			return -1;
		}
		if (r == 0)
			break;
		got += r;
	}
	zip_fclose(f);
	return got;
}

static int npz_entry(struct pt_d *d, zip_t *za, zip_uint64_t i, const char *name,
		     const zip_stat_t *st)
{
	uint8_t pre[12], *h;
	uint64_t hlen, bytes;
	zip_int64_t got;
	size_t nl = strlen(name);
	char *item;
	int rc;

	if (nl < 4 || strcmp(name + nl - 4, ".npy")) {
		pt_d_fact_uint(d, name, "bytes", st->size);   /* not an array */
		return 0;
	}
	got = entry_head(d, za, i, pre, sizeof pre, name);
	if (got < 0 || pt_d_npy_hlen(d, pre, (size_t)got, &hlen) < 0)
		return -1;
	h = malloc(hlen);
	if (!h)
		abort();
	item = nl > 4 ? strndup(name, nl - 4) : strdup(name);   /* "" is the file */
	if (!item)
		abort();
	got = entry_head(d, za, i, h, hlen, name);
	rc = got < 0 ? -1 : pt_d_npy_header(d, h, (size_t)got, item, &hlen, &bytes);
	if (rc == 0 && bytes != UINT64_MAX && (st->size < hlen || st->size - hlen < bytes))
		rc = pt_d_gap(d, "truncated data");
	free(item);
	free(h);
	return rc;
}

/* Entry i's header, with its name and size; -1 (*rc the gap's result) if it has none. */
static int entry_stat(struct pt_d *d, zip_t *za, zip_int64_t i, zip_stat_t *st, int *rc)
{
	if (zip_stat_index(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW, st) >= 0 &&
	    (st->valid & ZIP_STAT_NAME) && (st->valid & ZIP_STAT_SIZE))
		return 0;
	*rc = pt_d_gap(d, "bad header: zip entry %lld", (long long)i);
	return -1;
}

int pt_d_npz(struct pt_d *d)
{
	struct src s;
	zip_t *za = zopen(d, &s, "not a zip archive");
	zip_int64_t n;
	int compressed = 0, rc = 0;

	if (!za)
		return -1;
	n = zip_get_num_entries(za, 0);
	pt_d_fact_int(d, "", "entries", n);
	for (zip_int64_t i = 0; i < n && rc == 0; i++) {
		zip_stat_t st;
		if (entry_stat(d, za, i, &st, &rc))
			break;
		if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE)
			compressed = 1;
		if (pt_d_late(d) < 0)
			rc = -1;
		else if (pt_d_take(d) == 0)
			rc = npz_entry(d, za, (zip_uint64_t)i, st.name, &st);
	}
	if (rc == 0)
		pt_d_fact_bool(d, "", "compressed", compressed);
	zclose(za, &s);
	return rc;
}

/* The short text of a small entry (version, byteorder), trimmed; NULL when absent or
 * not text. */
static int small_text(struct pt_d *d, zip_t *za, const char *name, char *out, size_t len)
{
	zip_int64_t i = zip_name_locate(za, name, ZIP_FL_ENC_RAW);
	zip_int64_t got;

	if (i < 0)
		return 0;
	got = entry_head(d, za, (zip_uint64_t)i, out, len - 1, name);
	if (got < 0)
		return -1;
	while (got > 0 && (out[got - 1] == '\n' || out[got - 1] == '\r' || out[got - 1] == ' '))
		got--;
	out[got] = 0;
	for (zip_int64_t k = 0; k < got; k++)
		if ((unsigned char)out[k] < 0x20 || (unsigned char)out[k] >= 0x7f)
			return 0;
	return got > 0;
}

int pt_d_pytorch(struct pt_d *d)
{
	unsigned char first = 0;
	struct src s;
	zip_t *za;
	zip_int64_t n;
	char prefix[PT_DESCRIBE_MAX_VALUE] = "", path[PT_DESCRIBE_MAX_VALUE + 16], text[64];
	int rc = 0, r;

	if (d->size && pt_d_read(d, 0, &first, 1) < 0)
		return -1;
	d->nread = 0;
	if (first == 0x80)   /* a pickle's PROTO opcode: torch.save before zip archives */
		return pt_d_gap(d, "unsupported: legacy PyTorch pickle file");
	za = zopen(d, &s, "not a PyTorch checkpoint");
	if (!za)
		return -1;
	n = zip_get_num_entries(za, 0);
	if (n > 0) {
		const char *e = zip_get_name(za, 0, ZIP_FL_ENC_RAW);
		const char *slash = e ? strchr(e, '/') : NULL;
		if (slash && (size_t)(slash - e) < sizeof prefix)
			memcpy(prefix, e, (size_t)(slash - e)), prefix[slash - e] = 0;
	}
	snprintf(path, sizeof path, "%s/data.pkl", prefix);
	if (!prefix[0] || zip_name_locate(za, path, ZIP_FL_ENC_RAW) < 0) {
		zclose(za, &s);
		return pt_d_gap(d, "not a PyTorch checkpoint");
	}
	pt_d_fact_int(d, "", "entries", n);
	pt_d_fact(d, "", "archive", PT_DV_STR, prefix);
	pt_d_fact(d, "", "pickle", PT_DV_STR, path);
	snprintf(path, sizeof path, "%s/version", prefix);
	if ((r = small_text(d, za, path, text, sizeof text)) > 0)
		pt_d_fact(d, "", "version", PT_DV_STR, text);
	rc = r < 0 ? -1 : 0;
	snprintf(path, sizeof path, "%s/byteorder", prefix);
	if (rc == 0 && (r = small_text(d, za, path, text, sizeof text)) > 0)
		pt_d_fact(d, "", "byteorder", PT_DV_STR, text);
	if (r < 0)
		rc = -1;
	for (zip_int64_t i = 0; i < n && rc == 0; i++) {
		zip_stat_t st;
		if (entry_stat(d, za, i, &st, &rc))
			break;
		if (pt_d_late(d) < 0)
			rc = -1;
		else if (st.name[0] && pt_d_take(d) == 0)
			pt_d_fact_uint(d, st.name, "bytes", st.size);
	}
	zclose(za, &s);
	return rc;
}
#endif /* PT_HAVE_LIBZIP */
