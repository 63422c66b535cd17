/* activity.c — CUPTI activity records, in the layouts CUDA 13 delivers, into the module's
 * tables.  It reads the structures and never calls CUPTI, so tests can feed it records. */
#include "config.h"

#include <string.h>

#include <cupti_activity.h>

#include "collector/protocol.h"
#include "interpose/cuda/ptcuda.h"

/* CUDA_MEMCPY.kind is CUPTI's numbering, written down in protocol.h for readers that
 * have no CUPTI headers: keep the two in step. */
#define SAME(k) ((int)CUPTI_ACTIVITY_MEMCPY_KIND_##k == (int)PT_COPY_##k)
_Static_assert(SAME(UNKNOWN) && SAME(HTOD) && SAME(DTOH) && SAME(HTOA) &&
	       SAME(ATOH) && SAME(ATOA) && SAME(ATOD) && SAME(DTOA) &&
	       SAME(DTOD) && SAME(HTOH) && SAME(PTOP),
	       "CUDA_MEMCPY.kind must follow CUpti_ActivityMemcpyKind");
#undef SAME

static void kernel(const CUpti_ActivityKernel10 *k)
{
	struct ptc_config c = {
		{ (uint32_t)k->gridX, (uint32_t)k->gridY, (uint32_t)k->gridZ },
		{ (uint32_t)k->blockX, (uint32_t)k->blockY, (uint32_t)k->blockZ },
		(uint32_t)k->dynamicSharedMemory,
	};

	/* launches made by the host were counted by the launch callback; kernels of a graph
	 * and device-side launches are known only from here */
	ptc_kernel_exec(k->name, k->start, k->end, &c, k->registersPerThread,
			k->graphId != 0 || k->isDeviceLaunched);
}

static void device(const CUpti_ActivityDevice5 *d)
{
	struct ptc_devinfo i = { 0 };
	size_t n = 0;

	i.ordinal = d->id;
	if (d->name)
		while (n + 1 < sizeof i.name && d->name[n]) {
			i.name[n] = d->name[n];
			n++;
		}
	memcpy(i.uuid, d->uuid.bytes, sizeof i.uuid);
	i.cc_major = d->computeCapabilityMajor;
	i.cc_minor = d->computeCapabilityMinor;
	i.memory = d->globalMemorySize;
	i.multiprocessors = d->numMultiprocessors;
	ptc_device(&i);
}

void ptc_activity(const void *record)
{
	const CUpti_Activity *a = record;

	switch (a->kind) {
	case CUPTI_ACTIVITY_KIND_KERNEL:
	case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL:
		kernel(record);
		break;
	case CUPTI_ACTIVITY_KIND_MEMCPY: {
		const CUpti_ActivityMemcpy6 *m = record;
		/* one record may stand for a batch of copies (cuMemcpyBatchAsync) */
		ptc_copy(m->copyKind, m->copyCount ? m->copyCount : 1, m->bytes, m->start, m->end);
		break;
	}
	case CUPTI_ACTIVITY_KIND_MEMCPY2: {
		const CUpti_ActivityMemcpyPtoP4 *m = record;
		ptc_copy(m->copyKind, 1, m->bytes, m->start, m->end);
		break;
	}
	case CUPTI_ACTIVITY_KIND_MEMSET: {
		const CUpti_ActivityMemset4 *m = record;
		ptc_set(m->bytes, m->start, m->end);
		break;
	}
	case CUPTI_ACTIVITY_KIND_DEVICE:
		device(record);
		break;
	default:
		break;
	}
}
