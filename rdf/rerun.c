/* rerun.c — provtrace-rerun (`provtrace rerun JOB.tar.zst`): runs a job that provtrace pack
 * packed again, traced, in a private directory tree that holds the packed files at their
 * original paths (a mount namespace, in a user namespace unless run as root, then chroot),
 * and compares the new run with the packed one: "same outputs", or the difference.
 *
 * The tree is the archive's root/, plus /proc and /dev bound from the host, an empty /tmp,
 * and the tracer's own directories (its library, socket and spool) bound at their paths so
 * that the job reaches its collector, which runs outside with PROVTRACE_HASH_ROOT set to the
 * tree (it hashes the job's files there). */
#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "provtrace rerun: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\n");
	exit(2);
}

/* ---- extraction: only root/ and provtrace/, never outside the work directory */

static int extract(const char *pkg, const char *work)
{
	struct archive *a = archive_read_new(), *w = archive_write_disk_new();
	struct archive_entry *e;
	char path[PATH_MAX * 2];
	int r, n = 0;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_write_disk_set_options(w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
				       ARCHIVE_EXTRACT_SECURE_NODOTDOT |
				       ARCHIVE_EXTRACT_SECURE_SYMLINKS);
	if (archive_read_open_filename(a, pkg, 1 << 16) != ARCHIVE_OK)
		die("%s: %s", pkg, archive_error_string(a));
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (!name || (strncmp(name, "root/", 5) && strncmp(name, "provtrace/", 10)) ||
		    strstr(name, "/../") || (size_t)snprintf(path, sizeof path, "%s/%s", work, name)
						    >= sizeof path)
			die("%s: an entry outside root/ and provtrace/: %s", pkg, name ? name : "");
		archive_entry_copy_pathname(e, path);
		/* a link's target stays as packed: it points inside the tree once chrooted */
		if (archive_write_header(w, e) < ARCHIVE_WARN)
			die("%s: %s", path, archive_error_string(w));
		const void *buf;
		size_t len;
		la_int64_t off;
		while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(w, buf, len, off) < ARCHIVE_WARN)
				die("%s: %s", path, archive_error_string(w));
		if (r != ARCHIVE_EOF)
			die("%s: %s", pkg, archive_error_string(a));
		archive_write_finish_entry(w);
		n++;
	}
	if (r != ARCHIVE_EOF)
		die("%s: %s", pkg, archive_error_string(a));
	archive_read_free(a);
	archive_write_free(w);
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	size_t cap = 0, n = 0, k;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = (n + 4096 + 1) * 2;
			char *q = realloc(p, cap);
			if (!q)
				break;
			p = q;
		}
		if (!(k = fread(p + n, 1, 4096, f)))
			break;
		n += k;
	}
	fclose(f);
	if (p)
		p[n] = 0;
	*len = n;
	return p;
}

/* ---- inside: the private tree */

static void mkdirs(const char *path)
{
	char tmp[PATH_MAX * 2];

	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *s = tmp + 1; *s; s++)
		if (*s == '/') {
			*s = 0;
			mkdir(tmp, 0755);
			*s = '/';
		}
	mkdir(tmp, 0755);
}

static void bind_into(const char *root, const char *dir)
{
	char to[PATH_MAX * 2];
	struct stat sb;

	if (!dir || dir[0] != '/' || stat(dir, &sb) < 0)
		return;
	snprintf(to, sizeof to, "%s%s", root, dir);
	if (S_ISDIR(sb.st_mode)) {
		mkdirs(to);
	} else {
		char parent[PATH_MAX * 2];
		snprintf(parent, sizeof parent, "%s", to);
		char *slash = strrchr(parent, '/');
		if (slash)
			*slash = 0;
		mkdirs(parent);
		close(open(to, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	}
	if (mount(dir, to, NULL, MS_BIND | MS_REC, NULL) < 0)
		die("bind %s: %s", dir, strerror(errno));
}

static void bind_dirname(const char *root, const char *path)
{
	char d[PATH_MAX];

	if (!path || path[0] != '/')
		return;
	snprintf(d, sizeof d, "%s", path);
	char *slash = strrchr(d, '/');
	if (slash && slash != d) {
		*slash = 0;
		bind_into(root, d);
	}
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die("%s: %s", path, strerror(errno));
	close(fd);
}

static int inner(const char *work)
{
	char root[PATH_MAX], path[PATH_MAX + 64], map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	size_t n;

	snprintf(root, sizeof root, "%s/root", work);
	if (uid != 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			die("unshare (user and mount namespaces): %s%s", strerror(errno),
			    errno == EPERM || errno == ENOSPC ? " (unprivileged user namespaces are "
			    "off here: run as root)" : "");
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof map, "0 %u 1", (unsigned)uid);
		write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof map, "0 %u 1", (unsigned)gid);
		write_file("/proc/self/gid_map", map);
	} else if (unshare(CLONE_NEWNS) < 0) {
		die("unshare (mount namespace): %s%s", strerror(errno), "");
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("private mounts: %s%s", strerror(errno), "");
	bind_into(root, "/proc");
	bind_into(root, "/dev");
	snprintf(path, sizeof path, "%s/tmp", root);
	mkdirs(path);
	chmod(path, 01777);
	/* the tracer: its library (each LD_PRELOAD entry), socket and spool */
	char *pre = getenv("LD_PRELOAD") ? strdup(getenv("LD_PRELOAD")) : NULL;
	for (char *tok = pre ? strtok(pre, ": ") : NULL; tok; tok = strtok(NULL, ": "))
		bind_dirname(root, tok);
	free(pre);
	bind_dirname(root, getenv("PROVTRACE_SOCKET"));
	bind_into(root, getenv("PROVTRACE_SPOOL"));

	snprintf(path, sizeof path, "%s/provtrace/command", work);
	char *cmd = slurp(path, &n), *cwd;
	if (!cmd || !n)
		die("%s: %s", path, "no command");
	size_t argc = 0;
	for (size_t i = 0; i < n; i++)
		argc += cmd[i] == 0;
	char **argv = calloc(argc + 1, sizeof *argv);
	for (size_t i = 0, k = 0; i < n && k < argc; k++) {
		argv[k] = cmd + i;
		i += strlen(cmd + i) + 1;
	}
	snprintf(path, sizeof path, "%s/provtrace/exe", work);
	char *exe = slurp(path, &n);
	snprintf(path, sizeof path, "%s/provtrace/cwd", work);
	cwd = slurp(path, &n);
	if (chroot(root) < 0)
		die("chroot %s: %s", root, strerror(errno));
	if (!cwd || !*cwd || chdir(cwd) < 0)
		die("the job's directory %s: %s", cwd ? cwd : "", strerror(errno));
	unsetenv("PROVTRACE_DISABLE");   /* this launcher records nothing; the job does */
	execv(exe && *exe ? exe : argv[0], argv);
	die("%s: %s", exe && *exe ? exe : argv[0], strerror(errno));
	return 2;
}

/* ---- outside */

static int run_wait(char *const argv[], char **env)
{
	pid_t pid;
	int st, e = posix_spawn(&pid, argv[0], NULL, NULL, argv, env);

	if (e)
		die("%s: %s", argv[0], strerror(e));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("wait: %s%s", strerror(errno), "");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void prog(char *out, size_t n, const char *self, const char *name)
{
	char dir[PATH_MAX - 64];

	snprintf(dir, sizeof dir, "%.*s", (int)sizeof dir - 1, self);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	snprintf(out, n, "%s/provtrace-%s", dir, name);
	if (access(out, X_OK) < 0) {
		snprintf(out, n, "%s/../provtrace-%s", dir, name);
		if (access(out, X_OK) < 0)
			snprintf(out, n, "%s/provtrace-%s", PT_BINDIR, name);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace rerun [-o NEWRUN] [--keep] JOB.tar.zst\n");
}

static void rm_tree(const char *dir)
{
	char *argv[] = { "/bin/rm", "-rf", "--one-file-system", (char *)dir, NULL };

	run_wait(argv, environ);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, 0, 'o' }, { "keep", no_argument, 0, 'k' },
		{ "inner", required_argument, 0, 'I' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	char work[PATH_MAX], newrun[PATH_MAX + 16], self[PATH_MAX - 64], run[PATH_MAX],
		diff[PATH_MAX], oldrun[PATH_MAX + 16];
	const char *out = NULL;
	int c, keep = 0;

	while ((c = getopt_long(argc, argv, "o:kh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'k': keep = 1; break;
		case 'I': return inner(optarg);
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
	if (sl <= 0)
		die("/proc/self/exe: %s%s", strerror(errno), "");
	self[sl] = 0;
	const char *tmpdir = getenv("TMPDIR");
	snprintf(work, sizeof work, "%s/provtrace-rerun.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(work))
		die("%s: %s", work, strerror(errno));
	extract(argv[optind], work);
	/* the exe: the first image's, which pack records beside the command (else argv[0]) */
	if (out)
		snprintf(newrun, sizeof newrun, "%s", out);
	else
		snprintf(newrun, sizeof newrun, "%s/run", work);
	char root[PATH_MAX + 8];
	snprintf(root, sizeof root, "%s/root", work);
	prog(run, sizeof run, self, "run");
	prog(diff, sizeof diff, self, "diff");
	setenv("PROVTRACE_HASH_ROOT", root, 1);   /* the collector hashes the tree's files */
	setenv("PROVTRACE_DISABLE", "1", 1);      /* the launcher's own image: nothing */
	char *rargv[] = { run, "-q", "-o", newrun, "--", self, "--inner", work, NULL };
	int st = run_wait(rargv, environ);
	unsetenv("PROVTRACE_DISABLE");
	unsetenv("PROVTRACE_HASH_ROOT");
	fprintf(stderr, "provtrace rerun: the job exited with status %d; its run: %s\n", st, newrun);
	snprintf(oldrun, sizeof oldrun, "%s/provtrace", work);
	char *dargv[] = { diff, "--rerun", oldrun, newrun, NULL };
	int d = run_wait(dargv, environ);
	if (!keep)
		rm_tree(work);
	else
		fprintf(stderr, "provtrace rerun: the tree is kept in %s\n", work);
	return d == 0 ? (st ? 1 : 0) : d;
}
