/* parse.h — the readers of what ML jobs write down: configuration files (JSON by json-c,
 * YAML by libyaml, TOML and INI by small parsers here), metric logs (CSV/TSV, JSON lines,
 * TensorBoard event files, MLflow's file store) and command lines.  Each works on bytes
 * in memory and hands what it finds to a sink; none trusts its input (fuzzed by
 * tests/reliability/fuzz-extract.c).
 *
 * Errors.  A parser returns 0, or -1 with a one-line reason in sink->err ("line 3:
 * unterminated string", "truncated frame at byte 40", "more than 100000 items", "took
 * longer than 2000 ms"); what it handed to the sink before the error stays handed.
 */
#ifndef PT_PARSE_H
#define PT_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Value types: PT_FV_* of facts.h. */
struct pt_psink {
	/* a hyperparameter: key (nested keys joined by '.'), typed value, where it is */
	int (*param)(void *ctx, const char *key, int type, const char *value, const char *where);
	/* a point of a metric series */
	int (*point)(void *ctx, const char *measure, int64_t step, double value);
	void *ctx;
	uint64_t max_items;    /* params + points; 0: no limit */
	uint64_t deadline_ns;  /* CLOCK_MONOTONIC; 0: none */
	uint64_t items;
	char err[160];
};

/* Configurations: nested maps flattened (optimizer.momentum), lists by index
 * (layers.0); scalars typed (JSON by its types; YAML plain scalars, TOML and INI values
 * by their look: integer, double, true/false, else string). */
int pt_parse_json(const char *buf, size_t n, struct pt_psink *s);
int pt_parse_yaml(const char *buf, size_t n, struct pt_psink *s);
int pt_parse_toml(const char *buf, size_t n, struct pt_psink *s);
int pt_parse_ini(const char *buf, size_t n, struct pt_psink *s);

/* Metric logs.  CSV/TSV: a header line, a step column (step, global_step, iteration,
 * iter, epoch: the first present, any case), each other column whose cells are numbers
 * a measure.  JSON lines: one object per line, the same step names, numeric members. */
int pt_parse_csv(const char *buf, size_t n, char sep, struct pt_psink *s);
int pt_parse_jsonl(const char *buf, size_t n, struct pt_psink *s);
/* TensorBoard: TFRecord frames (checksums checked) of Event protos; scalar summaries
 * (simple_value) become points of their tag at the event's step. */
int pt_parse_tfevents(const char *buf, size_t n, struct pt_psink *s);
/* MLflow's file store: metrics/NAME holds "timestamp value step" lines; params/NAME
 * holds the value. */
int pt_parse_mlflow_metric(const char *buf, size_t n, const char *name, struct pt_psink *s);
int pt_parse_mlflow_param(const char *buf, size_t n, const char *name, struct pt_psink *s);

/* A command line: --key value, --key=value, --flag (true), key=value and Hydra's
 * +key=value / ++key=value (dotted keys kept); '-' in option names becomes '_' (as
 * argparse names its destinations).  where is "argv[I]". */
int pt_parse_argv(const char *const *argv, size_t argc, struct pt_psink *s);

/* One setting whose type is its look (an environment variable's value). */
int pt_parse_setting(struct pt_psink *s, const char *key, const char *value, const char *where);

/* The type a bare word looks like (PT_FV_*). */
int pt_value_type(const char *v);

/* CRC-32C (Castagnoli), as TFRecord frames use it. */
uint32_t pt_crc32c(const void *p, size_t n);

#endif /* PT_PARSE_H */
