/* hcache.c — the node's content-hash cache in an LMDB file (see hcache.h). */
#include "config.h"

#include <errno.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hcache.h"

struct pt_hcache {
	MDB_env *env;
	MDB_dbi dbi;
};

struct key {   /* little-endian on disk: the node's own cache, never moved between hosts */
	uint64_t dev, ino, size, mtime, ctime;
};

struct val {
	uint8_t hash[16];
	uint64_t used;   /* wall-clock seconds of the last put (for a future pruning) */
};

static void key_of(const struct stat *sb, struct key *k)
{
	memset(k, 0, sizeof *k);
	k->dev = (uint64_t)sb->st_dev;
	k->ino = (uint64_t)sb->st_ino;
	k->size = (uint64_t)sb->st_size;
	k->mtime = (uint64_t)sb->st_mtim.tv_sec * 1000000000u + (uint64_t)sb->st_mtim.tv_nsec;
	k->ctime = (uint64_t)sb->st_ctim.tv_sec * 1000000000u + (uint64_t)sb->st_ctim.tv_nsec;
}

/* the default path, its directories made (0700): 0, or -1 when there is no home */
static int default_path(char *out, size_t n)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char dir[4096];

	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/provtrace", xdg);
	else if (home && home[0] == '/')
		snprintf(dir, sizeof dir, "%s/.cache/provtrace", home);
	else
		return -1;
	for (char *p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(dir, 0700);
			*p = '/';
		}
	mkdir(dir, 0700);
	if ((size_t)snprintf(out, n, "%s/hashes.mdb", dir) >= n)
		return -1;
	return 0;
}

pt_hcache *pt_hcache_open(char *why, size_t whylen)
{
	const char *env = getenv("PROVTRACE_HASH_CACHE");
	char path[4200];
	pt_hcache *hc;
	MDB_txn *txn;
	int e;

	why[0] = 0;
	if (env && (!env[0] || !strcmp(env, "0")))
		return NULL;
	if (env)
		snprintf(path, sizeof path, "%s", env);
	else if (default_path(path, sizeof path))
		return NULL;
	const char *sz = getenv("PROVTRACE_HASH_CACHE_SIZE");
	size_t map = sz && *sz ? (size_t)strtoull(sz, NULL, 0) : PT_HCACHE_MAP;
	struct stat sb;
	int fd;

	if (map < ((size_t)32 << 10))
		map = (size_t)32 << 10;
	if (!(hc = calloc(1, sizeof *hc)))
		return NULL;
	if ((e = mdb_env_create(&hc->env)) || (e = mdb_env_set_mapsize(hc->env, map)) ||
	    (e = mdb_env_open(hc->env, path, MDB_NOSUBDIR | MDB_NOTLS, 0600)))
		goto fail;
	/* what the cache says is taken for the file's bytes: it must be this user's alone */
	if (mdb_env_get_fd(hc->env, &fd) || fstat(fd, &sb) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 022)) {
		snprintf(why, whylen, "%s: %s", path, sb.st_uid != geteuid() ?
			 "owned by another user" : "writable by group or others (chmod 600 it)");
		mdb_env_close(hc->env);
		free(hc);
		return NULL;
	}
	if ((e = mdb_txn_begin(hc->env, NULL, 0, &txn)))
		goto fail;
	if ((e = mdb_dbi_open(txn, NULL, 0, &hc->dbi)) || (e = mdb_txn_commit(txn)))
		goto fail;
	return hc;
fail:
	/* the default place not writable (another user's HOME, a read-only one): just off */
	if (env || (e != EACCES && e != ENOENT && e != EROFS && e != EPERM))
		snprintf(why, whylen, "%s: %s", path, mdb_strerror(e));
	if (hc->env)
		mdb_env_close(hc->env);
	free(hc);
	return NULL;
}

void pt_hcache_close(pt_hcache *hc)
{
	if (!hc)
		return;
	mdb_env_close(hc->env);
	free(hc);
}

int pt_hcache_get(pt_hcache *hc, const struct stat *sb, uint8_t out[16])
{
	struct key k;
	MDB_val kv = { sizeof k, &k }, vv;
	MDB_txn *txn;
	int hit = 0;

	if (!hc || (uint64_t)sb->st_size < PT_HCACHE_MIN)
		return 0;
	key_of(sb, &k);
	if (mdb_txn_begin(hc->env, NULL, MDB_RDONLY, &txn))
		return 0;
	if (mdb_get(txn, hc->dbi, &kv, &vv) == 0 && vv.mv_size == sizeof(struct val)) {
		memcpy(out, vv.mv_data, 16);
		hit = 1;
	}
	mdb_txn_abort(txn);
	return hit;
}

void pt_hcache_put(pt_hcache *hc, const struct stat *sb, const uint8_t hash[16])
{
	struct key k;
	struct val v;
	MDB_val kv = { sizeof k, &k }, vv = { sizeof v, &v };
	MDB_txn *txn;
	MDB_stat ms;
	MDB_envinfo mi;
	int e = 0;

	struct timespec now;

	if (!hc || (uint64_t)sb->st_size < PT_HCACHE_MIN)
		return;
	/* settled files only: any later change gets a ctime past this one's, whatever the
	 * file system's timestamp granularity (git's "racy clean" rule) */
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t age = ((int64_t)now.tv_sec - (int64_t)sb->st_ctim.tv_sec) * 1000000000 +
		      ((int64_t)now.tv_nsec - (int64_t)sb->st_ctim.tv_nsec);
	if (age < (int64_t)PT_HCACHE_SETTLE_S * 1000000000)
		return;
	key_of(sb, &k);
	memcpy(v.hash, hash, 16);
	v.used = (uint64_t)time(NULL);
	if (mdb_txn_begin(hc->env, NULL, 0, &txn))
		return;
	/* bounded: three quarters full, it starts again empty (emptying a map that is
	 * quite full fails for want of pages to record the freed ones) */
	if (mdb_stat(txn, hc->dbi, &ms) == 0 && mdb_env_info(hc->env, &mi) == 0 &&
	    (ms.ms_branch_pages + ms.ms_leaf_pages + ms.ms_overflow_pages) * 4 >
		    mi.me_mapsize / ms.ms_psize * 3)
		e = mdb_drop(txn, hc->dbi, 0);
	if (!e)
		e = mdb_put(txn, hc->dbi, &kv, &vv, 0);
	if (e)
		mdb_txn_abort(txn);   /* MDB_MAP_FULL all the same: this hash is not kept */
	else
		mdb_txn_commit(txn);
}
