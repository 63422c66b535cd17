/* run.c — provtrace-run, behind `provtrace run`: starts the node's collector, runs the
 * command with the shim preloaded, reports how the command ended, stops the collector
 * (which drains every region and copies the store into the run directory) and exits
 * with the command's status, 128+N when a signal N killed it.
 *
 * A command that starts processes on other nodes (srun in a Slurm allocation, mpirun
 * with a host list) gets a collector on each node first: an "agent" (provtrace-run
 * --agent) per node, launched by the same launcher, which starts the node's collector
 * in directories of the same name on every node, says so with a file in the run
 * directory (shared by the nodes), and stops it when the launcher leaves a stop file
 * there.  The shim's settings reach the other nodes through the launcher (mpirun -x,
 * srun --export). */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
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

extern char **environ;

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
	char self[PATH_MAX];      /* this program, for the agents */
	pid_t child, collector;
	int own;                  /* this process runs the node's collector */
	int restarts;             /* ...and restarted it that many times during the job */
	int kind;                 /* L_NONE, L_MPIRUN, L_SRUN */
	int agents;               /* a collector per node, started by agents */
	pid_t agent_launcher;
	char nodes[4096];         /* the agents' hosts, as a JSON list's inside */
	char incomplete[4096];    /* ...and those whose store is missing at the end */
	char **cmd_mem, *opt_mem; /* the rewritten command line, freed once it is spawned */
} R;

enum { L_NONE, L_MPIRUN, L_SRUN };

/* a signal that ends a job (^C, timeout's SIGTERM, a hang-up), passed to it: recorded */
static volatile sig_atomic_t forwarded;

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

/* R.run_abs: the run directory `name`, absolute (relative to the working directory). */
static void run_dir_abs(const char *name)
{
	char cwd[PATH_MAX];

	if (name[0] == '/') {
		pathf(R.run_abs, sizeof R.run_abs, "%s", name);
		return;
	}
	if (!getcwd(cwd, sizeof cwd))
		die("getcwd: %s", strerror(errno));
	pathf(R.run_abs, sizeof R.run_abs, "%s/%s", cwd, name);
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

/* The node's work and spool directories (names already chosen): private, and so are
 * their parents. */
static void node_dirs(void)
{
	char base[PATH_MAX];

	snprintf(base, sizeof base, "%s", R.work);
	*strrchr(base, '/') = 0;
	private_dir(base);
	private_dir(R.work);
	snprintf(base, sizeof base, "%s", R.spool);
	*strrchr(base, '/') = 0;
	if (strcmp(base, R.work))
		private_dir(base);
	private_dir(R.spool);
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
	run_dir_abs(name);
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

/* environ without LD_PRELOAD: what the collector and the agents run with (untraced) */
static char **untraced_env(void)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	if (!(env = calloc(n + 1, sizeof *env)))
		die("out of memory");
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
			env[k++] = environ[i];
	return env;
}

/* posix_spawn, not fork: the launcher's pages are neither copied nor marked
 * copy-on-write for a child that only execs (each fault costs ~10 us on a VM). */
/* Start the node's collector (or, with `once`, drain the spool in one pass and wait for
 * it); NULL when it listens, else why not. */
static const char *spawn_collector(int once)
{
	static char err[PATH_MAX + 64];
	char out[PATH_MAX], log[PATH_MAX], fdarg[16];
	posix_spawnattr_t at;
	char **env = untraced_env();
	int p[2], fd, e;
	char c;

	pathf(out, sizeof out, "%s/nodes/%s.mdb", R.run_abs, R.host);
	pathf(log, sizeof log, "%s/nodes/%s.log", R.run_abs, R.host);
	if (pipe2(p, O_CLOEXEC) < 0 || (fd = dup(p[1])) < 0) {   /* fd: without close-on-exec */
		free(env);
		snprintf(err, sizeof err, "pipe: %s", strerror(errno));
		return err;
	}
	close(p[1]);
	snprintf(fdarg, sizeof fdarg, "%d", fd);
	/* --once: no socket and no readiness, nothing of the job runs any more */
	char *args[] = { R.collectd, "-S", R.spool, "-d", R.store, "-o", out, "-H", R.host,
			 "-l", log, once ? "--once" : "-s", R.sock, "-r", fdarg, "-P", NULL };
	if (once)
		args[12] = NULL;
	/* the collector runs untraced, in its own process group (a ^C reaches the job, not
	 * the collector, which the launcher stops once the job is over) */
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	e = posix_spawn(&R.collector, R.collectd, NULL, &at, args, env);
	posix_spawnattr_destroy(&at);
	close(fd);
	free(env);
	if (e) {
		R.collector = 0;
		close(p[0]);
		snprintf(err, sizeof err, "cannot run %s: %s", R.collectd, strerror(e));
		return err;
	}
	if (once) {
		close(p[0]);
		return NULL;
	}
	struct pollfd pf = { p[0], POLLIN, 0 };
	int k = poll(&pf, 1, 30000);
	e = k == 1 && read(p[0], &c, 1) == 1;
	close(p[0]);
	if (!e) {
		int st;
		if (waitpid(R.collector, &st, WNOHANG) == R.collector)
			R.collector = 0;
		snprintf(err, sizeof err, "the collector did not start (see %s)", log);
		return err;
	}
	return NULL;
}

static void start_collector(void)
{
	const char *err = spawn_collector(0);

	if (err)
		die("%s", err);
	R.own = 1;
}

/* "killed by signal 9", "exited with status 1" */
static const char *how_ended(int st)
{
	static char buf[48];

	if (WIFSIGNALED(st))
		snprintf(buf, sizeof buf, "was killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, sizeof buf, "exited with status %d", WEXITSTATUS(st));
	return buf;
}

#define PT_MAX_RESTARTS 5

/* The node's collector ended while the job runs.  Nothing is lost meanwhile: the
 * processes keep writing their regions in the spool, and a collector started on the same
 * spool and store resumes from the offsets its predecessor's last transaction recorded. */
static void collector_died(int st)
{
	const char *err = "it failed too often to be started again";

	R.collector = 0;
	while (++R.restarts <= PT_MAX_RESTARTS && (err = spawn_collector(0)))
		;   /* one that dies while it starts counts too */
	fprintf(stderr, "provtrace run: the collector of %s %s during the job; %s%s\n", R.host,
		how_ended(st), err ? "" : "restarted it on the same spool and store",
		err ? err : "");
}

/* Stop the node's collector once the job is over; one that is gone (and was not started
 * again) or dies instead of stopping leaves its spool to a last pass.  Whether the node's
 * record is complete. */
static int stop_collector(void)
{
	int st = 0;

	/* one that died since the last look is started again as during the job */
	if (R.collector > 0 && waitpid(R.collector, &st, WNOHANG) == R.collector)
		collector_died(st);
	if (R.collector > 0) {
		kill(R.collector, SIGTERM);
		while (waitpid(R.collector, &st, 0) < 0 && errno == EINTR)
			;
		R.collector = 0;
		if (!WIFSIGNALED(st))
			return WIFEXITED(st) && WEXITSTATUS(st) == 0;
		/* it died rather than stopped: what it left goes to the last pass.  Killed by
		 * another signal than ours, it was dying already (the teardown of a SIGKILLed
		 * process takes a while): said like a death during the job */
		if (WTERMSIG(st) != SIGTERM)
			fprintf(stderr, "provtrace run: the collector of %s %s during the job; %s\n",
				R.host, how_ended(st), R.restarts >= PT_MAX_RESTARTS ?
				"it failed too often to be started again" :
				"its spool goes to a last pass");
	}
	if (spawn_collector(1))
		return 0;
	while (waitpid(R.collector, &st, 0) < 0 && errno == EINTR)
		;
	R.collector = 0;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void send_status(int wstatus, uint64_t end)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pt_msg_hdr h = { PT_ANNOUNCE_MAGIC, PT_PROTO_VERSION, PT_MSG_STATUS,
				sizeof(struct pt_msg_status) };
	struct pt_msg_status s = { R.child, wstatus, end, forwarded, 0 };
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
	    si->si_pid != R.child) {
		kill(R.child, sig);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT)
			forwarded = sig;
	}
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
	if (forwarded)
		fprintf(f, "  \"signal_received\": %d,\n", (int)forwarded);
	fprintf(f, "  \"exit\": %d", WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus));
	const char *job = getenv("SLURM_JOB_ID");
	if (job) {
		fprintf(f, ",\n  \"slurm_job_id\": ");
		json_str(f, job);
	}
	/* the job as its scheduler and launcher name it; the MPI job's own name (the PMIx
	 * namespace) is in each rank's MPI_INIT record */
	static const char *const slurm[][2] = {
		{ "slurm_job_name", "SLURM_JOB_NAME" }, { "slurm_cluster", "SLURM_CLUSTER_NAME" },
		{ "slurm_job_nodelist", "SLURM_JOB_NODELIST" }, { "slurm_array_job_id", "SLURM_ARRAY_JOB_ID" },
		{ "slurm_array_task_id", "SLURM_ARRAY_TASK_ID" },
	};
	for (size_t i = 0; i < sizeof slurm / sizeof slurm[0]; i++) {
		const char *v = getenv(slurm[i][1]);
		if (!v)
			continue;
		fprintf(f, ",\n  \"%s\": ", slurm[i][0]);
		json_str(f, v);
	}
	if (R.kind != L_NONE)
		fprintf(f, ",\n  \"launcher\": \"%s\"", R.kind == L_SRUN ? "srun" : "mpirun");
	if (R.agents)
		fprintf(f, ",\n  \"nodes\": [%s]", R.nodes);
	if (R.incomplete[0])
		fprintf(f, ",\n  \"incomplete_nodes\": [%s]", R.incomplete);
	fprintf(f, "\n}\n");
	fclose(f);
}

/* ---- launchers: commands that start the job's processes on other nodes */

static int launcher_kind(const char *cmd)
{
	const char *b = strrchr(cmd, '/');

	b = b ? b + 1 : cmd;
	if (!strcmp(b, "mpirun") || !strcmp(b, "mpiexec") || !strcmp(b, "orterun") ||
	    !strcmp(b, "oshrun") || !strncmp(b, "mpirun.", 7) || !strncmp(b, "mpiexec.", 8))
		return L_MPIRUN;
	if (!strcmp(b, "srun"))
		return L_SRUN;
	return L_NONE;
}

static int among(const char *a, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(a, *list))
			return 1;
	return 0;
}

/* mpirun's options that name hosts, that take one value, and that take two */
static const char *const mpi_host_opts[] = {
	"-H", "-host", "--host", "-hostfile", "--hostfile", "-machinefile", "--machinefile",
	"-default-hostfile", "--default-hostfile", NULL
};
static const char *const mpi_one_value[] = {
	"-np", "-n", "-c", "--np", "-N", "-npernode", "--npernode", "-npersocket",
	"--npersocket", "-map-by", "--map-by", "-rank-by", "--rank-by", "-bind-to", "--bind-to",
	"-x", "-wdir", "--wdir", "-wd", "-path", "--path", "-prefix", "--prefix",
	"--preload-files", "-output-filename", "--output-filename", "-timeout", "--timeout",
	"-tune", "--tune", "-launch-agent", "--launch-agent", "-am", "--am", "-stdin", "--stdin",
	"-rf", "--rankfile", "-cpus-per-proc", "--cpus-per-proc", "-cpus-per-rank",
	"--cpus-per-rank", "--personality", "--app", "-s", "--preload-binary", NULL
};
static const char *const mpi_two_values[] = { "-mca", "--mca", "-gmca", "--gmca", NULL };
/* ...and of those, what the agents' mpirun must repeat to reach the same nodes */
static const char *const mpi_agent_copy[] = {
	"-mca", "--mca", "-gmca", "--gmca", "-prefix", "--prefix", "-launch-agent",
	"--launch-agent", "--allow-run-as-root", "-allow-run-as-root", NULL
};

/* Walk mpirun's options; with `out` != NULL, append to it those the agents need (hosts,
 * MCA parameters, prefix).  Returns whether a host list was given. */
static int mpirun_scan(char **cmd, char **out, int *nout)
{
	int hosts = 0;

	for (int i = 1; cmd[i] && cmd[i][0] == '-'; ) {
		const char *a = cmd[i], *eq = strchr(a, '=');
		char name[64];
		int n = 1, copy;

		snprintf(name, sizeof name, "%.*s", (int)(eq && a[1] == '-' ? eq - a : (long)strlen(a)), a);
		if (among(name, mpi_host_opts)) {
			hosts = 1;
			n = eq ? 1 : 2;
			copy = 1;
		} else {
			copy = among(name, mpi_agent_copy);
			if (!eq && among(name, mpi_two_values))
				n = 3;
			else if (!eq && among(name, mpi_one_value))
				n = 2;
		}
		for (int k = 0; k < n && cmd[i]; k++, i++)
			if (copy && out)
				out[(*nout)++] = cmd[i];
	}
	return hosts;
}

/* srun's options that take a value as the next argument */
static const char *const srun_value_opts[] = {
	"-A", "-b", "-c", "-d", "-D", "-e", "-G", "-i", "-J", "-L", "-m", "-n", "-N", "-o", "-p",
	"-q", "-r", "-S", "-t", "-T", "-w", "-W", "-x", "--account", "--begin", "--chdir",
	"--comment", "--constraint", "--cpu-bind", "--cpus-per-gpu", "--cpus-per-task",
	"--dependency", "--distribution", "--error", "--exclude", "--export", "--gpus",
	"--gpus-per-node", "--gpus-per-task", "--gres", "--input", "--job-name", "--jobid",
	"--licenses", "--mem", "--mem-per-cpu", "--mem-per-gpu", "--mpi", "--nodefile",
	"--nodelist", "--nodes", "--ntasks", "--ntasks-per-node", "--output", "--partition",
	"--qos", "--reservation", "--time", "--prolog", "--epilog", "--task-prolog",
	"--task-epilog", NULL
};

/* The variables the shim needs on every node, as names; a launcher forwards their values. */
static size_t forwarded_names(const char **names, size_t max)
{
	static const char *const always[] = {
		"LD_PRELOAD", "PROVTRACE_SPOOL", "PROVTRACE_SOCKET", "PROVTRACE_RUN",
	};
	static char buf[8192];
	size_t n = 0, used = 0;

	for (size_t i = 0; i < sizeof always / sizeof always[0] && n < max; i++)
		names[n++] = always[i];
	for (char **e = environ; *e && n < max; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : 0;
		int dup = 0;

		if (!len || used + len + 1 > sizeof buf ||
		    (strncmp(*e, "PROVTRACE_", 10) && strncmp(*e, "CUDA_INJECTION64_PATH=", 22)))
			continue;
		for (size_t k = 0; k < n; k++)
			dup |= strlen(names[k]) == len && !memcmp(names[k], *e, len);
		if (dup)
			continue;
		memcpy(buf + used, *e, len);
		buf[used + len] = 0;
		names[n++] = buf + used;
		used += len + 1;
	}
	return n;
}

/* mpirun: "-x NAME" for each forwarded variable, first thing after the program name. */
static char **mpirun_cmd(char **cmd)
{
	const char *names[128];
	size_t n = forwarded_names(names, 128), argc = 0, k = 0;
	char **out;

	while (cmd[argc])
		argc++;
	if (!(out = calloc(argc + 2 * n + 1, sizeof *out)))
		die("out of memory");
	out[k++] = cmd[0];
	for (size_t i = 0; i < n; i++) {
		out[k++] = "-x";
		out[k++] = (char *)names[i];
	}
	for (size_t i = 1; i < argc; i++)
		out[k++] = cmd[i];
	R.cmd_mem = out;
	return out;
}

/* srun: keep --export=ALL semantics; a list of names (which would drop PATH and the rest)
 * or NONE get the shim's variables added by name, never an environment of theirs only. */
static char **srun_cmd(char **cmd)
{
	const char *names[128], *given = NULL;
	size_t n = forwarded_names(names, 128), argc = 0, at = 0, len = 32;
	int separate = 0;
	char **out, *opt;

	while (cmd[argc])
		argc++;
	for (size_t i = 1; i < argc && cmd[i][0] == '-'; i++) {
		if (!strncmp(cmd[i], "--export=", 9)) {
			given = cmd[i] + 9;
			at = i;
		} else if (!strcmp(cmd[i], "--export") && cmd[i + 1]) {
			given = cmd[i + 1];
			at = i;
			separate = 1;
			i++;
		} else if (!strchr(cmd[i], '=') && among(cmd[i], srun_value_opts)) {
			i++;
		}
	}
	if (!given && (given = getenv("SLURM_EXPORT_ENV")) && !*given)
		given = NULL;
	for (size_t i = 0; i < n; i++)
		len += strlen(names[i]) + 1;
	if (!(opt = malloc(len + (given ? strlen(given) : 0))) ||
	    !(out = calloc(argc + 2, sizeof *out)))
		die("out of memory");
	R.cmd_mem = out;
	R.opt_mem = opt;
	if (!given || !strcmp(given, "ALL") || !strncmp(given, "ALL,", 4)) {
		strcpy(opt, "--export=");
		strcat(opt, given ? given : "ALL");
	} else {
		/* NONE takes no variable: the names alone mean "these and SLURM_*" */
		strcpy(opt, "--export=");
		if (strcmp(given, "NONE")) {
			strcat(opt, given);
			strcat(opt, ",");
		}
		for (size_t i = 0; i < n; i++) {
			strcat(opt, names[i]);
			if (i + 1 < n)
				strcat(opt, ",");
		}
	}
	/* the rewritten option takes the place of the user's, or comes first */
	size_t k = 0;
	out[k++] = cmd[0];
	if (!at)
		out[k++] = opt;
	for (size_t i = 1; i < argc; i++) {
		if (i == at) {
			out[k++] = opt;
			i += (size_t)separate;
			continue;
		}
		out[k++] = cmd[i];
	}
	return out;
}

/* Whether the command runs on other nodes, so that each needs a collector. */
static int wants_agents(char **cmd)
{
	const char *mode = getenv("PROVTRACE_LAUNCH"), *nn;

	if (mode && !strcmp(mode, "local"))
		return 0;
	if (mode && !strcmp(mode, "agents") && R.kind != L_NONE)
		return 1;
	nn = getenv("SLURM_JOB_NUM_NODES");
	if (R.kind == L_SRUN)
		return getenv("SLURM_JOB_ID") != NULL;
	if (R.kind == L_MPIRUN)
		return mpirun_scan(cmd, NULL, NULL) || (nn && atoi(nn) > 1);
	return 0;
}

static void agent_file(char *buf, size_t n, const char *what)
{
	pathf(buf, n, "%s/nodes/.agent.%s", R.run_abs, what);
}

/* Start one agent per node with the job's own launcher; its output goes to
 * RUNDIR/nodes/agents.log. */
static void start_agents(char **cmd)
{
	char *argv[256], nodes[32], ntasks[48], log[PATH_MAX];
	int k = 0;

	if (R.kind == L_SRUN) {
		const char *nn = getenv("SLURM_JOB_NUM_NODES");
		if (!nn)
			nn = getenv("SLURM_NNODES");
		if (!nn || atoi(nn) < 1)
			die("srun in an allocation, but SLURM_JOB_NUM_NODES is not set");
		snprintf(nodes, sizeof nodes, "%d", atoi(nn));
		snprintf(ntasks, sizeof ntasks, "--ntasks=%d", atoi(nn));
		argv[k++] = cmd[0];
		argv[k++] = "--overlap";
		argv[k++] = "-N";
		argv[k++] = nodes;
		argv[k++] = ntasks;
		argv[k++] = "--ntasks-per-node=1";
		argv[k++] = "--export=ALL";
		argv[k++] = "--kill-on-bad-exit=0";
	} else {
		argv[k++] = cmd[0];
		argv[k++] = "--map-by";
		argv[k++] = "ppr:1:node";
		/* an agent that fails must not take its siblings (and their nodes' records) down */
		argv[k++] = "--mca";
		argv[k++] = "orte_abort_on_non_zero_status";
		argv[k++] = "0";
		mpirun_scan(cmd, argv, &k);
		if (k > 240)
			die("too many mpirun options to repeat for the collectors");
	}
	argv[k++] = R.self;
	argv[k++] = "--agent";
	argv[k++] = R.run_abs;
	argv[k++] = R.work;
	argv[k++] = R.spool;
	argv[k] = NULL;
	pathf(log, sizeof log, "%s/nodes/agents.log", R.run_abs);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	char **env = untraced_env();   /* the agents and their launcher run untraced */
	int e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&at, 0);
	e = posix_spawnp(&R.agent_launcher, argv[0], &fa, &at, argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (e) {
		R.agent_launcher = 0;
		die("cannot run %s: %s", argv[0], strerror(e));
	}
}

/* Wait until every agent's collector listens (each left .agent.INDEX: "HOST COUNT"). */
static void wait_agents(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], host[128];
	const char *t = getenv("PROVTRACE_AGENT_TIMEOUT");
	uint64_t deadline = now_ns() + (uint64_t)(t && atoi(t) > 0 ? atoi(t) : 120) * 1000000000ull;
	int st;

	pathf(dir, sizeof dir, "%s/nodes", R.run_abs);
	for (;;) {
		int seen = 0, want = 0, mine = 0;
		size_t used = 0;
		struct dirent *e;
		DIR *d = opendir(dir);

		R.nodes[0] = 0;
		while (d && (e = readdir(d))) {
			FILE *f;
			int n = 0;
			if (strncmp(e->d_name, ".agent.", 7) || strchr(e->d_name + 7, '.') ||
			    !isdigit((unsigned char)e->d_name[7]))
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			if (!(f = fopen(path, "re")))
				continue;
			if (fscanf(f, "%127s %d", host, &n) == 2) {
				seen++;
				want = n;
				mine |= !strcmp(host, R.host);
				used += (size_t)snprintf(R.nodes + used, sizeof R.nodes - used,
							 "%s\"%s\"", used ? ", " : "", host);
				if (used >= sizeof R.nodes)
					used = sizeof R.nodes - 1;
			}
			fclose(f);
		}
		if (d)
			closedir(d);
		if (want && seen >= want) {
			R.collector = mine ? 0 : -1;   /* -1: this node needs one of its own */
			return;
		}
		if (waitpid(R.agent_launcher, &st, WNOHANG) == R.agent_launcher) {
			R.agent_launcher = 0;
			die("the collectors of the nodes did not start (see %s/agents.log)", dir);
		}
		if (now_ns() > deadline) {
			kill(-R.agent_launcher, SIGTERM);
			die("the collectors of the nodes did not all start in time (see %s/agents.log; "
			    "PROVTRACE_AGENT_TIMEOUT sets the wait)", dir);
		}
		usleep(50000);
	}
}

/* Ask the agents to stop their collectors (each drains its node and copies its store
 * into the run directory), and wait for them. */
static void stop_agents(void)
{
	char stop[PATH_MAX], log[PATH_MAX];
	uint64_t deadline = now_ns() + 3600ull * 1000000000ull;
	struct stat sb;
	int st, fd;

	agent_file(stop, sizeof stop, "stop");
	if ((fd = open(stop, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0)
		close(fd);
	while (R.agent_launcher > 0) {
		pid_t r = waitpid(R.agent_launcher, &st, WNOHANG);
		if (r == R.agent_launcher || (r < 0 && errno != EINTR))
			break;
		if (now_ns() > deadline) {
			kill(-R.agent_launcher, SIGTERM);
			deadline = UINT64_MAX;
		}
		usleep(50000);
	}
	unlink(stop);
	/* the agents' launcher said nothing: no log to keep */
	pathf(log, sizeof log, "%s/nodes/agents.log", R.run_abs);
	if (stat(log, &sb) == 0 && sb.st_size == 0)
		unlink(log);
}

/* The command that finishes a node's record from what its collector left on the node */
static void recovery_command(FILE *f, const char *host)
{
	fprintf(f, "  %s --once -S %s -d %s -H %s -o %s/nodes/%s.mdb\n", R.collectd, R.spool,
		R.store, host, R.run_abs, host);
}

/* The node's record reached the run directory: its node-local files go.  Else they stay,
 * with the command that finishes the record once the cause is fixed. */
static void node_done(int ok)
{
	char lock[PATH_MAX + 8];

	if (!ok) {
		fprintf(stderr, "provtrace run: the collector failed (see %s/nodes/%s.log); the "
			"events not stored wait in %s and the store is kept in %s; once the cause "
			"is fixed, finish it with:\n", R.run_abs, R.host, R.spool, R.store);
		recovery_command(stderr, R.host);
		return;
	}
	unlink(R.store);
	snprintf(lock, sizeof lock, "%s-lock", R.store);
	unlink(lock);
	rmdir(R.spool);
	rmdir(R.work);
}

/* A node whose agent was stopped early: its collector, on its own, copies the store once
 * the node's processes have ended.  Wait for it (PROVTRACE_NODE_WAIT seconds, default 60);
 * whether the store arrived. */
static int wait_detached(const char *host, const char *store)
{
	char mark[PATH_MAX + 80];
	const char *w = getenv("PROVTRACE_NODE_WAIT");
	uint64_t end = now_ns() + (uint64_t)(w && atoi(w) >= 0 ? atoi(w) : 60) * 1000000000ull;

	agent_file(mark, sizeof mark, "detached");
	pathf(mark + strlen(mark), sizeof mark - strlen(mark), ".%s", host);
	if (!exists(mark))
		return 0;
	while (!exists(store) && now_ns() < end)
		usleep(100000);
	unlink(mark);
	return exists(store);
}

/* Say which nodes' stores did not reach the run directory, each with the command that
 * finishes it on that node (its spool and store are at the same paths on every node);
 * R.incomplete lists them for run.json.  Whether every node's record is there. */
static int incomplete_nodes(void)
{
	char list[sizeof R.nodes], path[PATH_MAX + 80], *h, *e;
	size_t used = 0;

	if (R.agents)
		snprintf(list, sizeof list, "%s", R.nodes);
	else
		snprintf(list, sizeof list, "\"%s\"", R.host);
	for (h = strchr(list, '"'); h && (e = strchr(h + 1, '"')); h = strchr(e + 1, '"')) {
		*e = 0;
		h++;
		pathf(path, sizeof path, "%s/nodes/%s.mdb", R.run_abs, h);
		if (R.agents && wait_detached(h, path))
			continue;
		if (exists(path))
			continue;
		used += (size_t)snprintf(R.incomplete + used, sizeof R.incomplete - used, "%s\"%s\"",
					 used ? ", " : "", h);
		if (used >= sizeof R.incomplete)
			used = sizeof R.incomplete - 1;
		if (!R.agents)
			continue;   /* node_done said it */
		fprintf(stderr, "provtrace run: the record of node %s is incomplete: its store did "
			"not reach %s/nodes (see agents.log there); where the node still holds its "
			"spool, finish it there with:\n", h, R.run_abs);
		recovery_command(stderr, h);
	}
	return used == 0;
}

/* ---- an agent: the collector of one node, for as long as the launcher says */

static volatile sig_atomic_t agent_stop;

static void agent_signal(int sig)
{
	(void)sig;
	agent_stop = 1;
}

static int agent_main(char **argv)
{
	char ready[PATH_MAX], tmp[PATH_MAX + 8], stop[PATH_MAX];
	const char *idx = getenv("SLURM_PROCID"), *cnt = getenv("SLURM_NTASKS");
	struct sigaction sa = { 0 };
	int ok, fd;
	FILE *f;

	if (!argv[1] || !argv[2] || !argv[3])
		die("--agent RUNDIR WORKDIR SPOOLDIR");
	if (!idx || !cnt) {
		idx = getenv("OMPI_COMM_WORLD_RANK");
		cnt = getenv("OMPI_COMM_WORLD_SIZE");
	}
	if (!idx || !cnt) {
		idx = "0";
		cnt = "1";
	}
	/* each node is named by itself: PROVTRACE_HOST, if the user set it, would name them
	 * all alike */
	if (gethostname(R.host, sizeof R.host - 1) < 0)
		strcpy(R.host, "localhost");
	for (char *p = R.host; *p; p++)
		if (*p == '/')
			*p = '_';
	snprintf(R.run_abs, sizeof R.run_abs, "%s", argv[1]);
	snprintf(R.work, sizeof R.work, "%s", argv[2]);
	snprintf(R.spool, sizeof R.spool, "%s", argv[3]);
	pathf(R.store, sizeof R.store, "%s/store.mdb", R.work);
	pathf(R.sock, sizeof R.sock, "%s/collectd.sock", R.work);
	locate();
	pathf(tmp, sizeof tmp, "%s/nodes/%s.mdb", R.run_abs, R.host);
	if (exists(tmp))
		die("%s already holds a run of node %s", R.run_abs, R.host);
	node_dirs();

	sa.sa_handler = agent_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	start_collector();

	agent_file(ready, sizeof ready, idx);
	pathf(tmp, sizeof tmp, "%s.tmp", ready);
	if (!(f = fopen(tmp, "we")) || fprintf(f, "%s %s\n", R.host, cnt) < 0 || fclose(f) ||
	    rename(tmp, ready) < 0)
		die("cannot write %s: %s", ready, strerror(errno));
	agent_file(stop, sizeof stop, "stop");
	while (!agent_stop && !exists(stop)) {
		int st;
		if (R.collector > 0 && waitpid(R.collector, &st, WNOHANG) == R.collector)
			collector_died(st);
		usleep(100000);
	}
	unlink(ready);
	if (agent_stop && !exists(stop) && R.collector > 0) {
		/* the launcher tears the agents down (another node was lost, the job was
		 * cancelled) while this node's processes may still write: the collector, left
		 * to itself (-P), stores them until the last one ends, then copies the store */
		agent_file(tmp, sizeof tmp, "detached");
		pathf(tmp + strlen(tmp), sizeof tmp - strlen(tmp), ".%s", R.host);
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0)
			close(fd);
		fprintf(stderr, "provtrace run: the agent of %s was stopped before the job's end; "
			"its collector goes on until the node's processes have ended\n", R.host);
		return 0;
	}
	ok = stop_collector();
	node_done(ok);
	return ok ? 0 : 1;
}

/* Directories of the same names on every node: the agents create them on theirs. */
static void setup_multi(void)
{
	char name[PATH_MAX], base[PATH_MAX], id[64];
	const char *tmp = getenv("PROVTRACE_TMPDIR");
	struct statfs sf;
	int e;

	if (!tmp || !*tmp)
		tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	expand(R.rundir ? R.rundir : "provtrace-%j-%p", name, sizeof name);
	run_dir_abs(name);
	pathf(name, sizeof name, "%s/nodes", R.run_abs);
	if ((e = mkdirs(name, 0700)))
		die("cannot create %s: %s", name, strerror(e));
	snprintf(id, sizeof id, "m%llx-%d", (unsigned long long)(now_ns() / 1000), (int)getpid());
	pathf(R.work, sizeof R.work, "%s/provtrace-%u/%s", tmp, (unsigned)geteuid(), id);
	pathf(R.store, sizeof R.store, "%s/store.mdb", R.work);
	if ((size_t)snprintf(R.sock, sizeof R.sock, "%s/collectd.sock", R.work) >= sizeof R.sock)
		die("socket path %s/collectd.sock is longer than a Unix socket allows; set "
		    "PROVTRACE_TMPDIR to a shorter directory", R.work);
	if ((tmp = getenv("PROVTRACE_SPOOL_DIR")) && *tmp)
		pathf(base, sizeof base, "%s", tmp);
	else if (statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC_)
		snprintf(base, sizeof base, "/dev/shm/provtrace-%u", (unsigned)geteuid());
	else
		pathf(base, sizeof base, "%s", R.work);
	pathf(R.spool, sizeof R.spool, "%s/%s%s", base, id, strcmp(base, R.work) ? "" : "/spool");
	if (!strcmp(base, R.work))
		pathf(R.spool, sizeof R.spool, "%s/spool", R.work);
}

/* This node runs no agent (mpirun from outside its host list): a collector of its own,
 * in the same directories. */
static void local_collector(void)
{
	node_dirs();
	start_collector();
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
	int c, wstatus = 0, ok;
	uint64_t start, end;
	const char *h;
	char **cmd;

	if (argc > 1 && !strcmp(argv[1], "--agent"))
		return agent_main(argv + 1);
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
	cmd = argv + optind;
	R.kind = launcher_kind(cmd[0]);
	R.agents = wants_agents(cmd);
	/* with agents each node is named by its host name, this one too */
	if (!R.agents && (h = getenv("PROVTRACE_HOST")) && *h)
		snprintf(R.host, sizeof R.host, "%s", h);
	else if (gethostname(R.host, sizeof R.host - 1) < 0)
		strcpy(R.host, "localhost");
	for (char *p = R.host; *p; p++)
		if (*p == '/')
			*p = '_';
	locate();
	if (R.agents) {
		ssize_t k = readlink("/proc/self/exe", R.self, sizeof R.self - 1);
		if (k <= 0)
			die("cannot find this program's path (for the other nodes)");
		R.self[k] = 0;
		setup_multi();
		start_agents(cmd);
		wait_agents();
		if (R.collector < 0)
			local_collector();
	} else {
		if (R.kind == L_SRUN)
			fprintf(stderr, "provtrace run: srun outside an allocation: only this node's "
				"processes are traced (run it inside salloc or sbatch)\n");
		setup_dirs();
		start_collector();
	}
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++)
		if (s == SIGINT || s == SIGTERM || s == SIGHUP || s == SIGQUIT || s == SIGUSR1 ||
		    s == SIGUSR2 || s == SIGCONT)
			sigaction(s, &sa, NULL);

	start = now_ns();
	/* the job's environment: the launcher itself runs nothing else after it */
	const char *old = getenv("LD_PRELOAD");
	char *preload = malloc(strlen(R.shim) + (old ? strlen(old) : 0) + 2);

	if (!preload)
		die("out of memory");
	sprintf(preload, "%s%s%s", R.shim, old && *old ? ":" : "", old && *old ? old : "");
	setenv("LD_PRELOAD", preload, 1);
	free(preload);
	setenv("PROVTRACE_SPOOL", R.spool, 1);
	setenv("PROVTRACE_SOCKET", R.sock, 1);
	setenv("PROVTRACE_RUN", R.run_abs, 1);
	if (R.agents)
		unsetenv("PROVTRACE_HOST");   /* every node names itself */
	else
		setenv("PROVTRACE_HOST", R.host, 1);
	/* the driver loads it at cuInit; a tool the user injected keeps its place */
	if (R.cuda[0] && !getenv("CUDA_INJECTION64_PATH"))
		setenv("CUDA_INJECTION64_PATH", R.cuda, 1);
	/* the launcher forwards the shim's settings to the other nodes */
	if (R.kind == L_MPIRUN)
		cmd = mpirun_cmd(cmd);
	else if (R.kind == L_SRUN)
		cmd = srun_cmd(cmd);

	posix_spawnattr_t at;
	sigset_t all;
	int e;

	sigfillset(&all);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigdefault(&at, &all);   /* the forwarding handlers stay here */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGDEF);
	start = now_ns();
	e = posix_spawnp(&R.child, cmd[0], NULL, &at, cmd, environ);
	posix_spawnattr_destroy(&at);
	if (e) {
		/* as a shell says it: 127 not found, 126 found but not runnable */
		fprintf(stderr, "provtrace run: %s: %s\n", cmd[0], strerror(e));
		R.child = 0;
		wstatus = (e == ENOENT ? 127 : 126) << 8;
	}
	free(R.cmd_mem);
	free(R.opt_mem);
	/* the job's end; meanwhile a collector that dies is started again */
	while (R.child > 0) {
		int st;
		pid_t p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR)
			continue;
		if (p < 0 || p == R.child) {
			wstatus = st;
			break;
		}
		if (p == R.collector)
			collector_died(st);
		else if (p == R.agent_launcher)
			R.agent_launcher = 0;   /* every agent ended early: incomplete_nodes says so */
	}
	end = now_ns();
	send_status(wstatus, end);
	ok = !R.own || stop_collector();
	if (R.own)
		node_done(ok);
	if (R.agents)
		stop_agents();
	ok &= incomplete_nodes();
	write_run_json(argv + optind, start, end, wstatus);
	if (ok && !R.quiet)
		fprintf(stderr, "provtrace: run recorded in %s\n", R.run_abs);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}
