/* extract.c — after the job, the facts of a run's own files and command lines into each
 * node store's fact table (extract.h).  One store at a time, in one batch under the
 * store's exclusive lock, so that a reader sees all of a store's facts or none. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collector/hash.h"
#include "collector/protocol.h"
#include "collector/wire.h"
#include "extract.h"
#include "facts.h"
#include "parse.h"
#include "runset.h"
#ifdef HAVE_PT_DESCRIBE
#include "describe.h"
#endif

#define STAMP_FMT "provtrace-facts 1 %016llx"
#define MAX_EXTRACTORS 8
#define MAX_MEASURES 1024

static uint64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* ---- a small map obj → next fact number, for file subjects */

struct onum {
	uint32_t *key, *val;
	size_t cap, n;
};

static uint32_t *onum_get(struct onum *m, uint32_t obj)
{
	if (m->n * 2 >= m->cap) {
		struct onum g = { NULL, NULL, m->cap ? m->cap * 2 : 256, 0 };
		g.key = calloc(g.cap, sizeof *g.key);
		g.val = calloc(g.cap, sizeof *g.val);
		if (!g.key || !g.val) {
			fputs("provtrace: out of memory\n", stderr);
			abort();
		}
		for (size_t i = 0; i < m->cap; i++)
			if (m->key[i])
				*onum_get(&g, m->key[i]) = m->val[i];
		free(m->key);
		free(m->val);
		*m = g;
	}
	size_t i = (obj * 2654435761u) & (m->cap - 1);
	while (m->key[i] && m->key[i] != obj)
		i = (i + 1) & (m->cap - 1);
	if (!m->key[i]) {
		m->key[i] = obj;
		m->val[i] = 0;
		m->n++;
	}
	return &m->val[i];
}

static void onum_free(struct onum *m)
{
	free(m->key);
	free(m->val);
}

/* ---- one store's extraction */

/* The identity a file had at the store's last close of it (any process): the version a
 * description belongs to (the export resolves the same session, prov.c). */
struct last {
	uint64_t close_ns, sid;
	struct pt_file_id id;
};

struct pend {
	uint32_t obj;
	struct pt_rule_extract e;
};

struct series {
	char *name;
	struct pt_buf pts;
	size_t npts;
};

struct xs {
	const pt_rules *rules;
	pt_store *st;
	struct pt_extract_stats *stats;
	int err;
	/* the subject being filled */
	uint8_t subject;
	uint32_t id, n;
	uint32_t src, pos;
	const char *where_prefix;
	struct onum onums;
	struct onum described;   /* objects read as logs (never described), or pending */
	struct onum lastn;       /* object → 1 + index in last */
	struct last *last;       /* per file object: the store's last close of it */
	size_t nlast, caplast;
	struct pend *pend;       /* files to describe once every process is seen */
	struct onum pendn;       /* object → 1 when in pend */
	size_t npend, cappend;
	struct series ser[MAX_MEASURES];
	size_t nser;
	struct pt_buf v;
};

static int put_fact(struct xs *x, uint8_t subject, uint32_t id, uint32_t *n,
		    const struct pt_fact *f, const uint8_t *pts, size_t npts)
{
	uint8_t key[9];

	x->v.len = 0;
	pt_fact_encode(&x->v, f, pts, npts);
	pt_fact_key(key, subject, id, (*n)++);
	int r = pt_store_fact_put(x->st, key, sizeof key, x->v.p, x->v.len);
	if (r && !x->err)
		x->err = r;
	x->stats->facts++;
	x->stats->points += npts;
	return r;
}

static int sink_param(void *ctx, const char *key, int type, const char *value, const char *where)
{
	struct xs *x = ctx;
	struct pt_fact f = { .kind = PT_FACT_HYPER, .type = (uint32_t)type, .src = x->src,
			     .pos = x->pos, .item = "", .key = key, .value = value, .where = where };
	return put_fact(x, x->subject, x->id, &x->n, &f, NULL, 0);
}

static int sink_point(void *ctx, const char *measure, int64_t step, double value)
{
	struct xs *x = ctx;
	size_t i;
	uint8_t p[16];
	uint64_t s, b;

	for (i = 0; i < x->nser && strcmp(x->ser[i].name, measure); i++)
		;
	if (i == x->nser) {
		if (x->nser == MAX_MEASURES)
			return 0;   /* counted by the caller as a gap */
		if (!(x->ser[i].name = strdup(measure))) {
			fputs("provtrace: out of memory\n", stderr);
			abort();
		}
		x->ser[i].pts = (struct pt_buf){ 0 };
		x->ser[i].npts = 0;
		x->nser++;
	}
	memcpy(&s, &step, sizeof s);
	memcpy(&b, &value, sizeof b);
	for (int k = 0; k < 8; k++) {
		p[k] = (uint8_t)(s >> (56 - 8 * k));
		p[8 + k] = (uint8_t)(b >> (56 - 8 * k));
	}
	pt_buf_put(&x->ser[i].pts, p, sizeof p);
	x->ser[i].npts++;
	return 0;
}

/* the series read from one file: one fact each, in the order they first appeared */
static void flush_series(struct xs *x, const char *extractor)
{
	for (size_t i = 0; i < x->nser; i++) {
		struct pt_fact f = { .kind = PT_FACT_SERIES, .type = PT_FV_DOUBLE, .src = x->src,
				     .item = x->ser[i].name, .key = "", .value = "",
				     .where = extractor };
		put_fact(x, x->subject, x->id, &x->n, &f, (const uint8_t *)x->ser[i].pts.p,
			 x->ser[i].npts);
		free(x->ser[i].name);
		pt_buf_free(&x->ser[i].pts);
	}
	x->nser = 0;
}

static void gap(struct xs *x, uint32_t obj, const char *path, const char *extractor,
		const char *why)
{
	struct pt_fact f = { .kind = PT_FACT_GAP, .type = PT_FV_STR, .src = obj, .item = path,
			     .key = extractor, .value = why, .where = extractor };
	put_fact(x, 'o', obj, onum_get(&x->onums, obj), &f, NULL, 0);
	x->stats->gaps++;
}

static int is_config(const char *e)
{
	return !strcmp(e, "json") || !strcmp(e, "yaml") || !strcmp(e, "toml") || !strcmp(e, "ini");
}

/* Read the file as the record left it: same size and modification time as at the
 * process's last close, a regular file, within max bytes.  Returns the bytes (NUL
 * ended) or NULL with the reason in why. */
static char *load(const char *path, uint64_t size, uint64_t mtime, uint64_t max, size_t *n,
		  char *why, size_t wn)
{
	struct stat sb;
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		snprintf(why, wn, "%s", errno == ENOENT ? "removed since the job" : strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(why, wn, "not a regular file");
		goto out;
	}
	uint64_t m = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
	if ((size || mtime) && ((uint64_t)sb.st_size != size || m != mtime)) {
		snprintf(why, wn, "changed since the job");
		goto out;
	}
	if ((uint64_t)sb.st_size > max) {
		snprintf(why, wn, "larger than its limit of %llu bytes", (unsigned long long)max);
		goto out;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf) {
		snprintf(why, wn, "out of memory");
		goto out;
	}
	size_t got = 0;
	while (got < (size_t)sb.st_size) {
		ssize_t k = read(fd, buf + got, (size_t)sb.st_size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			snprintf(why, wn, "%s", k < 0 ? strerror(errno) : "shorter than its size");
			free(buf);
			buf = NULL;
			goto out;
		}
		got += (size_t)k;
	}
	buf[got] = 0;
	*n = got;
out:
	close(fd);
	return buf;
}

/* the name an MLflow file gives its metric or parameter: the path after metrics/ or params/ */
static const char *mlflow_name(const char *path, const char *dir)
{
	const char *p = strstr(path, dir);
	const char *last = NULL;

	while (p) {
		last = p;
		p = strstr(p + 1, dir);
	}
	return last ? last + strlen(dir) : strrchr(path, '/') + 1;
}

#ifdef HAVE_PT_DESCRIBE
static int desc_fact(void *ctx, const char *item, const char *key, int type, const char *value)
{
	struct xs *x = ctx;
	struct pt_fact f = { .kind = PT_FACT_DESC, .type = (uint32_t)type, .src = x->id,
			     .item = item ? item : "", .key = key, .value = value,
			     .where = "describe" };
	return put_fact(x, 'o', x->id, onum_get(&x->onums, x->id), &f, NULL, 0);
}
#endif

static struct last *last_of(struct xs *x, uint32_t obj)
{
	uint32_t *i = onum_get(&x->lastn, obj);

	if (!*i) {
		if (x->nlast == x->caplast) {
			x->caplast = x->caplast ? x->caplast * 2 : 64;
			void *q = realloc(x->last, x->caplast * sizeof *x->last);
			if (!q) {
				fputs("provtrace: out of memory\n", stderr);
				abort();
			}
			x->last = q;
		}
		memset(&x->last[x->nlast], 0, sizeof *x->last);
		*i = (uint32_t)++x->nlast;
	}
	return &x->last[*i - 1];
}

/* Is the file still the version of the store's last close of it?  Size and modification
 * time first; then, where the collector hashed that version, its XXH3-128 (a file
 * rewritten with the same size and its mtime put back).  0, or 1 with why set. */
static int changed(struct xs *x, const char *path, const struct last *l, char *why, size_t wn)
{
	struct stat sb;
	struct pt_hash_rec was, now;

	if (stat(path, &sb) < 0) {
		snprintf(why, wn, "%s", errno == ENOENT ? "removed since the job" : strerror(errno));
		return 1;
	}
	uint64_t m = (uint64_t)sb.st_mtim.tv_sec * 1000000000u + (uint64_t)sb.st_mtim.tv_nsec;
	if ((l->id.size || l->id.mtime) && ((uint64_t)sb.st_size != l->id.size || m != l->id.mtime)) {
		snprintf(why, wn, "changed since the job");
		return 1;
	}
	if (l->id.ino && pt_store_hash_get(x->st, &l->id, &was) == 0 &&
	    was.state == PT_HASH_DONE) {
		pt_hash_file(path, &l->id, 0, &now);
		if (now.state != PT_HASH_DONE || memcmp(now.hash, was.hash, sizeof now.hash)) {
			snprintf(why, wn, "changed since the job (%s)", now.state == PT_HASH_DONE ?
				 "same size and mtime, other content" : "unreadable to hash");
			return 1;
		}
	}
	return 0;
}

static void describe_later(struct xs *x, uint32_t obj, const struct pt_rule_extract *e)
{
	uint32_t *seen = onum_get(&x->pendn, obj);

	if (*seen)
		return;   /* the first describe rule that matches */
	*seen = 1;
	if (x->npend == x->cappend) {
		x->cappend = x->cappend ? x->cappend * 2 : 64;
		void *q = realloc(x->pend, x->cappend * sizeof *x->pend);
		if (!q) {
			fputs("provtrace: out of memory\n", stderr);
			abort();
		}
		x->pend = q;
	}
	x->pend[x->npend++] = (struct pend){ obj, *e };
}

static void describe(struct xs *x, uint32_t obj, const char *path,
		     const struct pt_rule_extract *e)
{
	char err[200] = "";

	if (changed(x, path, last_of(x, obj), err, sizeof err)) {
		gap(x, obj, path, "describe", err);
		return;
	}
#ifdef HAVE_PT_DESCRIBE
	struct pt_dlimits lim = { .max_bytes = e->max_bytes, .max_ms = e->max_ms ? e->max_ms : 5000,
				  .max_items = e->max_items };
	uint32_t saved = x->id;
	x->id = obj;
	x->stats->files++;
	if (pt_describe(path, e->format, &lim, desc_fact, x, err, sizeof err) < 0)
		gap(x, obj, path, "describe", err[0] ? err : "unreadable");
	x->id = saved;
#else
	(void)e;
	gap(x, obj, path, "describe", "unsupported: built without the describe library");
#endif
}

/* Files are described after every process's logs are read: a file a log extractor
 * applied to (a CSV file the job wrote, read or not) is not described as data too. */
static void describe_pending(struct xs *x)
{
	for (size_t i = 0; i < x->npend && !x->err; i++) {
		const uint8_t *name;
		size_t len;
		uint32_t kind;
		char path[4097];
		uint32_t obj = x->pend[i].obj;

		if (*onum_get(&x->described, obj) ||
		    pt_store_obj_name(x->st, obj, &name, &len, &kind) || len >= sizeof path)
			continue;
		memcpy(path, name, len);
		path[len] = 0;
		describe(x, obj, path, &x->pend[i].e);
	}
}

static void run_extractor(struct xs *x, uint32_t obj, const char *path, int dirs,
			  uint64_t size, uint64_t mtime, const struct pt_rule_extract *e)
{
	const char *name = e->name;
	int config = is_config(name), param = !strcmp(name, "mlflow-param");
	char why[200];
	size_t n = 0;

	if (!strcmp(name, "describe")) {
		describe_later(x, obj, e);
		return;
	}
	/* configurations count where they were read, logs where they were written */
	if (!(dirs & (config ? PT_USE_READ : PT_USE_WRITE)))
		return;
	if (!config)   /* a file the job wrote is its log, not data to describe */
		*onum_get(&x->described, obj) = 1;
	uint64_t max = e->max_bytes ? e->max_bytes : config || param ? 1u << 20 : 256u << 20;
	char *buf = load(path, size, mtime, max, &n, why, sizeof why);
	if (!buf) {
		gap(x, obj, path, name, why);
		return;
	}
	x->stats->files++;
	struct pt_psink s = { sink_param, sink_point, x, e->max_items ? e->max_items : 1000000,
			      now_ns() + (e->max_ms ? e->max_ms : 5000) * 1000000ull, 0, "" };
	x->src = obj;
	x->pos = 0;
	int r;
	if (config) {
		/* a configuration counts whole or not at all: a dry pass first */
		struct pt_psink dry = s;
		dry.param = NULL;
		dry.point = NULL;
		r = !strcmp(name, "json") ? pt_parse_json(buf, n, &dry)
		  : !strcmp(name, "yaml") ? pt_parse_yaml(buf, n, &dry)
		  : !strcmp(name, "toml") ? pt_parse_toml(buf, n, &dry) : pt_parse_ini(buf, n, &dry);
		if (r) {
			gap(x, obj, path, name, dry.err[0] ? dry.err : "malformed");
			free(buf);
			x->src = 0;
			return;
		}
	}
	if (!strcmp(name, "json")) r = pt_parse_json(buf, n, &s);
	else if (!strcmp(name, "yaml")) r = pt_parse_yaml(buf, n, &s);
	else if (!strcmp(name, "toml")) r = pt_parse_toml(buf, n, &s);
	else if (!strcmp(name, "ini")) r = pt_parse_ini(buf, n, &s);
	else if (!strcmp(name, "csv")) r = pt_parse_csv(buf, n, ',', &s);
	else if (!strcmp(name, "tsv")) r = pt_parse_csv(buf, n, '\t', &s);
	else if (!strcmp(name, "jsonl")) r = pt_parse_jsonl(buf, n, &s);
	else if (!strcmp(name, "tfevents")) r = pt_parse_tfevents(buf, n, &s);
	else if (!strcmp(name, "mlflow-metric"))
		r = pt_parse_mlflow_metric(buf, n, mlflow_name(path, "/metrics/"), &s);
	else r = pt_parse_mlflow_param(buf, n, mlflow_name(path, "/params/"), &s);
	if (x->nser == MAX_MEASURES && !r)
		r = -1, snprintf(s.err, sizeof s.err, "more than %d measures", MAX_MEASURES);
	/* what was read before a fault stays: a log cut by a killed job is still its log */
	flush_series(x, name);
	if (r)
		gap(x, obj, path, name, s.err[0] ? s.err : "malformed");
	free(buf);
	x->src = 0;
}

/* ---- processes */

struct use {
	uint32_t obj;
	int dirs;
	uint64_t size, mtime;
};

struct uses {
	struct use *u;
	size_t n, cap;
	struct xs *x;
};

static int add_use(struct uses *us, uint32_t obj, int dirs, uint64_t size, uint64_t mtime);

static int collect_sess(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s)
{
	struct uses *us = ctx;
	int dirs = (s->rbytes ? PT_USE_READ : 0) | (s->wbytes ? PT_USE_WRITE : 0);

	(void)proc;
	if (!s->obj || s->kind != PT_KIND_FILE || !dirs)
		return 0;
	struct last *l = last_of(us->x, s->obj);
	if (s->close_ns > l->close_ns || (s->close_ns == l->close_ns && sid >= l->sid))
		*l = (struct last){ s->close_ns, sid, { s->dev, s->ino, s->size, s->mtime } };
	for (size_t i = 0; i < us->n; i++)
		if (us->u[i].obj == s->obj) {
			/* the last close says what the file was when this process let it go */
			us->u[i].dirs |= dirs;
			us->u[i].size = s->size;
			us->u[i].mtime = s->mtime;
			return 0;
		}
	return add_use(us, s->obj, dirs, s->size, s->mtime);
}

static int add_use(struct uses *us, uint32_t obj, int dirs, uint64_t size, uint64_t mtime)
{
	if (us->n == us->cap) {
		us->cap = us->cap ? us->cap * 2 : 64;
		void *q = realloc(us->u, us->cap * sizeof *us->u);
		if (!q)
			return ENOMEM;
		us->u = q;
	}
	us->u[us->n++] = (struct use){ obj, dirs, size, mtime };
	return 0;
}

struct moved {
	uint32_t to;
	uint64_t ts;
};

static int rename_edge(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind)
{
	struct moved *m = ctx;

	(void)a;
	if (kind == PT_FLOW_RENAME && ts >= m->ts) {
		m->to = b;
		m->ts = ts;
	}
	return 0;
}

/* A file written under a temporary name and renamed (as checkpoints and logs are) is
 * read under its last name: same content, same size and modification time. */
static void follow_renames(pt_store *st, struct uses *us)
{
	size_t n = us->n;

	for (size_t i = 0; i < n; i++) {
		if (!(us->u[i].dirs & PT_USE_WRITE))
			continue;
		uint32_t obj = us->u[i].obj;
		for (int hop = 0; hop < 8; hop++) {
			struct moved m = { 0, 0 };
			if (pt_store_each_flow(st, obj, 0, rename_edge, &m) || !m.to || m.to == obj)
				break;
			obj = m.to;
		}
		if (obj != us->u[i].obj) {
			add_use(us, obj, us->u[i].dirs, us->u[i].size, us->u[i].mtime);
			/* renamed content keeps its inode: the rename target's version */
			struct last *from = last_of(us->x, us->u[i].obj), *to = last_of(us->x, obj);
			if (!to->close_ns && from->close_ns >= to->close_ns)
				*to = *from;
		}
	}
}

static void proc_argv_env(struct xs *x, const struct pt_ev *ev)
{
	struct pt_psink s = { sink_param, sink_point, x, 100000, 0, 0, "" };
	struct pt_mpr m;
	struct pt_bytes a, k, v;
	uint32_t n;

	x->src = 0;
	if (pt_rules_any(x->rules, PT_RULE_HYPER_ARGV) && ev->n > 1 && ev->v[1].kind == PT_MP_ARRAY) {
		struct pt_buf joined = { 0 };
		char **argv = NULL;
		size_t argc = 0;
		pt_mpr_init(&m, ev->v[1].b.p, ev->v[1].b.len);
		if (pt_mpr_array(&m, &n) == 0 && (argv = calloc(n + 1, sizeof *argv))) {
			for (uint32_t i = 0; i < n && pt_mpr_bytes(&m, &a) == 0; i++) {
				if (memchr(a.p, 0, a.len))
					break;
				argv[argc] = strndup((const char *)a.p, a.len);
				if (!argv[argc])
					break;
				if (argc)
					pt_buf_putc(&joined, ' ');
				pt_buf_put(&joined, a.p, a.len);
				argc++;
			}
			if (pt_rules_matches(x->rules, PT_RULE_HYPER_ARGV, pt_buf_cstr(&joined)))
				pt_parse_argv((const char *const *)argv, argc, &s);
			for (size_t i = 0; i < argc; i++)
				free(argv[i]);
			free(argv);
		}
		pt_buf_free(&joined);
	}
	if (pt_rules_any(x->rules, PT_RULE_HYPER_ENV) && ev->n > 3 && ev->v[3].kind == PT_MP_MAP) {
		pt_mpr_init(&m, ev->v[3].b.p, ev->v[3].b.len);
		if (pt_mpr_map(&m, &n) == 0)
			for (uint32_t i = 0; i < n; i++) {
				if (pt_mpr_bytes(&m, &k) || pt_mpr_bytes(&m, &v))
					break;
				char *kk = strndup((const char *)k.p, k.len);
				char *vv = strndup((const char *)v.p, v.len);
				if (kk && vv && pt_rules_matches(x->rules, PT_RULE_HYPER_ENV, kk))
					pt_parse_setting(&s, kk, vv, "env");
				free(kk);
				free(vv);
			}
	}
}

static int proc_facts(struct xs *x, uint32_t proc)
{
	struct pt_ev ev;
	struct uses us = { .x = x };
	int r;

	x->subject = 'p';
	x->id = proc;
	x->n = 0;
	if (pt_store_proc_start(x->st, proc, &ev) == 0)
		proc_argv_env(x, &ev);
	if ((r = pt_store_each_sess(x->st, proc, collect_sess, &us)))
		goto out;
	follow_renames(x->st, &us);
	for (size_t i = 0; i < us.n && !x->err; i++) {
		const uint8_t *name;
		size_t len;
		uint32_t kind;
		struct pt_rule_extract ex[MAX_EXTRACTORS];
		char path[4097];

		if (pt_store_obj_name(x->st, us.u[i].obj, &name, &len, &kind) || !len ||
		    name[0] != '/' || len >= sizeof path || memchr(name, 0, len))
			continue;
		memcpy(path, name, len);
		path[len] = 0;
		size_t ne = pt_rules_extractors(x->rules, path, ex, MAX_EXTRACTORS);
		for (size_t e = 0; e < ne; e++)
			run_extractor(x, us.u[i].obj, path, us.u[i].dirs, us.u[i].size,
				      us.u[i].mtime, &ex[e]);
	}
out:
	free(us.u);
	return r ? r : x->err;
}

struct ids {
	uint32_t *id;
	size_t n, cap;
};

static int collect_proc(void *ctx, const struct pt_proc_rec *r)
{
	struct ids *ids = ctx;

	if (ids->n == ids->cap) {
		ids->cap = ids->cap ? ids->cap * 2 : 256;
		void *q = realloc(ids->id, ids->cap * sizeof *ids->id);
		if (!q)
			return ENOMEM;
		ids->id = q;
	}
	ids->id[ids->n++] = r->id;
	return 0;
}

struct update {
	const pt_rules *rules;
	struct pt_extract_stats *stats;
	char stamp[64];
};

static int extract_store(void *ctx, pt_store *st)
{
	struct update *u = ctx;
	struct pt_extract_stats saved = *u->stats;   /* a replay counts once */
	struct ids ids = { 0 };
	struct xs *x = calloc(1, sizeof *x);
	int r;

	if (!x)
		return ENOMEM;
	x->rules = u->rules;
	x->st = st;
	x->stats = u->stats;
	if ((r = pt_store_fact_clear(st)) || (r = pt_store_each_proc(st, collect_proc, &ids)))
		goto out;
	for (size_t i = 0; i < ids.n && !r; i++)
		r = proc_facts(x, ids.id[i]);
	if (!r) {
		describe_pending(x);
		r = x->err;
	}
	if (!r)
		r = pt_store_meta_put(st, "facts", u->stamp, strlen(u->stamp));
out:
	if (r)
		*u->stats = saved;
	onum_free(&x->onums);
	onum_free(&x->described);
	onum_free(&x->lastn);
	onum_free(&x->pendn);
	free(x->last);
	free(x->pend);
	pt_buf_free(&x->v);
	free(x);
	free(ids.id);
	return r;
}

/* ---- the run */

static int stamped(pt_store *st, const char *stamp)
{
	char have[64];
	size_t n = sizeof have;

	return pt_store_meta_get(st, "facts", have, &n) == 0 && n == strlen(stamp) &&
	       memcmp(have, stamp, n) == 0;
}

int pt_extract_run(const char *path, const pt_rules *rules, unsigned flags,
		   struct pt_extract_stats *stats, char *err, size_t errlen)
{
	struct pt_runset *rs = calloc(1, sizeof *rs);
	struct update u = { rules, stats, "" };
	const char *off = getenv("PROVTRACE_EXTRACT");
	char **todo = NULL;
	size_t ntodo = 0;
	uint64_t t0 = now_ns();
	int r;

	memset(stats, 0, sizeof *stats);
	if (!rs)
		return ENOMEM;
	if (off && !strcmp(off, "0")) {
		free(rs);
		return 0;
	}
	if (off && !strcmp(off, "force"))
		flags |= PT_EXTRACT_FORCE;
	snprintf(u.stamp, sizeof u.stamp, STAMP_FMT, pt_rules_fingerprint(rules));
	if ((r = pt_runset_open(path, rs))) {
		snprintf(err, errlen, "%s: %s", path, pt_strerror(r));
		free(rs);
		return r;
	}
	stats->stores = rs->n;
	todo = calloc(rs->n ? rs->n : 1, sizeof *todo);
	for (size_t i = 0; todo && i < rs->n; i++) {
		if (!(flags & PT_EXTRACT_FORCE) && stamped(rs->st[i], u.stamp))
			continue;
		char file[8192];
		if (rs->dir[0])
			snprintf(file, sizeof file, "%s/nodes/%s.mdb", rs->dir, rs->name[i]);
		else
			snprintf(file, sizeof file, "%s", path);
		todo[ntodo++] = strdup(file);
	}
	pt_runset_close(rs);
	free(rs);
	if (!todo)
		return ENOMEM;
	for (size_t i = 0; i < ntodo; i++) {
		if (!todo[i]) {
			r = ENOMEM;
			continue;
		}
		int e = r ? 0 : pt_store_update(todo[i], extract_store, &u);
		if (e == EACCES || e == EROFS || e == EPERM)
			stats->unwritable++;
		else if (e) {
			snprintf(err, errlen, "%s: extracting facts: %s", todo[i], pt_strerror(e));
			r = e;
		} else if (!r) {
			stats->extracted++;
		}
		free(todo[i]);
	}
	free(todo);
	stats->ns = now_ns() - t0;
	return r;
}

const char *pt_extract_warning(const struct pt_extract_stats *stats, char *buf, size_t n)
{
	if (!stats->unwritable)
		return NULL;
	snprintf(buf, n, "%llu node store%s not writable here: hyperparameters and metrics "
		 "not extracted (the store's owner's first stat, export or query does it)",
		 (unsigned long long)stats->unwritable, stats->unwritable == 1 ? "" : "s");
	return buf;
}

void pt_extract_tool(const char *tool, const char *path, const pt_rules *rules,
		     struct pt_extract_stats *stats)
{
	struct pt_extract_stats local;
	char err[512] = "", warn[256];

	if (!stats)
		stats = &local;
	if (!pt_rules_any(rules, PT_RULE_EXTRACT) && !pt_rules_any(rules, PT_RULE_HYPER_ARGV) &&
	    !pt_rules_any(rules, PT_RULE_HYPER_ENV)) {
		memset(stats, 0, sizeof *stats);
		return;   /* nothing asked: the stores are left as they are */
	}
	if (pt_extract_run(path, rules, 0, stats, err, sizeof err) && err[0])
		fprintf(stderr, "%s: %s\n", tool, err);
	if (pt_extract_warning(stats, warn, sizeof warn))
		fprintf(stderr, "%s: %s\n", tool, warn);
}
