/* records.h — CUPTI activity records in the layouts CUDA 13 delivers, filled the way CUPTI
 * fills them, for tests that drive the CUDA module's record -> table -> event path. */
#ifndef PT_TEST_CUDA_RECORDS_H
#define PT_TEST_CUDA_RECORDS_H

#include <stdint.h>
#include <string.h>

#include <cupti_activity.h>

static inline CUpti_ActivityKernel10 rec_kernel(const char *name, uint64_t start, uint64_t end,
						const int grid[3], const int block[3],
						int dyn_shared, int regs, uint32_t graph)
{
	CUpti_ActivityKernel10 k;

	memset(&k, 0, sizeof k);
	k.kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
	k.name = name;
	k.start = start;
	k.end = end;
	k.completed = end;
	k.gridX = grid[0];
	k.gridY = grid[1];
	k.gridZ = grid[2];
	k.blockX = block[0];
	k.blockY = block[1];
	k.blockZ = block[2];
	k.dynamicSharedMemory = dyn_shared;
	k.staticSharedMemory = 48;
	k.registersPerThread = (uint16_t)regs;
	k.graphId = graph;
	k.graphNodeId = graph ? 1000u + graph : 0;
	k.deviceId = 0;
	k.contextId = 1;
	k.streamId = 7;
	k.correlationId = 42;
	return k;
}

static inline CUpti_ActivityMemcpy6 rec_copy(uint8_t kind, uint64_t bytes, uint64_t start,
					     uint64_t end, uint64_t count)
{
	CUpti_ActivityMemcpy6 m;

	memset(&m, 0, sizeof m);
	m.kind = CUPTI_ACTIVITY_KIND_MEMCPY;
	m.copyKind = kind;
	m.srcKind = CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE;
	m.dstKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
	m.bytes = bytes;
	m.start = start;
	m.end = end;
	m.streamId = 7;
	m.copyCount = count;
	return m;
}

static inline CUpti_ActivityMemcpyPtoP4 rec_peer(uint64_t bytes, uint64_t start, uint64_t end)
{
	CUpti_ActivityMemcpyPtoP4 m;

	memset(&m, 0, sizeof m);
	m.kind = CUPTI_ACTIVITY_KIND_MEMCPY2;
	m.copyKind = CUPTI_ACTIVITY_MEMCPY_KIND_PTOP;
	m.bytes = bytes;
	m.start = start;
	m.end = end;
	m.srcDeviceId = 0;
	m.dstDeviceId = 1;
	return m;
}

static inline CUpti_ActivityMemset4 rec_set(uint64_t bytes, uint64_t start, uint64_t end)
{
	CUpti_ActivityMemset4 m;

	memset(&m, 0, sizeof m);
	m.kind = CUPTI_ACTIVITY_KIND_MEMSET;
	m.value = 0;
	m.bytes = bytes;
	m.start = start;
	m.end = end;
	m.memoryKind = CUPTI_ACTIVITY_MEMORY_KIND_DEVICE;
	return m;
}

static inline CUpti_ActivityDevice5 rec_device(uint32_t id, const char *name, uint8_t uuid0,
					       uint32_t major, uint32_t minor, uint64_t mem,
					       uint32_t sms)
{
	CUpti_ActivityDevice5 d;

	memset(&d, 0, sizeof d);
	d.kind = CUPTI_ACTIVITY_KIND_DEVICE;
	d.id = id;
	d.name = name;
	for (int i = 0; i < 16; i++)
		d.uuid.bytes[i] = (char)(uuid0 + i);
	d.computeCapabilityMajor = major;
	d.computeCapabilityMinor = minor;
	d.globalMemorySize = mem;
	d.numMultiprocessors = sms;
	d.isCudaVisible = 1;
	return d;
}

#endif /* PT_TEST_CUDA_RECORDS_H */
