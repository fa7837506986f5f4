/*
 * replay-capture: one connection's client side, as the analysis decodes
 * it. The capture goes through the same analysis as `analyze` (TLS
 * included), into a sink that keeps that connection's frames, findings
 * and summary, while the analysis tap keeps the client's bytes as the
 * WebSocket stages read them: each frame is sent again from those,
 * header and masked payload as captured.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "replay-int.h"
#include "ws.h"

/* Client bytes kept: a replay of more is not what this is for. */
#define REPLAY_BYTES_MAX (UINT64_C(1) << 30)
/* Server bytes kept: its response head, for the extensions it agreed. */
#define REPLAY_SERVER_HEAD_MAX 16384

struct rc_ctx {
	uint64_t             conn;
	struct replay_side  *side;
	size_t               cap;        /* of side->bytes */
	int                  too_big;
	int                  server_close_seen;
	uint64_t             server_close_pkt;
	int                  server_close_code;
	int64_t              server_close_offending;
	uint64_t             client_close_pkt;      /* its first close; 0 none */
	int                  client_closed;
	struct conn_summary  sum;
	int                  ended;
	int                  keep_payloads;
};

static int  rc_begin(void *, const struct capture_info *);
static void rc_frame(void *, uint64_t, int, const struct ws_frame *);
static void rc_message(void *, uint64_t, int, const struct ws_message *);
static void rc_finding(void *, const struct finding *);
static void rc_conn_end(void *, const struct conn_summary *);
static int  rc_end(void *, const struct capture_summary *);
static void rc_update(void *, const struct finding *);
static void rc_data(void *, uint64_t, int, uint64_t, const uint8_t *, size_t,
		struct wts);
static void rc_gap(void *, uint64_t, int, uint64_t, uint64_t);
static void rc_settle(struct rc_ctx *);
static int  rc_id_cmp(const void *, const void *);
static void *rc_grow(void *, size_t, size_t);

/* An array of n elements of size bytes with room for one more. */
static void *
rc_grow(void *p, size_t n, size_t size)
{
	return n % 64 == 0 ? xrealloc(p, (n + 64) * size) : p;
}

static const struct sink_ops rc_sink = {
	.capture_begin = rc_begin,
	.frame = rc_frame,
	.message = rc_message,
	.finding = rc_finding,
	.conn_end = rc_conn_end,
	.capture_end = rc_end,
	.finding_update = rc_update,
};

static int
rc_begin(void *arg, const struct capture_info *ci)
{
	struct rc_ctx *x = arg;

	if (ci->sha256[0] != '\0')
		snprintf(x->side->sha256, sizeof x->side->sha256, "%s",
		    ci->sha256);
	return 0;
}

static int
rc_end(void *arg, const struct capture_summary *cs)
{
	struct rc_ctx *x = arg;

	if (cs->sha256[0] != '\0')
		snprintf(x->side->sha256, sizeof x->side->sha256, "%s",
		    cs->sha256);
	return 0;
}

static void
rc_frame(void *arg, uint64_t conn, int sender, const struct ws_frame *f)
{
	struct rc_ctx       *x = arg;
	struct replay_side  *rs = x->side;

	if (conn != x->conn)
		return;
	if (sender == ROLE_SERVER) {
		if (f->opcode == WS_OP_CLOSE && !x->server_close_seen) {
			x->server_close_seen = 1;
			x->server_close_pkt = f->first_pkt;
			x->server_close_code = f->close_code;
		}
		return;
	}
	replay_side_frame(rs, f);
	if (f->opcode == WS_OP_CLOSE && !x->client_closed) {
		x->client_closed = 1;
		x->client_close_pkt = f->first_pkt;
	}
}

static void
rc_message(void *arg, uint64_t conn, int sender, const struct ws_message *m)
{
	struct rc_ctx *x = arg;

	if (conn == x->conn && sender == ROLE_CLIENT)
		replay_side_message(x->side, m, x->keep_payloads);
}

static void
rc_finding(void *arg, const struct finding *f)
{
	struct rc_ctx *x = arg;

	if (f->conn_id != x->conn || f->kind != FINDING_CLOSE ||
	    f->sender != ROLE_SERVER || f->answered)
		return;
	x->server_close_offending = f->has_offending &&
	    f->offending_sender == ROLE_CLIENT ? f->offending_frame_index : -1;
}

static void
rc_update(void *arg, const struct finding *f)
{
	rc_finding(arg, f);
}

static void
rc_conn_end(void *arg, const struct conn_summary *cs)
{
	struct rc_ctx *x = arg;

	if (cs->id != x->conn)
		return;
	x->ended = 1;
	x->sum = *cs;
	/* Pointers into the connection's state die with it. */
	x->sum.request = x->sum.response = NULL;
	x->sum.handshake = NULL;
	x->side->handshake = cs->handshake_seen;
	x->side->websocket = cs->websocket;
	x->side->tls_undecrypted = cs->tls_version != NULL &&
	    !cs->tls_decrypted;
	snprintf(x->side->client, sizeof x->side->client, "%s", cs->client);
	snprintf(x->side->server, sizeof x->side->server, "%s", cs->server);
	snprintf(x->side->extensions, sizeof x->side->extensions, "%s",
	    cs->response != NULL ? cs->response->extensions : "");
	snprintf(x->side->protocol, sizeof x->side->protocol, "%s",
	    cs->response != NULL ? cs->response->protocol : "");
}

static void
rc_data(void *arg, uint64_t conn, int role, uint64_t off, const uint8_t *p,
    size_t n, struct wts ts)
{
	struct rc_ctx      *x = arg;
	struct replay_side *rs = x->side;
	uint64_t            skip, hole = 0;

	(void)ts;
	if (conn != x->conn || role != ROLE_CLIENT || x->too_big)
		return;
	if (off > rs->len) {            /* bytes never seen read as zeros */
		rc_gap(arg, conn, role, rs->len, off - rs->len);
		hole = off - rs->len;
	}
	skip = off + hole < rs->len ? rs->len - off : 0;  /* already held */
	if (skip >= n)
		return;
	p += skip;
	n -= (size_t)skip;
	if (rs->len + hole + n > REPLAY_BYTES_MAX) {
		x->too_big = 1;
		return;
	}
	if (rs->len + hole + n > x->cap) {
		while (rs->len + hole + n > x->cap)
			x->cap = x->cap ? x->cap * 2 : 65536;
		rs->bytes = xrealloc(rs->bytes, x->cap);
	}
	memset(rs->bytes + rs->len, 0, (size_t)hole);
	memcpy(rs->bytes + rs->len + hole, p, n);
	rs->len += hole + n;
}

static void
rc_gap(void *arg, uint64_t conn, int role, uint64_t off, uint64_t len)
{
	struct rc_ctx      *x = arg;
	struct replay_side *rs = x->side;

	if (conn != x->conn || role != ROLE_CLIENT || rs->has_gap || len == 0)
		return;
	rs->has_gap = 1;
	rs->gap_off = off;
	rs->gap_len = len;
}

/* What the captured server started, from what the sink heard. */
static void
rc_settle(struct rc_ctx *x)
{
	struct replay_side    *rs = x->side;
	struct replay_outcome *o = &rs->captured;
	uint64_t               at = 0;
	size_t                 i;

	memset(o, 0, sizeof *o);
	o->how = REPLAY_END_NONE;
	o->code = -1;
	o->after = -1;
	/*
	 * Who closed first goes by packet: bytes after a gap reach the
	 * decoders late, so the order of the sink's calls does not tell.
	 */
	for (i = 0; i < rs->nframes && x->server_close_seen; i++)
		if (rs->frames[i].opcode == WS_OP_CLOSE &&
		    rs->frames[i].first_pkt > x->server_close_pkt)
			rs->frames[i].reaction = 1;
	if (x->server_close_seen && !(x->client_closed &&
	    x->client_close_pkt < x->server_close_pkt)) {
		o->how = REPLAY_END_CLOSE;
		o->code = x->server_close_code;
		at = x->server_close_pkt;
		o->after = x->server_close_offending;
	} else if (!x->server_close_seen && !x->client_closed && x->ended &&
	    x->sum.ended_by == ROLE_SERVER) {
		o->how = REPLAY_END_TCP;
		at = x->sum.end_packet;
		o->after = -2;
	}
	/* With no offending frame named: the client frame it followed. */
	if (o->how != REPLAY_END_NONE && o->after < 0) {
		o->after = -1;
		for (i = 0; i < rs->nframes; i++)
			if (rs->frames[i].first_pkt <= at)
				o->after = (int64_t)rs->frames[i].index;
	}
	for (i = 0; i < rs->nframes; i++) {
		/* Data frames after the server's close: it did not read them. */
		if (o->how != REPLAY_END_NONE && rs->frames[i].first_pkt > at)
			break;
		if (!rs->frames[i].reaction && rs->frames[i].fin &&
		    !rs->frames[i].truncated &&
		    rs->frames[i].opcode <= 2)
			o->messages++;
	}
}

int
replay_capture_load(const char *const *paths, size_t npaths,
    const struct analysis_opts *opts, uint64_t conn, struct replay_side *rs,
    char *err, size_t errlen)
{
	struct analysis_opts   o = *opts;
	struct analysis_tap    tap;
	struct rc_ctx          x;
	struct analysis       *an;
	struct capture_summary sum;
	enum pipeline_result   r;
	char                   path[1024];

	memset(rs, 0, sizeof *rs);
	memset(&x, 0, sizeof x);
	x.conn = conn;
	x.side = rs;
	x.server_close_offending = -1;
	x.keep_payloads = opts->whole_client == conn ||
	    opts->ws.payload_cap >= WS_PAYLOAD_CAP_MAX;
	tap.data = rc_data;
	tap.gap = rc_gap;
	tap.arg = &x;
	o.tap = &tap;
	o.jobs = 1;        /* the tap and the sink on one thread */
	an = analysis_new(&o, &rc_sink, &x);
	r = analysis_run_set(an, paths, npaths, NULL, NULL, NULL, NULL, NULL,
	    NULL, &sum, err, errlen);
	/* The capture as analyze names it: a set by its first and last files. */
	snprintf(path, sizeof path, "%s", npaths > 1 ? analysis_name(an) :
	    paths[0]);
	analysis_free(an);
	if (r == PIPELINE_OPEN_FAILED)
		return -1;
	if (!x.ended) {
		snprintf(err, errlen, "%s: no connection %llu (it has %llu)",
		    path, (unsigned long long)conn,
		    (unsigned long long)sum.connections);
		return -1;
	}
	if (!rs->websocket || rs->nframes == 0) {
		snprintf(err, errlen, "%s: connection %llu has no WebSocket "
		    "frames from its client%s", path, (unsigned long long)conn,
		    rs->tls_undecrypted ? " (it is TLS: --keylog decrypts "
		    "it)" : "");
		return -1;
	}
	if (!rs->handshake || rs->frames[0].off == 0) {
		snprintf(err, errlen, "%s: connection %llu: its Upgrade "
		    "request was not captured", path,
		    (unsigned long long)conn);
		return -1;
	}
	if (x.too_big) {
		snprintf(err, errlen, "%s: connection %llu: its client sent "
		    "more than %llu bytes", path, (unsigned long long)conn,
		    (unsigned long long)REPLAY_BYTES_MAX);
		return -1;
	}
	rs->request_len = rs->frames[0].off;
	replay_side_sort(rs);
	rc_settle(&x);
	return 0;
}

/* replay --all: the connections that ended with a finding. */
struct rc_list {
	uint64_t *ids;
	size_t    n;
};

static void
rc_list_end(void *arg, const struct conn_summary *cs)
{
	struct rc_list *l = arg;

	if (!cs->websocket || !cs->handshake_seen ||
	    strcmp(cs->verdict, finding_class_names[CLASS_NONE]) == 0 ||
	    strcmp(cs->verdict, finding_class_names[CLASS_OPEN]) == 0 ||
	    strcmp(cs->verdict, finding_class_names[CLASS_NORMAL]) == 0)
		return;
	l->ids = rc_grow(l->ids, l->n, sizeof *l->ids);
	l->ids[l->n++] = cs->id;
}

static const struct sink_ops rc_list_sink = { .conn_end = rc_list_end };

static int
rc_id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
replay_capture_list(const char *const *paths, size_t npaths,
    const struct analysis_opts *opts, uint64_t **ids, size_t *n, char *err,
    size_t errlen)
{
	struct analysis_opts   o = *opts;
	struct rc_list         l = { NULL, 0 };
	struct analysis       *an;
	struct capture_summary sum;
	enum pipeline_result   r;

	o.jobs = 1;
	o.no_hash = 1;
	an = analysis_new(&o, &rc_list_sink, &l);
	r = analysis_run_set(an, paths, npaths, NULL, NULL, NULL, NULL, NULL,
	    NULL, &sum, err, errlen);
	analysis_free(an);
	/* Connections end out of order; they are replayed in it. */
	if (l.n > 1)
		qsort(l.ids, l.n, sizeof *l.ids, rc_id_cmp);
	*ids = l.ids;
	*n = l.n;
	return r == PIPELINE_OPEN_FAILED ? -1 : 0;
}

void
replay_side_frame(struct replay_side *rs, const struct ws_frame *f)
{
	struct replay_frame *rf;

	rs->frames = rc_grow(rs->frames, rs->nframes, sizeof *rs->frames);
	rf = &rs->frames[rs->nframes++];
	memset(rf, 0, sizeof *rf);
	rf->index = f->index;
	rf->off = f->offset;
	rf->len = f->hdr_len + (f->truncated ? f->seen_len : f->payload_len);
	rf->ts = f->ts;
	rf->first_pkt = f->first_pkt;
	rf->opcode = f->opcode;
	rf->fin = f->fin;
	rf->truncated = f->truncated;
	rf->rsv = f->rsv;
	rf->message_id = f->message_id;
	rf->payload_len = f->payload_len;
	rf->reaction = f->opcode == WS_OP_PONG;
}

void
replay_side_message(struct replay_side *rs, const struct ws_message *m,
    int keep)
{
	struct replay_message *rm;

	rs->messages = rc_grow(rs->messages, rs->nmessages,
	    sizeof *rs->messages);
	rm = &rs->messages[rs->nmessages++];
	memset(rm, 0, sizeof *rm);
	rm->id = m->id;
	rm->frames = m->frames;
	rm->opcode = m->opcode;
	rm->compressed = m->compressed;
	rm->whole = !m->incomplete && !m->headless && !m->gap &&
	    !m->undecoded && !m->inflate_capped &&
	    m->prefix_len == m->decoded_size &&
	    rs->payload_bytes + m->prefix_len <= REPLAY_BYTES_MAX;
	if (!rm->whole || m->opcode > WS_OP_BINARY || !keep)
		return;
	rm->len = m->prefix_len;
	rm->payload = xmalloc(m->prefix_len + 1);
	if (m->prefix_len > 0)
		memcpy(rm->payload, m->prefix, m->prefix_len);
	rs->payload_bytes += m->prefix_len;
}

void
replay_side_sort(struct replay_side *rs)
{
	/*
	 * A control frame inside a fragmented message ends before it. A
	 * message's id is its first member: rc_id_cmp reads it.
	 */
	if (rs->nmessages > 1)
		qsort(rs->messages, rs->nmessages, sizeof *rs->messages,
		    rc_id_cmp);
}

int
replay_frame_gapped(const struct replay_side *rs, const struct replay_frame *f)
{
	/* A frame cut by the end of the capture is sent as far as it went. */
	if (f->truncated && f->off + f->len < rs->len)
		return 1;
	return f->off + f->len > rs->len || (rs->has_gap &&
	    f->off < rs->gap_off + rs->gap_len && f->off + f->len > rs->gap_off);
}

void
replay_side_free(struct replay_side *rs)
{
	size_t i;

	for (i = 0; i < rs->nmessages; i++)
		free(rs->messages[i].payload);
	free(rs->messages);
	free(rs->bytes);
	free(rs->frames);
	memset(rs, 0, sizeof *rs);
}
