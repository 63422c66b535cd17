/* shim.c — libprovtrace.so's core: configuration, the image's region and its
 * announcement to the node collector, and the lock-free record writer.
 * The wrappers live in io.c, stdio.c, proc.c and ipc.c. */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>

#include "../collector/fault.h"
#include "shim.h"
#include "sys.h"

struct pt_state pt = { .cwd_lock = ATOMIC_FLAG_INIT };
PT_TLS_IE struct pt_tls pt_tls;
PT_TLS_IE uint8_t pt_vforked;
int pt_mpi_pending;
void (*pt_mpi_flush_hook)(void);

static pthread_key_t slot_key;

#define PT_DEFAULT_SLOTS 16u
#define PT_DEFAULT_SLOT_SIZE (4u << 20)
#define PT_DEFAULT_WAIT_MS 200u

uint64_t pt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- diagnostics: only with PROVTRACE_DEBUG, only on stderr, through a raw write */

void pt_debug(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (!pt.debug)
		return;
	n = snprintf(buf, sizeof buf, "provtrace[%d]: ", (int)pt_sys_getpid());
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	pt_sys_write(2, buf, (size_t)n);
}

void pt_disable(const char *why)
{
	if (pt.enabled)
		pt_debug("recording stopped: %s", why);
	pt.enabled = 0;
	pt.nsess = 0;
}

/* ---- configuration */

static uint32_t num_u32(const char *s, uint32_t def, uint32_t lo, uint32_t hi)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return def;
	v = strtoul(s, &end, 0);
	if (*end == 'k' || *end == 'K')
		v <<= 10;
	else if (*end == 'm' || *end == 'M')
		v <<= 20;
	if (v < lo)
		v = lo;
	if (v > hi)
		v = hi;
	return (uint32_t)v;
}

static uint32_t pow2_floor(uint32_t v)
{
	uint32_t p = 1;

	while (p <= v / 2)
		p <<= 1;
	return p;
}

static int flag_on(const char *s)
{
	return s && *s && strcmp(s, "0") != 0;
}

/* Default exclusions: pseudo file systems and devices carry no data lineage; /dev/shm
 * does (DataLoader workers hand tensors over through it), so it is kept. */
static const char *const default_exclude = "/proc/:/sys/:/dev/pts/:/dev/null:/dev/tty:"
					   "/dev/urandom:/dev/random:/dev/zero:/dev/nvidia";

/* A prefix (starting with '/', kept as given) joins the list with what lets
 * pt_path_excluded() decide without a call: its bit under its second byte ("/" alone, which
 * excludes everything, under every byte), its first 8 bytes as one word, and a mask. */
static void exclude_push(const char *prefix, size_t n)
{
	static const uint8_t ones[8] = { 255, 255, 255, 255, 255, 255, 255, 255 };
	uint64_t head = 0, mask = 0;
	int i = pt.nexclude;

	if (i >= PT_EXCLUDE_MAX)
		return;
	memcpy(&head, prefix, n < 8 ? n : 8);   /* in memory order, as the path is read */
	memcpy(&mask, ones, n < 8 ? n : 8);
	pt.exclude[i] = (char *)prefix;
	pt.exclude_len[i] = n;
	pt.exclude_head[i] = head;
	pt.exclude_mask[i] = mask;
	for (int c = 0; c < 256; c++)
		if (n > 1 ? (uint8_t)prefix[1] == c : 1)
			pt.exclude_by[c] |= (uint16_t)(1u << i);
	pt.nexclude = i + 1;
}

static void parse_exclude(const char *list)
{
	static char copy[PATH_MAX * 2];   /* no malloc at start-up */
	char *tok, *save = NULL;

	if (!list || strlen(list) >= sizeof copy)
		return;
	strcpy(copy, list);
	for (tok = strtok_r(copy, ":", &save); tok && pt.nexclude < PT_EXCLUDE_MAX;
	     tok = strtok_r(NULL, ":", &save)) {
		if (*tok == '/')
			exclude_push(tok, strlen(tok));
	}
}

/* One more excluded prefix, kept as given (the MPI module excludes the MPI library's own
 * transport files, whose data it records as messages).  Start-up only. */
void pt_exclude_add(const char *prefix)
{
	size_t n = strlen(prefix);

	if (prefix[0] == '/' && n >= 2)
		exclude_push(prefix, n);
}

/* Settings an exec into an emptied environment must get back (see proc.c). */
static const char *const kept_vars[] = {
	"PROVTRACE_SPOOL", "PROVTRACE_SOCKET", "PROVTRACE_RUN", "PROVTRACE_EXCLUDE",
	"PROVTRACE_TRACE", "PROVTRACE_STACKS", "PROVTRACE_DEBUG", "PROVTRACE_BUFSIZE",
	"PROVTRACE_SLOTS", "PROVTRACE_WAIT_MS", "PROVTRACE_HOST", "PROVTRACE_CUDA",
	"PROVTRACE_CUDA_PERIOD", "CUDA_INJECTION64_PATH", "PROVTRACE_ENV",
};

/* The value of env entry kv when its name is `name`, else NULL. */
static const char *env_is(const char *kv, const char *name, size_t len)
{
	return strncmp(kv, name, len) == 0 && kv[len] == '=' ? kv + len + 1 : NULL;
}

/* The shim's own path, from LD_PRELOAD (the launcher puts it there, absolute). */
static void self_from_preload(const char *list)
{
	const char *p = list;

	while (p && *p) {
		size_t n = strcspn(p, ": ");
		const char *base = p + n;
		while (base > p && base[-1] != '/')
			base--;
		if (p[0] == '/' && n < sizeof pt.self && strncmp(base, "libprovtrace", 12) == 0 &&
		    strncmp(base, "libprovtrace-", 13) != 0) {
			memcpy(pt.self, p, n);
			pt.self[n] = 0;
			return;
		}
		p += n;
		p += strspn(p, ": ");
	}
}

/* One pass over the environment (a getenv per setting would scan it once each). */
void pt_config_read(void)
{
	extern char **environ;
	const char *exclude = default_exclude, *v;
	const char *slots = NULL, *bufsize = NULL, *wait = NULL, *stacks = NULL;
	struct rlimit rl;
	struct utsname u;
	Dl_info info;

	for (char **e = environ; e && *e; e++) {
		const char *kv = *e;

		if (kv[0] == 'L' && (v = env_is(kv, "LD_PRELOAD", 10)))
			self_from_preload(v);
		for (size_t i = 0; i < sizeof kept_vars / sizeof kept_vars[0]; i++) {
			if (kv[0] == kept_vars[i][0] && env_is(kv, kept_vars[i], strlen(kept_vars[i])) &&
			    pt.nenv_saved < (int)(sizeof pt.env_saved / sizeof pt.env_saved[0]))
				pt.env_saved[pt.nenv_saved++] = (char *)kv;   /* lives as long as we do */
		}
		if (strncmp(kv, "PROVTRACE_", 10) != 0)
			continue;
		const char *name = kv + 10;
		if ((v = env_is(name, "DEBUG", 5)))
			pt.debug = flag_on(v);
		else if ((v = env_is(name, "TRACE", 5)))
			pt.trace = flag_on(v);
		else if ((v = env_is(name, "STACKS", 6)))
			stacks = v;
		else if ((v = env_is(name, "SLOTS", 5)))
			slots = v;
		else if ((v = env_is(name, "BUFSIZE", 7)))
			bufsize = v;
		else if ((v = env_is(name, "WAIT_MS", 7)))
			wait = v;
		else if ((v = env_is(name, "SPOOL", 5)) && strlen(v) < sizeof pt.spool)
			strcpy(pt.spool, v);
		else if ((v = env_is(name, "SOCKET", 6)) && strlen(v) < sizeof pt.sock)
			strcpy(pt.sock, v);
		else if ((v = env_is(name, "HOST", 4)) && *v)
			snprintf(pt.host, sizeof pt.host, "%s", v);
		else if ((v = env_is(name, "EXCLUDE", 7)))
			exclude = v;
	}
	pt.stacks = (int)num_u32(stacks, 0, 0, 64);
	pt.nslots = num_u32(slots, PT_DEFAULT_SLOTS, 2, 1024);
	pt.slot_size = pow2_floor(num_u32(bufsize, PT_DEFAULT_SLOT_SIZE, 4 * PT_REC_MAX, 1u << 30));
	pt.wait_ms = num_u32(wait, PT_DEFAULT_WAIT_MS, 0, 60000);
	if (!pt.host[0] && uname(&u) == 0)
		snprintf(pt.host, sizeof pt.host, "%.63s", u.nodename);
	parse_exclude(exclude);
	/* not preloaded by name (an odd LD_PRELOAD): ask the loader where we are */
	if (!pt.self[0] && dladdr((void *)pt_config_read, &info) && info.dli_fname &&
	    info.dli_fname[0] == '/')
		snprintf(pt.self, sizeof pt.self, "%s", info.dli_fname);

	/* one session entry per possible descriptor, up to a bound: the table is sparse */
	pt.nsess_cfg = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rlim_t n = rl.rlim_max == RLIM_INFINITY ? 65536 : rl.rlim_max;
		if (n > 65536)
			n = 65536;
		if (n > pt.nsess_cfg)
			pt.nsess_cfg = (uint32_t)n;
	}
}

/* ---- the region */

/* CLOCK_BOOTTIME, the clock of /proc/PID/stat's starttime: the collector tells this image
 * from a later holder of its pid with it (a vDSO call; reading /proc/self/stat here cost
 * every process ~80 us on a VM) */
static uint64_t boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Send the region's name and descriptor (or, without a region, why there is none) to
 * the collector: `len` bytes of body.  A missing, dead or busy collector costs one failed
 * connect: a region waits in the spool for the next one. */
static void announce(int fd, const char *name, size_t len, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct pt_msg_hdr h = { PT_ANNOUNCE_MAGIC, PT_PROTO_VERSION, (uint16_t)type, 0 };
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov[2];
	struct msghdr m = { 0 };
	struct cmsghdr *c;
	int s;

	static unsigned passes;

	if (!pt.sock[0] || strlen(pt.sock) >= sizeof sa.sun_path || len > PT_MSG_MAX - sizeof h)
		return;
	if (pt_fault_hit(getenv("PROVTRACE_FAULT"), "announce", &passes))
		return;
	strcpy(sa.sun_path, pt.sock);
	s = (int)pt_sys3(SYS_socket, AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return;
	if (pt_sys3(SYS_connect, s, &sa, sizeof sa) < 0) {
		pt_debug("no collector at %s", pt.sock);
		goto out;
	}
	h.len = (uint32_t)len;
	iov[0] = (struct iovec){ &h, sizeof h };
	iov[1] = (struct iovec){ (void *)name, h.len };
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	if (fd >= 0) {
		memset(cbuf, 0, sizeof cbuf);
		m.msg_control = cbuf;
		m.msg_controllen = sizeof cbuf;
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	if (pt_sys3(SYS_sendmsg, s, &m, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		pt_debug("announcement to %s failed", pt.sock);
out:
	pt_sys_close(s);
}

/* Create this image's region and make it current.  Called from the constructor (how =
 * PT_START_EXEC) and in a fork child (PT_START_FORK), where `parent` still maps the
 * parent's region until the inherited sessions have been copied out of it. */
static int region_create(int how, void *parent_base)
{
	struct pt_region_hdr g = { 0 };
	char name[PATH_MAX];
	uint64_t size;
	void *base;
	int fd, n;

	static unsigned passes;
	int fault;

	if (!pt.spool[0])
		return -ENOENT;
	if ((fault = pt_fault_hit(getenv("PROVTRACE_FAULT"), "region", &passes)))
		return -fault;
	size = pt_region_geometry(&g, pt.nslots, pt.slot_size, pt.nsess_cfg);
	pt.start_ns = pt_now();
	n = snprintf(name, sizeof name, "%s/%s.%d.%llu" PT_REGION_SUFFIX, pt.spool, pt.host,
		     (int)pt.pid, (unsigned long long)pt.start_ns);
	if (n >= (int)sizeof name)
		return -ENAMETOOLONG;
	fd = pt_sys_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fd;
	if (pt_sys2(SYS_ftruncate, fd, size) < 0) {
		pt_sys1(SYS_unlink, name);
		pt_sys_close(fd);
		return -EIO;
	}
	base = pt_sys_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (pt_sys_failed((long)base)) {
		pt_sys3(SYS_unlinkat, AT_FDCWD, name, 0);
		pt_sys_close(fd);
		return -ENOMEM;
	}

	struct pt_region_hdr *h = base;
	*h = g;
	h->version = PT_REGION_VERSION;
	h->proto = PT_PROTO_VERSION;
	h->pid = pt.pid;
	h->ppid = (int)pt_sys0(SYS_getppid);
	h->uid = (uint32_t)getuid();
	h->gid = (uint32_t)getgid();
	h->start_ns = pt.start_ns;
	h->start_boot_ns = boot_ns();
	h->parent_start_ns = 0;
	snprintf(h->host, sizeof h->host, "%s", pt.host);
	atomic_store_explicit(&h->next_sid, 1, memory_order_relaxed);
	atomic_store_explicit(&h->state, PT_RS_RUNNING, memory_order_relaxed);

	struct pt_sess *sess = pt_region_sess(base, h);
	if (how == PT_START_FORK && parent_base) {
		const struct pt_region_hdr *ph = parent_base;
		h->parent_start_ns = ph->start_ns;
		/* inherited descriptors: copied now, announced by INHERIT records below */
		uint32_t hi = pt_tls.nsnap ? pt_tls.nsnap
					   : atomic_load_explicit(&ph->sess_hi, memory_order_relaxed);
		const struct pt_sess *ps = pt_region_sess(parent_base, ph);
		if (hi > h->nsess)
			hi = h->nsess;
		for (uint32_t i = 0; i < hi; i++) {
			uint64_t psid;
			uint32_t kind, flags;

			if (pt_tls.nsnap) {
				psid = pt_tls.snap[i].sid;
				kind = pt_tls.snap[i].kind;
				flags = pt_tls.snap[i].flags;
			} else {
				/* no snapshot: the live table, where a session the parent began
				 * after the fork is not this child's, whatever its number */
				psid = atomic_load_explicit(&ps[i].sid, memory_order_acquire);
				if (pt_tls.fork_ns && ps[i].open_ns >= pt_tls.fork_ns)
					psid = 0;
				kind = ps[i].kind;
				flags = ps[i].flags;
			}
			if (!psid)
				continue;
			sess[i].kind = kind;
			sess[i].flags = flags;
			/* the parent's sid for now; replaced by the child's own below */
			atomic_store_explicit(&sess[i].sid, psid, memory_order_relaxed);
		}
		atomic_store_explicit(&h->sess_hi, hi, memory_order_relaxed);
	}
	atomic_store_explicit(&h->magic, PT_REGION_MAGIC, memory_order_release);

	pt.base = base;
	pt.hdr = h;
	pt.sess = sess;
	pt.gen++;
	pt.enabled = 1;
	pt.nsess = h->nsess;

	announce(fd, strrchr(name, '/') + 1, strlen(strrchr(name, '/') + 1) + 1, PT_MSG_REGION);
	pt_sys_close(fd);
	return 0;
}

/* This image records nothing: tell the collector, which counts it as a gap (body: the
 * reason, NUL, the executable cut to fit one message, NUL). */
void pt_announce_unrecorded(const char *why)
{
	char body[PT_MSG_MAX - sizeof(struct pt_msg_hdr)];
	size_t n = strlen(why) + 1;
	long k;

	memcpy(body, why, n);
	k = pt_sys_readlink("/proc/self/exe", body + n, sizeof body - n - 1);
	if (k > 0) {
		body[n + (size_t)k] = 0;
		n += (size_t)k + 1;
	}
	announce(-1, body, n, PT_MSG_DISABLED);
}

void pt_region_create(int how)
{
	void *old = pt.base;
	uint64_t old_size = old ? pt.hdr->size : 0;
	int r;

	/* nothing may touch the parent's region from here on */
	pt.nsess = 0;
	pt.enabled = 0;
	pt.base = NULL;
	pt.hdr = NULL;
	pt.sess = NULL;
	r = region_create(how, old);
	if (old)
		pt_sys_munmap(old, old_size);
	if (r < 0) {
		pt_debug("cannot create a region in '%s': error %d", pt.spool, -r);
		pt_announce_unrecorded("cannot create its region");
		return;
	}
	if (how == PT_START_FORK) {
		/* give each inherited descriptor a session of the child's own */
		uint32_t hi = atomic_load_explicit(&pt.hdr->sess_hi, memory_order_relaxed);
		for (uint32_t i = 0; i < hi; i++) {
			struct pt_sess *s = &pt.sess[i];
			uint64_t psid = atomic_load_explicit(&s->sid, memory_order_relaxed);
			struct pt_rec rec;
			uint64_t sid;

			if (!psid)
				continue;
			sid = atomic_fetch_add_explicit(&pt.hdr->next_sid, 1, memory_order_relaxed);
			rec.ts = pt.start_ns;
			if (s->kind != PT_KIND_IGNORED && pt_rec_begin(&rec, PT_EV_INHERIT, 4, 48) == 0) {
				pt_mpw_uint(&rec.w, sid);
				pt_mpw_uint(&rec.w, i);
				pt_mpw_uint(&rec.w, psid);
				pt_mpw_uint(&rec.w, s->kind);
				pt_rec_end(&rec);
			}
			s->open_ns = rec.ts;
			atomic_store_explicit(&s->sid, sid, memory_order_release);
		}
	}
}

/* ---- slots */

static struct pt_slot *slot_get(int *shared)
{
	struct pt_region_hdr *h = pt.hdr;
	uint32_t i;

	*shared = 0;
	if (pt_likely(pt_tls.slot && pt_tls.gen == pt.gen))
		return pt_region_slot(pt.base, h, pt_tls.slot - 1);
	if (!pt_tls.tid || pt_tls.gen != pt.gen)
		pt_tls.tid = pt_sys_gettid();
	pt_tls.slot = 0;
	pt_tls.gen = pt.gen;
	for (i = 0; i + 1 < h->nslots; i++) {
		struct pt_slot *s = pt_region_slot(pt.base, h, i);
		uint32_t free_ = 0;

		if (atomic_load_explicit(&s->owner, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong(&s->owner, &free_, (uint32_t)pt_tls.tid)) {
			pt_tls.slot = i + 1;
			/* released by the key's destructor when the thread ends */
			pthread_setspecific(slot_key, (void *)(uintptr_t)pt.gen);
			return s;
		}
	}
	/* more writing threads than slots: share the last one, one record at a time */
	*shared = 1;
	return pt_region_slot(pt.base, h, h->nslots - 1);
}

static void slot_release(void *gen)
{
	if (pt_tls.slot && pt_tls.gen == pt.gen && (uintptr_t)gen == pt.gen && pt.base)
		atomic_store_explicit(&pt_region_slot(pt.base, pt.hdr, pt_tls.slot - 1)->owner, 0,
				      memory_order_release);
	pt_tls.slot = 0;
}

/* Threads give their slot back when they end (the key's destructor). */
void pt_slots_init(void)
{
	pthread_key_create(&slot_key, slot_release);
}

static int shared_lock(struct pt_slot *s)
{
	for (unsigned spin = 0; spin < 1u << 14; spin++) {
		uint32_t free_ = 0;

		if (atomic_load_explicit(&s->owner, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_weak_explicit(&s->owner, &free_, (uint32_t)pt_tls.tid,
							  memory_order_acquire,
							  memory_order_relaxed))
			return 0;
		if (spin & 63)
			pt_cpu_relax();
		else
			sched_yield();
	}
	return -1;
}

/* A collector drains every region at least every few tens of ms and stamps attached_ns
 * each time; one silent for longer is gone (killed, stopped, never started). */
#define PT_COLLECTOR_SILENT_NS 250000000ull

/* Wait, boundedly, until the ring has `need` bytes free past head.  Waits only while a
 * collector is draining; with none (or once it falls silent) fails at once, so that a
 * dead collector costs a producer at most one short wait, not one per record. */
static int ring_wait(struct pt_slot *s, uint64_t head, uint64_t need, uint64_t size)
{
	uint64_t now = pt_now(), deadline = now + (uint64_t)pt.wait_ms * 1000000u;

	while (pt.wait_ms) {
		struct timespec ts = { 0, 100000 };
		uint64_t attached = atomic_load_explicit(&pt.hdr->attached_ns, memory_order_relaxed);

		if (!attached || now > attached + PT_COLLECTOR_SILENT_NS || now >= deadline)
			return -1;
		pt_sys2(SYS_nanosleep, &ts, NULL);
		if (head + need - atomic_load_explicit(&s->tail, memory_order_acquire) <= size)
			return 0;
		now = pt_now();
	}
	return -1;
}

void pt_count_drop(void)
{
	if (pt.hdr && !pt_vforked)
		atomic_fetch_add_explicit(&pt.hdr->dropped, 1, memory_order_relaxed);
}

int pt_rec_begin(struct pt_rec *r, int type, uint32_t nfields, size_t max)
{
	struct pt_slot *s;
	uint64_t size, head, tail, pos, need, pad;

	r->ts = 0;
	if (pt_unlikely(!pt.enabled || pt_vforked))
		return -1;
	/* MPI traffic since the last record goes first: its records' times then bound it */
	if (pt_unlikely(pt_mpi_pending) && !pt_tls.busy && pt_mpi_flush_hook)
		pt_mpi_flush_hook();
	if (pt_tls.busy || max > PT_REC_MAX - 16) {
		pt_count_drop();
		return -1;
	}
	pt_tls.busy = 1;
	max += 16;   /* the [type, ts] prefix and the array header */
	s = slot_get(&r->shared);
	if (r->shared && shared_lock(s) < 0)
		goto drop;
	size = pt.hdr->slot_size;
	head = atomic_load_explicit(&s->head, memory_order_relaxed);
	tail = atomic_load_explicit(&s->tail, memory_order_acquire);
	pos = head & (size - 1);
	need = pt_rec_span((uint32_t)max);
	pad = size - pos < need ? size - pos : 0;   /* wrap to the start first */
	if (head + pad + need - tail > size && ring_wait(s, head, pad + need, size) < 0) {
		s->dropped++;
		if (r->shared)
			atomic_store_explicit(&s->owner, 0, memory_order_release);
		goto drop;
	}
	atomic_store_explicit(&s->writing, 1, memory_order_relaxed);
	r->ring = pt_region_ring(pt.base, pt.hdr, (uint32_t)(s - pt_region_slot(pt.base, pt.hdr, 0)));
	if (pad) {
		uint32_t wrap = PT_REC_WRAP;
		memcpy(r->ring + pos, &wrap, 4);
		pos = 0;
	}
	r->slot = s;
	r->head = head;
	r->pos = pos;
	r->span = pad;
	pt_mpw_init(&r->w, r->ring + pos + 4, max);
	r->ts = pt_now();
	pt_tls.clock = r->ts;
	pt_mpw_array(&r->w, nfields + 2);
	pt_mpw_uint(&r->w, (uint64_t)type);
	pt_mpw_uint(&r->w, r->ts);
	return 0;
drop:
	pt_tls.busy = 0;
	pt_count_drop();
	return -1;
}

void pt_rec_end(struct pt_rec *r)
{
	struct pt_slot *s = r->slot;
	uint32_t len = (uint32_t)(r->w.p - (r->ring + r->pos + 4));

	if (r->w.overflow) {
		/* a record larger than its reservation: a shim bug, never a torn record */
		atomic_store_explicit(&s->writing, 0, memory_order_relaxed);
		s->dropped++;
		pt_count_drop();
	} else {
		memcpy(r->ring + r->pos, &len, 4);
		atomic_store_explicit(&s->head, r->head + r->span + pt_rec_span(len),
				      memory_order_release);
		atomic_store_explicit(&s->writing, 0, memory_order_relaxed);
	}
	if (r->shared)
		atomic_store_explicit(&s->owner, 0, memory_order_release);
	pt_tls.busy = 0;
}

/* ---- coverage gaps: what the shim knows it cannot see (protocol.h, PT_GAP_*) */

void pt_gap(int kind, const char *detail)
{
	struct pt_rec r;
	size_t n = strnlen(detail, 1024);

	if (pt_rec_begin(&r, PT_EV_GAP, 2, 16 + n) == 0) {
		pt_mpw_uint(&r.w, (uint64_t)kind);
		pt_mpw_bin(&r.w, detail, n);
		pt_rec_end(&r);
	}
}

/* ---- records from modules (interpose/provtrace.h) */

#include "provtrace.h"

PT_API int provtrace_emit(int type, uint32_t nfields, const void *fields, size_t len)
{
	struct pt_rec r;

	if (type < 128 || type >= PT_EV_C_PROC || len > PT_REC_MAX - 64 || (len && !fields))
		return -EINVAL;
	if (!pt.enabled || pt_vforked)
		return -ENODEV;
	if (pt_rec_begin(&r, type, nfields, len) < 0)
		return -EAGAIN;
	if (pt_mpw_room(&r.w, len)) {
		memcpy(r.w.p, fields, len);
		r.w.p += len;
	}
	pt_rec_end(&r);
	return 0;
}
