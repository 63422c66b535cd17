/* prov.c — the PROV-O mapping (see prov.h): walks the node stores of a run in a fixed
 * order and hands each triple to a callback, holding only bounded caches.  This file is
 * the driver: the data flow, store cursor -> PROV statements -> the caller's callback
 * (rdf/export.c's serializers), is pt_prov_emit() below; what each step writes is in the
 * file prov-int.h names for it. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "prov-int.h"

/* ---- open, close */

struct pre {
	pt_prov *pv;
	size_t store;
	uint64_t min_start, max_end;
};

static int pre_proc(void *ctx, const struct pt_proc_rec *r)
{
	struct pre *p = ctx;
	pt_prov *pv = p->pv;
	struct pt_ev ev;
	int fresh;

	pt_u64map_get(&pv->uids, r->uid, 1, &fresh);
	pt_strset_add(&pv->hosts, r->host, strnlen(r->host, sizeof r->host));
	if (pt_store_proc_start(pv->rs.st[p->store], r->id, &ev) == 0) {
		struct pt_bytes exe = pt_ev_b(&ev, 0);
		if (exe.len && exe.p[0] == '/')
			pt_strset_add(&pv->exes, exe.p, exe.len);
	}
	if (r->start_ns && r->start_ns < p->min_start)
		p->min_start = r->start_ns;
	if (r->end_ns > p->max_end)
		p->max_end = r->end_ns;
	pv->total++;
	return 0;
}

int pt_prov_cache_env(struct pt_prov_opts *o, const char *prog)
{
	const char *s = getenv("PROVTRACE_EXPORT_CACHE");
	char *end;

	if (!s || !*s)
		return 0;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned shift = *end == 'k' || *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
	if (shift)
		end++;
	if (errno || end == s || *end || *s == '-' || v > (SIZE_MAX >> shift)) {
		fprintf(stderr, "%s: PROVTRACE_EXPORT_CACHE='%s' is not a size (bytes, or with k, M "
			"or G)\n", prog, s);
		return -1;
	}
	o->cache_bytes = (size_t)(v << shift);
	return 0;
}

int pt_prov_open(const char *path, const struct pt_prov_opts *o, pt_prov **out)
{
	pt_prov *pv = xmalloc(sizeof *pv);
	struct stat sb;
	int r;

	memset(pv, 0, sizeof *pv);
	if (o)
		pv->opt = *o;
	pv->budget = pv->opt.cache_bytes ? pv->opt.cache_bytes : PT_PROV_CACHE_BYTES;
	pt_pv_caches_init(pv);
	pv->rules = pv->opt.rules;
	if (!pv->rules)
		pv->rules = pv->own_rules = pt_rules_empty();
	pv->ml = pt_rules_any(pv->rules, PT_RULE_EXTRACT) ||
		 pt_rules_any(pv->rules, PT_RULE_HYPER_ARGV) ||
		 pt_rules_any(pv->rules, PT_RULE_HYPER_ENV);
	if ((r = pt_runset_open(path, &pv->rs))) {
		free(pv);
		return r;
	}
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) && (r = pt_pv_run_json(pv, path)))
		goto fail;

	struct pre p = { pv, 0, UINT64_MAX, 0 };
	for (size_t s = 0; s < pv->rs.n; s++) {
		p.store = s;
		if ((r = pt_store_each_proc(pv->rs.st[s], pre_proc, &p)))
			goto fail;
		pt_strset_add(&pv->hosts, pv->rs.name[s], strlen(pv->rs.name[s]));
	}
	if (pv->ri.have_host)
		pt_strset_add(&pv->hosts, pv->ri.host.p, pv->ri.host.len);
	if (pv->ri.have_user) {
		int fresh;
		pt_u64map_get(&pv->uids, (uint64_t)pv->ri.user, 1, &fresh);
	}
	if (!pv->ri.have_start)
		pv->ri.start_ns = p.min_start == UINT64_MAX ? 0 : p.min_start;
	if (!pv->ri.have_end)
		pv->ri.end_ns = p.max_end;

	struct pt_buf b = { 0 };
	if (pv->opt.base) {
		if (!pt_iri_ok(pv->opt.base, strlen(pv->opt.base))) {
			r = EINVAL;
			goto fail;
		}
		pt_buf_puts(&b, pv->opt.base);
	} else {
		/* the run's identity: where and when it began */
		pt_buf_puts(&b, "urn:provtrace:run:");
		if (pv->ri.have_host)
			pt_iri_pct(&b, pv->ri.host.p, pv->ri.host.len, 0);
		else
			pt_iri_pct(&b, pv->rs.name[0], strlen(pv->rs.name[0]), 0);
		pt_buf_putc(&b, ':');
		pt_buf_u64(&b, pv->ri.start_ns);
	}
	pv->runlen = b.len;
	pv->run = (char *)pt_buf_cstr(&b);
	b = (struct pt_buf){ 0 };
	pt_buf_put(&b, pv->run, pv->runlen);
	pt_buf_puts(&b, "/graph");
	pv->graph = (char *)pt_buf_cstr(&b);
	*out = pv;
	return 0;
fail:
	pt_prov_close(pv);
	return r;
}

void pt_prov_close(pt_prov *pv)
{
	if (!pv)
		return;
	pt_pv_caches_clear(pv);
	pt_pv_cuda_free(pv);
	pt_strset_free(&pv->gpus);
	pt_strset_free(&pv->mlterms);
	pt_runset_close(&pv->rs);
	pt_buf_free(&pv->ri.host);
	pt_buf_free(&pv->ri.version);
	pt_buf_free(&pv->ri.slurm);
	pt_buf_free(&pv->ri.command);
	pt_strset_free(&pv->exes);
	pt_strset_free(&pv->v0content);
	pt_strset_free(&pv->hosts);
	pt_u64map_free(&pv->uids);
	pt_u64map_free(&pv->gaps_of);
	pt_pv_kset_free(&pv->vset);
	pt_pv_kset_free(&pv->memo);
	pt_pv_kset_free(&pv->ranks);
	free(pv->stack);
	free(pv->srcs);
	pt_buf_free(&pv->s);
	pt_buf_free(&pv->o);
	pt_buf_free(&pv->o2);
	pt_buf_free(&pv->name);
	pt_buf_free(&pv->tmp);
	pt_buf_free(&pv->words);
	pt_rules_free(pv->own_rules);
	free(pv->run);
	free(pv->graph);
	free(pv);
}

const char *pt_prov_run_iri(const pt_prov *pv)
{
	return pv->run;
}

const char *pt_prov_graph_iri(const pt_prov *pv)
{
	return pv->graph;
}

int pt_prov_prefix(const pt_prov *pv, size_t i, const char **name, const char **iri)
{
	static const char *const fixed[][2] = {
		{ "rdf", PT_NS_RDF }, { "rdfs", PT_NS_RDFS }, { "xsd", PT_NS_XSD },
		{ "prov", PT_NS_PROV }, { "pt", PT_NS_PT }, { "mls", PT_NS_MLS },
	};
	size_t nf = sizeof fixed / sizeof fixed[0];

	if (i < nf) {
		*name = fixed[i][0];
		*iri = fixed[i][1];
		return 1;
	}
	i -= nf;
	if (i >= pt_rules_nprefix(pv->rules))
		return 0;
	pt_rules_prefix(pv->rules, i, name, iri);
	return 1;
}

void pt_prov_progress(const pt_prov *pv, struct pt_prov_progress *p)
{
	p->phase = pv->phase ? pv->phase : "starting";
	p->done = pv->done;
	p->total = pv->total;
	p->triples = pv->triples;
}

/* ---- the whole run: each walk is a store cursor (pt_store_each_*) whose callback makes
 * the item's triples, each handed to fn through emit() */

int pt_prov_emit(pt_prov *pv, pt_triple_fn fn, void *ctx)
{
	int r = 0;

	pv->fn = fn;
	pv->ctx = ctx;
	pv->phase = "log";
	if ((r = pt_pv_cuda_collect(pv)))
		return r;
	pv->phase = "run";
	pt_pv_emit_run(pv);
	pt_pv_emit_hosts(pv);
	pt_pv_emit_users(pv);

	/* each process's gaps, counted before its block is written */
	for (size_t s = 0; s < pv->rs.n && !r; s++) {
		struct gap_emit ge = { pv, s };
		r = pt_store_each_gap(pv->rs.st[s], pt_pv_gap_count, &ge);
	}

	pv->phase = "processes";
	pv->done = 0;
	for (size_t s = 0; s < pv->rs.n && !pv->err && !r; s++) {
		struct proc_emit pe = { pv, s, NULL, { 0 }, { 0 }, { 0 }, 0, { 0 } };
		r = pt_store_each_proc(pv->rs.st[s], pt_pv_proc_each, &pe);
		pt_buf_free(&pe.piri);
		pt_buf_free(&pe.path);
		pt_buf_free(&pe.x);
		pt_buf_free(&pe.models);
	}

	pv->phase = "files";
	pv->done = 0;
	pv->total = 0;
	for (size_t s = 0; s < pv->rs.n && !pv->err && !r; s++) {
		struct file_emit fe = { pv, s, { 0 }, { 0 } };
		r = pt_store_each_obj(pv->rs.st[s], pt_pv_file_each, &fe);
		pt_buf_free(&fe.f);
		pt_buf_free(&fe.x);
	}
	if (!pv->err && !r)
		pt_pv_emit_exes(pv);

	pv->phase = "gaps";
	for (size_t s = 0; s < pv->rs.n && !pv->err && !r; s++) {
		struct gap_emit ge = { pv, s };
		r = pt_store_each_gap(pv->rs.st[s], pt_pv_gap_each, &ge);
	}
	pv->phase = "done";
	pt_pv_caches_clear(pv);
	return pv->err ? pv->err : r;
}
