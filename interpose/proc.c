/* proc.c — process images: start, every exit path, fork, vfork, posix_spawn, system,
 * popen, every exec variant (restoring the preload in a cleared environment), wait, and
 * the loaded shared objects. */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shim.h"
#include "sys.h"

extern char **environ;

static void pt_record_libs_reset(void);

/* ---- PROC_START */

/* Environment variables recorded with a process: identities of the job, rank and GPU,
 * and the software environment.  Never the whole environment (it holds secrets). */
#define ENV(name) { name, sizeof name - 1 }
static const struct { const char *name; size_t len; } env_exact[] = {
	ENV("SLURM_JOB_ID"), ENV("SLURM_JOB_NAME"), ENV("SLURM_STEP_ID"),
	ENV("SLURM_PROCID"), ENV("SLURM_LOCALID"), ENV("SLURM_NODEID"),
	ENV("SLURM_NTASKS"), ENV("SLURM_JOB_NODELIST"), ENV("SLURM_JOB_NUM_NODES"),
	ENV("SLURMD_NODENAME"), ENV("SLURM_ARRAY_JOB_ID"), ENV("SLURM_ARRAY_TASK_ID"),
	ENV("SLURM_CLUSTER_NAME"), ENV("SLURM_SUBMIT_DIR"), ENV("OMPI_COMM_WORLD_RANK"),
	ENV("OMPI_COMM_WORLD_SIZE"), ENV("OMPI_COMM_WORLD_LOCAL_RANK"), ENV("PMIX_RANK"),
	ENV("PMIX_NAMESPACE"), ENV("PMI_RANK"), ENV("PMI_SIZE"), ENV("MPI_LOCALRANKID"),
	ENV("CUDA_VISIBLE_DEVICES"), ENV("HIP_VISIBLE_DEVICES"),
	ENV("ROCR_VISIBLE_DEVICES"), ENV("NVIDIA_VISIBLE_DEVICES"), ENV("MKL_NUM_THREADS"),
	ENV("OPENBLAS_NUM_THREADS"), ENV("VIRTUAL_ENV"), ENV("CONDA_PREFIX"),
	ENV("CONDA_DEFAULT_ENV"), ENV("PYTHONPATH"), ENV("PYTHONHASHSEED"),
	ENV("LD_LIBRARY_PATH"), ENV("LD_PRELOAD"), ENV("WORLD_SIZE"), ENV("RANK"),
	ENV("LOCAL_RANK"), ENV("PBS_JOBID"), ENV("LSB_JOBID"), ENV("FLUX_JOB_ID"),
	ENV("PROVTRACE_RUN"),
};
#undef ENV
static const char *const env_prefix[] = { "OMP_", "CUBLAS_", "NCCL_" };

static int env_wanted(const char *kv, size_t namelen, const char *extra)
{
	size_t i;

	for (i = 0; i < sizeof env_exact / sizeof env_exact[0]; i++)
		if (env_exact[i].len == namelen && memcmp(kv, env_exact[i].name, namelen) == 0)
			return 1;
	for (i = 0; i < sizeof env_prefix / sizeof env_prefix[0]; i++)
		if (strncmp(kv, env_prefix[i], strlen(env_prefix[i])) == 0)
			return 1;
	/* PROVTRACE_ENV: more names, separated by ':' */
	while (extra && *extra) {
		const char *end = strchrnul(extra, ':');
		if ((size_t)(end - extra) == namelen && memcmp(kv, extra, namelen) == 0)
			return 1;
		extra = *end ? end + 1 : end;
	}
	return 0;
}

/* Count how many of the strings fit in `budget` bytes of record. */
static uint32_t fit(char *const *v, size_t *budget, int *truncated)
{
	uint32_t n = 0;

	for (; v && v[n]; n++) {
		size_t need = strlen(v[n]) + 5;
		if (need > *budget) {
			*truncated = 1;
			break;
		}
		*budget -= need;
	}
	return n;
}

static void put_argv(struct pt_mpw *w, char *const *argv, uint32_t n)
{
	pt_mpw_array(w, n);
	for (uint32_t i = 0; i < n; i++)
		pt_mpw_cstr(w, argv[i]);
}

void pt_record_start(int how)
{
	char exe[PATH_MAX], cwd[PATH_MAX];
	char *envsel[128];
	long ne, nc;
	uint32_t nenv = 0, nargv;
	size_t budget = PT_REC_MAX - 2 * PATH_MAX - 512, total;
	int trunc = 0;
	struct pt_rec r;

	ne = pt_sys_readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[ne > 0 ? ne : 0] = 0;
	nc = pt_sys2(SYS_getcwd, cwd, sizeof cwd);
	if (nc <= 0)
		cwd[0] = 0;
	const char *extra = getenv("PROVTRACE_ENV");
	for (char **e = environ; e && *e && nenv < sizeof envsel / sizeof envsel[0]; e++) {
		const char *eq = strchr(*e, '=');
		if (eq && env_wanted(*e, (size_t)(eq - *e), extra) && strlen(*e) + 10 < budget) {
			budget -= strlen(*e) + 10;
			envsel[nenv++] = *e;
		}
	}
	nargv = fit(pt.argv, &budget, &trunc);
	total = PT_REC_MAX - 16 - budget;
	if (total > PT_REC_MAX - 32)
		total = PT_REC_MAX - 32;
	if (pt_rec_begin(&r, PT_EV_PROC_START, 11, total) < 0)
		return;
	pt_mpw_cstr(&r.w, exe);
	put_argv(&r.w, pt.argv, nargv);
	pt_mpw_cstr(&r.w, cwd);
	pt_mpw_map(&r.w, nenv);
	for (uint32_t i = 0; i < nenv; i++) {
		const char *eq = strchr(envsel[i], '=');
		pt_mpw_str(&r.w, envsel[i], (size_t)(eq - envsel[i]));
		pt_mpw_cstr(&r.w, eq + 1);
	}
	pt_mpw_uint(&r.w, getuid());
	pt_mpw_uint(&r.w, getgid());
	pt_mpw_uint(&r.w, geteuid());
	pt_mpw_uint(&r.w, getegid());
	pt_mpw_int(&r.w, pt.hdr->ppid);
	pt_mpw_uint(&r.w, (uint64_t)how);
	pt_mpw_uint(&r.w, trunc ? PT_F_TRUNCATED : 0);
	pt_rec_end(&r);
	pt_record_libs_reset();
	pt_record_libs();
}

/* ---- loaded shared objects: read from the link map, so later dlopens appear too */

struct libs_walk {
	unsigned long long adds;   /* objects ever added to the link map (dlpi_adds) */
	uint32_t count;            /* objects in it now */
	uint32_t skip;             /* of them, those an earlier call already recorded */
};

static int lib_count(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct libs_walk *w = arg;

	(void)size;
	w->adds = info->dlpi_adds;
	w->count++;
	return 0;
}

static int lib_emit(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct libs_walk *w = arg;
	struct pt_rec r;
	size_t n;

	(void)size;
	if (w->skip) {
		w->skip--;
		return 0;
	}
	if (!info->dlpi_name || info->dlpi_name[0] != '/')
		return 0;
	/* one record per object keeps each small: a PyTorch process maps hundreds */
	n = strnlen(info->dlpi_name, PATH_MAX);
	if (pt_rec_begin(&r, PT_EV_LIBS, 1, 32 + n) == 0) {
		pt_mpw_array(&r.w, 1);
		pt_mpw_array(&r.w, 2);
		pt_mpw_bin(&r.w, info->dlpi_name, n);
		pt_mpw_uint(&r.w, (uint64_t)info->dlpi_addr);
		pt_rec_end(&r);
	}
	return 0;
}

static unsigned long long libs_adds;   /* dlpi_adds when the link map was last recorded */

/* A new image (and a fork child, whose region is new) records its whole link map. */
static void pt_record_libs_reset(void)
{
	libs_adds = 0;
}

/* Record the objects loaded since the last call.  A dlopen appends its objects to the
 * link map and counts each in dlpi_adds; a dlclose may remove any, so the new ones are
 * the last (adds since then) of the map, or fewer (an object recorded twice is one
 * record in the store). */
void pt_record_libs(void)
{
	struct libs_walk w = { 0, 0, 0 };

	if (!pt.enabled || pt_vforked)
		return;
	dl_iterate_phdr(lib_count, &w);
	if (w.adds == libs_adds)
		return;
	if (libs_adds && w.adds - libs_adds < w.count)
		w.skip = w.count - (uint32_t)(w.adds - libs_adds);
	libs_adds = w.adds;
	dl_iterate_phdr(lib_emit, &w);
}

/* An object unloaded before the exit would be missing from the link map by then: the
 * map is recorded before it goes. */
PT_API int dlclose(void *handle)
{
	int e = errno;

	pt_record_libs();
	errno = e;
	return PT_REAL(dlclose)(handle);
}

/* ---- exit paths */

void pt_record_exit(int how, int status)
{
	struct rusage ru;
	struct pt_rec r;

	if (!pt.enabled || pt_vforked || __atomic_exchange_n(&pt.exit_recorded, 1, __ATOMIC_ACQ_REL))
		return;
	if (how != PT_EXIT__EXIT)   /* _exit flushes no stream */
		pt_streams_settle();
	pt_gaps_at_exit();
	if (pt_sys2(SYS_getrusage, RUSAGE_SELF, &ru) < 0)
		memset(&ru, 0, sizeof ru);
	if (pt_rec_begin(&r, PT_EV_PROC_EXIT, 9, 9 * 9) == 0) {
		pt_mpw_uint(&r.w, (uint64_t)how);
		pt_mpw_int(&r.w, status);
		pt_mpw_uint(&r.w, (uint64_t)ru.ru_utime.tv_sec * 1000000u + (uint64_t)ru.ru_utime.tv_usec);
		pt_mpw_uint(&r.w, (uint64_t)ru.ru_stime.tv_sec * 1000000u + (uint64_t)ru.ru_stime.tv_usec);
		pt_mpw_uint(&r.w, (uint64_t)ru.ru_maxrss);
		pt_mpw_uint(&r.w, (uint64_t)ru.ru_minflt);
		pt_mpw_uint(&r.w, (uint64_t)ru.ru_majflt);
		pt_mpw_uint(&r.w, (uint64_t)ru.ru_inblock);
		pt_mpw_uint(&r.w, (uint64_t)ru.ru_oublock);
		pt_rec_end(&r);
	}
	pt.hdr->exit_status = status;
	atomic_store_explicit(&pt.hdr->end_ns, r.ts ? r.ts : pt_now(), memory_order_relaxed);
	atomic_store_explicit(&pt.hdr->state, PT_RS_EXITED, memory_order_release);
}

PT_API void exit(int status)
{
	int e = errno;

	pt_record_exit(PT_EXIT_EXIT, (status & 0xff) << 8);
	errno = e;
	PT_REAL(exit)(status);
	__builtin_unreachable();
}

static void quick_exit_record(int status)
{
	pt_record_exit(PT_EXIT__EXIT, (status & 0xff) << 8);
	pt_record_libs();
}

PT_API void _exit(int status)
{
	quick_exit_record(status);
	PT_REAL(_exit)(status);
	__builtin_unreachable();
}

PT_API void _Exit(int status)
{
	quick_exit_record(status);
	PT_REAL(_Exit)(status);
	__builtin_unreachable();
}

/* Return from main reaches exit() inside libc, past the exit wrapper: wrap main. */
static int (*real_main)(int, char **, char **);

static int main_trampoline(int argc, char **argv, char **envp)
{
	int r = real_main(argc, argv, envp);
	int e = errno;

	pt_record_exit(PT_EXIT_RETURN, (r & 0xff) << 8);
	errno = e;
	return r;
}

PT_API int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
			     void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
			     void *stack_end)
{
	real_main = main;
	return PT_REAL(__libc_start_main)(main_trampoline, argc, argv, init, fini, rtld_fini,
					  stack_end);
}

/* ---- children */

static void spawned(pid_t child, int how, const char *path, char *const argv[], int err)
{
	struct pt_rec r;
	size_t budget = PT_REC_MAX / 2, n = path ? strnlen(path, PATH_MAX) : 0;
	int trunc = 0;
	uint32_t nargv;

	if (!pt.enabled || pt_vforked)
		return;
	if (how == PT_SPAWN_FORK || how == PT_SPAWN_VFORK) {
		if (pt_rec_begin(&r, PT_EV_FORK, 2, 24) == 0) {
			pt_mpw_int(&r.w, child);
			pt_mpw_uint(&r.w, (uint64_t)how);
			pt_rec_end(&r);
		}
		return;
	}
	nargv = fit(argv, &budget, &trunc);
	if (pt_rec_begin(&r, PT_EV_SPAWN, 5, PT_REC_MAX / 2 - budget + n + 48) == 0) {
		pt_mpw_int(&r.w, child);
		pt_mpw_bin(&r.w, path, n);
		put_argv(&r.w, argv, nargv);
		pt_mpw_uint(&r.w, (uint64_t)how);
		pt_mpw_uint(&r.w, (uint64_t)err);
		pt_rec_end(&r);
	}
}

/* A fork the fork wrapper did not see (syscall(SYS_fork)), in the parent. */
void pt_record_fork(pid_t child)
{
	spawned(child, PT_SPAWN_FORK, NULL, NULL, 0);
}

PT_API pid_t fork(void)
{
	pid_t r = PT_REAL(fork)();
	int e = errno;

	if (r > 0)
		spawned(r, PT_SPAWN_FORK, NULL, NULL, 0);
	errno = e;
	return r;
}

/* The vfork wrapper's parent half: the child has exec'd or exited. */
long pt_vfork_parent(long ret)
{
	pt_vforked = 0;
	if (pt_sys_failed(ret)) {
		errno = (int)-ret;
		return -1;
	}
	int e = errno;
	spawned((pid_t)ret, PT_SPAWN_VFORK, NULL, NULL, 0);
	errno = e;
	return ret;
}

#if !defined(__x86_64__)
/* Elsewhere a vfork child would run the shim's wrappers in its parent's memory with
 * nothing to tell it apart: make it a fork (allowed: vfork's contract is a subset). */
PT_API pid_t vfork(void)
{
	return fork();
}
#endif

/* ---- the environment a child image gets: the preload and the PROVTRACE_ settings come
 * back when a program clears them (env -i, env -u LD_PRELOAD).  Built on the stack: a
 * vfork child may not allocate. */

struct child_env {
	char **envp;
	int added;              /* PT_F_PRELOAD_ADDED */
};

static size_t env_count(char *const envp[])
{
	size_t n = 0;

	while (envp && envp[n])
		n++;
	return n;
}

static int env_has(char *const envp[], const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], name, len) == 0 && envp[i][len] == '=')
			return 1;
	return 0;
}

/* PROVTRACE_DISABLE set to anything but "" or "0": the child is meant to run untraced. */
static int env_disabled(char *const envp[])
{
	for (size_t i = 0; envp && envp[i]; i++)
		if (strncmp(envp[i], "PROVTRACE_DISABLE=", 18) == 0)
			return envp[i][18] && strcmp(envp[i] + 18, "0") != 0;
	return 0;
}

/* out must hold env_count(envp) + pt.nenv_saved + 2 pointers; buf PATH_MAX * 2 bytes. */
static void child_env_build(char *const envp[], char **out, char *buf, size_t bufsz,
			    struct child_env *ce)
{
	size_t n = 0, i;
	int have_preload = 0;

	ce->envp = (char **)envp;
	ce->added = 0;
	if (!pt.self[0] || env_disabled(envp))
		return;
	for (i = 0; envp && envp[i]; i++) {
		if (strncmp(envp[i], "LD_PRELOAD=", 11) == 0) {
			have_preload = 1;
			if (strstr(envp[i] + 11, pt.self) == NULL &&
			    (size_t)snprintf(buf, bufsz, "LD_PRELOAD=%s:%s", pt.self, envp[i] + 11) < bufsz) {
				out[n++] = buf;
				ce->added = 1;
				continue;
			}
		}
		out[n++] = envp[i];
	}
	if (!have_preload && (size_t)snprintf(buf, bufsz, "LD_PRELOAD=%s", pt.self) < bufsz) {
		out[n++] = buf;
		ce->added = 1;
	}
	for (int k = 0; k < pt.nenv_saved; k++) {
		char *eq = strchr(pt.env_saved[k], '=');
		char name[64];
		size_t len = (size_t)(eq - pt.env_saved[k]);

		if (!eq || len >= sizeof name)
			continue;
		memcpy(name, pt.env_saved[k], len);
		name[len] = 0;
		if (!env_has(envp, name)) {
			out[n++] = pt.env_saved[k];
			ce->added = 1;
		}
	}
	out[n] = NULL;
	ce->envp = out;
}

#define CHILD_ENV(envp, ce)                                                               \
	char *ce##_v[env_count(envp) + (size_t)pt.nenv_saved + 2];                        \
	char ce##_buf[PATH_MAX * 2];                                                      \
	struct child_env ce;                                                              \
	child_env_build((envp), ce##_v, ce##_buf, sizeof ce##_buf, &ce)

/* ---- static and set-id images: the preload cannot follow them; say so */

static int image_flags(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	struct stat st;
	int fd, flags = 0, interp = 0;

	fd = pt_sys_open(path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	/* set-id bits that change the ids make the loader ignore LD_PRELOAD */
	if (pt_sys2(SYS_fstat, fd, &st) == 0 &&
	    (((st.st_mode & S_ISUID) && st.st_uid != geteuid()) ||
	     ((st.st_mode & S_ISGID) && st.st_gid != getegid())))
		flags |= PT_F_SETUID;
	if (pt_sys4(SYS_pread64, fd, &eh, sizeof eh, 0) == (long)sizeof eh &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_phentsize == sizeof ph) {
		for (int i = 0; i < eh.e_phnum && i < 64; i++) {
			if (pt_sys4(SYS_pread64, fd, &ph, sizeof ph,
				    eh.e_phoff + (uint64_t)i * sizeof ph) != (long)sizeof ph)
				break;
			if (ph.p_type == PT_INTERP)
				interp = 1;
		}
		if (!interp && eh.e_type == ET_EXEC)
			flags |= PT_F_STATIC;
	}
	pt_sys_close(fd);
	return flags;
}

/* Resolve a command the way execvp does, for the record; "" when not found. */
static void path_search(const char *file, char *out, size_t outsz)
{
	const char *p = getenv("PATH");

	out[0] = 0;
	if (!file || !*file)
		return;
	if (strchr(file, '/')) {
		pt_path_abs(AT_FDCWD, file, out, outsz);
		return;
	}
	if (!p)
		p = "/bin:/usr/bin";
	while (*p) {
		const char *end = strchrnul(p, ':');
		int n = snprintf(out, outsz, "%.*s/%s", (int)(end - p), p, file);
		if (n > 0 && (size_t)n < outsz && pt_sys3(SYS_faccessat, AT_FDCWD, out, X_OK) == 0) {
			if (out[0] != '/') {
				char tmp[PATH_MAX];
				snprintf(tmp, sizeof tmp, "%s", out);
				pt_path_abs(AT_FDCWD, tmp, out, outsz);
			}
			return;
		}
		p = *end ? end + 1 : end;
	}
	out[0] = 0;
}

static void image_gap(const char *abs, int flags)
{
	if (flags & PT_F_STATIC)
		pt_gap(PT_GAP_STATIC_EXEC, abs);
	if (flags & PT_F_SETUID)
		pt_gap(PT_GAP_SETUID_EXEC, abs);
}

/* ---- exec: the new image is a new process record the collector links to this one */

static int exec_begin(const char *abs, char *const argv[], int added)
{
	struct pt_rec r;
	size_t budget = PT_REC_MAX / 2, n = strnlen(abs, PATH_MAX);
	int trunc = 0, flags;
	uint32_t nargv;

	if (!pt.enabled || pt_vforked)
		return 0;
	flags = abs[0] ? image_flags(abs) : 0;
	image_gap(abs, flags);
	nargv = fit(argv, &budget, &trunc);
	flags |= (added ? PT_F_PRELOAD_ADDED : 0) | (trunc ? PT_F_TRUNCATED : 0);
	if (pt_rec_begin(&r, PT_EV_EXEC, 3, PT_REC_MAX / 2 - budget + n + 32) == 0) {
		pt_mpw_bin(&r.w, abs, n);
		put_argv(&r.w, argv, nargv);
		pt_mpw_uint(&r.w, (uint64_t)flags);
		pt_rec_end(&r);
	}
	pt_record_libs();
	atomic_store_explicit(&pt.hdr->end_ns, r.ts, memory_order_relaxed);
	atomic_store_explicit(&pt.hdr->state, PT_RS_EXEC, memory_order_release);
	return 1;
}

static int exec_failed(int began, int r)
{
	struct pt_rec rec;
	int e = errno;

	if (began && pt.enabled && !pt_vforked) {
		if (pt_rec_begin(&rec, PT_EV_EXEC_FAIL, 1, 16) == 0) {
			pt_mpw_uint(&rec.w, (uint64_t)e);
			pt_rec_end(&rec);
		}
		atomic_store_explicit(&pt.hdr->state, PT_RS_RUNNING, memory_order_release);
	}
	errno = e;
	return r;
}

PT_API int execve(const char *path, char *const argv[], char *const envp[])
{
	char abs[PATH_MAX] = "";
	CHILD_ENV(envp, ce);
	int began;

	if (!pt_vforked)
		pt_path_abs(AT_FDCWD, path, abs, sizeof abs);
	began = exec_begin(abs, argv, ce.added);
	return exec_failed(began, PT_REAL(execve)(path, argv, ce.envp));
}

PT_API int execv(const char *path, char *const argv[])
{
	return execve(path, argv, environ);
}

PT_API int execvpe(const char *file, char *const argv[], char *const envp[])
{
	char abs[PATH_MAX] = "";
	CHILD_ENV(envp, ce);
	int began;

	if (!pt_vforked)
		path_search(file, abs, sizeof abs);
	began = exec_begin(abs, argv, ce.added);
	return exec_failed(began, PT_REAL(execvpe)(file, argv, ce.envp));
}

PT_API int execvp(const char *file, char *const argv[])
{
	return execvpe(file, argv, environ);
}

PT_API int fexecve(int fd, char *const argv[], char *const envp[])
{
	char abs[PATH_MAX] = "";
	CHILD_ENV(envp, ce);
	int began;

	if (!pt_vforked && pt_fd_path(fd, abs, sizeof abs) < 0)
		abs[0] = 0;
	began = exec_begin(abs, argv, ce.added);
	return exec_failed(began, PT_REAL(fexecve)(fd, argv, ce.envp));
}

PT_API int execveat(int dirfd, const char *path, char *const argv[], char *const envp[],
		    int flags)
{
	char abs[PATH_MAX] = "";
	CHILD_ENV(envp, ce);
	int began;

	if (!pt_vforked)
		pt_path_abs(dirfd, path, abs, sizeof abs);
	began = exec_begin(abs, argv, ce.added);
	return exec_failed(began, PT_REAL(execveat)(dirfd, path, argv, ce.envp, flags));
}

/* execl, execlp, execle: gather the arguments, then the vector forms above. */
#define GATHER_ARGS(arg0, ap, argv)                                                       \
	size_t n_ = 1;                                                                   \
	va_start(ap, arg0);                                                              \
	while (va_arg(ap, char *))                                                       \
		n_++;                                                                    \
	va_end(ap);                                                                      \
	char *argv[n_ + 1];                                                              \
	argv[0] = (char *)arg0;                                                          \
	va_start(ap, arg0);                                                              \
	for (size_t i_ = 1; i_ <= n_; i_++)                                              \
		argv[i_] = va_arg(ap, char *)

PT_API int execl(const char *path, const char *arg, ...)
{
	va_list ap;
	GATHER_ARGS(arg, ap, argv);
	va_end(ap);
	return execve(path, argv, environ);
}

PT_API int execlp(const char *file, const char *arg, ...)
{
	va_list ap;
	GATHER_ARGS(arg, ap, argv);
	va_end(ap);
	return execvpe(file, argv, environ);
}

PT_API int execle(const char *path, const char *arg, ...)
{
	va_list ap;
	GATHER_ARGS(arg, ap, argv);
	char *const *envp = va_arg(ap, char *const *);
	va_end(ap);
	return execve(path, argv, envp);
}

/* ---- posix_spawn: glibc spawns with clone(CLONE_VM|CLONE_VFORK) and no atfork
 * handlers; the child image links itself to this one through its parent pid. */

static int spawn_common(int how, pid_t *pidp, const char *file,
			const posix_spawn_file_actions_t *fa, const posix_spawnattr_t *attr,
			char *const argv[], char *const envp[])
{
	char abs[PATH_MAX] = "";
	pid_t child = 0;
	int r, e;
	CHILD_ENV(envp, ce);

	if (how == PT_SPAWN_POSIX_SPAWNP)
		r = PT_REAL(posix_spawnp)(&child, file, fa, attr, argv, ce.envp);
	else
		r = PT_REAL(posix_spawn)(&child, file, fa, attr, argv, ce.envp);
	e = errno;
	if (pidp)
		*pidp = child;
	if (pt.enabled && !pt_vforked) {
		if (how == PT_SPAWN_POSIX_SPAWNP)
			path_search(file, abs, sizeof abs);
		else
			pt_path_abs(AT_FDCWD, file, abs, sizeof abs);
		if (r == 0 && abs[0])
			image_gap(abs, image_flags(abs));
		spawned(r == 0 ? child : 0, how, abs[0] ? abs : file, argv, r);
	}
	errno = e;
	return r;
}

PT_API int posix_spawn(pid_t *pid, const char *path, const posix_spawn_file_actions_t *fa,
		       const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_common(PT_SPAWN_POSIX_SPAWN, pid, path, fa, attr, argv, envp);
}

PT_API int posix_spawnp(pid_t *pid, const char *file, const posix_spawn_file_actions_t *fa,
			const posix_spawnattr_t *attr, char *const argv[], char *const envp[])
{
	return spawn_common(PT_SPAWN_POSIX_SPAWNP, pid, file, fa, attr, argv, envp);
}

/* system() and popen() spawn /bin/sh inside libc with the process environment; the
 * shell is traced when that environment still holds the preload, and a gap says when not. */
static void shell_spawned(int how, const char *cmd, int err)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };

	if (!pt.enabled || pt_vforked || !cmd)
		return;
	if (!env_has(environ, "LD_PRELOAD") && !env_disabled(environ))
		pt_gap(PT_GAP_UNTRACED_CHILD, "system()/popen() shell: LD_PRELOAD not in environment");
	spawned(0, how, "/bin/sh", argv, err);
}

PT_API int system(const char *cmd)
{
	int r = PT_REAL(system)(cmd);
	int e = errno;

	shell_spawned(PT_SPAWN_SYSTEM, cmd, r < 0 ? e : 0);
	errno = e;
	return r;
}

PT_API FILE *popen(const char *cmd, const char *type)
{
	FILE *fp = PT_REAL(popen)(cmd, type);
	int e = errno;

	shell_spawned(PT_SPAWN_POPEN, cmd, fp ? 0 : e);
	errno = e;
	return fp;
}

PT_API int pclose(FILE *fp)
{
	int e = errno;

	if (pt.enabled && fp)
		pt_sess_close(fp->_fileno, PT_CLOSE_FCLOSE);
	errno = e;
	return PT_REAL(pclose)(fp);
}

/* ---- wait: how children ended, signals included (the collector cannot wait for them) */

static void waited(pid_t pid, int status)
{
	struct pt_rec r;
	int e = errno;

	if (pid > 0 && pt.enabled && !pt_vforked && (WIFEXITED(status) || WIFSIGNALED(status)) &&
	    pt_rec_begin(&r, PT_EV_WAIT, 2, 24) == 0) {
		pt_mpw_int(&r.w, pid);
		pt_mpw_int(&r.w, status);
		pt_rec_end(&r);
	}
	errno = e;
}

PT_API pid_t wait(int *status)
{
	int st = 0;
	pid_t r = PT_REAL(wait)(&st);

	if (r > 0)
		waited(r, st);
	if (status && r > 0)
		*status = st;
	return r;
}

PT_API pid_t waitpid(pid_t pid, int *status, int options)
{
	int st = 0;
	pid_t r = PT_REAL(waitpid)(pid, &st, options);

	if (r > 0)
		waited(r, st);
	if (status && r > 0)
		*status = st;
	return r;
}

PT_API pid_t wait3(int *status, int options, struct rusage *ru)
{
	int st = 0;
	pid_t r = PT_REAL(wait3)(&st, options, ru);

	if (r > 0)
		waited(r, st);
	if (status && r > 0)
		*status = st;
	return r;
}

PT_API pid_t wait4(pid_t pid, int *status, int options, struct rusage *ru)
{
	int st = 0;
	pid_t r = PT_REAL(wait4)(pid, &st, options, ru);

	if (r > 0)
		waited(r, st);
	if (status && r > 0)
		*status = st;
	return r;
}

PT_API int waitid(idtype_t type, id_t id, siginfo_t *info, int options)
{
	int r = PT_REAL(waitid)(type, id, info, options);

	if (r == 0 && info && info->si_pid > 0) {
		int st = -1;
		if (info->si_code == CLD_EXITED)
			st = (info->si_status & 0xff) << 8;
		else if (info->si_code == CLD_KILLED)
			st = info->si_status & 0x7f;
		else if (info->si_code == CLD_DUMPED)
			st = (info->si_status & 0x7f) | 0x80;
		if (st >= 0)
			waited(info->si_pid, st);
	}
	return r;
}

/* ---- the image's own start and end: the fork handlers, the constructor and the
 * destructor (the library's entry; they call down into the core and the sessions) */

/* Before a fork, in the parent: copy the session table as it is, into memory the child
 * gets a private copy of (raw mmap: no allocator in an atfork handler). */
static void atfork_prepare(void)
{
	uint32_t hi;

	pt_tls.fork_ns = pt_now();
	pt_tls.nsnap = 0;
	if (!pt.enabled || pt_vforked || !pt.hdr)
		return;
	hi = atomic_load_explicit(&pt.hdr->sess_hi, memory_order_relaxed);
	if (hi > pt.nsess)
		hi = pt.nsess;
	if (hi > pt_tls.capsnap) {
		uint64_t want = pt_align_page((uint64_t)hi * sizeof *pt_tls.snap);
		void *p = pt_sys_mmap(NULL, want, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (pt_sys_failed((long)p))
			return;
		if (pt_tls.snap)
			pt_sys_munmap(pt_tls.snap, pt_tls.capsnap * sizeof *pt_tls.snap);
		pt_tls.snap = p;
		pt_tls.capsnap = (uint32_t)(want / sizeof *pt_tls.snap);
	}
	for (uint32_t i = 0; i < hi; i++) {
		pt_tls.snap[i].sid = atomic_load_explicit(&pt.sess[i].sid, memory_order_acquire);
		pt_tls.snap[i].kind = pt.sess[i].kind;
		pt_tls.snap[i].flags = pt.sess[i].flags;
	}
	pt_tls.nsnap = hi;
}

static void atfork_child(void)
{
	/* the parent's MPI traffic is not the child's */
	pt_mpi_pending = 0;
	pt_mpi_flush_hook = NULL;
	/* the child is an image of its own: its gaps are said again */
	pt.uring_said = 0;
	pt.aio_said = 0;
	pt_tls.slot = 0;
	pt_tls.busy = 0;
	pt_tls.tid = 0;
	pt.pid = pt_sys_getpid();
	pt.exit_recorded = 0;
	if (!pt.initialised || !pt.base)
		return;
	pt_region_create(PT_START_FORK);
	pt_tls.nsnap = 0;
	pt_record_start(PT_START_FORK);
}

/* A child made by a fork the atfork handlers did not see (syscall(SYS_fork)). */
void pt_fork_child(void)
{
	pt_tls.nsnap = 0;
	atfork_child();
}

/* ---- constructor and destructor */

__attribute__((constructor(101))) static void pt_init(int argc, char **argv, char **envp)
{
	const char *s;
	int e = errno;

	(void)envp;
	if (pt.initialised)
		return;
	pt.initialised = 1;
	pt.pid = pt_sys_getpid();
	pt.argc = argc;
	pt.argv = argv;
	if ((s = getenv("PROVTRACE_DISABLE")) && *s && strcmp(s, "0") != 0) {
		/* counted, not silent: the collector of a traced job stores a gap */
		if ((s = getenv("PROVTRACE_SOCKET")) && strlen(s) < sizeof pt.sock) {
			strcpy(pt.sock, s);
			pt_announce_unrecorded("PROVTRACE_DISABLE is set");
		}
		goto out;
	}
	pt_real_resolve_all();
	pt_config_read();
	if (!pt.spool[0]) {
		pt_debug("PROVTRACE_SPOOL not set: not recording");
		goto out;
	}
	pt_cwd_refresh();
	pt_slots_init();
	pthread_atfork(atfork_prepare, NULL, atfork_child);
	pt_region_create(PT_START_EXEC);
	if (pt.enabled)
		pt_record_start(PT_START_EXEC);
out:
	errno = e;
}

__attribute__((destructor(101))) static void pt_fini(void)
{
	int e = errno;

	if (pt.enabled && !pt_vforked && pt.pid == pt_sys_getpid()) {
		pt_record_exit(PT_EXIT_DESTRUCTOR, 0);
		pt_record_libs();
	}
	errno = e;
}
