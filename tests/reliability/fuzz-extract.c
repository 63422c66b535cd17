/* fuzz-extract.c — libFuzzer harness of the readers of a job's own files (rdf/parse.c):
 * the first byte picks the reader (JSON, YAML, TOML, INI, CSV, TSV, JSON lines,
 * TensorBoard, MLflow metric and parameter, argv), the rest is its input.  Every
 * string handed to the sink must be NUL-ended and every type one of the four. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rdf/facts.h"
#include "rdf/parse.h"

/* facts.c's store walk is not exercised here: the readers never touch a store */
int pt_store_each_fact(pt_store *st, const void *prefix, size_t plen, pt_fact_fn fn, void *ctx)
{
	(void)st, (void)prefix, (void)plen, (void)fn, (void)ctx;
	return 0;
}

static int param(void *ctx, const char *key, int type, const char *value, const char *where)
{
	(void)ctx;
	if (type < PT_FV_STR || type > PT_FV_BOOL || !*key)
		abort();
	return strlen(key) + strlen(value) + strlen(where) == 0;
}

static int point(void *ctx, const char *measure, int64_t step, double value)
{
	(void)ctx;
	(void)step;
	(void)value;
	return strlen(measure) == (size_t)-1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_psink s = { param, point, NULL, 100000, 0, 0, "" };
	const char *buf;
	char *copy;
	size_t n;

	if (size < 1)
		return 0;
	n = size - 1;
	/* a copy of exactly n bytes: reading past it is a sanitizer report */
	copy = malloc(n ? n : 1);
	memcpy(copy, data + 1, n);
	buf = copy;
	switch (data[0] % 11) {
	case 0: pt_parse_json(buf, n, &s); break;
	case 1: pt_parse_yaml(buf, n, &s); break;
	case 2: pt_parse_toml(buf, n, &s); break;
	case 3: pt_parse_ini(buf, n, &s); break;
	case 4: pt_parse_csv(buf, n, ',', &s); break;
	case 5: pt_parse_csv(buf, n, '\t', &s); break;
	case 6: pt_parse_jsonl(buf, n, &s); break;
	case 7: pt_parse_tfevents(buf, n, &s); break;
	case 8: pt_parse_mlflow_metric(buf, n, "m", &s); break;
	case 9: pt_parse_mlflow_param(buf, n, "p", &s); break;
	default: {
		/* argv: NUL-separated words */
		const char *argv[64];
		size_t argc = 0;
		char *w = malloc(n + 1);
		memcpy(w, buf, n);
		w[n] = 0;
		for (char *p = w; argc < 64 && p <= w + n; p += strlen(p) + 1)
			argv[argc++] = p;
		pt_parse_argv(argv, argc, &s);
		free(w);
	}
	}
	if (memchr(s.err, 0, sizeof s.err) == NULL)
		abort();
	free(copy);
	return 0;
}
