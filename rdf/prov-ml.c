/* prov-ml.c — ML facts in the PROV-O mapping (see prov-int.h; the facts are rdf/facts.h's,
 * read from the job's own files after the job): hyperparameter settings and model
 * evaluations of a process in W3C ML Schema's terms, the models they evaluate, and the
 * descriptions and extraction gaps of files. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "facts.h"
#include "prov-int.h"

#define MLS(x) PT_NS_MLS x
#define RULE_TERM_MAX 64

static const char *fv_datatype(uint32_t type)
{
	switch (type) {
	case PT_FV_INT: return PT_DT_INTEGER;
	case PT_FV_DOUBLE: return PT_NS_XSD "double";
	case PT_FV_BOOL: return PT_DT_BOOLEAN;
	default: return NULL;
	}
}

static void e_fv(pt_prov *pv, const struct pt_buf *s, const char *p, uint32_t type,
		 const char *v)
{
	if (fv_datatype(type))
		e_lit(pv, s, p, v, strlen(v), fv_datatype(type));
	else
		e_text(pv, s, p, v, strlen(v));
}

static void e_double(pt_prov *pv, const struct pt_buf *s, const char *p, double v)
{
	char tmp[64];
	pt_fact_double(tmp, sizeof tmp, v);
	e_lit(pv, s, p, tmp, strlen(tmp), PT_NS_XSD "double");
}

/* A model version the process wrote (its path's rules type it mls:Model). */
void pt_pv_ml_model(pt_prov *pv, struct proc_emit *pe, uint32_t obj, const struct pt_buf *ver)
{
	const char *t[RULE_TERM_MAX];
	size_t n = pt_rules_match(pv->rules, PT_RULE_PATH, pe->path.p, t, RULE_TERM_MAX);
	uint8_t o[4] = { (uint8_t)(obj >> 24), (uint8_t)(obj >> 16), (uint8_t)(obj >> 8),
			 (uint8_t)obj };

	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i], MLS("Model"))) {
			pt_buf_put(&pe->models, o, 4);
			pt_buf_put(&pe->models, ver->p, ver->len);
			pt_buf_putc(&pe->models, 0);
			return;
		}
}

/* A hyperparameter or a measure, described once per run. */
static void ml_term(pt_prov *pv, struct pt_buf *b, const char *kind, const char *name)
{
	pt_pv_iri_run(pv, b, kind);
	pt_iri_pct(b, name, strlen(name), 0);
	if (!pt_strset_add(&pv->mlterms, b->p, b->len))
		return;
	int measure = !strcmp(kind, "/measure/");
	e_type(pv, b, PROV("Entity"));   /* every subject has a PROV type */
	e_type(pv, b, measure ? MLS("EvaluationMeasure") : MLS("HyperParameter"));
	e_text(pv, b, RDFS_LABEL, name, strlen(name));
	if (measure)
		e_bool(pv, b, PT("lowerIsBetter"), pt_measure_lower_better(name));
}

struct ml_emit {
	pt_prov *pv;
	struct proc_emit *pe;
	size_t store;
	struct pt_buf n, t, f, q;
	int ancestors;               /* pe->models holds the nearest ancestor's models */
};

struct anc_emit {
	pt_prov *pv;
	struct proc_emit *pe;
	struct pt_buf ver;
};

static int anc_sess(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *x)
{
	struct anc_emit *a = ctx;
	struct ver w = { V_WRITE, (uint32_t)a->pe->store, proc, sid };

	if (!x->obj || !x->close_ns || !x->wops || !file_session(x->kind) ||
	    pt_pv_obj_name(a->pv, a->pe->store, x->obj, &a->pe->path) != PT_KIND_FILE)
		return 0;
	pt_pv_iri_ver(a->pv, &a->ver, &w);
	pt_pv_ml_model(a->pv, a->pe, x->obj, &a->ver);
	return 0;
}

/* A process that wrote no model (a logger, an evaluator the trainer started): its series
 * evaluate the models of its nearest ancestor image (pre-exec image, then parent, up to
 * 64 steps, on its node) that wrote one. */
static void ml_ancestor_models(pt_prov *pv, struct proc_emit *pe)
{
	struct anc_emit a = { pv, pe, { 0 } };
	pt_store *st = pv->rs.st[pe->store];
	uint32_t p = pe->rec->id;

	for (int depth = 0; depth < 64 && !pe->models.len; depth++) {
		struct pt_proc_rec r;
		if (pt_store_proc(st, p, &r))
			break;
		if (!(p = r.exec_from ? r.exec_from : r.parent))
			break;
		pt_store_each_sess(st, p, anc_sess, &a);
	}
	pt_buf_free(&a.ver);
}

static void ml_source(struct ml_emit *m, const struct pt_buf *N, const struct pt_fact *f)
{
	pt_prov *pv = m->pv;

	if (f->src && pt_pv_obj_name(pv, m->store, f->src, &m->q) == PT_KIND_FILE) {
		pt_pv_iri_file(&m->f, &m->q);
		e_buf(pv, N, PT("sourceFile"), &m->f);
	}
	if (f->kind == PT_FACT_HYPER)
		e_text(pv, N, f->src ? PT("sourceKey") : PT("source"), f->where, strlen(f->where));
	else
		e_str(pv, N, PT("extractor"), f->where);
}

/* each model the process wrote, by its last version */
static void ml_evaluates(struct ml_emit *m, const struct pt_buf *E)
{
	const struct pt_buf *M = &m->pe->models;

	if (!M->len && !m->ancestors) {
		m->ancestors = 1;
		ml_ancestor_models(m->pv, m->pe);
	}

	for (size_t i = 0; i + 4 < M->len;) {
		const char *iri = M->p + i + 4;
		size_t len = strlen(iri), next = i + 4 + len + 1;
		int later = 0;
		for (size_t j = next; j + 4 < M->len && !later; j += 4 + strlen(M->p + j + 4) + 1)
			later = !memcmp(M->p + i, M->p + j, 4);
		if (!later)
			e_iri(m->pv, E, PT("evaluates"), iri, len);
		i = next;
	}
}

static int ml_fact(void *ctx, const struct pt_fact *f)
{
	struct ml_emit *m = ctx;
	pt_prov *pv = m->pv;
	const struct pt_buf *P = &m->pe->piri;
	struct pt_buf *N = &m->n;

	N->len = 0;
	pt_buf_put(N, P->p, P->len);
	if (f->kind == PT_FACT_HYPER) {
		pt_buf_puts(N, "/hp/");
		pt_buf_u64(N, f->n);
		e_buf(pv, P, MLS("hasInput"), N);
		e_type(pv, N, PROV("Entity"));
		e_type(pv, N, MLS("HyperParameterSetting"));
		ml_term(pv, &m->t, "/hyperparameter/", f->key);
		e_buf(pv, N, MLS("specifiedBy"), &m->t);
		e_text(pv, N, PT("key"), f->key, strlen(f->key));
		e_fv(pv, N, MLS("hasValue"), f->type, f->value);
		ml_source(m, N, f);
	} else if (f->kind == PT_FACT_SERIES) {
		struct pt_series_sum sum;
		pt_buf_puts(N, "/eval/");
		pt_buf_u64(N, f->n);
		e_buf(pv, P, MLS("hasOutput"), N);
		e_type(pv, N, PROV("Entity"));
		e_type(pv, N, MLS("ModelEvaluation"));
		ml_term(pv, &m->t, "/measure/", f->item);
		e_buf(pv, N, MLS("specifiedBy"), &m->t);
		e_text(pv, N, PT("measure"), f->item, strlen(f->item));
		pt_series_sum(f, &sum);
		if (sum.n) {
			e_double(pv, N, MLS("hasValue"), sum.last);
			e_int(pv, N, PT("lastStep"), sum.last_step);
			e_double(pv, N, PT("best"), sum.best);
			e_int(pv, N, PT("bestStep"), sum.best_step);
		}
		e_uint(pv, N, PT("points"), f->npoints);
		ml_source(m, N, f);
		ml_evaluates(m, N);
		for (size_t i = 0; i < f->npoints && !pv->err; i++) {
			int64_t step;
			double v;
			pt_fact_point(f, i, &step, &v);
			m->q.len = 0;
			pt_buf_put(&m->q, N->p, N->len);
			pt_buf_putc(&m->q, '/');
			pt_buf_u64(&m->q, i);
			e_buf(pv, N, PT("point"), &m->q);
			e_type(pv, &m->q, PROV("Entity"));
			e_int(pv, &m->q, PT("step"), step);
			e_double(pv, &m->q, PT("value"), v);
		}
	}
	return pv->err;
}

void pt_pv_ml_proc(pt_prov *pv, struct proc_emit *pe)
{
	struct ml_emit m = { pv, pe, pe->store, { 0 }, { 0 }, { 0 }, { 0 }, 0 };

	pt_facts_each(pv->rs.st[pe->store], 'p', pe->rec->id, ml_fact, &m);
	pt_buf_free(&m.n);
	pt_buf_free(&m.t);
	pt_buf_free(&m.f);
	pt_buf_free(&m.q);
}

struct ml_file_emit {
	pt_prov *pv;
	size_t store;
	uint32_t obj;
	const struct pt_buf *F;
	struct pt_buf n, v;
};

struct last_use {
	uint64_t end, sid, rfirst;
	uint32_t proc, dirs;
};

static int last_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
		    const struct pt_use_rec *u)
{
	struct last_use *l = ctx;

	(void)obj;
	if (file_session(u->kind) && (u->end > l->end || (u->end == l->end && sid >= l->sid)))
		*l = (struct last_use){ u->end, sid, u->rfirst, proc, u->dirs };
	return 0;
}

/* A description is of the content the store's last session of the file left (rdf/extract.c
 * checks the file still is that): the version that session wrote, or the one it read;
 * a file the job only renamed into place, its last version. */
static struct ver last_touch(pt_prov *pv, size_t s, uint32_t obj)
{
	struct last_use l = { 0, 0, 0, 0, 0 };

	pt_store_each_use(pv->rs.st[s], obj, last_use, &l);
	if (l.dirs & PT_USE_WRITE)
		return (struct ver){ V_WRITE, (uint32_t)s, l.proc, l.sid };
	return pt_pv_resolve(pv, s, obj, l.dirs ? l.rfirst : UINT64_MAX, 0, 0);
}

static int ml_file_fact(void *ctx, const struct pt_fact *f)
{
	struct ml_file_emit *m = ctx;
	pt_prov *pv = m->pv;
	struct pt_buf *N = &m->n;

	pt_pv_iri_run(pv, N, f->kind == PT_FACT_GAP ? "/xgap/" : "/desc/");
	pt_iri_pct(N, pv->rs.name[m->store], strlen(pv->rs.name[m->store]), 0);
	pt_buf_putc(N, '/');
	pt_buf_u64(N, m->obj);
	pt_buf_putc(N, '/');
	pt_buf_u64(N, f->n);
	if (f->kind == PT_FACT_GAP) {
		e_buf(pv, m->F, PT("extractionGap"), N);
		e_type(pv, N, PROV("Entity"));   /* every subject has a PROV type */
		e_type(pv, N, PT("ExtractionGap"));
		e_str(pv, N, PT("extractor"), f->key);
		e_text(pv, N, PT("reason"), f->value, strlen(f->value));
	} else if (f->kind == PT_FACT_DESC) {
		struct ver v = last_touch(pv, m->store, m->obj);
		if (v.kind != V_NONE)
			pt_pv_iri_ver(pv, &m->v, &v);
		e_buf(pv, v.kind != V_NONE ? &m->v : m->F, PT("description"), N);
		e_type(pv, N, PROV("Entity"));
		e_type(pv, N, PT("Description"));
		/* "" for the file itself, so that queries can join a shape and a dtype on it */
		e_text(pv, N, PT("item"), f->item, strlen(f->item));
		e_text(pv, N, PT("key"), f->key, strlen(f->key));
		e_fv(pv, N, PT("value"), f->type, f->value);
	}
	return pv->err;
}

void pt_pv_ml_file(pt_prov *pv, size_t store, uint32_t obj, const struct pt_buf *F)
{
	struct ml_file_emit m = { pv, store, obj, F, { 0 }, { 0 } };

	pt_facts_each(pv->rs.st[store], 'o', obj, ml_file_fact, &m);
	pt_buf_free(&m.n);
	pt_buf_free(&m.v);
}
