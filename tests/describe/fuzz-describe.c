/* fuzz-describe.c — libFuzzer harness for rdf/describe/: each input is written to a
 * memory file and described as the format PT_FUZZ_FORMAT names (npy, npz, hdf5, netcdf,
 * safetensors, pytorch, onnx, csv; unset or "sniff": found from the bytes), under small
 * limits.  Every fact's strings are read through, so a bad pointer or a missing NUL is
 * seen by AddressSanitizer; a described file must have begun with its format fact. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rdf/describe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *format;
static int fd = -1;
static char path[64];

struct seen {
	size_t facts, bytes;
	int first_is_format;
};

static int fact(void *ctx, const char *item, const char *key, int type, const char *value)
{
	struct seen *s = ctx;

	if (!s->facts)
		s->first_is_format = !item[0] && !strcmp(key, "format");
	s->facts++;
	s->bytes += strlen(item) + strlen(key) + strlen(value);
	if (type < PT_DV_STR || type > PT_DV_BOOL || strlen(value) >= PT_DESCRIBE_MAX_VALUE)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pt_dlimits lim = { .max_bytes = 1u << 20, .max_ms = 5000, .max_items = 100 };
	struct seen s = { 0 };
	char err[256];

	if (fd < 0) {
		const char *f = getenv("PT_FUZZ_FORMAT");
		format = f && strcmp(f, "sniff") ? f : NULL;
		fd = memfd_create("pt-fuzz", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		abort();
	if (pt_describe(path, format, &lim, fact, &s, err, sizeof err) == 0) {
		if (!s.first_is_format)
			abort();
	} else if (!err[0] || s.facts) {
		abort();   /* a gap has a reason, and no fact was handed over */
	}
	/* a sanitizer's report on our code in an HDF5/NetCDF child ends that child with a
	 * gap here; fuzz.sh finds the report in ASAN_OPTIONS' log_path, as the child's
	 * stderr is /dev/null (libFuzzer's own malloc limit ends a child the same way,
	 * with no report: a gap, rightly) */
	return 0;
}
