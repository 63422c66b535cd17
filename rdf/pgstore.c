/* pgstore.c — the PostgreSQL side of a librdf publish: URL, options, and the one
 * transaction that replaces a run's graph.  See pgstore.h. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <redland.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pgstore.h"

#define PG_SEEN 1024   /* node rows remembered, so as not to send them again */

struct pt_pg {
	PGconn *c;
	char model[128];
	char table[64];   /* statements<model id>, as librdf named it (unquoted: lower case) */
	librdf_digest *md5;
	struct pt_buf buf;     /* COPY rows not yet sent */
	uint64_t seen[PG_SEEN], triples;
	int intx, copying;
};

static int copy_part(char *dst, size_t n, const char *s, size_t len)
{
	if (len == 0 || len >= n)
		return -1;
	memcpy(dst, s, len);
	dst[len] = 0;
	return 0;
}

int pt_pg_parse(const char *url, struct pt_pg_target *t, char *err, size_t errlen)
{
	const char *p, *at, *slash, *q, *colon, *host;

	memset(t, 0, sizeof *t);
	strcpy(t->model, "provtrace");
	if (strncmp(url, "postgresql://", 13)) {
		snprintf(err, errlen, "%s: not postgresql://[USER@]HOST[:PORT]/DATABASE", url);
		return -1;
	}
	p = url + 13;
	slash = strchr(p, '/');
	if (!slash) {
		snprintf(err, errlen, "%s: no /DATABASE", url);
		return -1;
	}
	at = memchr(p, '@', (size_t)(slash - p));
	host = p;
	if (at) {
		if (memchr(p, ':', (size_t)(at - p))) {
			snprintf(err, errlen, "%s: a password in the URL would be seen by every user "
				 "of the machine: put USER:PASSWORD in a credentials file", url);
			return -1;
		}
		if (copy_part(t->user, sizeof t->user, p, (size_t)(at - p))) {
			snprintf(err, errlen, "%s: bad user name", url);
			return -1;
		}
		host = at + 1;
	}
	colon = memchr(host, ':', (size_t)(slash - host));
	if (copy_part(t->host, sizeof t->host, host, (size_t)((colon ? colon : slash) - host)) ||
	    (colon && copy_part(t->port, sizeof t->port, colon + 1, (size_t)(slash - colon - 1))) ||
	    (colon && strspn(t->port, "0123456789") != strlen(t->port))) {
		snprintf(err, errlen, "%s: bad HOST[:PORT]", url);
		return -1;
	}
	q = strchr(slash + 1, '?');
	if (copy_part(t->dbname, sizeof t->dbname, slash + 1,
		      q ? (size_t)(q - slash - 1) : strlen(slash + 1))) {
		snprintf(err, errlen, "%s: no /DATABASE", url);
		return -1;
	}
	if (q && (strncmp(q + 1, "model=", 6) ||
		  copy_part(t->model, sizeof t->model, q + 7, strlen(q + 7)))) {
		snprintf(err, errlen, "%s: the only parameter is ?model=NAME", url);
		return -1;
	}
	return 0;
}

/* librdf's option strings quote values in '...' with no escape: refuse ' and \ */
static int opt(char *out, size_t outlen, size_t *at, const char *k, const char *v)
{
	int n;

	if (strpbrk(v, "'\\"))
		return -1;
	n = snprintf(out + *at, outlen - *at, "%s%s='%s'", *at ? "," : "", k, v);
	if (n < 0 || (size_t)n >= outlen - *at)
		return -1;
	*at += (size_t)n;
	return 0;
}

int pt_pg_librdf_options(const struct pt_pg_target *t, char *out, size_t outlen)
{
	size_t at = 0;

	out[0] = 0;
	return opt(out, outlen, &at, "host", t->host) ||
	       (t->port[0] && opt(out, outlen, &at, "port", t->port)) ||
	       opt(out, outlen, &at, "database", t->dbname) ||
	       opt(out, outlen, &at, "user", t->user) ||
	       opt(out, outlen, &at, "password", t->password ? t->password : "") ||
	       opt(out, outlen, &at, "contexts", "yes") ? -1 : 0;
}

static void pgerr(pt_pg *pg, const char *what, char *err, size_t errlen)
{
	char *m = PQerrorMessage(pg->c);

	snprintf(err, errlen, "%s: %.*s", what, (int)strcspn(m, "\r\n"), m);
}

/* One statement with text parameters; the result when its status is `ok`, else NULL
 * with err set */
static PGresult *run(pt_pg *pg, const char *sql, int n, const char *const *args,
		     ExecStatusType ok, char *err, size_t errlen)
{
	PGresult *r = PQexecParams(pg->c, sql, n, NULL, args, NULL, NULL, 0);

	if (PQresultStatus(r) != ok) {
		pgerr(pg, "PostgreSQL", err, errlen);
		PQclear(r);
		return NULL;
	}
	return r;
}

/* the model's statements table, if librdf made it: 0 (pg->table set or left empty) or -1 */
static int find_table(pt_pg *pg, char *err, size_t errlen)
{
	const char *args[1] = { pg->model };
	PGresult *r;

	if (!(r = run(pg, "SELECT ID FROM Models WHERE to_regclass('models') IS NOT NULL "
		      "AND Name = $1", 1, args, PGRES_TUPLES_OK, err, errlen))) {
		/* to_regclass does not stop the planner from resolving Models: no table yet */
		if (!strstr(err, "does not exist"))
			return -1;
		return 0;
	}
	if (PQntuples(r) == 1)
		snprintf(pg->table, sizeof pg->table, "statements%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 0;
}

int pt_pg_open(const struct pt_pg_target *t, pt_pg **out, char *err, size_t errlen)
{
	const char *keys[] = { "host", "port", "dbname", "user", "password", "connect_timeout",
			       "application_name", NULL };
	const char *vals[] = { t->host, t->port[0] ? t->port : "5432", t->dbname, t->user,
			       t->password ? t->password : "", "10", "provtrace-publish", NULL };
	pt_pg *pg = calloc(1, sizeof *pg);

	if (!pg)
		abort();
	*out = pg;
	snprintf(pg->model, sizeof pg->model, "%s", t->model);
	pg->c = PQconnectdbParams(keys, vals, 0);
	if (PQstatus(pg->c) != CONNECTION_OK) {
		pgerr(pg, "cannot connect", err, errlen);
		return -1;
	}
	return find_table(pg, err, errlen);
}

int pt_pg_has_model(const pt_pg *pg)
{
	return pg->table[0] != 0;
}

int pt_pg_bind(pt_pg *pg, char *err, size_t errlen)
{
	if (!pg->table[0] && find_table(pg, err, errlen) == 0 && !pg->table[0])
		snprintf(err, errlen, "librdf made no model named %s", pg->model);
	return pg->table[0] ? 0 : -1;
}

void pt_pg_close(pt_pg *pg)
{
	if (!pg)
		return;
	if (pg->copying)   /* the server rolls the whole load back */
		PQputCopyEnd(pg->c, "provtrace publish gave up");
	PQfinish(pg->c);
	if (pg->md5)
		librdf_free_digest(pg->md5);
	pt_buf_free(&pg->buf);
	free(pg);
}

/* librdf's node key (rdf_storage_postgresql.c): the first 8 bytes of MD5(kind letter,
 * then the node's text), little-endian: "R" IRI, "B" blank label, "L" value<lang>datatype */
static void node_id(pt_pg *pg, char kind, const struct pt_term *t, char out[24])
{
	const unsigned char *d;
	uint64_t h = 0;

	librdf_digest_init(pg->md5);
	librdf_digest_update(pg->md5, (const unsigned char *)&kind, 1);
	librdf_digest_update(pg->md5, (const unsigned char *)t->s, t->len);
	if (kind == 'L') {
		librdf_digest_update(pg->md5, (const unsigned char *)"<>", 2);
		if (t->dt)
			librdf_digest_update_string(pg->md5, (const unsigned char *)t->dt);
	}
	librdf_digest_final(pg->md5);
	d = librdf_digest_get_digest(pg->md5);
	for (int i = 0; i < 8; i++)
		h |= (uint64_t)d[i] << (8 * i);
	snprintf(out, 24, "%" PRIu64, h);
}

/* COPY's text format: \ tab newline and carriage return escaped; NUL cannot be sent */
static int copy_text(struct pt_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case 0: return -1;
		case '\\': pt_buf_puts(b, "\\\\"); break;
		case '\t': pt_buf_puts(b, "\\t"); break;
		case '\n': pt_buf_puts(b, "\\n"); break;
		case '\r': pt_buf_puts(b, "\\r"); break;
		default: pt_buf_put(b, s + i, 1);
		}
	}
	return 0;
}

/* A node row of the staging table, once per recently seen node (a small direct-mapped
 * cache: the subjects of a resource's triples come together, predicates recur) */
static int node_row(pt_pg *pg, const struct pt_term *t, char id[24])
{
	char kind = t->kind == PT_TERM_IRI ? 'R' : t->kind == PT_TERM_BLANK ? 'B' : 'L';
	uint64_t h;
	size_t slot;

	node_id(pg, kind, t, id);
	h = strtoull(id, NULL, 10);
	slot = (size_t)(h % PG_SEEN);
	if (pg->seen[slot] == h && h)
		return 0;
	pg->seen[slot] = h;
	pt_buf_put(&pg->buf, &kind, 1);
	pt_buf_puts(&pg->buf, "\t");
	pt_buf_puts(&pg->buf, id);
	pt_buf_puts(&pg->buf, "\t\\N\t\\N\t");
	if (copy_text(&pg->buf, t->s, t->len))
		return -1;
	pt_buf_puts(&pg->buf, "\t");
	if (kind == 'L' && t->dt)
		copy_text(&pg->buf, t->dt, strlen(t->dt));
	pt_buf_puts(&pg->buf, "\n");
	return 0;
}

int pt_pg_load_begin(pt_pg *pg, librdf_world *w, char *err, size_t errlen)
{
	PGresult *r;

	if (!(pg->md5 = librdf_new_digest(w, "MD5"))) {
		snprintf(err, errlen, "librdf has no MD5 digest");
		return -1;
	}
	if (!(r = run(pg, "BEGIN", 0, NULL, PGRES_COMMAND_OK, err, errlen)))
		return -1;
	PQclear(r);
	pg->intx = 1;
	/* k: S statement (a b c: subject predicate object), R B L a node (a: its key, v: its
	 * text, d: a literal's datatype) */
	if (!(r = run(pg, "CREATE TEMPORARY TABLE pt_stage (k char(1), a numeric(20,0), "
		      "b numeric(20,0), c numeric(20,0), v text, d text) ON COMMIT DROP", 0, NULL,
		      PGRES_COMMAND_OK, err, errlen)))
		return -1;
	PQclear(r);
	if (!(r = run(pg, "COPY pt_stage FROM STDIN", 0, NULL, PGRES_COPY_IN, err, errlen)))
		return -1;
	PQclear(r);
	pg->copying = 1;
	return 0;
}

static int flush(pt_pg *pg)
{
	if (pg->buf.len && PQputCopyData(pg->c, pg->buf.p, (int)pg->buf.len) != 1)
		return -1;
	pg->buf.len = 0;
	return 0;
}

int pt_pg_triple(void *ctx, const struct pt_term *s, const struct pt_term *p,
		 const struct pt_term *o)
{
	pt_pg *pg = ctx;
	char a[24], b[24], c[24];

	if (node_row(pg, s, a) || node_row(pg, p, b) || node_row(pg, o, c))
		return EINVAL;   /* a NUL in a term: the export never makes one */
	pt_buf_puts(&pg->buf, "S\t");
	pt_buf_puts(&pg->buf, a);
	pt_buf_puts(&pg->buf, "\t");
	pt_buf_puts(&pg->buf, b);
	pt_buf_puts(&pg->buf, "\t");
	pt_buf_puts(&pg->buf, c);
	pt_buf_puts(&pg->buf, "\t\\N\t\\N\n");
	pg->triples++;
	if (pg->buf.len >= (1u << 20) && flush(pg))
		return ECOMM;
	return 0;
}

static int exec(pt_pg *pg, const char *sql, int n, const char *const *args, uint64_t *rows,
		char *err, size_t errlen)
{
	PGresult *r = run(pg, sql, n, args, PGRES_COMMAND_OK, err, errlen);

	if (!r)
		return -1;
	if (rows)
		*rows = strtoull(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return 0;
}

int pt_pg_load_commit(pt_pg *pg, const char *graph, uint64_t *triples, char *err,
		      size_t errlen)
{
	/* $1 the graph's key, $2 its IRI */
	static const struct { const char *fmt; int n; } step[] = {
		{ "INSERT INTO Resources (ID, URI) SELECT DISTINCT ON (a) a, v FROM pt_stage s "
		  "WHERE k = 'R' AND NOT EXISTS (SELECT 1 FROM Resources x WHERE x.ID = s.a)", 0 },
		{ "INSERT INTO Bnodes (ID, Name) SELECT DISTINCT ON (a) a, v FROM pt_stage s "
		  "WHERE k = 'B' AND NOT EXISTS (SELECT 1 FROM Bnodes x WHERE x.ID = s.a)", 0 },
		{ "INSERT INTO Literals (ID, Value, Language, Datatype) SELECT DISTINCT ON (a) a, "
		  "v, '', coalesce(d, '') FROM pt_stage s "
		  "WHERE k = 'L' AND NOT EXISTS (SELECT 1 FROM Literals x WHERE x.ID = s.a)", 0 },
		{ "INSERT INTO Resources (ID, URI) SELECT $1::numeric, $2 "
		  "WHERE NOT EXISTS (SELECT 1 FROM Resources WHERE ID = $1::numeric)", 2 },
		{ "DELETE FROM %s WHERE Context = $1::numeric", 1 },
		{ "INSERT INTO %s (Subject, Predicate, Object, Context) "
		  "SELECT DISTINCT a, b, c, $1::numeric FROM pt_stage WHERE k = 'S'", 1 },
	};
	struct pt_term g = { PT_TERM_IRI, graph, strlen(graph), NULL };
	char sql[512], gid[24];
	const char *args[2] = { gid, graph };
	uint64_t rows = 0;
	PGresult *r;

	*triples = pg->triples;
	pg->copying = 0;
	if (flush(pg) || PQputCopyEnd(pg->c, NULL) != 1) {
		pgerr(pg, "PostgreSQL: COPY", err, errlen);
		return -1;
	}
	r = PQgetResult(pg->c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		pgerr(pg, "PostgreSQL: COPY", err, errlen);
		PQclear(r);
		return -1;
	}
	PQclear(r);
	while ((r = PQgetResult(pg->c)))
		PQclear(r);
	node_id(pg, 'R', &g, gid);
	for (size_t i = 0; i < sizeof step / sizeof *step; i++) {
		snprintf(sql, sizeof sql, step[i].fmt, pg->table);
		if (exec(pg, sql, step[i].n, step[i].n ? args : NULL, &rows, err, errlen))
			return -1;
	}
	/* the export never repeats a triple: every one is a row */
	if (rows != pg->triples) {
		snprintf(err, errlen, "the store took %" PRIu64 " of the %" PRIu64 " triples: "
			 "not published", rows, pg->triples);
		return -1;
	}
	if (!(r = run(pg, "COMMIT", 0, NULL, PGRES_COMMAND_OK, err, errlen)))
		return -1;
	PQclear(r);
	pg->intx = 0;
	return 0;
}
