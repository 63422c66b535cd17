/* ptcuda.h — internals of libprovtrace-cuda.so: the tables that turn launches, copies and
 * sets into per-process summaries, kept apart from CUPTI so tests can drive them.
 *
 * Three layers.  inject.c talks to CUPTI (callbacks, activity buffers, the periodic and
 * exit flushes, fork); activity.c reads CUPTI activity records (struct layouts only, no
 * CUPTI call) into the tables; agg.c (this header's functions) keeps the tables and writes
 * them as the CUDA records of collector/protocol.h through provtrace_emit().
 *
 * Threads.  ptc_launch() and ptc_graph_launch() are the hot path: any application thread,
 * lock-free once a kernel is known (an atomic add).  Everything else takes the tables'
 * mutex, a leaf lock: nothing calls CUDA, CUPTI or the shim while holding it.
 * ptc_emit_round() is serialised by a lock of its own and writes without the mutex.
 *
 * Fork.  ptc_child() gives a forked child empty tables of its own: the parent's counts
 * are the parent's.  No function here allocates after ptc_init() except ptc_child().
 */
#ifndef PTC_CUDA_H
#define PTC_CUDA_H

#include <stddef.h>
#include <stdint.h>

#include "interpose/provtrace.h"

#define PTC_KERNELS 4096        /* distinct kernel names per process */
#define PTC_FUNCS 16384         /* function handles and name pointers remembered */
#define PTC_NAME_MAX 4096       /* longer kernel names are cut */
#define PTC_ARENA (8u << 20)    /* bytes for names; pages are touched only as used */
#define PTC_DEVICES 64

/* The names of the two pseudo-kernels (collector/protocol.h). */
#define PTC_OTHER "[other]"
#define PTC_GRAPH "[cuGraphLaunch]"

/* A launch configuration: the first one seen is kept per kernel. */
struct ptc_config {
	uint32_t grid[3];
	uint32_t block[3];
	uint32_t shared;            /* dynamic shared memory, bytes */
};

/* What CUDA_DEVICE says about a device. */
struct ptc_devinfo {
	uint32_t ordinal;
	char name[256];
	uint8_t uuid[16];
	uint32_t cc_major, cc_minor;
	uint64_t memory;
	uint32_t multiprocessors;
};

/* Resolves a kernel's name when a launch did not say it (NULL: unknown). */
typedef const char *(*ptc_namer_fn)(const void *key);

/* Allocate the tables: up to `kernels` names (PTC_KERNELS) behind a cache of `funcs`
 * handles (a power of two, PTC_FUNCS).  Records go to `emit`; NULL records nothing.
 * Returns 0 or ENOMEM.  Called once, before any other function. */
int ptc_init(provtrace_emit_fn emit, uint32_t kernels, uint32_t funcs);
void ptc_set_namer(ptc_namer_fn fn);
void ptc_set_versions(int driver, int runtime);
/* In a forked child: empty tables, round 0, same settings.  ENOMEM leaves it off. */
int ptc_child(void);
/* 1 once the module stopped recording (the shim said -ENODEV, or no memory). */
int ptc_off(void);

/* The hot path: `n` launches of the kernel `key` (a CUfunction, or any pointer that
 * stays the same for one kernel), named `name` (NULL: ask the namer), configured `cfg`
 * (NULL: unknown). */
void ptc_launch(const void *key, const char *name, const struct ptc_config *cfg, uint64_t n);
void ptc_graph_launch(void);

/* From activity records (times in ns; start == 0 or end < start: not timed).  A kernel
 * record adds a launch only when `launched` (graph and device-side launches, which no
 * launch callback sees). */
void ptc_kernel_exec(const char *name, uint64_t start, uint64_t end,
		     const struct ptc_config *cfg, uint32_t registers, int launched);
void ptc_copy(unsigned kind, uint64_t count, uint64_t bytes, uint64_t start, uint64_t end);
void ptc_set(uint64_t bytes, uint64_t start, uint64_t end);
/* The first description of an ordinal wins. */
void ptc_device(const struct ptc_devinfo *d);
int ptc_device_known(uint32_t ordinal);
void ptc_drop(unsigned how, uint64_t n);

/* One activity record (a CUpti_Activity *) of any kind: kinds it does not use are
 * ignored.  activity.c. */
void ptc_activity(const void *record);

/* Send what changed since the last round.  Returns the number of records written,
 * -ENODEV when the shim is not recording (the module is then off), or 0. */
int ptc_emit_round(void);

/* PROVTRACE_DEBUG: one line on stderr, through a raw write (never the program's stdio,
 * never the shim's write wrapper). */
extern int ptc_debug_on;
void ptc_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* PTC_CUDA_H */
