/* iri-test.c — unit test of rdf/iri.c and rdf/rules.c: percent-encoding is lossless and
 * pure ASCII for every byte, UTF-8 is judged strictly, literals escape every control
 * character, times are UTC with microseconds, rules files parse and match as documented. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdf/iri.h"
#include "rdf/rules.h"
#include "tests/check.h"

#define CHECK_STR(buf, want)                                                               \
	do {                                                                               \
		const char *g_ = pt_buf_cstr(buf), *w_ = (want);                           \
		if (strcmp(g_, w_) != 0) {                                                 \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, g_, w_); \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

static void test_pct(void)
{
	struct pt_buf b = { 0 };
	uint8_t all[256], back[768];

	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	pt_iri_pct(&b, all, 256, 1);
	/* pure ASCII, printable, nothing an IRIREF forbids */
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.p[i];
		CHECK(c > 0x20 && c < 0x7f && !strchr("<>\"{}|^`\\ ", c));
	}
	/* 67 bytes kept (ALPHA DIGIT - . _ ~ /), 189 encoded */
	CHECK_UINT(b.len, ==, 67 + 189 * 3);
	CHECK_UINT(pt_iri_unpct(b.p, b.len, back), ==, 256);
	CHECK_MEM(back, all, 256);

	b.len = 0;
	CHECK_INT(pt_iri_file(&b, "/a b/c%d#e?f", 12), ==, 0);
	CHECK_STR(&b, "file:///a%20b/c%25d%23e%3Ff");
	b.len = 0;
	CHECK_INT(pt_iri_file(&b, "rel/x", 5), ==, EINVAL);
	CHECK_UINT(b.len, ==, 0);
	/* NFC and NFD spellings of one name stay two IRIs */
	b.len = 0;
	pt_iri_file(&b, "/caf\xc3\xa9", 6);
	CHECK_STR(&b, "file:///caf%C3%A9");
	b.len = 0;
	pt_iri_file(&b, "/cafe\xcc\x81", 7);
	CHECK_STR(&b, "file:///cafe%CC%81");
	/* without keep_slash, '/' is encoded too (host names, node names) */
	b.len = 0;
	pt_iri_pct(&b, "a/b", 3, 0);
	CHECK_STR(&b, "a%2Fb");

	CHECK_UINT(pt_iri_unpct("%4", 2, back), ==, (size_t)-1);
	CHECK_UINT(pt_iri_unpct("%zz", 3, back), ==, (size_t)-1);
	CHECK_UINT(pt_iri_unpct("a%2fb", 5, back), ==, 3);
	CHECK_MEM(back, "a/b", 3);

	CHECK(pt_iri_ok("urn:provtrace:run:x", 19));
	CHECK(pt_iri_ok("https://example.org/run#1", 25));
	CHECK(!pt_iri_ok("no-scheme", 9));
	CHECK(!pt_iri_ok("http://a b", 10));
	CHECK(!pt_iri_ok("http://a>b", 10));
	CHECK(!pt_iri_ok("1http://x", 9));
	CHECK(!pt_iri_ok("http://\xc3\xa9", 9));
	pt_buf_free(&b);
}

static void test_utf8(void)
{
	static const struct { const char *s; size_t n; int ok; } cases[] = {
		{ "plain", 5, 1 }, { "caf\xc3\xa9", 5, 1 }, { "\xe2\x82\xac", 3, 1 },
		{ "\xf0\x9f\x98\x80", 4, 1 }, { "\xf4\x8f\xbf\xbf", 4, 1 },
		{ "a\0b", 3, 0 },                       /* NUL */
		{ "\xc0\xaf", 2, 0 },                   /* overlong '/' */
		{ "\xe0\x80\xaf", 3, 0 },               /* overlong */
		{ "\xed\xa0\x80", 3, 0 },               /* surrogate U+D800 */
		{ "\xf4\x90\x80\x80", 4, 0 },           /* past U+10FFFF */
		{ "\xc3", 1, 0 },                       /* cut */
		{ "\xff", 1, 0 }, { "\x80", 1, 0 },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (pt_utf8_text(cases[i].s, cases[i].n) != cases[i].ok) {
			fprintf(stderr, "utf8 case %zu: got %d, want %d\n", i, !cases[i].ok, cases[i].ok);
			exit(1);
		}
	}
}

static void test_literals(void)
{
	struct pt_buf b = { 0 };
	uint8_t back[64];

	pt_lit_escape(&b, "q\"b\\t\tn\nr\rb\bf\f", 14);
	CHECK_STR(&b, "q\\\"b\\\\t\\tn\\nr\\rb\\bf\\f");
	b.len = 0;
	/* other C0, DEL and C1 controls as \u escapes; other UTF-8 as is */
	pt_lit_escape(&b, "\x01\x1f\x7f\xc2\x80\xc2\x9f\xc2\xa0\xc3\xa9", 11);
	CHECK_STR(&b, "\\u0001\\u001F\\u007F\\u0080\\u009F\xc2\xa0\xc3\xa9");

	b.len = 0;
	pt_raw_bytes(&b, "/d/caf\xc3\xa9\xff%\x00x", 12);
	CHECK_STR(&b, "/d/caf\xc3\xa9%FF%25%00x");
	CHECK(pt_utf8_text(b.p, b.len));
	CHECK_UINT(pt_iri_unpct(b.p, b.len, back), ==, 12);
	CHECK_MEM(back, "/d/caf\xc3\xa9\xff%\x00x", 12);

	b.len = 0;
	pt_xsd_datetime(&b, 1700000000123456789ull);
	CHECK_STR(&b, "2023-11-14T22:13:20.123456Z");
	b.len = 0;
	pt_xsd_datetime(&b, 0);
	CHECK_STR(&b, "1970-01-01T00:00:00.000000Z");

	struct pt_term t = { PT_TERM_LITERAL, "5", 1, PT_DT_INTEGER };
	b.len = 0;
	pt_term_nt(&b, &t);
	CHECK_STR(&b, "\"5\"^^<http://www.w3.org/2001/XMLSchema#integer>");
	struct pt_term i = { PT_TERM_IRI, "file:///x", 9, NULL };
	b.len = 0;
	pt_term_nt(&b, &i);
	CHECK_STR(&b, "<file:///x>");
	pt_buf_free(&b);
}

static const char *write_rules(const char *dir, const char *name, const char *text)
{
	static char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_rules(const char *dir)
{
	char err[512];
	pt_rules *r = NULL;
	const char *t[8];
	const char *p = write_rules(dir, "ok.rules",
		"# comment\n"
		"prefix ex: <http://example.org/ml#>\n"
		"path *.pt mls:Model ex:Weights   # trailing comment\n"
		"path \"*/with space/*\" <http://example.org/Spaced>\n"
		"path */ckpt/* mls:Model\n"
		"argv *train* mls:Run\n"
		"exe */python3* ex:Python\n"
		"used *.npz pt:learningData\n"
		"generated *.pt pt:trainedModel\n"
		"ignore */site-packages/*\n");

	CHECK_INT(pt_rules_load(p, &r, err, sizeof err), ==, 0);
	CHECK_UINT(pt_rules_match(r, PT_RULE_PATH, "/job/ckpt/model.pt", t, 8), ==, 2);
	CHECK(strcmp(t[0], "http://www.w3.org/ns/mls#Model") == 0);
	CHECK(strcmp(t[1], "http://example.org/ml#Weights") == 0);
	CHECK_UINT(pt_rules_match(r, PT_RULE_PATH, "/job/model.pt.tmp", t, 8), ==, 0);
	CHECK_UINT(pt_rules_match(r, PT_RULE_PATH, "/a/with space/b", t, 8), ==, 1);
	CHECK(strcmp(t[0], "http://example.org/Spaced") == 0);
	CHECK_UINT(pt_rules_match(r, PT_RULE_ARGV, "python3 train.py --lr 1", t, 8), ==, 1);
	CHECK_UINT(pt_rules_match(r, PT_RULE_EXE, "/usr/bin/python3.11", t, 8), ==, 1);
	CHECK_UINT(pt_rules_match(r, PT_RULE_USED, "/d/x.npz", t, 8), ==, 1);
	CHECK_UINT(pt_rules_match(r, PT_RULE_PATH, "/v/site-packages/x.pt", t, 8), ==, 0);
	CHECK_UINT(pt_rules_match(r, PT_RULE_USED, "/v/site-packages/x.npz", t, 8), ==, 0);
	CHECK(strcmp(t[0], "https://w3id.org/provtrace/ns#learningData") == 0);
	CHECK(pt_rules_any(r, PT_RULE_GENERATED));
	CHECK_UINT(pt_rules_nprefix(r), ==, 1);
	CHECK_UINT(pt_rules_nrole(r), ==, 2);
	pt_rules_free(r);

	static const struct { const char *text, *msg; } bad[] = {
		{ "path *.pt\n", ":1: path *.pt: no class or role" },
		{ "\n\nfile *.pt mls:Model\n", ":3: unknown keyword file" },
		{ "path *.pt nope:Model\n", ":1: undeclared prefix in nope:Model" },
		{ "path *.pt Model\n", ":1: term Model: write PREFIX:NAME or <IRI>" },
		{ "path \"*.pt mls:Model\n", ":1: unterminated quoted word" },
		{ "prefix pt: <http://other/>\n", ":1: prefix pt: is built in" },
		{ "path *.pt <not an iri>\n", ":1: not an absolute IRI" },
		{ "ignore *.pt mls:Model\n", ":1: ignore *.pt: takes no class or role" },
		{ "prefix 1x: <http://x/>\n", ":1: prefix 1x: a name is a letter" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = write_rules(dir, "bad.rules", bad[i].text);
		r = NULL;
		int e = pt_rules_load(p, &r, err, sizeof err);
		if (e != EINVAL || r || !strstr(err, bad[i].msg)) {
			fprintf(stderr, "bad rules %zu: got %d \"%s\", want EINVAL \"...%s...\"\n", i, e,
				err, bad[i].msg);
			exit(1);
		}
	}
	CHECK_INT(pt_rules_load("/nonexistent/x.rules", &r, err, sizeof err), ==, ENOENT);
}

static void test_default_rules(const char *dir)
{
	char err[512];
	const char *used;
	pt_rules *r;

	/* PROVTRACE_RULES empty: none; unset and no DIR/ml.rules: none */
	setenv("PROVTRACE_RULES", "", 1);
	CHECK_INT(pt_rules_default(dir, &r, &used, err, sizeof err), ==, 0);
	CHECK(used == NULL && !pt_rules_any(r, PT_RULE_PATH));
	pt_rules_free(r);
	unsetenv("PROVTRACE_RULES");
	CHECK_INT(pt_rules_default("/nonexistent", &r, &used, err, sizeof err), ==, 0);
	CHECK(used == NULL);
	pt_rules_free(r);
	write_rules(dir, "ml.rules", "path *.pt mls:Model\n");
	CHECK_INT(pt_rules_default(dir, &r, &used, err, sizeof err), ==, 0);
	CHECK(used != NULL && pt_rules_any(r, PT_RULE_PATH));
	pt_rules_free(r);
}

int main(void)
{
	char dir[] = "/tmp/pt-iri-test.XXXXXX";

	CHECK(mkdtemp(dir) != NULL);
	test_pct();
	test_utf8();
	test_literals();
	test_rules(dir);
	test_default_rules(dir);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	CHECK_INT(system(cmd), ==, 0);
	return 0;
}
