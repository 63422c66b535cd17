/* run.c — provtrace-run, behind `provtrace run`: starts the node's collector, runs the
 * command with the shim preloaded, reports how the command ended, stops the collector
 * (which drains every region and copies the store into the run directory) and exits
 * with the command's status, 128+N when a signal N killed it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "protocol.h"

#ifndef PT_LIBDIR
#define PT_LIBDIR "/usr/local/lib"
#endif
#ifndef PT_SBINDIR
#define PT_SBINDIR "/usr/local/sbin"
#endif

#define TMPFS_MAGIC_ 0x01021994

static struct {
	const char *rundir;
	int quiet;
	char run_abs[PATH_MAX];
	char host[64];
	char work[PATH_MAX];      /* node-local: store, socket, log */
	char spool[PATH_MAX];
	char sock[108];
	char store[PATH_MAX];
	char shim[PATH_MAX];
	char cuda[PATH_MAX];      /* the CUDA injection module, or "" */
	char collectd[PATH_MAX];
	pid_t child, collector;
} R;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("provtrace run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (R.collector > 0)
		kill(R.collector, SIGTERM);
	exit(125);
}

/* snprintf into a path buffer; a path that does not fit is an error, never truncated */
static void pathf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void pathf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= n)
		die("path too long: %s...", buf);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* mkdir -p, each new level with `mode` */
static int mkdirs(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n >= sizeof buf)
		return ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return errno;
	return 0;
}

/* A directory only this user may use: created 0700, or checked when it exists. */
static void private_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		die("cannot create %s: %s", path, strerror(errno));
	if (lstat(path, &st) < 0)
		die("%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 077))
		die("%s must be a directory owned by uid %u with mode 0700 (it is not a safe place "
		    "for the collector's socket and spool)", path, (unsigned)geteuid());
}

static void exe_dir(char *out, size_t n)
{
	ssize_t k = readlink("/proc/self/exe", out, n - 1);

	if (k <= 0) {
		out[0] = 0;
		return;
	}
	out[k] = 0;
	char *slash = strrchr(out, '/');
	if (slash)
		*slash = 0;
}

static int exists(const char *p)
{
	return access(p, F_OK) == 0;
}

/* The shim and the collector: from the environment, next to this program (a build
 * tree), or where `make install` put them. */
static void locate(void)
{
	char dir[PATH_MAX];
	const char *e;

	exe_dir(dir, sizeof dir);
	if ((e = getenv("PROVTRACE_LIB")) && *e)
		snprintf(R.shim, sizeof R.shim, "%s", e);
	else if (snprintf(R.shim, sizeof R.shim, "%s/interpose/.libs/libprovtrace.so", dir) &&
		 exists(R.shim))
		;
	else
		snprintf(R.shim, sizeof R.shim, "%s/libprovtrace.so", PT_LIBDIR);
	if ((e = getenv("PROVTRACE_COLLECTD")) && *e)
		snprintf(R.collectd, sizeof R.collectd, "%s", e);
	else if (snprintf(R.collectd, sizeof R.collectd, "%s/provtrace-collectd", dir) &&
		 exists(R.collectd))
		;
	else
		snprintf(R.collectd, sizeof R.collectd, "%s/provtrace-collectd", PT_SBINDIR);
	if (R.shim[0] != '/')
		die("PROVTRACE_LIB must be an absolute path (a relative preload breaks after "
		    "chdir): %s", R.shim);
	if (!exists(R.shim))
		die("the shim %s is missing (set PROVTRACE_LIB)", R.shim);
	if (access(R.collectd, X_OK) < 0)
		die("the collector %s is missing (set PROVTRACE_COLLECTD)", R.collectd);
	/* the CUDA module: named, or next to the shim (absent when built without CUPTI) */
	if ((e = getenv("PROVTRACE_CUDA_LIB")) && *e) {
		if (e[0] != '/')
			die("PROVTRACE_CUDA_LIB must be an absolute path: %s", e);
		if (!exists(e))
			die("the CUDA module %s is missing", e);
		snprintf(R.cuda, sizeof R.cuda, "%s", e);
	} else {
		char *slash = strrchr(R.shim, '/');
		int k = snprintf(R.cuda, sizeof R.cuda, "%.*s/libprovtrace-cuda.so",
				 (int)(slash - R.shim), R.shim);
		if (k < 0 || (size_t)k >= sizeof R.cuda || !exists(R.cuda))
			R.cuda[0] = 0;
	}
}

/* "%j" → the Slurm job id, "%h" → the host, "%p" → this pid; other text as is. */
static void expand(const char *in, char *out, size_t n)
{
	size_t w = 0;

	for (const char *p = in; *p && w + 1 < n; p++) {
		const char *sub = NULL;
		char num[32];

		if (p[0] == '%' && p[1]) {
			switch (p[1]) {
			case 'j': sub = getenv("SLURM_JOB_ID"); if (!sub) sub = "nojob"; break;
			case 'h': sub = R.host; break;
			case 'p': snprintf(num, sizeof num, "%d", (int)getpid()); sub = num; break;
			case '%': sub = "%"; break;
			}
		}
		if (sub) {
			w += (size_t)snprintf(out + w, n - w, "%s", sub);
			p++;
		} else {
			out[w++] = *p;
		}
	}
	out[w < n ? w : n - 1] = 0;
}

static void setup_dirs(void)
{
	char name[PATH_MAX], base[PATH_MAX];
	const char *tmp = getenv("PROVTRACE_TMPDIR");
	struct statfs sf;
	time_t t = time(NULL);
	struct tm tm;
	int e;

	if (!tmp || !*tmp)
		tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (R.rundir) {
		expand(R.rundir, name, sizeof name);
	} else {
		localtime_r(&t, &tm);
		snprintf(name, sizeof name, "provtrace-%04d%02d%02d-%02d%02d%02d-%d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)getpid());
	}
	if (name[0] == '/') {
		snprintf(R.run_abs, sizeof R.run_abs, "%s", name);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof cwd))
			die("getcwd: %s", strerror(errno));
		if ((size_t)snprintf(R.run_abs, sizeof R.run_abs, "%s/%s", cwd, name) >= sizeof R.run_abs)
			die("run directory path too long");
	}
	if ((e = mkdirs(R.run_abs, 0700)))
		die("cannot create the run directory %s: %s", R.run_abs, strerror(e));
	pathf(name, sizeof name, "%s/nodes", R.run_abs);
	if ((e = mkdirs(name, 0700)))
		die("cannot create %s: %s", name, strerror(e));
	pathf(name, sizeof name, "%s/nodes/%s.mdb", R.run_abs, R.host);
	if (exists(name))
		die("%s already holds a run of node %s (choose another -o)", R.run_abs, R.host);

	/* node-local work directory: store, socket, log */
	pathf(base, sizeof base, "%s/provtrace-%u", tmp, (unsigned)geteuid());
	private_dir(base);
	pathf(R.work, sizeof R.work, "%s/run-XXXXXX", base);
	if (!mkdtemp(R.work))
		die("mkdtemp %s: %s", R.work, strerror(errno));
	pathf(R.store, sizeof R.store, "%s/store.mdb", R.work);
	if ((size_t)snprintf(R.sock, sizeof R.sock, "%s/collectd.sock", R.work) >= sizeof R.sock)
		die("socket path %s/collectd.sock is longer than a Unix socket allows; set "
		    "PROVTRACE_TMPDIR to a shorter directory", R.work);

	/* spool: memory-backed when possible (the first write to a fresh file on a disk
	 * file system costs milliseconds; on tmpfs microseconds) */
	const char *sp = getenv("PROVTRACE_SPOOL_DIR");
	if (sp && *sp) {
		pathf(base, sizeof base, "%s", sp);
	} else if (statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC_ &&
		   access("/dev/shm", W_OK) == 0) {
		snprintf(base, sizeof base, "/dev/shm/provtrace-%u", (unsigned)geteuid());
	} else {
		pathf(base, sizeof base, "%s", R.work);
	}
	private_dir(base);
	if (strcmp(base, R.work) == 0) {
		pathf(R.spool, sizeof R.spool, "%s/spool", R.work);
		private_dir(R.spool);
	} else {
		pathf(R.spool, sizeof R.spool, "%s/%s-XXXXXX", base, strrchr(R.work, '/') + 1);
		if (!mkdtemp(R.spool))
			die("mkdtemp %s: %s", R.spool, strerror(errno));
	}
}

static void start_collector(void)
{
	char out[PATH_MAX], log[PATH_MAX], fdarg[16];
	int p[2];
	char c;

	pathf(out, sizeof out, "%s/nodes/%s.mdb", R.run_abs, R.host);
	pathf(log, sizeof log, "%s/nodes/%s.log", R.run_abs, R.host);
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	R.collector = fork();
	if (R.collector < 0)
		die("fork: %s", strerror(errno));
	if (R.collector == 0) {
		int fd = dup(p[1]);   /* without close-on-exec */
		snprintf(fdarg, sizeof fdarg, "%d", fd);
		/* the collector runs untraced, in its own process group (a ^C reaches the job,
		 * not the collector, which the launcher stops once the job is over) */
		unsetenv("LD_PRELOAD");
		setpgid(0, 0);
		execl(R.collectd, R.collectd, "-s", R.sock, "-S", R.spool, "-d", R.store, "-o",
		      out, "-H", R.host, "-r", fdarg, "-l", log, (char *)NULL);
		fprintf(stderr, "provtrace run: cannot run %s: %s\n", R.collectd, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	struct pollfd pf = { p[0], POLLIN, 0 };
	int k = poll(&pf, 1, 30000);
	if (k != 1 || read(p[0], &c, 1) != 1) {
		int st;
		if (waitpid(R.collector, &st, WNOHANG) == R.collector)
			R.collector = 0;
		die("the collector did not start (see %s)", log);
	}
	close(p[0]);
}

static void send_status(int wstatus, uint64_t end)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pt_msg_hdr h = { PT_ANNOUNCE_MAGIC, PT_PROTO_VERSION, PT_MSG_STATUS,
				sizeof(struct pt_msg_status) };
	struct pt_msg_status s = { R.child, wstatus, end };
	uint8_t m[sizeof h + sizeof s];   /* the body follows the header, unpadded */
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return;
	memcpy(m, &h, sizeof h);
	memcpy(m + sizeof h, &s, sizeof s);
	strcpy(sa.sun_path, R.sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		send(fd, m, sizeof m, MSG_NOSIGNAL);
	close(fd);
}

/* Signals for the job: forwarded when someone sent them to the launcher itself.  One
 * from the terminal (^C) already reached the whole foreground process group. */
static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (R.child > 0 && (si->si_code == SI_USER || si->si_code == SI_QUEUE) &&
	    si->si_pid != R.child)
		kill(R.child, sig);
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void write_run_json(char **cmd, uint64_t start, uint64_t end, int wstatus)
{
	char path[PATH_MAX];
	FILE *f;

	pathf(path, sizeof path, "%s/run.json", R.run_abs);
	if (!(f = fopen(path, "we")))
		return;
	fprintf(f, "{\n  \"provtrace\": ");
	json_str(f, PACKAGE_VERSION);
	fprintf(f, ",\n  \"command\": [");
	for (int i = 0; cmd[i]; i++) {
		if (i)
			fputs(", ", f);
		json_str(f, cmd[i]);
	}
	fprintf(f, "],\n  \"host\": ");
	json_str(f, R.host);
	fprintf(f, ",\n  \"user\": %u,\n  \"pid\": %d,\n  \"start_ns\": %llu,\n  \"end_ns\": %llu,\n",
		(unsigned)getuid(), (int)R.child, (unsigned long long)start, (unsigned long long)end);
	if (WIFSIGNALED(wstatus))
		fprintf(f, "  \"signal\": %d,\n", WTERMSIG(wstatus));
	fprintf(f, "  \"exit\": %d", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
	const char *job = getenv("SLURM_JOB_ID");
	if (job) {
		fprintf(f, ",\n  \"slurm_job_id\": ");
		json_str(f, job);
	}
	fprintf(f, "\n}\n");
	fclose(f);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: provtrace run [-q] [-o RUNDIR] [--] COMMAND [ARG...]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, 0, 'o' }, { "quiet", no_argument, 0, 'q' },
		{ "help", no_argument, 0, 'h' }, { 0 }
	};
	struct sigaction sa = { 0 };
	int c, wstatus = 0, cst;
	uint64_t start, end;
	const char *h;

	while ((c = getopt_long(argc, argv, "+o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o': R.rundir = optarg; break;
		case 'q': R.quiet = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 125;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 125;
	}
	if ((h = getenv("PROVTRACE_HOST")) && *h)
		snprintf(R.host, sizeof R.host, "%s", h);
	else if (gethostname(R.host, sizeof R.host - 1) < 0)
		strcpy(R.host, "localhost");
	for (char *p = R.host; *p; p++)
		if (*p == '/')
			*p = '_';
	locate();
	setup_dirs();
	start_collector();

	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++)
		if (s == SIGINT || s == SIGTERM || s == SIGHUP || s == SIGQUIT || s == SIGUSR1 ||
		    s == SIGUSR2 || s == SIGCONT)
			sigaction(s, &sa, NULL);

	start = now_ns();
	R.child = fork();
	if (R.child < 0)
		die("fork: %s", strerror(errno));
	if (R.child == 0) {
		const char *old = getenv("LD_PRELOAD");
		char *preload = malloc(strlen(R.shim) + (old ? strlen(old) : 0) + 2);

		if (!preload)
			_exit(125);
		sprintf(preload, "%s%s%s", R.shim, old && *old ? ":" : "", old && *old ? old : "");
		setenv("LD_PRELOAD", preload, 1);
		setenv("PROVTRACE_SPOOL", R.spool, 1);
		setenv("PROVTRACE_SOCKET", R.sock, 1);
		setenv("PROVTRACE_RUN", R.run_abs, 1);
		setenv("PROVTRACE_HOST", R.host, 1);
		/* the driver loads it at cuInit; a tool the user injected keeps its place */
		if (R.cuda[0] && !getenv("CUDA_INJECTION64_PATH"))
			setenv("CUDA_INJECTION64_PATH", R.cuda, 1);
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		execvp(argv[optind], argv + optind);
		int e = errno;
		fprintf(stderr, "provtrace run: %s: %s\n", argv[optind], strerror(e));
		_exit(e == ENOENT ? 127 : 126);
	}
	while (waitpid(R.child, &wstatus, 0) < 0 && errno == EINTR)
		;
	end = now_ns();
	send_status(wstatus, end);
	kill(R.collector, SIGTERM);
	while (waitpid(R.collector, &cst, 0) < 0 && errno == EINTR)
		;
	write_run_json(argv + optind, start, end, wstatus);

	if (WIFEXITED(cst) && WEXITSTATUS(cst) == 0) {
		unlink(R.store);
		char lock[PATH_MAX + 8];
		snprintf(lock, sizeof lock, "%s-lock", R.store);
		unlink(lock);
		rmdir(R.spool);
		rmdir(R.work);
		if (!R.quiet)
			fprintf(stderr, "provtrace: run recorded in %s\n", R.run_abs);
	} else {
		fprintf(stderr, "provtrace run: the collector failed (see %s/nodes/%s.log); the "
			"events not stored wait in %s and the store is kept in %s; once the cause "
			"is fixed, finish it with:\n  %s --once -S %s -d %s -o %s/nodes/%s.mdb\n",
			R.run_abs, R.host, R.spool, R.store, R.collectd, R.spool, R.store, R.run_abs,
			R.host);
	}
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}
