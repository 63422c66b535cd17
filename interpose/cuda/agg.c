/* agg.c — the CUDA module's tables: one process's kernels, copies, sets, devices and
 * losses, and their encoding as the cumulative CUDA records of collector/protocol.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "collector/protocol.h"
#include "collector/wire.h"
#include "interpose/cuda/ptcuda.h"

#define PROBES 32               /* cache slots tried before a handle goes uncached */
#define K_OTHER 0               /* kernel indices of the two pseudo-kernels */
#define K_GRAPH 1
#define NDROPS 5                /* enum pt_cuda_drop, 1..4 */

enum { CFG_NONE, CFG_BUSY, CFG_SET };

struct kernel {
	_Atomic uint64_t launches;
	_Atomic uint32_t cfg_state;
	struct ptc_config cfg;      /* written once, by whoever moved cfg_state off NONE */
	/* under P.lock */
	uint32_t registers;
	uint64_t timed, total_ns, min_ns, max_ns;
	const char *name;           /* in the arena, immutable */
	uint32_t len;
	/* under P.emit_lock: what the last round that got through said */
	uint64_t sent_launches, sent_timed;
};

/* The hot path's cache: a launch names its kernel by a pointer (the CUfunction); the
 * string comparison happens once per pointer. */
struct func {
	_Atomic uintptr_t key;
	_Atomic uint32_t kernel;    /* index + 1; 0 while another thread fills the slot */
};

struct sum {
	uint64_t count, bytes, total_ns;
	uint64_t sent;              /* count at the last round that got through */
};

struct ksnap {
	uint32_t idx;
	int has_cfg;
	struct ptc_config cfg;
	uint32_t registers;
	uint64_t launches, timed, total_ns, min_ns, max_ns;
};

struct tables {
	struct kernel *kern;
	struct func *funcs;
	uint32_t *byname;           /* open addressing over names: kernel index + 1 */
	char *arena;
	struct ksnap *snap;
};

struct dev {
	int state;                  /* 0 unknown, 1 described, 2 sent */
	struct ptc_devinfo d;
};

static struct {
	provtrace_emit_fn emit;
	ptc_namer_fn namer;
	atomic_int off;
	pthread_mutex_t lock;       /* the tables (leaf lock) */
	pthread_mutex_t emit_lock;  /* one round at a time */
	uint32_t kcap, fmask, nmask;
	struct tables t;
	_Atomic uint32_t nkern;
	size_t arena_used;
	struct sum copy[PT_COPY_KINDS], set;
	struct {
		_Atomic uint64_t n;
		uint64_t sent;
	} drops[NDROPS];
	struct dev devs[PTC_DEVICES];
	int driver, runtime;
	uint64_t round;
} P = {
	.off = 1,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.emit_lock = PTHREAD_MUTEX_INITIALIZER,
};

int ptc_debug_on;

void ptc_debug(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	if (!ptc_debug_on)
		return;
	n = snprintf(buf, sizeof buf, "provtrace-cuda[%d]: ", (int)getpid());
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	/* a raw write: the shim's write wrapper would record it as the program's output */
	(void)!syscall(SYS_write, 2, buf, (size_t)n);
}

/* ---- setup */

static int tables_alloc(struct tables *t, uint32_t kcap, uint32_t fcap, uint32_t ncap)
{
	t->kern = calloc(kcap, sizeof *t->kern);
	t->funcs = calloc(fcap, sizeof *t->funcs);
	t->byname = calloc(ncap, sizeof *t->byname);
	t->snap = calloc(kcap, sizeof *t->snap);
	/* large callocs are fresh anonymous mappings: untouched pages cost nothing */
	t->arena = calloc(1, PTC_ARENA);
	if (t->kern && t->funcs && t->byname && t->snap && t->arena)
		return 0;
	free(t->kern);
	free(t->funcs);
	free(t->byname);
	free(t->snap);
	free(t->arena);
	memset(t, 0, sizeof *t);
	return ENOMEM;
}

static void tables_reset(void)
{
	struct kernel *k = P.t.kern;

	atomic_store(&P.nkern, 2);
	P.arena_used = 0;
	k[K_OTHER].name = PTC_OTHER;
	k[K_OTHER].len = sizeof PTC_OTHER - 1;
	k[K_GRAPH].name = PTC_GRAPH;
	k[K_GRAPH].len = sizeof PTC_GRAPH - 1;
	memset(P.copy, 0, sizeof P.copy);
	memset(&P.set, 0, sizeof P.set);
	for (int i = 0; i < NDROPS; i++) {
		atomic_store(&P.drops[i].n, 0);
		P.drops[i].sent = 0;
	}
	memset(P.devs, 0, sizeof P.devs);
	P.round = 0;
}

int ptc_init(provtrace_emit_fn emit, uint32_t kernels, uint32_t funcs)
{
	uint32_t ncap = 4;

	if (kernels < 3)
		kernels = 3;
	if (funcs < 16 || (funcs & (funcs - 1)))
		return EINVAL;
	while (ncap < 2 * kernels)
		ncap <<= 1;
	if (tables_alloc(&P.t, kernels, funcs, ncap))
		return ENOMEM;
	P.emit = emit;
	P.kcap = kernels;
	P.fmask = funcs - 1;
	P.nmask = ncap - 1;
	tables_reset();
	atomic_store(&P.off, emit == NULL);
	return 0;
}

void ptc_set_namer(ptc_namer_fn fn)
{
	P.namer = fn;
}

void ptc_set_versions(int driver, int runtime)
{
	pthread_mutex_lock(&P.lock);
	P.driver = driver;
	P.runtime = runtime;
	pthread_mutex_unlock(&P.lock);
}

int ptc_child(void)
{
	/* another thread of the parent may have held them: the child has only this one */
	pthread_mutex_init(&P.lock, NULL);
	pthread_mutex_init(&P.emit_lock, NULL);
	if (!P.t.kern)
		return 0;
	/* fresh tables; the parent's stay mapped, copy-on-write and never touched */
	if (tables_alloc(&P.t, P.kcap, P.fmask + 1, P.nmask + 1)) {
		atomic_store(&P.off, 1);
		return ENOMEM;
	}
	tables_reset();
	atomic_store(&P.off, P.emit == NULL);
	return 0;
}

int ptc_off(void)
{
	return atomic_load_explicit(&P.off, memory_order_relaxed);
}

/* ---- kernels */

static inline uint32_t mix(uintptr_t k)
{
	uint64_t x = (uint64_t)k;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return (uint32_t)x;
}

static uint32_t hash_name(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h;
}

/* Kernel index of a name, added when new; K_OTHER when the table or the arena is full.
 * Under P.lock. */
static uint32_t kernel_of(const char *name)
{
	size_t len = strnlen(name, PTC_NAME_MAX);
	uint32_t h = hash_name(name, len) & P.nmask, n;
	struct kernel *k;

	for (;; h = (h + 1) & P.nmask) {
		uint32_t i = P.t.byname[h];
		if (!i)
			break;
		k = &P.t.kern[i - 1];
		if (k->len == len && memcmp(k->name, name, len) == 0)
			return i - 1;
	}
	n = atomic_load_explicit(&P.nkern, memory_order_relaxed);
	if (n >= P.kcap || P.arena_used + len + 1 > PTC_ARENA)
		return K_OTHER;
	k = &P.t.kern[n];
	memcpy(P.t.arena + P.arena_used, name, len);
	k->name = P.t.arena + P.arena_used;
	k->len = (uint32_t)len;
	P.arena_used += len + 1;
	P.t.byname[h] = n + 1;
	atomic_store_explicit(&P.nkern, n + 1, memory_order_release);
	return n;
}

static inline uint32_t func_find(uintptr_t key)
{
	uint32_t h = mix(key) & P.fmask;

	for (int i = 0; i < PROBES; i++, h = (h + 1) & P.fmask) {
		uintptr_t k = atomic_load_explicit(&P.t.funcs[h].key, memory_order_acquire);
		if (k == key)
			return atomic_load_explicit(&P.t.funcs[h].kernel, memory_order_acquire);
		if (!k)
			return 0;
	}
	return 0;
}

/* The first launch of a handle: find its kernel by name and remember the handle. */
static uint32_t func_add(uintptr_t key, const char *name)
{
	uint32_t h = mix(key) & P.fmask, idx, slot = UINT32_MAX;

	/* the namer may call the driver: never under the lock */
	if (!name && P.namer)
		name = P.namer((const void *)key);
	if (!name)
		name = "[unnamed]";
	pthread_mutex_lock(&P.lock);
	for (int i = 0; i < PROBES; i++, h = (h + 1) & P.fmask) {
		uintptr_t k = atomic_load_explicit(&P.t.funcs[h].key, memory_order_relaxed);
		if (k == key) {
			/* filled by another thread meanwhile: writers hold the lock, so it is done */
			idx = atomic_load_explicit(&P.t.funcs[h].kernel, memory_order_relaxed);
			pthread_mutex_unlock(&P.lock);
			return idx;
		}
		if (!k) {
			slot = h;
			break;
		}
	}
	idx = kernel_of(name) + 1;
	if (slot != UINT32_MAX) {
		atomic_store_explicit(&P.t.funcs[slot].key, key, memory_order_release);
		atomic_store_explicit(&P.t.funcs[slot].kernel, idx, memory_order_release);
	}
	pthread_mutex_unlock(&P.lock);
	return idx;
}

static inline void config_once(struct kernel *k, const struct ptc_config *cfg)
{
	uint32_t none = CFG_NONE;

	if (atomic_load_explicit(&k->cfg_state, memory_order_relaxed) == CFG_NONE &&
	    atomic_compare_exchange_strong(&k->cfg_state, &none, CFG_BUSY)) {
		k->cfg = *cfg;
		atomic_store_explicit(&k->cfg_state, CFG_SET, memory_order_release);
	}
}

static inline struct kernel *kernel_hit(uintptr_t key, const char *name, uint64_t n)
{
	uint32_t idx;
	struct kernel *k;

	if (__builtin_expect(!key, 0)) {
		/* 0 marks a free slot; and the namer must only ever see real handles */
		if (!name)
			name = "[unnamed]";
		key = (uintptr_t)name;
	}
	idx = func_find(key);
	if (!idx)
		idx = func_add(key, name);
	k = &P.t.kern[idx - 1];
	if (n) {
		atomic_fetch_add_explicit(&k->launches, n, memory_order_relaxed);
		if (idx - 1 == K_OTHER)
			atomic_fetch_add_explicit(&P.drops[PT_CUDA_DROP_TABLE].n, n,
						  memory_order_relaxed);
	}
	return k;
}

void ptc_launch(const void *key, const char *name, const struct ptc_config *cfg, uint64_t n)
{
	struct kernel *k;

	if (atomic_load_explicit(&P.off, memory_order_relaxed))
		return;
	k = kernel_hit((uintptr_t)key, name, n);
	if (cfg)
		config_once(k, cfg);
}

void ptc_graph_launch(void)
{
	if (!atomic_load_explicit(&P.off, memory_order_relaxed))
		atomic_fetch_add_explicit(&P.t.kern[K_GRAPH].launches, 1, memory_order_relaxed);
}

void ptc_kernel_exec(const char *name, uint64_t start, uint64_t end,
		     const struct ptc_config *cfg, uint32_t registers, int launched)
{
	struct kernel *k;

	if (atomic_load_explicit(&P.off, memory_order_relaxed))
		return;
	if (!name)
		name = "[unnamed]";
	/* CUPTI shares one name string among the records of a kernel: a stable key */
	k = kernel_hit((uintptr_t)name, name, launched ? 1 : 0);
	if (cfg)
		config_once(k, cfg);
	pthread_mutex_lock(&P.lock);
	if (registers && !k->registers)
		k->registers = registers;
	if (start && end >= start) {
		uint64_t d = end - start;
		if (!k->timed || d < k->min_ns)
			k->min_ns = d;
		if (d > k->max_ns)
			k->max_ns = d;
		k->total_ns += d;
		k->timed++;
	}
	pthread_mutex_unlock(&P.lock);
}

/* ---- copies, sets, devices, losses */

static void sum_add(struct sum *s, uint64_t count, uint64_t bytes, uint64_t start,
		    uint64_t end)
{
	s->count += count;
	s->bytes += bytes;
	if (start && end >= start)
		s->total_ns += end - start;
}

void ptc_copy(unsigned kind, uint64_t count, uint64_t bytes, uint64_t start, uint64_t end)
{
	if (atomic_load_explicit(&P.off, memory_order_relaxed))
		return;
	if (kind >= PT_COPY_KINDS)
		kind = PT_COPY_UNKNOWN;
	pthread_mutex_lock(&P.lock);
	sum_add(&P.copy[kind], count, bytes, start, end);
	pthread_mutex_unlock(&P.lock);
}

void ptc_set(uint64_t bytes, uint64_t start, uint64_t end)
{
	if (atomic_load_explicit(&P.off, memory_order_relaxed))
		return;
	pthread_mutex_lock(&P.lock);
	sum_add(&P.set, 1, bytes, start, end);
	pthread_mutex_unlock(&P.lock);
}

void ptc_device(const struct ptc_devinfo *d)
{
	if (d->ordinal >= PTC_DEVICES || atomic_load_explicit(&P.off, memory_order_relaxed))
		return;
	pthread_mutex_lock(&P.lock);
	if (!P.devs[d->ordinal].state) {
		P.devs[d->ordinal].d = *d;
		P.devs[d->ordinal].d.name[sizeof d->name - 1] = 0;
		P.devs[d->ordinal].state = 1;
	}
	pthread_mutex_unlock(&P.lock);
}

int ptc_device_known(uint32_t ordinal)
{
	int known;

	if (ordinal >= PTC_DEVICES)
		return 1;
	pthread_mutex_lock(&P.lock);
	known = P.devs[ordinal].state != 0;
	pthread_mutex_unlock(&P.lock);
	return known;
}

void ptc_drop(unsigned how, uint64_t n)
{
	if (how && how < NDROPS && n)
		atomic_fetch_add_explicit(&P.drops[how].n, n, memory_order_relaxed);
}

/* ---- records */

static int put_device(const struct ptc_devinfo *d, int driver, int runtime)
{
	uint8_t buf[512];
	struct pt_mpw w;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_uint(&w, d->ordinal);
	pt_mpw_bin(&w, d->name, strlen(d->name));
	pt_mpw_bin(&w, d->uuid, sizeof d->uuid);
	pt_mpw_uint(&w, d->cc_major);
	pt_mpw_uint(&w, d->cc_minor);
	pt_mpw_uint(&w, d->memory);
	pt_mpw_int(&w, driver);
	pt_mpw_int(&w, runtime);
	pt_mpw_uint(&w, d->multiprocessors);
	return P.emit(PT_EV_CUDA_DEVICE, 9, buf, (size_t)(w.p - buf));
}

static int put_kernel(const struct ksnap *s)
{
	const struct kernel *k = &P.t.kern[s->idx];
	uint8_t buf[PTC_NAME_MAX + 160];
	struct pt_mpw w;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_bin(&w, k->name, k->len);
	pt_mpw_uint(&w, s->launches);
	pt_mpw_uint(&w, s->total_ns);
	pt_mpw_uint(&w, s->min_ns);
	pt_mpw_uint(&w, s->max_ns);
	pt_mpw_array(&w, s->has_cfg ? 3 : 0);
	for (int i = 0; s->has_cfg && i < 3; i++)
		pt_mpw_uint(&w, s->cfg.grid[i]);
	pt_mpw_array(&w, s->has_cfg ? 3 : 0);
	for (int i = 0; s->has_cfg && i < 3; i++)
		pt_mpw_uint(&w, s->cfg.block[i]);
	pt_mpw_uint(&w, s->has_cfg ? s->cfg.shared : 0);
	pt_mpw_uint(&w, s->registers);
	pt_mpw_uint(&w, s->timed);
	pt_mpw_uint(&w, P.round);
	return P.emit(PT_EV_CUDA_KERNEL, 11, buf, (size_t)(w.p - buf));
}

static int put_sum(int type, int kind, const struct sum *s)
{
	uint8_t buf[64];
	struct pt_mpw w;

	pt_mpw_init(&w, buf, sizeof buf);
	if (kind >= 0)
		pt_mpw_uint(&w, (uint64_t)kind);
	pt_mpw_uint(&w, s->count);
	pt_mpw_uint(&w, s->bytes);
	pt_mpw_uint(&w, s->total_ns);
	pt_mpw_uint(&w, P.round);
	return P.emit(type, kind >= 0 ? 5 : 4, buf, (size_t)(w.p - buf));
}

static int put_drops(unsigned how, uint64_t n)
{
	uint8_t buf[32];
	struct pt_mpw w;

	pt_mpw_init(&w, buf, sizeof buf);
	pt_mpw_uint(&w, n);
	pt_mpw_uint(&w, how);
	pt_mpw_uint(&w, P.round);
	return P.emit(PT_EV_CUDA_DROPS, 3, buf, (size_t)(w.p - buf));
}

/* A round stops at the first record the shim refuses (it counted that one as dropped):
 * what was not sent stays pending for the next round, instead of making every record
 * of this one wait for a full ring in turn. */
int ptc_emit_round(void)
{
	struct sum copy[PT_COPY_KINDS], set;
	uint64_t drops[NDROPS];
	uint32_t devs[PTC_DEVICES], nd = 0, nk = 0, n;
	int driver, runtime, sent = 0, r = 0;

	pthread_mutex_lock(&P.emit_lock);
	if (atomic_load(&P.off)) {
		pthread_mutex_unlock(&P.emit_lock);
		return P.emit ? -ENODEV : 0;
	}
	P.round++;

	/* a consistent copy of what changed, taken quickly: the writes happen unlocked */
	pthread_mutex_lock(&P.lock);
	driver = P.driver;
	runtime = P.runtime;
	for (uint32_t i = 0; i < PTC_DEVICES; i++)
		if (P.devs[i].state == 1)
			devs[nd++] = i;
	memcpy(copy, P.copy, sizeof copy);
	set = P.set;
	n = atomic_load_explicit(&P.nkern, memory_order_acquire);
	for (uint32_t i = 0; i < n; i++) {
		struct kernel *k = &P.t.kern[i];
		struct ksnap *s = &P.t.snap[nk];
		uint64_t launches = atomic_load_explicit(&k->launches, memory_order_relaxed);

		if (launches == k->sent_launches && k->timed == k->sent_timed)
			continue;
		s->idx = i;
		s->launches = launches;
		s->timed = k->timed;
		s->total_ns = k->total_ns;
		s->min_ns = k->min_ns;
		s->max_ns = k->max_ns;
		s->registers = k->registers;
		s->has_cfg = atomic_load_explicit(&k->cfg_state, memory_order_acquire) == CFG_SET;
		if (s->has_cfg)
			s->cfg = k->cfg;
		nk++;
	}
	pthread_mutex_unlock(&P.lock);
	for (int i = 1; i < NDROPS; i++)
		drops[i] = atomic_load_explicit(&P.drops[i].n, memory_order_relaxed);

	for (uint32_t i = 0; i < nd && !r; i++) {
		if (!(r = put_device(&P.devs[devs[i]].d, driver, runtime))) {
			pthread_mutex_lock(&P.lock);
			P.devs[devs[i]].state = 2;
			pthread_mutex_unlock(&P.lock);
			sent++;
		}
	}
	for (uint32_t i = 0; i < nk && !r; i++) {
		struct ksnap *s = &P.t.snap[i];
		if (!(r = put_kernel(s))) {
			P.t.kern[s->idx].sent_launches = s->launches;
			P.t.kern[s->idx].sent_timed = s->timed;
			sent++;
		}
	}
	for (int i = 0; i < PT_COPY_KINDS && !r; i++) {
		if (copy[i].count == P.copy[i].sent)
			continue;
		if (!(r = put_sum(PT_EV_CUDA_MEMCPY, i, &copy[i]))) {
			P.copy[i].sent = copy[i].count;
			sent++;
		}
	}
	if (!r && set.count != P.set.sent) {
		if (!(r = put_sum(PT_EV_CUDA_MEMSET, -1, &set))) {
			P.set.sent = set.count;
			sent++;
		}
	}
	for (unsigned i = 1; i < NDROPS && !r; i++) {
		if (drops[i] == P.drops[i].sent)
			continue;
		if (!(r = put_drops(i, drops[i]))) {
			P.drops[i].sent = drops[i];
			sent++;
		}
	}
	if (r == -ENODEV) {
		ptc_debug("the shim is not recording: CUDA capture stops");
		atomic_store(&P.off, 1);
	} else if (r) {
		ptc_debug("summary refused (%d): %d sent, the rest waits for the next round", r,
			  sent);
	}
	pthread_mutex_unlock(&P.emit_lock);
	return r == -ENODEV ? -ENODEV : sent;
}
