/* lgraph.c — the lineage of files as a graph in PROV's conventions, laid out by Graphviz
 * (cgraph + gvc): provtrace-graph draws one file's, provtrace-report its job's outputs'.
 *
 * The walk is walk.c's, the one provtrace-lineage lists files from.  A file version is
 * the content one process wrote (the path and the writer), or the content the path held
 * before any traced write (its first version); a read is of the latest version whose
 * writing began before the read did.  A pipe or socket is one entity, made by all its
 * writers.  Nodes and edges are sorted by name before the
 * graph is built, so that the output is the same bytes for the same run. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "iri.h"
#include "lgraph.h"
#include "sets.h"
#include "walk.h"

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

struct pt_lgraph {
	struct pt_runset *rs;
	int all;
	struct vertex *v;
	size_t nv, capv;
	struct edge *e;
	size_t ne, cape;
	struct pt_strset keys;
	Agraph_t *ag;
	GVC_t *gvc;
};

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n))) {
		fputs("provtrace: out of memory\n", stderr);
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
static void vertex(pt_lgraph *g, int type, char *key, char *label, const char *cluster)
{
	if (!pt_strset_add(&g->keys, key, strlen(key))) {
		free(key);
		free(label);
		return;
	}
	if (g->nv == g->capv) {
		g->capv = g->capv ? 2 * g->capv : 256;
		g->v = xrealloc(g->v, g->capv * sizeof *g->v);
	}
	g->v[g->nv++] = (struct vertex){ key, label, cluster ? xstrdup(cluster) : NULL, type };
}

static void add_edge(pt_lgraph *g, const char *from, const char *to, const char *label)
{
	if (g->ne == g->cape) {
		g->cape = g->cape ? 2 * g->cape : 256;
		g->e = xrealloc(g->e, g->cape * sizeof *g->e);
	}
	g->e[g->ne++] = (struct edge){ xstrdup(from), xstrdup(to), label };
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
static char *activity(pt_lgraph *g, uint64_t node)
{
	size_t s = PT_WALK_STORE(node), blen = 0;
	struct pt_proc_rec p;
	struct pt_ev ev;
	struct pt_bytes exe = { 0 };
	const char *base = "?";
	char *key, *agent;

	if (pt_store_proc(g->rs->st[s], PT_WALK_ID(node), &p) == 0 &&
	    pt_store_proc_start(g->rs->st[s], PT_WALK_ID(node), &ev) == 0)
		exe = pt_ev_b(&ev, 0);
	else
		memset(&p, 0, sizeof p);
	if (exe.len)
		base = basename_of((const char *)exe.p, exe.len, &blen);
	else
		blen = 1;
	key = fmt("activity:%s:%d:%llu", g->rs->name[s], (int)p.pid, (unsigned long long)p.start_ns);
	vertex(g, V_ACTIVITY, xstrdup(key), fmt("%.*s\n%s pid %d", (int)blen, base, g->rs->name[s],
					     (int)p.pid), g->rs->name[s]);
	agent = fmt("agent:uid:%u", (unsigned)p.uid);
	vertex(g, V_AGENT, xstrdup(agent), fmt("user %u", (unsigned)p.uid), NULL);
	add_edge(g, key, agent, "wasAssociatedWith");
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
static char *obj_path(pt_lgraph *g, uint64_t node, uint32_t *kind)
{
	const uint8_t *name;
	size_t len;

	if (pt_store_obj_name(g->rs->st[PT_WALK_STORE(node)], PT_WALK_ID(node), &name, &len, kind))
		return NULL;
	if (*kind == PT_KIND_FILE && !g->all && !pt_walk_shown(name, len))
		return NULL;
	return display(name, len);
}

/* The vertex of the version of object `node` written by process `writer` (a walk node),
 * or of its first version when writer is 0. */
static char *entity(pt_lgraph *g, uint64_t node, uint64_t writer)
{
	uint32_t kind;
	char *path = obj_path(g, node, &kind), *key;

	if (!path)
		return NULL;
	/* a pipe or socket is a stream, not versions: every writer made part of it */
	if (kind != PT_KIND_FILE) {
		key = fmt("entity:%s@%s", path, g->rs->name[PT_WALK_STORE(node)]);
		vertex(g, V_ENTITY, xstrdup(key), xstrdup(path), g->rs->name[PT_WALK_STORE(node)]);
	} else if (writer) {
		size_t s = PT_WALK_STORE(writer);
		struct pt_proc_rec p;
		if (pt_store_proc(g->rs->st[s], PT_WALK_ID(writer), &p))
			memset(&p, 0, sizeof p);
		key = fmt("entity:%s@%s:%d:%llu", path, g->rs->name[s], (int)p.pid,
			  (unsigned long long)p.start_ns);
		/* drawn on the node that wrote it */
		vertex(g, V_ENTITY, xstrdup(key), fmt("%s\nas written by pid %d", path, (int)p.pid),
		       g->rs->name[s]);
	} else {
		/* a path is one file on every node that shares the file system */
		key = fmt("entity:%s", path);
		vertex(g, V_ENTITY, xstrdup(key), xstrdup(path), NULL);
	}
	free(path);
	return key;
}

/* The version of object `node` a read that began at `t` saw: the latest whose writing
 * began before t, on any node for a file (one file system), else the first. */
static char *entity_at(pt_lgraph *g, uint64_t node, uint64_t t)
{
	size_t s0 = PT_WALK_STORE(node);
	uint32_t kind;
	const uint8_t *name;
	size_t len;
	uint8_t copy[8192];
	struct latest best = { .before = t };

	if (pt_store_obj_name(g->rs->st[s0], PT_WALK_ID(node), &name, &len, &kind))
		return NULL;
	if (len > sizeof copy)
		len = sizeof copy;
	memcpy(copy, name, len);
	for (size_t s = 0; s < g->rs->n; s++) {
		uint32_t obj;
		struct latest l = { .before = t };
		if (kind != PT_KIND_FILE && s != s0)
			continue;
		if (pt_store_obj_find(g->rs->st[s], copy, len, &obj))
			continue;
		pt_store_each_use_dir(g->rs->st[s], obj, PT_USE_WRITE, latest_write, &l);
		if (l.found && (!best.found || l.best > best.best)) {
			best = l;
			best.store = s;
		}
	}
	return entity(g, node, best.found ? PT_WALK_NODE(best.store, PT_WALK_PROC, best.proc) : 0);
}

static void on_edge(void *ctx, int kind, uint64_t a, uint64_t b, uint64_t t)
{
	pt_lgraph *g = ctx;
	char *from = NULL, *to = NULL;
	const char *label = NULL;

	switch (kind) {
	case PT_WALK_GENERATED:
		from = entity(g, a, b);
		to = activity(g, b);
		label = "wasGeneratedBy";
		break;
	case PT_WALK_USED:
		from = activity(g, a);
		to = entity_at(g, b, t);
		label = "used";
		break;
	case PT_WALK_INFORMED:
		from = activity(g, a);
		to = activity(g, b);
		label = "wasInformedBy";
		break;
	case PT_WALK_DERIVED:
		from = entity_at(g, a, t ? t + 1 : UINT64_MAX);
		to = entity_at(g, b, t ? t : UINT64_MAX);
		label = "wasDerivedFrom";
		break;
	}
	if (from && to && strcmp(from, to))
		add_edge(g, from, to, label);
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

static Agraph_t *build(pt_lgraph *g)
{
	Agraph_t *ag = agopen("provenance", Agstrictdirected, NULL);
	static const char *const shape[] = { "ellipse", "box", "house" };
	static const char *const colour[] = { COLOUR_ENTITY, COLOUR_ACTIVITY, COLOUR_AGENT };

	set(ag, "rankdir", "BT");
	set(ag, "fontname", "Helvetica");
	agattr(ag, AGNODE, "fontname", "Helvetica");
	agattr(ag, AGEDGE, "fontname", "Helvetica");
	if (g->nv)   /* qsort's array may not be NULL, even empty */
		qsort(g->v, g->nv, sizeof *g->v, cmp_vertex);
	if (g->ne)
		qsort(g->e, g->ne, sizeof *g->e, cmp_edge);
	for (size_t i = 0; i < g->nv; i++) {
		struct vertex *v = &g->v[i];
		Agraph_t *sub = ag;
		Agnode_t *n;
		if (v->cluster) {
			char *name = fmt("cluster_%s", v->cluster);
			sub = agsubg(ag, name, 1);
			set(sub, "label", v->cluster);
			free(name);
		}
		n = agnode(sub, v->key, 1);
		set(n, "label", v->label);
		set(n, "shape", shape[v->type]);
		set(n, "style", "filled");
		set(n, "fillcolor", colour[v->type]);
	}
	for (size_t i = 0; i < g->ne; i++) {
		struct edge *e = &g->e[i];
		Agnode_t *a = agnode(ag, e->from, 0), *b = agnode(ag, e->to, 0);
		Agedge_t *x;
		if (!a || !b)
			continue;
		/* one edge per pair and relation: a strict graph keeps one per pair */
		if ((x = agedge(ag, a, b, NULL, 0)) && strcmp(agget(x, "label"), e->label)) {
			char *both = fmt("%s\n%s", agget(x, "label"), e->label);
			set(x, "label", both);
			free(both);
			continue;
		}
		if (x)
			continue;
		x = agedge(ag, a, b, NULL, 1);
		set(x, "label", e->label);
		set(x, "fontsize", "10");
	}
	return ag;
}


pt_lgraph *pt_lgraph_new(struct pt_runset *rs, int all)
{
	pt_lgraph *g = xrealloc(NULL, sizeof *g);

	memset(g, 0, sizeof *g);
	g->rs = rs;
	g->all = all;
	return g;
}

int pt_lgraph_walk(pt_lgraph *g, const uint8_t *path, size_t plen, int back,
		   unsigned max_depth)
{
	const struct pt_walk_cb cb = { NULL, on_edge, g };
	int all = g->all;
	char *start;

	if (g->ag)
		return EINVAL;
	if (pt_walk(g->rs, path, plen, back, max_depth, 1, &cb))
		return ENOENT;
	/* the start itself, when nothing reached it (a file no traced process wrote) */
	for (size_t s = 0; s < g->rs->n; s++) {
		uint32_t obj;
		if (pt_store_obj_find(g->rs->st[s], path, plen, &obj) == 0) {
			g->all = 1;
			if ((start = entity_at(g, PT_WALK_NODE(s, PT_WALK_OBJ, obj), UINT64_MAX)))
				free(start);
			g->all = all;
			break;
		}
	}
	return 0;
}

size_t pt_lgraph_count(const pt_lgraph *g, size_t *entities, size_t *edges)
{
	size_t n = 0;

	for (size_t i = 0; i < g->nv; i++)
		n += g->v[i].type == V_ENTITY;
	if (entities)
		*entities = n;
	if (edges)
		*edges = g->ne;
	return g->nv;
}

static int laid_out(pt_lgraph *g, const char *format)
{
	if (!g->ag)
		g->ag = build(g);
	if (!strcmp(format, "dot") || g->gvc)
		return 0;
	g->gvc = gvContext();
	return gvLayout(g->gvc, g->ag, "dot") ? EIO : 0;
}

int pt_lgraph_write(pt_lgraph *g, const char *format, FILE *f)
{
	if (laid_out(g, format))
		return EIO;
	/* DOT: the graph as built, before layout: the same bytes on every machine */
	if (!strcmp(format, "dot"))
		return agwrite(g->ag, f) ? EIO : 0;
	return gvRender(g->gvc, g->ag, format, f) ? EIO : 0;
}

int pt_lgraph_render(pt_lgraph *g, const char *format, char **data, size_t *len)
{
	unsigned int n = 0;

	*data = NULL;
	*len = 0;
	if (!strcmp(format, "dot") || laid_out(g, format) ||
	    gvRenderData(g->gvc, g->ag, format, data, &n))
		return EIO;
	*len = n;
	return 0;
}

void pt_lgraph_render_free(char *data)
{
	if (data)
		gvFreeRenderData(data);
}

void pt_lgraph_free(pt_lgraph *g)
{
	if (!g)
		return;
	if (g->gvc) {
		gvFreeLayout(g->gvc, g->ag);
		gvFreeContext(g->gvc);
	}
	if (g->ag)
		agclose(g->ag);
	for (size_t i = 0; i < g->nv; i++) {
		free(g->v[i].key);
		free(g->v[i].label);
		free(g->v[i].cluster);
	}
	for (size_t i = 0; i < g->ne; i++) {
		free(g->e[i].from);
		free(g->e[i].to);
	}
	free(g->v);
	free(g->e);
	pt_strset_free(&g->keys);
	free(g);
}
