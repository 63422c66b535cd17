/* pathnorm.h — the one lexical path normalisation, shared by the shim (which records
 * paths) and the tools (which look them up): "//", "/./" and "/../" are folded without
 * resolving symbolic links, as a recorded path never is. */
#ifndef PT_PATHNORM_H
#define PT_PATHNORM_H

#include <stddef.h>
#include <string.h>

/* Normalise the absolute path p[0..n) in place; returns the new length (p is
 * NUL-terminated, so it needs n + 1 bytes). */
static inline size_t pt_path_lexical(char *p, size_t n)
{
	size_t r = 0, w = 0;

	while (r < n) {
		while (r < n && p[r] == '/')
			r++;
		size_t start = r;
		while (r < n && p[r] != '/')
			r++;
		size_t len = r - start;
		if (len == 0)
			break;
		if (len == 1 && p[start] == '.')
			continue;
		if (len == 2 && p[start] == '.' && p[start + 1] == '.') {
			while (w > 0 && p[w - 1] != '/')
				w--;
			if (w > 0)
				w--;
			continue;
		}
		p[w++] = '/';
		memmove(p + w, p + start, len);
		w += len;
	}
	if (w == 0)
		p[w++] = '/';
	p[w] = 0;
	return w;
}

#endif /* PT_PATHNORM_H */
