/* runset.c — opening every node store of a run (see runset.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/pathnorm.h"
#include "json.h"
#include "runset.h"

static void missing_nodes(struct pt_runset *rs);

/* A directory entry's node: NODE.mdb (a finished copy) or .live.NODE (a running
 * collector's marker); NULL for anything else.  The length goes to *len. */
static const char *node_of(const char *entry, size_t *len)
{
	size_t l = strlen(entry);

	if (!strncmp(entry, ".live.", 6) && l > 6 && !strstr(entry, ".tmp.")) {
		*len = l - 6;
		return entry + 6;
	}
	if (l <= 4 || strcmp(entry + l - 4, ".mdb") != 0 || entry[0] == '.')
		return NULL;
	*len = l - 4;
	return entry;
}

/* node order; a node's copy before its marker */
static int by_name(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	size_t xl, yl;
	const char *xn = node_of(x, &xl), *yn = node_of(y, &yl);
	int c = memcmp(xn, yn, xl < yl ? xl : yl);

	if (c || xl != yl)
		return c ? c : (xl < yl ? -1 : 1);
	return (x[0] == '.') - (y[0] == '.');
}

/* Entry i is a marker of a node whose copy is there too (it stopped as we looked). */
static int copied(char **names, size_t i)
{
	size_t a, b;
	const char *n = node_of(names[i], &a);

	if (names[i][0] != '.' || i == 0)
		return 0;
	const char *p = node_of(names[i - 1], &b);
	return names[i - 1][0] != '.' && a == b && !memcmp(n, p, a);
}

/* Open entry `i` (a node's copy or marker) as the runset's next store. */
static int open_entry(struct pt_runset *rs, const char *nodes, char **names, size_t i,
		      unsigned flags)
{
	char file[8192], node[4096];
	uint64_t pending = 0;
	size_t len;
	const char *n = node_of(names[i], &len);
	int r;

	snprintf(node, sizeof node, "%.*s", (int)len, n);
	if (names[i][0] != '.') {
		snprintf(file, sizeof file, "%s/%s", nodes, names[i]);
		r = pt_store_open(file, PT_STORE_RDONLY | flags, &rs->st[rs->n]);
	} else if (copied(names, i)) {
		return 0;
	} else if ((r = pt_live_open(nodes, node, &rs->st[rs->n], &pending)) == 0) {
		rs->live[rs->n] = 1;
		rs->nlive++;
		rs->live_pending += pending;
	} else if (r == PT_ELIVE_ELSEWHERE || r == PT_ELIVE_GONE) {
		if ((rs->unseen[rs->nunseen] = strdup(node)))
			rs->nunseen++;
		return 0;
	}
	if (r == 0 && !(rs->name[rs->n] = strdup(node))) {
		pt_store_close(rs->st[rs->n]);
		r = ENOMEM;
	}
	if (r == 0)
		rs->n++;
	return r;
}

int pt_runset_open(const char *path, struct pt_runset *rs)
{
	return pt_runset_open_as(path, 0, rs);
}

int pt_runset_open_as(const char *path, unsigned flags, struct pt_runset *rs)
{
	char nodes[4096];
	struct stat sb;
	struct dirent *e;
	char **names = NULL;
	size_t nn = 0, cap = 0;
	DIR *d;
	int r = 0;

	memset(rs, 0, sizeof *rs);
	if (stat(path, &sb) < 0)
		return errno;
	if (S_ISREG(sb.st_mode)) {
		if ((r = pt_store_open(path, PT_STORE_RDONLY | flags, &rs->st[0])))
			return r;
		const char *base = strrchr(path, '/');
		rs->name[0] = strdup(base ? base + 1 : path);
		rs->n = 1;
		return 0;
	}
	snprintf(rs->dir, sizeof rs->dir, "%s", path);
	snprintf(nodes, sizeof nodes, "%s/nodes", path);
	if (!(d = opendir(nodes)))
		return errno == ENOENT ? ENOENT : errno;
	while ((e = readdir(d))) {
		size_t l;
		if (!node_of(e->d_name, &l))
			continue;
		if (nn == cap) {
			cap = cap ? cap * 2 : 16;
			char **nb = realloc(names, cap * sizeof *names);
			if (!nb) {
				r = ENOMEM;
				break;
			}
			names = nb;
		}
		names[nn++] = strdup(e->d_name);
	}
	closedir(d);
	if (!r && nn == 0)
		r = ENOENT;
	if (!r)
		qsort(names, nn, sizeof *names, by_name);
	for (size_t i = 0; !r && i < nn && rs->n < PT_RUNSET_MAX; i++)
		r = open_entry(rs, nodes, names, i, flags);
	if (!r && rs->n == 0)
		r = ENOENT;   /* only markers of collectors this node cannot read */
	for (size_t i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	if (r)
		pt_runset_close(rs);
	else
		missing_nodes(rs);
	return r;
}

void pt_runset_close(struct pt_runset *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		pt_store_close(rs->st[i]);
		free(rs->name[i]);
	}
	for (size_t i = 0; i < rs->nmissing; i++)
		free(rs->missing[i]);
	for (size_t i = 0; i < rs->nunseen; i++)
		free(rs->unseen[i]);
	rs->n = rs->nmissing = rs->nunseen = rs->nlive = 0;
}

/* A node run.json names: missing unless a store of that name was opened (the store of
 * node NAME is NAME.mdb, a '/' in the name written '_', as the launcher does). */
static void expect_node(struct pt_runset *rs, const struct pt_buf *name)
{
	char n[256];

	if (!name->len || name->len >= sizeof n || rs->nmissing >= PT_RUNSET_MAX)
		return;
	memcpy(n, name->p, name->len);
	n[name->len] = 0;
	for (char *p = n; *p; p++)
		if (*p == '/')
			*p = '_';
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->name[i], n) == 0)
			return;
	for (size_t i = 0; i < rs->nmissing; i++)
		if (strcmp(rs->missing[i], n) == 0)
			return;
	if ((rs->missing[rs->nmissing] = strdup(n)))
		rs->nmissing++;
}

struct nodes_read {
	struct pt_runset *rs;
	struct pt_buf host;
	int have_nodes;
};

static int expect_listed(void *ctx, const struct pt_buf *name)
{
	expect_node(ctx, name);
	return 0;
}

static int nodes_member(void *ctx, const char *key, struct pt_json *j)
{
	struct nodes_read *n = ctx;

	if (!strcmp(key, "host") && j->p < j->end && *j->p == '"')
		return pt_json_str(j, &n->host);
	if (!strcmp(key, "nodes")) {
		n->have_nodes = 1;
		return pt_json_strings(j, expect_listed, n->rs);
	}
	return 1;
}

/* The nodes the launcher said the job ran on, against the stores found.  A run.json that
 * is absent or cannot be read says nothing (a store copied alone is a run of its own). */
static void missing_nodes(struct pt_runset *rs)
{
	struct nodes_read n = { rs, { 0 }, 0 };
	struct pt_buf text = { 0 };
	char path[4200];
	struct pt_json j;

	snprintf(path, sizeof path, "%s/run.json", rs->dir);
	if (pt_json_load(path, &text))
		return;
	pt_json_init(&j, text.p, text.len);
	pt_json_object(&j, nodes_member, &n);
	if (!n.have_nodes)
		expect_node(rs, &n.host);   /* a run on one node */
	pt_buf_free(&text);
	pt_buf_free(&n.host);
}

const char *pt_runset_missing(const struct pt_runset *rs, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < rs->nmissing && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s",
					 i == 0 ? "" : i + 1 == rs->nmissing ? " and " : ", ",
					 rs->missing[i]);
	return buf;
}

size_t pt_path_normalise(const char *in, char *out, size_t outsz)
{
	size_t n = 0, len = strlen(in);

	if (in[0] != '/') {
		if (!getcwd(out, outsz))
			return 0;
		n = strlen(out);
		if (n + 1 >= outsz)
			return 0;
		out[n++] = '/';
	}
	if (n + len >= outsz)
		return 0;
	memcpy(out + n, in, len + 1);
	return pt_path_lexical(out, n + len);
}

int pt_runset_counters(const struct pt_runset *rs, struct pt_counters *sum)
{
	int err = 0;

	memset(sum, 0, sizeof *sum);
	for (size_t i = 0; i < rs->n; i++) {
		struct pt_counters c;
		int r = pt_store_counters(rs->st[i], &c);

		if (r) {              /* the others still add up; the first error is returned */
			if (!err)
				err = r;
			continue;
		}
		sum->events += c.events;
		sum->procs += c.procs;
		sum->files += c.files;
		sum->sessions += c.sessions;
		sum->bytes_read += c.bytes_read;
		sum->bytes_written += c.bytes_written;
		sum->dropped += c.dropped;
		sum->torn += c.torn;
		sum->corrupt += c.corrupt;
		sum->gaps += c.gaps;
		sum->ipc_bytes += c.ipc_bytes;
	}
	return err;
}

const char *pt_runset_unseen(const struct pt_runset *rs, char *buf, size_t n)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < rs->nunseen && used < n; i++)
		used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", rs->unseen[i]);
	return buf;
}

static int cmd_arg(void *ctx, const struct pt_buf *s)
{
	struct pt_runinfo *ri = ctx;

	if (ri->have_cmd++)
		pt_buf_putc(&ri->cmd, ' ');
	else
		pt_buf_put(&ri->exe, s->p, s->len);
	pt_buf_put(&ri->cmd, s->p, s->len);
	return 0;
}

static int run_member(void *ctx, const char *key, struct pt_json *j)
{
	struct pt_runinfo *ri = ctx;

	if (!strcmp(key, "command"))
		return pt_json_strings(j, cmd_arg, ri);
	if (!strcmp(key, "host"))
		return pt_json_str(j, &ri->host);
	if (!strcmp(key, "user"))
		return pt_json_num(j, &ri->user);
	if (!strcmp(key, "pid"))
		return pt_json_num(j, &ri->pid);
	if (!strcmp(key, "start_ns"))
		return pt_json_num(j, &ri->start_ns);
	if (!strcmp(key, "end_ns"))
		return pt_json_num(j, &ri->end_ns);
	if (!strcmp(key, "exit"))
		return pt_json_num(j, &ri->exit);
	if (!strcmp(key, "signal"))
		return pt_json_num(j, &ri->sig);
	return 1;
}

int pt_runinfo_parse(const struct pt_buf *text, struct pt_runinfo *ri)
{
	struct pt_json j;

	*ri = (struct pt_runinfo){ .user = -1, .pid = -1, .start_ns = -1, .end_ns = -1,
				   .exit = -1, .sig = -1 };
	pt_json_init(&j, text->p, text->len);
	if (pt_json_object(&j, run_member, ri) || !ri->have_cmd || ri->start_ns < 0 ||
	    ri->end_ns < 0)
		return -1;
	return 0;
}

void pt_runinfo_free(struct pt_runinfo *ri)
{
	pt_buf_free(&ri->cmd);
	pt_buf_free(&ri->exe);
	pt_buf_free(&ri->host);
}

int pt_is_tracer_lib(const uint8_t *path, size_t len)
{
	const uint8_t *b = path + len;

	while (b > path && b[-1] != '/')
		b--;
	return (size_t)(path + len - b) >= 12 && !memcmp(b, "libprovtrace", 12);
}
