/* inject.c — libprovtrace-cuda.so's CUPTI side: InitializeInjection (the CUDA driver calls
 * it when CUDA_INJECTION64_PATH names this library), launch callbacks, activity buffers,
 * the periodic and exit summaries, and fork.
 *
 * Cost.  The default mode (PROVTRACE_CUDA=counts) subscribes to the driver's launch
 * callbacks only: a kernel launch costs CUPTI's callback dispatch plus an atomic add
 * (measured for callbacks on an H200: +0.2-0.6 us a launch, against +0.65-1.3 us for
 * concurrent-kernel activity records).  Copies and sets come from activity records, which
 * cost nothing per kernel launch.  PROVTRACE_CUDA=full adds kernel activity records: GPU
 * time and registers per kernel, and the kernels of CUDA graphs by name.
 *
 * Fork.  A child inherits CUPTI's state without its threads: it makes no CUPTI call until
 * it creates a CUDA context itself, and it starts with empty tables.  The periodic thread
 * lives in the process that started it.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cuda.h>
#include <cupti.h>

#include "collector/protocol.h"
#include "interpose/cuda/ptcuda.h"

#define PTC_API __attribute__((visibility("default")))
#define BUF_SIZE (4u << 20)            /* one CUPTI activity buffer */
#define PERIOD_DEFAULT 10              /* seconds to the first periodic summary */
#define PERIOD_MAX 600                 /* the interval doubles up to this */
#define EXIT_WAIT_S 2                  /* the exit flush waits this long for a periodic one */

enum { MODE_OFF, MODE_COUNTS, MODE_FULL };

typedef CUresult (*cu_dev_get_fn)(CUdevice *, int);
typedef CUresult (*cu_dev_name_fn)(char *, int, CUdevice);
typedef CUresult (*cu_dev_uuid_fn)(CUuuid *, CUdevice);
typedef CUresult (*cu_dev_attr_fn)(int *, CUdevice_attribute, CUdevice);
typedef CUresult (*cu_dev_mem_fn)(size_t *, CUdevice);
typedef CUresult (*cu_version_fn)(int *);
typedef CUresult (*cu_func_name_fn)(const char **, CUfunction);
typedef CUresult (*cu_capturing_fn)(CUstream, CUstreamCaptureStatus *);
typedef int (*rt_version_fn)(int *);
typedef CUptiResult (*subscribe_v2_fn)(CUpti_SubscriberHandle *, CUpti_CallbackFunc, void *,
				       CUpti_SubscriberParams *);

static struct {
	int mode;
	unsigned period;
	pid_t table_pid;            /* the process the tables belong to */
	_Atomic pid_t cupti_pid;    /* the process whose CUPTI state is live */
	_Atomic pid_t thread_pid;   /* the process the periodic thread runs in */
	CUpti_SubscriberHandle sub;
	int activity;               /* buffers registered, kinds enabled */
	int finished;               /* the exit flush ran: nothing after it (both locks) */
	_Atomic uint64_t seen;      /* ordinals of devices that got a context */
	_Atomic int captures;       /* stream captures in progress, process-wide */
	int versions;
	pthread_mutex_t flush_lock;
	pthread_mutex_t wake_lock;
	pthread_cond_t wake;
	struct {
		cu_dev_get_fn dev_get;
		cu_dev_name_fn dev_name;
		cu_dev_uuid_fn dev_uuid;
		cu_dev_attr_fn dev_attr;
		cu_dev_mem_fn dev_mem;
		cu_version_fn driver_version;
		cu_func_name_fn func_name;
		cu_capturing_fn capturing, capturing_ptsz;
	} cu;
} I = {
	.flush_lock = PTHREAD_MUTEX_INITIALIZER,
	.wake_lock = PTHREAD_MUTEX_INITIALIZER,
};

static const char *cupti_err(CUptiResult r)
{
	const char *s = NULL;

	if (cuptiGetResultString(r, &s) != CUPTI_SUCCESS || !s)
		s = "unknown CUPTI error";
	return s;
}

/* ---- the driver, as the process already loaded it (never a second copy) */

static void resolve_driver(void)
{
	void *h = dlopen("libcuda.so.1", RTLD_LAZY | RTLD_NOLOAD);

	if (!h) {
		ptc_debug("libcuda.so.1 is not loaded: devices will not be described");
		return;
	}
	I.cu.dev_get = (cu_dev_get_fn)dlsym(h, "cuDeviceGet");
	I.cu.dev_name = (cu_dev_name_fn)dlsym(h, "cuDeviceGetName");
	if (!(I.cu.dev_uuid = (cu_dev_uuid_fn)dlsym(h, "cuDeviceGetUuid_v2")))
		I.cu.dev_uuid = (cu_dev_uuid_fn)dlsym(h, "cuDeviceGetUuid");
	I.cu.dev_attr = (cu_dev_attr_fn)dlsym(h, "cuDeviceGetAttribute");
	I.cu.dev_mem = (cu_dev_mem_fn)dlsym(h, "cuDeviceTotalMem_v2");
	I.cu.driver_version = (cu_version_fn)dlsym(h, "cuDriverGetVersion");
	I.cu.func_name = (cu_func_name_fn)dlsym(h, "cuFuncGetName");
	I.cu.capturing = (cu_capturing_fn)dlsym(h, "cuStreamIsCapturing");
	I.cu.capturing_ptsz = (cu_capturing_fn)dlsym(h, "cuStreamIsCapturing_ptsz");
	/* the handle stays open: libcuda is not unloaded while CUDA runs */
}

static const char *func_name(const void *key)
{
	const char *name = NULL;

	if (I.cu.func_name && I.cu.func_name(&name, (CUfunction)key) != CUDA_SUCCESS)
		name = NULL;
	return name;
}

static int find_cudart(struct dl_phdr_info *info, size_t size, void *ctx)
{
	const char *base = info->dlpi_name ? strrchr(info->dlpi_name, '/') : NULL;

	(void)size;
	if (base && strncmp(base + 1, "libcudart.so", 12) == 0) {
		void *h = dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD);
		if (h)
			*(rt_version_fn *)ctx = (rt_version_fn)dlsym(h, "cudaRuntimeGetVersion");
		return *(rt_version_fn *)ctx != NULL;
	}
	return 0;
}

/* Driver and runtime versions.  A runtime linked statically into the program cannot be
 * asked: 0. */
static void versions(void)
{
	rt_version_fn rt = (rt_version_fn)dlsym(RTLD_DEFAULT, "cudaRuntimeGetVersion");
	int driver = 0, runtime = 0;

	if (I.versions)
		return;
	I.versions = 1;
	if (I.cu.driver_version && I.cu.driver_version(&driver) != CUDA_SUCCESS)
		driver = 0;
	if (!rt)
		dl_iterate_phdr(find_cudart, &rt);
	if (rt && rt(&runtime) != 0)
		runtime = 0;
	ptc_set_versions(driver, runtime);
}

/* Devices that got a context since the last flush.  From the flushing thread, outside
 * every callback: these are plain driver queries. */
static void describe_devices(void)
{
	uint64_t seen = atomic_load(&I.seen);

	if (!seen || !I.cu.dev_get)
		return;
	versions();
	for (uint32_t ord = 0; ord < PTC_DEVICES; ord++) {
		struct ptc_devinfo d = { .ordinal = ord };
		CUdevice dev;
		CUuuid u;
		size_t mem;
		int v;

		if (!(seen >> ord & 1) || ptc_device_known(ord))
			continue;
		if (I.cu.dev_get(&dev, (int)ord) != CUDA_SUCCESS)
			continue;
		if (I.cu.dev_name && I.cu.dev_name(d.name, sizeof d.name, dev) != CUDA_SUCCESS)
			d.name[0] = 0;
		if (I.cu.dev_uuid && I.cu.dev_uuid(&u, dev) == CUDA_SUCCESS)
			memcpy(d.uuid, u.bytes, sizeof d.uuid);
		if (I.cu.dev_attr) {
			if (I.cu.dev_attr(&v, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev) ==
			    CUDA_SUCCESS)
				d.cc_major = (uint32_t)v;
			if (I.cu.dev_attr(&v, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev) ==
			    CUDA_SUCCESS)
				d.cc_minor = (uint32_t)v;
			if (I.cu.dev_attr(&v, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev) ==
			    CUDA_SUCCESS)
				d.multiprocessors = (uint32_t)v;
		}
		if (I.cu.dev_mem && I.cu.dev_mem(&mem, dev) == CUDA_SUCCESS)
			d.memory = mem;
		ptc_device(&d);
	}
}

/* ---- callbacks */

/* A launch into a stream being captured only adds a node to a graph: the kernel runs
 * when the graph is launched.  The driver is asked only while some capture is open. */
static int captured(CUstream stream, int ptsz)
{
	cu_capturing_fn fn = ptsz ? I.cu.capturing_ptsz : I.cu.capturing;
	CUstreamCaptureStatus st = CU_STREAM_CAPTURE_STATUS_NONE;

	if (!atomic_load_explicit(&I.captures, memory_order_relaxed) || !fn)
		return 0;
	/* the launch succeeded: a stream the driver cannot describe was not capturing it */
	return fn(stream, &st) == CUDA_SUCCESS && st != CU_STREAM_CAPTURE_STATUS_NONE;
}

static void capture(CUpti_CallbackId cbid, CUresult r)
{
	switch (cbid) {
	case CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCapture:
	case CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCapture_ptsz:
	case CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCapture_v2:
	case CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCapture_v2_ptsz:
	case CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCaptureToGraph:
	case CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCaptureToGraph_ptsz:
		if (r == CUDA_SUCCESS)
			atomic_fetch_add(&I.captures, 1);
		break;
	default:
		/* the outcomes that end a capture; an error before that leaves it open */
		if (r == CUDA_SUCCESS || r == CUDA_ERROR_STREAM_CAPTURE_INVALIDATED ||
		    r == CUDA_ERROR_STREAM_CAPTURE_UNJOINED) {
			int n = atomic_load(&I.captures);
			while (n > 0 && !atomic_compare_exchange_weak(&I.captures, &n, n - 1))
				;
		}
		break;
	}
}

static void launch(CUpti_CallbackId cbid, const CUpti_CallbackData *cd)
{
	struct ptc_config c;

	switch (cbid) {
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel:
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz: {
		const cuLaunchKernel_params *p = cd->functionParams;
		if (captured(p->hStream, cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz))
			break;
		c = (struct ptc_config){ { p->gridDimX, p->gridDimY, p->gridDimZ },
					 { p->blockDimX, p->blockDimY, p->blockDimZ },
					 p->sharedMemBytes };
		ptc_launch(p->f, cd->symbolName, &c, 1);
		break;
	}
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel:
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz: {
		const cuLaunchCooperativeKernel_params *p = cd->functionParams;
		if (captured(p->hStream,
			     cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz))
			break;
		c = (struct ptc_config){ { p->gridDimX, p->gridDimY, p->gridDimZ },
					 { p->blockDimX, p->blockDimY, p->blockDimZ },
					 p->sharedMemBytes };
		ptc_launch(p->f, cd->symbolName, &c, 1);
		break;
	}
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx:
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz: {
		const cuLaunchKernelEx_params *p = cd->functionParams;
		const CUlaunchConfig *l = p->config;
		if (captured(l ? l->hStream : NULL,
			     cbid == CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz))
			break;
		if (l)
			c = (struct ptc_config){ { l->gridDimX, l->gridDimY, l->gridDimZ },
						 { l->blockDimX, l->blockDimY, l->blockDimZ },
						 l->sharedMemBytes };
		ptc_launch(p->f, cd->symbolName, l ? &c : NULL, 1);
		break;
	}
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernelMultiDevice: {
		const cuLaunchCooperativeKernelMultiDevice_params *p = cd->functionParams;
		for (unsigned i = 0; p->launchParamsList && i < p->numDevices; i++) {
			const CUDA_LAUNCH_PARAMS *l = &p->launchParamsList[i];
			if (captured(l->hStream, 0))
				continue;
			c = (struct ptc_config){ { l->gridDimX, l->gridDimY, l->gridDimZ },
						 { l->blockDimX, l->blockDimY, l->blockDimZ },
						 l->sharedMemBytes };
			ptc_launch(l->function, NULL, &c, 1);
		}
		break;
	}
	case CUPTI_DRIVER_TRACE_CBID_cuLaunch:
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchGrid:
	case CUPTI_DRIVER_TRACE_CBID_cuLaunchGridAsync:
		/* the legacy calls all start with the function */
		ptc_launch(((const cuLaunch_params *)cd->functionParams)->f, cd->symbolName, NULL, 1);
		break;
	case CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch:
	case CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch_ptsz: {
		const cuGraphLaunch_params *p = cd->functionParams;
		if (!captured(p->hStream, cbid == CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch_ptsz))
			ptc_graph_launch();
		break;
	}
	default:
		capture(cbid, cd->functionReturnValue ? *(const CUresult *)cd->functionReturnValue
						      : CUDA_SUCCESS);
		break;
	}
}

static void start_thread(void);

static void context_created(const CUpti_ResourceData *rd)
{
	uint32_t dev = 0;

	/* a forked child that created a context of its own: its CUPTI is live now */
	atomic_store(&I.cupti_pid, getpid());
	if (cuptiGetDeviceId(rd->context, &dev) == CUPTI_SUCCESS && dev < PTC_DEVICES)
		atomic_fetch_or(&I.seen, 1ull << dev);
	start_thread();
}

static void CUPTIAPI on_callback(void *ud, CUpti_CallbackDomain domain, CUpti_CallbackId cbid,
				 const void *data)
{
	(void)ud;
	if (domain == CUPTI_CB_DOMAIN_DRIVER_API) {
		const CUpti_CallbackData *cd = data;
		/* at the exit, so that only launches the driver accepted count; the capture
		 * calls see their failures too */
		if (cd->callbackSite != CUPTI_API_EXIT || !cd->functionParams)
			return;
		if (cd->functionReturnValue &&
		    *(const CUresult *)cd->functionReturnValue != CUDA_SUCCESS) {
			if (cbid == CUPTI_DRIVER_TRACE_CBID_cuStreamEndCapture ||
			    cbid == CUPTI_DRIVER_TRACE_CBID_cuStreamEndCapture_ptsz)
				capture(cbid, *(const CUresult *)cd->functionReturnValue);
			return;
		}
		launch(cbid, cd);
	} else if (domain == CUPTI_CB_DOMAIN_RESOURCE &&
		   cbid == CUPTI_CBID_RESOURCE_CONTEXT_CREATED) {
		context_created(data);
	}
}

static const CUpti_CallbackId launch_cbids[] = {
	CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel,
	CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel_ptsz,
	CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx,
	CUPTI_DRIVER_TRACE_CBID_cuLaunchKernelEx_ptsz,
	CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel,
	CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernel_ptsz,
	CUPTI_DRIVER_TRACE_CBID_cuLaunchCooperativeKernelMultiDevice,
	CUPTI_DRIVER_TRACE_CBID_cuLaunch,
	CUPTI_DRIVER_TRACE_CBID_cuLaunchGrid,
	CUPTI_DRIVER_TRACE_CBID_cuLaunchGridAsync,
	CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch,
	CUPTI_DRIVER_TRACE_CBID_cuGraphLaunch_ptsz,
	CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCapture,
	CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCapture_ptsz,
	CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCapture_v2,
	CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCapture_v2_ptsz,
	CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCaptureToGraph,
	CUPTI_DRIVER_TRACE_CBID_cuStreamBeginCaptureToGraph_ptsz,
	CUPTI_DRIVER_TRACE_CBID_cuStreamEndCapture,
	CUPTI_DRIVER_TRACE_CBID_cuStreamEndCapture_ptsz,
};

/* ---- activity buffers */

static void CUPTIAPI buffer_requested(uint8_t **buf, size_t *size, size_t *max_records)
{
	/* declining (NULL) makes CUPTI drop records, which it counts */
	*buf = aligned_alloc(8, BUF_SIZE);
	*size = *buf ? BUF_SIZE : 0;
	*max_records = 0;
}

static void CUPTIAPI buffer_completed(CUcontext ctx, uint32_t stream, uint8_t *buf, size_t size,
				      size_t valid)
{
	CUpti_Activity *rec = NULL;
	size_t dropped = 0;

	(void)size;
	/* record by record: CUPTI is never called with the tables' lock held */
	while (buf && cuptiActivityGetNextRecord(buf, valid, &rec) == CUPTI_SUCCESS)
		ptc_activity(rec);
	if (cuptiActivityGetNumDroppedRecords(ctx, stream, &dropped) == CUPTI_SUCCESS && dropped)
		ptc_drop(PT_CUDA_DROP_CUPTI, dropped);
	free(buf);
}

static const CUpti_ActivityKind counts_kinds[] = {
	CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMCPY2, CUPTI_ACTIVITY_KIND_MEMSET,
};

static int activity_start(void)
{
	CUptiResult r;

	if ((r = cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed))) {
		ptc_debug("activity buffers refused: %s", cupti_err(r));
		return -1;
	}
	for (size_t i = 0; i < sizeof counts_kinds / sizeof counts_kinds[0]; i++)
		if ((r = cuptiActivityEnable(counts_kinds[i])))
			ptc_debug("activity kind %d: %s", (int)counts_kinds[i], cupti_err(r));
	if (I.mode == MODE_FULL &&
	    (r = cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL)))
		ptc_debug("kernel activity: %s", cupti_err(r));
	return 0;
}

static void activity_stop(void)
{
	for (size_t i = 0; i < sizeof counts_kinds / sizeof counts_kinds[0]; i++)
		cuptiActivityDisable(counts_kinds[i]);
	if (I.mode == MODE_FULL)
		cuptiActivityDisable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL);
}

/* ---- subscription */

static CUptiResult subscribe(void)
{
	subscribe_v2_fn v2 = NULL;
	Dl_info info;
	void *h;

	/* cuptiSubscribe_v2 names us to a tool that finds CUPTI taken, and tells us who
	 * holds it; older CUPTI libraries lack it */
	if (dladdr((void *)cuptiSubscribe, &info) && info.dli_fname &&
	    (h = dlopen(info.dli_fname, RTLD_LAZY | RTLD_NOLOAD)))
		v2 = (subscribe_v2_fn)dlsym(h, "cuptiSubscribe_v2");
	if (v2) {
		char old[CUPTI_OLD_SUBSCRIBER_NAME_MIN_LEN] = "";
		CUpti_SubscriberParams p = {
			.structSize = CUpti_SubscriberParams_STRUCT_SIZE,
			.subscriberName = "provtrace",
			.oldSubscriberName = old,
			.oldSubscriberSize = sizeof old,
		};
		CUptiResult r = v2(&I.sub, on_callback, NULL, &p);
		if (r == CUPTI_ERROR_MULTIPLE_SUBSCRIBERS_NOT_SUPPORTED)
			ptc_debug("CUPTI is held by '%.*s'", (int)sizeof old, old);
		return r;
	}
	return cuptiSubscribe(&I.sub, on_callback, NULL);
}

static int attach(void)
{
	CUptiResult r;
	uint32_t v = 0;

	if ((r = subscribe()) != CUPTI_SUCCESS) {
		ptc_debug("cannot subscribe to CUPTI: %s", cupti_err(r));
		ptc_drop(PT_CUDA_DROP_NO_CUPTI, 1);
		return -1;
	}
	if ((r = cuptiEnableCallback(1, I.sub, CUPTI_CB_DOMAIN_DRIVER_API,
				     CUPTI_DRIVER_TRACE_CBID_cuLaunchKernel)) != CUPTI_SUCCESS) {
		ptc_debug("cannot enable the launch callback: %s", cupti_err(r));
		cuptiUnsubscribe(I.sub);
		ptc_drop(PT_CUDA_DROP_NO_CUPTI, 1);
		return -1;
	}
	/* the others may be missing from this driver: one that cannot be enabled never fires */
	for (size_t i = 1; i < sizeof launch_cbids / sizeof launch_cbids[0]; i++)
		cuptiEnableCallback(1, I.sub, CUPTI_CB_DOMAIN_DRIVER_API, launch_cbids[i]);
	cuptiEnableCallback(1, I.sub, CUPTI_CB_DOMAIN_RESOURCE, CUPTI_CBID_RESOURCE_CONTEXT_CREATED);
	/* activity records are read in the layouts of the headers we were built with */
	if (cuptiGetVersion(&v) == CUPTI_SUCCESS && v / 10000 == CUPTI_API_VERSION / 10000 &&
	    activity_start() == 0) {
		I.activity = 1;
	} else {
		ptc_debug("CUPTI API version %u, built for %u: no activity records", v,
			  (unsigned)CUPTI_API_VERSION);
		ptc_drop(PT_CUDA_DROP_NO_ACTIVITY, 1);
	}
	return 0;
}

static void detach(void)
{
	if (I.activity)
		activity_stop();
	I.activity = 0;
	cuptiUnsubscribe(I.sub);
}

/* ---- summaries: periodically, at exit */

static void flush(int final)
{
	pid_t me = getpid();

	if (final) {
		struct timespec dl;
		/* a periodic flush in progress finishes first, but the exit never hangs on it */
		clock_gettime(CLOCK_REALTIME, &dl);
		dl.tv_sec += EXIT_WAIT_S;
		if (pthread_mutex_timedlock(&I.flush_lock, &dl))
			return;
	} else {
		pthread_mutex_lock(&I.flush_lock);
	}
	/* a vfork child runs no atfork handler: these tables are its parent's */
	if (I.finished || me != I.table_pid || ptc_off())
		goto out;
	if (me == atomic_load(&I.cupti_pid)) {
		if (I.activity) {
			CUptiResult r = cuptiActivityFlushAll(final ? CUPTI_ACTIVITY_FLAG_FLUSH_FORCED : 0);
			if (r != CUPTI_SUCCESS)
				ptc_debug("activity flush: %s", cupti_err(r));
		}
		describe_devices();
		if (final) {
			CUptiResult r = cuptiGetLastError();
			if (r != CUPTI_SUCCESS)
				ptc_debug("CUPTI reported: %s", cupti_err(r));
		}
	}
	if (ptc_emit_round() == -ENODEV && me == atomic_load(&I.cupti_pid))
		detach();
out:
	if (final && me == I.table_pid) {
		pthread_mutex_lock(&I.wake_lock);
		I.finished = 1;
		pthread_cond_signal(&I.wake);
		pthread_mutex_unlock(&I.wake_lock);
	}
	pthread_mutex_unlock(&I.flush_lock);
}

static void *periodic(void *arg)
{
	unsigned period = I.period;
	struct timespec at;

	(void)arg;
	pthread_mutex_lock(&I.wake_lock);
	while (!I.finished && !ptc_off()) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_sec += period;
		while (!I.finished && pthread_cond_timedwait(&I.wake, &I.wake_lock, &at) != ETIMEDOUT)
			;
		if (I.finished)
			break;
		pthread_mutex_unlock(&I.wake_lock);
		flush(0);
		pthread_mutex_lock(&I.wake_lock);
		/* a long job keeps its summaries few: the interval doubles up to PERIOD_MAX */
		if (period < PERIOD_MAX)
			period = period * 2 < PERIOD_MAX ? period * 2 : PERIOD_MAX;
	}
	pthread_mutex_unlock(&I.wake_lock);
	return NULL;
}

static void start_thread(void)
{
	pid_t me = getpid();
	sigset_t all, old;
	pthread_attr_t a;
	pthread_t t;

	if (!I.period || atomic_load(&I.thread_pid) == me)
		return;
	pthread_mutex_lock(&I.wake_lock);
	if (atomic_load(&I.thread_pid) != me && !I.finished &&
	    pthread_attr_init(&a) == 0) {
		pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
		/* the program's signals are not for this thread */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_create(&t, &a, periodic, NULL) == 0)
			atomic_store(&I.thread_pid, me);
		else
			ptc_debug("no periodic summaries: pthread_create failed");
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&a);
	}
	pthread_mutex_unlock(&I.wake_lock);
}

static void wake_init(void)
{
	pthread_condattr_t ca;

	pthread_mutex_init(&I.flush_lock, NULL);
	pthread_mutex_init(&I.wake_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&I.wake, &ca);
	pthread_condattr_destroy(&ca);
}

static void at_exit(void)
{
	int e = errno;

	flush(1);
	errno = e;
}

static void at_fork_child(void)
{
	/* CUPTI's threads did not come along: I.cupti_pid stays the parent's, so nothing
	 * here calls CUPTI until this child creates a context of its own */
	wake_init();
	I.table_pid = getpid();
	I.finished = 0;
	I.versions = 0;
	atomic_store(&I.seen, 0);
	ptc_child();
}

/* ---- configuration and the entry point */

static int env_on(const char *name)
{
	const char *s = getenv(name);

	return s && *s && strcmp(s, "0") != 0;
}

static void read_config(void)
{
	const char *s = getenv("PROVTRACE_CUDA");
	char *end;

	ptc_debug_on = env_on("PROVTRACE_DEBUG");
	I.mode = MODE_COUNTS;
	if (s && (strcmp(s, "off") == 0 || strcmp(s, "0") == 0))
		I.mode = MODE_OFF;
	else if (s && strcmp(s, "full") == 0)
		I.mode = MODE_FULL;
	else if (s && *s && strcmp(s, "counts") != 0)
		ptc_debug("PROVTRACE_CUDA=%s is not off, counts or full: counts", s);
	I.period = PERIOD_DEFAULT;
	if ((s = getenv("PROVTRACE_CUDA_PERIOD")) && *s) {
		unsigned long v = strtoul(s, &end, 10);
		if (*end || v > 86400)
			ptc_debug("PROVTRACE_CUDA_PERIOD=%s is not 0..86400 seconds: %u", s,
				  PERIOD_DEFAULT);
		else
			I.period = (unsigned)v;
	}
}

/* Called by the CUDA driver inside cuInit when CUDA_INJECTION64_PATH names this library.
 * Records nothing, and costs nothing further, without a recording shim. */
PTC_API int InitializeInjection(void);
PTC_API int InitializeInjection(void)
{
	static atomic_int once;
	provtrace_emit_fn emit;
	int e = errno;

	if (atomic_exchange(&once, 1))
		goto out;
	read_config();
	/* the shim's own conditions for recording: no region, no records */
	if (I.mode == MODE_OFF || env_on("PROVTRACE_DISABLE") || !getenv("PROVTRACE_SPOOL"))
		goto out;
	if (!(emit = (provtrace_emit_fn)dlsym(RTLD_DEFAULT, "provtrace_emit"))) {
		ptc_debug("libprovtrace.so is not loaded: not recording");
		goto out;
	}
	if (ptc_init(emit, PTC_KERNELS, PTC_FUNCS)) {
		ptc_debug("no memory for the tables: not recording");
		goto out;
	}
	ptc_set_namer(func_name);
	wake_init();
	I.table_pid = getpid();
	atomic_store(&I.cupti_pid, I.table_pid);
	resolve_driver();
	if (attach() < 0) {
		ptc_emit_round();   /* says that this image's CUDA work goes unseen */
		goto out;
	}
	pthread_atfork(NULL, NULL, at_fork_child);
	atexit(at_exit);
	ptc_debug("recording CUDA (%s), summaries every %us", I.mode == MODE_FULL ? "full" : "counts",
		  I.period);
out:
	errno = e;
	return 1;
}
