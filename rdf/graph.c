/* graph.c — provtrace-graph (`provtrace graph`): the lineage of one file as a picture in
 * PROV's conventions, laid out by Graphviz (cgraph + gvc), as SVG, PNG or DOT.
 *
 * The walk is walk.c's, the one provtrace-lineage lists files from.  A file version is
 * the content one process wrote (the path and the writer), or the content the path held
 * before any traced write (its first version); a read is of the latest version whose
 * writing began before the read did.  A pipe or socket is one entity, made by all its
 * writers.  Nodes and edges are sorted by name before the
 * graph is built, so that the output is the same bytes for the same run. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "iri.h"
#include "runset.h"
#include "sets.h"
#include "walk.h"

#define PROG "provtrace graph"

/* PROV's colours, as the PROV Toolbox and prov.dot draw them */
#define COLOUR_ENTITY "#FFFC87"
#define COLOUR_ACTIVITY "#9FB1FC"
#define COLOUR_AGENT "#FED37F"

enum { V_ENTITY, V_ACTIVITY, V_AGENT };

struct vertex {
	char *key;       /* the node's name in the graph: unique, stable */
	char *label;
	char *cluster;   /* host name, or NULL: outside every node */
	int type;
};

struct edge {
	char *from, *to;
	const char *label;
};

static struct {
	struct pt_runset rs;
	int all;
	struct vertex *v;
	size_t nv, capv;
	struct edge *e;
	size_t ne, cape;
	struct pt_strset keys;
} G;

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n))) {
		fputs(PROG ": out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	return strcpy(xrealloc(NULL, strlen(s) + 1), s);
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	s = xrealloc(NULL, (size_t)n + 1);
	va_start(ap, f);
	vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	return s;
}

/* Add a vertex once (keys are unique); takes the strings. */
static void vertex(int type, char *key, char *label, const char *cluster)
{
	if (!pt_strset_add(&G.keys, key, strlen(key))) {
		free(key);
		free(label);
		return;
	}
	if (G.nv == G.capv) {
		G.capv = G.capv ? 2 * G.capv : 256;
		G.v = xrealloc(G.v, G.capv * sizeof *G.v);
	}
	G.v[G.nv++] = (struct vertex){ key, label, cluster ? xstrdup(cluster) : NULL, type };
}

static void add_edge(const char *from, const char *to, const char *label)
{
	if (G.ne == G.cape) {
		G.cape = G.cape ? 2 * G.cape : 256;
		G.e = xrealloc(G.e, G.cape * sizeof *G.e);
	}
	G.e[G.ne++] = (struct edge){ xstrdup(from), xstrdup(to), label };
}

/* ---- activities and agents */

static const char *basename_of(const char *p, size_t n, size_t *len)
{
	const char *b = p;

	for (size_t i = 0; i < n; i++)
		if (p[i] == '/' && i + 1 < n)
			b = p + i + 1;
	*len = n - (size_t)(b - p);
	return b;
}

/* The activity of a process image: its vertex, the user's, the association. */
static char *activity(uint64_t node)
{
	size_t s = PT_WALK_STORE(node), blen = 0;
	struct pt_proc_rec p;
	struct pt_ev ev;
	struct pt_bytes exe = { 0 };
	const char *base = "?";
	char *key, *agent;

	if (pt_store_proc(G.rs.st[s], PT_WALK_ID(node), &p) == 0 &&
	    pt_store_proc_start(G.rs.st[s], PT_WALK_ID(node), &ev) == 0)
		exe = pt_ev_b(&ev, 0);
	else
		memset(&p, 0, sizeof p);
	if (exe.len)
		base = basename_of((const char *)exe.p, exe.len, &blen);
	else
		blen = 1;
	key = fmt("activity:%s:%d:%llu", G.rs.name[s], (int)p.pid, (unsigned long long)p.start_ns);
	vertex(V_ACTIVITY, xstrdup(key), fmt("%.*s\n%s pid %d", (int)blen, base, G.rs.name[s],
					     (int)p.pid), G.rs.name[s]);
	agent = fmt("agent:uid:%u", (unsigned)p.uid);
	vertex(V_AGENT, xstrdup(agent), fmt("user %u", (unsigned)p.uid), NULL);
	add_edge(key, agent, "wasAssociatedWith");
	free(agent);
	return key;
}

/* ---- entities: file versions */

struct latest {
	uint64_t before, best;
	size_t store;
	uint32_t proc;
	int found;
};

static int latest_write(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
			const struct pt_use_rec *u)
{
	struct latest *l = ctx;

	(void)obj;
	(void)sid;
	/* ties go to the lower store, then the lower process: stable */
	if (u->wfirst < l->before && (!l->found || u->wfirst > l->best)) {
		l->best = u->wfirst;
		l->proc = proc;
		l->found = 1;
	}
	return 0;
}

/* A name as Graphviz can show it: UTF-8 without control characters or backslashes
 * (escapes in labels); other bytes, and '%', as %XX, so that names stay distinct. */
static char *display(const uint8_t *p, size_t n)
{
	char *s = xrealloc(NULL, 3 * n + 1), *o = s;

	for (size_t i = 0; i < n;) {
		size_t k = p[i] >= 0x80 ? pt_utf8_seq(p + i, n - i) : 1;
		if (k > 1) {
			memcpy(o, p + i, k);
			o += k;
			i += k;
			continue;
		}
		if (p[i] < 0x20 || p[i] >= 0x7f || p[i] == '\\' || p[i] == '%' || p[i] == '"')
			o += sprintf(o, "%%%02X", p[i]);
		else
			*o++ = (char)p[i];
		i++;
	}
	*o = 0;
	return s;
}

/* The object's name, copied into a string; NULL when it is not drawn. */
static char *obj_path(uint64_t node, uint32_t *kind)
{
	const uint8_t *name;
	size_t len;

	if (pt_store_obj_name(G.rs.st[PT_WALK_STORE(node)], PT_WALK_ID(node), &name, &len, kind))
		return NULL;
	if (*kind == PT_KIND_FILE && !G.all && !pt_walk_shown(name, len))
		return NULL;
	return display(name, len);
}

/* The vertex of the version of object `node` written by process `writer` (a walk node),
 * or of its first version when writer is 0. */
static char *entity(uint64_t node, uint64_t writer)
{
	uint32_t kind;
	char *path = obj_path(node, &kind), *key;

	if (!path)
		return NULL;
	/* a pipe or socket is a stream, not versions: every writer made part of it */
	if (kind != PT_KIND_FILE) {
		key = fmt("entity:%s@%s", path, G.rs.name[PT_WALK_STORE(node)]);
		vertex(V_ENTITY, xstrdup(key), xstrdup(path), G.rs.name[PT_WALK_STORE(node)]);
	} else if (writer) {
		size_t s = PT_WALK_STORE(writer);
		struct pt_proc_rec p;
		if (pt_store_proc(G.rs.st[s], PT_WALK_ID(writer), &p))
			memset(&p, 0, sizeof p);
		key = fmt("entity:%s@%s:%d:%llu", path, G.rs.name[s], (int)p.pid,
			  (unsigned long long)p.start_ns);
		/* drawn on the node that wrote it */
		vertex(V_ENTITY, xstrdup(key), fmt("%s\nas written by pid %d", path, (int)p.pid),
		       G.rs.name[s]);
	} else {
		/* a path is one file on every node that shares the file system */
		key = fmt("entity:%s", path);
		vertex(V_ENTITY, xstrdup(key), xstrdup(path), NULL);
	}
	free(path);
	return key;
}

/* The version of object `node` a read that began at `t` saw: the latest whose writing
 * began before t, on any node for a file (one file system), else the first. */
static char *entity_at(uint64_t node, uint64_t t)
{
	size_t s0 = PT_WALK_STORE(node);
	uint32_t kind;
	const uint8_t *name;
	size_t len;
	uint8_t copy[8192];
	struct latest best = { .before = t };

	if (pt_store_obj_name(G.rs.st[s0], PT_WALK_ID(node), &name, &len, &kind))
		return NULL;
	if (len > sizeof copy)
		len = sizeof copy;
	memcpy(copy, name, len);
	for (size_t s = 0; s < G.rs.n; s++) {
		uint32_t obj;
		struct latest l = { .before = t };
		if (kind != PT_KIND_FILE && s != s0)
			continue;
		if (pt_store_obj_find(G.rs.st[s], copy, len, &obj))
			continue;
		pt_store_each_use_dir(G.rs.st[s], obj, PT_USE_WRITE, latest_write, &l);
		if (l.found && (!best.found || l.best > best.best)) {
			best = l;
			best.store = s;
		}
	}
	return entity(node, best.found ? PT_WALK_NODE(best.store, PT_WALK_PROC, best.proc) : 0);
}

static void on_edge(void *ctx, int kind, uint64_t a, uint64_t b, uint64_t t)
{
	char *from = NULL, *to = NULL;
	const char *label = NULL;

	(void)ctx;
	switch (kind) {
	case PT_WALK_GENERATED:
		from = entity(a, b);
		to = activity(b);
		label = "wasGeneratedBy";
		break;
	case PT_WALK_USED:
		from = activity(a);
		to = entity_at(b, t);
		label = "used";
		break;
	case PT_WALK_INFORMED:
		from = activity(a);
		to = activity(b);
		label = "wasInformedBy";
		break;
	case PT_WALK_DERIVED:
		from = entity_at(a, t ? t + 1 : UINT64_MAX);
		to = entity_at(b, t ? t : UINT64_MAX);
		label = "wasDerivedFrom";
		break;
	}
	if (from && to && strcmp(from, to))
		add_edge(from, to, label);
	free(from);
	free(to);
}

/* ---- the graph */

static int cmp_vertex(const void *a, const void *b)
{
	return strcmp(((const struct vertex *)a)->key, ((const struct vertex *)b)->key);
}

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;
	int c = strcmp(x->from, y->from);

	if (!c)
		c = strcmp(x->to, y->to);
	return c ? c : strcmp(x->label, y->label);
}

static void set(void *obj, const char *name, const char *value)
{
	agsafeset(obj, (char *)name, (char *)value, "");
}

static Agraph_t *build(void)
{
	Agraph_t *g = agopen("provenance", Agstrictdirected, NULL);
	static const char *const shape[] = { "ellipse", "box", "house" };
	static const char *const colour[] = { COLOUR_ENTITY, COLOUR_ACTIVITY, COLOUR_AGENT };

	set(g, "rankdir", "BT");
	set(g, "fontname", "Helvetica");
	agattr(g, AGNODE, "fontname", "Helvetica");
	agattr(g, AGEDGE, "fontname", "Helvetica");
	if (G.nv)   /* qsort's array may not be NULL, even empty */
		qsort(G.v, G.nv, sizeof *G.v, cmp_vertex);
	if (G.ne)
		qsort(G.e, G.ne, sizeof *G.e, cmp_edge);
	for (size_t i = 0; i < G.nv; i++) {
		struct vertex *v = &G.v[i];
		Agraph_t *sub = g;
		Agnode_t *n;
		if (v->cluster) {
			char *name = fmt("cluster_%s", v->cluster);
			sub = agsubg(g, name, 1);
			set(sub, "label", v->cluster);
			free(name);
		}
		n = agnode(sub, v->key, 1);
		set(n, "label", v->label);
		set(n, "shape", shape[v->type]);
		set(n, "style", "filled");
		set(n, "fillcolor", colour[v->type]);
	}
	for (size_t i = 0; i < G.ne; i++) {
		struct edge *e = &G.e[i];
		Agnode_t *a = agnode(g, e->from, 0), *b = agnode(g, e->to, 0);
		Agedge_t *x;
		if (!a || !b)
			continue;
		/* one edge per pair and relation: a strict graph keeps one per pair */
		if ((x = agedge(g, a, b, NULL, 0)) && strcmp(agget(x, "label"), e->label)) {
			char *both = fmt("%s\n%s", agget(x, "label"), e->label);
			set(x, "label", both);
			free(both);
			continue;
		}
		if (x)
			continue;
		x = agedge(g, a, b, NULL, 1);
		set(x, "label", e->label);
		set(x, "fontsize", "10");
	}
	return g;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace graph [--ancestors|--descendants] [--depth N] [--all] "
		   "PATH RUNDIR -o FILE.svg|FILE.dot|FILE.png\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ancestors", no_argument, 0, 'a' }, { "descendants", no_argument, 0, 'd' },
		{ "depth", required_argument, 0, 'n' }, { "all", no_argument, 0, 'A' },
		{ "output", required_argument, 0, 'o' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	const struct pt_walk_cb cb = { NULL, on_edge, NULL };
	unsigned max_depth = ~0u;
	const char *out = NULL, *ext, *format;
	char path[8192], *tmp = NULL, *start;
	size_t plen;
	int c, r, back = 1, fd = -1, rc = 1;
	FILE *f = NULL;
	Agraph_t *g = NULL;
	GVC_t *gvc = NULL;

	while ((c = getopt_long(argc, argv, "adn:Ao:h", opts, NULL)) != -1) {
		switch (c) {
		case 'a': back = 1; break;
		case 'd': back = 0; break;
		case 'n': max_depth = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'A': G.all = 1; break;
		case 'o': out = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 2 != argc || !out) {
		usage(stderr);
		return 2;
	}
	ext = strrchr(out, '.');
	if (ext && !strcmp(ext, ".svg"))
		format = "svg";
	else if (ext && !strcmp(ext, ".png"))
		format = "png";
	else if (ext && !strcmp(ext, ".dot"))
		format = "dot";
	else {
		fprintf(stderr, PROG ": %s: the output's name must end in .svg, .png or .dot\n", out);
		return 2;
	}
	if (!(plen = pt_path_normalise(argv[optind], path, sizeof path))) {
		fprintf(stderr, PROG ": path too long: %s\n", argv[optind]);
		return 2;
	}
	if ((r = pt_runset_open(argv[optind + 1], &G.rs))) {
		fprintf(stderr, PROG ": %s: %s\n", argv[optind + 1],
			r == ENOENT ? "not a run directory (no node store)" : pt_strerror(r));
		return 1;
	}
	if (G.rs.nmissing) {
		char names[1024];
		fprintf(stderr, PROG ": warning: the record of %s is incomplete: no store for "
			"node%s %s, which run.json lists\n", argv[optind + 1],
			G.rs.nmissing == 1 ? "" : "s", pt_runset_missing(&G.rs, names, sizeof names));
	}
	/* the output is written next to its final name and renamed into place: no partial
	 * file, whatever fails */
	tmp = fmt("%s.XXXXXX", out);
	if ((fd = mkstemp(tmp)) < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", out, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		goto out;
	}
	mode_t mask = umask(0);   /* mkstemp makes it 0600: give it what open(2) would */
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	if (pt_walk(&G.rs, (const uint8_t *)path, plen, back, max_depth, 1, &cb)) {
		fprintf(stderr, PROG ": %s: not in the run's provenance\n", path);
		goto fail;
	}
	/* the start itself, when nothing reached it (a file no traced process wrote) */
	for (size_t s = 0; s < G.rs.n; s++) {
		uint32_t obj;
		if (pt_store_obj_find(G.rs.st[s], path, plen, &obj) == 0) {
			G.all = 1;
			if ((start = entity_at(PT_WALK_NODE(s, PT_WALK_OBJ, obj), UINT64_MAX)))
				free(start);
			break;
		}
	}
	g = build();
	if (!strcmp(format, "dot")) {
		/* the graph as built, before layout: the same bytes on every machine */
		if (agwrite(g, f)) {
			fprintf(stderr, PROG ": %s: cannot write\n", out);
			goto fail;
		}
	} else {
		gvc = gvContext();
		if (gvLayout(gvc, g, "dot") || gvRender(gvc, g, format, f)) {
			fprintf(stderr, PROG ": %s: Graphviz could not draw the graph as %s\n", out,
				format);
			goto fail;
		}
	}
	if (fflush(f) || ferror(f) || fsync(fd)) {
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		goto fail;
	}
	if (fclose(f)) {
		f = NULL;
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		unlink(tmp);
		goto out;
	}
	f = NULL;
	if (rename(tmp, out)) {
		fprintf(stderr, PROG ": %s: %s\n", out, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
	goto out;
fail:
	fclose(f);
	f = NULL;
	unlink(tmp);
out:
	if (gvc) {
		gvFreeLayout(gvc, g);
		gvFreeContext(gvc);
	}
	if (g)
		agclose(g);
	for (size_t i = 0; i < G.nv; i++) {
		free(G.v[i].key);
		free(G.v[i].label);
		free(G.v[i].cluster);
	}
	for (size_t i = 0; i < G.ne; i++) {
		free(G.e[i].from);
		free(G.e[i].to);
	}
	free(G.v);
	free(G.e);
	pt_strset_free(&G.keys);
	free(tmp);
	pt_runset_close(&G.rs);
	return rc;
}
