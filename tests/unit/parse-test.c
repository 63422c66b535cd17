/* parse-test.c — the readers of rdf/parse.c on small inputs of each format: every setting
 * and point they hand over, exactly (key, type, value, where), and the reasons of the
 * inputs they refuse. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rdf/facts.h"
#include "rdf/iri.h"
#include "rdf/parse.h"
#include "tests/check.h"

static struct pt_buf got;

static int param(void *ctx, const char *key, int type, const char *value, const char *where)
{
	char line[512];
	(void)ctx;
	snprintf(line, sizeof line, "%s=%s/%d@%s;", key, value, type, where);
	pt_buf_puts(&got, line);
	return 0;
}

static int point(void *ctx, const char *measure, int64_t step, double value)
{
	char line[512], v[64];
	(void)ctx;
	pt_fact_double(v, sizeof v, value);
	snprintf(line, sizeof line, "%s[%lld]=%s;", measure, (long long)step, v);
	pt_buf_puts(&got, line);
	return 0;
}

typedef int (*reader)(const char *, size_t, struct pt_psink *);

static void expect(reader fn, const char *in, int rc, const char *want, const char *err)
{
	struct pt_psink s = { param, point, NULL, 100, 0, 0, "" };

	got.len = 0;
	int r = fn(in, strlen(in), &s);
	pt_buf_cstr(&got);
	if (r != rc || strcmp(got.p, want) || (err && strcmp(s.err, err))) {
		fprintf(stderr, "input:\n%s\nrc %d (want %d)\ngot  %s\nwant %s\nerr  %s (want %s)\n",
			in, r, rc, got.p, want, s.err, err ? err : "-");
		exit(1);
	}
}

static int csv(const char *b, size_t n, struct pt_psink *s) { return pt_parse_csv(b, n, ',', s); }
static int tsv(const char *b, size_t n, struct pt_psink *s) { return pt_parse_csv(b, n, '\t', s); }
static int mlm(const char *b, size_t n, struct pt_psink *s) { return pt_parse_mlflow_metric(b, n, "loss", s); }
static int mlp(const char *b, size_t n, struct pt_psink *s) { return pt_parse_mlflow_param(b, n, "lr", s); }

int main(void)
{
	expect(pt_parse_json, "{\"opt\": {\"lr\": 0.010, \"nesterov\": true}, \"layers\": [4, 8],"
	       " \"name\": \"x\", \"none\": null}", 0,
	       "opt.lr=0.01/2@opt.lr;opt.nesterov=true/3@opt.nesterov;layers.0=4/1@layers.0;"
	       "layers.1=8/1@layers.1;name=x/0@name;", NULL);
	expect(pt_parse_json, "{\"a\": 1", -1, "", "JSON: truncated");
	expect(pt_parse_json, "{} x", -1, "", "JSON: text after the document at byte 3");
	expect(pt_parse_yaml, "model:\n  depth: 3\n  act: 'relu'\nrate: 1e-3\non: yes\n"
	       "list:\n  - 1\n  - {a: 2}\nempty:\n", 0,
	       "model.depth=3/1@model.depth;model.act=relu/0@model.act;rate=0.001/2@rate;"
	       "on=true/3@on;list.0=1/1@list.0;list.1.a=2/1@list.1.a;", NULL);
	expect(pt_parse_yaml, "a: &x 1\nb: *x\nc: 2\n", 0, "a=1/1@a;c=2/1@c;", NULL);
	expect(pt_parse_toml, "title = \"run\" # c\n[optim]\nlr = 1_000.5\nbetas = [0.9, 0.99]\n"
	       "[[layer]]\nsize = 4\n[[layer]]\nsize = 8\ninline = { a = true, \"b c\" = 'x' }\n", 0,
	       "title=run/0@title;optim.lr=1000.5/2@optim.lr;optim.betas.0=0.9/2@optim.betas.0;"
	       "optim.betas.1=0.99/2@optim.betas.1;layer.0.size=4/1@layer.0.size;"
	       "layer.1.size=8/1@layer.1.size;layer.1.inline.a=true/3@layer.1.inline.a;"
	       "layer.1.inline.b c=x/0@layer.1.inline.b c;", NULL);
	expect(pt_parse_toml, "a = \"open\n", -1, "", "TOML: line 1: newline in a string");
	expect(pt_parse_toml, "a = True\n", -1, "", "TOML: line 1: booleans are lower case");
	expect(pt_parse_ini, "top = 1\n[train]\nlr = 0.5\nname: \"q\"\n; c\n# c\n", 0,
	       "top=1/1@top;train.lr=0.5/2@train.lr;train.name=q/0@train.name;", NULL);
	expect(pt_parse_ini, "[a]\nno value here\n", -1, "", "INI: line 2: expected key = value");
	expect(csv, "epoch,loss,\"val acc\",note\n1,0.5,0.25,x\n2,0.25,nan,y\nbad,1,1,z\n", 0,
	       "loss[1]=0.5;val acc[1]=0.25;loss[2]=0.25;val acc[2]=NaN;", NULL);
	expect(csv, "a,b\n1,2\n", 0, "", NULL);   /* no step column: not a metric log */
	expect(tsv, "Step\tacc\n3\t0.75\n", 0, "acc[3]=0.75;", NULL);
	expect(pt_parse_jsonl, "{\"step\": 1, \"loss\": 0.5, \"tag\": \"a\"}\n\n"
	       "{\"epoch\": 2, \"loss\": 0.25}\n", 0, "loss[1]=0.5;loss[2]=0.25;", NULL);
	expect(pt_parse_jsonl, "{\"step\": 1, \"loss\": 0.5}\n{\"step\": 2\n", -1, "loss[1]=0.5;",
	       "line 2: JSON: truncated");
	expect(mlm, "1700000000000 0.5 0\n1700000000001 0.25 1\n", 0, "loss[0]=0.5;loss[1]=0.25;",
	       NULL);
	expect(mlm, "1700 x 1\n", -1, "", "line 1: expected timestamp value step");
	expect(mlp, "0.001\n", 0, "lr=0.001/2@params;", NULL);

	/* the item limit stops a reader with its reason, keeping what came before */
	struct pt_psink s = { param, point, NULL, 2, 0, 0, "" };
	got.len = 0;
	CHECK_INT(pt_parse_csv("step,a\n1,1\n2,2\n3,3\n", 22, ',', &s), ==, -1);
	CHECK(!strcmp(s.err, "more than 2 items"));

	/* argv: --k v, --k=v, --flag, negative numbers, Hydra words, short options skipped */
	const char *argv[] = { "python", "train.py", "--lr", "0.1", "--batch-size=64", "--amp",
			       "--shift", "-3", "-v", "optimizer.momentum=0.9", "+extra=x",
			       "positional", "--", "--after", "1" };
	struct pt_psink a = { param, point, NULL, 100, 0, 0, "" };
	got.len = 0;
	CHECK_INT(pt_parse_argv(argv, sizeof argv / sizeof argv[0], &a), ==, 0);
	pt_buf_cstr(&got);
	const char *want = "lr=0.1/2@argv[2];batch_size=64/1@argv[4];amp=true/3@argv[5];"
			   "shift=-3/1@argv[6];optimizer.momentum=0.9/2@argv[9];extra=x/0@argv[10];";
	if (strcmp(got.p, want)) {
		fprintf(stderr, "argv:\ngot  %s\nwant %s\n", got.p, want);
		return 1;
	}
	/* CRC-32C's check value */
	CHECK_UINT(pt_crc32c("123456789", 9), ==, 0xe3069283u);
	pt_buf_free(&got);
	return 0;
}
