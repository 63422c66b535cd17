/* mlstat.c — provtrace stat's ML lines: per process, the hyperparameters and the final
 * metrics read from the job's own files (rdf/facts.h), and the files that could not be. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collector/event.h"
#include "collector/protocol.h"
#include "collector/wire.h"
#include "facts.h"
#include "mlstat.h"

struct ml_print {
	const struct pt_runset *rs;
	size_t node;
	int json;
	int opened;          /* this process's header is out */
	int nhyper, nmetric;
	uint32_t proc;
	size_t procs, gaps;
	struct pt_buf name;
	/* descriptions: the file being printed, its arrays */
	uint32_t dobj;
	size_t files, arrays;
	struct pt_buf ditem, ddtype;
};

static void src_name(struct ml_print *m, uint32_t obj)
{
	const uint8_t *name;
	size_t len;
	uint32_t kind;

	m->name.len = 0;
	if (obj && pt_store_obj_name(m->rs->st[m->node], obj, &name, &len, &kind) == 0)
		pt_buf_put(&m->name, name, len);
	pt_buf_cstr(&m->name);
}

static void text(const char *p)
{
	for (; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			printf("\\x%02x", (unsigned char)*p);
		else
			putchar(*p);
}

static void jstr(const char *p)
{
	pt_json_bytes(stdout, (const uint8_t *)p, strlen(p));
}

static void jval(uint32_t type, const char *v)
{
	if (type == PT_FV_STR || (type == PT_FV_DOUBLE && (!strcmp(v, "NaN") || strstr(v, "INF"))))
		jstr(v);
	else
		printf("%s", v);
}

/* the process's command line, for the header */
static void header(struct ml_print *m)
{
	struct pt_proc_rec r;
	struct pt_ev ev;
	struct pt_mpr mp;
	struct pt_bytes a;
	uint32_t n;
	struct pt_buf cmd = { 0 };

	if (m->opened)
		return;
	m->opened = 1;
	m->procs++;
	if (pt_store_proc(m->rs->st[m->node], m->proc, &r))
		memset(&r, 0, sizeof r);
	if (pt_store_proc_start(m->rs->st[m->node], m->proc, &ev) == 0 && ev.n > 1 &&
	    ev.v[1].kind == PT_MP_ARRAY) {
		pt_mpr_init(&mp, ev.v[1].b.p, ev.v[1].b.len);
		if (pt_mpr_array(&mp, &n) == 0)
			for (uint32_t i = 0; i < n && pt_mpr_bytes(&mp, &a) == 0; i++) {
				if (i)
					pt_buf_putc(&cmd, ' ');
				pt_buf_put(&cmd, a.p, a.len);
			}
	}
	pt_buf_cstr(&cmd);
	if (m->json) {
		printf("%s{\"node\":", m->procs > 1 ? "," : "");
		jstr(m->rs->name[m->node]);
		printf(",\"pid\":%d,\"command\":", (int)r.pid);
		pt_json_bytes(stdout, (const uint8_t *)cmd.p, cmd.len);
		printf(",\"hyperparameters\":[");
	} else {
		printf("  pid %d", (int)r.pid);
		if (m->rs->n > 1)
			printf(" on %s", m->rs->name[m->node]);
		printf(": ");
		if (cmd.len > 100)
			cmd.p[100] = 0;
		text(cmd.p);
		printf("%s\n", cmd.len > 100 ? "..." : "");
	}
	pt_buf_free(&cmd);
}

static int hyper(void *ctx, const struct pt_fact *f)
{
	struct ml_print *m = ctx;

	if (f->kind != PT_FACT_HYPER)
		return 0;
	header(m);
	src_name(m, f->src);
	if (m->json) {
		printf("%s{\"key\":", m->nhyper++ ? "," : "");
		jstr(f->key);
		printf(",\"value\":");
		jval(f->type, f->value);
		printf(",\"source\":");
		jstr(f->src ? m->name.p : f->where);
		if (f->src) {
			printf(",\"source_key\":");
			jstr(f->where);
		}
		printf("}");
		return 0;
	}
	printf("    %s ", m->nhyper++ ? "               " : "hyperparameter");
	text(f->key);
	printf(" = ");
	text(f->value);
	printf("  (");
	if (f->src) {
		const char *base = strrchr(m->name.p, '/');
		text(base ? base + 1 : m->name.p);
		printf(": ");
	}
	text(f->where);
	printf(")\n");
	return 0;
}

static int metric(void *ctx, const struct pt_fact *f)
{
	struct ml_print *m = ctx;
	struct pt_series_sum s;
	char last[64], best[64];

	if (f->kind != PT_FACT_SERIES)
		return 0;
	header(m);
	src_name(m, f->src);
	pt_series_sum(f, &s);
	pt_fact_double(last, sizeof last, s.last);
	pt_fact_double(best, sizeof best, s.best);
	if (m->json) {
		printf("%s{\"measure\":", m->nmetric++ ? "," : "");
		jstr(f->item);
		if (s.n)
			printf(",\"last\":%s,\"last_step\":%" PRId64 ",\"best\":%s,\"best_step\":%" PRId64,
			       last, s.last_step, best, s.best_step);
		printf(",\"lower_is_better\":%s,\"points\":%zu,\"source\":",
		       s.lower_better ? "true" : "false", f->npoints);
		jstr(m->name.p);
		printf(",\"extractor\":");
		jstr(f->where);
		printf(",\"series\":[");
		for (size_t i = 0; i < f->npoints; i++) {
			int64_t step;
			double v;
			char vb[64];
			pt_fact_point(f, i, &step, &v);
			pt_fact_double(vb, sizeof vb, v);
			printf("%s[%" PRId64 ",", i ? "," : "", step);
			jval(PT_FV_DOUBLE, vb);
			printf("]");
		}
		printf("]}");
		return 0;
	}
	const char *base = strrchr(m->name.p, '/');
	printf("    %s ", m->nmetric++ ? "               " : "metric        ");
	text(f->item);
	if (s.n)
		printf(": last %s at step %" PRId64 ", best %s at step %" PRId64 ", %zu points", last,
		       s.last_step, best, s.best_step, f->npoints);
	else
		printf(": no number");
	printf("  (");
	text(base ? base + 1 : m->name.p);
	printf(")\n");
	return 0;
}

struct procs {
	uint32_t *id;
	size_t n, cap;
};

static int proc_subject(void *ctx, const struct pt_fact *f)
{
	struct procs *p = ctx;

	if (p->n && p->id[p->n - 1] == f->id)
		return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		uint32_t *q = realloc(p->id, p->cap * sizeof *q);
		if (!q)
			return 1;
		p->id = q;
	}
	p->id[p->n++] = f->id;
	return 0;
}

static int gap(void *ctx, const struct pt_fact *f)
{
	struct ml_print *m = ctx;

	if (f->kind != PT_FACT_GAP)
		return 0;
	if (m->json) {
		printf("%s{\"node\":", m->gaps++ ? "," : "");
		jstr(m->rs->name[m->node]);
		printf(",\"path\":");
		jstr(f->item);
		printf(",\"extractor\":");
		jstr(f->key);
		printf(",\"reason\":");
		jstr(f->value);
		printf("}");
		return 0;
	}
	if (!m->gaps++)
		printf("  not read:\n");
	printf("    ");
	text(f->item);
	printf(" (%s): ", f->key);
	text(f->value);
	printf("\n");
	return 0;
}

/* Descriptions, briefly: per file its format, then each array's item, dtype and shape
 * (the first three in text; every one in JSON). */
static void desc_end(struct ml_print *m)
{
	if (!m->dobj)
		return;
	if (m->json)
		printf("]}");
	else if (m->arrays > 3)
		printf(", ... (%zu arrays)\n", m->arrays);
	else
		printf("\n");
	m->dobj = 0;
}

static int desc(void *ctx, const struct pt_fact *f)
{
	struct ml_print *m = ctx;

	if (f->kind != PT_FACT_DESC)
		return 0;
	if (f->id != m->dobj && !strcmp(f->key, "format") && !*f->item) {
		desc_end(m);
		m->dobj = f->id;
		m->arrays = 0;
		src_name(m, f->id);
		if (m->json) {
			printf("%s{\"node\":", m->files++ ? "," : "");
			jstr(m->rs->name[m->node]);
			printf(",\"path\":");
			jstr(m->name.p);
			printf(",\"format\":");
			jstr(f->value);
			printf(",\"arrays\":[");
		} else {
			if (!m->files++)
				printf("  described:\n");
			printf("    ");
			text(m->name.p);
			printf(" (%s)", f->value);
		}
		return 0;
	}
	if (f->id != m->dobj)
		return 0;
	if (!strcmp(f->key, "dtype")) {
		m->ditem.len = m->ddtype.len = 0;
		pt_buf_puts(&m->ditem, f->item);
		pt_buf_puts(&m->ddtype, f->value);
		pt_buf_cstr(&m->ditem);
		pt_buf_cstr(&m->ddtype);
	} else if (!strcmp(f->key, "shape")) {
		const char *dt = m->ddtype.len && !strcmp(m->ditem.p, f->item) ? m->ddtype.p : "";
		if (m->json) {
			printf("%s{\"item\":", m->arrays ? "," : "");
			jstr(f->item);
			printf(",\"dtype\":");
			jstr(dt);
			printf(",\"shape\":");
			jstr(f->value);
			printf("}");
		} else if (m->arrays < 3) {
			printf("%s%s%s%s %s", m->arrays ? ", " : ": ", f->item, *f->item ? " " : "",
			       dt, f->value);
		}
		m->arrays++;
	}
	return 0;
}

static int count_gap(void *ctx, const struct pt_fact *f)
{
	if (f->kind == PT_FACT_GAP)
		(*(size_t *)ctx)++;
	return 0;
}

void pt_ml_print(const struct pt_runset *rs, int json, const struct pt_extract_stats *xs)
{
	struct ml_print m = { .rs = rs, .json = json };
	struct procs *p = calloc(rs->n ? rs->n : 1, sizeof *p);
	size_t nprocs = 0, ngaps = 0;

	if (!p)
		return;
	for (size_t s = 0; s < rs->n; s++) {
		pt_facts_each(rs->st[s], 'p', 0, proc_subject, &p[s]);
		pt_facts_each(rs->st[s], 'o', 0, count_gap, &ngaps);
		nprocs += p[s].n;
	}
	if (json)
		printf(",\"ml_extracted_now\":%llu,\"ml_processes\":[",
		       (unsigned long long)xs->extracted);
	else if (nprocs || ngaps)
		printf("ml         %zu process%s with hyperparameters or metrics, read from the "
		       "job's files%s; %zu file%s not read\n", nprocs, nprocs == 1 ? "" : "es",
		       xs->extracted ? " now" : "", ngaps, ngaps == 1 ? "" : "s");
	for (size_t s = 0; s < rs->n; s++) {
		m.node = s;
		for (size_t i = 0; i < p[s].n; i++) {
			m.proc = p[s].id[i];
			m.opened = m.nhyper = m.nmetric = 0;
			pt_facts_each(rs->st[s], 'p', p[s].id[i], hyper, &m);
			if (json && m.opened)
				printf("],\"metrics\":[");
			pt_facts_each(rs->st[s], 'p', p[s].id[i], metric, &m);
			if (json && m.opened)
				printf("]}");
		}
		free(p[s].id);
	}
	free(p);
	if (json)
		printf("],\"ml_gaps\":[");
	for (size_t s = 0; s < rs->n; s++) {
		m.node = s;
		pt_facts_each(rs->st[s], 'o', 0, gap, &m);
	}
	if (json)
		printf("],\"ml_descriptions\":[");
	for (size_t s = 0; s < rs->n; s++) {
		m.node = s;
		pt_facts_each(rs->st[s], 'o', 0, desc, &m);
		desc_end(&m);
	}
	if (json)
		printf("]");
	pt_buf_free(&m.name);
	pt_buf_free(&m.ditem);
	pt_buf_free(&m.ddtype);
}
