/* wmap-test.c — the indexer's write-back map: entries found under their exact (a, b) key
 * through growth, values zeroed when added, the dirty mark, clearing for the next step,
 * and the write-back order (as added, or sorted by key). */
#include <stdint.h>

#include "collector/wmap.h"
#include "tests/check.h"

struct val {
	uint64_t x[20];   /* about a session record's size */
};

struct seen {
	uint32_t a;
	uint64_t b;
	uint64_t x0;
	size_t n;
	int sorted_ok;
};

static int each(void *ctx, uint32_t a, uint64_t b, const void *v)
{
	struct seen *s = ctx;
	const struct val *p = v;

	if (s->n && (a < s->a || (a == s->a && b <= s->b)))
		s->sorted_ok = 0;
	s->a = a;
	s->b = b;
	CHECK_UINT(p->x[0], ==, (uint64_t)a * 1000003u + b);
	CHECK_UINT(p->x[19], ==, b);
	s->n++;
	return s->n == 100000 ? 7 : 0;   /* a nonzero result stops the walk */
}

int main(void)
{
	struct pt_wmap *m = pt_wmap_new(sizeof(struct val));
	const uint32_t N = 200000;
	uint8_t *dirty;

	CHECK(m);
	CHECK(pt_wmap_find(m, 1, 1) == NULL);
	for (int round = 0; round < 2; round++) {
		/* keys that differ only in a, only in b, and in the high bits of b */
		for (uint32_t i = 0; i < N; i++) {
			uint32_t a = (i * 2654435761u) % 5000;
			uint64_t b = (uint64_t)i << 33 | i;
			struct val *v = pt_wmap_add(m, a, b, &dirty);
			CHECK(v);
			CHECK_UINT(v->x[0], ==, 0);
			CHECK_UINT(*dirty, ==, 0);
			v->x[0] = (uint64_t)a * 1000003u + b;
			v->x[19] = b;
			*dirty = (uint8_t)(i % 2);   /* every other entry changed */
		}
		CHECK_UINT(pt_wmap_count(m), ==, N);
		for (uint32_t i = 0; i < N; i += 7) {
			uint32_t a = (i * 2654435761u) % 5000;
			uint64_t b = (uint64_t)i << 33 | i;
			struct val *v = pt_wmap_find(m, a, b);
			CHECK(v);
			CHECK_UINT(v->x[19], ==, b);
			CHECK(pt_wmap_find(m, a + 1, b) == NULL);
			CHECK(pt_wmap_find(m, a, b ^ (1ull << 40)) == NULL);
			/* adding an existing key returns it, unchanged, with its mark */
			CHECK(pt_wmap_add(m, a, b, &dirty) == v);
			CHECK_UINT(*dirty, ==, i % 2);
		}
		struct seen s = { 0, 0, 0, 0, 1 };
		if (round == 0) {
			CHECK_INT(pt_wmap_each_dirty(m, each, &s), ==, 7);   /* stopped at 100000 */
			CHECK_UINT(s.n, ==, 100000);
			CHECK_INT(s.sorted_ok, ==, 0);   /* as added, not by key */
		} else {
			pt_wmap_sort(m);
			CHECK_INT(pt_wmap_each_dirty(m, each, &s), ==, 7);
			CHECK_UINT(s.n, ==, 100000);
			CHECK_INT(s.sorted_ok, ==, 1);
		}
		pt_wmap_clear(m);
		CHECK_UINT(pt_wmap_count(m), ==, 0);
		CHECK(pt_wmap_find(m, 0, 0) == NULL);
	}
	pt_wmap_free(m);
	puts("wmap: all checks passed");
	return 0;
}
