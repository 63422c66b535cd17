/* report.c — provtrace-report (`provtrace report`): a run as one self-contained HTML page
 * (inline CSS and SVG, no script, nothing fetched): summary, process tree, I/O timeline,
 * top files, the lineage of the job's outputs, MPI traffic, CUDA, and what was not seen.
 *
 * Large runs stay readable: every list has a bound, the timeline is binned, a parent's
 * children past a bound are folded into one line, and the page says what was folded. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gather.h"
#include "iri.h"
#include "json.h"
#include "lgraph.h"
#include "mpicheck.h"
#include "runset.h"
#include "sets.h"
#include "walk.h"
#include "collector/progress.h"
#include "collector/wire.h"

#define PROG "provtrace report"

/* The bounds that keep a report of any run small and quick to open */
#define MAX_KIDS 50          /* children shown under one parent */
#define MAX_PROCS 3000       /* processes shown in the tree */
#define MAX_FILES 40         /* rows of each top-files table */
#define NBINS 120            /* timeline bins */
#define MAX_ROWS 32          /* timeline rows (node, rank) */
#define MAX_RANKS 32         /* MPI matrix: more ranks are grouped */
#define MAX_JOBS 4           /* MPI jobs drawn */
#define MAX_KERNELS 40
#define MAX_GAPS 20          /* gaps listed per kind */
#define MAX_OUTPUTS 12       /* outputs whose lineage is drawn */
#define MAX_VERTICES 300     /* vertices of the lineage graph */
#define MAX_LINEAGE 16       /* --lineage paths */
#define ARGV_MAX 400         /* bytes of a command line shown */

/* ---- the run, gathered */

struct proc {
	size_t node;
	uint32_t id, parent;
	int32_t pid, rank;           /* rank -1: not an MPI rank */
	uint64_t start, end;
	uint32_t state;
	int32_t status;
	uint64_t rb, wb;
	char *argv;                  /* the command line, as bytes joined by spaces */
	size_t kid, sib;             /* first child, next sibling: index + 1 */
	size_t nkids;
	int shown;
};

struct file {
	uint8_t *name;
	size_t len;
	uint64_t rb, wb, rops, wops, sess;
	int read, written, moved_from, moved_to;
	uint64_t moved_bytes;
};

struct row {                     /* a timeline row: a node, or a rank on a node */
	size_t node;
	int32_t rank;
	double r[NBINS], w[NBINS];
	uint64_t rb, wb;
};

static struct {
	struct pt_runset rs;
	struct pt_runinfo ri;
	struct pt_counters c;
	struct proc *p;
	size_t np, capp;
	struct pt_u64map pidx;       /* node << 32 | proc -> index + 1 */
	struct file *f;
	size_t nf, capf;
	struct pt_u64map fidx;       /* hash of the name -> index + 1 */
	struct pt_u64map objidx;     /* node << 32 | obj -> file index + 1, 0: not a file */
	struct row *rows;
	size_t nrows;
	struct pt_u64map rowidx;     /* node << 32 | rank + 1 -> row + 1 */
	uint64_t t0, t1;
	struct pt_mpi_pairs pairs;
	struct pt_u64map ranks;      /* job -> size */
	struct pt_gpu gpu;
	struct pt_gap_list gaps;
	uint64_t pending;
	int have_top;
	int32_t top_status;
	struct pt_buf folded;        /* what was folded, as <li> lines */
	struct pt_progress bar;
	size_t node;                 /* the store being read */
	uint64_t seen;               /* items read in the current phase */
} R;

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n))) {
		fputs(PROG ": out of memory\n", stderr);
		exit(1);
	}
	return p;
}

/* ---- HTML output */

static struct pt_buf H;

static void out(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	pt_buf_grow(&H, (size_t)n + 1);
	va_start(ap, f);
	vsnprintf(H.p + H.len, (size_t)n + 1, f, ap);
	va_end(ap);
	H.len += (size_t)n;
}

/* Bytes from the program as HTML text: valid UTF-8 kept, markup escaped, control
 * characters and other bytes shown as \xNN. */
static void html_bytes(struct pt_buf *b, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = p[i] >= 0x80 ? pt_utf8_seq(p + i, n - i) : 1;
		char esc[8];
		if (k > 1) {
			pt_buf_put(b, p + i, k);
			i += k;
			continue;
		}
		switch (p[i]) {
		case '&': pt_buf_puts(b, "&amp;"); break;
		case '<': pt_buf_puts(b, "&lt;"); break;
		case '>': pt_buf_puts(b, "&gt;"); break;
		case '"': pt_buf_puts(b, "&quot;"); break;
		case '\'': pt_buf_puts(b, "&#39;"); break;
		default:
			if (p[i] < 0x20 || p[i] >= 0x7f) {
				snprintf(esc, sizeof esc, "\\x%02x", p[i]);
				pt_buf_puts(b, esc);
			} else {
				pt_buf_putc(b, (char)p[i]);
			}
		}
		i++;
	}
}

static void html(const char *s)
{
	html_bytes(&H, (const uint8_t *)s, strlen(s));
}

/* 1536 -> "1.5 KiB" */
static const char *size_str(uint64_t v, char *buf, size_t n)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	double d = (double)v;
	int u = 0;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, n, "%llu B", (unsigned long long)v);
	else
		snprintf(buf, n, "%.1f %s", d, unit[u]);
	return buf;
}

static const char *dur_str(uint64_t ns, char *buf, size_t n)
{
	if (ns < 1000000ull)
		snprintf(buf, n, "%.0f µs", (double)ns / 1e3);
	else if (ns < 1000000000ull)
		snprintf(buf, n, "%.1f ms", (double)ns / 1e6);
	else if (ns < 600000000000ull)
		snprintf(buf, n, "%.2f s", (double)ns / 1e9);
	else
		snprintf(buf, n, "%.1f min", (double)ns / 6e10);
	return buf;
}

static const char *time_str(uint64_t ns, char *buf, size_t n)
{
	time_t s = (time_t)(ns / 1000000000ull);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d.%03u UTC", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(ns / 1000000ull % 1000));
	return buf;
}

static void fold(const char *f, ...) __attribute__((format(printf, 1, 2)));
static void fold(const char *f, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, f);
	vsnprintf(line, sizeof line, f, ap);
	va_end(ap);
	pt_buf_puts(&R.folded, "<li>");
	html_bytes(&R.folded, (const uint8_t *)line, strlen(line));
	pt_buf_puts(&R.folded, "</li>\n");
}

/* ---- run.json */

/* The run's record, written when provtrace run finished: without it the run is not over
 * (or its launcher died), and its stores may still be written. */
static int read_run_json(const char *rundir, char *err, size_t errsz)
{
	struct pt_buf path = { 0 }, text = { 0 };
	struct stat sb;
	int r, rc = -1;

	pt_buf_puts(&path, rundir);
	pt_buf_puts(&path, "/nodes");
	if (stat(rundir, &sb) || !S_ISDIR(sb.st_mode) || stat(pt_buf_cstr(&path), &sb)) {
		snprintf(err, errsz, "%s: not a run directory (no nodes/ with node stores)", rundir);
		goto out;
	}
	path.len = 0;
	pt_buf_puts(&path, rundir);
	pt_buf_puts(&path, "/run.json");
	if ((r = pt_json_load(pt_buf_cstr(&path), &text))) {
		if (r == ENOENT)
			snprintf(err, errsz, "%s: not a finished run (no run.json: the job is still "
				 "running, or provtrace run did not end)", rundir);
		else
			snprintf(err, errsz, "%s: %s", pt_buf_cstr(&path), strerror(r));
		goto out;
	}
	if (pt_runinfo_parse(&text, &R.ri)) {
		snprintf(err, errsz, "%s: not a finished run's record (command, start_ns, end_ns)",
			 pt_buf_cstr(&path));
		goto out;
	}
	rc = 0;
out:
	pt_buf_free(&path);
	pt_buf_free(&text);
	return rc;
}

/* ---- processes */

static void tick(void)
{
	if ((++R.seen & 0xfff) == 0)
		pt_progress_set(&R.bar, R.seen, 0);
}

static char *argv_of(pt_store *st, uint32_t id)
{
	struct pt_ev ev;
	struct pt_buf b = { 0 };
	struct pt_mpr m;
	struct pt_bytes a;
	uint32_t n;

	if (pt_store_proc_start(st, id, &ev) == 0 && ev.n > 1 && ev.v[1].kind == PT_MP_ARRAY) {
		pt_mpr_init(&m, ev.v[1].b.p, ev.v[1].b.len);
		if (pt_mpr_array(&m, &n) == 0)
			for (uint32_t i = 0; i < n && b.len < ARGV_MAX && pt_mpr_bytes(&m, &a) == 0;
			     i++) {
				if (i)
					pt_buf_putc(&b, ' ');
				pt_buf_put(&b, a.p, a.len);
			}
		if (!b.len) {
			a = pt_ev_b(&ev, 0);
			pt_buf_put(&b, a.p, a.len);
		}
	}
	if (b.len > ARGV_MAX) {
		b.len = ARGV_MAX;
		pt_buf_puts(&b, " …");
	}
	pt_buf_cstr(&b);
	return b.p ? b.p : strdup("?");
}

static int on_proc(void *ctx, const struct pt_proc_rec *r)
{
	pt_store *st = ctx;
	struct pt_mpi_rank m;
	struct proc *p;
	int fresh;

	if (R.np == R.capp) {
		R.capp = R.capp ? 2 * R.capp : 256;
		R.p = xrealloc(R.p, R.capp * sizeof *R.p);
	}
	p = &R.p[R.np];
	*p = (struct proc){ .node = R.node, .id = r->id,
			    .parent = r->parent ? r->parent : r->exec_from, .pid = r->pid,
			    .rank = -1, .start = r->start_ns, .end = r->end_ns,
			    .state = r->end_state, .status = r->status, .rb = r->rbytes,
			    .wb = r->wbytes };
	if (pt_store_mpi_rank(st, r->id, &m) == 0) {
		uint64_t *size = pt_u64map_get(&R.ranks, m.job, 0, &fresh);
		p->rank = m.rank;
		if ((uint64_t)m.size > *size)
			*size = (uint64_t)m.size;
	}
	p->argv = argv_of(st, r->id);
	*pt_u64map_get(&R.pidx, (uint64_t)R.node << 32 | r->id, 0, &fresh) = ++R.np;
	tick();
	return 0;
}

/* Children under their parents, in the stores' order (ids follow the images' arrival). */
static void link_tree(void)
{
	size_t *last = xrealloc(NULL, (R.np + 1) * sizeof *last);

	memset(last, 0, (R.np + 1) * sizeof *last);
	for (size_t i = 0; i < R.np; i++) {
		struct proc *p = &R.p[i];
		const uint64_t *par;
		if (!p->parent ||
		    !(par = pt_u64map_find(&R.pidx, (uint64_t)p->node << 32 | p->parent)) ||
		    *par - 1 == i)
			continue;
		struct proc *q = &R.p[*par - 1];
		if (last[*par - 1])
			R.p[last[*par - 1] - 1].sib = i + 1;
		else
			q->kid = i + 1;
		last[*par - 1] = i + 1;
		q->nkids++;
		p->parent = (uint32_t)-1;   /* linked: not a root */
	}
	free(last);
}

/* ---- files and the timeline, from the sessions */

static struct row *row_of(size_t node, int32_t rank)
{
	uint64_t key = (uint64_t)node << 32 | (uint32_t)(rank + 1);
	int fresh;
	uint64_t *i = pt_u64map_get(&R.rowidx, key, 0, &fresh);

	if (fresh) {
		R.rows = xrealloc(R.rows, (R.nrows + 1) * sizeof *R.rows);
		memset(&R.rows[R.nrows], 0, sizeof *R.rows);
		R.rows[R.nrows].node = node;
		R.rows[R.nrows].rank = rank;
		*i = ++R.nrows;
	}
	return &R.rows[*i - 1];
}

static size_t bin_of(uint64_t t)
{
	if (t <= R.t0)
		return 0;
	if (t >= R.t1)
		return NBINS - 1;
	return (size_t)((double)(t - R.t0) * NBINS / (double)(R.t1 - R.t0 + 1));
}

/* bytes moved between first and last, spread evenly over their bins */
static void spread(double *bins, uint64_t first, uint64_t last, uint64_t bytes)
{
	size_t a, b;

	if (!bytes)
		return;
	if (!first)
		first = last;
	if (last < first)
		last = first;
	a = bin_of(first);
	b = bin_of(last);
	for (size_t i = a; i <= b; i++)
		bins[i] += (double)bytes / (double)(b - a + 1);
}

static struct file *file_of(uint32_t obj)
{
	uint64_t key = (uint64_t)R.node << 32 | obj, *slot, *fi;
	const uint8_t *name;
	size_t len;
	uint32_t kind;
	int fresh;

	slot = pt_u64map_get(&R.objidx, key, 0, &fresh);
	if (!fresh)
		return *slot ? &R.f[*slot - 1] : NULL;
	if (pt_store_obj_name(R.rs.st[R.node], obj, &name, &len, &kind) || kind != PT_KIND_FILE)
		return NULL;
	/* the same path on two nodes of a shared file system is one file */
	fi = pt_u64map_get(&R.fidx, pt_hash_bytes(name, len), 0, &fresh);
	if (fresh) {
		if (R.nf == R.capf) {
			R.capf = R.capf ? 2 * R.capf : 256;
			R.f = xrealloc(R.f, R.capf * sizeof *R.f);
		}
		R.f[R.nf] = (struct file){ .name = xrealloc(NULL, len + 1), .len = len };
		memcpy(R.f[R.nf].name, name, len);
		R.f[R.nf].name[len] = 0;
		*fi = ++R.nf;
	}
	*slot = *fi;
	return &R.f[*fi - 1];
}

static int on_sess(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s)
{
	const uint64_t *pi = pt_u64map_find(&R.pidx, (uint64_t)R.node << 32 | proc);
	struct file *f;
	struct row *w;

	(void)ctx;
	(void)sid;
	tick();
	if (!s->rbytes && !s->wbytes && !s->rops && !s->wops)
		return 0;
	if ((s->kind == PT_KIND_FILE || s->kind == PT_KIND_MPI_FILE) && (f = file_of(s->obj))) {
		f->rb += s->rbytes;
		f->wb += s->wbytes;
		f->rops += s->rops;
		f->wops += s->wops;
		f->sess++;
		f->read |= s->rbytes > 0;
		f->written |= s->wbytes > 0;
	}
	if (s->kind != PT_KIND_FILE && s->kind != PT_KIND_MPI_FILE)
		return 0;
	w = row_of(R.node, pi ? R.p[*pi - 1].rank : -1);
	spread(w->r, s->rfirst, s->rlast, s->rbytes);
	spread(w->w, s->wfirst, s->wlast, s->wbytes);
	w->rb += s->rbytes;
	w->wb += s->wbytes;
	return 0;
}

/* A rename or link moves a file's data to another name: the first is no output, the
 * second is one (with the bytes the first was written with). */
static int on_flow(void *ctx, uint32_t a, uint32_t b, uint64_t ts, uint32_t kind)
{
	struct file *from, *to;

	(void)ctx;
	(void)ts;
	if (kind != PT_FLOW_RENAME && kind != PT_FLOW_LINK)
		return 0;
	from = file_of(a);
	to = file_of(b);
	if (from && kind == PT_FLOW_RENAME)
		from->moved_from = 1;
	if (to) {
		to->moved_to = 1;
		if (from)
			to->moved_bytes += from->wb;
	}
	return 0;
}

static int on_p2p(void *ctx, uint32_t proc, int32_t peer, uint32_t op,
		  const struct pt_mpi_traffic *t)
{
	pt_store *st = ctx;
	struct pt_mpi_rank m;

	if (pt_store_mpi_rank(st, proc, &m) || op >= PT_MPI_P2P_OPS)
		return 0;
	pt_mpi_pairs_add(&R.pairs, m.job, m.rank, peer, PT_MPI_P2P_SENDS(op), t->msgs, t->bytes);
	return 0;
}

static int log_rec(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	(void)ctx;
	tick();
	return pt_gpu_rec(&R.gpu, seq, proc, rec, len);
}

static int gather(void)
{
	int r;

	pt_progress_start(&R.bar, PROG ": processes", "processes", R.c.procs);
	R.seen = 0;
	for (R.node = 0; R.node < R.rs.n; R.node++)
		if ((r = pt_store_each_proc(R.rs.st[R.node], on_proc, R.rs.st[R.node])))
			return r;
	pt_progress_set(&R.bar, R.seen, 0);
	pt_progress_end(&R.bar);
	link_tree();

	/* the timeline spans the run */
	R.t0 = (uint64_t)R.ri.start_ns;
	R.t1 = (uint64_t)R.ri.end_ns;
	for (size_t i = 0; i < R.np; i++) {
		if (R.p[i].start && R.p[i].start < R.t0)
			R.t0 = R.p[i].start;
		if (R.p[i].end > R.t1)
			R.t1 = R.p[i].end;
	}
	if (R.t1 <= R.t0)
		R.t1 = R.t0 + 1;

	pt_progress_start(&R.bar, PROG ": sessions", "sessions", R.c.sessions);
	R.seen = 0;
	for (R.node = 0; R.node < R.rs.n; R.node++) {
		pt_store *st = R.rs.st[R.node];
		if ((r = pt_store_each_sess(st, 0, on_sess, NULL)) ||
		    (r = pt_store_each_flow(st, 0, 0, on_flow, NULL)) ||
		    (r = pt_store_each_mpi_p2p(st, 0, on_p2p, st)))
			return r;
	}
	pt_progress_set(&R.bar, R.seen, 0);
	pt_progress_end(&R.bar);

	pt_progress_start(&R.bar, PROG ": event log", "records", R.c.events);
	R.seen = 0;
	for (R.node = 0; R.node < R.rs.n; R.node++) {
		pt_store *st = R.rs.st[R.node];
		int32_t top[2];
		size_t n = sizeof top;
		uint64_t pend, now;

		R.gpu.node = (uint32_t)R.node;
		R.gaps.st = st;
		R.gaps.node = R.node;
		if ((r = pt_store_each_gap(st, pt_gap_rec, &R.gaps)) ||
		    (r = pt_store_each_log(st, 0, log_rec, NULL)))
			return r;
		if (pt_store_meta_get(st, "top", top, &n) == 0 && n == sizeof top) {
			R.have_top = 1;
			R.top_status = top[1];
		}
		if (pt_store_index_info(st, &pend, &now) == 0)
			R.pending += pend;
	}
	pt_progress_set(&R.bar, R.seen, 0);
	pt_progress_end(&R.bar);
	pt_gap_sort(&R.gaps);
	return 0;
}

/* ---- the page */

static const char CSS[] =
	"body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
	"margin:0 auto;max-width:1200px;padding:0 16px 40px;color:#1d1d1f}"
	"h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 8px;"
	"border-bottom:1px solid #ddd;padding-bottom:4px}"
	"code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}"
	"table{border-collapse:collapse;margin:6px 0}table.files{width:100%}"
	"table.files td.mono{word-break:break-all}td,th{padding:2px 8px;text-align:left;"
	"vertical-align:top;border-bottom:1px solid #eee}th{background:#f5f5f7}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}"
	"dl.sum{display:grid;grid-template-columns:max-content auto;gap:2px 16px}"
	"dl.sum dt{color:#555}dl.sum dd{margin:0}"
	"ul.tree,ul.tree ul{list-style:none;padding-left:18px;margin:0}"
	"ul.tree{padding-left:0}ul.tree li{margin:1px 0}"
	"ul.tree summary{cursor:pointer}ul.tree .leaf{margin-left:14px;display:inline-block}"
	".pid{color:#555}.ok{color:#1a7f37}.bad{color:#c62828}.run{color:#b26a00}"
	".io{color:#555}.more{color:#777;font-style:italic;margin-left:14px}"
	".note{color:#555}.warn{color:#c62828;font-weight:600}"
	".graph{overflow:auto;border:1px solid #ddd;max-height:900px}"
	".mx td{text-align:right;font-size:12px;min-width:46px}"
	"nav a{margin-right:12px}";

static void status_html(const struct proc *p)
{
	int st = p->status;

	switch (p->state) {
	case PT_END_EXITED:
		if (st >= 0 && (st & 0x7f) == 0)
			out("<span class=\"%s\">exit %d</span>", (st >> 8 & 0xff) ? "bad" : "ok",
			    st >> 8 & 0xff);
		else if (st >= 0)
			out("<span class=\"bad\">killed by signal %d</span>", st & 0x7f);
		else
			out("<span class=\"ok\">exited</span>");
		break;
	case PT_END_EXECED:
		out("<span class=\"ok\">replaced by exec</span>");
		break;
	case PT_END_DIED:
		if (st > 0 && (st & 0x7f))
			out("<span class=\"bad\">killed by signal %d</span>", st & 0x7f);
		else
			out("<span class=\"bad\">killed</span>");
		break;
	default:
		out("<span class=\"run\">running at the end</span>");
	}
}

static size_t shown_procs, tree_folded_kids, tree_folded_depth, tree_folded_total;

static size_t descendants(size_t i)
{
	size_t n = 0, stack_cap = 64, top = 0;
	size_t *stack = xrealloc(NULL, stack_cap * sizeof *stack);

	stack[top++] = i;
	while (top) {
		const struct proc *p = &R.p[stack[--top]];
		for (size_t k = p->kid; k; k = R.p[k - 1].sib) {
			n++;
			if (top == stack_cap)
				stack = xrealloc(stack, (stack_cap *= 2) * sizeof *stack);
			stack[top++] = k - 1;
		}
	}
	free(stack);
	return n;
}

static void proc_line(const struct proc *p)
{
	char a[32], b[32], d[32];

	out("<span class=\"pid\">pid %d</span>", (int)p->pid);
	if (p->rank >= 0)
		out(" <span class=\"pid\">rank %d</span>", (int)p->rank);
	out(" <code>");
	html(p->argv);
	out("</code> ");
	status_html(p);
	out(" <span class=\"io\">%s", p->end > p->start ? dur_str(p->end - p->start, d, sizeof d) : "");
	out(" · read %s · written %s</span>", size_str(p->rb, a, sizeof a),
	    size_str(p->wb, b, sizeof b));
}

static void tree(size_t i, unsigned depth)
{
	struct proc *p = &R.p[i];
	size_t shown = 0, left = 0;
	uint64_t lr = 0, lw = 0;

	p->shown = 1;
	shown_procs++;
	out("<li data-pid=\"%d\" data-node=\"", (int)p->pid);
	html(R.rs.name[p->node]);
	out("\">");
	if (!p->kid) {
		out("<span class=\"leaf\">");
		proc_line(p);
		out("</span></li>\n");
		return;
	}
	out("<details%s><summary>", depth < 3 ? " open" : "");
	proc_line(p);
	out(" <span class=\"note\">(%zu child%s)</span></summary>\n<ul>\n", p->nkids,
	    p->nkids == 1 ? "" : "ren");
	if (depth >= 64) {
		size_t n = descendants(i);
		out("<li class=\"more\">… %zu descendants deeper than 64 levels, not shown</li>\n", n);
		tree_folded_depth += n;
	} else {
		for (size_t k = p->kid; k; k = R.p[k - 1].sib) {
			if (shown < MAX_KIDS && shown_procs < MAX_PROCS) {
				tree(k - 1, depth + 1);
				shown++;
				continue;
			}
			left += 1 + descendants(k - 1);
			lr += R.p[k - 1].rb;
			lw += R.p[k - 1].wb;
		}
	}
	if (left) {
		char a[32], b[32];
		out("<li class=\"more\">… and %zu more (processes and their descendants; "
		    "their own reads %s, writes %s)</li>\n", left, size_str(lr, a, sizeof a),
		    size_str(lw, b, sizeof b));
		tree_folded_kids += left;
	}
	out("</ul></details></li>\n");
}

static void section_tree(void)
{
	size_t roots = 0;

	out("<h2 id=\"processes\">Process tree</h2>\n<p class=\"note\">Each process image: pid, "
	    "command line, how it ended, how long it ran, the bytes it read and wrote through "
	    "files. Click a line to fold or unfold its children.</p>\n");
	for (size_t n = 0; n < R.rs.n; n++) {
		if (R.rs.n > 1) {
			out("<h3>node ");
			html(R.rs.name[n]);
			out("</h3>\n");
		}
		out("<ul class=\"tree\">\n");
		for (size_t i = 0; i < R.np; i++) {
			if (R.p[i].node != n || R.p[i].parent == (uint32_t)-1)
				continue;
			roots++;
			if (shown_procs < MAX_PROCS) {
				tree(i, 0);
			} else {
				tree_folded_total += 1 + descendants(i);
			}
		}
		out("</ul>\n");
	}
	if (tree_folded_total)
		out("<p class=\"more\">… and %zu more processes under further top-level processes "
		    "(the tree shows at most %d)</p>\n", tree_folded_total, MAX_PROCS);
	if (tree_folded_kids || tree_folded_total || tree_folded_depth)
		fold("process tree: %zu of %zu processes shown; past %d children of one parent or "
		     "%d processes in all, the rest is one line each (\"… and K more\")",
		     shown_procs, R.np, MAX_KIDS, MAX_PROCS);
	(void)roots;
}

/* ---- timeline */

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	uint64_t u = x->rb + x->wb, v = y->rb + y->wb;

	if (u != v)
		return u < v ? 1 : -1;
	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

static int row_order(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return (x->rank > y->rank) - (x->rank < y->rank);
}

static void section_timeline(void)
{
	const int W = 960, LW = 170, BH = 10, GAP = 6;
	size_t n = R.nrows;
	double max = 0, bw = (double)(W - LW) / NBINS, span = (double)(R.t1 - R.t0) / 1e9;
	char a[32], b[32];

	out("<h2 id=\"timeline\">I/O timeline</h2>\n");
	if (!n) {
		out("<p>No file was read or written.</p>\n");
		return;
	}
	if (n)
		qsort(R.rows, n, sizeof *R.rows, row_cmp);
	if (n > MAX_ROWS) {
		struct row *o = &R.rows[MAX_ROWS - 1];
		size_t folded = n - (MAX_ROWS - 1);
		for (size_t i = MAX_ROWS; i < n; i++) {
			for (size_t k = 0; k < NBINS; k++) {
				o->r[k] += R.rows[i].r[k];
				o->w[k] += R.rows[i].w[k];
			}
			o->rb += R.rows[i].rb;
			o->wb += R.rows[i].wb;
		}
		o->rank = -2;
		fold("I/O timeline: the %zu rows with the least I/O are one row (\"%zu others\")",
		     folded, folded);
		n = MAX_ROWS;
		qsort(R.rows, n - 1, sizeof *R.rows, row_order);
	} else {
		qsort(R.rows, n, sizeof *R.rows, row_order);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < NBINS; k++) {
			if (R.rows[i].r[k] > max)
				max = R.rows[i].r[k];
			if (R.rows[i].w[k] > max)
				max = R.rows[i].w[k];
		}
	out("<p class=\"note\">Bytes read (blue) and written (red) through files, per node and "
	    "MPI rank, in %d bins of %s over the run; a session's bytes are spread evenly "
	    "between its first and last transfer. Darker: more bytes (the darkest bin: %s).</p>\n",
	    NBINS, dur_str((R.t1 - R.t0) / NBINS, a, sizeof a), size_str((uint64_t)max, b, sizeof b));
	int H0 = 24, RH = 2 * BH + GAP, HT = H0 + (int)n * RH + 4;
	out("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "font-size=\"11\" font-family=\"sans-serif\" role=\"img\" aria-label=\"I/O timeline\">\n",
	    W, HT);
	for (int t = 0; t <= 4; t++) {
		double x = LW + (W - LW - 1) * t / 4.0;
		out("<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
		    "<text x=\"%.1f\" y=\"11\" text-anchor=\"%s\">%.3g s</text>\n", x, x, HT, x,
		    t == 0 ? "start" : t == 4 ? "end" : "middle", span * t / 4);
	}
	for (size_t i = 0; i < n; i++) {
		const struct row *w = &R.rows[i];
		int y = H0 + (int)i * RH;
		out("<text x=\"0\" y=\"%d\"><title>read %s, written %s</title>", y + BH + 4,
		    size_str(w->rb, a, sizeof a), size_str(w->wb, b, sizeof b));
		if (w->rank == -2) {
			out("%zu others", R.nrows - (MAX_ROWS - 1));
		} else {
			html(R.rs.name[w->node]);
			if (w->rank >= 0)
				out(" rank %d", (int)w->rank);
		}
		out("</text>\n");
		for (int d = 0; d < 2; d++) {
			const double *v = d ? w->w : w->r;
			for (size_t k = 0; k < NBINS; k++) {
				if (v[k] <= 0)
					continue;
				double op = 0.15 + 0.85 * (max > 0 ? v[k] / max : 0);
				out("<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" "
				    "fill-opacity=\"%.2f\"><title>%s %s</title></rect>\n", LW + k * bw,
				    y + d * BH, bw, BH - 1, d ? "#d62728" : "#1f77b4", op,
				    d ? "written" : "read", size_str((uint64_t)v[k], a, sizeof a));
			}
		}
	}
	out("</svg>\n");
}

/* ---- top files */

static int by_bytes(const void *a, const void *b)
{
	const struct file *x = *(struct file *const *)a, *y = *(struct file *const *)b;
	uint64_t u = x->rb + x->wb, v = y->rb + y->wb;

	if (u != v)
		return u < v ? 1 : -1;
	return strcmp((const char *)x->name, (const char *)y->name);
}

static int by_ops(const void *a, const void *b)
{
	const struct file *x = *(struct file *const *)a, *y = *(struct file *const *)b;
	uint64_t u = x->rops + x->wops, v = y->rops + y->wops;

	if (u != v)
		return u < v ? 1 : -1;
	return strcmp((const char *)x->name, (const char *)y->name);
}

static void file_table(struct file **v, size_t n, const char *title)
{
	char a[32], b[32];

	out("<h3>%s</h3>\n<table class=\"files\"><tr><th>file</th><th class=\"n\">read</th>"
	    "<th class=\"n\">written</th><th class=\"n\">read ops</th><th class=\"n\">write ops</th>"
	    "<th class=\"n\">opens</th></tr>\n", title);
	for (size_t i = 0; i < n && i < MAX_FILES; i++) {
		out("<tr><td class=\"mono\">");
		html_bytes(&H, v[i]->name, v[i]->len);
		out("</td><td class=\"n\">%s</td><td class=\"n\">%s</td><td class=\"n\">%llu</td>"
		    "<td class=\"n\">%llu</td><td class=\"n\">%llu</td></tr>\n",
		    size_str(v[i]->rb, a, sizeof a), size_str(v[i]->wb, b, sizeof b),
		    (unsigned long long)v[i]->rops, (unsigned long long)v[i]->wops,
		    (unsigned long long)v[i]->sess);
	}
	out("</table>\n");
}

static void section_files(void)
{
	struct file **v;
	size_t n = 0;

	out("<h2 id=\"files\">Top files</h2>\n");
	v = xrealloc(NULL, (R.nf + 1) * sizeof *v);
	for (size_t i = 0; i < R.nf; i++)
		if (R.f[i].sess)
			v[n++] = &R.f[i];
	if (!n) {
		out("<p>No file moved data.</p>\n");
		free(v);
		return;
	}
	out("<p class=\"note\">%zu files moved data%s.</p>\n", n,
	    n > MAX_FILES ? "; each table shows the first 40" : "");
	qsort(v, n, sizeof *v, by_bytes);
	file_table(v, n, "By bytes");
	qsort(v, n, sizeof *v, by_ops);
	file_table(v, n, "By operations");
	if (n > MAX_FILES)
		fold("top files: %d of %zu files in each table", MAX_FILES, n);
	free(v);
}

/* ---- lineage of the outputs */

static int by_output(const void *a, const void *b)
{
	const struct file *x = *(struct file *const *)a, *y = *(struct file *const *)b;
	uint64_t u = x->wb + x->moved_bytes, v = y->wb + y->moved_bytes;

	if (u != v)
		return u < v ? 1 : -1;
	return strcmp((const char *)x->name, (const char *)y->name);
}

static pt_lgraph *draw(struct file **o, size_t n, unsigned depth)
{
	pt_lgraph *g = pt_lgraph_new(&R.rs, 0);

	for (size_t i = 0; i < n; i++)
		pt_lgraph_walk(g, o[i]->name, o[i]->len, 1, depth);
	return g;
}

static void section_lineage(char **paths, size_t npaths)
{
	struct file **o = xrealloc(NULL, (R.nf + npaths + 1) * sizeof *o);
	struct file *given = NULL;
	size_t n = 0, drawn = 0;
	pt_lgraph *g = NULL;
	char *svg = NULL;
	size_t len = 0, nv;

	out("<h2 id=\"lineage\">Lineage of the outputs</h2>\n");
	if (npaths) {
		given = xrealloc(NULL, npaths * sizeof *given);
		for (size_t i = 0; i < npaths; i++) {
			given[i] = (struct file){ .name = (uint8_t *)paths[i], .len = strlen(paths[i]) };
			o[n++] = &given[i];
		}
	} else {
		/* outputs: files written (or renamed into place) that no process read and that
		 * were not renamed away */
		for (size_t i = 0; i < R.nf; i++) {
			struct file *f = &R.f[i];
			if ((f->written || f->moved_to) && !f->read && !f->moved_from &&
			    pt_walk_shown(f->name, f->len))
				o[n++] = f;
		}
		if (n)
			qsort(o, n, sizeof *o, by_output);
	}
	if (!n) {
		out("<p>The job wrote no file that it did not read again.</p>\n");
		goto out;
	}
	pt_progress_start(&R.bar, PROG ": lineage", "outputs", n < MAX_OUTPUTS ? n : MAX_OUTPUTS);
	/* the largest output's lineage, as deep as the bound on vertices allows */
	static const unsigned depths[] = { ~0u, 8, 4, 3, 2, 1, 0 };
	unsigned depth = 0;
	for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
		g = draw(o, 1, depth = depths[d]);
		if (pt_lgraph_count(g, NULL, NULL) <= MAX_VERTICES || !depths[d])
			break;
		pt_lgraph_free(g);
		g = NULL;
	}
	drawn = 1;
	if (depth != ~0u) {
		out("<p class=\"warn\">Drawn %u process%s back from the outputs only: the whole "
		    "lineage has more than %d vertices (provtrace graph draws all of it).</p>\n",
		    depth, depth == 1 ? "" : "es", MAX_VERTICES);
		fold("lineage: drawn %u process%s deep (the whole lineage of the largest output "
		     "has more than %d vertices)", depth, depth == 1 ? "" : "es", MAX_VERTICES);
	}
	/* then as many more outputs as the bound allows, the largest first */
	for (size_t k = 2; k <= n && k <= MAX_OUTPUTS; k++) {
		pt_lgraph *t = draw(o, k, depth);
		if (pt_lgraph_count(t, NULL, NULL) > MAX_VERTICES) {
			pt_lgraph_free(t);
			break;
		}
		pt_lgraph_free(g);
		g = t;
		drawn = k;
		pt_progress_set(&R.bar, k, 0);
	}
	pt_progress_set(&R.bar, drawn, drawn);   /* the bound was reached: that was all */
	pt_progress_end(&R.bar);
	nv = pt_lgraph_count(g, NULL, NULL);
	out("<p class=\"note\">The files the job's outputs were made from, back in time, in "
	    "PROV's conventions: file versions as yellow ellipses, processes as blue rectangles, "
	    "the user as an orange house; each arrow points from the later to the earlier "
	    "(wasGeneratedBy, used, wasDerivedFrom, wasInformedBy), one box per node; %zu "
	    "vertices. Outputs drawn:</p>\n<ul>\n", nv);
	for (size_t i = 0; i < drawn; i++) {
		out("<li class=\"mono\">");
		html_bytes(&H, o[i]->name, o[i]->len);
		out("</li>\n");
	}
	out("</ul>\n");
	if (drawn < n) {
		out("<p class=\"more\">… and %zu more outputs, not drawn</p>\n", n - drawn);
		fold("lineage: %zu of %zu outputs drawn (at most %d, and at most %d vertices)",
		     drawn, n, MAX_OUTPUTS, MAX_VERTICES);
	}
	if (pt_lgraph_render(g, "svg", &svg, &len)) {
		out("<p class=\"warn\">Graphviz could not draw the graph.</p>\n");
		goto out;
	}
	/* inline: from the <svg> element on (no XML prolog or doctype inside HTML) */
	char *s = svg ? memmem(svg, len, "<svg", 4) : NULL;
	out("<div class=\"graph\">\n");
	if (s)
		pt_buf_put(&H, s, len - (size_t)(s - svg));
	out("</div>\n");
out:
	pt_lgraph_render_free(svg);
	pt_lgraph_free(g);
	free(given);
	free(o);
}

/* ---- MPI */

static void job_name(uint64_t job, char *name, size_t size)
{
	for (size_t i = 0; i < R.rs.n; i++) {
		size_t n = size - 1;
		if (pt_store_mpi_job(R.rs.st[i], job, name, &n) == 0) {
			name[n < size - 1 ? n : size - 1] = 0;
			return;
		}
	}
	snprintf(name, size, "%016llx", (unsigned long long)job);
}

static void section_mpi(void)
{
	size_t jobs = 0;

	if (!R.ranks.n)
		return;
	out("<h2 id=\"mpi\">MPI communication</h2>\n<p class=\"note\">Point-to-point traffic "
	    "from each rank (row) to each peer (column), as the sender counted it: bytes and "
	    "messages.</p>\n");
	for (size_t ji = 0; ji < R.ranks.cap; ji++) {
		if (!R.ranks.used[ji])
			continue;
		uint64_t job = R.ranks.key[ji];
		int64_t size = (int64_t)R.ranks.val[ji];
		if (jobs++ >= MAX_JOBS)
			continue;
		for (size_t i = 0; i < R.pairs.n; i++) {
			const struct pt_mpi_pair *x = &R.pairs.p[i];
			if (x->job == job && (x->rank >= size || x->peer >= size))
				size = (x->rank > x->peer ? x->rank : x->peer) + 1;
		}
		if (size <= 0)
			continue;
		int64_t grp = (size + MAX_RANKS - 1) / MAX_RANKS, m = (size + grp - 1) / grp;
		uint64_t *bytes = xrealloc(NULL, (size_t)(m * m) * sizeof *bytes);
		uint64_t *msgs = xrealloc(NULL, (size_t)(m * m) * sizeof *msgs), max = 0;
		char name[256], a[32];
		memset(bytes, 0, (size_t)(m * m) * sizeof *bytes);
		memset(msgs, 0, (size_t)(m * m) * sizeof *msgs);
		for (size_t i = 0; i < R.pairs.n; i++) {
			const struct pt_mpi_pair *x = &R.pairs.p[i];
			if (x->job != job || x->rank < 0 || x->peer < 0)
				continue;
			size_t c = (size_t)(x->rank / grp * m + x->peer / grp);
			bytes[c] += x->sbytes;
			msgs[c] += x->smsgs;
			if (bytes[c] > max)
				max = bytes[c];
		}
		job_name(job, name, sizeof name);
		out("<h3>job <code>");
		html(name);
		out("</code>: %lld ranks</h3>\n", (long long)size);
		if (grp > 1) {
			out("<p class=\"note\">Ranks grouped by %lld: each cell adds up a block.</p>\n",
			    (long long)grp);
			fold("MPI matrix of job %s: %lld ranks in blocks of %lld", name,
			     (long long)size, (long long)grp);
		}
		out("<table class=\"mx\"><tr><th>from \\ to</th>");
		for (int64_t j = 0; j < m; j++)
			out(grp > 1 ? "<th class=\"n\">%lld–%lld</th>" : "<th class=\"n\">%lld</th>",
			    (long long)(j * grp), (long long)((j + 1) * grp - 1));
		out("</tr>\n");
		for (int64_t i = 0; i < m; i++) {
			out(grp > 1 ? "<tr><th>%lld–%lld</th>" : "<tr><th>%lld</th>",
			    (long long)(i * grp), (long long)((i + 1) * grp - 1));
			for (int64_t j = 0; j < m; j++) {
				size_t c = (size_t)(i * m + j);
				if (!msgs[c] && !bytes[c]) {
					out("<td></td>");
					continue;
				}
				out("<td style=\"background:rgba(31,119,180,%.2f)\" title=\"%lld → %lld: "
				    "%llu messages, %llu bytes\">%s<br>%llu msg</td>",
				    max ? 0.08 + 0.6 * (double)bytes[c] / (double)max : 0.08,
				    (long long)(i * grp), (long long)(j * grp),
				    (unsigned long long)msgs[c], (unsigned long long)bytes[c],
				    size_str(bytes[c], a, sizeof a), (unsigned long long)msgs[c]);
			}
			out("</tr>\n");
		}
		out("</table>\n");
		free(bytes);
		free(msgs);
	}
	if (jobs > MAX_JOBS) {
		out("<p class=\"more\">… and %zu more MPI jobs</p>\n", jobs - MAX_JOBS);
		fold("MPI: %d of %zu jobs drawn", MAX_JOBS, jobs);
	}
}

/* ---- CUDA */

struct kernel {
	const uint8_t *name;
	uint64_t launches, timed, ns;
};

static int by_launches(const void *a, const void *b)
{
	const struct kernel *x = a, *y = b;

	if (x->launches != y->launches)
		return x->launches < y->launches ? 1 : -1;
	return strcmp((const char *)x->name, (const char *)y->name);
}

static void section_cuda(void)
{
	static const char *const copy[PT_COPY_KINDS] = { [PT_COPY_HTOD] = "host to device",
		[PT_COPY_DTOH] = "device to host", [PT_COPY_DTOD] = "device to device",
		[PT_COPY_PTOP] = "peer to peer" };
	struct pt_gpu_totals t;
	struct pt_u64map idx = { 0 };
	struct kernel *k;
	size_t nk = 0;
	char a[32];

	if (!R.gpu.procs.n)
		return;
	pt_gpu_sum(&R.gpu, &t);
	k = xrealloc(NULL, (R.gpu.n + 1) * sizeof *k);
	for (size_t i = 0; i < R.gpu.n; i++) {
		const struct pt_gpu_ent *e = &R.gpu.e[i];
		int fresh;
		if (e->type != PT_EV_CUDA_KERNEL || !e->key)
			continue;
		uint64_t *s = pt_u64map_get(&idx, pt_hash_bytes(e->key, e->klen), 0, &fresh);
		if (fresh) {
			k[nk] = (struct kernel){ e->key, 0, 0, 0 };
			*s = ++nk;
		}
		k[*s - 1].launches += e->v[0];
		k[*s - 1].timed += e->v[1];
		k[*s - 1].ns += e->v[2];
	}
	if (nk)
		qsort(k, nk, sizeof *k, by_launches);
	out("<h2 id=\"cuda\">CUDA</h2>\n<p>%zu process%s on %zu device%s: %llu kernel launches "
	    "of %zu kernels, %llu graph launches; %llu copies moving %s",
	    R.gpu.procs.n, R.gpu.procs.n == 1 ? "" : "es", R.gpu.devices.n,
	    R.gpu.devices.n == 1 ? "" : "s", (unsigned long long)t.launches, R.gpu.kernels.n,
	    (unsigned long long)t.graph_launches, (unsigned long long)t.copies,
	    size_str(t.copy_bytes, a, sizeof a));
	for (int c = 0; c < PT_COPY_KINDS; c++)
		if (copy[c] && t.copy_kind[c])
			out("; %s %s", copy[c], size_str(t.copy_kind[c], a, sizeof a));
	out("; %llu sets of %s.</p>\n<table><tr><th>kernel</th><th class=\"n\">launches</th>"
	    "<th class=\"n\">timed</th><th class=\"n\">GPU time</th></tr>\n",
	    (unsigned long long)t.sets, size_str(t.set_bytes, a, sizeof a));
	for (size_t i = 0; i < nk && i < MAX_KERNELS; i++) {
		out("<tr><td class=\"mono\">");
		html((const char *)k[i].name);
		out("</td><td class=\"n\">%llu</td><td class=\"n\">%llu</td><td class=\"n\">%s</td>"
		    "</tr>\n", (unsigned long long)k[i].launches, (unsigned long long)k[i].timed,
		    k[i].timed ? dur_str(k[i].ns, a, sizeof a) : "");
	}
	out("</table>\n");
	if (nk > MAX_KERNELS)
		fold("CUDA: %d of %zu kernels listed (by launches)", MAX_KERNELS, nk);
	pt_u64map_free(&idx);
	free(k);
}

/* ---- coverage */

static void section_coverage(void)
{
	uint64_t lost = R.c.dropped + R.c.torn + R.c.corrupt;
	struct pt_gpu_totals t;

	out("<h2 id=\"coverage\">What was not seen</h2>\n<ul>\n");
	if (R.rs.nmissing) {
		char names[1024];
		out("<li class=\"warn\">INCOMPLETE: no store for %zu node%s the job ran on (",
		    R.rs.nmissing, R.rs.nmissing == 1 ? "" : "s");
		html(pt_runset_missing(&R.rs, names, sizeof names));
		out("): what happened there is not in this record.</li>\n");
	}
	if (lost)
		out("<li class=\"warn\">%llu events were lost: %llu dropped in processes (their "
		    "buffer stayed full longer than PROVTRACE_WAIT_MS), %llu torn (cut by the death "
		    "of the process writing them), %llu unreadable.</li>\n",
		    (unsigned long long)lost, (unsigned long long)R.c.dropped,
		    (unsigned long long)R.c.torn, (unsigned long long)R.c.corrupt);
	else
		out("<li>No event was lost: none dropped, torn or unreadable.</li>\n");
	if (!R.gaps.n)
		out("<li>No coverage gap: every program the job started was traced (no statically "
		    "linked or set-id program, no io_uring, no raw system call seen).</li>\n");
	for (size_t i = 0, shown = 0; i < R.gaps.n; i++) {
		const struct pt_gap_ent *e = &R.gaps.e[i];
		if (i == 0 || e->kind != R.gaps.e[i - 1].kind) {
			size_t same = 0;
			for (size_t j = i; j < R.gaps.n && R.gaps.e[j].kind == e->kind; j++)
				same++;
			if (i)
				out("</ul></li>\n");
			out("<li><b>%s</b> (%zu): ", pt_gap_name(e->kind), same);
			html(pt_gap_meaning(e->kind));
			out("<ul>\n");
			shown = 0;
		}
		if (shown++ >= MAX_GAPS) {
			if (shown == MAX_GAPS + 1) {
				size_t more = 0;
				for (size_t j = i; j < R.gaps.n && R.gaps.e[j].kind == e->kind; j++)
					more++;
				out("<li class=\"more\">… and %zu more (provtrace stat --json lists "
				    "every one)</li>\n", more);
				fold("coverage: %d gaps of kind %s listed, %zu more counted", MAX_GAPS,
				     pt_gap_name(e->kind), more);
			}
			continue;
		}
		if (e->pid) {
			out("<li>pid %d <code>", (int)e->pid);
			html_bytes(&H, e->exe ? e->exe : (const uint8_t *)"", e->exe_len);
			out("</code>");
		} else {
			out("<li>node ");
			html(R.rs.name[e->node]);
		}
		out(": <code>");
		html_bytes(&H, e->detail, e->detail_len);
		out("</code></li>\n");
	}
	if (R.gaps.n)
		out("</ul></li>\n");
	if (R.gpu.procs.n) {
		pt_gpu_sum(&R.gpu, &t);
		if (t.dropped || t.uncaptured)
			out("<li class=\"warn\">CUDA: %llu launches or records lost; %llu process%s "
			    "not fully captured (CUPTI held by another tool, or without activity "
			    "records).</li>\n", (unsigned long long)t.dropped,
			    (unsigned long long)t.uncaptured, t.uncaptured == 1 ? "" : "es");
	}
	if (R.pending)
		out("<li class=\"warn\">%llu records are not indexed (the store is not writable "
		    "here): processes, files and bytes above are incomplete.</li>\n",
		    (unsigned long long)R.pending);
	out("<li>Never seen by the preloaded library, whatever the run: the I/O of statically "
	    "linked and set-user-ID programs (their exec is a gap above when it happened), "
	    "system calls made without libc (inline assembly, Go's runtime), file operations "
	    "the kernel performs for io_uring, and I/O that libc does internally. See "
	    "provtrace(7).</li>\n</ul>\n");
	out("<h3>Folded in this report</h3>\n");
	if (R.folded.len) {
		out("<ul>\n");
		pt_buf_put(&H, R.folded.p, R.folded.len);
		out("</ul>\n");
	} else {
		out("<p>Nothing: every process, file row, rank and output is shown.</p>\n");
	}
}

/* ---- summary */

static void section_summary(const char *rundir)
{
	struct passwd *pw = R.ri.user >= 0 ? getpwuid((uid_t)R.ri.user) : NULL;
	char a[64], b[64], d[64];
	uint64_t ranks = 0;
	size_t files = 0;

	for (size_t i = 0; i < R.np; i++)
		ranks += R.p[i].rank >= 0;
	for (size_t i = 0; i < R.nf; i++)
		files += R.f[i].sess > 0;
	out("<h1>provtrace report</h1>\n<p class=\"mono\">");
	html(rundir);
	out("</p>\n<nav><a href=\"#processes\">processes</a><a href=\"#timeline\">timeline</a>"
	    "<a href=\"#files\">files</a><a href=\"#lineage\">lineage</a>%s%s"
	    "<a href=\"#coverage\">coverage</a></nav>\n", R.ranks.n ? "<a href=\"#mpi\">MPI</a>" : "",
	    R.gpu.procs.n ? "<a href=\"#cuda\">CUDA</a>" : "");
	out("<h2 id=\"summary\">Job</h2>\n<dl class=\"sum\">\n<dt>command</dt><dd><code>");
	html_bytes(&H, (const uint8_t *)R.ri.cmd.p, R.ri.cmd.len);
	out("</code></dd>\n<dt>user</dt><dd>");
	if (pw)
		html(pw->pw_name);
	out(" (uid %lld)</dd>\n<dt>nodes</dt><dd>%zu: ", (long long)R.ri.user, R.rs.n);
	for (size_t i = 0; i < R.rs.n; i++) {
		out(i ? ", " : "");
		html(R.rs.name[i]);
	}
	out("</dd>\n<dt>MPI ranks</dt><dd>%llu</dd>\n", (unsigned long long)ranks);
	out("<dt>start</dt><dd>%s</dd>\n<dt>end</dt><dd>%s (%s)</dd>\n",
	    time_str((uint64_t)R.ri.start_ns, a, sizeof a), time_str((uint64_t)R.ri.end_ns, b, sizeof b),
	    dur_str((uint64_t)(R.ri.end_ns - R.ri.start_ns), d, sizeof d));
	out("<dt>exit status</dt><dd>");
	if (R.ri.sig > 0)
		out("<span class=\"bad\">killed by signal %lld</span>", (long long)R.ri.sig);
	else
		out("<span class=\"%s\">%lld</span>", R.ri.exit ? "bad" : "ok", (long long)R.ri.exit);
	out("</dd>\n<dt>processes</dt><dd>%zu</dd>\n<dt>files</dt><dd>%zu that moved data "
	    "(%s read, %s written)</dd>\n", R.np, files, size_str(R.c.bytes_read, a, sizeof a),
	    size_str(R.c.bytes_written, b, sizeof b));
	out("<dt>events</dt><dd>%llu stored</dd>\n<dt>drops</dt><dd class=\"%s\">%llu lost "
	    "(%llu dropped, %llu torn, %llu unreadable)</dd>\n<dt>gaps</dt><dd class=\"%s\">%llu"
	    "%s</dd>\n</dl>\n", (unsigned long long)R.c.events,
	    R.c.dropped + R.c.torn + R.c.corrupt ? "warn" : "",
	    (unsigned long long)(R.c.dropped + R.c.torn + R.c.corrupt),
	    (unsigned long long)R.c.dropped, (unsigned long long)R.c.torn,
	    (unsigned long long)R.c.corrupt, R.c.gaps ? "warn" : "", (unsigned long long)R.c.gaps,
	    R.c.gaps ? " (see What was not seen)" : "");
}

static void page(const char *rundir, char **paths, size_t npaths)
{
	out("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	    "style-src 'unsafe-inline'; img-src data:\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>provtrace report: ");
	html_bytes(&H, (const uint8_t *)R.ri.cmd.p, R.ri.cmd.len < 120 ? R.ri.cmd.len : 120);
	out("</title>\n<style>%s</style>\n</head><body>\n", CSS);
	section_summary(rundir);
	section_tree();
	section_timeline();
	section_files();
	section_lineage(paths, npaths);
	section_mpi();
	section_cuda();
	section_coverage();
	out("<p class=\"note\">Written by provtrace %s.</p>\n</body></html>\n", PACKAGE_VERSION);
}

/* ---- main */

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace report [-q] [-o FILE.html] [-l PATH]... RUNDIR\n");
}

static int write_out(const char *outpath)
{
	char *tmp = xrealloc(NULL, strlen(outpath) + 8);
	mode_t mask;
	int fd;
	FILE *f;

	/* written next to its final name and renamed into place: no partial file */
	sprintf(tmp, "%s.XXXXXX", outpath);
	if ((fd = mkstemp(tmp)) < 0) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", outpath, strerror(errno));
		free(tmp);
		return 1;
	}
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	if (!(f = fdopen(fd, "w")) || fwrite(H.p, 1, H.len, f) != H.len || fflush(f) ||
	    fsync(fd)) {
		fprintf(stderr, PROG ": %s: %s\n", outpath, strerror(errno ? errno : EIO));
		if (f)
			fclose(f);
		else
			close(fd);
		unlink(tmp);
		free(tmp);
		return 1;
	}
	if (fclose(f) || rename(tmp, outpath)) {
		fprintf(stderr, PROG ": %s: %s\n", outpath, strerror(errno));
		unlink(tmp);
		free(tmp);
		return 1;
	}
	free(tmp);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, 0, 'o' }, { "lineage", required_argument, 0, 'l' },
		{ "quiet", no_argument, 0, 'q' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	char *paths[MAX_LINEAGE], err[8192], *outpath = NULL;
	const char *rundir;
	size_t npaths = 0;
	int c, r, rc = 1;

	while ((c = getopt_long(argc, argv, "o:l:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': outpath = optarg; break;
		case 'l':
			if (npaths == MAX_LINEAGE) {
				fprintf(stderr, PROG ": at most %d --lineage paths\n", MAX_LINEAGE);
				goto out;
			}
			paths[npaths] = xrealloc(NULL, 8192);
			if (!pt_path_normalise(optarg, paths[npaths], 8192)) {
				fprintf(stderr, PROG ": path too long: %s\n", optarg);
				free(paths[npaths]);
				goto out;
			}
			npaths++;
			break;
		case 'q': pt_progress_quiet(1); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		rc = 2;
		goto out;
	}
	rundir = argv[optind];
	if (read_run_json(rundir, err, sizeof err)) {
		fprintf(stderr, PROG ": %s\n", err);
		goto out;
	}
	if ((r = pt_runset_open(rundir, &R.rs))) {
		fprintf(stderr, PROG ": %s: %s\n", rundir,
			r == ENOENT ? "not a run directory (no node store)" : pt_strerror(r));
		goto out;
	}
	for (size_t i = 0; i < npaths; i++) {
		size_t s;
		uint32_t obj;
		for (s = 0; s < R.rs.n; s++)
			if (pt_store_obj_find(R.rs.st[s], paths[i], strlen(paths[i]), &obj) == 0)
				break;
		if (s == R.rs.n) {
			fprintf(stderr, PROG ": %s: not in the run's provenance\n", paths[i]);
			goto out;
		}
	}
	if ((r = pt_runset_counters(&R.rs, &R.c)) || (r = gather())) {
		fprintf(stderr, PROG ": %s: %s\n", rundir, pt_strerror(r));
		goto out;
	}
	page(rundir, paths, npaths);
	if (!outpath) {
		snprintf(err, sizeof err, "%s/report.html", rundir);
		outpath = err;
	}
	rc = write_out(outpath);
out:
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	for (size_t i = 0; i < R.np; i++)
		free(R.p[i].argv);
	free(R.p);
	for (size_t i = 0; i < R.nf; i++)
		free(R.f[i].name);
	free(R.f);
	free(R.rows);
	pt_u64map_free(&R.pidx);
	pt_u64map_free(&R.fidx);
	pt_u64map_free(&R.objidx);
	pt_u64map_free(&R.rowidx);
	pt_u64map_free(&R.ranks);
	pt_mpi_pairs_free(&R.pairs);
	pt_gpu_free(&R.gpu);
	pt_gap_free(&R.gaps);
	pt_runinfo_free(&R.ri);
	pt_buf_free(&R.folded);
	pt_buf_free(&H);
	if (R.rs.n)
		pt_runset_close(&R.rs);
	return rc;
}
