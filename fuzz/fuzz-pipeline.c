/*
 * fuzz-pipeline: the whole analysis (capture, packets, reassembly,
 * handshake, frames, verdicts) on a capture file made of the input bytes.
 *
 * The analysis opens a path, so the input goes into a memory file
 * (memfd_create) opened as /proc/self/fd/N: nothing reaches the disk.
 * Options come from byte 12 of the input, the low byte of the classic
 * pcap header's sigfigs field, which libpcap ignores: seeds stay real
 * captures. Message size is capped at 1 MiB so a deflate bomb stays small.
 * The recording sink of tests/lib checks the order of the events; each
 * event is read whole, its wire text passed through the escaping
 * functions and its documented invariants checked.
 */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "escape.h"
#include "fuzz.h"
#include "recorder.h"
#include "analysis.h"

struct fp_ctx {
	const struct analysis_opts *o;
	unsigned                    sum;
};

static void	fp_text(struct fp_ctx *, const void *, size_t);
static void	fp_str(struct fp_ctx *, const char *, size_t);
static void	fp_capture_begin(void *, const struct rec_event *);
static void	fp_frame(void *, const struct rec_event *);
static void	fp_message(void *, const struct rec_event *);
static void	fp_finding(void *, const struct rec_event *);
static void	fp_head(struct fp_ctx *, const struct http_head *);
static void	fp_conn_end(void *, const struct rec_event *);
static void	fp_capture_end(void *, const struct rec_event *);
static void	fp_options(const uint8_t *, size_t, struct analysis_opts *);
static void	fp_set(const char *, const struct analysis_opts *);

/* The recorder checks where each event stands; these check the events. */
static recorder_fn *const fp_watch[REC_KINDS] = {
	[REC_CAPTURE_BEGIN] = fp_capture_begin,
	[REC_FRAME] = fp_frame,
	[REC_MESSAGE] = fp_message,
	[REC_FINDING] = fp_finding,
	[REC_CONN_END] = fp_conn_end,
	[REC_CAPTURE_END] = fp_capture_end
};

/* Wire bytes as the report and the browser show them. */
static void
fp_text(struct fp_ctx *c, const void *p, size_t n)
{
	char   out[256];
	size_t len;

	if (n > 0)
		FUZZ_CHECK(p != NULL);
	len = esc_terminal(p, n, out, sizeof out);
	FUZZ_CHECK(len < sizeof out && out[len] == '\0');
	c->sum += len;
}

/* A fixed-size text field: NUL-terminated inside its array. */
static void
fp_str(struct fp_ctx *c, const char *s, size_t size)
{
	const char *nul = memchr(s, '\0', size);

	FUZZ_CHECK(nul != NULL);
	fp_text(c, s, (size_t)(nul - s));
}

static void
fp_capture_begin(void *arg, const struct rec_event *e)
{
	struct fp_ctx             *c = arg;
	const struct capture_info *ci = e->body;

	FUZZ_CHECK(ci->path != NULL && ci->name != NULL);
	fp_str(c, ci->sha256, sizeof ci->sha256);
}

static void
fp_frame(void *arg, const struct rec_event *e)
{
	struct fp_ctx         *c = arg;
	const struct ws_frame *f = e->body;

	FUZZ_CHECK(e->conn >= 1);
	FUZZ_CHECK(e->sender == ROLE_CLIENT || e->sender == ROLE_SERVER);
	FUZZ_CHECK(f->hdr_len >= 2 && f->hdr_len <= 14);
	FUZZ_CHECK(f->prefix_len <= c->o->ws.payload_cap);
	FUZZ_CHECK(f->close_reason_len <= (c->o->ws.payload_cap > 125 ?
	    c->o->ws.payload_cap : 125));
	FUZZ_CHECK(f->close_reason != NULL || f->close_reason_len == 0);
	fp_text(c, f->prefix, f->prefix_len);
	fp_text(c, f->close_reason, f->close_reason_len);
}

static void
fp_message(void *arg, const struct rec_event *e)
{
	struct fp_ctx           *c = arg;
	const struct ws_message *m = e->body;

	FUZZ_CHECK(e->conn >= 1);
	FUZZ_CHECK(e->sender == ROLE_CLIENT || e->sender == ROLE_SERVER);
	FUZZ_CHECK(m->prefix_len <= c->o->ws.payload_cap);
	fp_text(c, m->prefix, m->prefix_len);
}

static void
fp_finding(void *arg, const struct rec_event *e)
{
	struct fp_ctx        *c = arg;
	const struct finding *f = e->body;

	FUZZ_CHECK(f->kind >= FINDING_CLOSE && f->kind <= FINDING_CAPTURE);
	FUZZ_CHECK((unsigned)f->class < FINDING_CLASSES);
	FUZZ_CHECK(f->sender >= -1 && f->sender <= ROLE_SERVER);
	FUZZ_CHECK(f->rule == RULE_NONE || rule_get(f->rule) != NULL);
	if (f->rule != RULE_NONE)
		fp_text(c, rule_name(f->rule), strlen(rule_name(f->rule)));
	fp_str(c, f->explanation, sizeof f->explanation);
	fp_str(c, f->detail, sizeof f->detail);
	FUZZ_CHECK(f->reason_len < sizeof f->reason);
	fp_text(c, f->reason, f->reason_len);
	if (f->has_offending && f->offending_rule != RULE_NONE) {
		FUZZ_CHECK(rule_get(f->offending_rule) != NULL);
		fp_text(c, rule_name(f->offending_rule),
		    strlen(rule_name(f->offending_rule)));
	}
	if (f->has_limit) {
		FUZZ_CHECK(f->limit_min <= f->limit_max);
		fp_str(c, f->matching_profiles, sizeof f->matching_profiles);
	}
}

static void
fp_head(struct fp_ctx *c, const struct http_head *h)
{
	if (h == NULL)
		return;
	fp_str(c, h->method, sizeof h->method);
	fp_str(c, h->target, sizeof h->target);
	fp_str(c, h->reason, sizeof h->reason);
	fp_str(c, h->host, sizeof h->host);
	fp_str(c, h->user_agent, sizeof h->user_agent);
	fp_str(c, h->server, sizeof h->server);
	fp_str(c, h->protocol, sizeof h->protocol);
	fp_str(c, h->extensions, sizeof h->extensions);
}

static void
fp_conn_end(void *arg, const struct rec_event *e)
{
	struct fp_ctx             *c = arg;
	const struct conn_summary *s = e->body;
	int                        i, r;

	FUZZ_CHECK(s->id >= 1);
	fp_str(c, s->client, sizeof s->client);
	fp_str(c, s->server, sizeof s->server);
	fp_head(c, s->request);
	fp_head(c, s->response);
	if (s->handshake != NULL) {
		FUZZ_CHECK(s->handshake->nissues >= 0 &&
		    s->handshake->nissues <= 16);
		for (i = 0; i < s->handshake->nissues; i++) {
			FUZZ_CHECK(rule_get(s->handshake->issues[i].rule) !=
			    NULL);
			fp_str(c, s->handshake->issues[i].seen,
			    sizeof s->handshake->issues[i].seen);
		}
	}
	FUZZ_CHECK(s->extensions_state != NULL);
	FUZZ_CHECK(s->verdict != NULL && s->tcp_end != NULL);
	fp_text(c, s->verdict, strlen(s->verdict));
	for (r = 0; r < 2; r++)
		fp_str(c, s->close_reason[r], sizeof s->close_reason[r]);
	FUZZ_CHECK(s->first_pkt <= s->last_pkt);
}

static void
fp_capture_end(void *arg, const struct rec_event *e)
{
	struct fp_ctx                *c = arg;
	const struct capture_summary *sum = e->body;

	FUZZ_CHECK(sum->ws_connections <= sum->connections);
	fp_str(c, sum->error, sizeof sum->error);
}

static void
fp_options(const uint8_t *data, size_t size, struct analysis_opts *o)
{
	uint8_t f = size > 12 ? data[12] : 0;

	analysis_opts_default(o);
	o->no_hash = 1;
	o->ws.max_message = 1 << 20;
	o->flow.max_flows = 64;
	o->flow.ooo_per_dir = 64 << 10;
	o->flow.ooo_total = 1 << 20;
	if (f & 0x01)
		o->ws.strict = 1;
	if (f & 0x02) {
		o->ws_ports[o->n_ws_ports++] = 80;
		o->ws_ports[o->n_ws_ports++] = 8080;
	}
	if (f & 0x04)
		o->ws.payload_cap = 16;
	if (f & 0x08) {
		o->flow.max_flows = 2;
		o->flow.ooo_per_dir = 512;
		o->flow.ooo_total = 1024;
	}
	if (f & 0x10)
		o->ws.max_frame = 1000;
	if (f & 0x20)
		o->ws.max_message = 100;
	if (f & 0x40)
		o->flow.idle_timeout = 1;
	/* Three decode threads: the hand-over, the ids and the joined counts. */
	if (f & 0x80)
		o->jobs = 3;
}

/*
 * The same bytes as a capture set of two files that overlap entirely:
 * the merge, the spans and the duplicate table on hostile records.
 * Every packet of the second file is a copy of one of the first.
 */
static void
fp_set(const char *path, const struct analysis_opts *o)
{
	const char *const       paths[2] = { path, path };
	const struct capture_set_info *si;
	struct analysis        *an;
	struct capture_summary  sum;
	struct recorder        *rec;
	enum pipeline_result    r;
	char                    err[1024];
	size_t                  i;

	rec = recorder_new(NULL, NULL);
	an = analysis_new(o, &recorder_sink_ops, rec);
	r = analysis_run_set(an, paths, 2, NULL, NULL, NULL, NULL, NULL, NULL,
	    &sum, err, sizeof err);
	if (r != PIPELINE_OPEN_FAILED) {
		FUZZ_CHECK(recorder_order_error(rec) == NULL);
		si = sum.set;
		FUZZ_CHECK(si != NULL && si->nfiles == 2);
		FUZZ_CHECK(si->files[0].packets == si->files[1].packets);
		/* Spans cover the ordinals in order, without overlap. */
		for (i = 1; i < si->nspans; i++)
			FUZZ_CHECK(si->spans[i].ordinal == si->spans[i -
			    1].ordinal + si->spans[i - 1].count);
		FUZZ_CHECK(sum.duplicates <= sum.tcp_packets);
	}
	analysis_free(an);
	recorder_free(rec);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 fd = -1;
	struct analysis_opts	 o;
	struct analysis		*an;
	struct capture_summary	 sum;
	struct fp_ctx		 c;
	struct recorder		*rec;
	enum pipeline_result	 r;
	char			 path[64], err[1024];
	size_t			 off;
	ssize_t			 w;

	if (fd == -1 && (fd = memfd_create("fuzz-pipeline", 0)) == -1) {
		perror("fuzz-pipeline: memfd_create");
		abort();
	}
	if (ftruncate(fd, 0) != 0)
		abort();
	for (off = 0; off < size; off += (size_t)w)
		if ((w = pwrite(fd, data + off, size - off, (off_t)off)) <= 0)
			abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

	fp_options(data, size, &o);
	memset(&c, 0, sizeof c);
	c.o = &o;
	err[0] = '\0';
	rec = recorder_new(fp_watch, &c);
	an = analysis_new(&o, &recorder_sink_ops, rec);
	r = analysis_run(an, path, NULL, NULL, NULL, &sum, err, sizeof err);
	analysis_free(an);
	if (recorder_order_error(rec) != NULL)
		fprintf(stderr, "fuzz-pipeline: %s\n", recorder_order_error(rec));
	FUZZ_CHECK(recorder_order_error(rec) == NULL);
	if (r != PIPELINE_OPEN_FAILED)
		FUZZ_CHECK(recorder_count(rec, REC_CAPTURE_BEGIN) == 1);
	recorder_free(rec);
	fp_set(path, &o);
	return 0;
}
