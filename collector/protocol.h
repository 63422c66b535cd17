/* protocol.h — the provtrace wire protocol: the records a process image writes into its
 * region, the collector's announcement messages, and the records the collector adds itself.
 *
 * Shared by interpose/ (the producer) and collector/ (the consumer and the store).
 *
 * A record is one msgpack array: [type, ts, field...].  `type` is a positive integer from
 * the table below, `ts` the CLOCK_REALTIME time in nanoseconds since the epoch.  Types live
 * in numbered ranges and are never renumbered; a new type takes a free number in its range.
 * A record only ever grows: new fields are appended, readers ignore trailing fields they do
 * not know and take 0 / empty for fields a shorter (older) record lacks.  Byte strings that
 * come from the program (paths, argv, environment values) are msgpack `bin`, never assumed
 * to be UTF-8.
 *
 * Changing a field's meaning or position requires a new PT_PROTO_VERSION.
 */
#ifndef PT_PROTOCOL_H
#define PT_PROTOCOL_H

#include <stdint.h>

#define PT_PROTO_VERSION 1

/* Largest msgpack payload of one record.  Records that would be longer (a huge argv)
 * are truncated by the producer, which then sets PT_F_TRUNCATED in the record. */
#define PT_REC_MAX (64u * 1024u)

/* X(name, number, fields) — the fields after [type, ts], in order. */
#define PT_EVENT_TYPES(X)                                                              \
	/* 1-31: process images */                                                       \
	X(PROC_START,  1, "exe, argv[], cwd, env{}, uid, gid, euid, egid, ppid, how, flags") \
	X(PROC_EXIT,   2, "how, status, utime_us, stime_us, maxrss_kb, minflt, majflt, inblock, oublock") \
	X(EXEC,        3, "path, argv[], flags")                                           \
	X(EXEC_FAIL,   4, "errno")                                                        \
	X(FORK,        5, "child_pid, how")                                               \
	X(SPAWN,       6, "child_pid, path, argv[], how, errno")                          \
	X(WAIT,        7, "pid, status")                                                  \
	X(LIBS,        8, "libs[]") /* [[path, base]...] */                                         \
	/* 32-63: files and descriptors */                                                \
	X(OPEN,       32, "sid, fd, path, flags, mode, kind, call, stack[]")               \
	X(CLOSE,      33, "sid, fd, rbytes, rops, wbytes, wops, rfirst, rlast, wfirst, wlast, rmax, wmax, dev, ino, size, mtime, how") \
	X(DUP,        34, "sid, oldsid, newfd")                                            \
	X(INHERIT,    35, "sid, fd, parent_sid, kind")                                    \
	X(ADOPT,      36, "sid, fd, path, kind, how")                                     \
	X(MMAP,       37, "sid, len, off, prot, flags")                                   \
	X(RENAME,     38, "from, to")                                                     \
	X(LINK,       39, "from, to, symbolic")                                           \
	X(UNLINK,     40, "path, dir")                                                    \
	X(TRUNCATE,   41, "path, sid, length")                                            \
	X(MKDIR,      42, "path, mode")                                                   \
	X(IO,         43, "sid, op, off, len, dur_ns")                                    \
	/* 64-95: IPC endpoints (pipes and sockets are objects named like /proc/PID/fd) */ \
	X(SOCKPAIR,   64, "ino0, ino1")                                                   \
	X(CONNECT,    65, "fd, ino, addr")                                                \
	X(ACCEPT,     66, "fd, ino, addr")                                                \
	/* 112-127: what the shim could not see */                                        \
	X(GAP,       112, "kind, detail")                                                 \
	/* 128-191: MPI, through the profiling interface (interpose/mpi.c; see below) */ \
	X(MPI_INIT,  128, "rank, size, job, thread, processor, library, how")            \
	X(MPI_FINI,  129, "dropped, foreign, foreign_bytes")                             \
	X(MPI_COMM,  130, "comm, size, rank, flags, offset, ranks[]")                     \
	X(MPI_P2P,   131, "peer, op, msgs, bytes, first")                                 \
	X(MPI_COLL,  132, "comm, op, root, calls, sent, recvd, first")                    \
	X(MPI_FOPEN, 133, "sid, path, amode, comm")                                       \
	X(MPI_FCLOSE,134, "sid, fh, rbytes, rops, wbytes, wops, rfirst, rlast, wfirst, wlast, rmax, wmax, views") \
	X(MPI_MSG,   135, "op, peer, bytes, tag, comm, dur_ns")                           \
	X(MPI_CALL,  136, "op, comm, root, sent, recvd, dur_ns")                          \
	X(MPI_FIO,   137, "sid, op, off, bytes, dur_ns")                                  \
	X(MPI_SPAWN, 138, "spawn, comm, how, status, procs, maxprocs, cmds[], flags, dur_ns") \
	X(MPI_PARENT,139, "job, rank, spawn, size")                                      \
	/* 192-223: CUDA (libprovtrace-cuda.so, through provtrace_emit()) */             \
	X(CUDA_DEVICE, 192, "device, name, uuid, cc_major, cc_minor, memory, driver, runtime, multiprocessors") \
	X(CUDA_KERNEL, 193, "name, launches, total_ns, min_ns, max_ns, grid[], block[], shared, registers, timed, round") \
	X(CUDA_MEMCPY, 194, "kind, count, bytes, total_ns, round")                        \
	X(CUDA_MEMSET, 195, "count, bytes, total_ns, round")                              \
	X(CUDA_DROPS,  196, "dropped, how, round")                                        \
	/* 224-255: written by the collector, never by a process */                       \
	X(C_PROC,    224, "pid, ppid, uid, start_ns, host, parent, exec_from, verified, region") \
	X(C_SESS_END,225, "sid, fd, rbytes, rops, wbytes, wops, rfirst, rlast, wfirst, wlast, rmax, wmax") \
	X(C_PROC_END,226, "state, status, end_ns, dropped, torn, corrupt")

enum pt_event_type {
#define PT_X(name, num, fields) PT_EV_##name = num,
	PT_EVENT_TYPES(PT_X)
#undef PT_X
	PT_EV_MAX = 255
};

/* PROC_START.how: how this image began. */
enum pt_start_how { PT_START_EXEC = 0, PT_START_FORK = 1 };

/* PROC_EXIT.how: the exit path that recorded the status. */
enum pt_exit_how {
	PT_EXIT_EXIT = 0,        /* exit(), from any thread */
	PT_EXIT_RETURN = 1,      /* return from main */
	PT_EXIT__EXIT = 2,       /* _exit() / _Exit() */
	PT_EXIT_DESTRUCTOR = 3,  /* library destructor without a known status */
};

/* FORK.how and SPAWN.how */
enum pt_spawn_how {
	PT_SPAWN_FORK = 0, PT_SPAWN_VFORK = 1, PT_SPAWN_POSIX_SPAWN = 2,
	PT_SPAWN_POSIX_SPAWNP = 3, PT_SPAWN_SYSTEM = 4, PT_SPAWN_POPEN = 5,
};

/* OPEN.kind, ADOPT.kind, INHERIT.kind: what a descriptor refers to. */
enum pt_kind {
	PT_KIND_FILE = 1, PT_KIND_DIR = 2, PT_KIND_PIPE = 3, PT_KIND_SOCKET = 4,
	PT_KIND_DEVICE = 5, PT_KIND_OTHER = 6,
	PT_KIND_IGNORED = 15,    /* excluded by PROVTRACE_EXCLUDE: counters are not kept */
};

/* OPEN.call: the function that opened the descriptor. */
enum pt_open_call {
	PT_CALL_OPEN = 0, PT_CALL_OPENAT = 1, PT_CALL_CREAT = 2, PT_CALL_OPEN_2 = 3,
	PT_CALL_FOPEN = 4, PT_CALL_FDOPEN = 5, PT_CALL_FREOPEN = 6, PT_CALL_PIPE = 7,
	PT_CALL_SOCKETPAIR = 8, PT_CALL_MKSTEMP = 9, PT_CALL_OPENAT2 = 10,
};

/* CLOSE.how.  CLOSE's dev, ino, size and mtime (ns) identify the version a regular file's
 * session left, read while its descriptor still named it (before the real close, or the
 * dup2 or dup3 that replaced it); all 0 when the session moved no data. */
enum pt_close_how {
	PT_CLOSE_CLOSE = 0, PT_CLOSE_FCLOSE = 1, PT_CLOSE_RANGE = 2, PT_CLOSE_DUP2 = 3,
	PT_CLOSE_REOPEN = 4,  /* the descriptor was reused by an open the shim saw */
	PT_CLOSE_EXEC = 5,    /* close-on-exec at a successful exec */
};

/* IO.op (trace mode only) */
enum pt_io_op {
	PT_IO_READ = 0, PT_IO_WRITE = 1, PT_IO_PREAD = 2, PT_IO_PWRITE = 3,
	PT_IO_READV = 4, PT_IO_WRITEV = 5, PT_IO_PREADV = 6, PT_IO_PWRITEV = 7,
	PT_IO_FREAD = 8, PT_IO_FWRITE = 9, PT_IO_SENDFILE = 10, PT_IO_COPY = 11,
};

/* EXEC.flags, PROC_START.flags, and record flags */
#define PT_F_TRUNCATED      0x01u  /* argv/env/path cut to fit PT_REC_MAX */
#define PT_F_PRELOAD_ADDED  0x02u  /* the exec wrapper restored LD_PRELOAD */
#define PT_F_STATIC         0x04u  /* exec of a static image: its events are invisible */
#define PT_F_SETUID         0x08u  /* exec of a set-user/group-id image: invisible */

/* GAP.kind: the coverage gaps — X(name, number, word, meaning).  The word is what the
 * tools print and the export's pt:gapKind; the meaning is said by provtrace stat.  A GAP
 * record's detail names the instance (the program, the call, the descriptor). */
#define PT_GAP_KINDS(X)                                                                  \
	X(STATIC_EXEC,    1, "static-exec",                                            \
	  "a statically linked program was started: nothing it does is seen")          \
	X(SETUID_EXEC,    2, "setuid-exec",                                            \
	  "a set-user-ID or set-group-ID program was started: the loader does not "     \
	  "preload into it")                                                           \
	X(FD_RANGE,       3, "fd-range",                                               \
	  "descriptors above the session table: their I/O is not counted")             \
	X(SLOTS,          4, "slots", "reserved")                                      \
	X(UNTRACKED_FD,   5, "untracked-fd", "reserved")                               \
	X(SHIM_DISABLED,  6, "shim-disabled",                                          \
	  "a process recorded nothing (PROVTRACE_DISABLE, or it could not make its "    \
	  "region)")                                                                   \
	X(UNTRACED_CHILD, 7, "untraced-child",                                         \
	  "a child started without the preload: nothing it does is seen")              \
	X(MPI,            8, "mpi",                                                    \
	  "an MPI library without Open MPI's interface: no MPI traffic recorded")       \
	X(IO_URING,       9, "io-uring",                                               \
	  "the process set up an io_uring ring: the file operations it submits there "  \
	  "are not seen")                                                              \
	X(RAW_SYSCALL,   10, "raw-syscall",                                            \
	  "a file system call made through syscall() that the shim cannot record")

enum pt_gap_kind {
#define PT_X(name, num, word, meaning) PT_GAP_##name = num,
	PT_GAP_KINDS(PT_X)
#undef PT_X
	PT_GAP_KIND_MAX
};

/* The word of a gap kind ("io-uring"); "unknown" for a number this build does not know. */
static inline const char *pt_gap_name(unsigned kind)
{
	switch (kind) {
#define PT_X(name, num, word, meaning) case num: return word;
	PT_GAP_KINDS(PT_X)
#undef PT_X
	default: return "unknown";
	}
}

static inline const char *pt_gap_meaning(unsigned kind)
{
	switch (kind) {
#define PT_X(name, num, word, meaning) case num: return meaning;
	PT_GAP_KINDS(PT_X)
#undef PT_X
	default: return "a gap of a kind this build does not know";
	}
}

/* ---- CUDA records (192-223), written by libprovtrace-cuda.so through provtrace_emit().
 *
 * CUDA_KERNEL, CUDA_MEMCPY, CUDA_MEMSET and CUDA_DROPS are cumulative summaries of the
 * process image since it began (a forked child starts from zero): the module sends them
 * periodically (PROVTRACE_CUDA_PERIOD) and at exit, each time only the ones that changed,
 * tagged with `round`, a number that grows with each sending.  A reader keeps, per image
 * and key (KERNEL: name; MEMCPY: kind; MEMSET: none; DROPS: how), the record with the
 * highest round and ignores the others: never sum two records of one key.  Log order is
 * not round order (the module writes from more than one thread).
 *
 * CUDA_DEVICE: once per device the image used.  device is the CUDA ordinal in that image
 * (after CUDA_VISIBLE_DEVICES), uuid its 16 bytes, memory in bytes, driver and runtime
 * as cuDriverGetVersion() / cudaRuntimeGetVersion() give them (13000 is 13.0; runtime 0
 * when the runtime is linked statically and cannot be asked).
 * CUDA_KERNEL: name is the mangled name (bin; cut at 4 KiB); launches counts the launches
 * the driver accepted (one into a stream being captured only builds a graph and does not
 * count); total/min/max_ns are GPU execution times of the `timed` launches
 * (0 unless PROVTRACE_CUDA=full); grid[3], block[3] and shared (dynamic shared memory
 * bytes) describe the first launch seen; registers per thread are known only in full
 * mode.  Two pseudo-names: "[cuGraphLaunch]" counts launches of CUDA graphs (whose
 * kernels only the full mode sees, by name), "[other]" the launches of kernels past the
 * module's table (also counted as CUDA_DROPS how 2).
 * CUDA_MEMCPY / CUDA_MEMSET: count, bytes and GPU time of copies per direction and of sets.
 */

/* CUDA_MEMCPY.kind: the direction, numbered as CUPTI numbers them (A: a CUDA array). */
enum pt_cuda_copy {
	PT_COPY_UNKNOWN = 0, PT_COPY_HTOD = 1, PT_COPY_DTOH = 2, PT_COPY_HTOA = 3,
	PT_COPY_ATOH = 4, PT_COPY_ATOA = 5, PT_COPY_ATOD = 6, PT_COPY_DTOA = 7,
	PT_COPY_DTOD = 8, PT_COPY_HTOH = 9, PT_COPY_PTOP = 10,
	PT_COPY_KINDS = 11,
};

/* CUDA_DROPS.how: what the CUDA module lost, or could not see at all. */
enum pt_cuda_drop {
	PT_CUDA_DROP_CUPTI = 1,       /* activity records CUPTI dropped (no buffer space) */
	PT_CUDA_DROP_TABLE = 2,       /* launches of kernels past the name table ("[other]") */
	PT_CUDA_DROP_NO_CUPTI = 3,    /* CUPTI refused the module (another tool has it): 1 */
	PT_CUDA_DROP_NO_ACTIVITY = 4, /* no activity API (CUPTI version): no copies, sets, times */
};

/* ---- MPI records (128-191), written by the shim's PMPI wrappers (interpose/mpi.c).
 *
 * Ranks are ranks of MPI_COMM_WORLD ("world ranks") unless a field says otherwise; a
 * communicator is a number the image gives it (0 is MPI_COMM_WORLD), described once by
 * MPI_COMM records.
 *
 * MPI_INIT: after MPI_Init / MPI_Init_thread succeeded.  job names the MPI job the same
 * way in every rank (the PMIx namespace, else Open MPI's job id, else the Slurm job and
 * step, else "HOST:PID:START_NS" of a singleton); thread is the level provided; library
 * the MPI_Get_library_version string; how 0 = MPI_Init, 1 = MPI_Init_thread.
 * MPI_FINI: at MPI_Finalize; dropped counts what the module could not follow (request,
 * communicator or file tables full); foreign and foreign_bytes the point-to-point
 * messages sent to or received from ranks of another job (the other side of a spawn's
 * intercommunicator), which have no world rank and are not followed.
 * MPI_COMM: the members of a communicator, in its rank order, as world ranks; rank is
 * this image's rank in it; a large group takes several records, each with the index
 * (offset) of its first member.  flags: PT_MPI_COMM_*.
 * MPI_P2P and MPI_COLL are cumulative since MPI_Init: the latest record of a key wins
 * (counts only grow), and the time of that record is when the traffic was last seen
 * (an upper bound: records are written before the image's next file event, at least
 * every second while traffic goes on, and at MPI_Finalize or exit).  first is the
 * CLOCK_REALTIME time the first call of the key returned (for a send, possibly after
 * the receiver had the data).  Keys: MPI_P2P (peer, op); MPI_COLL (comm, op, root).
 * MPI_P2P: peer is a world rank; op a pt_mpi_p2p; bytes as MPI counted them for a
 * receive (the status), count * type size for a send.
 * MPI_COLL: op a pt_mpi_coll; root the world rank of the root (-1: not a rooted
 * operation, or several roots); sent and recvd the bytes of this rank's buffers as the
 * call describes them (a root's whole send buffer of a scatter, ...).
 * MPI_FOPEN / MPI_FCLOSE: an MPI-IO file, as an access session of kind PT_KIND_MPI_FILE
 * with a session id drawn from the image's POSIX sessions' counter (so the two never
 * collide); FCLOSE has C_SESS_END's first twelve fields, then views (MPI_File_set_view
 * calls).  The POSIX I/O MPI-IO does underneath is recorded as usual.
 * MPI_MSG, MPI_CALL, MPI_FIO: one per call, only in trace mode (PROVTRACE_TRACE).
 * MPI_SPAWN: by the root of an MPI_Comm_spawn (how 0) or MPI_Comm_spawn_multiple (how 1)
 * when the call returns; spawn numbers the image's spawns from 1, comm is the spawning
 * communicator, status the call's return code, procs the processes started (the remote
 * group of the intercommunicator; 0 when it failed), maxprocs those asked for; cmds
 * [[command, argv[], maxprocs]...] as the call gave them (argv without the command;
 * PT_F_TRUNCATED in flags when cut to fit); flags PT_F_TRUNCATED | PT_MPI_SPAWN_*.
 * MPI_PARENT: after MPI_INIT, in an image that MPI_Comm_get_parent says was spawned: the
 * spawning rank as its MPI_SPAWN names it (job as that rank's MPI_INIT.job, its world
 * rank, spawn), or "", -1, 0 when the children were not told (see interpose/mpi.c); size
 * is the parent group's (the remote group of the parent intercommunicator).
 */

/* MPI_P2P.op: point-to-point operations; the first three send, the others receive. */
enum pt_mpi_p2p {
	PT_MPI_SEND = 1,            /* MPI_Send, Ssend, Bsend, Rsend */
	PT_MPI_ISEND = 2,           /* MPI_Isend, Issend, Ibsend, Irsend (counted when posted) */
	PT_MPI_SENDRECV_SEND = 3,   /* the send half of MPI_Sendrecv(_replace) */
	PT_MPI_RECV = 4,            /* MPI_Recv, MPI_Mrecv */
	PT_MPI_IRECV = 5,           /* MPI_Irecv, MPI_Imrecv (counted when completed) */
	PT_MPI_SENDRECV_RECV = 6,
	PT_MPI_P2P_OPS = 7,
};
#define PT_MPI_P2P_SENDS(op) ((op) >= PT_MPI_SEND && (op) <= PT_MPI_SENDRECV_SEND)

/* MPI_COLL.op: collectives; a nonblocking form is the blocking one | PT_MPI_NB. */
enum pt_mpi_coll {
	PT_MPI_BARRIER = 1, PT_MPI_BCAST = 2, PT_MPI_REDUCE = 3, PT_MPI_ALLREDUCE = 4,
	PT_MPI_GATHER = 5, PT_MPI_GATHERV = 6, PT_MPI_SCATTER = 7, PT_MPI_SCATTERV = 8,
	PT_MPI_ALLGATHER = 9, PT_MPI_ALLGATHERV = 10, PT_MPI_ALLTOALL = 11,
	PT_MPI_ALLTOALLV = 12, PT_MPI_ALLTOALLW = 13, PT_MPI_REDUCE_SCATTER = 14,
	PT_MPI_REDUCE_SCATTER_BLOCK = 15, PT_MPI_SCAN = 16, PT_MPI_EXSCAN = 17,
	PT_MPI_COLL_BASE = 18,
	PT_MPI_NB = 32,
	PT_MPI_COLL_OPS = 64,
};

/* MPI_COMM.flags */
#define PT_MPI_COMM_INTER    0x1u   /* an intercommunicator */
#define PT_MPI_COMM_REMOTE   0x2u   /* this record lists the remote group */
#define PT_MPI_COMM_IDENTITY 0x4u   /* rank i is world rank i: no ranks[] follow */

/* MPI_SPAWN.flags (with PT_F_TRUNCATED): what the root told the children through the
 * "env" info key, which Open MPI adds to the environment of the processes it starts */
#define PT_MPI_SPAWN_ENV      0x10u  /* the module added to it (the link, settings) */
#define PT_MPI_SPAWN_ENV_CUT  0x20u  /* some of them did not fit MPI_MAX_INFO_VAL */
#define PT_MPI_SPAWN_UNTRACED 0x40u  /* the program's "env" key sets PROVTRACE_DISABLE */

/* MPI_FIO.op */
enum pt_mpi_fio { PT_MPI_FREAD = 0, PT_MPI_FWRITE = 1 };

/* The session kind of an MPI-IO file (sessions only: its object is a PT_KIND_FILE),
 * and the session's `call`. */
#define PT_KIND_MPI_FILE 7
#define PT_CALL_MPI_FILE 32
/* GAP.kind PT_GAP_MPI (above): the MPI library is not one the shim understands. */

static inline const char *pt_mpi_p2p_name(unsigned op)
{
	static const char *const n[PT_MPI_P2P_OPS] = {
		"?", "send", "isend", "sendrecv-send", "recv", "irecv", "sendrecv-recv",
	};
	return op < PT_MPI_P2P_OPS ? n[op] : "?";
}

static inline const char *pt_mpi_coll_name(unsigned op)
{
	static const char *const n[PT_MPI_COLL_BASE] = {
		"?", "barrier", "bcast", "reduce", "allreduce", "gather", "gatherv", "scatter",
		"scatterv", "allgather", "allgatherv", "alltoall", "alltoallv", "alltoallw",
		"reduce_scatter", "reduce_scatter_block", "scan", "exscan",
	};
	static const char *const nb[PT_MPI_COLL_BASE] = {
		"?", "ibarrier", "ibcast", "ireduce", "iallreduce", "igather", "igatherv",
		"iscatter", "iscatterv", "iallgather", "iallgatherv", "ialltoall", "ialltoallv",
		"ialltoallw", "ireduce_scatter", "ireduce_scatter_block", "iscan", "iexscan",
	};
	unsigned base = op & ~(unsigned)PT_MPI_NB;

	if (base >= PT_MPI_COLL_BASE || op >= PT_MPI_COLL_OPS)
		return "?";
	return op & PT_MPI_NB ? nb[base] : n[base];
}

/* C_PROC_END.state */
enum pt_end_state {
	PT_END_EXITED = 1,     /* the image recorded its exit */
	PT_END_EXECED = 2,     /* replaced by exec */
	PT_END_DIED = 3,       /* vanished without an exit record: killed by a signal */
	PT_END_RUNNING = 4,    /* still running when the collector stopped */
};

/* ---- Announcements: a process image tells the node collector about its region over
 * the collector's SOCK_SEQPACKET socket, passing the region's descriptor with
 * SCM_RIGHTS.  The collector takes pid and uid from SO_PEERCRED, never from the message.
 * The launcher uses the same socket to report the wait status of the job's top process. */

#define PT_ANNOUNCE_MAGIC 0x50544e41u  /* "PTNA" */

enum pt_msg_type {
	PT_MSG_REGION = 1,   /* body: region file name (NUL-terminated), fd attached */
	PT_MSG_STATUS = 2,   /* body: struct pt_msg_status */
	PT_MSG_DISABLED = 3, /* body: why this image records nothing, NUL, its executable,
				NUL (the executable may be missing): a counted gap */
};

struct pt_msg_hdr {
	uint32_t magic;
	uint16_t version;      /* PT_PROTO_VERSION */
	uint16_t type;         /* enum pt_msg_type */
	uint32_t len;          /* bytes of body that follow */
};

struct pt_msg_status {
	int32_t pid;
	int32_t wait_status;   /* as from waitpid() */
	uint64_t end_ns;
	int32_t signal;        /* a signal the launcher received and passed to the job, or 0 */
	int32_t pad;
};

#define PT_MSG_MAX 1024u      /* a message larger than this is refused */

#endif /* PT_PROTOCOL_H */
