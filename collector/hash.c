/* hash.c — content hashes of the files a job read and wrote (see hash.h): XXH3-128 over
 * the bytes, in a background thread of the collector at idle priority. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "fault.h"
#include "hash.h"
#include "hcache.h"

#define PT_HASH_CHUNK ((size_t)128 << 10)

static int same_id(const struct stat *sb, const struct pt_file_id *id)
{
	uint64_t mt = (uint64_t)sb->st_mtim.tv_sec * 1000000000u + (uint64_t)sb->st_mtim.tv_nsec;

	return (uint64_t)sb->st_size == id->size && mt == id->mtime &&
	       (!id->dev || (uint64_t)sb->st_dev == id->dev) &&
	       (!id->ino || (uint64_t)sb->st_ino == id->ino);
}

static void id_of(const struct stat *sb, struct pt_file_id *id)
{
	id->dev = (uint64_t)sb->st_dev;
	id->ino = (uint64_t)sb->st_ino;
	id->size = (uint64_t)sb->st_size;
	id->mtime = (uint64_t)sb->st_mtim.tv_sec * 1000000000u + (uint64_t)sb->st_mtim.tv_nsec;
}

/* Hash what fd holds, if it still is `id`; the file's identity is checked again after
 * the last read, so that bytes changing under the reader are never taken for the
 * version's. */
static void hash_fd(int fd, const struct pt_file_id *id, uint64_t max, pt_hcache *hc,
		    struct pt_hash_rec *h)
{
	XXH3_state_t *xs = NULL;
	struct stat sb;
	char buf[PT_HASH_CHUNK];   /* on the stack: no allocation, no fresh pages per file */
	ssize_t n;

	memset(h, 0, sizeof *h);
	h->state = PT_HASH_UNREADABLE;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode))
		return;
	if (!same_id(&sb, id)) {
		h->state = PT_HASH_CHANGED;
		return;
	}
	if (max && (uint64_t)sb.st_size > max) {
		h->state = PT_HASH_LARGE;
		return;
	}
	if (pt_hcache_get(hc, &sb, h->hash)) {   /* these bytes were hashed by an earlier run */
		h->state = PT_HASH_DONE;
		return;
	}
	struct stat before = sb;
	if (!(xs = XXH3_createState()) || XXH3_128bits_reset(xs) != XXH_OK)
		goto out;
	while ((n = read(fd, buf, PT_HASH_CHUNK)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		XXH3_128bits_update(xs, buf, (size_t)n);
	}
	if (fstat(fd, &sb) < 0)
		goto out;
	if (!same_id(&sb, id)) {
		h->state = PT_HASH_CHANGED;
		goto out;
	}
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(xs));
	memcpy(h->hash, c.digest, 16);
	h->state = PT_HASH_DONE;
	/* kept only if nothing, not even the ctime, changed while it was read */
	if (sb.st_ctim.tv_sec == before.st_ctim.tv_sec && sb.st_ctim.tv_nsec == before.st_ctim.tv_nsec)
		pt_hcache_put(hc, &sb, h->hash);
out:
	if (xs)
		XXH3_freeState(xs);
}

static int open_ro(const char *path)
{
	/* O_NOATIME: the job's files keep their access times where the kernel lets us */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	return fd;
}

static void hash_file(const char *path, const struct pt_file_id *id, uint64_t max,
		      pt_hcache *hc, struct pt_hash_rec *h)
{
	int fd = open_ro(path);

	if (fd < 0) {
		memset(h, 0, sizeof *h);
		h->state = errno == ENOENT || errno == ENOTDIR ? PT_HASH_CHANGED : PT_HASH_UNREADABLE;
		return;
	}
	hash_fd(fd, id, max, hc, h);
	close(fd);
}

void pt_hash_file(const char *path, const struct pt_file_id *id, uint64_t max,
		  struct pt_hash_rec *h)
{
	hash_file(path, id, max, NULL, h);
}

static void hash_path(const char *path, uint64_t max, pt_hcache *hc, struct pt_file_id *id,
		      struct pt_hash_rec *h)
{
	struct stat sb;
	int fd = open_ro(path);

	memset(id, 0, sizeof *id);
	memset(h, 0, sizeof *h);
	h->state = PT_HASH_UNREADABLE;
	if (fd < 0)
		return;
	if (fstat(fd, &sb) == 0) {
		id_of(&sb, id);
		hash_fd(fd, id, max, hc, h);
	}
	close(fd);
}

void pt_hash_path(const char *path, uint64_t max, struct pt_file_id *id, struct pt_hash_rec *h)
{
	hash_path(path, max, NULL, id, h);
}

void pt_hash_fmt(const uint8_t h[16], char *out)
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, "xxh3-128:", 9);
	for (int i = 0; i < 16; i++) {
		out[9 + 2 * i] = hex[h[i] >> 4];
		out[10 + 2 * i] = hex[h[i] & 15];
	}
	out[41] = 0;
}

/* ---- the hasher: sessions in flight (main thread), a queue, one worker */

struct sess {
	uint32_t proc;
	uint64_t sid;
	char *path;
	struct sess *next;
};

struct job {
	struct pt_file_id id;
	char *path;
	int image;                /* known by path only: stat when hashed */
	uint64_t due;             /* CLOCK_MONOTONIC ns: not before (renames arrive after) */
};

/* Files are often written under a temporary name and renamed (checkpoints): a job is
 * taken PT_HASH_DELAY_NS after its close, by when the rename has been ingested too, and
 * a path gone from its place is looked for where renames took it (the identity check
 * keeps this exact: same device, inode, size and mtime). */
#define PT_HASH_DELAY_NS 200000000ull
#define PT_RENAMES_MAX 65536u

struct rename {
	char *from, *to;
};

#define SESS_BUCKETS 4096u

struct pt_hasher {
	uint64_t max;
	struct sess *sess[SESS_BUCKETS];   /* main thread only */
	uint64_t *seen;                    /* main thread only: identities queued, by mix */
	size_t nseen, capseen;

	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv, idle;
	struct job *q;
	size_t qhead, qn, qcap;
	struct pt_hash_done *done;
	size_t ndone, capdone;
	struct rename *ren;
	size_t nren, capren;
	int busy, quit, nodelay;
	char root[1024];          /* PROVTRACE_HASH_ROOT: the job's files are under it */
	pt_hcache *hc;            /* the node's cache across runs (worker only); NULL: none */
	const char *fault;        /* PROVTRACE_FAULT */
	unsigned fault_passes;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static size_t bucket(uint32_t proc, uint64_t sid)
{
	return (size_t)(mix(proc, sid) >> 40) % SESS_BUCKETS;
}

/* 1 when the key was not seen before (and is now) */
static int seen_add(struct pt_hasher *hs, uint64_t key)
{
	if (!key)
		key = 1;
	if (2 * (hs->nseen + 1) > hs->capseen) {
		size_t cap = hs->capseen ? hs->capseen * 2 : 1024;
		uint64_t *n = calloc(cap, sizeof *n);
		if (!n)
			return 1;   /* hashed twice at worst */
		for (size_t i = 0; i < hs->capseen; i++)
			if (hs->seen[i])
				for (size_t j = hs->seen[i] % cap;; j = (j + 1) % cap)
					if (!n[j]) {
						n[j] = hs->seen[i];
						break;
					}
		free(hs->seen);
		hs->seen = n;
		hs->capseen = cap;
	}
	for (size_t j = key % hs->capseen;; j = (j + 1) % hs->capseen) {
		if (hs->seen[j] == key)
			return 0;
		if (!hs->seen[j]) {
			hs->seen[j] = key;
			hs->nseen++;
			return 1;
		}
	}
}

static void push(struct pt_hasher *hs, const struct pt_file_id *id, const char *path, int image)
{
	char *p = strdup(path);

	if (!p)
		return;
	pthread_mutex_lock(&hs->mu);
	if (hs->qn == hs->qcap) {
		size_t cap = hs->qcap ? hs->qcap * 2 : 256;
		struct job *n = malloc(cap * sizeof *n);
		if (!n) {
			pthread_mutex_unlock(&hs->mu);
			free(p);
			return;
		}
		for (size_t i = 0; i < hs->qn; i++)
			n[i] = hs->q[(hs->qhead + i) % hs->qcap];
		free(hs->q);
		hs->q = n;
		hs->qcap = cap;
		hs->qhead = 0;
	}
	struct job *j = &hs->q[(hs->qhead + hs->qn++) % hs->qcap];
	j->id = *id;
	j->path = p;
	j->image = image;
	j->due = mono_ns() + PT_HASH_DELAY_NS;
	pthread_cond_signal(&hs->cv);
	pthread_mutex_unlock(&hs->mu);
}

static void add_done(struct pt_hasher *hs, const struct job *j, const struct pt_file_id *id,
		     const struct pt_hash_rec *h)
{
	if (hs->ndone == hs->capdone) {
		size_t cap = hs->capdone ? hs->capdone * 2 : 256;
		struct pt_hash_done *n = realloc(hs->done, cap * sizeof *n);
		if (!n) {
			free(j->path);
			return;
		}
		hs->done = n;
		hs->capdone = cap;
	}
	struct pt_hash_done *d = &hs->done[hs->ndone++];
	d->id = *id;
	d->h = *h;
	d->path = j->image ? j->path : NULL;
	if (!j->image)
		free(j->path);
}

/* Where the latest rename took `path` (the caller holds the lock), or NULL. */
static const char *renamed(struct pt_hasher *hs, const char *path)
{
	for (size_t i = hs->nren; i-- > 0;)
		if (!strcmp(hs->ren[i].from, path))
			return hs->ren[i].to;
	return NULL;
}

/* The file at `path` as the job saw it: under PROVTRACE_HASH_ROOT when set. */
static void hash_one(struct pt_hasher *hs, const char *path, const struct job *j,
		     struct pt_file_id *id, struct pt_hash_rec *h)
{
	char full[8192];
	const char *p = path;

	if (hs->root[0]) {
		if ((size_t)snprintf(full, sizeof full, "%s%s", hs->root, path) >= sizeof full) {
			memset(h, 0, sizeof *h);
			h->state = PT_HASH_UNREADABLE;
			return;
		}
		p = full;
	}
	if (j->image)
		hash_path(p, hs->max, hs->hc, id, h);
	else
		hash_file(p, &j->id, hs->max, hs->hc, h);
}

static void hash_job(struct pt_hasher *hs, struct job *j, struct pt_file_id *id,
		     struct pt_hash_rec *h)
{
	char *path = j->path, *next;

	hash_one(hs, path, j, id, h);
	if (j->image)
		return;
	for (int hop = 0; hop < 8 && h->state == PT_HASH_CHANGED; hop++) {
		pthread_mutex_lock(&hs->mu);
		const char *to = renamed(hs, path);
		next = to ? strdup(to) : NULL;
		pthread_mutex_unlock(&hs->mu);
		if (path != j->path)
			free(path);
		if (!(path = next))
			return;
		hash_one(hs, path, j, id, h);
	}
	if (path != j->path)
		free(path);
}

static void *worker(void *arg)
{
	struct pt_hasher *hs = arg;
	struct sched_param sp = { 0 };

	/* the job's cores are the job's: run only when a core would idle, and read only
	 * when the disk would */
	char why[512];

	if (!(hs->hc = pt_hcache_open(why, sizeof why)) && why[0])
		fprintf(stderr, "provtrace-collectd: the hash cache is not used: %s\n", why);
	pthread_setschedparam(pthread_self(), SCHED_IDLE, &sp);
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	syscall(SYS_ioprio_set, 1 /* IOPRIO_WHO_PROCESS */, 0, 3 << 13 /* IOPRIO_CLASS_IDLE */);
	pthread_mutex_lock(&hs->mu);
	for (;;) {
		while (!hs->qn && !hs->quit)
			pthread_cond_wait(&hs->cv, &hs->mu);
		if (hs->quit)
			break;
		uint64_t now = mono_ns(), due = hs->q[hs->qhead].due;
		if (!hs->nodelay && due > now) {
			struct timespec dl;
			clock_gettime(CLOCK_REALTIME, &dl);
			uint64_t ns = (uint64_t)dl.tv_nsec + (due - now);
			dl.tv_sec += (time_t)(ns / 1000000000u);
			dl.tv_nsec = (long)(ns % 1000000000u);
			pthread_cond_timedwait(&hs->cv, &hs->mu, &dl);
			continue;
		}
		struct job j = hs->q[hs->qhead];
		hs->qhead = (hs->qhead + 1) % hs->qcap;
		hs->qn--;
		hs->busy = 1;
		pthread_mutex_unlock(&hs->mu);

		struct pt_hash_rec h;
		struct pt_file_id id = j.id;
		if (!j.image && pt_fault_hit(hs->fault, "hash", &hs->fault_passes))
			raise(SIGKILL);
		hash_job(hs, &j, &id, &h);

		pthread_mutex_lock(&hs->mu);
		add_done(hs, &j, &id, &h);
		hs->busy = 0;
		if (!hs->qn)
			pthread_cond_broadcast(&hs->idle);
	}
	pthread_mutex_unlock(&hs->mu);
	pt_hcache_close(hs->hc);
	hs->hc = NULL;
	return NULL;
}

int pt_hasher_start(uint64_t max, struct pt_hasher **out)
{
	struct pt_hasher *hs = calloc(1, sizeof *hs);
	int e;

	if (!hs)
		return ENOMEM;
	hs->max = max;
	const char *root = getenv("PROVTRACE_HASH_ROOT");
	if (root && root[0] == '/' && strlen(root) < sizeof hs->root)
		strcpy(hs->root, root);
	hs->fault = getenv("PROVTRACE_FAULT");
	pthread_mutex_init(&hs->mu, NULL);
	pthread_cond_init(&hs->cv, NULL);
	pthread_cond_init(&hs->idle, NULL);
	if ((e = pthread_create(&hs->th, NULL, worker, hs))) {
		free(hs);
		return e;
	}
	*out = hs;
	return 0;
}

static struct sess **sess_find(struct pt_hasher *hs, uint32_t proc, uint64_t sid)
{
	struct sess **p = &hs->sess[bucket(proc, sid)];

	while (*p && ((*p)->proc != proc || (*p)->sid != sid))
		p = &(*p)->next;
	return p;
}

static void sess_set(struct pt_hasher *hs, uint32_t proc, uint64_t sid, const char *path,
		     size_t len)
{
	struct sess **p = sess_find(hs, proc, sid), *s = *p;
	char *copy = malloc(len + 1);

	if (!copy)
		return;
	memcpy(copy, path, len);
	copy[len] = 0;
	if (!s) {
		if (!(s = calloc(1, sizeof *s))) {
			free(copy);
			return;
		}
		s->proc = proc;
		s->sid = sid;
		*p = s;
	}
	free(s->path);
	s->path = copy;
}

void pt_hasher_open(struct pt_hasher *hs, uint32_t proc, uint64_t sid, const void *path,
		    size_t len)
{
	/* a path with a NUL cannot be opened again; relative ones are not the shim's */
	if (!len || ((const char *)path)[0] != '/' || memchr(path, 0, len))
		return;
	sess_set(hs, proc, sid, path, len);
}

void pt_hasher_dup(struct pt_hasher *hs, uint32_t proc, uint64_t sid, uint64_t oldsid)
{
	struct sess *s = *sess_find(hs, proc, oldsid);

	if (s)
		sess_set(hs, proc, sid, s->path, strlen(s->path));
}

static uint64_t id_key(const struct pt_file_id *id)
{
	return mix(mix(mix(id->dev, id->ino), id->size), id->mtime);
}

int pt_hasher_close(struct pt_hasher *hs, uint32_t proc, uint64_t sid,
		    const struct pt_file_id *id, int moved_data)
{
	struct sess **p = sess_find(hs, proc, sid), *s = *p;

	if (!s)
		return 0;
	*p = s->next;
	if (moved_data && (id->dev || id->ino || id->size || id->mtime) &&
	    seen_add(hs, id_key(id)))
		push(hs, id, s->path, 0);
	free(s->path);
	free(s);
	return 1;
}

void pt_hasher_known(struct pt_hasher *hs, const struct pt_file_id *id)
{
	seen_add(hs, id_key(id));
}

void pt_hasher_image(struct pt_hasher *hs, const void *path, size_t len)
{
	struct pt_file_id none = { 0, 0, 0, 0 };
	uint64_t h = 0xcbf29ce484222325ull;
	char buf[4096];

	if (!len || len >= sizeof buf || ((const char *)path)[0] != '/' || memchr(path, 0, len))
		return;
	for (size_t i = 0; i < len; i++)
		h = (h ^ ((const uint8_t *)path)[i]) * 0x100000001b3ull;
	if (!seen_add(hs, mix(h, 0x1a6e)))
		return;
	memcpy(buf, path, len);
	buf[len] = 0;
	push(hs, &none, buf, 1);
}

void pt_hasher_rename(struct pt_hasher *hs, const void *from, size_t flen, const void *to,
		      size_t tlen)
{
	char *f, *t;

	if (!flen || !tlen || memchr(from, 0, flen) || memchr(to, 0, tlen))
		return;
	pthread_mutex_lock(&hs->mu);
	if (hs->nren == hs->capren) {
		size_t cap = hs->capren ? hs->capren * 2 : 64;
		struct rename *n = cap <= PT_RENAMES_MAX ? realloc(hs->ren, cap * sizeof *n) : NULL;
		if (!n) {
			pthread_mutex_unlock(&hs->mu);
			return;
		}
		hs->ren = n;
		hs->capren = cap;
	}
	if ((f = strndup(from, flen)) && (t = strndup(to, tlen))) {
		hs->ren[hs->nren].from = f;
		hs->ren[hs->nren++].to = t;
	} else {
		free(f);
	}
	pthread_mutex_unlock(&hs->mu);
}

size_t pt_hasher_take(struct pt_hasher *hs, struct pt_hash_done **out)
{
	size_t n;

	pthread_mutex_lock(&hs->mu);
	*out = hs->done;
	n = hs->ndone;
	hs->done = NULL;
	hs->ndone = hs->capdone = 0;
	pthread_mutex_unlock(&hs->mu);
	return n;
}

void pt_hasher_free_done(struct pt_hash_done *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(d[i].path);
	free(d);
}

size_t pt_hasher_drain(struct pt_hasher *hs, int ms)
{
	struct timespec dl;
	size_t left;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L)
		dl.tv_sec++, dl.tv_nsec -= 1000000000L;
	pthread_mutex_lock(&hs->mu);
	hs->nodelay = 1;   /* every rename of the run is known now */
	pthread_cond_signal(&hs->cv);
	while ((hs->qn || hs->busy) && pthread_cond_timedwait(&hs->idle, &hs->mu, &dl) == 0)
		;
	left = hs->qn + (size_t)hs->busy;
	pthread_mutex_unlock(&hs->mu);
	return left;
}

size_t pt_hasher_stop(struct pt_hasher *hs, struct pt_hash_done **out)
{
	struct pt_hash_rec pending;

	pthread_mutex_lock(&hs->mu);
	hs->quit = 1;
	pthread_cond_signal(&hs->cv);
	pthread_mutex_unlock(&hs->mu);
	pthread_join(hs->th, NULL);
	memset(&pending, 0, sizeof pending);
	pending.state = PT_HASH_PENDING;
	/* the last results first, then the rest of the queue as never hashed */
	for (; hs->qn; hs->qn--) {
		struct job *j = &hs->q[hs->qhead];
		hs->qhead = (hs->qhead + 1) % hs->qcap;
		if (j->image)
			free(j->path);   /* an image never stat'd has no identity to keep */
		else
			add_done(hs, j, &j->id, &pending);
	}
	size_t n = pt_hasher_take(hs, out);
	for (size_t i = 0; i < SESS_BUCKETS; i++)
		for (struct sess *s = hs->sess[i], *nx; s; s = nx) {
			nx = s->next;
			free(s->path);
			free(s);
		}
	for (size_t i = 0; i < hs->nren; i++) {
		free(hs->ren[i].from);
		free(hs->ren[i].to);
	}
	free(hs->ren);
	free(hs->seen);
	free(hs->q);
	pthread_mutex_destroy(&hs->mu);
	pthread_cond_destroy(&hs->cv);
	pthread_cond_destroy(&hs->idle);
	free(hs);
	return n;
}
