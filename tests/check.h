/* check.h — asserts for the C tests: on failure they print the expression, both values
 * and the place, and exit 1 (each test is its own process, run by make check). */
#ifndef PT_CHECK_H
#define PT_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                        \
	do {                                                                               \
		if (!(cond)) {                                                             \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

#define CHECK_INT(a, op, b)                                                                \
	do {                                                                               \
		int64_t a_ = (int64_t)(a), b_ = (int64_t)(b);                              \
		if (!(a_ op b_)) {                                                         \
			fprintf(stderr, "%s:%d: %s %s %s failed: %" PRId64 " vs %" PRId64 "\n", \
				__FILE__, __LINE__, #a, #op, #b, a_, b_);                  \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

#define CHECK_UINT(a, op, b)                                                               \
	do {                                                                               \
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);                           \
		if (!(a_ op b_)) {                                                         \
			fprintf(stderr, "%s:%d: %s %s %s failed: %" PRIu64 " vs %" PRIu64 "\n", \
				__FILE__, __LINE__, #a, #op, #b, a_, b_);                  \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

/* (memcmp of zero bytes may be given NULL, which UBSan rightly refuses) */
#define CHECK_MEM(a, b, n)                                                                 \
	do {                                                                               \
		size_t n_ = (size_t)(n);                                                   \
		if (n_ && memcmp((a), (b), n_) != 0) {                                     \
			fprintf(stderr, "%s:%d: %s and %s differ in their first %zu bytes\n", \
				__FILE__, __LINE__, #a, #b, n_);                           \
			exit(1);                                                           \
		}                                                                          \
	} while (0)

#endif /* PT_CHECK_H */
