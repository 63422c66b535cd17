/* content.c — content hashes of a run's file versions, as the tools read them (see
 * content.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"

static int count_cb(void *ctx, const struct pt_file_id *id, const struct pt_hash_rec *h)
{
	struct pt_hash_counts *c = ctx;

	(void)id;
	if (h->state < 6)
		c->n[h->state]++;
	return 0;
}

int pt_content_counts(pt_store *st, struct pt_hash_counts *c)
{
	return pt_store_each_hash(st, count_cb, c);
}

static const char *state_name(uint32_t state)
{
	switch (state) {
	case PT_HASH_CHANGED: return "changed";
	case PT_HASH_LARGE: return "large";
	case PT_HASH_UNREADABLE: return "unreadable";
	case PT_HASH_PENDING: return "pending";
	default: return "unknown";
	}
}

int pt_content_text(pt_store *st, const char *path, const struct pt_file_id *id, int lazy,
		    char *out)
{
	struct pt_hash_rec h = { 0, { 0 } };

	if (!id->dev && !id->ino && !id->size && !id->mtime) {
		strcpy(out, "unknown");
		return 0;
	}
	if (pt_store_hash_get(st, id, &h) != 0)
		h.state = 0;
	if (h.state != PT_HASH_DONE && h.state != PT_HASH_CHANGED && lazy && path)
		pt_hash_file(path, id, 0, &h);
	if (h.state == PT_HASH_DONE) {
		pt_hash_fmt(h.hash, out);
		return 1;
	}
	strcpy(out, state_name(h.state));
	return 0;
}

int pt_content_path(pt_store *st, const char *path, int lazy, char *out)
{
	struct pt_file_id id;

	if (pt_store_hash_path(st, path, strlen(path), &id) != 0) {
		strcpy(out, "unknown");
		return 0;
	}
	return pt_content_text(st, path, &id, lazy, out);
}

void pt_content_counts_print(const struct pt_hash_counts *c, int json)
{
	unsigned long long d = c->n[PT_HASH_DONE], ch = c->n[PT_HASH_CHANGED],
			   l = c->n[PT_HASH_LARGE], u = c->n[PT_HASH_UNREADABLE],
			   p = c->n[PT_HASH_PENDING];

	if (json) {
		printf(",\"hashes\":{\"hashed\":%llu,\"changed\":%llu,\"large\":%llu,"
		       "\"unreadable\":%llu,\"not_hashed\":%llu}", d, ch, l, u, p);
		return;
	}
	printf("hashes     %llu file versions hashed (XXH3-128)", d);
	if (ch)
		printf("; %llu changed before they could be read", ch);
	if (l)
		printf("; %llu over the size limit (hashed on request: provtrace diff)", l);
	if (p)
		printf("; %llu not hashed when the collector stopped (hashed on request while "
		       "unchanged)", p);
	if (u)
		printf("; %llu unreadable", u);
	printf("\n");
}

/* ---- the latest version of a path in a run */

struct latest {
	uint32_t proc;
	uint64_t sid, t;
	int write;
};

static int latest_use(void *ctx, uint32_t obj, uint32_t proc, uint64_t sid,
		      const struct pt_use_rec *u)
{
	struct latest *l = ctx;

	(void)obj;
	if (u->dirs & PT_USE_WRITE) {
		if (!l->write || u->end >= l->t)
			*l = (struct latest){ proc, sid, u->end, 1 };
	} else if (!l->write && (!l->proc || u->rfirst > l->t)) {
		*l = (struct latest){ proc, sid, u->rfirst, 0 };
	}
	return 0;
}

struct find_sess {
	uint64_t sid;
	struct pt_file_id id;
	int found;
};

static int find_sess_cb(void *ctx, uint32_t proc, uint64_t sid, const struct pt_sess_rec *s)
{
	struct find_sess *f = ctx;

	(void)proc;
	if (sid != f->sid)
		return 0;
	f->id = (struct pt_file_id){ s->dev, s->ino, s->size, s->mtime };
	f->found = 1;
	return 1;
}

int pt_content_latest(struct pt_runset *rs, const char *path, size_t len, int lazy, char *out)
{
	struct latest best = { 0, 0, 0, 0 };
	size_t bs = 0;

	strcpy(out, "unknown");
	for (size_t s = 0; s < rs->n; s++) {
		struct latest l = { 0, 0, 0, 0 };
		uint32_t obj;
		if (pt_store_obj_find(rs->st[s], path, len, &obj) ||
		    pt_store_each_use(rs->st[s], obj, latest_use, &l) || !l.proc)
			continue;
		if (!best.proc || (l.write && (!best.write || l.t >= best.t)) ||
		    (!l.write && !best.write && l.t > best.t))
			best = l, bs = s;
	}
	if (!best.proc)
		return 0;
	struct find_sess f = { best.sid, { 0, 0, 0, 0 }, 0 };
	pt_store_each_sess(rs->st[bs], best.proc, find_sess_cb, &f);
	if (!f.found || memchr(path, 0, len))
		return 0;
	char *p = strndup(path, len);
	int r = p ? pt_content_text(rs->st[bs], p, &f.id, lazy, out) : 0;
	free(p);
	return r;
}
