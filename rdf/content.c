/* content.c — content hashes of a run's file versions, as the tools read them (see
 * content.h). */
#include "config.h"

#include <stdio.h>
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
