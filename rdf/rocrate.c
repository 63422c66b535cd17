/* rocrate.c — `provtrace export -f rocrate`: the run as a Process Run Crate.  The job
 * is one CreateAction: its instrument the executable of the command provtrace ran, its
 * object the files the job read that were there before it wrote them (its inputs), its
 * result the files it wrote, its agent the user, its times those of run.json.  Files are
 * not copied into the crate: they are data entities named by their file: URIs. */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iri.h"
#include "json.h"
#include "rocrate.h"
#include "runset.h"
#include "sets.h"
#include "walk.h"

/* ---- the files: per path, whether the job read it before writing it, and wrote it */

#define F_INPUT 1u
#define F_OUTPUT 2u

struct file {
	uint64_t first_read, first_write;
	unsigned dirs;
};

struct files {
	struct pt_runset *rs;
	size_t s;
	const char *rundir;   /* normalised; its own files are not the job's */
	size_t rlen;
	struct file *f;       /* in order of first sight, found through idx */
	struct pt_u64map idx; /* hash of the path -> index + 1 */
	struct pt_str *names;
	size_t n, cap;
};

static struct file *file_of(struct files *fs, const uint8_t *p, size_t n)
{
	int fresh;
	uint64_t *v = pt_u64map_get(&fs->idx, pt_hash_bytes(p, n), 0, &fresh);

	/* a hash collision between two job paths would merge them: compare the name */
	if (!fresh && (fs->names[*v - 1].len != n || memcmp(fs->names[*v - 1].p, p, n)))
		return NULL;
	if (fresh) {
		if (fs->n == fs->cap) {
			fs->cap = fs->cap ? 2 * fs->cap : 64;
			fs->f = realloc(fs->f, fs->cap * sizeof *fs->f);
			fs->names = realloc(fs->names, fs->cap * sizeof *fs->names);
			if (!fs->f || !fs->names) {
				fputs("provtrace export: out of memory\n", stderr);
				exit(1);
			}
		}
		fs->f[fs->n] = (struct file){ UINT64_MAX, UINT64_MAX, 0 };
		if (!(fs->names[fs->n].p = malloc(n ? n : 1))) {
			fputs("provtrace export: out of memory\n", stderr);
			exit(1);
		}
		memcpy(fs->names[fs->n].p, p, n);
		fs->names[fs->n].len = n;
		*v = ++fs->n;
	}
	return &fs->f[*v - 1];
}

static int file_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
		    const struct pt_use_rec *u)
{
	struct files *fs = ctx;
	const uint8_t *name;
	size_t len;
	uint32_t kind;
	struct file *f;

	(void)proc;
	(void)sid;
	if (pt_store_obj_name(fs->rs->st[fs->s], obj, &name, &len, &kind) || kind != PT_KIND_FILE)
		return 0;
	if (!pt_walk_shown(name, len) || (len >= 9 && !memcmp(name, "/dev/shm/", 9)))
		return 0;
	if (fs->rlen && len > fs->rlen && !memcmp(name, fs->rundir, fs->rlen) &&
	    name[fs->rlen] == '/')
		return 0;
	if (!(f = file_of(fs, name, len)))
		return 0;
	if ((u->dirs & PT_USE_READ) && u->rfirst < f->first_read)
		f->first_read = u->rfirst;
	if ((u->dirs & PT_USE_WRITE) && u->wfirst < f->first_write)
		f->first_write = u->wfirst;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	const struct pt_str *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* ---- JSON */

static void j_str(struct pt_buf *b, const void *p, size_t n)
{
	pt_buf_putc(b, '"');
	if (pt_utf8_text(p, n)) {
		pt_lit_escape(b, p, n);
	} else {
		struct pt_buf raw = { 0 };
		pt_raw_bytes(&raw, p, n);
		pt_lit_escape(b, raw.p, raw.len);
		pt_buf_free(&raw);
	}
	pt_buf_putc(b, '"');
}

static void j_cstr(struct pt_buf *b, const char *s)
{
	j_str(b, s, strlen(s));
}

static void j_file_id(struct pt_buf *b, const struct pt_str *path)
{
	struct pt_buf iri = { 0 };

	pt_iri_file(&iri, path->p, path->len);
	j_str(b, iri.p, iri.len);
	pt_buf_free(&iri);
}

/* {"@id": ...} for each of the files with `flag`, as a list */
static void j_refs(struct pt_buf *b, const char *key, struct pt_str *sorted, size_t n,
		   const unsigned *flags, unsigned flag)
{
	int first = 1;

	pt_buf_puts(b, ",\n      \"");
	pt_buf_puts(b, key);
	pt_buf_puts(b, "\": [");
	for (size_t i = 0; i < n; i++) {
		if (!(flags[i] & flag))
			continue;
		pt_buf_puts(b, first ? "\n        {\"@id\": " : ",\n        {\"@id\": ");
		j_file_id(b, &sorted[i]);
		pt_buf_putc(b, '}');
		first = 0;
	}
	pt_buf_puts(b, first ? "]" : "\n      ]");
}

static void j_time(struct pt_buf *b, const char *key, uint64_t ns)
{
	char t[PT_DATETIME_MAX];

	pt_xsd_datetime_fmt(t, ns);
	pt_buf_puts(b, ",\n      \"");
	pt_buf_puts(b, key);
	pt_buf_puts(b, "\": ");
	j_cstr(b, t);
}

static void basename_of(const struct pt_buf *p, const uint8_t **s, size_t *n)
{
	size_t i = p->len;

	while (i > 0 && p->p[i - 1] != '/')
		i--;
	*s = (const uint8_t *)p->p + i;
	*n = p->len - i;
}

int pt_rocrate_write(const char *rundir, const char *dir, char *err, size_t errsz)
{
	struct pt_runset rs;
	struct pt_runinfo ri = { 0 };
	struct files fs = { 0 };
	struct pt_buf text = { 0 }, path = { 0 }, b = { 0 }, tmp = { 0 };
	struct pt_str *sorted = NULL;
	unsigned *flags = NULL;
	char rnorm[4096], num[64];
	int r, rc = 1, made_dir = 0, fd = -1;
	FILE *f = NULL;

	if ((r = pt_runset_open(rundir, &rs))) {
		snprintf(err, errsz, "%s: %s", rundir,
			 r == ENOENT ? "not a run directory (no node store)" : pt_strerror(r));
		return 1;
	}
	pt_buf_puts(&path, rundir);
	pt_buf_puts(&path, "/run.json");
	if ((r = pt_json_load(pt_buf_cstr(&path), &text))) {
		snprintf(err, errsz, "%s: %s", pt_buf_cstr(&path),
			 r == ENOENT ? "missing: an RO-Crate needs the run's record" : strerror(r));
		goto out;
	}
	if (pt_runinfo_parse(&text, &ri)) {
		snprintf(err, errsz, "%s: not a finished run's record (command, start_ns, end_ns)",
			 pt_buf_cstr(&path));
		goto out;
	}

	/* the inputs and outputs, from every node store */
	fs.rs = &rs;
	if ((fs.rlen = pt_path_normalise(rundir, rnorm, sizeof rnorm)))
		fs.rundir = rnorm;
	for (fs.s = 0; fs.s < rs.n; fs.s++)
		pt_store_each_use(rs.st[fs.s], 0, file_use, &fs);
	sorted = malloc((fs.n ? fs.n : 1) * sizeof *sorted);
	flags = malloc((fs.n ? fs.n : 1) * sizeof *flags);
	if (!sorted || !flags) {
		fputs("provtrace export: out of memory\n", stderr);
		exit(1);
	}
	{
		/* sort the names, carrying each file's flags along */
		struct { struct pt_str s; unsigned fl; } *v = malloc((fs.n ? fs.n : 1) * sizeof *v);
		if (!v) {
			fputs("provtrace export: out of memory\n", stderr);
			exit(1);
		}
		for (size_t i = 0; i < fs.n; i++) {
			struct file *x = &fs.f[i];
			v[i].s = fs.names[i];
			v[i].fl = (x->first_write != UINT64_MAX ? F_OUTPUT : 0) |
				  (x->first_read != UINT64_MAX && x->first_read < x->first_write
					   ? F_INPUT : 0);
		}
		qsort(v, fs.n, sizeof *v, cmp_str);
		for (size_t i = 0; i < fs.n; i++) {
			sorted[i] = v[i].s;
			flags[i] = v[i].fl;
		}
		free(v);
	}

	/* the document */
	const uint8_t *base;
	size_t blen;
	char action[256], user[64];
	struct passwd *pw = ri.user >= 0 ? getpwuid((uid_t)ri.user) : NULL;

	snprintf(action, sizeof action, "#run-%.*s-%lld-%lld", (int)ri.host.len,
		 ri.host.p ? ri.host.p : "", (long long)ri.pid, (long long)ri.start_ns);
	snprintf(user, sizeof user, "#user-%lld", (long long)ri.user);
	basename_of(&ri.exe, &base, &blen);
	pt_buf_puts(&b, "{\n  \"@context\": \"https://w3id.org/ro/crate/1.1/context\",\n"
			"  \"@graph\": [\n");
	pt_buf_puts(&b, "    {\n      \"@id\": \"ro-crate-metadata.json\",\n"
			"      \"@type\": \"CreativeWork\",\n"
			"      \"conformsTo\": {\"@id\": \"https://w3id.org/ro/crate/1.1\"},\n"
			"      \"about\": {\"@id\": \"./\"}\n    },\n");
	pt_buf_puts(&b, "    {\n      \"@id\": \"./\",\n      \"@type\": \"Dataset\",\n"
			"      \"conformsTo\": {\"@id\": \"" PT_ROCRATE_PROFILE "\"},\n"
			"      \"name\": ");
	{
		struct pt_buf name = { 0 };
		pt_buf_puts(&name, "provtrace run of ");
		pt_buf_put(&name, base, blen);
		j_str(&b, name.p, name.len);
		pt_buf_free(&name);
	}
	pt_buf_puts(&b, ",\n      \"description\": \"The provenance of one job recorded by provtrace: "
			"the command it ran, the files it read and wrote.\"");
	{
		char t[PT_DATETIME_MAX];
		pt_xsd_datetime_fmt(t, (uint64_t)ri.end_ns);
		t[10] = 0;
		pt_buf_puts(&b, ",\n      \"datePublished\": ");
		j_cstr(&b, t);
	}
	pt_buf_puts(&b, ",\n      \"mentions\": {\"@id\": ");
	j_cstr(&b, action);
	pt_buf_putc(&b, '}');
	j_refs(&b, "hasPart", sorted, fs.n, flags, F_INPUT | F_OUTPUT);
	pt_buf_puts(&b, "\n    },\n");
	pt_buf_puts(&b, "    {\n      \"@id\": \"" PT_ROCRATE_PROFILE "\",\n"
			"      \"@type\": \"CreativeWork\",\n"
			"      \"name\": \"Process Run Crate\",\n      \"version\": \"0.5\"\n    },\n");
	/* the action */
	pt_buf_puts(&b, "    {\n      \"@id\": ");
	j_cstr(&b, action);
	pt_buf_puts(&b, ",\n      \"@type\": \"CreateAction\",\n      \"name\": ");
	{
		struct pt_buf name = { 0 };
		pt_buf_puts(&name, "Run of ");
		pt_buf_put(&name, base, blen);
		pt_buf_puts(&name, " on ");
		pt_buf_put(&name, ri.host.p, ri.host.len);
		j_str(&b, name.p, name.len);
		pt_buf_free(&name);
	}
	pt_buf_puts(&b, ",\n      \"description\": ");
	j_str(&b, ri.cmd.p, ri.cmd.len);
	pt_buf_puts(&b, ",\n      \"instrument\": {\"@id\": ");
	j_str(&b, "#software", 9);
	pt_buf_puts(&b, "},\n      \"agent\": {\"@id\": ");
	j_cstr(&b, user);
	pt_buf_putc(&b, '}');
	j_time(&b, "startTime", (uint64_t)ri.start_ns);
	j_time(&b, "endTime", (uint64_t)ri.end_ns);
	pt_buf_puts(&b, ",\n      \"actionStatus\": {\"@id\": \"http://schema.org/");
	pt_buf_puts(&b, ri.exit == 0 ? "CompletedActionStatus" : "FailedActionStatus");
	pt_buf_puts(&b, "\"}");
	if (ri.exit != 0) {
		snprintf(num, sizeof num, "exit status %lld", (long long)ri.exit);
		pt_buf_puts(&b, ",\n      \"error\": ");
		j_cstr(&b, num);
	}
	j_refs(&b, "object", sorted, fs.n, flags, F_INPUT);
	j_refs(&b, "result", sorted, fs.n, flags, F_OUTPUT);
	pt_buf_puts(&b, "\n    },\n");
	/* the software: the command's executable as run.json names it */
	pt_buf_puts(&b, "    {\n      \"@id\": \"#software\",\n"
			"      \"@type\": \"SoftwareApplication\",\n      \"name\": ");
	j_str(&b, base, blen);
	if (ri.exe.len && ri.exe.p[0] == '/') {
		pt_buf_puts(&b, ",\n      \"url\": ");
		j_file_id(&b, &(struct pt_str){ (uint8_t *)ri.exe.p, ri.exe.len });
	}
	pt_buf_puts(&b, "\n    },\n");
	/* the user */
	pt_buf_puts(&b, "    {\n      \"@id\": ");
	j_cstr(&b, user);
	pt_buf_puts(&b, ",\n      \"@type\": \"Person\",\n      \"name\": ");
	if (pw)
		j_cstr(&b, pw->pw_name);
	else {
		snprintf(num, sizeof num, "uid %lld", (long long)ri.user);
		j_cstr(&b, num);
	}
	pt_buf_puts(&b, "\n    }");
	/* the files */
	for (size_t i = 0; i < fs.n; i++) {
		struct stat sb;
		char p[8192];
		if (!flags[i])
			continue;
		pt_buf_puts(&b, ",\n    {\n      \"@id\": ");
		j_file_id(&b, &sorted[i]);
		pt_buf_puts(&b, ",\n      \"@type\": \"File\",\n      \"name\": ");
		j_str(&b, sorted[i].p, sorted[i].len);
		if (sorted[i].len < sizeof p) {
			memcpy(p, sorted[i].p, sorted[i].len);
			p[sorted[i].len] = 0;
			if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode)) {
				snprintf(num, sizeof num, "%lld", (long long)sb.st_size);
				pt_buf_puts(&b, ",\n      \"contentSize\": ");
				j_cstr(&b, num);
			}
		}
		pt_buf_puts(&b, "\n    }");
	}
	pt_buf_puts(&b, "\n  ]\n}\n");

	/* DIR/ro-crate-metadata.json, whole or not at all */
	if (mkdir(dir, 0777) == 0) {
		made_dir = 1;
	} else {
		struct stat sb;
		int e = errno;
		if (e == EEXIST && (stat(dir, &sb) || !S_ISDIR(sb.st_mode)))
			e = ENOTDIR;
		if (e != EEXIST) {
			snprintf(err, errsz, "cannot create %s: %s", dir, strerror(e));
			goto out;
		}
	}
	pt_buf_puts(&tmp, dir);
	pt_buf_puts(&tmp, "/.ro-crate-metadata.json.XXXXXX");
	pt_buf_cstr(&tmp);
	if ((fd = mkstemp((char *)tmp.p)) < 0 || !(f = fdopen(fd, "w"))) {
		snprintf(err, errsz, "cannot write in %s: %s", dir, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp.p);
		}
		goto out;
	}
	{
		mode_t mask = umask(0);
		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	fwrite(b.p, 1, b.len, f);
	if (fflush(f) || ferror(f) || fsync(fd)) {
		snprintf(err, errsz, "%s: %s", dir, strerror(errno));
		fclose(f);
		unlink(tmp.p);
		goto out;
	}
	fclose(f);
	pt_buf_free(&path);
	pt_buf_puts(&path, dir);
	pt_buf_puts(&path, "/ro-crate-metadata.json");
	if (rename(tmp.p, pt_buf_cstr(&path))) {
		snprintf(err, errsz, "%s: %s", pt_buf_cstr(&path), strerror(errno));
		unlink(tmp.p);
		goto out;
	}
	made_dir = 0;
	rc = 0;
out:
	if (made_dir)
		rmdir(dir);
	for (size_t i = 0; i < fs.n; i++)
		free(fs.names[i].p);
	free(fs.names);
	free(fs.f);
	free(sorted);
	free(flags);
	pt_u64map_free(&fs.idx);
	pt_buf_free(&text);
	pt_buf_free(&path);
	pt_buf_free(&b);
	pt_buf_free(&tmp);
	pt_runinfo_free(&ri);
	pt_runset_close(&rs);
	return rc;
}
