/*
 * http-exchange: one connection's HTTP/1.1 exchange up to the upgrade
 * (see http-exchange.h). Heads are parsed by http-upgrade.c, bodies
 * skipped by its body reader; nothing here parses bytes itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http-exchange.h"

struct http_exchange {
	const struct conn              *c;
	const struct http_exchange_ops *ops;
	void                           *arg;
	struct stage                    next;
	int                             passed;  /* upgraded: all goes to next */
	int                             upgrade_pending;
	uint64_t                        pending_reqs; /* requests not answered */
	/*
	 * A gap inside the exchange: that side's bytes are skipped from
	 * cut_off until WebSocket decoding starts, which is then told of
	 * them as one gap.
	 */
	int                             cut[2];
	uint64_t                        cut_off[2];
	uint64_t                        next_off[2];  /* after the last byte */
	uint64_t                        head_fed[2];  /* bytes of the head */
	int                             saw_101;  /* "HTTP/1.1 101" began */
	/* A head that did not parse, and whether its finding was said. */
	int                             bad[2], bad_said[2];
	uint64_t                        bad_pkt[2];
	struct wts                      bad_ts[2];
	struct http_parser             *hp[2];    /* by side */
	struct http_body                body[2];
	int                             in_body[2];
	struct http_head               *req, *resp;
	struct hs_result               *hs;
	struct stage_hold               hold;     /* client bytes before the 101 */
};

static void hx_data(void *, int, uint64_t, const uint8_t *, size_t, uint64_t,
		struct wts);
static void hx_gap(void *, int, uint64_t, uint64_t, uint64_t, struct wts);
static void hx_end(void *, int, int, uint64_t, struct wts);
static void hx_upgrade(struct http_exchange *, uint64_t, struct wts);
static void hx_upgrade_blind(struct http_exchange *, uint64_t, struct wts);
static void hx_pass(struct http_exchange *, enum ws_ext);
static void hx_skip_cut(struct http_exchange *, int, uint64_t, struct wts);
static void hx_bad_head(struct http_exchange *, int, uint64_t, uint64_t,
		struct wts);
static int  hx_upgrade_attempted(const struct http_exchange *);
static void hx_emit_bad_head(struct http_exchange *, int);
static void hx_hold(struct http_exchange *, uint64_t, const uint8_t *, size_t,
		uint64_t, struct wts);
static void hx_next_head(struct http_exchange *, int);

static const struct stage_ops hx_stage_ops = { hx_data, hx_gap, hx_end };

struct http_exchange *
http_exchange_new(const struct conn *c, const struct http_exchange_ops *ops,
    void *arg, struct stage next)
{
	struct http_exchange *x = xcalloc(1, sizeof *x);

	x->c = c;
	x->ops = ops;
	x->arg = arg;
	x->next = next;
	return x;
}

void
http_exchange_free(struct http_exchange *x)
{
	int i;

	if (x == NULL)
		return;
	for (i = 0; i < 2; i++)
		if (x->hp[i] != NULL)
			http_parser_free(x->hp[i]);
	free(x->req);
	free(x->resp);
	free(x->hs);
	stage_hold_drop(&x->hold);
	free(x);
}

struct stage
http_exchange_stage(struct http_exchange *x)
{
	struct stage st = { &hx_stage_ops, x };

	return st;
}

const struct http_head *
http_exchange_request(const struct http_exchange *x)
{
	return x != NULL ? x->req : NULL;
}

const struct http_head *
http_exchange_response(const struct http_exchange *x)
{
	return x != NULL ? x->resp : NULL;
}

const struct hs_result *
http_exchange_handshake(const struct http_exchange *x)
{
	return x != NULL ? x->hs : NULL;
}

/* The side's next head, on a keep-alive connection. */
static void
hx_next_head(struct http_exchange *x, int side)
{
	http_parser_reset(x->hp[side]);
	x->head_fed[side] = 0;
}

static void
hx_data(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	struct http_exchange   *x = arg;
	const struct http_head *h;
	int                     is_req = side == x->c->client;
	int                     done;
	size_t                  used;
	enum http_status        st;

	if (x->passed) {
		x->next.ops->data(x->next.arg, side, off, p, n, pkt, ts);
		return;
	}
	x->next_off[side] = off + n;
	while (n > 0 && !x->passed) {
		if (x->cut[side])
			return;
		if (is_req && x->upgrade_pending) {
			/* Frames sent before the 101 arrived wait for it. */
			hx_hold(x, off, p, n, pkt, ts);
			return;
		}
		if (x->in_body[side]) {
			used = http_body_feed(&x->body[side], p, n, &done);
			if (done)
				x->in_body[side] = 0;
			p += used;
			n -= used;
			off += used;
			continue;
		}
		if (x->hp[side] == NULL)
			x->hp[side] = http_parser_new(is_req);
		/* Enough to know an upgrade happened should the rest be lost. */
		if (!is_req && x->head_fed[side] == 0 && n >= 12 &&
		    memcmp(p, "HTTP/1.1 101", 12) == 0)
			x->saw_101 = 1;
		st = http_parser_feed(x->hp[side], p, n, &used);
		x->head_fed[side] += used;
		if (st == HTTP_ERROR) {
			hx_bad_head(x, side, off + used, pkt, ts);
			return;
		}
		p += used;
		n -= used;
		off += used;
		if (st == HTTP_NEED_MORE)
			return;
		h = http_parser_head(x->hp[side]);
		if (h->bad_bytes > 0 && !x->bad[side]) {
			/* Parsed, but with control bytes: say so in an upgrade. */
			x->bad[side] = 1;
			x->bad_pkt[side] = pkt;
			x->bad_ts[side] = ts;
			if (is_req ? strcasestr(h->upgrade, "websocket") != NULL :
			    x->upgrade_pending || h->status == 101)
				hx_emit_bad_head(x, side);
		}
		if (is_req) {
			if (strcasestr(h->upgrade, "websocket") != NULL) {
				if (x->req == NULL)
					x->req = xmalloc(sizeof *x->req);
				*x->req = *h;
				x->upgrade_pending = 1;
				x->ops->asked(x->arg);
			} else {
				http_body_init(&x->body[side], h, 0);
				x->in_body[side] = 1;
				x->pending_reqs++;
			}
			hx_next_head(x, side);
			continue;
		}
		/* A response: to an earlier pipelined request first. */
		if (x->pending_reqs > 0 && (h->status < 100 || h->status >= 200)) {
			x->pending_reqs--;
			http_body_init(&x->body[side], h, 0);
			x->in_body[side] = 1;
			hx_next_head(x, side);
			continue;
		}
		if (h->status == 101 &&
		    (x->upgrade_pending || x->cut[x->c->client])) {
			hx_emit_bad_head(x, x->c->client);
			if (x->resp == NULL)
				x->resp = xmalloc(sizeof *x->resp);
			*x->resp = *h;
			hx_upgrade(x, pkt, ts);
			if (x->passed && n > 0)
				x->next.ops->data(x->next.arg, side, off, p, n,
				    pkt, ts);
			return;
		}
		if (h->status >= 100 && h->status < 200 && h->status != 101) {
			hx_next_head(x, side);
			continue;
		}
		if (hx_upgrade_attempted(x) || h->status == 101) {
			/* A refused upgrade: record it, follow the exchange. */
			hx_emit_bad_head(x, x->c->client);
			if (x->resp == NULL)
				x->resp = xmalloc(sizeof *x->resp);
			*x->resp = *h;
			hx_upgrade(x, pkt, ts);
			if (x->passed)
				return;
		}
		http_body_init(&x->body[side], h, 0);
		x->in_body[side] = 1;
		hx_next_head(x, side);
	}
}

static void
hx_gap(void *arg, int side, uint64_t off, uint64_t len, uint64_t pkt,
    struct wts ts)
{
	struct http_exchange *x = arg;

	if (x->passed) {
		x->next.ops->gap(x->next.arg, side, off, len, pkt, ts);
		return;
	}
	/* This side's head cannot be followed past the gap. */
	if (!x->cut[side]) {
		x->cut[side] = 1;
		x->cut_off[side] = off;
	}
	x->next_off[side] = off + len;
	if (side != x->c->client) {
		if (x->saw_101)
			hx_upgrade_blind(x, pkt, ts);
		else
			/* The answer itself is lost: look for frames. */
			x->ops->lost(x->arg);
	}
}

static void
hx_end(void *arg, int side, int rst, uint64_t pkt, struct wts ts)
{
	struct http_exchange *x = arg;

	if (x->passed)
		x->next.ops->end(x->next.arg, side, rst, pkt, ts);
}

/* The connection is frames from now on: settings out, held bytes on. */
static void
hx_pass(struct http_exchange *x, enum ws_ext ext)
{
	x->upgrade_pending = 0;
	x->passed = 1;
	x->ops->upgraded(x->arg, ext, x->hs);
	stage_hold_replay(&x->hold, x->next.ops->data, x->next.arg,
	    x->c->client);
}

/* The response to an Upgrade request is complete: check and switch. */
static void
hx_upgrade(struct http_exchange *x, uint64_t pkt, struct wts ts)
{
	struct finding         f;
	const struct hs_issue *is;
	const struct rule     *r;
	int                    i;

	if (x->hs == NULL)
		x->hs = xmalloc(sizeof *x->hs);
	http_upgrade_check(x->req, x->resp, x->hs);
	for (i = 0; i < x->hs->nissues; i++) {
		is = &x->hs->issues[i];
		r = rule_get(is->rule);
		memset(&f, 0, sizeof f);
		f.kind = FINDING_HANDSHAKE;
		f.class = CLASS_HANDSHAKE;
		f.code = -1;
		f.sender = strcmp(is->side, "client") == 0 ? ROLE_CLIENT :
		    ROLE_SERVER;
		f.rule = is->rule;
		f.packet = pkt;
		f.frame_index = -1;
		f.limit_from_reason = -1;
		f.time = ts;
		snprintf(f.explanation, sizeof f.explanation, "%s",
		    r->explanation);
		snprintf(f.detail, sizeof f.detail, "expected %s; seen %s",
		    is->expected, is->seen);
		x->ops->finding(x->arg, &f);
	}
	x->upgrade_pending = 0;
	if (!x->hs->upgraded) {
		/* Client bytes held for the upgrade belong to HTTP again. */
		stage_hold_clear(&x->hold);
		return;
	}
	hx_pass(x, x->hs->deflate ? WS_EXT_DEFLATE : WS_EXT_NONE);
	hx_skip_cut(x, x->c->client, pkt, ts);
}

/*
 * A head that does not parse (an endless line, too many headers, a head
 * over 16 KiB): named as a finding, and the side skipped like a cut head,
 * so that a 101 that follows still turns the connection into frames and
 * nothing is dropped in silence.
 */
static void
hx_bad_head(struct http_exchange *x, int side, uint64_t off, uint64_t pkt,
    struct wts ts)
{
	if (x->cut[side])
		return;
	x->cut[side] = 1;
	x->cut_off[side] = off;
	x->bad_pkt[side] = pkt;
	x->bad_ts[side] = ts;
	x->bad[side] = 1;
	/* A head that cannot be parsed at all is an anomaly of its own. */
	hx_emit_bad_head(x, side);
	if (side != x->c->client) {
		if (x->saw_101)
			hx_upgrade_blind(x, pkt, ts);
		else if (!x->upgrade_pending && !x->cut[!side])
			x->ops->ignore(x->arg);
	}
}

/* An upgrade was asked for, even if its request did not parse whole. */
static int
hx_upgrade_attempted(const struct http_exchange *x)
{
	int client = x->c->client;

	return x->upgrade_pending || (x->cut[client] &&
	    x->hp[client] != NULL && strcasestr(http_parser_head(
	    x->hp[client])->upgrade, "websocket") != NULL);
}

static void
hx_emit_bad_head(struct http_exchange *x, int side)
{
	const struct rule *r = rule_get(RULE_MALFORMED_HTTP_HEAD);
	struct finding     f;

	if (!x->bad[side] || x->bad_said[side])
		return;
	x->bad_said[side] = 1;
	memset(&f, 0, sizeof f);
	f.kind = FINDING_HANDSHAKE;
	f.class = CLASS_HANDSHAKE;
	f.code = -1;
	f.sender = side == x->c->client ? ROLE_CLIENT : ROLE_SERVER;
	f.rule = RULE_MALFORMED_HTTP_HEAD;
	f.packet = x->bad_pkt[side];
	f.frame_index = -1;
	f.limit_from_reason = -1;
	f.time = x->bad_ts[side];
	snprintf(f.explanation, sizeof f.explanation, "%s", r->explanation);
	snprintf(f.detail, sizeof f.detail, "%s",
	    http_parser_error(x->hp[side]));
	x->ops->finding(x->arg, &f);
}

/* Tells the next stage of the bytes skipped since the side's head was cut. */
static void
hx_skip_cut(struct http_exchange *x, int side, uint64_t pkt, struct wts ts)
{
	if (!x->cut[side])
		return;
	x->next.ops->gap(x->next.arg, side, x->cut_off[side],
	    x->next_off[side] - x->cut_off[side], pkt, ts);
	x->cut[side] = 0;
}

/*
 * The server's 101 began but its end was lost: decode what follows as
 * frames, extensions unknown, each decoder resynchronising past the gap.
 */
static void
hx_upgrade_blind(struct http_exchange *x, uint64_t pkt, struct wts ts)
{
	int client = x->c->client;

	hx_pass(x, WS_EXT_UNKNOWN);
	hx_skip_cut(x, client, pkt, ts);
	hx_skip_cut(x, !client, pkt, ts);
}

/* Keeps client bytes that arrive before the 101, bounded. */
static void
hx_hold(struct http_exchange *x, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	if (stage_hold_full(&x->hold, n)) {
		/* Too much before the answer: decode without knowing it. */
		hx_pass(x, WS_EXT_UNKNOWN);
		x->next.ops->data(x->next.arg, x->c->client, off, p, n, pkt,
		    ts);
		return;
	}
	stage_hold_add(&x->hold, off, p, n, pkt, ts);
}
