/* provtrace.h — what libprovtrace.so offers modules loaded into a traced process (the
 * CUDA injection library): one call that writes a record through the image's crash-safe
 * region.  A module looks it up with dlsym(RTLD_DEFAULT, "provtrace_emit"), so that it
 * still loads, and records nothing, in a process without the shim.
 */
#ifndef PROVTRACE_H
#define PROVTRACE_H

#include <stddef.h>
#include <stdint.h>

/* Write one record of `type` (a module type of collector/protocol.h: 128-223) whose
 * fields after [type, ts] are the `nfields` msgpack values encoded in fields[0..len)
 * (collector/wire.h writes them).  The shim adds the type and the timestamp.
 *
 * Returns 0; -EINVAL for a type outside the module ranges or len > PT_REC_MAX - 64;
 * -ENODEV when this process is not recording; -EAGAIN when called from inside the shim
 * (a signal handler) or when the record could not be placed: both are counted as
 * dropped.  Never blocks for longer than PROVTRACE_WAIT_MS, never allocates. */
int provtrace_emit(int type, uint32_t nfields, const void *fields, size_t len);

typedef int (*provtrace_emit_fn)(int type, uint32_t nfields, const void *fields, size_t len);

#endif /* PROVTRACE_H */
