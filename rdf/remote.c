/* remote.c — HTTP requests to an RDF store (Graph Store Protocol, SPARQL Protocol) through
 * libcurl, and the credentials they carry.  See remote.h. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "remote.h"

struct pt_remote {
	CURL *c;
	char *userpw;
	char err[512];
	char ebuf[CURL_ERROR_SIZE];
	struct pt_buf *resp;
	FILE *respf;
	char *rtype;
	long status;
};

static int load_creds(pt_remote *r, const char *file, char *err, size_t errlen)
{
	const char *env = getenv("PROVTRACE_STORE_CREDENTIALS");
	char line[1024];
	struct stat sb;
	FILE *f;

	if (!file || !*file)
		file = getenv("PROVTRACE_STORE_CREDENTIALS_FILE");
	if (!file || !*file) {
		if (env && *env) {
			if (!strchr(env, ':')) {
				snprintf(err, errlen, "PROVTRACE_STORE_CREDENTIALS: not user:password");
				return -1;
			}
			r->userpw = strdup(env);
		}
		return 0;
	}
	if (!(f = fopen(file, "re"))) {
		snprintf(err, errlen, "%s: %s", file, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077)) {
		snprintf(err, errlen, "%s: readable by others (chmod 600 it)", file);
		fclose(f);
		return -1;
	}
	if (!fgets(line, sizeof line, f) || !strchr(line, ':')) {
		snprintf(err, errlen, "%s: the first line is not user:password", file);
		fclose(f);
		return -1;
	}
	fclose(f);
	line[strcspn(line, "\r\n")] = 0;
	r->userpw = strdup(line);
	memset(line, 0, sizeof line);
	return 0;
}

int pt_remote_open(const char *cred_file, pt_remote **out, char *err, size_t errlen)
{
	pt_remote *r = calloc(1, sizeof *r);

	if (!r)
		abort();
	if (load_creds(r, cred_file, err, errlen)) {
		free(r);
		return -1;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!(r->c = curl_easy_init())) {
		snprintf(err, errlen, "cannot start libcurl");
		pt_remote_close(r);
		return -1;
	}
	*out = r;
	return 0;
}

void pt_remote_close(pt_remote *r)
{
	if (!r)
		return;
	if (r->c)
		curl_easy_cleanup(r->c);
	if (r->userpw) {
		memset(r->userpw, 0, strlen(r->userpw));
		free(r->userpw);
	}
	free(r);
	curl_global_cleanup();
}

int pt_remote_has_creds(const pt_remote *r)
{
	return r->userpw != NULL;
}

const char *pt_remote_creds(const pt_remote *r)
{
	return r->userpw;
}

long pt_remote_status(const pt_remote *r)
{
	return r->status;
}

const char *pt_remote_error(const pt_remote *r)
{
	return r->err;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	pt_remote *r = ud;

	n *= size;
	if (r->respf)
		return fwrite(p, 1, n, r->respf);
	if (r->resp)
		pt_buf_put(r->resp, p, n);
	return n;
}

/* The server's words on a refusal: the body's first line of text, tags stripped. */
static void server_words(char *dst, size_t dlen, const char *body, size_t n)
{
	size_t k = 0;
	int tag = 0;

	for (size_t i = 0; i < n && k + 1 < dlen; i++) {
		char c = body[i];
		if (c == '<')
			tag = 1;
		else if (c == '>')
			tag = 0;
		else if (!tag && (c == '\n' || c == '\r'))
			{ if (k) break; }
		else if (!tag && (unsigned char)c >= ' ')
			dst[k++] = c;
	}
	while (k && dst[k - 1] == ' ')
		k--;
	dst[k] = 0;
}

int pt_remote_send(pt_remote *r, const char *method, const char *url, const char *ctype,
		   const char *accept, const void *body, size_t len, struct pt_buf *resp,
		   FILE *respf, char *rtype)
{
	struct curl_slist *h = NULL;
	struct pt_buf errbody = { 0 }, hdr = { 0 };
	long status = 0;
	CURLcode cc;
	int rc = -1;

	/* options set one by one, not curl_easy_reset(): that would forget the digest nonce,
	 * and every chunk would be sent twice (once refused, once with credentials) */
	r->resp = resp ? resp : &errbody;
	r->respf = respf;
	r->ebuf[0] = 0;
	r->status = 0;
	curl_easy_setopt(r->c, CURLOPT_URL, url);
	curl_easy_setopt(r->c, CURLOPT_ERRORBUFFER, r->ebuf);
	curl_easy_setopt(r->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(r->c, CURLOPT_USERAGENT, "provtrace/" PACKAGE_VERSION);
	if (r->userpw) {
		curl_easy_setopt(r->c, CURLOPT_USERPWD, r->userpw);
		curl_easy_setopt(r->c, CURLOPT_HTTPAUTH, CURLAUTH_ANY);
	}
	curl_easy_setopt(r->c, CURLOPT_HTTPHEADER, NULL);
	/* no "Expect: 100-continue": Virtuoso answers it late, each chunk would wait */
	h = curl_slist_append(h, "Expect:");
	if (ctype) {
		pt_buf_puts(&hdr, "Content-Type: ");
		pt_buf_puts(&hdr, ctype);
		h = curl_slist_append(h, pt_buf_cstr(&hdr));
	}
	if (accept) {
		hdr.len = 0;
		pt_buf_puts(&hdr, "Accept: ");
		pt_buf_puts(&hdr, accept);
		h = curl_slist_append(h, pt_buf_cstr(&hdr));
	}
	curl_easy_setopt(r->c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(r->c, CURLOPT_CUSTOMREQUEST, NULL);
	if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(r->c, CURLOPT_POST, 1L);
		curl_easy_setopt(r->c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(r->c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(r->c, CURLOPT_CUSTOMREQUEST, method);
	} else {
		curl_easy_setopt(r->c, CURLOPT_HTTPGET, 1L);
	}
	cc = curl_easy_perform(r->c);
	if (cc != CURLE_OK) {
		snprintf(r->err, sizeof r->err, "%s: %s", url,
			 r->ebuf[0] ? r->ebuf : curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, &status);
	r->status = status;
	if (rtype) {
		char *ct = NULL;
		curl_easy_getinfo(r->c, CURLINFO_CONTENT_TYPE, &ct);
		snprintf(rtype, 128, "%s", ct ? ct : "");
	}
	if (status < 200 || status > 299) {
		char words[200];
		struct pt_buf *b = r->resp;
		server_words(words, sizeof words, b->p ? b->p : "", b->len);
		snprintf(r->err, sizeof r->err, "%s: HTTP %ld%s%s%s", url, status,
			 words[0] ? " (" : "", words, words[0] ? ")" : "");
		if (status == 401)
			strncat(r->err, r->userpw ? ": the store refused these credentials"
						  : ": the store wants credentials "
						    "(PROVTRACE_STORE_CREDENTIALS_FILE)",
				sizeof r->err - strlen(r->err) - 1);
		goto out;
	}
	rc = 0;
out:
	curl_slist_free_all(h);
	pt_buf_free(&errbody);
	pt_buf_free(&hdr);
	r->resp = NULL;
	r->respf = NULL;
	return rc;
}

int pt_remote_sparql(pt_remote *r, const char *url, const char *param, const char *text,
		     const char *accept, struct pt_buf *resp, FILE *respf, char *rtype)
{
	struct pt_buf body = { 0 };
	char *enc = curl_easy_escape(r->c, text, (int)strlen(text));
	int rc;

	if (!enc)
		abort();
	pt_buf_puts(&body, param);
	pt_buf_putc(&body, '=');
	pt_buf_puts(&body, enc);
	curl_free(enc);
	rc = pt_remote_send(r, "POST", url, "application/x-www-form-urlencoded", accept, body.p,
			    body.len, resp, respf, rtype);
	pt_buf_free(&body);
	return rc;
}

void pt_remote_graph_url(struct pt_buf *b, const char *gsp, const char *graph)
{
	static const char hex[] = "0123456789ABCDEF";

	pt_buf_puts(b, gsp);
	pt_buf_puts(b, strchr(gsp, '?') ? "&graph=" : "?graph=");
	for (const unsigned char *p = (const unsigned char *)graph; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			pt_buf_putc(b, (char)*p);
		} else {
			pt_buf_putc(b, '%');
			pt_buf_putc(b, hex[*p >> 4]);
			pt_buf_putc(b, hex[*p & 15]);
		}
	}
	pt_buf_cstr(b);
}
