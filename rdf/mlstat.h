/* mlstat.h — provtrace stat's lines and JSON members for the facts read from a job's
 * files (hyperparameters and final metrics per process, files not read). */
#ifndef PT_MLSTAT_H
#define PT_MLSTAT_H

#include "extract.h"
#include "runset.h"

/* Text: an "ml" line, then per process its command, hyperparameters and metrics (last,
 * best and their steps), then the files not read with why.  JSON: the members
 * ml_extracted_now, ml_processes (with every series) and ml_gaps. */
void pt_ml_print(const struct pt_runset *rs, int json, const struct pt_extract_stats *xs);

#endif /* PT_MLSTAT_H */
