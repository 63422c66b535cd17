/* facts.h — what provtrace read from a job's own files after the job: hyperparameters of
 * processes, metric series they wrote, descriptions of files, and the files it could not
 * read (named gaps).  Stored in the node store's fact table (collector/store.h) by
 * rdf/extract.c; read by the export, stat and query through the functions below.
 *
 * A fact belongs to a subject: a process image ('p', its store id) or a file object
 * ('o', its store id; the facts describe the content the file had after the job, which
 * the export gives to the file's last version).  Every fact keeps where it came from:
 * the file object it was read from (src; 0 for argv and the environment) and, for argv,
 * the position of the word (pos, 1 = argv[0]), and a `where` text: the key path in the
 * file, "argv[3]", "env", or the extractor of a series.
 */
#ifndef PT_FACTS_H
#define PT_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "collector/store.h"
#include "iri.h"

enum pt_fact_kind {
	PT_FACT_HYPER = 1,    /* key = value: a hyperparameter setting of the process */
	PT_FACT_SERIES = 2,   /* item: the measure; points (step, value) in file order */
	PT_FACT_DESC = 3,     /* item, key = value: a description of a file (its header) */
	PT_FACT_GAP = 4,      /* item: the file; value: why it was not read */
};

/* Value types (the same numbers as rdf/describe.h's PT_DV_*). */
enum { PT_FV_STR = 0, PT_FV_INT = 1, PT_FV_DOUBLE = 2, PT_FV_BOOL = 3 };

struct pt_fact {
	uint8_t subject;      /* 'p' or 'o' */
	uint32_t id;          /* the process or the object */
	uint32_t n;           /* order among the subject's facts */
	uint32_t kind, type;
	uint32_t src, pos;
	const char *item, *key, *value, *where;   /* into the store: valid in the callback */
	const uint8_t *points;                    /* PT_FACT_SERIES: npoints × 16 bytes */
	size_t npoints;
};

/* The point i of a series. */
void pt_fact_point(const struct pt_fact *f, size_t i, int64_t *step, double *value);

/* Encode a fact's value (everything but the key) into b; points may be NULL. */
void pt_fact_encode(struct pt_buf *b, const struct pt_fact *f, const uint8_t *points,
		    size_t npoints);
/* The key of fact n of a subject: 9 bytes. */
void pt_fact_key(uint8_t key[9], uint8_t subject, uint32_t id, uint32_t n);
/* Decode a stored fact; EINVAL when it is malformed (then it is skipped). */
int pt_fact_decode(const uint8_t *k, size_t kn, const uint8_t *v, size_t vn, struct pt_fact *f);

/* The facts of one subject (id 0: every subject of that kind; subject 0: all), decoded,
 * in order; malformed entries are skipped. */
typedef int (*pt_fact_each_fn)(void *ctx, const struct pt_fact *f);
int pt_facts_each(pt_store *st, uint8_t subject, uint32_t id, pt_fact_each_fn fn, void *ctx);

/* A series summed up: the last point, the best (the lowest for a measure whose name
 * says it is a loss or an error — loss, error, err, mse, mae, rmse, perplexity, ppl,
 * wer, cer —, else the highest) and the step where the best first appeared. */
struct pt_series_sum {
	size_t n;
	int lower_better;
	int64_t last_step, best_step;
	double last, best;
};
void pt_series_sum(const struct pt_fact *f, struct pt_series_sum *s);
int pt_measure_lower_better(const char *name);

/* A double as the export and stat write it: the shortest text that reads back the same. */
void pt_fact_double(char *buf, size_t n, double v);

#endif /* PT_FACTS_H */
