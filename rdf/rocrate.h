/* rocrate.h — a run as a Workflow Run RO-Crate (Process Run Crate profile 0.5): the
 * JSON-LD metadata file `provtrace export -f rocrate -o DIR` writes. */
#ifndef PT_ROCRATE_H
#define PT_ROCRATE_H

#include <stddef.h>

#define PT_ROCRATE_PROFILE "https://w3id.org/ro/wfrun/process/0.5"

/* Write DIR/ro-crate-metadata.json for the run in `rundir`, creating DIR (not its
 * parents) when it does not exist.  The file appears whole or not at all, and a DIR this
 * call created is removed again on failure.  Returns 0, or 1 with one line (no newline)
 * saying why in err. */
int pt_rocrate_write(const char *rundir, const char *dir, char *err, size_t errsz);

#endif /* PT_ROCRATE_H */
