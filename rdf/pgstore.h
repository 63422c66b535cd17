/* pgstore.h — a run published into librdf's PostgreSQL storage, replaced in one step.
 *
 * Redland's tools read what is published (rdfproc -s postgresql, a librdf model over the
 * same database): librdf makes the model and its tables, and the triples are stored as
 * its storage module stores them.  But not through it: librdf-storage-postgresql 1.0.17
 * fails every addition inside a transaction ("Unable to find busy connection"), and one
 * INSERT round trip per node and statement outside one loads ~600 triples/s.  So the run
 * goes in one PostgreSQL transaction of our own (libpq): COPY into a staging table, then
 * set-wise INSERTs into librdf's tables and the swap of the run's graph.  A reader sees
 * the old graph or the new one, never half of either.
 *
 * The schema is librdf's (rdf_storage_postgresql.c): Models(ID, Name); per model a table
 * Statements<ID>(Subject, Predicate, Object, Context) of node keys; Resources(ID, URI),
 * Bnodes(ID, Name), Literals(ID, Value, Language, Datatype).  A node's key is the first 8
 * bytes, little-endian, of the MD5 of a kind letter and its text (see node_id). */
#ifndef PT_PGSTORE_H
#define PT_PGSTORE_H

#include <redland.h>
#include <stddef.h>
#include <stdint.h>

#include "iri.h"

/* Where a postgresql:// URL points.  The password is never in the URL (it would be in
 * argv, visible to every user): it comes from the credentials file or variable. */
struct pt_pg_target {
	char host[256], port[16], dbname[128], user[128], model[128];
	const char *password;   /* not owned; may be NULL */
};

/* Parse "postgresql://[USER@]HOST[:PORT]/DATABASE[?model=NAME]" (model default
 * "provtrace").  0, or -1 with one line in err (a password in the URL is refused). */
int pt_pg_parse(const char *url, struct pt_pg_target *t, char *err, size_t errlen);

/* librdf_new_storage's options for the target (contexts on).  0, or -1 when a value
 * cannot be quoted for librdf's option syntax. */
int pt_pg_librdf_options(const struct pt_pg_target *t, char *out, size_t outlen);

typedef struct pt_pg pt_pg;

/* Connect (libpq) and look for the model (*out is set even on failure: close it). */
int pt_pg_open(const struct pt_pg_target *t, pt_pg **out, char *err, size_t errlen);
void pt_pg_close(pt_pg *pg);

/* Whether the database holds the model already (librdf's new='yes' would empty it). */
int pt_pg_has_model(const pt_pg *pg);

/* Find the model's statements table once librdf has opened (and maybe made) it. */
int pt_pg_bind(pt_pg *pg, char *err, size_t errlen);

/* The load, in one PostgreSQL transaction: pt_pg_load_begin() opens it and a COPY into
 * a temporary staging table; pt_pg_triple() (a pt_triple_fn) streams each triple and its
 * nodes, keyed as librdf keys them; pt_pg_load_commit() adds the new nodes, deletes the
 * graph's old statements, inserts the new ones with the graph as their context, checks
 * that every triple became a row, and commits.  Any failure, or the process dying, and
 * PostgreSQL rolls it all back: the graph is as it was. */
int pt_pg_load_begin(pt_pg *pg, librdf_world *w, char *err, size_t errlen);
int pt_pg_triple(void *ctx, const struct pt_term *s, const struct pt_term *p,
		 const struct pt_term *o);
int pt_pg_load_commit(pt_pg *pg, const char *graph, uint64_t *triples, char *err,
		      size_t errlen);

#endif /* PT_PGSTORE_H */
