/* publish.c — provtrace-publish (`provtrace publish`): a run's PROV-O loaded into an RDF
 * store, one named graph per run, through the SPARQL 1.1 Graph Store HTTP Protocol.
 *
 * The producer's triples are written as N-Triples into a bounded buffer; each full buffer
 * is one request to a temporary graph (PUT for the first, replacing what a failed earlier
 * publish left, POST after).  When every triple is there and the store counts them all,
 * one SPARQL Update MOVEs the temporary graph onto the run's graph: a re-publish replaces
 * the graph, and a publish that fails half way leaves the run's graph as it was (the
 * temporary graph is dropped).  Memory: the buffer plus the producer's own bounds. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <redland.h>
#include <sys/stat.h>
#include <unistd.h>

#include "follow.h"
#include "iri.h"
#include "pgstore.h"
#include "prov.h"
#include "remote.h"
#include "rules.h"

#ifndef PT_PKGDATADIR
#define PT_PKGDATADIR "/usr/local/share/provtrace"
#endif

#define DEFAULT_CHUNK (8u << 20)

struct pub {
	pt_remote *rm;
	const char *gsp, *update, *query;
	char *graph, *tmp;
	struct pt_buf buf, url;
	size_t chunk;
	uint64_t triples, requests, bytes;
	int started;              /* the temporary graph exists (first PUT done) */
	int tried;                /* a request for it was sent: drop it on failure */
	int virtuoso;             /* the endpoints are Virtuoso's (--to) */
};

static const char *me = "provtrace publish";

static int send_chunk(struct pub *p)
{
	if (p->buf.len == 0 && p->started)
		return 0;
	p->tried = 1;
	p->url.len = 0;
	pt_remote_graph_url(&p->url, p->gsp, p->tmp);
	if (pt_remote_send(p->rm, p->started ? "POST" : "PUT", p->url.p, "application/n-triples",
			   NULL, p->buf.p, p->buf.len, NULL, NULL, NULL))
		return -1;
	p->started = 1;
	p->requests++;
	p->bytes += p->buf.len;
	p->buf.len = 0;
	return 0;
}

static int put_triple(void *ctx, const struct pt_term *s, const struct pt_term *pr,
		      const struct pt_term *o)
{
	struct pub *p = ctx;

	pt_term_nt(&p->buf, s);
	pt_buf_putc(&p->buf, ' ');
	pt_term_nt(&p->buf, pr);
	pt_buf_putc(&p->buf, ' ');
	pt_term_nt(&p->buf, o);
	pt_buf_put(&p->buf, " .\n", 3);
	p->triples++;
	if (p->buf.len >= p->chunk && send_chunk(p))
		return ECOMM;
	return 0;
}

/* The number of triples in a graph, by a SPARQL COUNT (CSV results: a header, a number). */
static int graph_count(struct pub *p, const char *graph, uint64_t *n)
{
	struct pt_buf q = { 0 }, resp = { 0 };
	int rc = -1;

	pt_buf_puts(&q, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <");
	pt_buf_puts(&q, graph);
	pt_buf_puts(&q, "> { ?s ?p ?o } }");
	pt_buf_cstr(&q);
	if (pt_remote_sparql(p->rm, p->query, "query", q.p, "text/csv", &resp, NULL, NULL) == 0) {
		const char *s = pt_buf_cstr(&resp), *nl = strchr(s, '\n');
		char *end;
		if (nl) {
			while (*++nl == '"')
				;
			*n = strtoull(nl, &end, 10);
			rc = end > nl ? 0 : -1;
		}
	}
	pt_buf_free(&q);
	pt_buf_free(&resp);
	return rc;
}

/* A SPARQL Update naming one or two graphs: "VERB <g1>" or "VERB <g1> TO <g2>". */
static int update(struct pub *p, const char *verb, const char *g1, const char *to, const char *g2)
{
	struct pt_buf q = { 0 };
	int rc;

	pt_buf_puts(&q, verb);
	pt_buf_puts(&q, " <");
	pt_buf_puts(&q, g1);
	pt_buf_putc(&q, '>');
	if (to) {
		pt_buf_puts(&q, to);
		pt_buf_puts(&q, " <");
		pt_buf_puts(&q, g2);
		pt_buf_putc(&q, '>');
	}
	pt_buf_cstr(&q);
	rc = pt_remote_sparql(p->rm, p->update, "update", q.p, NULL, NULL, NULL, NULL);
	pt_buf_free(&q);
	return rc;
}

/* The temporary graph needs no transaction: on Virtuoso it is dropped row by row
 * (log-enable 3), so that a big one never meets the after-image limit. */
static int drop_graph(struct pub *p, const char *g)
{
	return update(p, p->virtuoso ? "DEFINE sql:log-enable 3 DROP SILENT GRAPH"
				     : "DROP SILENT GRAPH", g, NULL, NULL);
}

/* Every triple of graph g, deleted as triples: on Virtuoso a DROP can leave quads behind
 * that a concurrent query kept from a MOVE (seen with publish --follow). */
static int delete_all(struct pub *p, const char *g)
{
	struct pt_buf q = { 0 };
	int rc;

	pt_buf_puts(&q, "DELETE WHERE { GRAPH <");
	pt_buf_puts(&q, g);
	pt_buf_puts(&q, "> { ?s ?p ?o } }");
	pt_buf_cstr(&q);
	rc = pt_remote_sparql(p->rm, p->update, "update", q.p, NULL, NULL, NULL, NULL);
	pt_buf_free(&q);
	return rc;
}

static void drop_tmp(struct pub *p)
{
	if (p->tried)
		drop_graph(p, p->tmp);
}

/* ---- librdf storage (sqlite:PATH): the run's
 * context replaced in one transaction, so a failure half way leaves it as it was */

struct lpub {
	librdf_world *w;
	librdf_model *m;
	librdf_node *ctx;
	librdf_uri *dt[8];
	const char *dtn[8];
	uint64_t triples;
};

static librdf_node *lnode(struct lpub *l, const struct pt_term *t)
{
	librdf_uri *dt = NULL;

	switch (t->kind) {
	case PT_TERM_IRI:
		return librdf_new_node_from_counted_uri_string(l->w, (const unsigned char *)t->s, t->len);
	case PT_TERM_BLANK:
		return librdf_new_node_from_counted_blank_identifier(l->w, (const unsigned char *)t->s,
								     t->len);
	default:
		for (size_t i = 0; t->dt && i < 8; i++) {
			if (l->dtn[i] == t->dt) {
				dt = l->dt[i];
				break;
			}
			if (!l->dtn[i]) {
				l->dtn[i] = t->dt;
				dt = l->dt[i] = librdf_new_uri(l->w, (const unsigned char *)t->dt);
				break;
			}
		}
		return librdf_new_node_from_typed_counted_literal(l->w, (const unsigned char *)t->s,
								  t->len, NULL, 0, dt);
	}
}

static int lput(void *ctx, const struct pt_term *s, const struct pt_term *p,
		const struct pt_term *o)
{
	struct lpub *l = ctx;
	librdf_statement *st = librdf_new_statement_from_nodes(l->w, lnode(l, s), lnode(l, p),
								lnode(l, o));
	int r;

	if (!st)
		return ENOMEM;
	r = librdf_model_context_add_statement(l->m, l->ctx, st);
	librdf_free_statement(st);
	l->triples++;
	return r ? ECOMM : 0;
}

static int lcount(struct lpub *l, uint64_t *n)
{
	librdf_stream *st = librdf_model_context_as_stream(l->m, l->ctx);

	*n = 0;
	if (!st)
		return -1;
	for (; !librdf_stream_end(st); librdf_stream_next(st))
		(*n)++;
	librdf_free_stream(st);
	return 0;
}

/* librdf_new_storage's type, name and options for a --to of a librdf store: sqlite's
 * file, or a model in a PostgreSQL database (the target filled in; see pgstore.h) */
static int storage_of(const char *to, const char **type, struct pt_buf *name,
		      struct pt_buf *opts, struct pt_pg_target *pgt, const char *user, char *err,
		      size_t errlen)
{
	struct stat sb;
	char o[2048];

	if (!strncmp(to, "sqlite:", 7)) {
		*type = "sqlite";
		pt_buf_puts(name, to + 7);
		pt_buf_puts(opts, stat(to + 7, &sb) == 0 ? "new='no'" : "new='yes'");
		pt_buf_puts(opts, ",contexts='yes',synchronous='normal'");
	} else {
#ifndef PT_HAVE_PQ
		(void)pgt, (void)user;
		snprintf(err, errlen, "%s: this provtrace was built without libpq (libpq-dev)", to);
		return -1;
#else
		*type = "postgresql";
		if (pt_pg_parse(to, pgt, err, errlen))
			return -1;
		if (user) {   /* "user\0password" */
			pgt->password = user + strlen(user) + 1;
			if (!pgt->user[0])
				snprintf(pgt->user, sizeof pgt->user, "%s", user);
		}
		if (!pgt->user[0]) {
			snprintf(err, errlen, "%s: no user: in the URL (USER@HOST) or the credentials "
				 "(USER:PASSWORD)", to);
			return -1;
		}
		if (pt_pg_librdf_options(pgt, o, sizeof o)) {
			snprintf(err, errlen, "%s: a quote or backslash in the URL or credentials", to);
			return -1;
		}
		pt_buf_puts(name, pgt->model);
		pt_buf_puts(opts, o);
#endif
	}
	pt_buf_cstr(name);
	pt_buf_cstr(opts);
	return 0;
}

static int librdf_logger(void *ud, librdf_log_message *m)
{
	char *err = ud;

	if (librdf_log_message_level(m) >= LIBRDF_LOG_ERROR && !err[0]) {
		snprintf(err, 400, "%s", librdf_log_message_message(m));
		err[strcspn(err, "\r\n")] = 0;
	}
	return 1;
}

/* Into a librdf store.  sqlite: one librdf transaction (remove the run's context, add,
 * count, commit).  PostgreSQL: librdf opens (and makes) the model, then one PostgreSQL
 * transaction of our own loads the run (pgstore.h). */
static int publish_librdf(const char *to, const char *creds, pt_prov *pv, const char *graph,
			  int quiet)
{
	struct lpub l = { 0 };
	struct pt_buf name = { 0 }, opts = { 0 };
	struct pt_pg_target pgt = { 0 };
	librdf_storage *sto = NULL;
	pt_pg *pg = NULL;
	const char *type = NULL;
	char err[400] = "", *pw = NULL;
	size_t pwlen = creds ? strlen(creds) : 0;
	int rc = 1, intx = 0, r;
	uint64_t have = 0;

	if (creds && (pw = strdup(creds)))   /* user:password */
		*strchr(pw, ':') = 0;
	if (storage_of(to, &type, &name, &opts, &pgt, pw, err, sizeof err)) {
		fprintf(stderr, "%s: --to %s\n", me, err);
		rc = 2;
		goto out;
	}
#ifdef PT_HAVE_PQ
	if (!strcmp(type, "postgresql")) {   /* new='yes' makes the model, and empties one */
		if (pt_pg_open(&pgt, &pg, err, sizeof err)) {
			fprintf(stderr, "%s: %s: %s\n", me, to, err);
			goto out;
		}
		pt_buf_puts(&opts, pt_pg_has_model(pg) ? ",new='no'" : ",new='yes'");
		pt_buf_cstr(&opts);
	}
#endif
	l.w = librdf_new_world();
	librdf_world_open(l.w);
	librdf_world_set_logger(l.w, err, librdf_logger);
	sto = librdf_new_storage(l.w, type, name.p, opts.p);
	if (!sto || !(l.m = librdf_new_model(l.w, sto, NULL))) {
		fprintf(stderr, "%s: %s: cannot open the librdf %s store%s%s\n", me, to, type,
			err[0] ? ": " : " (is librdf-storage-", err[0] ? err : type);
		if (!err[0])
			fputs(" installed?)\n", stderr);
		goto out;
	}
#ifdef PT_HAVE_PQ
	if (!strcmp(type, "postgresql")) {   /* librdf made the model; pgstore.h loads it */
		if (pt_pg_bind(pg, err, sizeof err) || pt_pg_load_begin(pg, l.w, err, sizeof err)) {
			fprintf(stderr, "%s: %s: %s\n", me, to, err);
			goto out;
		}
		if ((r = pt_prov_emit(pv, pt_pg_triple, pg)) ||
		    pt_pg_load_commit(pg, graph, &l.triples, err, sizeof err)) {
			fprintf(stderr, "%s: %s: %s\n", me, to,
				r == ECOMM ? "the server went away during the COPY" : r ? pt_strerror(r) : err);
			goto out;
		}
		goto done;
	}
#endif
	l.ctx = librdf_new_node_from_uri_string(l.w, (const unsigned char *)graph);
	if (librdf_model_transaction_start(l.m)) {
		fprintf(stderr, "%s: %s: the %s store has no transactions\n", me, to, type);
		goto out;
	}
	intx = 1;
	if (librdf_model_context_remove_statements(l.m, l.ctx)) {
		fprintf(stderr, "%s: %s: cannot remove the run's old graph: %s\n", me, to, err);
		goto out;
	}
	if ((r = pt_prov_emit(pv, lput, &l))) {
		fprintf(stderr, "%s: %s: %s\n", me, to, r == ECOMM ? err : pt_strerror(r));
		goto out;
	}
	if (lcount(&l, &have) || have != l.triples) {
		fprintf(stderr, "%s: %s: the store holds %" PRIu64 " of the %" PRIu64
			" triples: not published\n", me, to, have, l.triples);
		goto out;
	}
	if (librdf_model_transaction_commit(l.m)) {
		fprintf(stderr, "%s: %s: the commit failed: %s\n", me, to, err);
		goto out;
	}
	intx = 0;
done:
	if (!quiet)
		fprintf(stderr, "%s: %" PRIu64 " triples into <%s> in %s\n", me, l.triples, graph, to);
	printf("%s\n", graph);
	rc = fflush(stdout) ? 1 : 0;
out:
	if (intx)
		librdf_model_transaction_rollback(l.m);
#ifdef PT_HAVE_PQ
	pt_pg_close(pg);
#endif
	if (l.ctx)
		librdf_free_node(l.ctx);
	for (size_t i = 0; i < 8; i++)
		if (l.dt[i])
			librdf_free_uri(l.dt[i]);
	if (l.m)
		librdf_free_model(l.m);
	if (sto)
		librdf_free_storage(sto);
	if (l.w)
		librdf_free_world(l.w);
	pt_buf_free(&name);
	if (opts.p)   /* it held the password too */
		memset(opts.p, 0, opts.len);
	pt_buf_free(&opts);
	if (pw)
		memset(pw, 0, pwlen);
	free(pw);
	return rc;
}

static double secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace publish --to URL|sqlite:PATH|postgresql://[USER@]HOST[:PORT]/DB\n"
		   "                         [--credentials FILE] [--graph-store URL]\n"
		   "                         [--update URL] [--query URL] [--chunk BYTES] [-q]\n"
		   "                         [--rules FILE | --no-rules] [--base IRI] [--all]\n"
		   "                         [--max-sources N] [--follow [--interval N]]\n"
		   "                         RUNDIR|STORE\n");
}

static int size_arg(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end || v < 1024 || v > (1ull << 31))
		return -1;
	*out = (size_t)v;
	return 0;
}

/* Endpoint URLs under a Virtuoso server's root, unless given one by one. */
static char *endpoint(const char *root, const char *path)
{
	struct pt_buf b = { 0 };
	size_t n = strlen(root);

	while (n && root[n - 1] == '/')
		n--;
	pt_buf_put(&b, root, n);
	pt_buf_puts(&b, path);
	return (char *)pt_buf_cstr(&b);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, 0, 't' }, { "credentials", required_argument, 0, 'c' },
		{ "graph-store", required_argument, 0, 'g' }, { "update", required_argument, 0, 'u' },
		{ "query", required_argument, 0, 'Q' }, { "chunk", required_argument, 0, 'k' },
		{ "rules", required_argument, 0, 'r' }, { "no-rules", no_argument, 0, 'R' },
		{ "base", required_argument, 0, 'b' }, { "all", no_argument, 0, 'a' },
		{ "max-sources", required_argument, 0, 'm' }, { "quiet", no_argument, 0, 'q' },
		{ "drop-graph", required_argument, 0, 'D' },   /* for --follow */
		{ "help", no_argument, 0, 'h' }, { 0 }
	};
	struct pt_prov_opts po = { 0 };
	struct pub p = { 0 };
	const char *to = NULL, *cred = NULL, *rules_path = NULL, *used = NULL, *dropg = NULL;
	char *own[3] = { 0 };
	char err[512];
	int c, no_rules = 0, quiet = 0, r, rc = 1;
	pt_rules *rules = NULL;
	pt_prov *pv = NULL;
	struct timespec t0, t1;

	if (pt_follow_wanted(argc, argv))
		return pt_follow(argc, argv);
	p.chunk = DEFAULT_CHUNK;
	po.max_sources = PT_PROV_MAX_SOURCES;
	/* the export's cache budget: memory against time, as for provtrace export */
	if (pt_prov_cache_env(&po, "provtrace publish"))
		return 2;
	while ((c = getopt_long(argc, argv, "t:c:qh", opts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'c': cred = optarg; break;
		case 'g': p.gsp = optarg; break;
		case 'u': p.update = optarg; break;
		case 'Q': p.query = optarg; break;
		case 'k':
			if (size_arg(optarg, &p.chunk)) {
				fprintf(stderr, "%s: --chunk: 1K to 2048M, not %s\n", me, optarg);
				return 2;
			}
			break;
		case 'r': rules_path = optarg; break;
		case 'R': no_rules = 1; break;
		case 'b': po.base = optarg; break;
		case 'a': po.all_sources = 1; break;
		case 'm': po.max_sources = strtoull(optarg, NULL, 10); break;
		case 'q': quiet = 1; break;
		case 'D': dropg = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc || (!to && !(p.gsp && p.update && p.query))) {
		usage(stderr);
		return 2;
	}
	int lrdf = to && (!strncmp(to, "sqlite:", 7) || !strncmp(to, "postgresql://", 13));
	if (to && !lrdf && strncmp(to, "http://", 7) && strncmp(to, "https://", 8)) {
		fprintf(stderr, "%s: --to %s: not an http:// or https:// URL, sqlite:PATH or "
			"postgresql://\n", me, to);
		return 2;
	}
	if (po.base && !pt_iri_ok(po.base, strlen(po.base))) {
		fprintf(stderr, "%s: --base: not an absolute IRI: %s\n", me, po.base);
		return 2;
	}
	if (pt_remote_open(cred, &p.rm, err, sizeof err)) {
		fprintf(stderr, "%s: %s\n", me, err);
		return 1;
	}
	/* Virtuoso: the anonymous endpoints are read-only; the -auth ones take digest */
	int auth = pt_remote_has_creds(p.rm);
	p.virtuoso = to && !p.gsp && !p.update;
	if (!p.gsp)
		p.gsp = own[0] = endpoint(to, auth ? "/sparql-graph-crud-auth" : "/sparql-graph-crud");
	if (!p.update)
		p.update = own[1] = endpoint(to, auth ? "/sparql-auth" : "/sparql");
	if (!p.query)
		p.query = own[2] = endpoint(to, "/sparql");
	if (dropg) {   /* a graph and its temporary one (--follow: a provisional name) */
		struct pt_buf g = { 0 };
		pt_buf_puts(&g, dropg);
		pt_buf_puts(&g, "/publishing");
		if ((rc = drop_graph(&p, dropg) || delete_all(&p, dropg) ||
			  drop_graph(&p, pt_buf_cstr(&g)) || delete_all(&p, pt_buf_cstr(&g)) ? 1 : 0))
			fprintf(stderr, "%s: %s\n", me, pt_remote_error(p.rm));
		pt_buf_free(&g);
		goto out;
	}

	if (no_rules)
		rules = pt_rules_empty();
	else if (rules_path)
		pt_rules_load(rules_path, &rules, err, sizeof err);
	else
		pt_rules_default(PT_PKGDATADIR, &rules, &used, err, sizeof err);
	if (!rules) {
		fprintf(stderr, "%s: %s\n", me, err);
		goto out;
	}
	po.rules = rules;
	if ((r = pt_prov_open(argv[optind], &po, &pv))) {
		fprintf(stderr, "%s: %s: %s\n", me, argv[optind],
			r == ENOENT && access(argv[optind], F_OK) == 0 ?
			"no node store in this run directory" : pt_strerror(r));
		goto out;
	}
	if (lrdf) {
		rc = publish_librdf(to, pt_remote_creds(p.rm), pv, pt_prov_graph_iri(pv), quiet);
		goto out;
	}
	p.graph = strdup(pt_prov_graph_iri(pv));
	struct pt_buf tb = { 0 };
	pt_buf_puts(&tb, p.graph);
	pt_buf_puts(&tb, "/publishing");
	p.tmp = (char *)pt_buf_cstr(&tb);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* what a publish that died left: gone before the first PUT replaces it in one go */
	if (p.virtuoso && drop_graph(&p, p.tmp)) {
		fprintf(stderr, "%s: %s\n", me, pt_remote_error(p.rm));
		goto out;
	}
	pt_buf_grow(&p.buf, p.chunk + 65536);
	r = pt_prov_emit(pv, put_triple, &p);
	if (r == ECOMM) {
		fprintf(stderr, "%s: %s\n", me, pt_remote_error(p.rm));
		goto fail;
	}
	if (r) {
		fprintf(stderr, "%s: %s: %s\n", me, argv[optind], pt_strerror(r));
		goto fail;
	}
	if (send_chunk(&p)) {
		fprintf(stderr, "%s: %s\n", me, pt_remote_error(p.rm));
		goto fail;
	}
	/* every triple arrived (the export never repeats one, so the counts are equal) */
	uint64_t have = 0;
	struct timespec t2, t3;
	clock_gettime(CLOCK_MONOTONIC, &t2);
	if (graph_count(&p, p.tmp, &have)) {
		fprintf(stderr, "%s: cannot count the loaded triples: %s\n", me, pt_remote_error(p.rm));
		goto fail;
	}
	if (have != p.triples) {
		fprintf(stderr, "%s: the store holds %" PRIu64 " of the %" PRIu64
			" triples sent to <%s>: not published\n", me, have, p.triples, p.tmp);
		goto fail;
	}
	clock_gettime(CLOCK_MONOTONIC, &t3);
	/* Virtuoso 7.2's MOVE keeps target quads the source also holds, and with them some
	 * it should drop (seen republishing a run that grew, publish --follow): empty the
	 * target first (the run's graph is briefly empty, as during Virtuoso's MOVE anyway) */
	if (p.virtuoso && delete_all(&p, p.graph)) {
		fprintf(stderr, "%s: %s\n", me, pt_remote_error(p.rm));
		goto fail;
	}
	if (update(&p, "MOVE SILENT GRAPH", p.tmp, " TO GRAPH", p.graph)) {
		fprintf(stderr, "%s: %s\n", me, pt_remote_error(p.rm));
		goto fail;
	}
	p.tried = 0;
	/* and it leaves in the source the quads the target already held */
	if (p.virtuoso && (drop_graph(&p, p.tmp) || delete_all(&p, p.tmp)))
		fprintf(stderr, "%s: warning: <%s> not emptied: %s\n", me, p.tmp, pt_remote_error(p.rm));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!quiet) {
		double s = secs(&t0, &t1);
		fprintf(stderr, "%s: %" PRIu64 " triples into <%s> (%" PRIu64 " requests, %.1f MB, "
			"%.1f s: load %.1f, count %.1f, move %.1f; %.0f triples/s)\n", me, p.triples,
			p.graph, p.requests, (double)p.bytes / 1e6, s, secs(&t0, &t2), secs(&t2, &t3),
			secs(&t3, &t1), s > 0 ? (double)p.triples / s : 0.0);
	}
	printf("%s\n", p.graph);
	rc = fflush(stdout) ? 1 : 0;
	goto out;
fail:
	drop_tmp(&p);
out:
	pt_prov_close(pv);
	pt_rules_free(rules);
	pt_remote_close(p.rm);
	pt_buf_free(&p.buf);
	pt_buf_free(&p.url);
	free(p.graph);
	free(p.tmp);
	for (int i = 0; i < 3; i++)
		free(own[i]);
	return rc;
}
