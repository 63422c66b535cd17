/* consume.h — the consumer side of a region (see region.h): map and validate a region
 * file, read the records of a slot, hand space back to its producer.
 *
 * A region is written by a process the collector does not trust beyond its uid: every
 * geometry field is checked against the file before use, every record's length against
 * its slot, and records are copied out of the shared mapping before they are parsed.
 */
#ifndef PT_CONSUME_H
#define PT_CONSUME_H

#include <stdint.h>

#include "region.h"

struct pt_rmap {
	int fd;
	void *base;
	uint64_t size;
	struct pt_region_hdr *hdr;      /* the live header, in the mapping */
	struct pt_region_hdr id;        /* identity and geometry as validated at open */
	char name[256];
};

/* Map the region `name` (a file of dirfd, or the descriptor fd when fd >= 0).
 * Returns 0; EAGAIN when the producer has not finished its header yet; EINVAL when the
 * file is not a region of this version or its geometry does not fit the file; or errno. */
int pt_rmap_open(int dirfd, const char *name, int fd, struct pt_rmap *m);
void pt_rmap_close(struct pt_rmap *m);

/* Called for each record; a nonzero return stops the drain (and is returned). */
typedef int (*pt_rec_fn)(void *ctx, uint32_t slot, const uint8_t *rec, uint32_t len);

/* Read slot `slot` from *pos up to the published head, at most `budget` bytes, calling
 * fn for each record.  *pos advances past what was read.  A malformed length word makes
 * the rest of the published data unreadable: it is skipped and counted in *corrupt. */
int pt_rmap_drain(struct pt_rmap *m, uint32_t slot, uint64_t *pos, uint64_t budget,
		  pt_rec_fn fn, void *ctx, uint64_t *corrupt);

/* Bytes published in the slot past pos. */
uint64_t pt_rmap_pending(const struct pt_rmap *m, uint32_t slot, uint64_t pos);

/* Give the slot's space up to pos back to its producer, once the records before pos
 * are durable, returning the consumed pages to the file system.  Without `force` the
 * release waits until a MiB is consumed or the producer has used half the ring.
 * Returns 1 when the tail moved. */
int pt_rmap_release(struct pt_rmap *m, uint32_t slot, uint64_t pos, int force);

/* The MPI counters' file of the region `name` (collector/region.h), as the records that
 * carry them: one MPI_P2P or MPI_COLL record, time-stamped ts, for each counter that grew
 * since its last record, passed to fn (a nonzero return stops and is returned).  Returns
 * 0 also when the image left no such file; EINVAL for one that is not of this layout. */
int pt_mpi_side_replay(int dirfd, const char *name, uint64_t ts, pt_rec_fn fn, void *ctx);

/* The MPI counters' file name of the region `name`; 0, or ENAMETOOLONG. */
int pt_mpi_side_name(const char *name, char *out, size_t n);

#endif /* PT_CONSUME_H */
