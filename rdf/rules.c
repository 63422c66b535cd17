/* rules.c — reading ML typing rules files and matching them (see rules.h).
 * Rules are few (tens); matching walks them all, in order, with fnmatch(3). */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iri.h"
#include "rules.h"

#define RULE_TERMS 16

struct rule {
	int kind;
	char *glob;
	size_t nterm;
	char *term[RULE_TERMS];
	int line;
};

struct prefix {
	char *name;    /* without the colon */
	char *iri;
};

struct pt_rules {
	struct rule *rule;
	size_t n, cap;
	struct prefix *pfx;
	size_t npfx, cappfx;
	size_t nbuiltin;
	char **role;
	size_t nrole;
};

static const struct { const char *name, *iri; } builtin[] = {
	{ "prov", PT_NS_PROV }, { "pt", PT_NS_PT }, { "mls", PT_NS_MLS },
	{ "xsd", PT_NS_XSD }, { "rdf", PT_NS_RDF }, { "rdfs", PT_NS_RDFS },
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		fputs("provtrace: out of memory\n", stderr);
		abort();
	}
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xrealloc(NULL, n), s, n);
}

static void add_prefix(pt_rules *r, const char *name, const char *iri)
{
	for (size_t i = 0; i < r->npfx; i++) {
		if (strcmp(r->pfx[i].name, name) == 0) {
			free(r->pfx[i].iri);
			r->pfx[i].iri = xstrdup(iri);
			return;
		}
	}
	if (r->npfx == r->cappfx) {
		r->cappfx = r->cappfx ? r->cappfx * 2 : 16;
		r->pfx = xrealloc(r->pfx, r->cappfx * sizeof *r->pfx);
	}
	r->pfx[r->npfx].name = xstrdup(name);
	r->pfx[r->npfx].iri = xstrdup(iri);
	r->npfx++;
}

pt_rules *pt_rules_empty(void)
{
	pt_rules *r = xrealloc(NULL, sizeof *r);

	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
		add_prefix(r, builtin[i].name, builtin[i].iri);
	r->nbuiltin = r->npfx;
	return r;
}

void pt_rules_free(pt_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		free(r->rule[i].glob);
		for (size_t k = 0; k < r->rule[i].nterm; k++)
			free(r->rule[i].term[k]);
	}
	for (size_t i = 0; i < r->npfx; i++) {
		free(r->pfx[i].name);
		free(r->pfx[i].iri);
	}
	free(r->rule);
	free(r->pfx);
	free(r->role);
	free(r);
}

/* ---- parsing */

struct lexer {
	const char *p;
	const char *file;
	int line;
	char *err;
	size_t errsz;
};

static int fail(struct lexer *lx, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(lx->err, lx->errsz, "%s:%d: ", lx->file, lx->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < lx->errsz)
		vsnprintf(lx->err + n, lx->errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return EINVAL;
}

/* Next word of the line into w; returns 1, 0 at the end of the line, -1 on error. */
static int word(struct lexer *lx, struct pt_buf *w)
{
	const char *p = lx->p;

	w->len = 0;
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (!*p || *p == '\n' || *p == '#') {
		lx->p = p;
		return 0;
	}
	if (*p == '"') {
		for (p++; *p != '"'; p++) {
			if (!*p || *p == '\n') {
				fail(lx, "unterminated quoted word");
				return -1;
			}
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			pt_buf_putc(w, *p);
		}
		p++;
	} else {
		while (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			pt_buf_putc(w, *p++);
	}
	pt_buf_cstr(w);
	lx->p = p;
	return 1;
}

/* Expand PREFIX:LOCAL or <IRI> to an absolute IRI. */
static int term(pt_rules *r, struct lexer *lx, const char *w, struct pt_buf *out)
{
	size_t n = strlen(w);

	out->len = 0;
	if (w[0] == '<') {
		if (n < 3 || w[n - 1] != '>' || !pt_iri_ok(w + 1, n - 2))
			return fail(lx, "not an absolute IRI: %s", w);
		pt_buf_put(out, w + 1, n - 2);
		pt_buf_cstr(out);
		return 0;
	}
	const char *colon = strchr(w, ':');
	if (!colon)
		return fail(lx, "term %s: write PREFIX:NAME or <IRI>", w);
	for (size_t i = 0; i < r->npfx; i++) {
		if (strlen(r->pfx[i].name) == (size_t)(colon - w) &&
		    memcmp(r->pfx[i].name, w, (size_t)(colon - w)) == 0) {
			pt_buf_puts(out, r->pfx[i].iri);
			pt_buf_puts(out, colon + 1);
			if (!pt_iri_ok(out->p, out->len))
				return fail(lx, "term %s is not a valid IRI", w);
			pt_buf_cstr(out);
			return 0;
		}
	}
	return fail(lx, "undeclared prefix in %s", w);
}

static const char *const extractors[] = {
	"json", "yaml", "toml", "ini", "csv", "tsv", "jsonl", "tfevents", "mlflow-metric",
	"mlflow-param", "describe",
};

int pt_rules_extractor_known(const char *name)
{
	for (size_t i = 0; i < sizeof extractors / sizeof extractors[0]; i++)
		if (strcmp(name, extractors[i]) == 0)
			return 1;
	return 0;
}

/* N, Nk, NM or NG; 0 when it is not one */
static unsigned long long limit_value(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > (1ull << 40))
		return 0;
	switch (*end) {
	case 'k': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	}
	return *end ? 0 : v;
}

/* extract: NAME then OPTION=VALUE words; hyper-*: nothing after the pattern */
static int raw_words(struct rule *ru, struct lexer *lx, struct pt_buf *w)
{
	static const char *const opts[] = { "max_bytes=", "max_ms=", "max_items=", "format=" };
	int k;

	while ((k = word(lx, w)) > 0) {
		if (ru->kind != PT_RULE_EXTRACT)
			return fail(lx, "%s: unexpected %s", ru->glob, w->p);
		if (ru->nterm == RULE_TERMS)
			return fail(lx, "more than %d words", RULE_TERMS);
		if (!ru->nterm && !pt_rules_extractor_known(w->p))
			return fail(lx, "extract %s: unknown extractor %s", ru->glob, w->p);
		if (ru->nterm) {
			size_t o;
			for (o = 0; o < sizeof opts / sizeof opts[0]; o++)
				if (strncmp(w->p, opts[o], strlen(opts[o])) == 0)
					break;
			if (o == sizeof opts / sizeof opts[0])
				return fail(lx, "extract %s: unknown option %s", ru->glob, w->p);
			if (o < 3 && !limit_value(w->p + strlen(opts[o])))
				return fail(lx, "extract %s: %s: expected a positive number", ru->glob,
					    w->p);
		}
		ru->term[ru->nterm++] = xstrdup(w->p);
	}
	if (k < 0)
		return EINVAL;
	if (ru->kind == PT_RULE_EXTRACT && !ru->nterm)
		return fail(lx, "extract %s: no extractor", ru->glob);
	return 0;
}

static int parse_line(pt_rules *r, struct lexer *lx, struct pt_buf *w, struct pt_buf *t)
{
	static const struct { const char *kw; int kind; } kws[] = {
		{ "path", PT_RULE_PATH }, { "exe", PT_RULE_EXE }, { "argv", PT_RULE_ARGV },
		{ "used", PT_RULE_USED }, { "generated", PT_RULE_GENERATED },
		{ "ignore", PT_RULE_IGNORE }, { "extract", PT_RULE_EXTRACT },
		{ "hyper-argv", PT_RULE_HYPER_ARGV }, { "hyper-env", PT_RULE_HYPER_ENV },
	};
	int k = word(lx, w), kind = 0;

	if (k <= 0)
		return k < 0 ? EINVAL : 0;
	if (strcmp(w->p, "prefix") == 0) {
		char name[256];
		if (word(lx, w) <= 0 || w->len < 1 || w->p[w->len - 1] != ':' || w->len > sizeof name)
			return fail(lx, "prefix: expected NAME:");
		memcpy(name, w->p, w->len - 1);
		name[w->len - 1] = 0;
		/* a Turtle PN_PREFIX, as the writers declare it */
		for (size_t i = 0; name[i]; i++) {
			char c = name[i];
			int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
			if (!(letter || (i && ((c >= '0' && c <= '9') || c == '_' || c == '-'))))
				return fail(lx, "prefix %s: a name is a letter, then letters, digits, _ or -",
					    name);
		}
		if (word(lx, w) <= 0 || w->len < 3 || w->p[0] != '<' || w->p[w->len - 1] != '>' ||
		    !pt_iri_ok(w->p + 1, w->len - 2))
			return fail(lx, "prefix %s: expected <IRI>", name);
		w->p[w->len - 1] = 0;
		/* the writers declare the built-in prefixes themselves: they cannot move */
		for (size_t i = 0; i < r->nbuiltin; i++)
			if (strcmp(r->pfx[i].name, name) == 0 && strcmp(r->pfx[i].iri, w->p + 1))
				return fail(lx, "prefix %s: is built in as <%s>", name, r->pfx[i].iri);
		add_prefix(r, name, w->p + 1);
		if (word(lx, w) != 0)
			return fail(lx, "prefix: unexpected %s", w->p);
		return 0;
	}
	for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
		if (strcmp(w->p, kws[i].kw) == 0)
			kind = kws[i].kind;
	if (!kind)
		return fail(lx, "unknown keyword %s", w->p);
	if ((k = word(lx, w)) <= 0)
		return k < 0 ? EINVAL : fail(lx, "%s: expected a pattern", kws[kind - 1].kw);

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->rule = xrealloc(r->rule, r->cap * sizeof *r->rule);
	}
	struct rule *ru = &r->rule[r->n];
	memset(ru, 0, sizeof *ru);
	ru->kind = kind;
	ru->line = lx->line;
	ru->glob = xstrdup(w->p);
	r->n++;
	if (kind >= PT_RULE_EXTRACT)
		return raw_words(ru, lx, w);
	while ((k = word(lx, w)) > 0) {
		if (ru->nterm == RULE_TERMS)
			return fail(lx, "more than %d terms", RULE_TERMS);
		if (term(r, lx, w->p, t))
			return EINVAL;
		ru->term[ru->nterm++] = xstrdup(t->p);
	}
	if (k < 0)
		return EINVAL;
	if (kind == PT_RULE_IGNORE && ru->nterm)
		return fail(lx, "ignore %s: takes no class or role", ru->glob);
	if (kind != PT_RULE_IGNORE && !ru->nterm)
		return fail(lx, "%s %s: no class or role", kws[kind - 1].kw, ru->glob);
	return 0;
}

static void collect_roles(pt_rules *r)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->rule[i].kind != PT_RULE_USED && r->rule[i].kind != PT_RULE_GENERATED)
			continue;
		for (size_t k = 0; k < r->rule[i].nterm; k++) {
			const char *t = r->rule[i].term[k];
			size_t j;
			for (j = 0; j < r->nrole && strcmp(r->role[j], t); j++)
				;
			if (j == r->nrole) {
				r->role = xrealloc(r->role, (r->nrole + 1) * sizeof *r->role);
				r->role[r->nrole++] = (char *)t;
			}
		}
	}
}

int pt_rules_load(const char *path, pt_rules **out, char *err, size_t errsz)
{
	FILE *f = fopen(path, "re");
	struct pt_buf text = { 0 }, w = { 0 }, t = { 0 };
	char chunk[4096];
	size_t n;
	int r = 0;

	if (!f) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return errno;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		pt_buf_put(&text, chunk, n);
	if (ferror(f)) {
		r = errno ? errno : EIO;
		snprintf(err, errsz, "%s: %s", path, strerror(r));
	}
	fclose(f);
	pt_buf_cstr(&text);

	pt_rules *rs = pt_rules_empty();
	struct lexer lx = { text.p, path, 1, err, errsz };
	if (!r && memchr(text.p, 0, text.len))
		r = fail(&lx, "NUL byte in rules file");
	while (!r && *lx.p) {
		r = parse_line(rs, &lx, &w, &t);
		if (r)
			break;
		/* the rest of the line must be empty or a comment */
		if (word(&lx, &w) != 0) {
			r = fail(&lx, "unexpected %s", w.len ? w.p : "text");
			break;
		}
		while (*lx.p && *lx.p != '\n')
			lx.p++;
		if (*lx.p == '\n') {
			lx.p++;
			lx.line++;
		}
	}
	pt_buf_free(&text);
	pt_buf_free(&w);
	pt_buf_free(&t);
	if (r) {
		pt_rules_free(rs);
		return r;
	}
	collect_roles(rs);
	*out = rs;
	return 0;
}

/* ---- queries */

int pt_rules_any(const pt_rules *r, int kind)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->rule[i].kind == kind)
			return 1;
	return 0;
}

size_t pt_rules_match(const pt_rules *r, int kind, const char *subject, const char **out,
		      size_t max)
{
	size_t n = 0;

	/* files the ignore rules set apart (the software's own data files) get nothing */
	if (kind == PT_RULE_PATH || kind == PT_RULE_USED || kind == PT_RULE_GENERATED ||
	    kind == PT_RULE_EXTRACT)
		for (size_t i = 0; r && i < r->n; i++)
			if (r->rule[i].kind == PT_RULE_IGNORE && fnmatch(r->rule[i].glob, subject, 0) == 0)
				return 0;
	for (size_t i = 0; r && i < r->n; i++) {
		const struct rule *ru = &r->rule[i];
		if (ru->kind != kind || fnmatch(ru->glob, subject, 0) != 0)
			continue;
		for (size_t k = 0; k < ru->nterm; k++) {
			size_t j;
			for (j = 0; j < n && strcmp(out[j], ru->term[k]); j++)
				;
			if (j == n && n < max)
				out[n++] = ru->term[k];
		}
	}
	return n;
}

int pt_rules_matches(const pt_rules *r, int kind, const char *subject)
{
	for (size_t i = 0; r && i < r->n; i++)
		if (r->rule[i].kind == kind && fnmatch(r->rule[i].glob, subject, 0) == 0)
			return 1;
	return 0;
}

size_t pt_rules_nprefix(const pt_rules *r)
{
	return r->npfx - r->nbuiltin;
}

void pt_rules_prefix(const pt_rules *r, size_t i, const char **name, const char **iri)
{
	*name = r->pfx[r->nbuiltin + i].name;
	*iri = r->pfx[r->nbuiltin + i].iri;
}

size_t pt_rules_nrole(const pt_rules *r)
{
	return r->nrole;
}

const char *pt_rules_role(const pt_rules *r, size_t i)
{
	return r->role[i];
}

int pt_rules_default(const char *dir, pt_rules **out, const char **used, char *err,
		     size_t errsz)
{
	static char path[4096];
	const char *env = getenv("PROVTRACE_RULES");

	*used = NULL;
	if (env) {
		if (!*env) {
			*out = pt_rules_empty();
			return 0;
		}
		*used = env;
		return pt_rules_load(env, out, err, errsz);
	}
	snprintf(path, sizeof path, "%s/ml.rules", dir);
	if (access(path, R_OK) == 0) {
		*used = path;
		return pt_rules_load(path, out, err, errsz);
	}
	*out = pt_rules_empty();
	return 0;
}

size_t pt_rules_extractors(const pt_rules *r, const char *path, struct pt_rule_extract *out,
			   size_t max)
{
	size_t n = 0;

	for (size_t i = 0; r && i < r->n; i++)
		if (r->rule[i].kind == PT_RULE_IGNORE && fnmatch(r->rule[i].glob, path, 0) == 0)
			return 0;
	for (size_t i = 0; r && i < r->n && n < max; i++) {
		const struct rule *ru = &r->rule[i];
		if (ru->kind != PT_RULE_EXTRACT || fnmatch(ru->glob, path, 0) != 0)
			continue;
		struct pt_rule_extract *e = &out[n++];
		memset(e, 0, sizeof *e);
		e->name = ru->term[0];
		for (size_t k = 1; k < ru->nterm; k++) {
			const char *t = ru->term[k], *v = strchr(t, '=') + 1;
			if (strncmp(t, "max_bytes=", 10) == 0)
				e->max_bytes = limit_value(v);
			else if (strncmp(t, "max_ms=", 7) == 0)
				e->max_ms = limit_value(v);
			else if (strncmp(t, "max_items=", 10) == 0)
				e->max_items = limit_value(v);
			else
				e->format = v;
		}
	}
	return n;
}

static unsigned long long fnv(unsigned long long h, const char *s)
{
	do {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	} while (*s++);
	return h;
}

unsigned long long pt_rules_fingerprint(const pt_rules *r)
{
	unsigned long long h = 0xcbf29ce484222325ull;

	for (size_t i = 0; r && i < r->n; i++) {
		const struct rule *ru = &r->rule[i];
		if (ru->kind < PT_RULE_EXTRACT && ru->kind != PT_RULE_IGNORE)
			continue;
		h = fnv(h ^ (unsigned)ru->kind, ru->glob);
		for (size_t k = 0; k < ru->nterm; k++)
			h = fnv(h, ru->term[k]);
	}
	return h;
}
