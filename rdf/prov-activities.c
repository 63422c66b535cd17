/* prov-activities.c — activities and agents in the PROV-O mapping (see prov-int.h): the run
 * (from run.json), its hosts and users, each process's block and the blocks of its
 * qualified terms, and the coverage gaps. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "collector/wire.h"
#include "json.h"
#include "prov-int.h"

/* JSON string of a byte string: bytes that are not UTF-8 as \udcXX, as provtrace-dump
 * writes them (Python gets them back with surrogateescape). */
static void json_bytes(struct pt_buf *b, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	pt_buf_putc(b, '"');
	for (size_t i = 0; i < n;) {
		size_t k = pt_utf8_seq(p + i, n - i);
		uint8_t c = p[i];
		if (k == 0) {
			char e[6] = { '\\', 'u', 'd', 'c', hex[c >> 4], hex[c & 15] };
			pt_buf_put(b, e, 6);
			i++;
		} else if (k > 1) {
			pt_buf_put(b, p + i, k);
			i += k;
		} else {
			if (c == '"' || c == '\\') {
				pt_buf_putc(b, '\\');
				pt_buf_putc(b, (char)c);
			} else if (c < 0x20 || c == 0x7f) {
				char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
				pt_buf_put(b, e, 6);
			} else {
				pt_buf_putc(b, (char)c);
			}
			i++;
		}
	}
	pt_buf_putc(b, '"');
}

/* ---- run.json (read with json.h) */

static int command_word(void *ctx, const struct pt_buf *w)
{
	struct pt_buf *cmd = ctx;

	pt_buf_putc(cmd, cmd->len ? ',' : '[');
	json_bytes(cmd, (const uint8_t *)w->p, w->len);
	return 0;
}

static int run_member(void *ctx, const char *k, struct pt_json *j)
{
	struct runinfo *ri = ctx;
	int64_t v;
	int r;

	if (!strcmp(k, "host") || !strcmp(k, "provtrace") || !strcmp(k, "slurm_job_id")) {
		struct pt_buf *dst = !strcmp(k, "host") ? &ri->host
				   : !strcmp(k, "provtrace") ? &ri->version : &ri->slurm;
		if (j->p < j->end && *j->p == '"') {
			r = pt_json_str(j, dst);
			*(!strcmp(k, "host") ? &ri->have_host : !strcmp(k, "provtrace")
			  ? &ri->have_version : &ri->have_slurm) = r == 0;
			return r;
		}
		/* a number-valued job id */
		const uint8_t *st = j->p;
		r = pt_json_skip(j);
		if (!r && !strcmp(k, "slurm_job_id")) {
			dst->len = 0;
			pt_buf_put(dst, st, (size_t)(j->p - st));
			ri->have_slurm = 1;
		}
		return r;
	}
	if (!strcmp(k, "start_ns") || !strcmp(k, "end_ns") || !strcmp(k, "exit") ||
	    !strcmp(k, "signal") || !strcmp(k, "user")) {
		if ((r = pt_json_num(j, &v)))
			return r;
		if (!strcmp(k, "start_ns")) {
			ri->start_ns = (uint64_t)v;
			ri->have_start = 1;
		} else if (!strcmp(k, "end_ns")) {
			ri->end_ns = (uint64_t)v;
			ri->have_end = 1;
		} else if (!strcmp(k, "exit")) {
			ri->exit = v;
			ri->have_exit = 1;
		} else if (!strcmp(k, "signal")) {
			ri->signal = v;
			ri->have_signal = 1;
		} else {
			ri->user = v;
			ri->have_user = 1;
		}
		return 0;
	}
	if (!strcmp(k, "command") && j->p < j->end && *j->p == '[') {
		/* kept as a JSON array, each word re-encoded the project's way */
		ri->command.len = 0;
		if ((r = pt_json_strings(j, command_word, &ri->command)))
			return r;
		if (!ri->command.len)
			pt_buf_putc(&ri->command, '[');
		pt_buf_putc(&ri->command, ']');
		ri->have_command = 1;
		return 0;
	}
	return 1;
}

int pt_pv_run_json(pt_prov *pv, const char *dir)
{
	struct runinfo *ri = &pv->ri;
	struct pt_buf text = { 0 };
	char path[4200];
	int e;

	snprintf(path, sizeof path, "%s/run.json", dir);
	if ((e = pt_json_load(path, &text)))
		return e == ENOENT ? 0 : e;

	struct pt_json j;
	pt_json_init(&j, text.p, text.len);
	int ok = pt_json_object(&j, run_member, ri) == 0;
	ri->have = ok;
	pt_buf_free(&text);
	if (!ok)
		fprintf(stderr, "provtrace: %s: not a run description; ignored\n", path);
	return 0;
}

/* ---- the run, its hosts, users and roles */

static const char *const end_states[] = { "running", "exited", "execed", "killed", "running" };

void pt_pv_emit_run(pt_prov *pv)
{
	struct runinfo *ri = &pv->ri;
	struct pt_buf *S = &pv->s, *O = &pv->o;
	struct pt_counters tot = { 0 };

	S->len = 0;
	pt_buf_put(S, pv->run, pv->runlen);
	e_type(pv, S, PROV("Activity"));
	e_type(pv, S, PT("Run"));
	if (ri->have_command && pt_rules_any(pv->rules, PT_RULE_ARGV)) {
		/* argv rules see the command joined by spaces; decode our own JSON back */
		struct pt_json j;
		pt_json_init(&j, ri->command.p + 1, ri->command.len - 1);
		struct pt_buf w = { 0 };
		pv->words.len = 0;
		while (j.p < j.end && *j.p == '"' && pt_json_str(&j, &w) == 0) {
			if (pv->words.len)
				pt_buf_putc(&pv->words, ' ');
			pt_buf_put(&pv->words, w.p, w.len);
			if (j.p < j.end && *j.p == ',')
				j.p++;
		}
		pt_buf_free(&w);
		e_rules(pv, S, PT_RULE_ARGV, pt_buf_cstr(&pv->words), RDF_TYPE);
	}
	if (ri->start_ns) {
		e_time(pv, S, PROV("startedAtTime"), ri->start_ns);
		e_uint(pv, S, PT("startedAtNs"), ri->start_ns);
	}
	if (ri->end_ns) {
		uint64_t end = ri->end_ns < ri->start_ns ? ri->start_ns : ri->end_ns;
		e_time(pv, S, PROV("endedAtTime"), end);
		e_uint(pv, S, PT("endedAtNs"), end);
	}
	if (ri->have_user) {
		pt_pv_iri_user(pv, O, (uint64_t)ri->user);
		e_buf(pv, S, PROV("wasAssociatedWith"), O);
	}
	if (ri->have_host) {
		pt_pv_iri_host(pv, O, ri->host.p, ri->host.len);
		e_buf(pv, S, PROV("atLocation"), O);
	}
	for (size_t i = 0; i < pv->rs.n; i++) {
		pt_pv_iri_host(pv, O, pv->rs.name[i], strlen(pv->rs.name[i]));
		e_buf(pv, S, PT("node"), O);
	}
	if (ri->have_command)
		e_lit(pv, S, PT("command"), ri->command.p, ri->command.len, NULL);
	if (ri->have_exit)
		e_int(pv, S, PT("exitStatus"), ri->exit);
	if (ri->have_signal)
		e_int(pv, S, PT("signal"), ri->signal);
	if (ri->have_slurm)
		e_text(pv, S, PT("slurmJobId"), ri->slurm.p, ri->slurm.len);
	if (ri->have_version)
		e_text(pv, S, PT("provtraceVersion"), ri->version.p, ri->version.len);
	pt_runset_counters(&pv->rs, &tot);   /* a store that cannot say adds nothing */
	e_uint(pv, S, PT("processes"), tot.procs);
	e_uint(pv, S, PT("events"), tot.events);
	e_uint(pv, S, PT("droppedEvents"), tot.dropped);
	e_uint(pv, S, PT("tornRecords"), tot.torn);
	e_uint(pv, S, PT("corruptRecords"), tot.corrupt);
	e_uint(pv, S, PT("coverageGaps"), tot.gaps);
	/* nodes the launcher listed with no store here: the record is not the whole job */
	e_bool(pv, S, PT("complete"), pv->rs.nmissing == 0);
	for (size_t i = 0; i < pv->rs.nmissing; i++)
		e_str(pv, S, PT("missingNode"), pv->rs.missing[i]);
	pt_pv_emit_mpi_check(pv, S);
}

void pt_pv_emit_hosts(pt_prov *pv)
{
	struct pt_str *v = pt_strset_sorted(&pv->hosts);
	struct pt_buf *S = &pv->s;

	for (size_t i = 0; i < pv->hosts.n && !pv->err; i++) {
		struct pt_counters c;
		size_t k;
		for (k = 0; k < pv->rs.n; k++)
			if (strlen(pv->rs.name[k]) == v[i].len &&
			    !memcmp(pv->rs.name[k], v[i].p, v[i].len))
				break;
		/* prov:Entity too: PROV-DM gives a location no record of its own, and readers
		 * such as the prov package want every described node to have one */
		pt_pv_iri_host(pv, S, (const char *)v[i].p, v[i].len);
		e_type(pv, S, PROV("Entity"));
		e_type(pv, S, PROV("Location"));
		e_type(pv, S, PT("Host"));
		if (k < pv->rs.n)
			e_type(pv, S, PT("Node"));
		e_text(pv, S, RDFS_LABEL, v[i].p, v[i].len);
		if (k == pv->rs.n || pt_store_counters(pv->rs.st[k], &c))
			continue;
		/* a node store: what it recorded and what it lost */
		e_uint(pv, S, PT("processes"), c.procs);
		e_uint(pv, S, PT("events"), c.events);
		e_uint(pv, S, PT("droppedEvents"), c.dropped);
		e_uint(pv, S, PT("tornRecords"), c.torn);
		e_uint(pv, S, PT("corruptRecords"), c.corrupt);
		e_uint(pv, S, PT("coverageGaps"), c.gaps);
		e_uint(pv, S, PT("bytesRead"), c.bytes_read);
		e_uint(pv, S, PT("bytesWritten"), c.bytes_written);
		e_uint(pv, S, PT("ipcBytes"), c.ipc_bytes);
	}
	free(v);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

void pt_pv_emit_users(pt_prov *pv)
{
	uint64_t *v = xmalloc((pv->uids.n + 1) * sizeof *v);
	size_t n = 0;
	struct pt_buf *S = &pv->s;

	for (size_t i = 0; i < pv->uids.cap; i++)
		if (pv->uids.used[i])
			v[n++] = pv->uids.key[i];
	qsort(v, n, sizeof *v, u64_cmp);
	for (size_t i = 0; i < n && !pv->err; i++) {
		pt_pv_iri_user(pv, S, v[i]);
		e_type(pv, S, PROV("Agent"));
		e_type(pv, S, PT("User"));
		e_uint(pv, S, PT("uid"), v[i]);
	}
	free(v);
}

static int lib_each(void *ctx, uint32_t proc, uint32_t obj, uint64_t base, uint32_t kind)
{
	struct proc_emit *pe = ctx;
	pt_prov *pv = pe->pv;

	(void)proc;
	(void)base;
	(void)kind;
	if (pt_pv_obj_name(pv, pe->store, obj, &pe->path) == PT_KIND_FILE && pe->path.len &&
	    pe->path.p[0] == '/') {
		pt_pv_iri_file(&pe->x, &pe->path);
		e_buf(pv, &pe->piri, PT("loaded"), &pe->x);
	}
	return pv->err;
}

static void emit_proc_info(pt_prov *pv, struct proc_emit *pe, const struct pt_ev *ev, int have_ev)
{
	struct pt_buf *P = &pe->piri;

	if (!have_ev)
		return;
	struct pt_bytes exe = pt_ev_b(ev, 0), cwd = pt_ev_b(ev, 2);
	if (exe.len) {
		pe->path.len = 0;
		pt_buf_put(&pe->path, exe.p, exe.len);
		if (exe.p[0] == '/') {
			pt_pv_iri_file(&pe->x, &pe->path);
			e_buf(pv, P, PT("executable"), &pe->x);
		}
	}
	/* argv as a JSON array of strings, bytes that are not UTF-8 as \udcXX */
	if (ev->n > 1 && ev->v[1].kind == PT_MP_ARRAY) {
		struct pt_mpr m;
		uint32_t n;
		struct pt_bytes a;
		pv->tmp.len = 0;
		pt_buf_putc(&pv->tmp, '[');
		pt_mpr_init(&m, ev->v[1].b.p, ev->v[1].b.len);
		if (pt_mpr_array(&m, &n) == 0) {
			for (uint32_t i = 0; i < n && pt_mpr_bytes(&m, &a) == 0; i++) {
				if (i)
					pt_buf_putc(&pv->tmp, ',');
				json_bytes(&pv->tmp, a.p, a.len);
			}
		}
		pt_buf_putc(&pv->tmp, ']');
		e_lit(pv, P, PT("argv"), pv->tmp.p, pv->tmp.len, NULL);
	}
	if (cwd.len)
		e_text(pv, P, PT("cwd"), cwd.p, cwd.len);
	if (ev->n > 3 && ev->v[3].kind == PT_MP_MAP) {
		struct pt_mpr m;
		uint32_t n;
		struct pt_bytes k, v;
		struct pt_buf kv = { 0 };
		pt_mpr_init(&m, ev->v[3].b.p, ev->v[3].b.len);
		if (pt_mpr_map(&m, &n) == 0) {
			for (uint32_t i = 0; i < n; i++) {
				if (pt_mpr_bytes(&m, &k) || pt_mpr_bytes(&m, &v))
					break;
				kv.len = 0;
				pt_buf_put(&kv, k.p, k.len);
				pt_buf_putc(&kv, '=');
				pt_buf_put(&kv, v.p, v.len);
				e_text(pv, P, PT("env"), kv.p, kv.len);
			}
		}
		pt_buf_free(&kv);
	}
	if (pt_ev_u(ev, 10) & PT_F_TRUNCATED)
		e_bool(pv, P, PT("truncated"), 1);
}

int pt_pv_proc_each(void *ctx, const struct pt_proc_rec *r)
{
	struct proc_emit *pe = ctx;
	pt_prov *pv = pe->pv;
	struct pt_buf *P = &pe->piri, *O = &pv->o;
	struct pt_ev ev;
	int have_ev;

	pt_pv_safe_point(pv);
	pe->rec = r;
	pv->cur_proc = r->id;
	pt_pv_iri_proc_rec(pv, P, r);
	have_ev = pt_store_proc_start(pv->rs.st[pe->store], r->id, &ev) == 0;
	struct plist *l = pt_pv_get_plist(pv, pe->store, r->id);

	e_type(pv, P, PROV("Activity"));
	e_type(pv, P, PT("Process"));
	if (have_ev) {
		struct pt_bytes exe = pt_ev_b(&ev, 0);
		pe->path.len = 0;
		pt_buf_put(&pe->path, exe.p, exe.len);
		e_rules(pv, P, PT_RULE_EXE, pt_buf_cstr(&pe->path), RDF_TYPE);
		if (pt_rules_any(pv->rules, PT_RULE_ARGV)) {
			struct pt_mpr m;
			uint32_t n;
			struct pt_bytes a;
			pv->words.len = 0;
			if (ev.n > 1 && ev.v[1].kind == PT_MP_ARRAY) {
				pt_mpr_init(&m, ev.v[1].b.p, ev.v[1].b.len);
				if (pt_mpr_array(&m, &n) == 0)
					for (uint32_t i = 0; i < n && pt_mpr_bytes(&m, &a) == 0; i++) {
						if (i)
							pt_buf_putc(&pv->words, ' ');
						pt_buf_put(&pv->words, a.p, a.len);
					}
			}
			/* a NUL cannot be in an argument: fnmatch sees the whole line */
			e_rules(pv, P, PT_RULE_ARGV, pt_buf_cstr(&pv->words), RDF_TYPE);
		}
	}
	if (r->start_ns) {
		e_time(pv, P, PROV("startedAtTime"), r->start_ns);
		e_uint(pv, P, PT("startedAtNs"), r->start_ns);
	}
	if (r->end_ns) {
		/* a clock step must not make an activity end before it starts */
		uint64_t end = r->end_ns < r->start_ns ? r->start_ns : r->end_ns;
		e_time(pv, P, PROV("endedAtTime"), end);
		e_uint(pv, P, PT("endedAtNs"), end);
	}
	O->len = 0;
	pt_buf_put(O, pv->run, pv->runlen);
	e_buf(pv, P, PT("run"), O);
	pt_pv_iri_host(pv, O, r->host, strnlen(r->host, sizeof r->host));
	e_buf(pv, P, PROV("atLocation"), O);
	pt_pv_iri_user(pv, O, r->uid);
	e_buf(pv, P, PROV("wasAssociatedWith"), O);
	O->len = 0;
	pt_buf_put(O, P->p, P->len);
	pt_buf_puts(O, "/assoc");
	e_buf(pv, P, PROV("qualifiedAssociation"), O);
	/* what could not be seen of it: the gaps themselves name it (pt:process) */
	const uint64_t *ngaps = pt_u64map_find(&pv->gaps_of, (uint64_t)pe->store << 32 | r->id);
	if (ngaps)
		e_uint(pv, P, PT("coverageGaps"), *ngaps);

	/* who informed it: parent, pre-exec image, IPC peers; once each, in id order */
	uint32_t *inf = xmalloc((l->ne + 2) * sizeof *inf), *peers = xmalloc((l->ne + 1) * sizeof *peers);
	size_t ninf = 0, npeers = 0;
	if (r->parent)
		inf[ninf++] = r->parent;
	if (r->exec_from)
		inf[ninf++] = r->exec_from;
	for (size_t i = 0; i < l->ne; i++) {
		inf[ninf++] = l->e[i].q;
		peers[npeers++] = l->e[i].q;
	}
	qsort(inf, ninf, sizeof *inf, u32_cmp);
	qsort(peers, npeers, sizeof *peers, u32_cmp);
	for (size_t i = 0; i < ninf; i++) {
		if (i && inf[i] == inf[i - 1])
			continue;
		pt_pv_iri_proc(pv, O, pe->store, inf[i]);
		e_buf(pv, P, PROV("wasInformedBy"), O);
	}
	if (r->parent) {
		pt_pv_iri_proc(pv, O, pe->store, r->parent);
		e_buf(pv, P, PT("parent"), O);
	}
	if (r->exec_from) {
		pt_pv_iri_proc(pv, O, pe->store, r->exec_from);
		e_buf(pv, P, PT("execFrom"), O);
	}
	size_t k = 0;
	for (size_t i = 0; i < npeers; i++) {
		if (i && peers[i] == peers[i - 1])
			continue;
		peers[k++] = peers[i];
	}
	npeers = k;
	for (size_t i = 0; i < npeers; i++) {
		O->len = 0;
		pt_buf_put(O, P->p, P->len);
		pt_buf_puts(O, "/c");
		pt_buf_u64(O, peers[i]);
		e_buf(pv, P, PROV("qualifiedCommunication"), O);
	}
	pt_pv_emit_mpi(pv, pe, l, inf, ninf, 1);

	e_int(pv, P, PT("pid"), r->pid);
	e_int(pv, P, PT("ppid"), r->ppid);
	e_uint(pv, P, PT("uid"), r->uid);
	e_uint(pv, P, PT("gid"), r->gid);
	emit_proc_info(pv, pe, &ev, have_ev);
	e_str(pv, P, PT("endState"), end_states[r->end_state <= 4 ? r->end_state : 0]);
	if (r->status_from == 1) {
		e_int(pv, P, PT("exitStatus"), r->status);
	} else if ((r->status_from == 2 || r->status_from == 3) && r->status != -1) {
		if (WIFEXITED(r->status))
			e_int(pv, P, PT("exitStatus"), WEXITSTATUS(r->status));
		else if (WIFSIGNALED(r->status))
			e_int(pv, P, PT("signal"), WTERMSIG(r->status));
	}
	if (r->utime_us || r->stime_us || r->maxrss_kb) {
		e_uint(pv, P, PT("userTimeUs"), r->utime_us);
		e_uint(pv, P, PT("systemTimeUs"), r->stime_us);
		e_uint(pv, P, PT("maxRssKb"), r->maxrss_kb);
	}
	e_uint(pv, P, PT("bytesRead"), r->rbytes);
	e_uint(pv, P, PT("bytesWritten"), r->wbytes);
	if (r->dropped)
		e_uint(pv, P, PT("droppedEvents"), r->dropped);
	if (r->torn)
		e_uint(pv, P, PT("tornRecords"), r->torn);
	if (r->corrupt)
		e_uint(pv, P, PT("corruptRecords"), r->corrupt);
	if (!r->verified)
		e_bool(pv, P, PT("verified"), 0);
	pt_store_each_lib(pv->rs.st[pe->store], r->id, lib_each, pe);
	pt_pv_emit_cuda(pv, pe->store, P, 1);

	/* what it used: each version once, in the order it first read them */
	int fresh;
	pt_pv_kset_reset(&pv->vset);
	for (size_t i = 0; i < l->nr && !pv->err; i++) {
		pt_pv_kset_get(&pv->vset, ver_k1(&l->r[i].v), l->r[i].v.x, 0, &fresh);
		if (!fresh)
			continue;
		pt_pv_iri_ver(pv, O, &l->r[i].v);
		e_buf(pv, P, PROV("used"), O);
	}
	pe->pass = 1;
	pt_store_each_sess(pv->rs.st[pe->store], r->id, pt_pv_sess_each, pe);

	/* the blocks of its qualified terms */
	struct pt_buf *S = &pv->s;
	S->len = 0;
	pt_buf_put(S, P->p, P->len);
	pt_buf_puts(S, "/assoc");
	e_type(pv, S, PROV("Association"));
	pt_pv_iri_user(pv, O, r->uid);
	e_buf(pv, S, PROV("agent"), O);
	if (have_ev) {
		struct pt_bytes exe = pt_ev_b(&ev, 0);
		if (exe.len && exe.p[0] == '/') {
			pe->path.len = 0;
			pt_buf_put(&pe->path, exe.p, exe.len);
			pt_pv_iri_file(O, &pe->path);
			e_buf(pv, S, PROV("hadPlan"), O);
		}
	}
	for (size_t i = 0; i < npeers; i++) {
		S->len = 0;
		pt_buf_put(S, P->p, P->len);
		pt_buf_puts(S, "/c");
		pt_buf_u64(S, peers[i]);
		e_type(pv, S, PROV("Communication"));
		pt_pv_iri_proc(pv, O, pe->store, peers[i]);
		e_buf(pv, S, PROV("activity"), O);
	}
	pt_pv_emit_mpi(pv, pe, l, inf, ninf, 2);
	pt_pv_emit_cuda(pv, pe->store, P, 2);
	free(inf);
	free(peers);
	pe->pass = 2;
	pe->models.len = 0;
	pt_store_each_sess(pv->rs.st[pe->store], r->id, pt_pv_sess_each, pe);
	if (pv->ml)
		pt_pv_ml_proc(pv, pe);
	pv->done++;
	return pv->err;
}

int pt_pv_gap_count(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct gap_emit *ge = ctx;
	int fresh;

	if (proc)
		++*pt_u64map_get(&ge->pv->gaps_of, (uint64_t)ge->store << 32 | proc, 0, &fresh);
	return 0;
}

int pt_pv_gap_each(void *ctx, uint64_t seq, uint32_t proc, const uint8_t *rec, uint32_t len)
{
	struct gap_emit *ge = ctx;
	pt_prov *pv = ge->pv;
	struct pt_buf *S = &pv->s, *O = &pv->o;
	uint32_t kind = 0;

	if (len >= 4)
		memcpy(&kind, rec, 4);
	pt_pv_iri_run(pv, S, "/gap/");
	pt_iri_pct(S, pv->rs.name[ge->store], strlen(pv->rs.name[ge->store]), 0);
	pt_buf_putc(S, '/');
	pt_buf_u64(S, seq);
	e_type(pv, S, PROV("Entity"));
	e_type(pv, S, PT("CoverageGap"));
	e_str(pv, S, PT("gapKind"), pt_gap_name(kind));
	if (len > 4)
		e_text(pv, S, PT("detail"), rec + 4, len - 4);
	if (proc) {
		pt_pv_iri_proc(pv, O, ge->store, proc);
		e_buf(pv, S, PT("process"), O);
	}
	pt_pv_iri_host(pv, O, pv->rs.name[ge->store], strlen(pv->rs.name[ge->store]));
	e_buf(pv, S, PROV("atLocation"), O);
	return pv->err;
}
