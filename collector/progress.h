/* progress.h — a one-line progress bar on the standard error of a terminal, for the long
 * work of the tools (indexing, export, report, the collector's --once pass).
 *
 * Nothing is written when stderr is not a terminal or after pt_progress_quiet(1) (-q).
 * A bar redraws itself at most five times a second, on one line ("\r" and erase to the
 * end), and pt_progress_end() leaves its last state on the line with a newline. */
#ifndef PT_PROGRESS_H
#define PT_PROGRESS_H

#include <stdint.h>
#include <time.h>

struct pt_progress {
	char what[96];           /* "provtrace report: files" */
	const char *unit;        /* "records", "triples", ... */
	uint64_t done, total;    /* total 0: unknown, no bar, only the count */
	struct timespec start, last;
	int on, shown;
};

/* Process-wide: 1 turns every bar off (the tools' -q). */
void pt_progress_quiet(int quiet);

/* Start a bar on p: `what` is copied, `unit` must outlive the bar. */
void pt_progress_start(struct pt_progress *p, const char *what, const char *unit,
		       uint64_t total);
/* The work done so far (and a new total; 0 keeps the one it has). */
void pt_progress_set(struct pt_progress *p, uint64_t done, uint64_t total);
/* Draw the final state and end the line (only when the bar is on). */
void pt_progress_end(struct pt_progress *p);

#endif /* PT_PROGRESS_H */
