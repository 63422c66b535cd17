/* remote.h — talking to an RDF store over HTTP (libcurl): the SPARQL 1.1 Graph Store
 * HTTP Protocol for loading, SPARQL 1.1 Protocol for queries and updates, and the
 * credentials those requests carry.  Used by provtrace-publish and provtrace-query.
 *
 * Lifecycle.  pt_remote_open() → requests → pt_remote_close().  One handle per thread; the
 * connection (and a digest nonce) is reused between requests.
 *
 * Errors.  Functions return 0 or -1; on -1 the handle's `err` holds one line that says
 * what failed (the server unreachable, refused, an HTTP status and the server's words). */
#ifndef PT_REMOTE_H
#define PT_REMOTE_H

#include <stdio.h>
#include <stddef.h>

#include "iri.h"

typedef struct pt_remote pt_remote;

/* Credentials "user:password": from the file `cred_file` if given, else from the file
 * named by $PROVTRACE_STORE_CREDENTIALS_FILE, else from $PROVTRACE_STORE_CREDENTIALS;
 * none of these: no authentication.  A credentials file must not be readable by group or
 * others.  Never from the command line (argv is visible to every user of the machine). */
int pt_remote_open(const char *cred_file, pt_remote **out, char *err, size_t errlen);
void pt_remote_close(pt_remote *r);

/* Whether the handle carries credentials (then the -auth endpoints are used). */
int pt_remote_has_creds(const pt_remote *r);

/* The credentials, "user:password", or NULL (for stores reached otherwise: PostgreSQL). */
const char *pt_remote_creds(const pt_remote *r);

/* The HTTP status of the last request (0: no answer). */
long pt_remote_status(const pt_remote *r);

/* The last error line. */
const char *pt_remote_error(const pt_remote *r);

/* Send `len` bytes of `ctype` to `url` with `method` ("PUT", "POST", "DELETE", "GET");
 * the response body goes to `resp` (a buffer) or `respf` (a file), either may be NULL;
 * its Content-Type is copied to `rtype` (may be NULL, size 128).  A status other than 2xx
 * is an error. */
int pt_remote_send(pt_remote *r, const char *method, const char *url, const char *ctype,
		   const char *accept, const void *body, size_t len, struct pt_buf *resp,
		   FILE *respf, char *rtype);

/* A SPARQL query or update (form-encoded POST: `param` "query" or "update"). */
int pt_remote_sparql(pt_remote *r, const char *url, const char *param, const char *text,
		     const char *accept, struct pt_buf *resp, FILE *respf, char *rtype);

/* The graph IRI appended to a Graph Store Protocol URL as ?graph= (or &graph=). */
void pt_remote_graph_url(struct pt_buf *b, const char *gsp, const char *graph);

#endif /* PT_REMOTE_H */
