/* query.c — provtrace-query (`provtrace query`): SPARQL over a run's PROV through rasqal
 * (librdf).  A run directory or store file goes into an in-memory librdf model straight
 * from the PROV-O producer (no text in between); a .ttl/.nt/.nq/.json/.rdf file is parsed
 * by raptor.  Warnings are shown, never turned into a failure: the exit status says
 * whether the query ran and its results were written. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <redland.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/progress.h"
#include "iri.h"
#include "prov.h"
#include "rules.h"
#ifdef PT_HAVE_CURL
#include "remote.h"
#endif
#include "extract.h"

#ifndef PT_PKGDATADIR
#define PT_PKGDATADIR "/usr/local/share/provtrace"
#endif

static struct {
	librdf_world *world;
	librdf_model *model;
	int quiet;
	unsigned errors, warnings;
	librdf_uri *dt_uri[8];
	const char *dt_name[8];
	uint64_t loaded;
} Q;

static int logger(void *ud, librdf_log_message *m)
{
	librdf_log_level level = librdf_log_message_level(m);
	const char *msg = librdf_log_message_message(m);

	(void)ud;
	if (level >= LIBRDF_LOG_ERROR) {
		Q.errors++;
		fprintf(stderr, "provtrace query: error: %s\n", msg ? msg : "(no message)");
	} else if (level == LIBRDF_LOG_WARN) {
		Q.warnings++;
		if (!Q.quiet)
			fprintf(stderr, "provtrace query: warning: %s\n", msg ? msg : "(no message)");
	}
	return 1;
}

/* ---- loading a run straight from the producer */

static librdf_uri *dt_uri(const char *dt)
{
	for (size_t i = 0; i < 8; i++) {
		if (Q.dt_name[i] == dt)
			return Q.dt_uri[i];
		if (!Q.dt_name[i]) {
			Q.dt_name[i] = dt;
			Q.dt_uri[i] = librdf_new_uri(Q.world, (const unsigned char *)dt);
			return Q.dt_uri[i];
		}
	}
	return NULL;
}

static librdf_node *node_of(const struct pt_term *t)
{
	switch (t->kind) {
	case PT_TERM_IRI:
		return librdf_new_node_from_counted_uri_string(Q.world, (const unsigned char *)t->s,
							       t->len);
	case PT_TERM_BLANK:
		return librdf_new_node_from_counted_blank_identifier(Q.world,
								     (const unsigned char *)t->s,
								     t->len);
	default:
		return librdf_new_node_from_typed_counted_literal(Q.world, (const unsigned char *)t->s,
								  t->len, NULL, 0,
								  t->dt ? dt_uri(t->dt) : NULL);
	}
}

static int add_triple(void *ctx, const struct pt_term *s, const struct pt_term *p,
		      const struct pt_term *o)
{
	librdf_node *ns = node_of(s), *np = node_of(p), *no = node_of(o);
	librdf_statement *st;
	int r;

	(void)ctx;
	if (!ns || !np || !no) {
		if (ns)
			librdf_free_node(ns);
		if (np)
			librdf_free_node(np);
		if (no)
			librdf_free_node(no);
		return ENOMEM;
	}
	st = librdf_new_statement_from_nodes(Q.world, ns, np, no);
	if (!st)
		return ENOMEM;
	r = librdf_model_add_statement(Q.model, st);
	librdf_free_statement(st);
	Q.loaded++;
	return r ? EIO : 0;
}

/* ---- loading an RDF file */

static const char *parser_for(const char *path)
{
	static const struct { const char *ext, *parser; } exts[] = {
		{ ".ttl", "turtle" }, { ".turtle", "turtle" }, { ".nt", "ntriples" },
		{ ".nq", "nquads" }, { ".trig", "trig" }, { ".json", "json" }, { ".rj", "json" },
		{ ".rdf", "rdfxml" }, { ".owl", "rdfxml" }, { ".xml", "rdfxml" },
	};
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		size_t k = strlen(exts[i].ext);
		if (n > k && strcasecmp(path + n - k, exts[i].ext) == 0)
			return exts[i].parser;
	}
	return "guess";
}

static int load_file(const char *path)
{
	librdf_parser *p = librdf_new_parser(Q.world, parser_for(path), NULL, NULL);
	librdf_uri *uri = librdf_new_uri_from_filename(Q.world, path);
	int r = 1;

	if (p && uri)
		r = librdf_parser_parse_into_model(p, uri, uri, Q.model);
	if (uri)
		librdf_free_uri(uri);
	if (p)
		librdf_free_parser(p);
	return r;
}

/* ---- the query text */

static int read_file(const char *path, struct pt_buf *b)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	char chunk[4096];
	size_t n;

	if (!f)
		return errno;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		pt_buf_put(b, chunk, n);
	int r = ferror(f) ? EIO : 0;
	if (f != stdin)
		fclose(f);
	pt_buf_cstr(b);
	return r;
}

/* Does the query declare `name:`?  (PREFIX is case-insensitive in SPARQL.) */
static int declares(const char *q, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = q; (p = strcasestr(p, "prefix")); p += 6) {
		const char *s = p + 6;
		if (p > q && (p[-1] == '_' || p[-1] == ':' || (p[-1] >= 'a' && p[-1] <= 'z') ||
			      (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9')))
			continue;
		while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
			s++;
		if (strncmp(s, name, n) == 0 && s[n] == ':')
			return 1;
	}
	return 0;
}

/* ---- results */

static void node_nt(struct pt_buf *b, librdf_node *n)
{
	size_t len;
	const unsigned char *s;

	if (librdf_node_is_resource(n)) {
		s = librdf_uri_as_counted_string(librdf_node_get_uri(n), &len);
		struct pt_term t = { PT_TERM_IRI, (const char *)s, len, NULL };
		pt_term_nt(b, &t);
	} else if (librdf_node_is_blank(n)) {
		s = librdf_node_get_counted_blank_identifier(n, &len);
		struct pt_term t = { PT_TERM_BLANK, (const char *)s, len, NULL };
		pt_term_nt(b, &t);
	} else {
		s = librdf_node_get_literal_value_as_counted_string(n, &len);
		const char *lang = librdf_node_get_literal_value_language(n);
		librdf_uri *dt = librdf_node_get_literal_value_datatype_uri(n);
		pt_buf_putc(b, '"');
		pt_lit_escape(b, s, len);
		pt_buf_putc(b, '"');
		if (lang) {
			pt_buf_putc(b, '@');
			pt_buf_puts(b, lang);
		} else if (dt) {
			pt_buf_put(b, "^^<", 3);
			pt_buf_puts(b, (const char *)librdf_uri_as_string(dt));
			pt_buf_putc(b, '>');
		}
	}
}

static int write_graph(librdf_query_results *res)
{
	librdf_stream *st = librdf_query_results_as_stream(res);
	struct pt_buf line = { 0 };
	int r = 0;

	if (!st)
		return EIO;
	while (!librdf_stream_end(st)) {
		librdf_statement *s = librdf_stream_get_object(st);
		line.len = 0;
		node_nt(&line, librdf_statement_get_subject(s));
		pt_buf_putc(&line, ' ');
		node_nt(&line, librdf_statement_get_predicate(s));
		pt_buf_putc(&line, ' ');
		node_nt(&line, librdf_statement_get_object(s));
		pt_buf_put(&line, " .\n", 3);
		if (fwrite(line.p, 1, line.len, stdout) != line.len) {
			r = EIO;
			break;
		}
		librdf_stream_next(st);
	}
	librdf_free_stream(st);
	pt_buf_free(&line);
	return r;
}

/* A result format rasqal can write (librdf_query_results_formats_check() refuses csv). */
static int result_format(const char *fmt)
{
	rasqal_world *rw = librdf_world_get_rasqal(Q.world);
	const raptor_syntax_description *d;

	if (strcmp(fmt, "ntriples") == 0)
		return 1;
	for (unsigned i = 0; rw && (d = rasqal_world_get_query_results_format_description(rw, i)); i++) {
		if (!(d->flags & RASQAL_QUERY_RESULTS_FORMAT_FLAG_WRITER))
			continue;
		for (unsigned k = 0; k < d->names_count; k++)
			if (strcmp(d->names[k], fmt) == 0)
				return 1;
	}
	return 0;
}

/* ---- a remote store (--endpoint): the SPARQL 1.1 Protocol, the same result formats */

#ifdef PT_HAVE_CURL
static int nt_of_raptor(struct pt_buf *b, raptor_term *t)
{
	size_t len;
	const unsigned char *s;

	switch (t->type) {
	case RAPTOR_TERM_TYPE_URI: {
		s = raptor_uri_as_counted_string(t->value.uri, &len);
		struct pt_term pt = { PT_TERM_IRI, (const char *)s, len, NULL };
		pt_term_nt(b, &pt);
		return 0;
	}
	case RAPTOR_TERM_TYPE_BLANK: {
		struct pt_term pt = { PT_TERM_BLANK, (const char *)t->value.blank.string,
				      t->value.blank.string_len, NULL };
		pt_term_nt(b, &pt);
		return 0;
	}
	case RAPTOR_TERM_TYPE_LITERAL:
		pt_buf_putc(b, '"');
		pt_lit_escape(b, t->value.literal.string, t->value.literal.string_len);
		pt_buf_putc(b, '"');
		if (t->value.literal.language) {
			pt_buf_putc(b, '@');
			pt_buf_puts(b, (const char *)t->value.literal.language);
		} else if (t->value.literal.datatype) {
			pt_buf_put(b, "^^<", 3);
			pt_buf_puts(b, (const char *)raptor_uri_as_string(t->value.literal.datatype));
			pt_buf_putc(b, '>');
		}
		return 0;
	default:
		return -1;
	}
}

struct graph_out {
	struct pt_buf line;
	int err;
};

static void graph_statement(void *ud, raptor_statement *st)
{
	struct graph_out *g = ud;

	g->line.len = 0;
	nt_of_raptor(&g->line, st->subject);
	pt_buf_putc(&g->line, ' ');
	nt_of_raptor(&g->line, st->predicate);
	pt_buf_putc(&g->line, ' ');
	nt_of_raptor(&g->line, st->object);
	pt_buf_put(&g->line, " .\n", 3);
	if (fwrite(g->line.p, 1, g->line.len, stdout) != g->line.len)
		g->err = EIO;
}

/* A graph answer (N-Triples or Turtle), written as the local query writes one. */
static int remote_graph(const struct pt_buf *body, const char *ctype)
{
	raptor_world *rw = librdf_world_get_raptor(Q.world);
	raptor_parser *p = raptor_new_parser(rw, strstr(ctype, "turtle") ? "turtle" : "ntriples");
	raptor_uri *base = raptor_new_uri(rw, (const unsigned char *)"urn:provtrace:query");
	struct graph_out g = { { 0 }, 0 };
	int r = EIO;

	if (p && base) {
		raptor_parser_set_statement_handler(p, &g, graph_statement);
		if (raptor_parser_parse_start(p, base) == 0 &&
		    raptor_parser_parse_chunk(p, (const unsigned char *)body->p, body->len, 1) == 0)
			r = g.err;
	}
	if (p)
		raptor_free_parser(p);
	if (base)
		raptor_free_uri(base);
	pt_buf_free(&g.line);
	return r;
}

/* SPARQL XML results read by rasqal, written by rasqal in `fmt`. */
static int remote_results(const struct pt_buf *body, const char *fmt)
{
	rasqal_world *qw = librdf_world_get_rasqal(Q.world);
	raptor_world *rw = librdf_world_get_raptor(Q.world);
	int boolean = memmem(body->p, body->len, "<boolean>", 9) != NULL;
	rasqal_query_results *res = rasqal_new_query_results2(qw, NULL,
		boolean ? RASQAL_QUERY_RESULTS_BOOLEAN : RASQAL_QUERY_RESULTS_BINDINGS);
	rasqal_query_results_formatter *rf = rasqal_new_query_results_formatter(qw, "xml", NULL, NULL);
	raptor_iostream *in = raptor_new_iostream_from_string(rw, body->p, body->len);
	raptor_iostream *out = NULL;
	raptor_uri *base = raptor_new_uri(rw, (const unsigned char *)"urn:provtrace:query");
	int r = EIO;

	if (!res || !rf || !in || !base || rasqal_query_results_formatter_read(qw, in, rf, res, base))
		goto out;
	if (boolean && (!strcmp(fmt, "csv") || !strcmp(fmt, "tsv") || !strcmp(fmt, "table"))) {
		/* as the local query: rasqal writes booleans only as JSON or XML */
		r = printf("%s\n", rasqal_query_results_get_boolean(res) > 0 ? "true" : "false") < 0;
		goto out;
	}
	if (!(out = raptor_new_iostream_to_file_handle(rw, stdout)))
		goto out;
	r = rasqal_query_results_write(out, res, fmt, NULL, NULL, NULL) ? EIO : 0;
out:
	if (base)
		raptor_free_uri(base);
	if (out)
		raptor_free_iostream(out);
	if (in)
		raptor_free_iostream(in);
	if (rf)
		rasqal_free_query_results_formatter(rf);
	if (res)
		rasqal_free_query_results(res);
	return r;
}

static int remote_query(const char *url, const char *cred, const char *query, const char *fmt)
{
	pt_remote *rm = NULL;
	struct pt_buf body = { 0 };
	char err[512], ctype[128] = "";
	int r, rc = 1;

	if (pt_remote_open(cred, &rm, err, sizeof err)) {
		fprintf(stderr, "provtrace query: %s\n", err);
		return 1;
	}
	r = pt_remote_sparql(rm, url, "query", query, "application/sparql-results+xml", &body,
			     NULL, ctype);
	if (r && pt_remote_status(rm) == 406) {
		/* a CONSTRUCT or DESCRIBE: Virtuoso offers N-Triples as text/plain */
		body.len = 0;
		r = pt_remote_sparql(rm, url, "query", query,
				     "application/n-triples, text/plain;q=0.9", &body, NULL, ctype);
	}
	if (r) {
		fprintf(stderr, "provtrace query: %s\n", pt_remote_error(rm));
		goto out;
	}
	if (strstr(ctype, "sparql-results+xml"))
		r = remote_results(&body, fmt);
	else if (strstr(ctype, "text/plain") || strstr(ctype, "n-triples") || strstr(ctype, "turtle"))
		r = remote_graph(&body, ctype);
	else {
		fprintf(stderr, "provtrace query: %s: an answer of type '%s', not SPARQL results\n",
			url, ctype);
		goto out;
	}
	if (r || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "provtrace query: %s: cannot read or write the results\n", url);
		goto out;
	}
	rc = 0;
out:
	pt_buf_free(&body);
	pt_remote_close(rm);
	return rc;
}
#endif

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace query [-r FORMAT] [-q] (-e QUERY | -f FILE.rq | FILE.rq) "
		   "RUNDIR|STORE|FILE\n"
		   "       provtrace query --endpoint URL [--credentials FILE] [-r FORMAT] "
		   "(-e QUERY | -f FILE.rq)\n"
		   "       options of provtrace export for a run: --rules FILE, --no-rules, "
		   "--base IRI,\n"
		   "       --all, --max-sources N\n"
		   "       FORMAT: csv (default), tsv, json, xml, html, turtle, table; graphs: "
		   "ntriples\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "execute", required_argument, 0, 'e' }, { "file", required_argument, 0, 'f' },
		{ "results", required_argument, 0, 'r' }, { "language", required_argument, 0, 'i' },
		{ "rules", required_argument, 0, 'R' }, { "no-rules", no_argument, 0, 'N' },
		{ "base", required_argument, 0, 'b' }, { "all", no_argument, 0, 'a' },
		{ "max-sources", required_argument, 0, 'm' }, { "no-prefixes", no_argument, 0, 'P' },
		{ "quiet", no_argument, 0, 'q' }, { "help", no_argument, 0, 'h' },
		{ "endpoint", required_argument, 0, 'E' }, { "credentials", required_argument, 0, 'C' },
		{ 0 }
	};
	static const char *const std_prefixes[][2] = {
		{ "rdf", PT_NS_RDF }, { "rdfs", PT_NS_RDFS }, { "xsd", PT_NS_XSD },
		{ "prov", PT_NS_PROV }, { "pt", PT_NS_PT }, { "mls", PT_NS_MLS },
	};
	struct pt_prov_opts po = { 0 };
	struct pt_buf query = { 0 }, text = { 0 };
	const char *expr = NULL, *qfile = NULL, *fmt = "csv", *lang = "sparql", *data;
	const char *rules_path = NULL, *used, *endpoint = NULL, *cred = NULL;
	char err[512];
	int c, no_rules = 0, no_prefixes = 0, r, rc = 1;
	pt_rules *rules = NULL;
	pt_prov *pv = NULL;
	librdf_storage *storage = NULL;
	librdf_query *q = NULL;
	librdf_query_results *res = NULL;
	struct stat sb;

	po.max_sources = PT_PROV_MAX_SOURCES;
	while ((c = getopt_long(argc, argv, "e:f:r:i:R:Nb:am:PqhE:", opts, NULL)) != -1) {
		switch (c) {
		case 'e': expr = optarg; break;
		case 'f': qfile = optarg; break;
		case 'r': fmt = optarg; break;
		case 'i': lang = optarg; break;
		case 'R': rules_path = optarg; break;
		case 'N': no_rules = 1; break;
		case 'b': po.base = optarg; break;
		case 'a': po.all_sources = 1; break;
		case 'm': po.max_sources = strtoull(optarg, NULL, 10); break;
		case 'P': no_prefixes = 1; break;
		case 'q': Q.quiet = 1; pt_progress_quiet(1); break;
		case 'E': endpoint = optarg; break;
		case 'C': cred = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!expr && !qfile && optind + 2 - !!endpoint == argc)
		qfile = argv[optind++];
	if ((expr && qfile) || (!expr && !qfile) || optind + 1 - !!endpoint != argc) {
		usage(stderr);
		return 2;
	}
#ifndef PT_HAVE_CURL
	if (endpoint) {
		fputs("provtrace query: --endpoint: built without libcurl (install "
		      "libcurl4-gnutls-dev and rebuild)\n", stderr);
		return 2;
	}
	(void)cred;
#endif
	data = endpoint ? NULL : argv[optind];
	if (expr) {
		pt_buf_puts(&text, expr);
		pt_buf_cstr(&text);
	} else if ((r = read_file(qfile, &text))) {
		fprintf(stderr, "provtrace query: %s: %s\n", qfile, strerror(r));
		return 1;
	}
	/* the project's prefixes, on the query's first line so that line numbers hold */
	for (size_t i = 0; !no_prefixes && i < sizeof std_prefixes / sizeof std_prefixes[0]; i++) {
		if (declares(text.p, std_prefixes[i][0]))
			continue;
		pt_buf_puts(&query, "PREFIX ");
		pt_buf_puts(&query, std_prefixes[i][0]);
		pt_buf_puts(&query, ": <");
		pt_buf_puts(&query, std_prefixes[i][1]);
		pt_buf_puts(&query, "> ");
	}
	pt_buf_put(&query, text.p, text.len);
	pt_buf_cstr(&query);

	Q.world = librdf_new_world();
	if (!Q.world) {
		fputs("provtrace query: cannot start librdf\n", stderr);
		return 1;
	}
	librdf_world_open(Q.world);
	librdf_world_set_logger(Q.world, NULL, logger);
	if (!result_format(fmt)) {
		fprintf(stderr, "provtrace query: unknown result format '%s'\n", fmt);
		rc = 2;
		goto out;
	}
#ifdef PT_HAVE_CURL
	if (endpoint) {
		rc = remote_query(endpoint, cred, query.p, fmt);
		goto out;
	}
#endif
	/* contexts only for a file that names graphs (N-Quads, TriG: librdf's parser loses
	 * their graph terms in a store without them): librdf's hashes storage with contexts
	 * answers each triple pattern by walking every statement (a three-pattern join over
	 * 16,000 triples: 131 s with them, 0.2 s without).  (Its predicate index would
	 * serve ?s p ?o, but its triple matcher then leaks a term per pattern.) */
	const char *dp = parser_for(data);
	int named = !strcmp(dp, "nquads") || !strcmp(dp, "trig");
	storage = librdf_new_storage(Q.world, "hashes", NULL,
				     named ? "hash-type='memory',contexts='yes'" : "hash-type='memory'");
	if (!storage || !(Q.model = librdf_new_model(Q.world, storage, NULL))) {
		fputs("provtrace query: cannot create an in-memory librdf store\n", stderr);
		goto out;
	}

	if (stat(data, &sb) < 0) {
		fprintf(stderr, "provtrace query: %s: %s\n", data, strerror(errno));
		goto out;
	}
	size_t dn = strlen(data);
	if (S_ISDIR(sb.st_mode) || (dn > 4 && strcmp(data + dn - 4, ".mdb") == 0)) {
		if (no_rules)
			rules = pt_rules_empty();
		else if (rules_path)
			pt_rules_load(rules_path, &rules, err, sizeof err);
		else
			pt_rules_default(PT_PKGDATADIR, &rules, &used, err, sizeof err);
		if (!rules) {
			fprintf(stderr, "provtrace query: %s\n", err);
			goto out;
		}
		po.rules = rules;
		pt_extract_tool("provtrace query", data, rules, NULL);
		if ((r = pt_prov_open(data, &po, &pv)) || (r = pt_prov_emit(pv, add_triple, NULL))) {
			fprintf(stderr, "provtrace query: %s: %s\n", data,
				r == ENOENT && access(data, F_OK) == 0 ?
				"no node store in this run directory" : pt_strerror(r));
			goto out;
		}
	} else if (load_file(data)) {
		fprintf(stderr, "provtrace query: %s: cannot parse this RDF file\n", data);
		goto out;
	}

	q = librdf_new_query(Q.world, lang, NULL, (const unsigned char *)query.p, NULL);
	if (!q) {
		fprintf(stderr, "provtrace query: the query does not parse\n");
		goto out;
	}
	res = librdf_model_query_execute(Q.model, q);
	if (!res) {
		fprintf(stderr, "provtrace query: the query failed (rasqal has no property paths, "
				"EXISTS or working VALUES: see provtrace-query(1))\n");
		goto out;
	}
	if (librdf_query_results_is_graph(res))
		r = write_graph(res);
	else if (librdf_query_results_is_boolean(res) &&
		 (!strcmp(fmt, "csv") || !strcmp(fmt, "tsv") || !strcmp(fmt, "table")))
		/* rasqal writes booleans only as JSON or XML */
		r = printf("%s\n", librdf_query_results_get_boolean(res) > 0 ? "true" : "false") < 0;
	else
		r = librdf_query_results_to_file_handle2(res, stdout, fmt, NULL, NULL, NULL) ? EIO : 0;
	if (r || fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "provtrace query: cannot write the results\n");
		goto out;
	}
	rc = 0;
out:
	if (res)
		librdf_free_query_results(res);
	if (q)
		librdf_free_query(q);
	if (Q.model)
		librdf_free_model(Q.model);
	if (storage)
		librdf_free_storage(storage);
	for (size_t i = 0; i < 8; i++)
		if (Q.dt_uri[i])
			librdf_free_uri(Q.dt_uri[i]);
	if (Q.world)
		librdf_free_world(Q.world);
	pt_prov_close(pv);
	pt_rules_free(rules);
	pt_buf_free(&query);
	pt_buf_free(&text);
	return rc;
}
