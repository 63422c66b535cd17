/* diff.c — provtrace-diff (`provtrace diff RUN1 RUN2`): what differs between two runs of a
 * job, from their stores: command line, allowlisted environment, loaded libraries (by
 * content), input and output files (by content, collector/hash.h), processes and their
 * exit status, MPI shape.  Each aspect becomes a sorted list of (key, value) pairs per run,
 * and one merge says what was added, removed or changed. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "collector/wire.h"
#include "content.h"
#include "json.h"
#include "runset.h"
#include "sets.h"
#include "walk.h"

struct kv {
	char *k, *v;
	size_t klen;
};

struct kvs {
	struct kv *e;
	size_t n, cap;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "provtrace diff: out of memory\n");
		exit(2);
	}
	return p;
}

static char *xdup(const void *p, size_t n)
{
	char *s = xmalloc(n + 1);

	if (n)
		memcpy(s, p, n);
	s[n] = 0;
	return s;
}

static void kv_add(struct kvs *l, const void *k, size_t klen, const char *v)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		struct kv *e = realloc(l->e, l->cap * sizeof *e);
		if (!e) {
			fprintf(stderr, "provtrace diff: out of memory\n");
			exit(2);
		}
		l->e = e;
	}
	l->e[l->n].k = xdup(k, klen);
	l->e[l->n].klen = klen;
	l->e[l->n++].v = xdup(v, strlen(v));
}

static int kv_cmp(const void *a, const void *b)
{
	const struct kv *x = a, *y = b;
	size_t n = x->klen < y->klen ? x->klen : y->klen;
	int c = memcmp(x->k, y->k, n);

	return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

/* Sort, and keep one entry per key: the first added (callers add in the order that
 * makes the first one right, or give every duplicate the same value). */
static void kv_sort(struct kvs *l)
{
	size_t w = 0;

	if (l->n)
		qsort(l->e, l->n, sizeof *l->e, kv_cmp);
	for (size_t i = 0; i < l->n; i++) {
		if (w && !kv_cmp(&l->e[w - 1], &l->e[i])) {
			free(l->e[i].k);
			free(l->e[i].v);
			continue;
		}
		l->e[w++] = l->e[i];
	}
	l->n = w;
}

static void kv_free(struct kvs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->e[i].k);
		free(l->e[i].v);
	}
	free(l->e);
	l->e = NULL;
	l->n = l->cap = 0;
}

/* ---- one run, as lists */

struct run {
	struct pt_runset rs;
	struct kvs cmd, env, libs, in, out, procs, status, mpi;
	const char *dir;
};

/* A file's story in one run, keyed by path. */
struct fent {
	char *path;
	size_t len;
	size_t store;
	uint32_t obj;
	uint64_t rfirst, wfirst, wlast;   /* first read, first write, last write's close */
	char in[PT_HASH_STR], out[PT_HASH_STR];
	int renamed_away;
};

struct files {
	struct pt_u64map idx;             /* fnv64(path) → index + 1 */
	struct fent *e;
	size_t n, cap;
};

static uint64_t fnv(const void *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++)
		h = (h ^ ((const uint8_t *)p)[i]) * 0x100000001b3ull;
	return h;
}

static struct fent *file_get(struct files *f, const void *path, size_t len)
{
	int fresh;
	uint64_t *slot = pt_u64map_get(&f->idx, fnv(path, len), 0, &fresh);

	if (!fresh && *slot)
		return &f->e[*slot - 1];   /* a 64-bit collision of two paths is not expected */
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 256;
		struct fent *e = realloc(f->e, f->cap * sizeof *e);
		if (!e) {
			fprintf(stderr, "provtrace diff: out of memory\n");
			exit(2);
		}
		f->e = e;
	}
	struct fent *e = &f->e[f->n++];
	memset(e, 0, sizeof *e);
	e->path = xdup(path, len);
	e->len = len;
	*slot = f->n;
	return e;
}

/* Pseudo files say nothing about the data: their "content" changes by itself. */
static int pseudo(const char *p)
{
	return !strncmp(p, "/proc/", 6) || !strncmp(p, "/sys/", 5) || !strncmp(p, "/dev/", 5);
}

struct sess_ctx {
	struct run *r;
	struct files *f;
	size_t s;
};

static int sess_cb(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *x)
{
	struct sess_ctx *c = ctx;
	pt_store *st = c->r->rs.st[c->s];
	const uint8_t *name;
	size_t len;
	uint32_t kind;

	(void)proc, (void)sid;
	/* descriptors the job was started with (call 0xff: its standard streams, redirected
	 * by whoever started it) are not files it chose */
	if (!x->obj || x->kind != PT_KIND_FILE || (!x->rops && !x->wops) || x->call == 0xff)
		return 0;
	if (pt_store_obj_name(st, x->obj, &name, &len, &kind) || !len || name[0] != '/')
		return 0;
	struct fent *e = file_get(c->f, name, len);
	if (pseudo(e->path))
		return 0;
	struct pt_file_id id = { x->dev, x->ino, x->size, x->mtime };
	if (x->rops) {
		uint64_t t = x->rfirst ? x->rfirst : x->open_ns;
		if (!e->rfirst || t < e->rfirst) {
			e->rfirst = t;
			pt_content_text(st, e->path, &id, 1, e->in);
		}
	}
	if (x->wops) {
		uint64_t t = x->wfirst ? x->wfirst : x->open_ns;
		if (!e->wfirst || t < e->wfirst)
			e->wfirst = t;
		if (x->close_ns >= e->wlast) {
			e->wlast = x->close_ns;
			e->store = c->s;
			e->obj = x->obj;
			pt_content_text(st, e->path, &id, 1, e->out);
		}
	}
	return 0;
}

struct proc_ctx {
	struct run *r;
	struct files *f;
	size_t s;
	uint32_t top;             /* the first image: the job's command */
};

static void argv_text(struct pt_buf *b, const struct pt_val *v)
{
	struct pt_mpr m;
	struct pt_bytes s;
	uint32_t n;

	if (v->kind != PT_MP_ARRAY)
		return;
	pt_mpr_init(&m, v->b.p, v->b.len);
	if (pt_mpr_array(&m, &n))
		return;
	for (uint32_t i = 0; i < n && pt_mpr_bytes(&m, &s) == 0; i++) {
		if (b->len)
			pt_buf_putc(b, ' ');
		pt_buf_put(b, s.p, s.len);
	}
}

static void status_text(char *out, size_t n, const struct pt_proc_rec *p)
{
	switch (p->end_state) {
	case PT_END_EXECED: snprintf(out, n, "exec"); return;
	case PT_END_RUNNING: snprintf(out, n, "running"); return;
	default: break;
	}
	if (p->status < 0)
		snprintf(out, n, "%s", p->end_state == PT_END_DIED ? "killed" : "unknown");
	else if (WIFSIGNALED(p->status))
		snprintf(out, n, "signal %d", WTERMSIG(p->status));
	else
		snprintf(out, n, "exit %d", WEXITSTATUS(p->status));
}

/* processes: key = executable and arguments; counted per (command, status) first */
static int proc_cb(void *ctx, const struct pt_proc_rec *p)
{
	struct proc_ctx *c = ctx;
	pt_store *st = c->r->rs.st[c->s];
	struct pt_buf cmd = { 0 };
	struct pt_ev ev;
	char status[32];

	if (pt_store_proc_start(st, p->id, &ev) == 0) {
		argv_text(&cmd, &ev.v[1]);
		if (!cmd.len) {
			struct pt_bytes exe = pt_ev_b(&ev, 0);
			pt_buf_put(&cmd, exe.p, exe.len);
		}
		/* the job's environment: the top image's allowlisted variables */
		if (c->s == 0 && !c->top && ev.n > 3 && ev.v[3].kind == PT_MP_MAP) {
			struct pt_mpr m;
			struct pt_bytes k, v;
			uint32_t n;
			c->top = p->id;
			pt_mpr_init(&m, ev.v[3].b.p, ev.v[3].b.len);
			if (pt_mpr_map(&m, &n) == 0)
				for (uint32_t i = 0; i < n; i++) {
					if (pt_mpr_bytes(&m, &k) || pt_mpr_bytes(&m, &v))
						break;
					/* the tracer's own settings name the run, not the job */
					if (k.len >= 10 && !memcmp(k.p, "PROVTRACE_", 10))
						continue;
					char *val = xdup(v.p, v.len);
					kv_add(&c->r->env, k.p, k.len, val);
					free(val);
				}
		}
	} else {
		pt_buf_puts(&cmd, "(unknown command)");
	}
	status_text(status, sizeof status, p);
	kv_add(&c->r->procs, cmd.p, cmd.len, "");
	pt_buf_putc(&cmd, 0);
	pt_buf_puts(&cmd, status);
	kv_add(&c->r->status, cmd.p, cmd.len, "");
	pt_buf_free(&cmd);
	return 0;
}

static int lib_cb(void *ctx, uint32_t proc, uint32_t obj, uint64_t base, uint32_t kind)
{
	struct sess_ctx *c = ctx;
	pt_store *st = c->r->rs.st[c->s];
	const uint8_t *name;
	size_t len;
	uint32_t k;
	char h[PT_HASH_STR];

	(void)proc, (void)base, (void)kind;
	if (pt_store_obj_name(st, obj, &name, &len, &k) || !len || name[0] != '/')
		return 0;
	/* the tracer's own library is not the job's */
	if (pt_is_tracer_lib(name, len))
		return 0;
	char *path = xdup(name, len);
	pt_content_path(st, path, 0, h);
	kv_add(&c->r->libs, path, len, h);
	free(path);
	return 0;
}

static int mpi_cb(void *ctx, uint32_t proc, const struct pt_mpi_rank *m)
{
	struct kvs *l = ctx;
	char k[64];

	(void)proc;
	/* the shape: jobs by size (job names hold launcher pids: never the same twice);
	 * counted, each rank image once, so that two jobs of N ranks count 2N */
	int n = snprintf(k, sizeof k, "ranks in jobs of size %d", m->size);
	kv_add(l, k, (size_t)n, "");
	return 0;
}

static int flow_cb(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind)
{
	struct sess_ctx *c = ctx;
	pt_store *st = c->r->rs.st[c->s];
	const uint8_t *name;
	size_t len;
	uint32_t k;

	if (kind != PT_FLOW_RENAME || pt_store_obj_name(st, a, &name, &len, &k))
		return 0;
	struct fent *from = file_get(c->f, name, len);
	if (pt_store_obj_name(st, b, &name, &len, &k) || !len || name[0] != '/')
		return 0;
	if (from->wlast > ts)
		return 0;   /* written again after it moved: its own output */
	char out[PT_HASH_STR];
	memcpy(out, from->out, sizeof out);
	from->renamed_away = 1;
	struct fent *to = file_get(c->f, name, len);
	if (ts >= to->wlast) {
		to->wlast = ts;
		memcpy(to->out, out, sizeof out);
		to->renamed_away = 0;
		if (!to->wfirst)
			to->wfirst = ts;
	}
	return 0;
}

struct cmd_ctx {
	struct pt_buf *cmd;
};

static int cmd_str(void *ctx, const struct pt_buf *s)
{
	struct pt_buf *b = ctx;

	if (b->len)
		pt_buf_putc(b, ' ');
	pt_buf_put(b, s->p, s->len);
	return 0;
}

static int runjson_cb(void *ctx, const char *key, struct pt_json *j)
{
	if (strcmp(key, "command"))
		return 1;
	return pt_json_strings(j, cmd_str, ctx) ? -1 : 0;
}

static void run_command(struct run *r)
{
	struct pt_buf text = { 0 }, cmd = { 0 };
	char path[4200];
	struct pt_json j;

	snprintf(path, sizeof path, "%s/run.json", r->rs.dir[0] ? r->rs.dir : r->dir);
	if (pt_json_load(path, &text) == 0) {
		pt_json_init(&j, text.p, text.len);
		pt_json_object(&j, runjson_cb, &cmd);
	}
	pt_buf_putc(&cmd, 0);
	kv_add(&r->cmd, "command", 7, cmd.p);
	pt_buf_free(&text);
	pt_buf_free(&cmd);
}

/* For the statuses: the status after the command's NUL. */
static void proc_split(const struct kv *e, size_t *cmdlen, const char **status)
{
	const char *z = memchr(e->k, 0, e->klen);

	*cmdlen = z ? (size_t)(z - e->k) : e->klen;
	*status = z ? z + 1 : "";
}

/* Equal keys become one, valued with their count. */
static void count(struct kvs *l)
{
	struct kvs counted = { 0 };

	if (l->n)
		qsort(l->e, l->n, sizeof *l->e, kv_cmp);
	for (size_t i = 0; i < l->n;) {
		size_t j = i;
		while (j < l->n && !kv_cmp(&l->e[i], &l->e[j]))
			j++;
		char v[32];
		snprintf(v, sizeof v, "%zu", j - i);
		kv_add(&counted, l->e[i].k, l->e[i].klen, v);
		i = j;
	}
	kv_free(l);
	*l = counted;
}

static int run_load(struct run *r, const char *dir)
{
	struct files f = { 0 };
	int e;

	r->dir = dir;
	if ((e = pt_runset_open(dir, &r->rs))) {
		fprintf(stderr, "provtrace diff: %s: %s\n", dir,
			e == ENOENT ? "no node store in this run directory" : pt_strerror(e));
		return -1;
	}
	run_command(r);
	for (size_t s = 0; s < r->rs.n; s++) {
		struct proc_ctx pc = { r, &f, s, 0 };
		struct sess_ctx sc = { r, &f, s };
		pt_store *st = r->rs.st[s];
		if ((e = pt_store_each_proc(st, proc_cb, &pc)) ||
		    (e = pt_store_each_lib(st, 0, lib_cb, &sc)) ||
		    (e = pt_store_each_mpi_rank(st, mpi_cb, &r->mpi)))
			goto fail;
		/* sessions per image, in image order */
		for (uint32_t p = 1;; p++) {
			struct pt_proc_rec rec;
			if (pt_store_proc(st, p, &rec))
				break;
			if ((e = pt_store_each_sess(st, p, sess_cb, &sc)))
				goto fail;
		}
	}
	/* renames carry an output's content to its final name (checkpoints) */
	for (size_t i = 0, n = f.n; i < n; i++) {
		if (!f.e[i].wlast)
			continue;
		struct sess_ctx sc = { r, &f, f.e[i].store };
		if ((e = pt_store_each_flow(r->rs.st[f.e[i].store], f.e[i].obj, 0, flow_cb, &sc)))
			goto fail;
	}
	for (size_t i = 0; i < f.n; i++) {
		struct fent *x = &f.e[i];
		if (x->rfirst && (!x->wfirst || x->rfirst < x->wfirst))
			kv_add(&r->in, x->path, x->len, x->in);
		if (x->wlast && !x->renamed_away)
			kv_add(&r->out, x->path, x->len, x->out);
		free(x->path);
	}
	free(f.e);
	pt_u64map_free(&f.idx);
	kv_sort(&r->cmd);
	kv_sort(&r->env);
	kv_sort(&r->libs);
	kv_sort(&r->in);
	kv_sort(&r->out);
	count(&r->mpi);
	count(&r->procs);
	/* exit statuses: "command NUL status" → per command, "status ×n, ..." */
	count(&r->status);
	struct kvs st = { 0 };
	struct pt_buf v = { 0 };
	for (size_t i = 0; i < r->status.n;) {
		size_t cl, j = i;
		const char *s1;
		proc_split(&r->status.e[i], &cl, &s1);
		v.len = 0;
		for (; j < r->status.n; j++) {
			size_t cl2;
			const char *s2;
			proc_split(&r->status.e[j], &cl2, &s2);
			if (cl2 != cl || memcmp(r->status.e[j].k, r->status.e[i].k, cl))
				break;
			if (v.len)
				pt_buf_puts(&v, ", ");
			pt_buf_puts(&v, s2);
			pt_buf_puts(&v, " ×");
			pt_buf_puts(&v, r->status.e[j].v);
		}
		pt_buf_putc(&v, 0);
		kv_add(&st, r->status.e[i].k, cl, v.p);
		i = j;
	}
	pt_buf_free(&v);
	kv_free(&r->status);
	r->status = st;
	return 0;
fail:
	fprintf(stderr, "provtrace diff: %s: %s\n", dir, pt_strerror(e));
	return -1;
}

static void run_free(struct run *r)
{
	kv_free(&r->cmd);
	kv_free(&r->env);
	kv_free(&r->libs);
	kv_free(&r->in);
	kv_free(&r->out);
	kv_free(&r->procs);
	kv_free(&r->status);
	kv_free(&r->mpi);
	pt_runset_close(&r->rs);
}

/* ---- the comparison */

enum { D_ADDED = 1, D_REMOVED = 2, D_CHANGED = 3 };

struct delta {
	int how;
	const struct kv *a, *b;
};

struct deltas {
	struct delta *d;
	size_t n, same;
};

static void compare(const struct kvs *a, const struct kvs *b, struct deltas *out)
{
	size_t i = 0, j = 0;

	out->d = xmalloc((a->n + b->n) * sizeof *out->d);
	out->n = out->same = 0;
	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 : kv_cmp(&a->e[i], &b->e[j]);
		if (c < 0) {
			out->d[out->n++] = (struct delta){ D_REMOVED, &a->e[i++], NULL };
		} else if (c > 0) {
			out->d[out->n++] = (struct delta){ D_ADDED, NULL, &b->e[j++] };
		} else {
			if (strcmp(a->e[i].v, b->e[j].v))
				out->d[out->n++] = (struct delta){ D_CHANGED, &a->e[i], &b->e[j] };
			else
				out->same++;
			i++, j++;
		}
	}
}

/* Printable text of key bytes: a control byte or NUL (processes' separator) as a
 * space or \xXX, so that one line stays one line. */
static void put_text(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == 0)
			fputs(" → ", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void json_str(const char *p, size_t n)
{
	pt_json_bytes(stdout, (const uint8_t *)p, n);
}

struct section {
	const char *name, *what;
	struct deltas d;
	int unused;
};

static void print_text(struct section *s, size_t ns, struct pt_strset *derive,
		       struct kvs *changed_in)
{
	for (size_t i = 0; i < ns; i++) {
		struct deltas *d = &s[i].d;
		printf("%-12s", s[i].name);
		if (!d->n) {
			if (*s[i].what)
				printf("same (%zu %s)\n", d->same, s[i].what);
			else
				printf("same\n");
			continue;
		}
		printf("%zu differ, %zu same %s\n", d->n, d->same, s[i].what);
		for (size_t j = 0; j < d->n; j++) {
			const struct delta *x = &d->d[j];
			const struct kv *e = x->a ? x->a : x->b;
			printf("  %c ", x->how == D_ADDED ? '+' : x->how == D_REMOVED ? '-' : '~');
			put_text(e->k, e->klen);
			if (x->how == D_CHANGED)
				printf("  %s → %s", x->a->v, x->b->v);
			else if (*e->v)
				printf("  %s", e->v);
			/* outputs: which changed inputs they derive from (run 2's lineage) */
			if (derive && i == 4 && x->how != D_REMOVED) {
				int first = 1;
				for (size_t k = 0; k < changed_in->n; k++) {
					struct pt_strset *reach = &derive[k];
					if (!pt_strset_has(reach, e->k, e->klen))
						continue;
					printf(first ? "  (from changed " : ", ");
					put_text(changed_in->e[k].k, changed_in->e[k].klen);
					first = 0;
				}
				if (!first)
					printf(")");
			}
			printf("\n");
		}
	}
}

static void print_json(struct section *s, size_t ns, struct pt_strset *derive,
		       struct kvs *changed_in, int same)
{
	printf("{\"same\":%s", same ? "true" : "false");
	for (size_t i = 0; i < ns; i++) {
		struct deltas *d = &s[i].d;
		printf(",\"%s\":{\"same\":%zu,\"differ\":[", s[i].name, d->same);
		for (size_t j = 0; j < d->n; j++) {
			const struct delta *x = &d->d[j];
			const struct kv *e = x->a ? x->a : x->b;
			size_t kl = e->klen;
			printf("%s{\"how\":\"%s\",\"key\":", j ? "," : "",
			       x->how == D_ADDED ? "added" : x->how == D_REMOVED ? "removed"
									: "changed");
			json_str(e->k, kl);
			if (x->a) {
				printf(",\"run1\":");
				json_str(x->a->v, strlen(x->a->v));
			}
			if (x->b) {
				printf(",\"run2\":");
				json_str(x->b->v, strlen(x->b->v));
			}
			if (derive && i == 4 && x->how != D_REMOVED) {
				printf(",\"from_changed_inputs\":[");
				int first = 1;
				for (size_t k = 0; k < changed_in->n; k++)
					if (pt_strset_has(&derive[k], e->k, e->klen)) {
						printf("%s", first ? "" : ",");
						json_str(changed_in->e[k].k, changed_in->e[k].klen);
						first = 0;
					}
				printf("]");
			}
			printf("}");
		}
		printf("]}");
	}
	printf("}\n");
}

static void add_reach(void *ctx, const uint8_t *name, size_t len)
{
	pt_strset_add(ctx, name, len);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace diff [--json] RUN1 RUN2\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, 0, 'j' }, { "rerun", no_argument, 0, 'r' },
		{ "help", no_argument, 0, 'h' }, { 0 }
	};
	static struct run a, b;
	int c, json = 0, rerun = 0;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'r': rerun = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 2 != argc) {
		usage(stderr);
		return 2;
	}
	if (run_load(&a, argv[optind]) || run_load(&b, argv[optind + 1]))
		return 2;

	struct section s[] = {
		{ "command", "", { 0 }, 0 }, { "environment", "variables", { 0 }, 0 },
		{ "libraries", "loaded", { 0 }, 0 }, { "inputs", "files read", { 0 }, 0 },
		{ "outputs", "files written", { 0 }, 0 },
		{ "processes", "commands, by number of processes", { 0 }, 0 },
		{ "status", "commands, by exit status", { 0 }, 0 },
		{ "mpi", "job sizes", { 0 }, 0 },
	};
	struct kvs *lists[][2] = { { &a.cmd, &b.cmd }, { &a.env, &b.env }, { &a.libs, &b.libs },
				   { &a.in, &b.in }, { &a.out, &b.out },
				   { &a.procs, &b.procs }, { &a.status, &b.status },
				   { &a.mpi, &b.mpi } };
	size_t ns = sizeof s / sizeof *s, total = 0;
	for (size_t i = 0; i < ns; i++) {
		compare(lists[i][0], lists[i][1], &s[i].d);
		total += s[i].d.n;
	}
	/* what each changed input reaches in run 2: the outputs that derive from it */
	struct kvs changed_in = { 0 };
	for (size_t j = 0; j < s[3].d.n; j++)
		if (s[3].d.d[j].how == D_CHANGED)
			kv_add(&changed_in, s[3].d.d[j].b->k, s[3].d.d[j].b->klen, "");
	struct pt_strset *derive = changed_in.n ? xmalloc(changed_in.n * sizeof *derive) : NULL;
	for (size_t k = 0; k < changed_in.n; k++) {
		struct pt_walk_cb cb = { add_reach, NULL, &derive[k] };
		memset(&derive[k], 0, sizeof derive[k]);
		pt_walk(&b.rs, (const uint8_t *)changed_in.e[k].k, changed_in.e[k].klen, 0, ~0u, 1,
			&cb);
	}
	if (rerun) {
		/* provtrace rerun: the question is the outputs; the rest explains a difference
		 * (the command is the same by construction: the new run's names the launcher) */
		s[0].d.n = 0;
		if (s[4].d.n == 0)
			printf("same outputs (%zu file%s)\n", s[4].d.same, s[4].d.same == 1 ? "" : "s");
		else
			print_text(s, ns, derive, &changed_in);
		total = s[4].d.n;
	} else if (json) {
		print_json(s, ns, derive, &changed_in, total == 0);
	} else {
		printf("diff %s %s: %s\n", argv[optind], argv[optind + 1],
		       total ? "they differ" : "same");
		print_text(s, ns, derive, &changed_in);
	}
	for (size_t k = 0; k < changed_in.n; k++)
		pt_strset_free(&derive[k]);
	free(derive);
	kv_free(&changed_in);
	for (size_t i = 0; i < ns; i++)
		free(s[i].d.d);
	run_free(&a);
	run_free(&b);
	return total ? 1 : 0;
}
