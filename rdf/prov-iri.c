/* prov-iri.c — the IRIs that the PROV-O mapping mints for a run's things (see prov-int.h):
 * the run, its processes, hosts and users, files and file versions; the vocabulary and
 * the escaping are rdf/iri.c's. */
#include "config.h"

#include <string.h>

#include "prov-int.h"

void pt_pv_iri_run(pt_prov *pv, struct pt_buf *b, const char *tail)
{
	b->len = 0;
	pt_buf_put(b, pv->run, pv->runlen);
	pt_buf_puts(b, tail);
}

void pt_pv_iri_proc_rec(pt_prov *pv, struct pt_buf *b, const struct pt_proc_rec *r)
{
	pt_pv_iri_run(pv, b, "/proc/");
	pt_iri_pct(b, r->host, strnlen(r->host, sizeof r->host), 0);
	pt_buf_putc(b, '/');
	pt_buf_i64(b, r->pid);
	pt_buf_putc(b, '/');
	pt_buf_u64(b, r->start_ns);
}

void pt_pv_iri_proc(pt_prov *pv, struct pt_buf *b, size_t s, uint32_t proc)
{
	struct pt_proc_rec r;

	if (pt_store_proc(pv->rs.st[s], proc, &r) == 0) {
		pt_pv_iri_proc_rec(pv, b, &r);
		return;
	}
	/* an image the index lost: still one stable name */
	pt_pv_iri_run(pv, b, "/proc/");
	pt_iri_pct(b, pv->rs.name[s], strlen(pv->rs.name[s]), 0);
	pt_buf_puts(b, "/id/");
	pt_buf_u64(b, proc);
}

void pt_pv_iri_host(pt_prov *pv, struct pt_buf *b, const char *host, size_t n)
{
	pt_pv_iri_run(pv, b, "/host/");
	pt_iri_pct(b, host, n, 0);
}

void pt_pv_iri_user(pt_prov *pv, struct pt_buf *b, uint64_t uid)
{
	pt_pv_iri_run(pv, b, "/user/");
	pt_buf_u64(b, uid);
}

/* The name of an object, copied into pv->name (the store's buffer is reused by the next
 * lookup).  Returns its kind, or 0 when the object is unknown. */
uint32_t pt_pv_obj_name(pt_prov *pv, size_t s, uint32_t obj, struct pt_buf *out)
{
	const uint8_t *name;
	size_t len;
	uint32_t kind;

	out->len = 0;
	if (pt_store_obj_name(pv->rs.st[s], obj, &name, &len, &kind))
		return 0;
	pt_buf_put(out, name, len);
	pt_buf_cstr(out);
	return kind;
}

void pt_pv_iri_file(struct pt_buf *b, const struct pt_buf *path)
{
	b->len = 0;
	pt_iri_file(b, path->p, path->len);
}

void pt_pv_iri_ver(pt_prov *pv, struct pt_buf *b, const struct ver *v)
{
	switch (v->kind) {
	case V_WRITE:
		pt_pv_iri_proc(pv, b, v->store, v->id);
		pt_buf_puts(b, "/w");
		pt_buf_u64(b, v->x);
		return;
	case V_EXT:
		pt_pv_obj_name(pv, v->store, v->id, &pv->name);
		pt_pv_iri_run(pv, b, "/vx/");
		pt_buf_u64(b, v->x);
		pt_iri_pct(b, pv->name.p, pv->name.len, 1);
		return;
	case V_MOVE:
		pt_pv_obj_name(pv, v->store, v->id, &pv->name);
		pt_pv_iri_run(pv, b, "/mv/");
		pt_iri_pct(b, pv->rs.name[v->store], strlen(pv->rs.name[v->store]), 0);
		pt_buf_putc(b, '/');
		pt_buf_u64(b, v->x);
		pt_iri_pct(b, pv->name.p, pv->name.len, 1);
		return;
	default:
		pt_pv_obj_name(pv, v->store, v->id, &pv->name);
		pt_pv_iri_run(pv, b, "/v0");
		pt_iri_pct(b, pv->name.p, pv->name.len, 1);
		return;
	}
}
