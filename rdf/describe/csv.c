/* csv.c — a CSV (or TSV) file's header: the delimiter (the commonest of , TAB ; | in the
 * first record, outside quotes), the column names (RFC 4180 quoting), and the data rows
 * when the whole file fits in max_bytes (blank lines not counted, as pandas does). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "int.h"

#define CSV_MAX_HEADER (1u << 20)
#define CSV_CHUNK 65536u

/* The first record's length (through its newline), or 0 when buf holds no whole one;
 * *nul: a NUL byte was seen (binary data). */
static size_t first_record(const char *b, size_t n, int at_eof, int *nul, int *open_quote)
{
	int q = 0;

	*nul = 0;
	for (size_t i = 0; i < n; i++) {
		if (!b[i])
			*nul = 1;
		if (b[i] == '"')
			q = !q;
		else if (b[i] == '\n' && !q)
			return i + 1;
	}
	*open_quote = q;
	return at_eof ? n : 0;
}

static char pick_delimiter(const char *b, size_t n, const char *name)
{
	static const char cand[] = { ',', '\t', ';', '|' };
	size_t count[4] = { 0 }, best = 0;
	int q = 0;

	if (name && strlen(name) > 4 && !strcasecmp(name + strlen(name) - 4, ".tsv"))
		return '\t';
	for (size_t i = 0; i < n; i++) {
		if (b[i] == '"')
			q = !q;
		for (int k = 0; k < 4 && !q; k++)
			count[k] += b[i] == cand[k];
	}
	for (int k = 1; k < 4; k++)
		if (count[k] > count[best])
			best = (size_t)k;
	return cand[best];
}

/* pandas' names for repeated columns ("a", "a.1", "a.2" ...): its algorithm, with a
 * linear look-up over the names taken so far (at most max_items of them) */
struct names {
	char **name;
	unsigned *count;   /* how often name[i] was asked for */
	size_t n;
};

static size_t lookup(const struct names *t, const char *s)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->name[i], s))
			return i;
	return (size_t)-1;
}

static size_t add(struct names *t, const char *s)
{
	t->name[t->n] = strdup(s);
	if (!t->name[t->n])
		abort();
	t->count[t->n] = 0;
	return t->n++;
}

static const char *unique_name(struct names *t, const char *name)
{
	char buf[PT_DESCRIBE_MAX_VALUE + 32];
	size_t i = lookup(t, name);
	unsigned k = i == (size_t)-1 ? 0 : t->count[i];

	snprintf(buf, sizeof buf, "%s", name);
	/* a.1 may itself be taken: go on as pandas does, a bounded number of times */
	for (int tries = 0; k > 0 && tries < 64; tries++) {
		char next[sizeof buf + 16];
		t->count[i] = k + 1;
		snprintf(next, sizeof next, "%s.%u", buf, k);
		memcpy(buf, next, sizeof buf - 1);
		buf[sizeof buf - 1] = 0;
		i = lookup(t, buf);
		k = i == (size_t)-1 ? 0 : t->count[i];
	}
	if (i == (size_t)-1)
		i = add(t, buf);
	t->count[i] = k + 1;
	return t->name[i];
}

static int columns(struct pt_d *d, const char *b, size_t n, char delim)
{
	struct pt_dstr f;
	struct names t = { 0 };
	size_t col = 0, i = 0;
	int rc = 0;

	if (n >= 3 && !memcmp(b, "\xef\xbb\xbf", 3))   /* a UTF-8 byte order mark */
		i = 3;
	while (n > i && (b[n - 1] == '\n' || b[n - 1] == '\r'))
		n--;
	if (n == i) {
		pt_d_fact_uint(d, "", "columns", 0);
		return 0;
	}
	/* count first: the file's fact comes before the columns' */
	size_t ncols = 1;
	int q = 0;
	for (size_t k = i; k < n; k++) {
		if (b[k] == '"')
			q = !q;
		else if (b[k] == delim && !q)
			ncols++;
	}
	pt_d_fact_uint(d, "", "columns", ncols);
	size_t cap = ncols < d->lim.max_items ? ncols : d->lim.max_items;
	t.name = calloc(cap + 1, sizeof *t.name);
	t.count = calloc(cap + 1, sizeof *t.count);
	if (!t.name || !t.count)
		abort();
	for (;; col++) {
		if (col % 256 == 0 && pt_d_late(d) < 0) {
			rc = -1;
			break;
		}
		pt_dstr_init(&f);
		q = 0;
		for (; i < n; i++) {
			if (b[i] == '"') {
				if (q && i + 1 < n && b[i + 1] == '"')
					pt_dstr_addn(&f, "\"", 1), i++;
				else
					q = !q;
			} else if (b[i] == delim && !q) {
				break;
			} else {
				pt_dstr_addn(&f, b + i, 1);
			}
		}
		if (!pt_d_take(d)) {
			char unnamed[32];
			const char *name = pt_dstr_get(&f);
			if (!name[0])
				snprintf(unnamed, sizeof unnamed, "Unnamed: %zu", col), name = unnamed;
			pt_d_fact_uint(d, unique_name(&t, name), "index", col);
		}
		if (i >= n)
			break;
		i++;   /* the delimiter */
	}
	for (size_t k = 0; k < t.n; k++)
		free(t.name[k]);
	free(t.name);
	free(t.count);
	return rc;
}

struct rowcount {
	uint64_t n;
	int q, blank;
};

static void count_rows(struct rowcount *r, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char c = b[i];
		if (c == '"')
			r->q = !r->q;
		if (c == '\n' && !r->q) {
			r->n += !r->blank;
			r->blank = 1;
		} else if (c != '\r') {
			r->blank = 0;
		}
	}
}

/* Data records: those in the bytes already read (b, n), then the rest of the file from
 * off (all of it within the budget) */
static int rows(struct pt_d *d, const char *b, size_t n, uint64_t off, uint64_t *count)
{
	struct rowcount r = { .blank = 1 };
	char *buf = malloc(CSV_CHUNK);

	if (!buf)
		abort();
	count_rows(&r, b, n);
	while (off < d->size) {
		size_t k = d->size - off < CSV_CHUNK ? (size_t)(d->size - off) : CSV_CHUNK;
		if (pt_d_read(d, off, buf, k) < 0) {
			free(buf);
			return -1;
		}
		count_rows(&r, buf, k);
		off += k;
	}
	*count = r.n + !r.blank;
	free(buf);
	return 0;
}

int pt_d_csv(struct pt_d *d)
{
	const char *name = strrchr(d->path, '/');
	uint64_t cap = d->lim.max_bytes < CSV_MAX_HEADER ? d->lim.max_bytes : CSV_MAX_HEADER;
	size_t have = 0, len = 0;
	char *b = NULL;
	int nul = 0, open_q = 0;

	name = name ? name + 1 : d->path;
	/* the first record, read a chunk at a time */
	while (!len) {
		size_t want = CSV_CHUNK;
		int eof;
		if (have + want > d->size)
			want = (size_t)(d->size - have);
		if (have + want > cap)
			want = (size_t)(cap - have);
		if (!want && have < d->size) {
			free(b);
			return pt_d_gap(d, cap < CSV_MAX_HEADER ? "over the size limit"
					   : "bad header: first line longer than 1 MiB");
		}
		char *nb = realloc(b, have + want + 1);
		if (!nb)
			abort();
		b = nb;
		if (want && pt_d_read(d, have, b + have, want) < 0) {
			free(b);
			return -1;
		}
		have += want;
		eof = have == d->size;
		len = first_record(b, have, eof, &nul, &open_q);
		if (nul) {
			free(b);
			return pt_d_gap(d, "not a CSV file");
		}
		if (eof && open_q) {
			free(b);
			return pt_d_gap(d, "truncated header");
		}
		if (eof)
			break;
	}
	char delim = pick_delimiter(b, len, name);
	pt_d_fact(d, "", "delimiter", PT_DV_STR, delim == '\t' ? "\t" : (char[]){ delim, 0 });
	if (columns(d, b, len, delim) < 0) {
		free(b);
		return -1;
	}
	if (d->size <= d->lim.max_bytes) {
		uint64_t n;
		if (rows(d, b + len, have - len, have, &n) < 0) {
			free(b);
			return -1;
		}
		pt_d_fact_uint(d, "", "rows", n);
	}
	free(b);
	return 0;
}
