/* prov-entities.c — files and their versions in the PROV-O mapping (see prov-int.h): the
 * usages and generations of each process's file sessions, the versions they wrote (with
 * their revisions, sources and content identity), each file's block with its initial,
 * external and moved versions, and the executables no store opened. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "prov-int.h"

/* A version's content identity: pt:contentHash, and prov:alternateOf the content
 * itself, an IRI that the same bytes have in every run (see content.h). */
static void e_content(pt_prov *pv, size_t s, const struct pt_buf *S, const struct pt_sess_rec *x,
		      int from_reads)
{
	struct pt_file_id id = { x->dev, x->ino, x->size, x->mtime };
	char h[PT_HASH_STR], iri[96];

	if (!pt_content_text(pv->rs.st[s], NULL, &id, 0, h))
		return;
	/* a version nothing traced wrote (initial, external) gets its content from the reads
	 * that saw it, said once per content (two: its identity changed and the bytes did
	 * not, or the change came while a read was open) */
	if (from_reads) {
		struct pt_buf k = { 0 };
		pt_buf_put(&k, S->p, S->len);
		pt_buf_put(&k, h, strlen(h));
		int fresh = pt_strset_add(&pv->v0content, k.p, k.len);
		pt_buf_free(&k);
		if (!fresh)
			return;
	}
	e_str(pv, S, PT("contentHash"), h);
	snprintf(iri, sizeof iri, "%s%s", PT_NS_CONTENT, h + 9);
	e_iri(pv, S, PROV("alternateOf"), iri, strlen(iri));
	if (pt_strset_add(&pv->v0content, iri, strlen(iri))) {   /* typed once */
		struct pt_buf c = { 0 };
		pt_buf_puts(&c, iri);
		e_type(pv, &c, PROV("Entity"));
		e_type(pv, &c, PT("Content"));
		pt_buf_free(&c);
	}
}

/* Pass 1: prov:qualifiedUsage of each read session, in the process's block.
 * Pass 2: the usage, generation and version blocks. */
int pt_pv_sess_each(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *x)
{
	struct proc_emit *pe = ctx;
	pt_prov *pv = pe->pv;
	struct pt_buf *S = &pv->s, *O = &pv->o;
	int mpiio;

	(void)proc;
	if (!x->obj || !x->close_ns || !file_session(x->kind) || (!x->rops && !x->wops))
		return 0;
	/* what a rank asked of MPI-IO: its bytes under names of their own, for the POSIX
	 * sessions underneath already count what reached the file system */
	mpiio = x->kind == PT_KIND_MPI_FILE;
	if (!pt_pv_get_tl(pv, pe->store, x->obj)->is_file)
		return 0;
	if (x->rops) {
		uint64_t first = x->rfirst ? x->rfirst : x->open_ns;
		S->len = 0;
		pt_buf_put(S, pe->piri.p, pe->piri.len);
		pt_buf_puts(S, "/u");
		pt_buf_u64(S, sid);
		if (pe->pass == 1) {
			e_buf(pv, &pe->piri, PROV("qualifiedUsage"), S);
		} else {
			struct ver v = pt_pv_resolve(pv, pe->store, x->obj, first, 0, 0);
			e_type(pv, S, PROV("Usage"));
			if (mpiio)
				e_type(pv, S, PT("MPIIOAccess"));
			pt_pv_iri_ver(pv, O, &v);
			e_buf(pv, S, PROV("entity"), O);
			e_time(pv, S, PROV("atTime"), first);
			e_uint(pv, S, mpiio ? PT("mpiioBytes") : PT("bytes"), x->rbytes);
			e_uint(pv, S, mpiio ? PT("mpiioOperations") : PT("operations"), x->rops);
			if (pt_rules_any(pv->rules, PT_RULE_USED)) {
				pt_pv_obj_name(pv, pe->store, x->obj, &pe->path);
				e_rules(pv, S, PT_RULE_USED, pe->path.p, PROV("hadRole"));
			}
			/* after the usage's block: O is still its entity */
			if (v.kind == V_V0 || v.kind == V_EXT)
				e_content(pv, pe->store, O, x, 1);
		}
	}
	if (x->wops && pe->pass == 2) {
		uint64_t first = x->wfirst ? x->wfirst : x->open_ns;
		uint64_t end = x->close_ns;
		struct ver self = { V_WRITE, (uint32_t)pe->store, pe->rec->id, sid };
		struct pt_buf *G = &pv->o2;

		pt_pv_obj_name(pv, pe->store, x->obj, &pe->path);
		G->len = 0;
		pt_buf_put(G, pe->piri.p, pe->piri.len);
		pt_buf_puts(G, "/g");
		pt_buf_u64(G, sid);

		S->len = 0;
		pt_buf_put(S, pe->piri.p, pe->piri.len);
		pt_buf_puts(S, "/w");
		pt_buf_u64(S, sid);
		e_type(pv, S, PROV("Entity"));
		e_type(pv, S, PT("FileVersion"));
		e_rules(pv, S, PT_RULE_PATH, pe->path.p, RDF_TYPE);
		pt_pv_iri_file(O, &pe->path);
		e_buf(pv, S, PROV("specializationOf"), O);
		e_buf(pv, S, PROV("wasGeneratedBy"), &pe->piri);
		e_time(pv, S, PROV("generatedAtTime"), end);
		e_buf(pv, S, PROV("qualifiedGeneration"), G);
		struct ver prev = pt_pv_resolve(pv, pe->store, x->obj, first, 1, 0);
		if (prev.kind != V_NONE && ver_cmp(&prev, &self)) {
			pt_pv_iri_ver(pv, O, &prev);
			e_buf(pv, S, PROV("wasRevisionOf"), O);
		}
		int cut = pt_pv_sources(pv, pe->store, pe->rec->id, end, &self);
		for (size_t i = 0; i < pv->nsrcs && !pv->err; i++) {
			pt_pv_iri_ver(pv, O, &pv->srcs[i]);
			e_buf(pv, S, PROV("wasDerivedFrom"), O);
		}
		if (cut)
			e_bool(pv, S, PT("sourcesTruncated"), 1);
		e_content(pv, pe->store, S, x, 0);   /* last: the content's block may follow */

		e_type(pv, G, PROV("Generation"));
		if (mpiio)
			e_type(pv, G, PT("MPIIOAccess"));
		e_buf(pv, G, PROV("activity"), &pe->piri);
		e_time(pv, G, PROV("atTime"), end);
		e_time(pv, G, PT("firstWriteAtTime"), first);
		e_uint(pv, G, mpiio ? PT("mpiioBytes") : PT("bytes"), x->wbytes);
		e_uint(pv, G, mpiio ? PT("mpiioOperations") : PT("operations"), x->wops);
		e_rules(pv, G, PT_RULE_GENERATED, pe->path.p, PROV("hadRole"));
		if (pv->ml)
			pt_pv_ml_model(pv, pe, x->obj, S);
	}
	return pv->err;
}

int pt_pv_file_each(void *ctx, uint32_t obj, uint32_t kind, const uint8_t *name, size_t len)
{
	struct file_emit *fe = ctx;
	pt_prov *pv = fe->pv;
	struct pt_buf *S = &pv->s, *O = &pv->o;

	if (kind != PT_KIND_FILE || !len || name[0] != '/')
		return 0;
	pt_pv_safe_point(pv);
	/* one file on every node: described by the first store that knows its path */
	pv->name.len = 0;
	pt_buf_put(&pv->name, name, len);
	pt_buf_cstr(&pv->name);
	struct pt_buf path = pv->name;
	pv->name = (struct pt_buf){ 0 };
	for (size_t j = 0; j < fe->store; j++) {
		uint32_t o;
		if (pt_store_obj_find(pv->rs.st[j], path.p, path.len, &o) == 0) {
			pt_buf_free(&pv->name);
			pv->name = path;
			pv->done++;
			return 0;
		}
	}
	fe->f.len = 0;
	pt_iri_file(&fe->f, path.p, path.len);
	e_type(pv, &fe->f, PROV("Entity"));
	e_type(pv, &fe->f, PT("File"));
	if (pt_strset_has(&pv->exes, path.p, path.len))
		e_type(pv, &fe->f, PROV("Plan"));
	e_rules(pv, &fe->f, PT_RULE_PATH, path.p, RDF_TYPE);
	e_text(pv, &fe->f, PT("path"), path.p, path.len);

	struct tl *t = pt_pv_get_tl(pv, fe->store, obj);
	if (t->has_v0) {
		struct ver v = { V_V0, t->cstore, t->cobj, 0 };
		pt_pv_iri_ver(pv, S, &v);
		e_type(pv, S, PROV("Entity"));
		e_type(pv, S, PT("FileVersion"));
		e_type(pv, S, PT("InitialVersion"));
		e_rules(pv, S, PT_RULE_PATH, path.p, RDF_TYPE);
		e_buf(pv, S, PROV("specializationOf"), &fe->f);
	}
	for (size_t i = 0; i < t->n && !pv->err; i++) {
		const struct tl_ent *e = &t->e[i];
		if (e->kind == E_EXT) {
			struct ver v = { V_EXT, t->cstore, t->cobj, e->x };
			uint64_t when = e->t;
			pt_pv_iri_ver(pv, S, &v);
			e_type(pv, S, PROV("Entity"));
			e_type(pv, S, PT("FileVersion"));
			e_type(pv, S, PT("ExternalVersion"));
			e_rules(pv, S, PT_RULE_PATH, path.p, RDF_TYPE);
			e_buf(pv, S, PROV("specializationOf"), &fe->f);
			struct ver prev = pt_pv_resolve(pv, fe->store, obj, when, 1, 0);
			if (prev.kind != V_NONE) {
				pt_pv_iri_ver(pv, O, &prev);
				e_buf(pv, S, PROV("wasRevisionOf"), O);
			}
			t = pt_pv_get_tl(pv, fe->store, obj);
			continue;
		}
		if (e->kind != E_MOVE)
			continue;
		struct ver v = { V_MOVE, e->store, e->id, e->x };
		pt_pv_iri_ver(pv, S, &v);
		e_type(pv, S, PROV("Entity"));
		e_type(pv, S, PT("FileVersion"));
		e_rules(pv, S, PT_RULE_PATH, path.p, RDF_TYPE);
		e_buf(pv, S, PROV("specializationOf"), &fe->f);
		e_time(pv, S, PROV("generatedAtTime"), e->t);
		struct ver src = pt_pv_resolve(pv, e->store, e->src, e->t, 0, 0);
		if (src.kind != V_NONE) {
			pt_pv_iri_ver(pv, O, &src);
			e_buf(pv, S, PROV("wasDerivedFrom"), O);
			e_buf(pv, S, e->flow == PT_FLOW_RENAME ? PT("renamedFrom") : PT("linkedFrom"), O);
		}
		struct ver prev = pt_pv_resolve(pv, e->store, e->id, e->t, 1, 0);
		if (prev.kind != V_NONE && ver_cmp(&prev, &v)) {
			pt_pv_iri_ver(pv, O, &prev);
			e_buf(pv, S, PROV("wasRevisionOf"), O);
		}
		t = pt_pv_get_tl(pv, fe->store, obj);
	}
	if (pv->ml)
		pt_pv_ml_file(pv, fe->store, obj, &fe->f);
	pt_buf_free(&pv->name);
	pv->name = path;
	pv->done++;
	return pv->err;
}

/* Executables no store knows as a file object (exec'd, never opened). */
void pt_pv_emit_exes(pt_prov *pv)
{
	struct pt_str *v = pt_strset_sorted(&pv->exes);
	struct pt_buf *S = &pv->s;

	for (size_t i = 0; i < pv->exes.n && !pv->err; i++) {
		size_t j;
		uint32_t o;
		for (j = 0; j < pv->rs.n; j++)
			if (pt_store_obj_find(pv->rs.st[j], v[i].p, v[i].len, &o) == 0)
				break;
		if (j < pv->rs.n)
			continue;
		S->len = 0;
		pt_iri_file(S, v[i].p, v[i].len);
		e_type(pv, S, PROV("Entity"));
		e_type(pv, S, PT("File"));
		e_type(pv, S, PROV("Plan"));
		e_rules(pv, S, PT_RULE_PATH, (const char *)v[i].p, RDF_TYPE);
		e_text(pv, S, PT("path"), v[i].p, v[i].len);
	}
	free(v);
}
