/* progress.c — the progress bar of progress.h: counts, percentage and rate on one line
 * of a terminal's standard error. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

#define BAR_WIDTH 24
#define REDRAW_NS 200000000LL

static int quiet;

void pt_progress_quiet(int q)
{
	quiet = q;
}

static long long elapsed_ns(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000LL + (b->tv_nsec - a->tv_nsec);
}

/* 1234567 as "1.23M", for the rate */
static void human(char *buf, size_t n, double v)
{
	if (v >= 1e9)
		snprintf(buf, n, "%.2fG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, n, "%.2fM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, n, "%.1fk", v / 1e3);
	else
		snprintf(buf, n, "%.0f", v);
}

static void draw(struct pt_progress *p, const struct timespec *now)
{
	long long ns = elapsed_ns(&p->start, now);
	double rate = ns > 0 ? (double)p->done * 1e9 / (double)ns : 0;
	char r[32];

	human(r, sizeof r, rate);
	if (p->total) {
		uint64_t d = p->done < p->total ? p->done : p->total;
		int fill = (int)(d * BAR_WIDTH / p->total);
		char bar[BAR_WIDTH + 1];
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
		bar[BAR_WIDTH] = 0;
		fprintf(stderr, "\r%s [%s] %3d%% %llu/%llu %s, %s %s/s\033[K", p->what, bar,
			(int)(d * 100 / p->total), (unsigned long long)p->done,
			(unsigned long long)p->total, p->unit, r, p->unit);
	} else {
		fprintf(stderr, "\r%s %llu %s, %s %s/s\033[K", p->what, (unsigned long long)p->done,
			p->unit, r, p->unit);
	}
	fflush(stderr);
	p->shown = 1;
	p->last = *now;
}

void pt_progress_start(struct pt_progress *p, const char *what, const char *unit,
		       uint64_t total)
{
	memset(p, 0, sizeof *p);
	snprintf(p->what, sizeof p->what, "%s", what);
	p->unit = unit;
	p->total = total;
	p->on = !quiet && isatty(2);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	p->last = p->start;
}

void pt_progress_set(struct pt_progress *p, uint64_t done, uint64_t total)
{
	struct timespec now;

	p->done = done;
	if (total)
		p->total = total;
	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (elapsed_ns(&p->last, &now) >= REDRAW_NS)
		draw(p, &now);
}

void pt_progress_end(struct pt_progress *p)
{
	struct timespec now;

	if (!p->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	draw(p, &now);
	fputc('\n', stderr);
	p->on = 0;
}
