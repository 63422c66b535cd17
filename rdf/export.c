/* export.c — provtrace-export (`provtrace export`): the PROV-O of every node store of a
 * run, written as Turtle, N-Triples, N-Quads (one named graph per run) or RDF/JSON.
 *
 * The three line formats are written here, streaming, as the producer hands out triples:
 * raptor's Turtle serializer buffers the whole graph and mangles IRIs (RELIABILITY.md
 * case 25).  RDF/JSON groups by subject, so it goes through raptor's "json" serializer,
 * which holds the graph: fine for a run that fits in memory, documented as such. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <raptor2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "iri.h"
#include "collector/progress.h"
#include "prov.h"
#include "rocrate.h"
#include "rules.h"
#include "extract.h"

#ifndef PT_PKGDATADIR
#define PT_PKGDATADIR "/usr/local/share/provtrace"
#endif

enum { F_TURTLE, F_NTRIPLES, F_NQUADS, F_RDFJSON };

static const struct {
	const char *name;
	int fmt;
} formats[] = {
	{ "turtle", F_TURTLE }, { "ttl", F_TURTLE }, { "ntriples", F_NTRIPLES },
	{ "nt", F_NTRIPLES }, { "nquads", F_NQUADS }, { "nq", F_NQUADS },
	{ "rdfjson", F_RDFJSON }, { "json", F_RDFJSON },
};

struct prefix {
	const char *name, *iri;
	size_t len;
};

struct writer {
	FILE *out;
	int fmt;
	struct pt_buf line, s, p, o, last_s, last_p;
	int open;                   /* a Turtle statement is open */
	const char *graph;
	struct prefix pfx[64];
	size_t npfx;
	uint64_t triples;

	pt_prov *pv;
	int progress;
	struct pt_progress bar;

	raptor_world *rw;
	raptor_serializer *rser;
	raptor_uri *dt_cache[8];
	const char *dt_name[8];
};

/* ---- Turtle spelling */

static int pn_local(const char *s, size_t n)
{
	if (n == 0 || s[0] == '-' || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

static void ttl_iri(struct writer *w, struct pt_buf *b, const char *iri, size_t n)
{
	for (size_t i = 0; i < w->npfx; i++) {
		size_t k = w->pfx[i].len;
		if (n > k && memcmp(iri, w->pfx[i].iri, k) == 0 && pn_local(iri + k, n - k)) {
			pt_buf_puts(b, w->pfx[i].name);
			pt_buf_putc(b, ':');
			pt_buf_put(b, iri + k, n - k);
			return;
		}
	}
	pt_buf_putc(b, '<');
	pt_buf_put(b, iri, n);
	pt_buf_putc(b, '>');
}

static int integer_lex(const char *s, size_t n)
{
	size_t i = s[0] == '-' ? 1 : 0;

	if (i >= n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void ttl_term(struct writer *w, struct pt_buf *b, const struct pt_term *t)
{
	b->len = 0;
	if (t->kind == PT_TERM_IRI) {
		ttl_iri(w, b, t->s, t->len);
		return;
	}
	if (t->kind == PT_TERM_LITERAL && t->dt) {
		if ((!strcmp(t->dt, PT_DT_INTEGER) && integer_lex(t->s, t->len)) ||
		    (!strcmp(t->dt, PT_DT_BOOLEAN) &&
		     ((t->len == 4 && !memcmp(t->s, "true", 4)) ||
		      (t->len == 5 && !memcmp(t->s, "false", 5))))) {
			pt_buf_put(b, t->s, t->len);
			return;
		}
		pt_buf_putc(b, '"');
		pt_lit_escape(b, t->s, t->len);
		pt_buf_put(b, "\"^^", 3);
		ttl_iri(w, b, t->dt, strlen(t->dt));
		return;
	}
	pt_term_nt(b, t);
}

/* ---- RDF/JSON through raptor */

static raptor_uri *dt_uri(struct writer *w, const char *dt)
{
	for (size_t i = 0; i < 8; i++) {
		if (w->dt_name[i] == dt)
			return w->dt_cache[i];
		if (!w->dt_name[i]) {
			w->dt_name[i] = dt;
			w->dt_cache[i] = raptor_new_uri(w->rw, (const unsigned char *)dt);
			return w->dt_cache[i];
		}
	}
	return raptor_new_uri(w->rw, (const unsigned char *)dt);   /* not expected */
}

static raptor_term *raptor_of(struct writer *w, const struct pt_term *t)
{
	switch (t->kind) {
	case PT_TERM_IRI:
		return raptor_new_term_from_counted_uri_string(w->rw, (const unsigned char *)t->s,
							       t->len);
	case PT_TERM_BLANK:
		return raptor_new_term_from_counted_blank(w->rw, (const unsigned char *)t->s, t->len);
	default:
		return raptor_new_term_from_counted_literal(w->rw, (const unsigned char *)t->s,
							    t->len, t->dt ? dt_uri(w, t->dt) : NULL,
							    NULL, 0);
	}
}

/* ---- progress on a terminal */

static void progress(struct writer *w, int final)
{
	struct pt_prov_progress p;

	if (!w->bar.on)
		return;
	pt_prov_progress(w->pv, &p);
	if (p.total)
		snprintf(w->bar.what, sizeof w->bar.what, "provtrace export: %s %llu/%llu,", p.phase,
			 (unsigned long long)p.done, (unsigned long long)p.total);
	else
		snprintf(w->bar.what, sizeof w->bar.what, "provtrace export: %s %llu,", p.phase,
			 (unsigned long long)p.done);
	pt_progress_set(&w->bar, w->triples, 0);
	if (final)
		pt_progress_end(&w->bar);
}

/* ---- the triple callback */

static int put_triple(void *ctx, const struct pt_term *s, const struct pt_term *p,
		      const struct pt_term *o)
{
	struct writer *w = ctx;
	struct pt_buf *L = &w->line;

	if ((++w->triples & 0xffff) == 0)
		progress(w, 0);
	L->len = 0;
	switch (w->fmt) {
	case F_NTRIPLES:
	case F_NQUADS:
		pt_term_nt(L, s);
		pt_buf_putc(L, ' ');
		pt_term_nt(L, p);
		pt_buf_putc(L, ' ');
		pt_term_nt(L, o);
		if (w->fmt == F_NQUADS) {
			pt_buf_put(L, " <", 2);
			pt_buf_puts(L, w->graph);
			pt_buf_putc(L, '>');
		}
		pt_buf_put(L, " .\n", 3);
		break;
	case F_TURTLE:
		ttl_term(w, &w->s, s);
		if (p->len == sizeof PT_NS_RDF "type" - 1 && !memcmp(p->s, PT_NS_RDF "type", p->len)) {
			w->p.len = 0;
			pt_buf_putc(&w->p, 'a');
		} else {
			ttl_term(w, &w->p, p);
		}
		ttl_term(w, &w->o, o);
		if (w->open && w->s.len == w->last_s.len && !memcmp(w->s.p, w->last_s.p, w->s.len)) {
			if (w->p.len == w->last_p.len && !memcmp(w->p.p, w->last_p.p, w->p.len)) {
				pt_buf_put(L, ",\n\t\t", 4);
			} else {
				pt_buf_put(L, " ;\n\t", 4);
				pt_buf_put(L, w->p.p, w->p.len);
				pt_buf_putc(L, ' ');
			}
		} else {
			if (w->open)
				pt_buf_put(L, " .\n\n", 4);
			pt_buf_put(L, w->s.p, w->s.len);
			pt_buf_putc(L, ' ');
			pt_buf_put(L, w->p.p, w->p.len);
			pt_buf_putc(L, ' ');
			w->last_s.len = 0;
			pt_buf_put(&w->last_s, w->s.p, w->s.len);
		}
		w->last_p.len = 0;
		pt_buf_put(&w->last_p, w->p.p, w->p.len);
		pt_buf_put(L, w->o.p, w->o.len);
		w->open = 1;
		break;
	case F_RDFJSON: {
		raptor_statement *st = raptor_new_statement_from_nodes(
			w->rw, raptor_of(w, s), raptor_of(w, p), raptor_of(w, o), NULL);
		int r = st ? raptor_serializer_serialize_statement(w->rser, st) : ENOMEM;
		raptor_free_statement(st);
		return r ? EIO : 0;
	}
	}
	if (fwrite(L->p, 1, L->len, w->out) != L->len)
		return errno ? errno : EIO;
	return 0;
}

/* ---- main */

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace export [-f turtle|ntriples|nquads|rdfjson] [-o FILE]\n"
		   "                        [--rules FILE | --no-rules] [--base IRI] [--all]\n"
		   "                        [--max-sources N] [-q] RUNDIR|STORE\n"
		   "       provtrace export -f rocrate -o DIR RUNDIR\n");
}

static int format_of(const char *name, int *fmt)
{
	for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
		if (strcmp(formats[i].name, name) == 0) {
			*fmt = formats[i].fmt;
			return 0;
		}
	}
	return -1;
}

/* A format from the output file's extension, when -f is not given. */
static int format_of_file(const char *path)
{
	static const struct { const char *ext; int fmt; } exts[] = {
		{ ".ttl", F_TURTLE }, { ".nt", F_NTRIPLES }, { ".nq", F_NQUADS },
		{ ".json", F_RDFJSON }, { ".rj", F_RDFJSON },
	};
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		size_t k = strlen(exts[i].ext);
		if (n > k && strcmp(path + n - k, exts[i].ext) == 0)
			return exts[i].fmt;
	}
	return F_TURTLE;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, 0, 'f' }, { "output", required_argument, 0, 'o' },
		{ "rules", required_argument, 0, 'r' }, { "no-rules", no_argument, 0, 'R' },
		{ "base", required_argument, 0, 'b' }, { "all", no_argument, 0, 'a' },
		{ "max-sources", required_argument, 0, 'm' }, { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' }, { 0 }
	};
	struct pt_prov_opts po = { 0 };
	struct writer w = { 0 };
	const char *outpath = NULL, *rules_path = NULL, *used = NULL;
	char *tmppath = NULL;
	char err[512];
	int c, fmt = -1, no_rules = 0, quiet = 0, r = 0, rc = 1, rocrate = 0;
	pt_rules *rules = NULL;
	pt_prov *pv = NULL;

	po.max_sources = PT_PROV_MAX_SOURCES;
	/* the cache budget changes speed and memory, never the output (the tests check) */
	if (pt_prov_cache_env(&po, "provtrace export"))
		return 2;
	while ((c = getopt_long(argc, argv, "f:o:r:Rb:am:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "rocrate")) {
				rocrate = 1;
				break;
			}
			if (format_of(optarg, &fmt)) {
				fprintf(stderr, "provtrace export: unknown format '%s' (turtle, ntriples, "
						"nquads, rdfjson, rocrate)\n", optarg);
				return 2;
			}
			break;
		case 'o': outpath = optarg; break;
		case 'r': rules_path = optarg; break;
		case 'R': no_rules = 1; break;
		case 'b': po.base = optarg; break;
		case 'a': po.all_sources = 1; break;
		case 'm': {
			char *end;
			errno = 0;
			po.max_sources = strtoull(optarg, &end, 10);
			if (errno || *end || !*optarg) {
				fprintf(stderr, "provtrace export: --max-sources: not a number: %s\n", optarg);
				return 2;
			}
			break;
		}
		case 'q': quiet = 1; pt_progress_quiet(1); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (rocrate) {
		/* a directory, not a stream: the RDF options do not apply */
		if (!outpath || !strcmp(outpath, "-")) {
			fputs("provtrace export: -f rocrate needs -o DIR (the crate's directory)\n",
			      stderr);
			return 2;
		}
		if (pt_rocrate_write(argv[optind], outpath, err, sizeof err)) {
			fprintf(stderr, "provtrace export: %s\n", err);
			return 1;
		}
		return 0;
	}
	if (po.base && !pt_iri_ok(po.base, strlen(po.base))) {
		fprintf(stderr, "provtrace export: --base: not an absolute IRI: %s\n", po.base);
		return 2;
	}
	if (fmt < 0)
		fmt = outpath && strcmp(outpath, "-") ? format_of_file(outpath) : F_TURTLE;

	if (no_rules)
		rules = pt_rules_empty();
	else if (rules_path)
		r = pt_rules_load(rules_path, &rules, err, sizeof err);
	else
		r = pt_rules_default(PT_PKGDATADIR, &rules, &used, err, sizeof err);
	if (!rules) {
		fprintf(stderr, "provtrace export: %s\n", err);
		return 1;
	}
	po.rules = rules;

	pt_extract_tool("provtrace export", argv[optind], rules, NULL);
	if ((r = pt_prov_open(argv[optind], &po, &pv))) {
		fprintf(stderr, "provtrace export: %s: %s\n", argv[optind],
			r == ENOENT && access(argv[optind], F_OK) == 0 ?
			"no node store in this run directory" : pt_strerror(r));
		goto out;
	}

	w.out = stdout;
	struct stat osb;
	if (outpath && strcmp(outpath, "-") && stat(outpath, &osb) == 0 && !S_ISREG(osb.st_mode)) {
		/* a device or a pipe (-o /dev/null): written as is */
		if (!(w.out = fopen(outpath, "w"))) {
			fprintf(stderr, "provtrace export: %s: %s\n", outpath, strerror(errno));
			goto out;
		}
	} else if (outpath && strcmp(outpath, "-")) {
		/* written next to the target and renamed: never a half-written file */
		size_t n = strlen(outpath) + 16;
		tmppath = malloc(n);
		if (!tmppath)
			abort();
		snprintf(tmppath, n, "%s.XXXXXX", outpath);
		int fd = mkstemp(tmppath);
		/* mkstemp creates 0600: give the file what open(2) would have */
		mode_t mask = umask(0);
		umask(mask);
		if (fd >= 0)
			fchmod(fd, 0666 & ~mask);
		if (fd < 0 || !(w.out = fdopen(fd, "w"))) {
			fprintf(stderr, "provtrace export: %s: %s\n", outpath, strerror(errno));
			free(tmppath);
			tmppath = NULL;
			goto out;
		}
	}
	setvbuf(w.out, NULL, _IOFBF, 1 << 20);
	w.fmt = fmt;
	w.graph = pt_prov_graph_iri(pv);
	w.pv = pv;
	w.progress = !quiet && isatty(2);
	pt_progress_start(&w.bar, "provtrace export:", "triples", 0);

	const char *name, *iri;
	for (size_t i = 0; pt_prov_prefix(pv, i, &name, &iri) && w.npfx < 64; i++)
		w.pfx[w.npfx++] = (struct prefix){ name, iri, strlen(iri) };
	if (fmt == F_TURTLE) {
		for (size_t i = 0; i < w.npfx; i++)
			fprintf(w.out, "@prefix %s: <%s> .\n", w.pfx[i].name, w.pfx[i].iri);
		fputc('\n', w.out);
	} else if (fmt == F_RDFJSON) {
		w.rw = raptor_new_world();
		if (!w.rw || raptor_world_open(w.rw) ||
		    !(w.rser = raptor_new_serializer(w.rw, "json")) ||
		    raptor_serializer_start_to_file_handle(w.rser, NULL, w.out)) {
			fprintf(stderr, "provtrace export: raptor's RDF/JSON serializer is not available\n");
			goto out;
		}
	}

	r = pt_prov_emit(pv, put_triple, &w);
	if (fmt == F_TURTLE && w.open && !r)
		fputs(" .\n", w.out);
	if (fmt == F_RDFJSON && !r)
		r = raptor_serializer_serialize_end(w.rser) ? EIO : 0;
	progress(&w, 1);
	if (r) {
		fprintf(stderr, "provtrace export: %s: %s\n", argv[optind], pt_strerror(r));
		goto out;
	}
	if (fflush(w.out) || ferror(w.out)) {
		fprintf(stderr, "provtrace export: %s: %s\n", outpath ? outpath : "stdout",
			strerror(errno ? errno : EIO));
		goto out;
	}
	if (w.out != stdout && !tmppath) {
		int bad = fclose(w.out);
		w.out = NULL;
		if (bad) {
			fprintf(stderr, "provtrace export: %s: %s\n", outpath, strerror(errno));
			goto out;
		}
	}
	if (tmppath) {
		if (fclose(w.out)) {
			w.out = NULL;
			fprintf(stderr, "provtrace export: %s: %s\n", outpath, strerror(errno));
			goto out;
		}
		w.out = NULL;
		if (rename(tmppath, outpath)) {
			fprintf(stderr, "provtrace export: %s: %s\n", outpath, strerror(errno));
			goto out;
		}
		free(tmppath);
		tmppath = NULL;
	}
	if (!quiet && w.progress)
		fprintf(stderr, "provtrace export: %llu triples%s%s\n", (unsigned long long)w.triples,
			used ? ", rules from " : "", used ? used : "");
	const char *debug = getenv("PROVTRACE_DEBUG");
	if (debug && *debug && strcmp(debug, "0")) {
		struct pt_prov_cache_stats cs;
		pt_prov_cache_stats(pv, &cs);
		fprintf(stderr, "provtrace export: caches: budget %zu bytes, at most %zu, %llu fills, "
			"%llu evictions\n", cs.budget, cs.peak, (unsigned long long)cs.fills,
			(unsigned long long)cs.evictions);
	}
	rc = 0;
out:
	if (tmppath) {
		if (w.out)
			fclose(w.out);
		unlink(tmppath);
		free(tmppath);
	}
	if (w.rser)
		raptor_free_serializer(w.rser);
	for (size_t i = 0; i < 8; i++)
		if (w.dt_cache[i])
			raptor_free_uri(w.dt_cache[i]);
	if (w.rw)
		raptor_free_world(w.rw);
	pt_buf_free(&w.line);
	pt_buf_free(&w.s);
	pt_buf_free(&w.p);
	pt_buf_free(&w.o);
	pt_buf_free(&w.last_s);
	pt_buf_free(&w.last_p);
	pt_prov_close(pv);
	pt_rules_free(rules);
	return rc;
}
