/* pack.c — provtrace-pack (`provtrace pack RUNDIR -o job.tar.zst`): what a traced job read
 * (its input files, the executables and libraries it loaded, the modules it imported —
 * all known from the record), its command and working directory, and the run's own record,
 * in one zstd-compressed tar archive that provtrace-rerun runs again.
 *
 * Archive layout: root/PATH for each packed file at its absolute PATH (symbolic links as
 * links, with their targets packed too), root/DIR for the directories the job wrote into
 * (created empty), and provtrace/{command (argv, NUL-terminated each), exe, cwd, run.json,
 * nodes/HOST.mdb}. */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/wire.h"
#include "iri.h"
#include "runset.h"
#include "sets.h"

struct pack {
	struct pt_runset rs;
	struct pt_strset files, dirs;      /* absolute paths to pack; directories to make */
	struct pt_buf cmd, cwd, exe;
	char **excl;
	size_t nexcl;
	uint64_t max;
	struct archive *a;
	unsigned long packed, over, missing, skipped;
	uint64_t bytes;
};

static const char *const default_excl[] = { "/proc/", "/sys/", "/dev/", "/run/" };

static int excluded(const struct pack *p, const char *path)
{
	for (size_t i = 0; i < sizeof default_excl / sizeof *default_excl; i++)
		if (!strncmp(path, default_excl[i], strlen(default_excl[i])))
			return 1;
	for (size_t i = 0; i < p->nexcl; i++) {
		size_t n = strlen(p->excl[i]);
		if (!strncmp(path, p->excl[i], n) && (path[n] == 0 || path[n] == '/' ||
						      (n && p->excl[i][n - 1] == '/')))
			return 1;
	}
	return 0;
}

static void add_path(struct pack *p, struct pt_strset *set, const void *name, size_t len)
{
	if (!len || ((const char *)name)[0] != '/' || memchr(name, 0, len))
		return;
	pt_strset_add(set, name, len);
}

/* A module Python imported from DIR/__pycache__/NAME.TAG.pyc: its source DIR/NAME.py too,
 * which Python looks for (a stat, not an open: the record does not show it) before it
 * takes the cached byte code, and which its start-up takes as the landmark of its library
 * (os.py). */
static void add_source(struct pack *p, const char *name, size_t len)
{
	static const char cache[] = "/__pycache__/";
	char src[PATH_MAX];

	if (len < 5 || len >= sizeof src || memcmp(name + len - 4, ".pyc", 4))
		return;
	const char *c = NULL;
	for (const char *s = name; (s = memmem(s, len - (size_t)(s - name), cache,
					      sizeof cache - 1)); s++)
		c = s;
	if (!c)
		return;
	const char *base = c + sizeof cache - 1;
	const char *dot = memchr(base, '.', len - (size_t)(base - name));
	if (!dot)
		return;
	int n = snprintf(src, sizeof src, "%.*s/%.*s.py", (int)(c - name), name,
			 (int)(dot - base), base);
	if (n > 0 && (size_t)n < sizeof src && access(src, R_OK) == 0)
		add_path(p, &p->files, src, (size_t)n);
}

/* What the shim cannot see, because glibc and Python reach it without a wrapped call
 * (glibc's internal opens of locale data, Python's stat of its landmark os.py, and the
 * codecs it loads before the first traced import of a run may differ): added whole. */
static struct pack *walking;

static int walk_add(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb, (void)ftw;
	if (type == FTW_F || type == FTW_SL)
		add_path(walking, &walking->files, path, strlen(path));
	return 0;
}

static void add_unseen(struct pack *p)
{
	static const char *const trees[] = { "/usr/lib/locale/C.utf8" };
	struct pt_strset libs = { 0 };
	char path[PATH_MAX];

	walking = p;
	for (size_t i = 0; i < sizeof trees / sizeof *trees; i++)
		nftw(trees[i], walk_add, 16, FTW_PHYS);
	/* each Python library a packed file lives in: DIR/lib/python3.N */
	struct pt_str *v = pt_strset_sorted(&p->files);
	for (size_t i = 0, n = p->files.n; i < n; i++) {
		const char *s = strstr((const char *)v[i].p, "/lib/python3.");
		if (!s)
			continue;
		const char *end = strchr(s + 13, '/');
		if (end)
			pt_strset_add(&libs, v[i].p, (size_t)(end - (const char *)v[i].p));
	}
	free(v);
	v = pt_strset_sorted(&libs);
	for (size_t i = 0; i < libs.n; i++) {
		snprintf(path, sizeof path, "%s/os.py", (const char *)v[i].p);
		if (access(path, R_OK) == 0)
			add_path(p, &p->files, path, strlen(path));
		snprintf(path, sizeof path, "%s/encodings", (const char *)v[i].p);
		nftw(path, walk_add, 16, FTW_PHYS);
	}
	free(v);
	pt_strset_free(&libs);
}

/* what the job read before it wrote it, and where it wrote (directories) */
struct sctx {
	struct pack *p;
	pt_store *st;
};

static int sess_cb(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *x)
{
	struct sctx *c = ctx;
	const uint8_t *name;
	size_t len;
	uint32_t kind;

	(void)proc, (void)sid;
	if (!x->obj || x->kind != PT_KIND_FILE || (!x->rops && !x->wops) ||
	    pt_store_obj_name(c->st, x->obj, &name, &len, &kind))
		return 0;
	if (x->rops) {
		add_path(c->p, &c->p->files, name, len);
		add_source(c->p, (const char *)name, len);
	}
	if (x->wops) {
		size_t d = len;
		while (d > 1 && name[d - 1] != '/')
			d--;
		add_path(c->p, &c->p->dirs, name, d > 1 ? d - 1 : 1);
	}
	return 0;
}

static int lib_cb(void *ctx, uint32_t proc, uint32_t obj, uint64_t base, uint32_t kind)
{
	struct sctx *c = ctx;
	const uint8_t *name;
	size_t len;
	uint32_t k;

	(void)proc, (void)base, (void)kind;
	if (pt_store_obj_name(c->st, obj, &name, &len, &k))
		return 0;
	/* the tracer's own libraries are not the job's: provtrace rerun brings its own */
	if (pt_is_tracer_lib(name, len))
		return 0;
	add_path(c->p, &c->p->files, name, len);
	return 0;
}

static int proc_cb(void *ctx, const struct pt_proc_rec *r)
{
	struct sctx *c = ctx;
	struct pt_ev ev;

	if (pt_store_proc_start(c->st, r->id, &ev))
		return 0;
	struct pt_bytes exe = pt_ev_b(&ev, 0);
	add_path(c->p, &c->p->files, exe.p, exe.len);
	/* the job's command and directory: its first image's */
	if (!c->p->cmd.len && ev.v[1].kind == PT_MP_ARRAY) {
		struct pt_mpr m;
		struct pt_bytes s;
		uint32_t n;
		pt_mpr_init(&m, ev.v[1].b.p, ev.v[1].b.len);
		if (pt_mpr_array(&m, &n) == 0)
			for (uint32_t i = 0; i < n && pt_mpr_bytes(&m, &s) == 0; i++) {
				pt_buf_put(&c->p->cmd, s.p, s.len);
				pt_buf_putc(&c->p->cmd, 0);
			}
		pt_buf_put(&c->p->exe, exe.p, exe.len);
		struct pt_bytes cwd = pt_ev_b(&ev, 2);
		pt_buf_put(&c->p->cwd, cwd.p, cwd.len);
		add_path(c->p, &c->p->dirs, cwd.p, cwd.len);
	}
	return 0;
}

/* ---- the archive */

static int put_entry(struct pack *p, const char *name, const struct stat *sb, const char *link)
{
	struct archive_entry *e = archive_entry_new();
	int r;

	archive_entry_copy_pathname(e, name);
	archive_entry_copy_stat(e, sb);
	if (link)
		archive_entry_copy_symlink(e, link);
	r = archive_write_header(p->a, e);
	archive_entry_free(e);
	if (r < ARCHIVE_WARN) {
		fprintf(stderr, "provtrace pack: %s: %s\n", name, archive_error_string(p->a));
		return -1;
	}
	return 0;
}

static int put_data_fd(struct pack *p, int fd, const char *what)
{
	char buf[1 << 16];
	ssize_t n;

	while ((n = read(fd, buf, sizeof buf)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "provtrace pack: %s: %s\n", what, strerror(errno));
			return -1;
		}
		if (archive_write_data(p->a, buf, (size_t)n) != n) {
			fprintf(stderr, "provtrace pack: %s: %s\n", what, archive_error_string(p->a));
			return -1;
		}
	}
	return 0;
}

static int put_bytes(struct pack *p, const char *name, const void *data, size_t n)
{
	struct stat sb = { 0 };

	sb.st_mode = S_IFREG | 0644;
	sb.st_size = (off_t)n;
	sb.st_mtime = 0;
	if (put_entry(p, name, &sb, NULL))
		return -1;
	if (n && archive_write_data(p->a, data, n) != (la_ssize_t)n) {
		fprintf(stderr, "provtrace pack: %s: %s\n", name, archive_error_string(p->a));
		return -1;
	}
	return 0;
}

static int put_host_file(struct pack *p, const char *path, const char *name)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat sb;
	int r = -1;

	if (fd < 0 || fstat(fd, &sb) < 0) {
		fprintf(stderr, "provtrace pack: %s: %s\n", path, strerror(errno));
		goto out;
	}
	if ((r = put_entry(p, name, &sb, NULL)) == 0)
		r = put_data_fd(p, fd, path);
out:
	if (fd >= 0)
		close(fd);
	return r;
}

static void root_name(struct pt_buf *b, const char *path)
{
	b->len = 0;
	pt_buf_puts(b, "root");
	pt_buf_puts(b, path);
	pt_buf_cstr(b);
}

/* One file the job read, at its path; a symbolic link is packed as a link, and its
 * target too (at most 16 links deep). */
static int pack_file(struct pack *p, struct pt_strset *done, const char *path, int depth)
{
	struct pt_buf name = { 0 };
	struct stat sb;
	int r = 0;

	if (excluded(p, path) || !pt_strset_add(done, path, strlen(path)))
		return 0;
	root_name(&name, path);
	if (lstat(path, &sb) < 0) {
		fprintf(stderr, "provtrace pack: %s: %s: not packed\n", path, strerror(errno));
		p->missing++;
		goto out;
	}
	if (S_ISLNK(sb.st_mode)) {
		char target[PATH_MAX], full[PATH_MAX * 2];
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n < 0 || depth > 16) {
			p->missing++;
			goto out;
		}
		target[n] = 0;
		if ((r = put_entry(p, name.p, &sb, target)))
			goto out;
		if (target[0] == '/') {
			snprintf(full, sizeof full, "%s", target);
		} else {
			const char *slash = strrchr(path, '/');
			snprintf(full, sizeof full, "%.*s/%s", (int)(slash - path), path, target);
		}
		r = pack_file(p, done, full, depth + 1);
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		/* sockets, fifos, devices: their bytes are not a file's */
		fprintf(stderr, "provtrace pack: %s: not a regular file: not packed\n", path);
		p->skipped++;
		goto out;
	}
	if (p->max && (uint64_t)sb.st_size > p->max) {
		fprintf(stderr, "provtrace pack: %s: %llu bytes, over the limit of %llu "
			"(--max-size): not packed\n", path, (unsigned long long)sb.st_size,
			(unsigned long long)p->max);
		p->over++;
		goto out;
	}
	if ((r = put_host_file(p, path, name.p)) == 0) {
		p->packed++;
		p->bytes += (uint64_t)sb.st_size;
	}
out:
	pt_buf_free(&name);
	return r;
}

static int pack_dirs(struct pack *p)
{
	struct pt_str *v = pt_strset_sorted(&p->dirs);
	struct pt_buf name = { 0 };
	struct stat sb;
	int r = 0;

	for (size_t i = 0; i < p->dirs.n && !r; i++) {
		if (excluded(p, (const char *)v[i].p))
			continue;
		root_name(&name, (const char *)v[i].p);
		memset(&sb, 0, sizeof sb);
		sb.st_mode = S_IFDIR | 0755;
		r = put_entry(p, name.p, &sb, NULL);
	}
	pt_buf_free(&name);
	free(v);
	return r;
}

static int pack_meta(struct pack *p, const char *rundir)
{
	char path[PATH_MAX + 64], name[PATH_MAX + 64];
	if (put_bytes(p, "provtrace/command", p->cmd.p, p->cmd.len) ||
	    put_bytes(p, "provtrace/cwd", p->cwd.p, p->cwd.len) ||
	    put_bytes(p, "provtrace/exe", p->exe.p, p->exe.len))
		return -1;
	snprintf(path, sizeof path, "%s/run.json", rundir);
	if (access(path, R_OK) == 0 && put_host_file(p, path, "provtrace/run.json"))
		return -1;
	for (size_t i = 0; i < p->rs.n; i++) {
		snprintf(path, sizeof path, "%s/nodes/%s.mdb", rundir, p->rs.name[i]);
		snprintf(name, sizeof name, "provtrace/nodes/%s.mdb", p->rs.name[i]);
		if (put_host_file(p, path, name))
			return -1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace pack [--max-size BYTES] [--exclude PATH]... RUNDIR "
		   "-o JOB.tar.zst\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, 0, 'o' }, { "max-size", required_argument, 0, 'm' },
		{ "exclude", required_argument, 0, 'x' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	static struct pack p;
	const char *out = NULL;
	char tmp[PATH_MAX + 32];
	int c, r;

	p.max = (uint64_t)1 << 30;
	p.excl = calloc((size_t)argc, sizeof *p.excl);
	while ((c = getopt_long(argc, argv, "o:m:x:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'm': {
			char *end;
			errno = 0;
			p.max = strtoull(optarg, &end, 0);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "provtrace pack: --max-size %s: not a number of bytes\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'x': p.excl[p.nexcl++] = optarg; break;
		case 'h': usage(stdout); free(p.excl); return 0;
		default: usage(stderr); free(p.excl); return 2;
		}
	}
	if (optind + 1 != argc || !out) {
		usage(stderr);
		free(p.excl);
		return 2;
	}
	const char *rundir = argv[optind];
	if ((r = pt_runset_open(rundir, &p.rs))) {
		fprintf(stderr, "provtrace pack: %s: %s\n", rundir,
			r == ENOENT ? "no node store in this run directory" : pt_strerror(r));
		free(p.excl);
		return 1;
	}
	for (size_t i = 0; i < p.rs.n; i++) {
		struct sctx sc = { &p, p.rs.st[i] };
		if ((r = pt_store_each_proc(p.rs.st[i], proc_cb, &sc)) ||
		    (r = pt_store_each_lib(p.rs.st[i], 0, lib_cb, &sc)))
			goto fail;
		for (uint32_t id = 1;; id++) {
			struct pt_proc_rec rec;
			if (pt_store_proc(p.rs.st[i], id, &rec))
				break;
			if ((r = pt_store_each_sess(p.rs.st[i], id, sess_cb, &sc)))
				goto fail;
		}
	}
	add_unseen(&p);
	if (!p.cmd.len) {
		fprintf(stderr, "provtrace pack: %s: the run recorded no command\n", rundir);
		r = -1;
		goto done;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", out, (int)getpid());
	p.a = archive_write_new();
	if (archive_write_set_format_pax_restricted(p.a) != ARCHIVE_OK ||
	    archive_write_add_filter_zstd(p.a) != ARCHIVE_OK ||
	    archive_write_open_filename(p.a, tmp) != ARCHIVE_OK) {
		fprintf(stderr, "provtrace pack: %s: %s\n", out, archive_error_string(p.a));
		r = -1;
		goto done;
	}
	struct pt_strset done = { 0 };
	struct pt_str *v = pt_strset_sorted(&p.files);
	r = pack_meta(&p, rundir) || pack_dirs(&p);
	for (size_t i = 0; i < p.files.n && !r; i++)
		r = pack_file(&p, &done, (const char *)v[i].p, 0);
	free(v);
	pt_strset_free(&done);
	if (archive_write_close(p.a) != ARCHIVE_OK && !r) {
		fprintf(stderr, "provtrace pack: %s: %s\n", out, archive_error_string(p.a));
		r = -1;
	}
	archive_write_free(p.a);
	if (r || rename(tmp, out) < 0) {
		if (!r)
			fprintf(stderr, "provtrace pack: %s: %s\n", out, strerror(errno));
		unlink(tmp);
		r = -1;
		goto done;
	}
	fprintf(stderr, "provtrace pack: %s: %lu files (%llu bytes)%s", out, p.packed,
		(unsigned long long)p.bytes, p.over || p.missing || p.skipped ? "; not packed:" : "");
	if (p.over)
		fprintf(stderr, " %lu over --max-size", p.over);
	if (p.missing)
		fprintf(stderr, " %lu gone", p.missing);
	if (p.skipped)
		fprintf(stderr, " %lu not regular files", p.skipped);
	fprintf(stderr, "\n");
	goto done;
fail:
	fprintf(stderr, "provtrace pack: %s: %s\n", rundir, pt_strerror(r));
done:
	pt_strset_free(&p.files);
	pt_strset_free(&p.dirs);
	pt_buf_free(&p.cmd);
	pt_buf_free(&p.cwd);
	pt_buf_free(&p.exe);
	pt_runset_close(&p.rs);
	free(p.excl);
	return r ? 1 : 0;
}
