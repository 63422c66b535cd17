/* rules.h — ML typing rules for provtrace-export: path globs and argv patterns mapped to
 * classes (W3C ML Schema, PROV-ML) and roles.  The file format is in share/ml.rules and
 * provtrace-export(1).
 *
 * A rules file is a list of lines, each a keyword and its words:
 *   prefix NAME: <IRI>          declare a prefix for the terms below
 *   path GLOB TERM...           file resources and versions whose path matches: rdf:type
 *   exe GLOB TERM...            processes whose executable path matches: rdf:type
 *   argv GLOB TERM...           processes whose argv, joined by single spaces, matches
 *   used GLOB ROLE...           prov:hadRole of the Usage of a matching file version
 *   generated GLOB ROLE...      prov:hadRole of the Generation of a matching version
 *   ignore GLOB                 no path, used, generated or extract rule applies to a
 *                               matching path
 *   extract GLOB NAME [OPT=N]...  files whose path matches are read after the job by the
 *                               extractor NAME (json yaml toml ini: configurations a
 *                               process read; csv tsv jsonl tfevents mlflow-metric
 *                               mlflow-param: metrics and parameters a process wrote;
 *                               describe: a data or model file's header), with limits
 *                               max_bytes=N[k|M|G] max_ms=N max_items=N, and format=F
 *   hyper-argv GLOB             processes whose argv (joined) matches: options and
 *                               KEY=VALUE words are hyperparameters
 *   hyper-env GLOB              recorded environment variables whose name matches are
 *                               hyperparameters
 * GLOB is an fnmatch(3) pattern in which '*' also matches '/'; a word may be written in
 * double quotes with \" and \\ escapes; TERM is PREFIX:LOCAL or <IRI>; '#' starts a
 * comment.  Every rule that matches applies, in file order, each term once.
 */
#ifndef PT_RULES_H
#define PT_RULES_H

#include <stddef.h>

enum pt_rule_kind {
	PT_RULE_PATH = 1, PT_RULE_EXE, PT_RULE_ARGV, PT_RULE_USED, PT_RULE_GENERATED,
	PT_RULE_IGNORE, PT_RULE_EXTRACT, PT_RULE_HYPER_ARGV, PT_RULE_HYPER_ENV, PT_RULE_KINDS
};

typedef struct pt_rules pt_rules;

/* Load a rules file.  Returns 0, an errno value, or EINVAL with a message in err
 * ("FILE:LINE: what") for a syntax error. */
int pt_rules_load(const char *path, pt_rules **out, char *err, size_t errsz);
/* The rules a tool uses when the user names none: $PROVTRACE_RULES when set (empty:
 * none), else DIR/ml.rules when that file exists, else none.  *used gets the file's
 * name or NULL.  Returns what pt_rules_load() returns. */
int pt_rules_default(const char *dir, pt_rules **out, const char **used, char *err,
		     size_t errsz);
/* An empty rule set (no typing), with the built-in prefixes. */
pt_rules *pt_rules_empty(void);
void pt_rules_free(pt_rules *r);

/* 1 when some rule of this kind exists (so callers can skip building the subject). */
int pt_rules_any(const pt_rules *r, int kind);

/* The terms (absolute IRIs) of the rules of `kind` that match `subject`, in rule order,
 * each once.  Returns the number written to out (at most max); the strings belong to r. */
size_t pt_rules_match(const pt_rules *r, int kind, const char *subject, const char **out,
		      size_t max);

/* 1 when a rule of `kind` matches subject (for rules without terms: hyper-argv, ...). */
int pt_rules_matches(const pt_rules *r, int kind, const char *subject);

/* Prefixes declared in the file (after the built-in ones, which are not listed). */
size_t pt_rules_nprefix(const pt_rules *r);
void pt_rules_prefix(const pt_rules *r, size_t i, const char **name, const char **iri);

/* Every distinct role term of used/generated rules, in file order. */
size_t pt_rules_nrole(const pt_rules *r);
const char *pt_rules_role(const pt_rules *r, size_t i);

/* The extractors that apply to a file (extract rules, in file order, after the ignore
 * rules), at most max.  Limits a rule leaves out are 0 (the extractor's default). */
struct pt_rule_extract {
	const char *name;            /* extractor, as written */
	const char *format;          /* format=F, or NULL */
	unsigned long long max_bytes, max_ms, max_items;
};
size_t pt_rules_extractors(const pt_rules *r, const char *path, struct pt_rule_extract *out,
			   size_t max);
/* Is `name` an extractor extract rules may name? */
int pt_rules_extractor_known(const char *name);
/* A hash of the extract and hyper-* rules: facts extracted under others are redone. */
unsigned long long pt_rules_fingerprint(const pt_rules *r);

#endif /* PT_RULES_H */
