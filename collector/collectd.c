/* collectd.c — provtrace-collectd, the per-node collector: takes announcements of
 * regions over a Unix socket (credentials from SO_PEERCRED), drains every region into
 * the node's LMDB store in batched transactions, finishes the regions of images that
 * ended, and at SIGTERM drains everything and copies the store into the run directory. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "consume.h"
#include "progress.h"
#include "hash.h"
#include "live.h"
#include "protocol.h"
#include "store.h"

#define PT_SLOT_BUDGET (4u << 20)     /* bytes read from one slot per batch */
#define PT_CONN_TIMEOUT_NS 1000000000ull   /* a peer that sends nothing is cut off */
#define PT_CONN_MAX 256                     /* more waiting peers are cut off at once:
					       their regions are still found by the spool scan */

struct creg {
	struct pt_rmap m;
	uint32_t proc;
	uint64_t *off;            /* committed read positions, one per slot */
	uint64_t *pend;           /* positions reached inside the current batch */
	uint64_t corrupt;         /* unreadable records and slots, this batch and before */
	uint64_t corrupt_pend;
	int pidfd;
	int verified;
	int dead;                 /* the image ended: drain it completely and finish it */
	int superseded;           /* a newer image of the same pid exists (exec) */
	int registered;           /* has a process record (committed) */
	int registered_pend;      /* got one in the current batch */
	int leftover;             /* the store says it was finished already */
	uint64_t dead_ns;
};

struct pending {
	char name[256];
	int fd;                   /* from SCM_RIGHTS, or -1 */
	pid_t pid;
	uid_t uid;
	int verified;
	uint64_t since;
};

static struct {
	const char *sock, *spool, *store_path, *output, *logpath;
	char host[64];
	int interval_ms;
	int ready_fd;
	int daemonize;
	int once;
	pid_t parent;               /* -P: the process that started this collector */
	int debug;

	pt_store *st;
	int epfd, lfd, sigfd, tfd, spoolfd;
	uid_t uid;

	struct creg **regs;
	size_t nregs, capregs;
	struct pending *pend;
	size_t npend, cappend;

	struct { int32_t pid, status, signal; uint64_t end_ns; int set; } top;
	struct { int fd; uint64_t since; } conn[PT_CONN_MAX];   /* accepted, message not yet read */
	size_t nconn;
	uint64_t last_scan, last_err_report;
	int stopping;
	int index_wanted;          /* a live reader asked (SIGUSR1): index in steps */
	uint64_t cycles, records;
	uint64_t fill_max;        /* fullest ring at the last cycle, in 1024ths */
	int wait_ms;              /* the timer's current period */
	struct pt_hasher *hs;     /* content hashes (NULL: PROVTRACE_HASH=0) */
	struct pt_hash_done *hd;  /* results not committed yet */
	size_t nhd;
} C = { .interval_ms = 10, .ready_fd = -1, .lfd = -1, .spoolfd = -1 };

static FILE *logfp;

/* ---- logging (stderr or --log FILE): the collector's own, never the job's */

static void logmsg(const char *level, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(logfp, "%s.%03ldZ provtrace-collectd[%d] %s: ", when, ts.tv_nsec / 1000000,
		(int)getpid(), level);
	vfprintf(logfp, fmt, ap);
	fputc('\n', logfp);
	fflush(logfp);
}

static void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	logmsg("info", fmt, ap);
	va_end(ap);
}

static void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_debug(const char *fmt, ...)
{
	va_list ap;
	if (!C.debug)
		return;
	va_start(ap, fmt);
	logmsg("debug", fmt, ap);
	va_end(ap);
}

static void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	logmsg("warning", fmt, ap);
	va_end(ap);
}

static void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	logmsg("error", fmt, ap);
	va_end(ap);
	exit(1);
}

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n, sz);
	if (!p)
		fatal("out of memory");
	return p;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- directories the collector trusts: owned by its user, nobody else can write */

static int check_private_dir(const char *path, const char *what)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		log_warn("%s directory %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (S_ISLNK(st.st_mode)) {
		log_warn("%s directory %s is a symbolic link: refusing it", what, path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		log_warn("%s directory %s is not a directory", what, path);
		return -1;
	}
	if (st.st_uid != C.uid) {
		log_warn("%s directory %s belongs to uid %u, not %u: refusing it", what, path,
			 (unsigned)st.st_uid, (unsigned)C.uid);
		return -1;
	}
	if (st.st_mode & 077) {
		log_warn("%s directory %s has mode %03o: group or others may enter it "
			 "(chmod 700 it): refusing it", what, path, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

/* Listening socket: a pathname socket (abstract sockets ignore permissions) in a
 * private directory; a stale socket is replaced, a live one means another collector. */
static int listen_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof sa.sun_path];
	struct stat st;
	char *slash;
	int fd;

	if (strlen(path) >= sizeof sa.sun_path)
		fatal("socket path too long (%zu bytes, at most %zu): %s", strlen(path),
		      sizeof sa.sun_path - 1, path);
	strcpy(sa.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash)
		fatal("socket path must be absolute: %s", path);
	*slash = 0;
	if (check_private_dir(dir[0] ? dir : "/", "socket") < 0)
		fatal("refusing to start: unsafe socket directory %s", dir);
	/* One collector per socket: a lock the kernel drops when its holder dies, however it
	 * dies (a socket file outlives a SIGKILL; a connect to it can still succeed while
	 * the dying collector's descriptors close). */
	char lockpath[sizeof sa.sun_path + 8];
	snprintf(lockpath, sizeof lockpath, "%s.lock", path);
	int lk = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lk < 0)
		fatal("%s: %s", lockpath, strerror(errno));
	for (int tries = 0; flock(lk, LOCK_EX | LOCK_NB) < 0; tries++) {
		if (errno != EWOULDBLOCK || tries == 40)
			fatal("another collector is running on %s", path);
		usleep(50000);
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			fatal("%s exists and is not a socket", path);
		unlink(path);   /* left by a collector that died */
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		fatal("socket: %s", strerror(errno));
	/* Bound and listening under a name of its own, then renamed into place: a client
	 * that sees the path can connect (bound but not yet listening, it would be refused) */
	struct sockaddr_un tmp = sa;
	int staged = strlen(path) + 5 < sizeof tmp.sun_path;
	if (staged)
		snprintf(tmp.sun_path, sizeof tmp.sun_path, "%s.new", path), unlink(tmp.sun_path);
	mode_t old = umask(0177);
	if (bind(fd, (struct sockaddr *)(staged ? &tmp : &sa), sizeof sa) < 0)
		fatal("bind %s: %s", staged ? tmp.sun_path : path, strerror(errno));
	umask(old);
	if (listen(fd, 512) < 0)
		fatal("listen %s: %s", path, strerror(errno));
	if (staged && rename(tmp.sun_path, path) < 0)
		fatal("rename %s: %s", tmp.sun_path, strerror(errno));
	return fd;
}

static void ep_add(int fd, uint64_t tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = tag };

	if (epoll_ctl(C.epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		fatal("epoll_ctl: %s", strerror(errno));
}

/* epoll tags: the kind in the top byte, an index or fd below */
#define TAG_LISTEN (1ull << 56)
#define TAG_SIGNAL (2ull << 56)
#define TAG_TIMER  (3ull << 56)
#define TAG_CONN   (4ull << 56)
#define TAG_PIDFD  (5ull << 56)
#define TAG_MASK   (0xffull << 56)

/* ---- regions */

static struct creg *reg_find(const char *name)
{
	for (size_t i = 0; i < C.nregs; i++)
		if (strcmp(C.regs[i]->m.name, name) == 0)
			return C.regs[i];
	return NULL;
}

static int pending_find(const char *name)
{
	for (size_t i = 0; i < C.npend; i++)
		if (strcmp(C.pend[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int valid_region_name(const char *name)
{
	size_t n = strlen(name), s = strlen(PT_REGION_SUFFIX);

	return n > s && n < 250 && !strchr(name, '/') && name[0] != '.' &&
	       strcmp(name + n - s, PT_REGION_SUFFIX) == 0;
}

static void pending_add(const char *name, int fd, pid_t pid, uid_t uid, int verified)
{
	int i = pending_find(name);

	if (i >= 0) {
		/* an announcement upgrades what a scan found */
		if (verified && !C.pend[i].verified) {
			if (C.pend[i].fd >= 0)
				close(C.pend[i].fd);
			C.pend[i].fd = fd;
			C.pend[i].pid = pid;
			C.pend[i].uid = uid;
			C.pend[i].verified = 1;
		} else if (fd >= 0) {
			close(fd);
		}
		return;
	}
	if (C.npend == C.cappend) {
		C.cappend = C.cappend ? C.cappend * 2 : 64;
		C.pend = realloc(C.pend, C.cappend * sizeof *C.pend);
		if (!C.pend)
			fatal("out of memory");
	}
	struct pending *p = &C.pend[C.npend++];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->fd = fd;
	p->pid = pid;
	p->uid = uid;
	p->verified = verified;
	p->since = now_ns();
}

static uint64_t proc_ticks_of(pid_t pid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || (p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X')))
		return 0;   /* a zombie's image has ended: only its parent's wait is left */
	for (field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	return strtoull(p, NULL, 10);
}

/* Is the image that owns the region still running?  The region names its pid; the
 * process now holding that pid is its owner when /proc gives the start the shim saw
 * (0.1.0 regions carry it), or else when it began no later than the region did: a pid
 * reused after the owner ended belongs to a process younger than the region.  /proc's
 * starttime counts clock ticks of CLOCK_BOOTTIME, which the shim reads at start (in the
 * vDSO: the 80 us read of /proc/self/stat left every process's start).  A tick of slack
 * covers starttime's truncation. */
static int image_alive(struct creg *r)
{
	static uint64_t tick_ns;
	uint64_t t = proc_ticks_of(r->m.id.pid);

	if (t == 0)
		return 0;
	if (r->m.id.proc_ticks)
		return t == r->m.id.proc_ticks;
	if (!tick_ns) {
		long hz = sysconf(_SC_CLK_TCK);
		tick_ns = 1000000000u / (uint64_t)(hz > 0 ? hz : 100);
	}
	if (r->m.id.start_boot_ns && t * tick_ns > r->m.id.start_boot_ns + tick_ns)
		return 0;
	r->m.id.proc_ticks = t;   /* from now on, the exact test */
	return 1;
}

static void reg_watch(struct creg *r, size_t idx)
{
	r->pidfd = -1;
	if (!r->verified)
		return;
	r->pidfd = (int)syscall(SYS_pidfd_open, r->m.id.pid, 0);
	if (r->pidfd < 0 || !image_alive(r)) {
		/* gone already (or a reused pid): what it wrote is all there is */
		if (r->pidfd >= 0)
			close(r->pidfd);
		r->pidfd = -1;
		r->dead = 1;
		r->dead_ns = now_ns();
		return;
	}
	ep_add(r->pidfd, TAG_PIDFD | idx);
}

static void reg_free(struct creg *r)
{
	if (r->pidfd >= 0)
		close(r->pidfd);   /* also leaves the epoll set */
	pt_rmap_close(&r->m);
	free(r->off);
	free(r->pend);
	free(r);
}

static int by_start(const void *a, const void *b)
{
	const struct creg *x = *(struct creg *const *)a, *y = *(struct creg *const *)b;

	return x->m.id.start_ns < y->m.id.start_ns ? -1 : x->m.id.start_ns > y->m.id.start_ns;
}

/* Map the pending regions (outside any batch: mapping is not transactional). */
static void map_pending(void)
{
	size_t keep = 0;

	for (size_t i = 0; i < C.npend; i++) {
		struct pending *p = &C.pend[i];
		struct creg *r;
		int e;

		if (reg_find(p->name)) {
			if (p->fd >= 0)
				close(p->fd);
			continue;
		}
		r = xcalloc(1, sizeof *r);
		r->pidfd = -1;
		e = pt_rmap_open(C.spoolfd, p->name, p->fd, &r->m);
		/* a region found by a scan may still be in the making: give it 5 s; one that
		 * was announced is complete (the shim announces after publishing its header) */
		if (e == EAGAIN && !p->verified && now_ns() - p->since < 5000000000ull) {
			free(r);
			C.pend[keep++] = *p;
			continue;
		}
		if (e == EAGAIN)
			e = EINVAL;
		if (p->fd >= 0)
			close(p->fd);
		if (e) {
			log_warn("region %s: %s", p->name,
				 e == EINVAL ? "not a valid provtrace region" : strerror(e));
			free(r);
			continue;
		}
		/* identity comes from the kernel where it can: the announcing peer's uid and
		 * pid, else the file's owner */
		if (r->m.id.uid != C.uid || (p->verified && p->uid != C.uid)) {
			log_warn("region %s: uid %u is not the collector's: refused", p->name,
				 (unsigned)r->m.id.uid);
			reg_free(r);
			continue;
		}
		r->verified = p->verified && p->pid == r->m.id.pid;
		if (p->verified && !r->verified)
			log_warn("region %s claims pid %d but was announced by pid %d: unverified",
				 p->name, r->m.id.pid, (int)p->pid);
		r->off = xcalloc(r->m.id.nslots, sizeof *r->off);
		r->pend = xcalloc(r->m.id.nslots, sizeof *r->pend);
		if (C.nregs == C.capregs) {
			C.capregs = C.capregs ? C.capregs * 2 : 64;
			C.regs = realloc(C.regs, C.capregs * sizeof *C.regs);
			if (!C.regs)
				fatal("out of memory");
		}
		C.regs[C.nregs] = r;
		reg_watch(r, C.nregs);
		C.nregs++;
	}
	C.npend = keep;
}

/* Give each new region its process record, oldest image first, so that a parent
 * exists before its children and an image before the one that replaced it; a region
 * the store already knows resumes where the last collector committed.  Inside the
 * batch: if it aborts, registered_pend is undone and this runs again. */
static int assign_procs(void)
{
	struct creg **fresh;
	size_t nfresh = 0;
	int err = 0;

	for (size_t i = 0; i < C.nregs; i++)
		nfresh += !C.regs[i]->registered;
	if (!nfresh)
		return 0;
	fresh = xcalloc(nfresh, sizeof *fresh);
	nfresh = 0;
	for (size_t i = 0; i < C.nregs; i++)
		if (!C.regs[i]->registered)
			fresh[nfresh++] = C.regs[i];
	qsort(fresh, nfresh, sizeof *fresh, by_start);

	for (size_t i = 0; i < nfresh; i++) {
		struct creg *r = fresh[i];
		struct pt_region_rec rr;
		uint32_t n = r->m.id.nslots;

		err = pt_store_region_get(C.st, r->m.name, &rr, r->off, n);
		if (err == 0 && rr.finished) {
			/* finished before a restart: the file is only left over */
			r->leftover = 1;
			r->dead = 1;
			r->registered_pend = 1;
			continue;
		}
		if (err == 0) {
			r->proc = rr.proc;
		} else if (err == PT_ENOTFOUND) {
			struct pt_ident id = { 0 };

			memset(r->off, 0, n * sizeof *r->off);
			id.pid = r->m.id.pid;
			id.ppid = r->m.id.ppid;
			id.uid = r->m.id.uid;
			id.gid = r->m.id.gid;
			id.start_ns = r->m.id.start_ns;
			id.parent_start_ns = r->m.id.parent_start_ns;
			id.proc_ticks = r->m.id.proc_ticks;
			id.verified = r->verified;
			snprintf(id.host, sizeof id.host, "%s", C.host);
			snprintf(id.region, sizeof id.region, "%.199s", r->m.name);
			if ((err = pt_store_proc_add(C.st, &id, &r->proc)))
				break;
			rr = (struct pt_region_rec){ r->proc, n, 0, 0 };
			if ((err = pt_store_region_put(C.st, r->m.name, &rr, r->off)))
				break;
		} else {
			break;
		}
		err = 0;
		memcpy(r->pend, r->off, n * sizeof *r->off);
		r->registered_pend = 1;
		/* an earlier image of this pid was replaced by exec */
		for (size_t j = 0; j < C.nregs; j++) {
			struct creg *o = C.regs[j];
			if (o != r && o->m.id.pid == r->m.id.pid &&
			    o->m.id.start_ns < r->m.id.start_ns && !o->dead) {
				o->superseded = 1;
				o->dead = 1;
				o->dead_ns = r->m.id.start_ns;
			}
		}
		log_debug("region %s: process %u (pid %d)%s", r->m.name, r->proc, r->m.id.pid,
			  r->verified ? "" : ", unverified");
	}
	free(fresh);
	return err;
}

/* ---- the drain: one batch */

struct drain_ctx {
	struct creg *r;
	int err;
};

/* ---- content hashes: the file sessions' opens and closes feed the hasher (hash.h) */

/* The type of a record, from its first bytes ([type, ts, ...]), or 0. */
static uint32_t rec_type(const uint8_t *rec, uint32_t len)
{
	uint32_t i;

	if (len < 2)
		return 0;
	if ((rec[0] & 0xf0) == 0x90)
		i = 1;
	else if (rec[0] == 0xdc)
		i = 3;
	else
		return 0;
	if (i >= len)
		return 0;
	if (rec[i] < 0x80)
		return rec[i];
	return rec[i] == 0xcc && i + 1 < len ? rec[i + 1] : 0;
}

/* The rebuild of the queue after a restart (see hash.h): the log's records up to where
 * this collector began are fed again, a slice per cycle, outside the batches.  A live
 * close whose session opened in the part not fed yet waits here until the rebuild ends. */
#define PT_REBUILD_SLICE 65536u
#define PT_REBUILD_WAIT_MAX 65536u

struct waiting_close {
	uint32_t proc;
	int moved;
	uint64_t sid;
	struct pt_file_id id;
};

static struct {
	int on;
	uint64_t next, end;       /* sequence numbers: the next to feed, the last */
	uint64_t fed, lost;
	struct waiting_close *w;
	size_t nw, capw;
} R;

static void hash_feed(uint32_t proc, const uint8_t *rec, uint32_t len, int live);

static void rebuild_wait(uint32_t proc, uint64_t sid, const struct pt_file_id *id, int moved)
{
	if (R.nw == R.capw) {
		size_t cap = R.capw ? R.capw * 2 : 256;
		struct waiting_close *n = cap <= PT_REBUILD_WAIT_MAX ?
			realloc(R.w, cap * sizeof *n) : NULL;
		if (!n) {
			R.lost++;
			return;
		}
		R.w = n;
		R.capw = cap;
	}
	R.w[R.nw++] = (struct waiting_close){ proc, moved, sid, *id };
}

static int known_hash(void *ctx, const struct pt_file_id *id, const struct pt_hash_rec *h)
{
	(void)ctx;
	if (h->state != PT_HASH_PENDING)
		pt_hasher_known(C.hs, id);
	return 0;
}

/* At the start, after hash_start: a store with records was written by a collector before
 * this one, whose queue died with it. */
static void rebuild_begin(void)
{
	struct pt_counters c;

	if (!C.hs || pt_store_counters(C.st, &c) || !c.events)
		return;
	pt_store_each_hash(C.st, known_hash, NULL);
	R.on = 1;
	R.next = 0;
	R.end = c.events;   /* sequence numbers run 1 .. events */
	log_info("content hashes: rebuilding the queue from the %llu records of the log",
		 (unsigned long long)c.events);
}

struct rebuild_ctx {
	uint64_t budget;
	int done;
};

static int rebuild_rec(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct rebuild_ctx *x = ctx;

	if (seq > R.end) {
		x->done = 1;
		return 1;
	}
	if (!x->budget--)
		return 1;
	hash_feed(proc, rec, len, 0);
	R.next = seq + 1;
	R.fed++;
	return 0;
}

/* One slice (all of it with `all`); outside a batch. */
static void rebuild_step(int all)
{
	do {
		struct rebuild_ctx x = { PT_REBUILD_SLICE, 0 };
		int r = pt_store_each_log(C.st, R.next, rebuild_rec, &x);
		if (r != 0 && r != 1) {
			log_warn("content hashes: cannot read the log to rebuild the queue: %s",
				 pt_strerror(r));
			x.done = 1;
		}
		if (r == 0)
			x.done = 1;   /* the end of the log */
		if (!x.done)
			continue;
		R.on = 0;
		for (size_t i = 0; i < R.nw; i++)
			pt_hasher_close(C.hs, R.w[i].proc, R.w[i].sid, &R.w[i].id, R.w[i].moved);
		free(R.w);
		R.w = NULL;
		R.nw = R.capw = 0;
		log_info("content hashes: queue rebuilt from %llu records%s",
			 (unsigned long long)R.fed, R.lost ? " (some closes of the restart lost)" : "");
	} while (R.on && all);
}

static void hash_feed(uint32_t proc, const uint8_t *rec, uint32_t len, int live)
{
	uint32_t t = rec_type(rec, len);
	struct pt_ev ev;

	if (t != PT_EV_OPEN && t != PT_EV_ADOPT && t != PT_EV_DUP && t != PT_EV_CLOSE &&
	    t != PT_EV_PROC_START && t != PT_EV_LIBS && t != PT_EV_RENAME)
		return;
	if (pt_ev_parse(rec, len, &ev))
		return;
	switch (t) {
	case PT_EV_OPEN:
	case PT_EV_ADOPT: {
		struct pt_bytes b = pt_ev_b(&ev, 2);
		if (pt_ev_u(&ev, t == PT_EV_OPEN ? 5 : 3) == PT_KIND_FILE)
			pt_hasher_open(C.hs, proc, pt_ev_u(&ev, 0), b.p, b.len);
		break;
	}
	case PT_EV_RENAME: {
		struct pt_bytes a = pt_ev_b(&ev, 0), b = pt_ev_b(&ev, 1);
		pt_hasher_rename(C.hs, a.p, a.len, b.p, b.len);
		break;
	}
	case PT_EV_DUP:
		pt_hasher_dup(C.hs, proc, pt_ev_u(&ev, 0), pt_ev_u(&ev, 1));
		break;
	case PT_EV_CLOSE: {
		struct pt_file_id id = { pt_ev_u(&ev, 12), pt_ev_u(&ev, 13), pt_ev_u(&ev, 14),
					 pt_ev_u(&ev, 15) };
		int moved = pt_ev_u(&ev, 3) || pt_ev_u(&ev, 5);
		if (!pt_hasher_close(C.hs, proc, pt_ev_u(&ev, 0), &id, moved) && live && R.on)
			rebuild_wait(proc, pt_ev_u(&ev, 0), &id, moved);
		break;
	}
	case PT_EV_PROC_START: {
		struct pt_bytes b = pt_ev_b(&ev, 0);
		pt_hasher_image(C.hs, b.p, b.len);
		break;
	}
	case PT_EV_LIBS: {
		struct pt_mpr m;
		struct pt_bytes b;
		uint32_t n, two;
		uint64_t base;
		if (ev.n < 1 || ev.v[0].kind != PT_MP_ARRAY)
			break;
		pt_mpr_init(&m, ev.v[0].b.p, ev.v[0].b.len);
		if (pt_mpr_array(&m, &n))
			break;
		while (n--) {
			if (pt_mpr_array(&m, &two) || two < 2 || pt_mpr_bytes(&m, &b) ||
			    pt_mpr_uint(&m, &base))
				break;
			for (uint32_t i = 2; i < two; i++)
				pt_mpr_skip(&m);
			pt_hasher_image(C.hs, b.p, b.len);
		}
		break;
	}
	}
}

/* Append n finished hashes (d, taken from the hasher) to those not committed yet. */
static void hash_keep(struct pt_hash_done *d, size_t n)
{
	struct pt_hash_done *all = realloc(C.hd, (C.nhd + n) * sizeof *all);

	if (!all)
		fatal("out of memory");
	memcpy(all + C.nhd, d, n * sizeof *d);
	free(d);
	C.hd = all;
	C.nhd += n;
}

/* Results finished since the last batch, added to those waiting for a commit. */
static void hash_collect(void)
{
	struct pt_hash_done *d;
	size_t n;

	if (!C.hs || !(n = pt_hasher_take(C.hs, &d)))
		return;
	for (size_t i = 0; C.debug && i < n; i++) {
		char h[PT_HASH_STR] = "-";
		if (d[i].h.state == PT_HASH_DONE)
			pt_hash_fmt(d[i].h.hash, h);
		log_debug("content hash: dev %llu inode %llu size %llu: state %u %s",
			  (unsigned long long)d[i].id.dev, (unsigned long long)d[i].id.ino,
			  (unsigned long long)d[i].id.size, d[i].h.state, h);
	}
	hash_keep(d, n);
}

static int hash_store(void)
{
	int err = 0;

	for (size_t i = 0; i < C.nhd && !err; i++) {
		err = pt_store_hash_put(C.st, &C.hd[i].id, &C.hd[i].h);
		if (!err && C.hd[i].path)
			err = pt_store_hash_path_put(C.st, C.hd[i].path, strlen(C.hd[i].path),
						     &C.hd[i].id);
	}
	return err;
}

static void hash_committed(void)
{
	pt_hasher_free_done(C.hd, C.nhd);
	C.hd = NULL;
	C.nhd = 0;
}

/* At the stop: what is queued gets PROVTRACE_HASH_WAIT ms (default 20000) to finish;
 * the rest is stored as never hashed (PT_HASH_PENDING), which stat reports. */
static void hash_finish(void)
{
	const char *w = getenv("PROVTRACE_HASH_WAIT");
	int ms = w && *w ? atoi(w) : 20000, err = 0;
	struct pt_hash_done *d;
	size_t left, n;

	if (!C.hs)
		return;
	if (R.on)
		rebuild_step(1);
	left = pt_hasher_drain(C.hs, ms < 0 ? 0 : ms);
	n = pt_hasher_stop(C.hs, &d);
	C.hs = NULL;
	if (left)
		log_info("content hashes: %zu files not hashed at the stop (PROVTRACE_HASH_WAIT=%d "
			 "ms passed)", left, ms);
	if (n)
		hash_keep(d, n);
	for (int attempt = 0; attempt < 8 && C.nhd; attempt++) {
		if ((err = pt_store_begin(C.st)))
			break;
		if ((err = hash_store())) {
			pt_store_abort(C.st);   /* a full map grows here */
			if (err == PT_EFULL)
				continue;
			break;
		}
		if ((err = pt_store_commit(C.st)) == 0) {
			hash_committed();
			return;
		}
		if (err != PT_EFULL)
			break;
	}
	if (err)
		log_warn("cannot store content hashes: %s", pt_strerror(err));
}

static void hash_start(void)
{
	const char *on = getenv("PROVTRACE_HASH"), *mx = getenv("PROVTRACE_HASH_MAX");
	uint64_t max = PT_HASH_MAX_DEFAULT;
	int e;

	if (on && strcmp(on, "0") == 0)
		return;
	if (mx && *mx)
		max = strtoull(mx, NULL, 0);
	if ((e = pt_hasher_start(max, &C.hs)))
		log_warn("content hashes off: cannot start their thread: %s", strerror(e));
}

static int on_record(void *ctx, uint32_t slot, const uint8_t *rec, uint32_t len)
{
	struct drain_ctx *d = ctx;
	int e = pt_store_event(C.st, d->r->proc, rec, len);

	(void)slot;
	if (C.hs && !e)
		hash_feed(d->r->proc, rec, len, 1);
	if (e == PT_EWIRE) {
		d->r->corrupt_pend++;
		return 0;
	}
	if (e) {
		d->err = e;
		return 1;
	}
	C.records++;
	return 0;
}

/* Read what each slot published; `all` reads until nothing is left (a finished image). */
static int drain_region(struct creg *r, int all)
{
	struct drain_ctx d = { r, 0 };
	int moved = 0;

	for (uint32_t s = 0; s < r->m.id.nslots; s++) {
		do {
			uint64_t before = r->pend[s];
			pt_rmap_drain(&r->m, s, &r->pend[s], PT_SLOT_BUDGET, on_record, &d,
				      &r->corrupt_pend);
			if (d.err)
				return d.err;
			if (r->pend[s] == before)
				break;
			moved = 1;
		} while (all);
	}
	if (moved) {
		struct pt_region_rec rr = { r->proc, r->m.id.nslots, 0, 0 };
		return pt_store_region_put(C.st, r->m.name, &rr, r->pend);
	}
	return 0;
}

static int finish_region(struct creg *r, uint32_t state_override)
{
	struct pt_region_hdr *h = r->m.hdr;
	uint64_t dropped = atomic_load(&h->dropped), torn = 0, end;
	uint32_t state;
	int err;

	for (uint32_t s = 0; s < r->m.id.nslots; s++) {
		struct pt_slot *sl = pt_region_slot(r->m.base, &r->m.id, s);
		dropped += sl->dropped;
		/* a record being written when the image died: never published, counted */
		if (atomic_load(&sl->writing) && !state_override)
			torn++;
	}
	if (state_override)
		state = state_override;
	else if (r->superseded || atomic_load(&h->state) == PT_RS_EXEC)
		state = PT_END_EXECED;   /* replaced, perhaps by an image the shim cannot follow */
	else if (atomic_load(&h->state) == PT_RS_EXITED)
		state = PT_END_EXITED;
	else
		state = PT_END_DIED;
	end = state == PT_END_EXITED && atomic_load(&h->end_ns) ? atomic_load(&h->end_ns)
								: r->dead_ns ? r->dead_ns : now_ns();
	/* descriptors the image never closed: their counters are in the table */
	uint32_t hi = atomic_load(&h->sess_hi);
	struct pt_sess *sess = pt_region_sess(r->m.base, &r->m.id);
	if (hi > r->m.id.nsess)
		hi = r->m.id.nsess;
	for (uint32_t fd = 0; fd < hi; fd++)
		if ((err = pt_store_sess_end(C.st, r->proc, (int)fd, &sess[fd], end)))
			return err;
	/* MPI traffic counted after the image's last record (a rank killed meanwhile) */
	struct drain_ctx d = { r, 0 };
	err = pt_mpi_side_replay(C.spoolfd, r->m.name, end, on_record, &d);
	if (d.err)
		return d.err;
	if (err)
		log_info("region %s: its MPI counters cannot be read (%s): traffic after its "
			 "last MPI record is not known", r->m.name, strerror(err));
	if ((err = pt_store_proc_end(C.st, r->proc, state,
				     state == PT_END_EXITED ? h->exit_status : -1, end, dropped,
				     torn, r->corrupt + r->corrupt_pend)))
		return err;
	struct pt_region_rec rr = { r->proc, r->m.id.nslots, 1, 0 };
	return pt_store_region_put(C.st, r->m.name, &rr, r->pend);
}

/* -P: whoever started this collector (a node's agent, provtrace run) is gone — killed by
 * the launcher tearing its job down, say — and nobody will stop it.  It goes on while a
 * process of the spool lives, so that their last records are stored, then stops as if
 * told to, copying the store where it was asked to. */
static void orphan_check(void)
{
	if (!C.parent || getppid() == C.parent)
		return;
	for (size_t i = 0; i < C.nregs; i++)
		if (!C.regs[i]->dead)
			return;
	log_info("the process that started this collector is gone and no process of the spool "
		 "lives: stopping");
	C.stopping = 1;
}

/* One batch: register, drain, finish; commit; then hand space back.  A full map
 * grows and the batch is replayed from the rings, which still hold every record. */
static int cycle(int final)
{
	int err, any = final || C.npend > 0 || C.top.set == 1;

	for (size_t i = 0; i < C.nregs && !any; i++)
		any = !C.regs[i]->registered;
	uint64_t now = now_ns();

	if (R.on)
		rebuild_step(0);

	C.fill_max = 0;
	for (size_t i = 0; i < C.nregs; i++) {
		struct creg *r = C.regs[i];
		if (r->dead || final)
			any = 1;
		for (uint32_t s = 0; s < r->m.id.nslots; s++) {
			uint64_t n = pt_rmap_pending(&r->m, s, r->off[s]);
			uint64_t fill = n * 1024 / r->m.id.slot_size;   /* in 1024ths of the ring */
			if (n)
				any = 1;
			if (fill > C.fill_max)
				C.fill_max = fill;
		}
	}
	for (size_t i = 0; i < C.nregs; i++)
		atomic_store_explicit(&C.regs[i]->m.hdr->attached_ns, now, memory_order_relaxed);
	hash_collect();
	if (C.nhd)
		any = 1;
	if (!any)
		return 0;

	map_pending();
	for (int attempt = 0; attempt < 8; attempt++) {
		if ((err = pt_store_begin(C.st)))
			break;
		for (size_t i = 0; i < C.nregs; i++) {
			struct creg *r = C.regs[i];
			memcpy(r->pend, r->off, r->m.id.nslots * 8u);
			r->corrupt_pend = 0;
			r->registered_pend = r->registered;
		}
		if ((err = assign_procs()) || (err = hash_store()))
			goto abort;
		for (size_t i = 0; i < C.nregs; i++) {
			struct creg *r = C.regs[i];
			if (r->registered_pend && !r->leftover &&
			    (err = drain_region(r, r->dead || final)))
				goto abort;
		}
		for (size_t i = 0; i < C.nregs; i++) {
			struct creg *r = C.regs[i];
			if (!r->registered_pend || r->leftover)
				continue;
			if (r->dead && (err = finish_region(r, 0)))
				goto abort;
			if (!r->dead && final && (err = finish_region(r, PT_END_RUNNING)))
				goto abort;
		}
		if (C.top.set == 1 &&
		    ((err = pt_store_top_status(C.st, C.top.pid, C.top.status, C.top.end_ns)) ||
		     (C.top.signal && (err = pt_store_meta_put(C.st, "top_signal", &C.top.signal,
								sizeof C.top.signal)))))
			goto abort;
		/* the run's end: vfork children never seen become gaps */
		if (final && (err = pt_store_untraced_children(C.st)))
			goto abort;
		if ((err = pt_store_commit(C.st)) == 0)
			goto committed;
		if (err != PT_EFULL)
			break;
		log_info("store map full: grown, replaying the batch");
		continue;
abort:
		pt_store_abort(C.st);
		if (err != PT_EFULL)
			break;
		log_info("store map full: grown, replaying the batch");
	}
	/* the records stay in the rings; producers see the space still taken */
	if (now - C.last_err_report > 10000000000ull) {
		log_warn("cannot store events (%s): kept in the spool, retrying", pt_strerror(err));
		C.last_err_report = now;
	}
	return err;

committed:
	C.cycles++;
	hash_committed();
	if (C.top.set == 1)
		C.top.set = 2;
	for (size_t i = 0; i < C.nregs;) {
		struct creg *r = C.regs[i];
		r->registered = r->registered_pend;
		if (!r->registered) {
			i++;
			continue;
		}
		memcpy(r->off, r->pend, r->m.id.nslots * 8u);
		r->corrupt += r->corrupt_pend;
		r->corrupt_pend = 0;
		if (r->dead || final) {
			if (r->dead) {
				char side[256];
				if (!pt_mpi_side_name(r->m.name, side, sizeof side))
					unlinkat(C.spoolfd, side, 0);
				unlinkat(C.spoolfd, r->m.name, 0);
			}
			/* keep the epoll indices of the others right: swap in the last one */
			reg_free(r);
			C.regs[i] = C.regs[--C.nregs];
			if (i < C.nregs && C.regs[i]->pidfd >= 0) {
				struct epoll_event ev = { .events = EPOLLIN,
							  .data.u64 = TAG_PIDFD | i };
				epoll_ctl(C.epfd, EPOLL_CTL_MOD, C.regs[i]->pidfd, &ev);
			}
			continue;
		}
		for (uint32_t s = 0; s < r->m.id.nslots; s++)
			pt_rmap_release(&r->m, s, r->off[s], 0);
		i++;
	}
	return 0;
}

/* Group commit: the next batch comes when the fullest ring would be about a quarter full
 * at the rate it filled since the last one, between -i (10 ms) and 100 ms, so that a
 * quiet job costs the node ten small transactions a second and a busy one never fills a
 * ring (the shim declares a collector gone after 250 ms without a batch). */
#define PT_WAIT_MAX_MS 100

static void pace(void)
{
	int next = PT_WAIT_MAX_MS;

	if (C.fill_max)
		next = (int)((uint64_t)C.wait_ms * 256 / C.fill_max);
	if (next < C.interval_ms)
		next = C.interval_ms;
	if (next > PT_WAIT_MAX_MS)
		next = PT_WAIT_MAX_MS;
	if (next == C.wait_ms)
		return;
	C.wait_ms = next;
	struct itimerspec its = { { next / 1000, (next % 1000) * 1000000L },
				  { next / 1000, (next % 1000) * 1000000L } };
	timerfd_settime(C.tfd, 0, &its, NULL);
}

/* The last batch, tried a few times: a passing failure (an I/O error, a full disk just
 * cleared) at the very end must not leave the run to a manual --once. */
static int final_cycle(void)
{
	int r = cycle(1);

	for (int i = 0; r && i < 4; i++) {
		struct timespec ts = { 0, 50000000L << i };
		nanosleep(&ts, NULL);
		r = cycle(1);
	}
	return r;
}

/* A job the launcher passed a signal to (^C, timeout) may be stopped by its first process
 * while the others are still dying (mpirun returns as its ranks get the signal): give the
 * images still running up to PT_STOP_GRACE_MS to end, draining meanwhile, so that they
 * are recorded as ended, not as running. */
#define PT_STOP_GRACE_MS 3000

/* Mark the images that have ended (asking /proc, at the stop); returns how many run. */
static int mark_ended(void)
{
	int alive = 0;

	for (size_t i = 0; i < C.nregs; i++) {
		struct creg *r = C.regs[i];
		if (r->dead)
			continue;
		if (image_alive(r))
			alive++;
		else
			r->dead = 1, r->dead_ns = now_ns();
	}
	return alive;
}

static void stop_grace(void)
{
	uint64_t until = now_ns() + PT_STOP_GRACE_MS * 1000000ull;
	int alive;

	if (!C.top.set || !C.top.signal)
		return;
	do {
		alive = mark_ended();
		if (alive) {
			struct timespec ts = { 0, 20000000L };
			cycle(0);
			nanosleep(&ts, NULL);
		}
	} while (alive && now_ns() < until);
	if (alive)
		log_info("%d processes still running %d ms after the job got signal %d", alive,
			 PT_STOP_GRACE_MS, (int)C.top.signal);
}

/* ---- discovery: regions nobody announced (made while no collector ran) */

static void scan_spool(void)
{
	DIR *d;
	struct dirent *e;
	int fd = dup(C.spoolfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);
	while ((e = readdir(d))) {
		if (!valid_region_name(e->d_name) || reg_find(e->d_name) ||
		    pending_find(e->d_name) >= 0)
			continue;
		pending_add(e->d_name, -1, 0, 0, 0);
	}
	closedir(d);
}

/* Images found by a scan have no pidfd: ask /proc whether they still run. */
static void check_unverified(void)
{
	for (size_t i = 0; i < C.nregs; i++) {
		struct creg *r = C.regs[i];
		if (!r->dead && r->pidfd < 0 && !image_alive(r)) {
			r->dead = 1;
			r->dead_ns = now_ns();
		}
	}
}

/* ---- announcements */

static void conn_forget(int fd)
{
	for (size_t i = 0; i < C.nconn; i++) {
		if (C.conn[i].fd == fd) {
			C.conn[i] = C.conn[--C.nconn];
			return;
		}
	}
}

/* Per-connection budget: one message, within PT_CONN_TIMEOUT_NS of the connect. */
static void conn_sweep(void)
{
	uint64_t now = now_ns();

	for (size_t i = 0; i < C.nconn;) {
		if (now - C.conn[i].since > PT_CONN_TIMEOUT_NS) {
			log_debug("connection %d sent nothing in time: closed", C.conn[i].fd);
			close(C.conn[i].fd);
			C.conn[i] = C.conn[--C.nconn];
			continue;
		}
		i++;
	}
}

static void on_connection(int fd)
{
	char buf[PT_MSG_MAX + 1];
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { buf, PT_MSG_MAX };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			    .msg_controllen = sizeof cbuf };
	struct ucred cred;
	socklen_t clen = sizeof cred;
	struct pt_msg_hdr h;
	int passed = -1;
	ssize_t n;

	n = recvmsg(fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			int fds[4];
			memcpy(fds, CMSG_DATA(c), k * sizeof(int));
			for (size_t j = 0; j < k; j++) {
				if (passed < 0)
					passed = fds[j];
				else
					close(fds[j]);
			}
		}
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0)
		goto drop;
	if (cred.uid != C.uid) {
		log_warn("refused a connection from uid %u (pid %d): not the collector's user",
			 (unsigned)cred.uid, (int)cred.pid);
		goto drop;
	}
	if (n < (ssize_t)sizeof h || (m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		goto bad;
	memcpy(&h, buf, sizeof h);
	if (h.magic != PT_ANNOUNCE_MAGIC || h.version != PT_PROTO_VERSION ||
	    h.len != (size_t)n - sizeof h || h.len > PT_MSG_MAX - sizeof h)
		goto bad;
	buf[n] = 0;
	switch (h.type) {
	case PT_MSG_REGION: {
		const char *name = buf + sizeof h;
		if (h.len < 2 || buf[n - 1] != 0 || !valid_region_name(name))
			goto bad;
		pending_add(name, passed, cred.pid, cred.uid, 1);
		passed = -1;
		break;
	}
	case PT_MSG_STATUS: {
		struct pt_msg_status s;
		if (h.len != sizeof s)
			goto bad;
		memcpy(&s, buf + sizeof h, sizeof s);
		C.top.pid = s.pid;
		C.top.status = s.wait_status;
		C.top.end_ns = s.end_ns;
		C.top.signal = s.signal;
		C.top.set = 1;
		break;
	}
	case PT_MSG_DISABLED: {
		/* body: the reason, NUL, the executable, NUL (either may be cut short) */
		const char *why = buf + sizeof h, *exe = "";
		size_t wl = strnlen(why, h.len);
		char detail[PT_MSG_MAX + 64];
		int k;

		if (wl + 1 < h.len)
			exe = why + wl + 1;
		if (*exe)
			k = snprintf(detail, sizeof detail, "pid %d (%s) recorded nothing: %.*s",
				     (int)cred.pid, exe, (int)wl, why);
		else
			k = snprintf(detail, sizeof detail, "pid %d recorded nothing: %.*s",
				     (int)cred.pid, (int)wl, why);
		if (k >= (int)sizeof detail)
			k = (int)sizeof detail - 1;
		/* a node-level gap: the process has no image to hold it */
		if (pt_store_begin(C.st) == 0) {
			if (pt_store_unrecorded(C.st, (int32_t)cred.pid, detail, (size_t)k) ||
			    pt_store_commit(C.st))
				pt_store_abort(C.st);
		}
		break;
	}
	default:
		goto bad;
	}
	goto drop;
bad:
	log_warn("malformed announcement from pid %d: ignored", (int)cred.pid);
drop:
	if (passed >= 0)
		close(passed);
	conn_forget(fd);
	close(fd);
}

static void on_listen(void)
{
	for (int i = 0; i < 64; i++) {
		int fd = accept4(C.lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		/* the message is sent before the peer closes: read it now, or when it lands */
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 0) == 1) {
			on_connection(fd);
		} else if (C.nconn == PT_CONN_MAX) {
			close(fd);
		} else {
			C.conn[C.nconn].fd = fd;
			C.conn[C.nconn++].since = now_ns();
			ep_add(fd, TAG_CONN | (uint32_t)fd);
		}
	}
}

/* ---- main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: provtrace-collectd -s SOCKET -S SPOOL -d STORE [options]\n"
		"  -s, --socket PATH    announcement socket (in a private directory)\n"
		"  -S, --spool DIR      spool directory of the regions (private)\n"
		"  -d, --store FILE     node-local LMDB store\n"
		"  -o, --output FILE    at exit, write a compacted copy of the store here\n"
		"  -H, --host NAME      node name recorded with each process\n"
		"  -i, --interval MS    shortest drain interval (default 10; up to 100 when quiet)\n"
		"  -r, --ready-fd N     write a byte to descriptor N once listening\n"
		"  -l, --log FILE       log here instead of standard error\n"
		"  -D, --daemon         detach once listening\n"
		"  -P, --with-parent    once the process that started the collector is gone,\n"
		"                       stop when no process of the spool lives any more\n"
		"  -1, --once           drain the spool, finish every region, exit\n"
		"  -q, --quiet          no progress bar (--once on a terminal shows one)\n"
		"  -v, --debug          log every region\n");
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, 0, 's' }, { "spool", required_argument, 0, 'S' },
		{ "store", required_argument, 0, 'd' }, { "output", required_argument, 0, 'o' },
		{ "host", required_argument, 0, 'H' }, { "interval", required_argument, 0, 'i' },
		{ "ready-fd", required_argument, 0, 'r' }, { "log", required_argument, 0, 'l' },
		{ "daemon", no_argument, 0, 'D' }, { "once", no_argument, 0, '1' },
		{ "with-parent", no_argument, 0, 'P' }, { "quiet", no_argument, 0, 'q' },
		{ "debug", no_argument, 0, 'v' }, { "help", no_argument, 0, 'h' }, { 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:S:d:o:H:i:r:l:D1Pqvh", opts, NULL)) != -1) {
		switch (c) {
		case 's': C.sock = optarg; break;
		case 'S': C.spool = optarg; break;
		case 'd': C.store_path = optarg; break;
		case 'o': C.output = optarg; break;
		case 'H': snprintf(C.host, sizeof C.host, "%s", optarg); break;
		case 'i': C.interval_ms = atoi(optarg); break;
		case 'r': C.ready_fd = atoi(optarg); break;
		case 'l': C.logpath = optarg; break;
		case 'D': C.daemonize = 1; break;
		case 'P': C.parent = getppid(); break;
		case '1': C.once = 1; break;
		case 'q': pt_progress_quiet(1); break;
		case 'v': C.debug = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (!C.spool || !C.store_path || (!C.sock && !C.once) || optind != argc) {
		usage(stderr);
		exit(2);
	}
	if (C.interval_ms < 1 || C.interval_ms > 10000)
		C.interval_ms = 10;
	if (!C.host[0]) {
		const char *h = getenv("PROVTRACE_HOST");
		if (h && *h)
			snprintf(C.host, sizeof C.host, "%s", h);
		else
			gethostname(C.host, sizeof C.host - 1);
	}
	const char *dbg = getenv("PROVTRACE_DEBUG");
	if (dbg && *dbg && strcmp(dbg, "0") != 0)
		C.debug = 1;
}

/* The compacted copy for the run directory; on failure the node-local store stays
 * where it is and the exit status says so (the launcher then keeps it). */
static int write_output(void)
{
	char tmp[4096];
	int r;

	if (!C.output)
		return pt_store_sync(C.st) ? -1 : 0;   /* the store itself is the result */
	snprintf(tmp, sizeof tmp, "%s.tmp.%d", C.output, (int)getpid());
	unlink(tmp);
	if ((r = pt_store_copy(C.st, tmp))) {
		log_warn("cannot copy the store to %s: %s (it stays at %s)", tmp, pt_strerror(r),
			 C.store_path);
		return -1;
	}
	if (rename(tmp, C.output) < 0) {
		log_warn("cannot rename %s to %s: %s (the store stays at %s)", tmp, C.output,
			 strerror(errno), C.store_path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct epoll_event evs[64];
	sigset_t mask;
	int r;

	logfp = stderr;
	parse_args(argc, argv);
	if (C.logpath && !(logfp = fopen(C.logpath, "ae")))
		logfp = stderr, fatal("cannot open log %s: %s", C.logpath, strerror(errno));
	C.uid = geteuid();
	umask(077);
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);

	if (check_private_dir(C.spool, "spool") < 0)
		fatal("refusing to start: unsafe spool directory %s", C.spool);
	C.spoolfd = open(C.spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (C.spoolfd < 0)
		fatal("spool %s: %s", C.spool, strerror(errno));
	/* No fsync per batch: a commit is in the page cache, which a killed collector does
	 * not lose, and the spool that holds what is not committed yet is memory too; the
	 * copy in the run directory is synced.  PROVTRACE_SYNC=1 syncs every batch. */
	const char *sync = getenv("PROVTRACE_SYNC");
	unsigned sflags = PT_STORE_CREATE | (sync && strcmp(sync, "1") == 0 ? 0 : PT_STORE_NOSYNC);
	if ((r = pt_store_open(C.store_path, sflags, &C.st)))
		fatal("store %s: %s", C.store_path, pt_strerror(r));
	/* Readers index a store under an exclusive flock, without LMDB's lock file: the
	 * collector holds that flock while it writes, so a reader of a live store waits for
	 * the run's end instead of writing beside it.  (Kept open: the kernel drops it with
	 * the collector, however it dies.) */
	int lockfd = open(C.store_path, O_RDONLY | O_CLOEXEC);
	if (lockfd < 0 || flock(lockfd, LOCK_EX | LOCK_NB) < 0)
		fatal("store %s is in use (by another collector, or a reader indexing it): %s",
		      C.store_path, strerror(errno));
	/* the job's cores are the job's: the collector only logs; the first reader of the
	 * run indexes it (pt_store_open) */
	pt_store_defer_index(C.st, 1);
	{
		struct pt_store *st = C.st;
		if (pt_store_begin(st) == 0) {
			if (pt_store_meta_put(st, "host", C.host, strlen(C.host)) || pt_store_commit(st))
				pt_store_abort(st);
		}
	}

	if (C.once) {
		struct pt_progress bar;
		size_t nregions;
		hash_start();
		rebuild_begin();
		if (R.on)
			rebuild_step(1);   /* no job is waiting: all of it now */
		scan_spool();
		nregions = C.nregs;
		pt_progress_start(&bar, "provtrace-collectd --once: regions", "regions", nregions);
		C.stopping = 1;
		while (C.npend && cycle(0) == 0)
			pt_progress_set(&bar, C.nregs < nregions ? nregions - C.nregs : 0, 0);
		for (size_t i = 0; i < C.nregs; i++)
			if (!image_alive(C.regs[i]))
				C.regs[i]->dead = 1, C.regs[i]->dead_ns = now_ns();
		r = final_cycle();
		pt_progress_set(&bar, C.nregs < nregions ? nregions - C.nregs : 0, 0);
		pt_progress_end(&bar);
		hash_finish();
		if (write_output()) {
			pt_store_sync(C.st);
			r = 1;
		}
		pt_store_close(C.st);
		return r ? 1 : 0;
	}

	C.epfd = epoll_create1(EPOLL_CLOEXEC);
	C.lfd = listen_socket(C.sock);
	ep_add(C.lfd, TAG_LISTEN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	C.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	ep_add(C.sigfd, TAG_SIGNAL);
	C.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	C.wait_ms = 0;
	C.fill_max = 1024;   /* start at the shortest period */
	pace();
	ep_add(C.tfd, TAG_TIMER);

	scan_spool();   /* regions left by a collector that died, or made before this one */

	if (C.daemonize) {
		pid_t pid = fork();
		if (pid < 0)
			fatal("fork: %s", strerror(errno));
		if (pid > 0)
			_exit(0);
		setsid();
	}
	hash_start();   /* after the fork: a thread does not cross it */
	rebuild_begin();
	if (C.ready_fd >= 0) {
		char ok = 'R';
		if (write(C.ready_fd, &ok, 1) != 1)
			log_warn("ready descriptor %d: %s", C.ready_fd, strerror(errno));
		close(C.ready_fd);
	}
	log_info("listening on %s, spool %s, store %s", C.sock, C.spool, C.store_path);
	/* after the fork: readers signal this pid */
	if (C.output && (r = pt_live_mark(C.output, getpid(), C.store_path)))
		log_warn("cannot write the live marker beside %s: %s", C.output, strerror(r));

	while (!C.stopping) {
		/* while a live reader waits for the indices, poll between indexing steps */
		int n = epoll_wait(C.epfd, evs, 64, C.index_wanted ? 0 : -1);
		for (int i = 0; i < n; i++) {
			uint64_t tag = evs[i].data.u64;
			switch (tag & TAG_MASK) {
			case TAG_LISTEN:
				on_listen();
				break;
			case TAG_CONN:
				on_connection((int)(tag & 0xffffffff));
				break;
			case TAG_PIDFD: {
				size_t idx = tag & 0xffffffff;
				if (idx < C.nregs && !C.regs[idx]->dead) {
					C.regs[idx]->dead = 1;
					C.regs[idx]->dead_ns = now_ns();
					epoll_ctl(C.epfd, EPOLL_CTL_DEL, C.regs[idx]->pidfd, NULL);
				}
				break;
			}
			case TAG_SIGNAL: {
				struct signalfd_siginfo si;
				while (read(C.sigfd, &si, sizeof si) == sizeof si) {
					if (si.ssi_signo == SIGUSR1)
						C.index_wanted = 64;   /* steps; a reader that still waits asks again */
					else
						C.stopping = 1;
				}
				break;
			}
			case TAG_TIMER: {
				uint64_t ticks;
				if (read(C.tfd, &ticks, sizeof ticks) < 0)
					break;
				uint64_t t = now_ns();
				if (t - C.last_scan > 1000000000ull) {
					scan_spool();
					check_unverified();
					conn_sweep();
					C.last_scan = t;
					orphan_check();
				}
				cycle(0);
				pace();
				break;
			}
			}
		}
		if (C.index_wanted && (r = pt_live_index_step(C.st)) <= 0) {
			if (r < 0)
				log_warn("indexing for a live reader: %s", pt_strerror(r));
			C.index_wanted = 0;
		} else if (C.index_wanted) {
			C.index_wanted--;
		}
	}

	/* stop: take the last announcements, drain everything, finish, copy; what the scan
	 * found is registered first, so that its ended images are seen as ended (a collector
	 * started again just before the stop has all of them pending) */
	on_listen();
	scan_spool();
	check_unverified();
	while (C.npend && cycle(0) == 0)
		;
	stop_grace();
	mark_ended();
	while (C.npend && cycle(0) == 0)
		if (!C.npend)
			break;
	r = final_cycle();
	hash_finish();
	struct pt_counters cnt;
	pt_store_counters(C.st, &cnt);
	log_info("stopped: %llu events, %llu processes, %llu dropped, %llu torn, %llu corrupt",
		 (unsigned long long)cnt.events, (unsigned long long)cnt.procs,
		 (unsigned long long)cnt.dropped, (unsigned long long)cnt.torn,
		 (unsigned long long)cnt.corrupt);
	if (write_output()) {
		pt_store_sync(C.st);   /* the node-local store is what is left: make it last */
		r = 1;
	}
	if (C.output)
		pt_live_unmark(C.output);   /* after NODE.mdb is in place */
	pt_store_close(C.st);
	close(C.lfd);
	unlink(C.sock);
	char lockpath[4096];
	snprintf(lockpath, sizeof lockpath, "%s.lock", C.sock);
	unlink(lockpath);
	return r ? 1 : 0;
}
