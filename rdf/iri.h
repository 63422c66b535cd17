/* iri.h — the RDF terms provtrace writes, built by the project and never by raptor:
 * percent-encoded pure-ASCII IRIs (file: URIs per RFC 8089), literals checked as UTF-8.
 *
 * Why not raptor: raptor 2.0.15 writes `>`, space and LF in an IRI as \u escapes that
 * its own parser then drops, writes a raw CR in a Turtle literal, and truncates at NUL
 * or invalid UTF-8 while reporting success (RELIABILITY.md case 25).  Everything here
 * produces only what every parser reads back to the same bytes.
 *
 * Rules.
 *   IRIs: bytes other than ALPHA DIGIT - . _ ~ and '/' are written %XX (upper-case hex),
 *   which is RFC 3986 normal form and what Python's urllib.parse.quote() and
 *   pathlib.PurePosixPath.as_uri() produce, so that two distinct paths never share an
 *   IRI and the path comes back by percent-decoding.
 *   Literals: a byte string that is valid UTF-8 without NUL is a plain string; every
 *   control character (C0, DEL, C1) is escaped when spelled.  Any other byte string is
 *   a literal of datatype pt:rawBytes (PT_DT_RAWBYTES): valid UTF-8 runs kept, '%' and
 *   every other byte written %XX, so that percent-decoding gives back the bytes.
 *
 * Memory: a pt_buf grows with realloc and the tools abort on allocation failure.
 */
#ifndef PT_IRI_H
#define PT_IRI_H

#include <stddef.h>
#include <stdint.h>

#define PT_NS_PROV "http://www.w3.org/ns/prov#"
#define PT_NS_XSD "http://www.w3.org/2001/XMLSchema#"
#define PT_NS_RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define PT_NS_RDFS "http://www.w3.org/2000/01/rdf-schema#"
#define PT_NS_MLS "http://www.w3.org/ns/mls#"
#define PT_NS_PT "https://w3id.org/provtrace/ns#"

#define PT_DT_INTEGER PT_NS_XSD "integer"
#define PT_DT_BOOLEAN PT_NS_XSD "boolean"
#define PT_DT_DATETIME PT_NS_XSD "dateTime"
#define PT_DT_RAWBYTES PT_NS_PT "rawBytes"

/* ---- growable byte buffers */

struct pt_buf {
	char *p;
	size_t len, cap;
};

void pt_buf_grow(struct pt_buf *b, size_t more);
void pt_buf_put(struct pt_buf *b, const void *p, size_t n);
void pt_buf_puts(struct pt_buf *b, const char *s);
void pt_buf_putc(struct pt_buf *b, char c);
void pt_buf_u64(struct pt_buf *b, uint64_t v);
void pt_buf_i64(struct pt_buf *b, int64_t v);
/* NUL-terminate without counting the NUL; returns b->p. */
const char *pt_buf_cstr(struct pt_buf *b);
void pt_buf_free(struct pt_buf *b);

/* ---- IRIs */

/* Append p[0..n) percent-encoded as described above ('/' kept when keep_slash). */
void pt_iri_pct(struct pt_buf *b, const void *p, size_t n, int keep_slash);
/* Append the file: URI of an absolute path ("file://" + encoded path).  Returns 0, or
 * EINVAL (nothing appended) when the path does not begin with '/'. */
int pt_iri_file(struct pt_buf *b, const void *path, size_t n);
/* Decode %XX escapes of s[0..n) into out (at least n bytes); returns the length, or
 * (size_t)-1 when an escape is malformed. */
size_t pt_iri_unpct(const char *s, size_t n, uint8_t *out);
/* 1 when s is an absolute IRI this project may write verbatim: a scheme, then printable
 * ASCII without space, <, >, ", {, }, |, ^, ` or backslash. */
int pt_iri_ok(const char *s, size_t n);

/* ---- literals */

/* 1 when p[0..n) is well-formed UTF-8 (no overlong form, surrogate or code point past
 * U+10FFFF) and holds no NUL. */
int pt_utf8_text(const void *p, size_t n);
/* Length of the well-formed UTF-8 sequence at p (n > 0 bytes available), or 0. */
size_t pt_utf8_seq(const uint8_t *p, size_t n);
/* Append the pt:rawBytes lexical form of any byte string. */
void pt_raw_bytes(struct pt_buf *b, const void *p, size_t n);
/* Append an xsd:dateTime in UTC with microseconds ("2026-11-26T16:59:09.804452Z"). */
void pt_xsd_datetime(struct pt_buf *b, uint64_t ns);
/* The same into out (PT_DATETIME_MAX bytes, NUL-terminated); returns the length. */
#define PT_DATETIME_MAX 48
size_t pt_xsd_datetime_fmt(char *out, uint64_t ns);

/* ---- terms, as the producer hands them to a writer */

enum pt_term_kind { PT_TERM_IRI = 1, PT_TERM_LITERAL = 2, PT_TERM_BLANK = 3 };

struct pt_term {
	int kind;
	const char *s;         /* IRI, blank node label, or the literal's lexical form */
	size_t len;
	const char *dt;        /* literal datatype IRI; NULL for a plain string */
};

/* Spell a term as N-Triples (also Turtle and N-Quads) spell it: <iri>, _:label,
 * "escaped"^^<dt>.  A literal's lexical form must satisfy pt_utf8_text(). */
void pt_term_nt(struct pt_buf *b, const struct pt_term *t);
/* Append a literal's lexical form between the quotes: \" \\ \t \n \r \b \f, and \uXXXX
 * for every other control character. */
void pt_lit_escape(struct pt_buf *b, const void *p, size_t n);

#endif /* PT_IRI_H */
