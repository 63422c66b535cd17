/* region.h — layout of a process image's event region: a file in the node's spool
 * directory, mapped shared by the image (producer) and by the node collector (consumer).
 *
 * Transport invariants this layout provides:
 *  - Every writing thread owns a slot: a single-producer ring whose `head` the thread
 *    publishes with release ordering after the record's bytes.  A record is visible only
 *    once published, so one torn by SIGKILL is never read; `writing` stays set and the
 *    collector counts it.  No producer takes a lock on its own slot.  Threads beyond the
 *    dedicated slots share the last slot, claimed per record with a bounded try.
 *  - The collector consumes [tail, head) and publishes `tail` only after the LMDB
 *    transaction that stored those records has committed; the offsets it stores in LMDB
 *    in that same transaction let a restarted collector resume without loss or duplicates.
 *  - Open-session counters live in the region (struct pt_sess, indexed by descriptor), so
 *    the sessions of an image that dies are still known.
 *
 * File layout (all offsets page aligned):
 *     [ header | slot controls | session table | slot 0 data | slot 1 data | ... ]
 */
#ifndef PT_REGION_H
#define PT_REGION_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol.h"

#define PT_REGION_MAGIC   0x47525450u  /* "PTRG" little-endian */
#define PT_REGION_VERSION 2   /* 2: 192-byte sessions, with the other threads' counters */
#define PT_REGION_SUFFIX  ".ptr"       /* spool file name: HOST.PID.START_NS.ptr */
#define PT_PAGE           4096u

#define PT_HOST_MAX 64

/* A record in a slot ring: a 32-bit little-endian length word, the msgpack payload, then
 * padding to an 8-byte boundary.  A length word of PT_REC_WRAP means "the ring continues at
 * its start": the producer writes it when the record would not fit before the end. */
#define PT_REC_ALIGN 8u
#define PT_REC_WRAP  0xffffffffu

static inline uint64_t pt_rec_span(uint32_t payload)
{
	return ((uint64_t)payload + 4 + PT_REC_ALIGN - 1) & ~(uint64_t)(PT_REC_ALIGN - 1);
}

/* Image state (pt_region_hdr.state) */
enum pt_region_state {
	PT_RS_RUNNING = 1,
	PT_RS_EXEC = 2,      /* an exec is in progress; if the pid reappears, it succeeded */
	PT_RS_EXITED = 3,    /* the exit path ran (events may still follow from destructors) */
};

struct pt_region_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t proto;                 /* PT_PROTO_VERSION of the records */
	uint32_t nslots;
	uint32_t slot_size;             /* ring bytes per slot: a power of two */
	uint32_t nsess;                 /* session table entries: descriptors 0..nsess-1 */
	uint32_t flags;
	uint64_t ctl_off;               /* struct pt_slot[nslots] */
	uint64_t sess_off;              /* struct pt_sess[nsess] */
	uint64_t data_off;              /* slot i's ring at data_off + i * slot_size */
	uint64_t size;                  /* file size */

	/* identity, written before the region is announced and never changed after */
	int32_t pid;
	int32_t ppid;
	uint32_t uid;
	uint32_t gid;
	uint64_t start_ns;              /* CLOCK_REALTIME when this image began */
	uint64_t proc_ticks;            /* /proc/PID/stat starttime (regions of 0.1.0; now 0: the
					   collector compares start_boot_ns instead) */
	uint64_t parent_start_ns;       /* fork child: the parent image's start_ns; else 0 */
	char host[PT_HOST_MAX];

	/* written by the producer */
	_Atomic uint32_t state;         /* enum pt_region_state */
	int32_t exit_status;            /* wait-style status, valid once state is EXITED */
	_Atomic uint64_t end_ns;
	_Atomic uint64_t next_sid;      /* session ids: 1, 2, ... */
	uint64_t start_boot_ns;         /* CLOCK_BOOTTIME when this image began (set at creation,
					   before the magic): tells a reused pid apart */
	_Atomic uint64_t dropped;       /* events lost in the producer (full ring, reentrancy) */
	_Atomic uint32_t sess_hi;       /* 1 + the highest descriptor that ever had a session */
	uint32_t pad0;

	/* written by the collector */
	_Atomic uint64_t attached_ns;   /* last time a collector drained this region */
};

/* One slot's control block: head and tail on separate cache lines. */
struct pt_slot {
	_Atomic uint32_t owner;         /* tid of the owning thread; 0 = free */
	_Atomic uint32_t writing;       /* set while a record is being written */
	uint64_t dropped;               /* records this slot's producer could not place */
	uint8_t pad0[48];
	_Atomic uint64_t head;          /* producer: bytes published, monotonic */
	uint8_t pad1[56];
	_Atomic uint64_t tail;          /* consumer: bytes consumed, monotonic */
	uint8_t pad2[56];
};

/* One descriptor's open access session.  `sid` is written last (release) when a session
 * begins and cleared after its CLOSE record is published; a nonzero sid whose CLOSE the
 * store already holds is a close the image did not finish clearing.  The first cache line
 * holds what the read/write wrappers touch.
 *
 * Threads sharing a descriptor never lose a count: the thread that made the session's
 * first operation (`owner`) adds plainly into the first set of counters, any other
 * thread atomically into the x* set; a session's totals are the sums (pt_sess_totals). */
struct pt_sess {
	_Atomic uint64_t sid;
	uint32_t kind;                  /* enum pt_kind */
	uint32_t flags;                 /* open(2) flags */
	uint64_t rbytes, rops, rlast;   /* rlast/wlast: the writing thread's latest event time
					   at the latest op (a lower bound, kept cheap) */
	uint64_t wbytes, wops, wlast;
	uint64_t rfirst, wfirst;        /* CLOCK_REALTIME of the first read / write: set once,
					   by compare-and-swap, by whichever thread is first */
	uint64_t rmax, wmax;            /* highest offset + length of positioned I/O */
	uint64_t open_ns;
	_Atomic uint32_t owner;         /* tid counting in the fields above; 0 before the first op */
	uint32_t sdirty;                /* the shim's, for `stream` (interpose/stdio.c) */
	uint64_t stream;                /* the shim's: the FILE * over this descriptor */
	uint64_t scur;                  /* the shim's, for `stream` */
	_Atomic uint64_t xrbytes, xrops, xwbytes, xwops;   /* the other threads' */
	_Atomic uint64_t xrmax, xwmax;
	int64_t spbase, ssbase;         /* the shim's, for `stream` (interpose/stdio.c) */
};

_Static_assert(sizeof(struct pt_slot) == 192, "slot control size");
_Static_assert(sizeof(struct pt_sess) == 192, "session entry size");

/* A session's counters summed over the threads that used it. */
struct pt_sess_totals {
	uint64_t rbytes, rops, wbytes, wops, rmax, wmax;
};

static inline void pt_sess_totals(const struct pt_sess *s, struct pt_sess_totals *t)
{
	uint64_t x;

	t->rbytes = s->rbytes + atomic_load_explicit(&s->xrbytes, memory_order_relaxed);
	t->rops = s->rops + atomic_load_explicit(&s->xrops, memory_order_relaxed);
	t->wbytes = s->wbytes + atomic_load_explicit(&s->xwbytes, memory_order_relaxed);
	t->wops = s->wops + atomic_load_explicit(&s->xwops, memory_order_relaxed);
	x = atomic_load_explicit(&s->xrmax, memory_order_relaxed);
	t->rmax = s->rmax > x ? s->rmax : x;
	x = atomic_load_explicit(&s->xwmax, memory_order_relaxed);
	t->wmax = s->wmax > x ? s->wmax : x;
}
_Static_assert(sizeof(struct pt_region_hdr) <= PT_PAGE, "header fits a page");

static inline uint64_t pt_align_page(uint64_t n)
{
	return (n + PT_PAGE - 1) & ~(uint64_t)(PT_PAGE - 1);
}

/* Fill in the geometry fields of a header for the given sizes; returns the file size. */
static inline uint64_t pt_region_geometry(struct pt_region_hdr *h, uint32_t nslots,
					  uint32_t slot_size, uint32_t nsess)
{
	h->nslots = nslots;
	h->slot_size = slot_size;
	h->nsess = nsess;
	h->ctl_off = PT_PAGE;
	h->sess_off = pt_align_page(h->ctl_off + (uint64_t)nslots * sizeof(struct pt_slot));
	h->data_off = pt_align_page(h->sess_off + (uint64_t)nsess * sizeof(struct pt_sess));
	h->size = h->data_off + (uint64_t)nslots * slot_size;
	return h->size;
}

static inline struct pt_slot *pt_region_slot(void *base, const struct pt_region_hdr *h,
					     uint32_t i)
{
	return (struct pt_slot *)((char *)base + h->ctl_off) + i;
}

static inline struct pt_sess *pt_region_sess(void *base, const struct pt_region_hdr *h)
{
	return (struct pt_sess *)((char *)base + h->sess_off);
}

static inline uint8_t *pt_region_ring(void *base, const struct pt_region_hdr *h, uint32_t i)
{
	return (uint8_t *)base + h->data_off + (uint64_t)i * h->slot_size;
}

/* ---- An image's MPI counters (interpose/mpi.c): a second file beside its region, named
 * like it with PT_MPI_SIDE_SUFFIX, created at MPI_Init and mapped shared.  The counters are
 * cumulative, like the MPI_P2P and MPI_COLL records that carry them; the collector turns
 * what an image left here into those records when it finishes the image's region, so that
 * a rank killed between two records loses none of its traffic.
 *
 *     [ struct pt_mpi_side | comm table: pt_mpi_side_comm[PT_MPI_NCOMM] | p2p table ]
 *
 * p2p table: struct pt_mpi_agg[(PT_MPI_P2P_OPS - 1) * size], entry (op - 1) * size + peer.
 * An entry whose count exceeds `flushed` has not reached a record yet. */
#define PT_MPI_SIDE_SUFFIX ".mpi"
#define PT_MPI_SIDE_MAGIC  0x4d525450u  /* "PTRM" */
#define PT_MPI_NCOMM       256u         /* communicators followed at once */
#define PT_MPI_ROOTS       5            /* four roots per rooted operation, then "several" */

struct pt_mpi_agg {               /* point to point, per (op, peer) */
	uint64_t n, bytes, first, flushed;
};

struct pt_mpi_cagg {              /* a collective, per (comm, op, root) */
	uint64_t calls, sent, recvd, first, flushed;
	uint32_t rootp1;            /* world rank of the root + 1; 0 = none or several */
	uint32_t pad;
};

struct pt_mpi_side_comm {
	_Atomic uint32_t id1;       /* MPI_COMM.comm + 1 while the communicator lives; 0: free */
	uint32_t pad;
	struct pt_mpi_cagg agg[PT_MPI_COLL_OPS][PT_MPI_ROOTS];
};

struct pt_mpi_side {
	_Atomic uint32_t magic;     /* stored last (release): the rest is valid */
	uint32_t size;              /* ranks of MPI_COMM_WORLD */
	uint64_t comm_off, p2p_off; /* page aligned */
	uint64_t file_size;
};

static inline uint64_t pt_mpi_side_geometry(struct pt_mpi_side *s, uint32_t size)
{
	s->size = size;
	s->comm_off = PT_PAGE;
	s->p2p_off = pt_align_page(s->comm_off + PT_MPI_NCOMM * sizeof(struct pt_mpi_side_comm));
	s->file_size = pt_align_page(s->p2p_off + (uint64_t)(PT_MPI_P2P_OPS - 1) * size *
						      sizeof(struct pt_mpi_agg));
	return s->file_size;
}

#endif /* PT_REGION_H */
