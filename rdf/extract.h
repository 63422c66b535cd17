/* extract.h — after the job, read what an ML job wrote down in its own files and command
 * lines (hyperparameters, metric series, file descriptions) into the fact table of each
 * node store (rdf/facts.h), once: the first stat, export or query of a run does it, and
 * the store remembers it (meta "facts": the stamp of the rules that chose the
 * extractors; other rules redo it).  The job pays nothing while it runs.
 *
 * Which files: the rules' extract lines (rdf/rules.h, share/ml.rules), matched against
 * each file a process read (configurations: json, yaml, toml, ini) or wrote (metrics:
 * csv, tsv, jsonl, tfevents, mlflow-metric, mlflow-param; descriptions: describe, any
 * direction).  A file is read only when its size and modification time still are those
 * the record saw at the process's last close of it; otherwise, and when it is too large,
 * too slow, malformed or unreadable, the file gets a named gap (PT_FACT_GAP) and the rest
 * goes on.  Which processes: hyper-argv lines (their argv) and hyper-env lines (the
 * recorded environment variables).
 *
 * Default limits per file: configurations and parameters 1 MiB, metric logs 256 MiB,
 * 1,000,000 items, 5000 ms; an extract line's max_bytes, max_items, max_ms change them.
 */
#ifndef PT_EXTRACT_H
#define PT_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "rules.h"

struct pt_extract_stats {
	uint64_t stores;        /* node stores of the run */
	uint64_t extracted;     /* stores extracted by this call (the others had it) */
	uint64_t unwritable;    /* stores that needed it and could not be written here */
	uint64_t files;         /* files read */
	uint64_t facts;         /* facts stored (series count once) */
	uint64_t points;        /* points of the series */
	uint64_t gaps;          /* files that could not be read */
	uint64_t ns;            /* time spent extracting */
};

enum { PT_EXTRACT_FORCE = 1 };   /* extract again even where the stamp matches */

/* Make every node store of the run at `path` (a run directory or a store file) hold the
 * facts `rules` ask for.  Returns 0, or an error for pt_strerror() with a message in
 * err; a store that cannot be written here (EACCES, EROFS) is counted in unwritable and
 * is not an error.  PROVTRACE_EXTRACT=0 in the environment turns it off (returns 0),
 * PROVTRACE_EXTRACT=force extracts again (PT_EXTRACT_FORCE). */
int pt_extract_run(const char *path, const pt_rules *rules, unsigned flags,
		   struct pt_extract_stats *stats, char *err, size_t errlen);

/* What the tools print once when extraction could not be stored (NULL: nothing to say). */
const char *pt_extract_warning(const struct pt_extract_stats *stats, char *buf, size_t n);

/* For the tools: pt_extract_run() whose errors and warning are one line on stderr
 * ("TOOL: ..."), never fatal: the record is answered with the facts there are. */
void pt_extract_tool(const char *tool, const char *path, const pt_rules *rules,
		     struct pt_extract_stats *stats);

#endif /* PT_EXTRACT_H */
