/*
 * session: from reassembled TCP bytes to WebSocket events.
 *
 * Detection is by content, not port: an HTTP/1.1 Upgrade exchange, or
 * for streams picked up after the handshake, bytes that parse as a run of
 * plausible frames (or any bytes on a --ws-port). Nothing about a
 * connection is kept past its end but what the sink was given.
 *
 * Once its first bytes tell what a connection is, sess_chain builds its
 * chain of stages (stage.h), one line per stage, and from then on every
 * byte and gap goes to the chain's head: no dispatch on a state. The
 * last stage is this file's, feeding the two WebSocket decoders.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "capture-set.h"
#include "capture.h"
#include "http-exchange.h"
#include "size-limits.h"
#include "rules.h"
#include "session-int.h"
#include "tls.h"
#include "verdict.h"

static void sess_open(void *, struct conn *);
static void sess_data(void *, struct conn *, int, uint64_t, const uint8_t *,
		size_t, uint64_t, struct wts);
static void sess_gap(void *, struct conn *, int, uint64_t, uint64_t,
		uint64_t, struct wts);
static void sess_end(void *, struct conn *, int, int, uint64_t, struct wts);
static void sess_close(void *, struct conn *);
static void sess_chain(struct sess *, enum sess_kind);
static void sess_head(struct sess *, const struct stage_ops *);
static void sess_detect(void *, int, uint64_t, const uint8_t *, size_t,
		uint64_t, struct wts);
static void sess_no_data(void *, int, uint64_t, const uint8_t *, size_t,
		uint64_t, struct wts);
static void sess_ws_data(void *, int, uint64_t, const uint8_t *, size_t,
		uint64_t, struct wts);
static void sess_ws_gap(void *, int, uint64_t, uint64_t, uint64_t,
		struct wts);
static void sess_ws_end(void *, int, int, uint64_t, struct wts);
static void sess_tap_data(void *, int, uint64_t, const uint8_t *, size_t,
		uint64_t, struct wts);
static void sess_tap_gap(void *, int, uint64_t, uint64_t, uint64_t,
		struct wts);
static void sess_tap_end(void *, int, int, uint64_t, struct wts);
static void sess_hx_finding(void *, struct finding *);
static void sess_hx_asked(void *);
static void sess_hx_upgraded(void *, enum ws_ext, const struct hs_result *);
static void sess_hx_lost(void *);
static void sess_hx_ignore(void *);
static void sess_start_ws(struct sess *, int);
static int  sess_forced_port(const struct sess *);
static int  sess_ws_port_sides(const struct sess *);
static int  sess_guess_client(const struct sess *, int, int, int);
static void sess_probe_hold(struct sess *, int, uint64_t, const uint8_t *,
		size_t, uint64_t, struct wts);
static void sess_probe_settle(struct sess *);
static void sess_side_start(struct sess *, int, const uint8_t *, size_t);
static void sess_ws_frame(void *, const struct ws_frame *);
static void sess_ws_feed(struct sess *, int, uint64_t, const uint8_t *, size_t,
    uint64_t, struct wts);
static void sess_ws_feed_fn(void *, int, uint64_t, const uint8_t *, size_t,
    uint64_t, struct wts);
static void sess_frame_packets(const struct sess *, int, const struct ws_frame *,
    char *, size_t);
static void sess_note_viol(struct role_state *, enum rule_id,
    const struct ws_frame *);
static void sess_ws_message(void *, const struct ws_message *);
static void sess_ws_finding(void *, const struct ws_finding *);
static void sess_free(struct sess *);
static int  sess_role(const struct sess *, int);
static uint64_t sess_server_key(const struct sess *);
static void sess_emit(struct sess *, struct finding *);
static void sess_verdict_emit(void *, struct finding *);
static void sess_history_fill(struct sess *);
static void sess_tls_finding(void *, int, struct finding *);
static void sess_tls_summary(struct sess *, struct conn_summary *);
static void sess_doubt(struct sess *, int, struct role_state *);
static void sess_pend_decide(struct sess *, int, const struct ws_frame *);
static void sess_pend_release(struct sess *, int, enum tolerance);
static const struct wts *sess_later(const struct wts *, int,
    const struct wts *, int);
static void sess_ping_frame(struct sess *, int, const struct ws_frame *);

const struct stream_ops session_stream_ops = {
	sess_open, sess_data, sess_gap, sess_end, sess_close
};

static const struct ws_ops sess_ws_ops = {
	sess_ws_frame, sess_ws_message, sess_ws_finding
};

/* The first bytes, until they tell what the connection is. */
static const struct stage_ops sess_detect_ops = {
	sess_detect, stage_no_gap, stage_no_end
};
/* Neither HTTP nor WebSocket: nothing more is looked at. */
static const struct stage_ops sess_drop_ops = {
	sess_no_data, stage_no_gap, stage_no_end
};
/* The last stage: frames, to a WebSocket decoder per side. */
static const struct stage_ops sess_ws_stage_ops = {
	sess_ws_data, sess_ws_gap, sess_ws_end
};

/* In front of the HTTP or WebSocket stage, with an analysis tap. */
static const struct stage_ops sess_tap_ops = {
	sess_tap_data, sess_tap_gap, sess_tap_end
};

static const struct tls_ops sess_tls_ops = { sess_tls_finding };

static const struct http_exchange_ops sess_hx_ops = {
	sess_hx_finding, sess_hx_asked, sess_hx_upgraded, sess_hx_lost,
	sess_hx_ignore
};

static int
sess_role(const struct sess *s, int side)
{
	return side == s->c->client ? ROLE_CLIENT : ROLE_SERVER;
}

/* The connection's server (address and port), as a key of size-limits.c. */
static uint64_t
sess_server_key(const struct sess *s)
{
	const struct conn *c = s->c;
	uint64_t           k = 1469598103934665603ULL;
	unsigned           i, n, side = !c->client;

	n = c->family == 6 ? 16 : 4;
	for (i = 0; i < n; i++)
		k = (k ^ c->addr[side][i]) * 1099511628211ULL;
	return (k ^ c->port[side]) * 1099511628211ULL;
}

static void
sess_emit(struct sess *s, struct finding *f)
{
	f->conn_id = s->c->id;
	limits_render(f);
	s->findings++;
	if (f->kind == FINDING_HANDSHAKE)
		s->hs_findings++;
	s->interesting = 1;
	s->an->sum->findings++;
	s->an->sum->by_class[(unsigned)f->class < FINDING_CLASSES ? f->class :
	    CLASS_OTHER]++;
	if (s->an->sink->finding != NULL)
		s->an->sink->finding(s->an->sink_ctx, f);
}

static void
sess_open(void *arg, struct conn *c)
{
	struct sess *s = xcalloc(1, sizeof *s);
	int          r;

	s->an = arg;
	s->c = c;
	s->in = &s->head;
	sess_head(s, &sess_detect_ops);
	for (r = 0; r < 2; r++) {
		s->hist.rs[r].close_code = -1;
		s->hist.rs[r].idle_ns = s->hist.rs[r].idle_data_ns = -1;
		s->cb[r].s = s;
		s->cb[r].side = r;
	}
	c->user = s;
}

/*
 * Detection and dropping are stages of the session itself: the
 * argument is the session, whatever stage it was before (the HTTP
 * exchange hands back a connection whose answer was lost). They sit at
 * the head, or behind the TLS stage.
 */
static void
sess_head(struct sess *s, const struct stage_ops *ops)
{
	s->in->ops = ops;
	s->in->arg = s;
}

/*
 * The chain of stages behind the detection, built here and nowhere else,
 * one line per stage from the last to the first; each stage is given the
 * one after it. The TLS stage (tls.c: ClientHello -> key log -> records
 * -> plaintext, the same interface) is the kind SESS_TLS: it goes at the
 * head, with the detection running again on the plaintext it passes on,
 * so a wss:// connection is told, and decoded, as a ws:// one.
 */
static void
sess_chain(struct sess *s, enum sess_kind kind)
{
	struct stage st = { &sess_ws_stage_ops, s };        /* ws frames, x2 */

	if (kind == SESS_TLS) {      /* tls, then detection again behind it */
		s->tls = tls_stage_new(s->an->keylog, &sess_tls_ops, s,
		    s->c->client);
		s->head = tls_stage(s->tls);
		s->in = tls_stage_next(s->tls);
		sess_head(s, &sess_detect_ops);
		s->interesting = 1;
		return;
	}
	if (kind == SESS_HTTP) {                            /* http/1.1 */
		if (s->hx == NULL)
			s->hx = http_exchange_new(s->c, &sess_hx_ops, s, st);
		st = http_exchange_stage(s->hx);
	}
	if (s->an->opts.tap != NULL) {                      /* a tap */
		s->tapped = st;
		st = (struct stage){ &sess_tap_ops, s };
	}
	*s->in = st;
}

static void
sess_tap_data(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	struct sess               *s = arg;
	const struct analysis_tap *t = s->an->opts.tap;

	t->data(t->arg, s->c->id, sess_role(s, side), off, p, n, ts);
	s->tapped.ops->data(s->tapped.arg, side, off, p, n, pkt, ts);
}

static void
sess_tap_gap(void *arg, int side, uint64_t off, uint64_t len, uint64_t pkt,
    struct wts ts)
{
	struct sess               *s = arg;
	const struct analysis_tap *t = s->an->opts.tap;

	t->gap(t->arg, s->c->id, sess_role(s, side), off, len);
	s->tapped.ops->gap(s->tapped.arg, side, off, len, pkt, ts);
}

static void
sess_tap_end(void *arg, int side, int rst, uint64_t pkt, struct wts ts)
{
	struct sess *s = arg;

	s->tapped.ops->end(s->tapped.arg, side, rst, pkt, ts);
}

/* What the TLS stage learned, for the connection's row and the counts. */
static void
sess_tls_summary(struct sess *s, struct conn_summary *cs)
{
	const struct tls_info *ti;
	struct role_state     *rs;
	int                    side;

	if (s->tls == NULL)
		return;
	ti = tls_stage_info(s->tls);
	for (side = 0; side < 2; side++) {
		rs = &s->hist.rs[sess_role(s, side)];
		if (ti->alert[side].level == 0)
			continue;
		rs->tls_alert = tls_alert_name(ti->alert[side].desc);
		if (rs->tls_alert == NULL)
			rs->tls_alert = "(unknown description)";
		rs->tls_alert_fatal = ti->alert[side].level == 2;
		rs->tls_alert_pkt = ti->alert[side].pkt;
	}
	cs->tls_version = ti->version != NULL ? ti->version : "unknown";
	snprintf(cs->tls_cipher, sizeof cs->tls_cipher, "%s",
	    ti->cipher != NULL ? ti->cipher : "");
	snprintf(cs->tls_sni, sizeof cs->tls_sni, "%s", ti->sni);
	snprintf(cs->tls_alpn, sizeof cs->tls_alpn, "%s", ti->alpn);
	cs->tls_decrypted = ti->decrypted;
	snprintf(cs->tls_keylog, sizeof cs->tls_keylog, "%s",
	    ti->keylog != NULL ? ti->keylog : "");
	s->an->sum->tls_connections++;
	if (ti->keylog == NULL)
		s->an->sum->tls_no_keys++;
	if (strcmp(ti->alpn, "h2") == 0 && !ti->alpn_offered)
		s->an->sum->tls_h2++;
}

static void
sess_tls_finding(void *arg, int side, struct finding *f)
{
	struct sess *s = arg;

	f->sender = sess_role(s, side);
	sess_emit(s, f);
}

/* Which ends sit on a --ws-port: bit 0 side 0, bit 1 side 1. */
static int
sess_ws_port_sides(const struct sess *s)
{
	int i, on = 0;

	for (i = 0; i < s->an->opts.n_ws_ports; i++) {
		if (s->c->port[0] == s->an->opts.ws_ports[i])
			on |= 1;
		if (s->c->port[1] == s->an->opts.ws_ports[i])
			on |= 2;
	}
	return on;
}

static int
sess_forced_port(const struct sess *s)
{
	return sess_ws_port_sides(s) != 0;
}

static void
sess_data(void *arg, struct conn *c, int side, uint64_t off,
    const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	struct sess *s = c->user;

	(void)arg;
	if (n > 0) {
		s->hist.rs[sess_role(s, side)].has_byte = 1;
		s->hist.rs[sess_role(s, side)].last_byte_ts = ts;
	}
	s->head.ops->data(s->head.arg, side, off, p, n, pkt, ts);
}

static void
sess_ws_data(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	struct sess *s = arg;

	if (s->ws[side] == NULL && s->midstream_ws && !s->probe)
		sess_side_start(s, side, p, n);
	if (s->ws[side] != NULL) {
		sess_ws_feed(s, side, off, p, n, pkt, ts);
		if (s->probing)
			sess_probe_settle(s);
	} else if (s->probe)
		sess_probe_hold(s, side, off, p, n, pkt, ts);
}

static void
sess_ws_gap(void *arg, int side, uint64_t off, uint64_t len, uint64_t pkt,
    struct wts ts)
{
	struct sess *s = arg;

	(void)pkt;
	(void)ts;
	if (s->ws[side] != NULL) {
		ws_dir_gap(s->ws[side], off, len);
		if (s->probing)
			sess_probe_settle(s);
	}
}

static void
sess_ws_end(void *arg, int side, int rst, uint64_t pkt, struct wts ts)
{
	struct sess *s = arg;

	(void)rst;
	(void)pkt;
	(void)ts;
	if (s->ws[side] != NULL) {
		ws_dir_end(s->ws[side]);
		if (s->probing)
			sess_probe_settle(s);
	}
}

static void
sess_no_data(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	(void)arg;
	(void)side;
	(void)off;
	(void)p;
	(void)n;
	(void)pkt;
	(void)ts;
}

/*
 * Feeds what a side held while undecided to the stage that took
 * detection's slot, now that the chain is built.
 */
static void
sess_flush_pre(struct sess *s, struct stage *slot, int side)
{
	uint8_t buf[SESS_PRE];
	size_t  n = s->pre_len[side];

	if (n == 0)
		return;
	memcpy(buf, s->pre[side], n);
	s->pre_len[side] = 0;
	slot->ops->data(slot->arg, side, s->pre_off[side], buf, n,
	    s->pre_pkt[side], s->pre_ts[side]);
}

/*
 * The client of frames seen without a handshake. Decoding forced on a
 * port says it: the server is the end on that port. Otherwise clients
 * mask and servers do not; bytes that are not frames say nothing, and
 * the side that spoke first is taken for the server.
 */
static int
sess_guess_client(const struct sess *s, int side, int plausible, int masked)
{
	int on = sess_ws_port_sides(s);

	/* The server is the end on the port (side 0 on it: side 1 is the client). */
	if (on == 1 || on == 2)
		return on == 1 ? 1 : 0;
	if (!plausible)
		return !side;
	return masked ? side : !side;
}

/*
 * While the probe runs, the other side's bytes wait, bounded. Past the
 * bound they decide instead: frames from the other end (the other MASK
 * bit) confirm the connection, anything else ends the guess.
 */
static void
sess_probe_hold(struct sess *s, int side, uint64_t off, const uint8_t *p,
    size_t n, uint64_t pkt, struct wts ts)
{
	const uint8_t *q = s->hold.len > 0 ? s->hold.buf : p;
	size_t         qn = s->hold.len > 0 ? s->hold.len : n;
	int            m = -1;

	if (stage_hold_full(&s->hold, n)) {
		(void)ws_looks_like_frames(q, qn, &m);   /* m stays -1 when not */
		if (m == !s->probe_masked) {
			ws_dir_confirm(s->ws[s->probe_side]);
		} else {
			ws_dir_free(s->ws[s->probe_side]);
			s->ws[s->probe_side] = NULL;
		}
		sess_probe_settle(s);
		s->in->ops->data(s->in->arg, side, off, p, n, pkt, ts);
		return;
	}
	stage_hold_add(&s->hold, off, p, n, pkt, ts);
}

/*
 * A side's decoder on bytes picked up mid-stream: from a frame boundary
 * if they start with frames of that side's MASK, on a guess to confirm
 * if one header runs past them, else searching for a boundary.
 */
static void
sess_side_start(struct sess *s, int side, const uint8_t *p, size_t n)
{
	int m = -1, k;

	k = ws_looks_like_frames(p, n, &m);
	if (k != 0 && m != (sess_role(s, side) == ROLE_CLIENT))
		k = 0;
	sess_start_ws(s, side);
	if (k == 2) {
		ws_dir_probe(s->ws[side]);
		s->probing |= 1 << side;
	} else if (k == 0) {
		ws_dir_resync(s->ws[side]);
	}
}

/*
 * After a probing decoder moved. Confirmed: decoding goes on, and if the
 * connection rested on it, the other side starts from its first held
 * byte. Refused: if the connection rested on it, it was not WebSocket and
 * nothing of it was said; else that side searches for a boundary.
 */
static void
sess_probe_settle(struct sess *s)
{
	enum ws_dir_state st;
	int               side;

	for (side = 0; side < 2; side++) {
		if (!(s->probing & (1 << side)))
			continue;
		st = s->ws[side] != NULL ? ws_dir_state(s->ws[side]) :
		    WS_DIR_REFUSED;
		if (st == WS_DIR_PROBE)
			continue;
		s->probing &= ~(1 << side);
		if (s->probe && side == s->probe_side) {
			s->probe = 0;
			if (st == WS_DIR_REFUSED) {
				ws_dir_free(s->ws[side]);
				s->ws[side] = NULL;
				s->probing = 0;
				s->midstream_ws = 0;
				s->ext = WS_EXT_NONE;
				s->is_ws = 0;
				sess_head(s, &sess_drop_ops);
				s->interesting = s->findings > 0;
				stage_hold_drop(&s->hold);
				return;
			}
			if (s->hold.nchunks > 0) {
				sess_side_start(s, !side, s->hold.buf,
				    s->hold.len);
				stage_hold_replay(&s->hold, sess_ws_feed_fn, s,
				    !side);
				if (s->hist.rs[sess_role(s, !side)].ended)
					ws_dir_end(s->ws[!side]);
			}
			continue;
		}
		if (st == WS_DIR_REFUSED) {
			ws_dir_free(s->ws[side]);
			s->ws[side] = NULL;
			sess_start_ws(s, side);
			ws_dir_resync(s->ws[side]);
		}
	}
}

static void
sess_detect(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	struct sess   *s = arg;
	struct conn   *c = s->c;
	struct stage  *slot = s->in;
	int            masked = 0, plausible;
	uint8_t        look[64];
	const uint8_t *lp = p;
	size_t         ln = n, held = s->pre_len[side], k;

	/* Decide on what was held and what follows it. */
	if (held > 0 && off == s->pre_off[side] + held) {
		k = n < sizeof look - held ? n : sizeof look - held;
		memcpy(look, s->pre[side], held);
		memcpy(look + held, p, k);
		lp = look;
		ln = held + k;
	} else if (held > 0) {
		s->pre_len[side] = held = 0;	/* lost in a gap */
	}
	if (!sess_forced_port(s) && http_undecided(lp, ln)) {
		memcpy(s->pre[side] + held, p, n);
		if (held == 0) {
			s->pre_off[side] = off;
			s->pre_pkt[side] = pkt;
			s->pre_ts[side] = ts;
		}
		s->pre_len[side] = held + n;
		return;
	}
	if (s->tls == NULL && tls_looks_like_hello(lp, ln)) {
		if (c->flags & CONN_ROLE_GUESS)
			conn_set_client(c, side);
		sess_chain(s, SESS_TLS);
	} else if (s->tls == NULL && tls_looks_like_record(lp, ln)) {
		/*
		 * Picked up after the handshake: TLS, without its keys. With
		 * no SYN to tell, the end on the lower port is the server
		 * (clients take ephemeral ports).
		 */
		if ((c->flags & CONN_ROLE_GUESS) && c->port[0] != c->port[1])
			conn_set_client(c, c->port[1] > c->port[0]);
		sess_chain(s, SESS_TLS);
	} else if (s->tls != NULL && ln >= 3 && memcmp(lp, "PRI", 3) == 0 &&
	    strcmp(tls_stage_info(s->tls)->alpn, "h2") == 0) {
		/* HTTP/2 (ALPN h2): named by its ALPN, not decoded here. */
		sess_head(s, &sess_drop_ops);
		s->pre_len[0] = s->pre_len[1] = 0;
		return;
	} else if (http_looks_like_request(lp, ln)) {
		if (c->flags & CONN_ROLE_GUESS)
			conn_set_client(c, side);
		sess_chain(s, SESS_HTTP);
	} else if (http_looks_like_response(lp, ln)) {
		/* The request was not captured; the responder is the server. */
		if (c->flags & CONN_ROLE_GUESS)
			conn_set_client(c, !side);
		sess_chain(s, SESS_HTTP);
	} else if ((plausible = ws_looks_like_frames(lp, ln, &masked)) ||
	    sess_forced_port(s)) {
		if (c->flags & CONN_ROLE_GUESS)
			conn_set_client(c, sess_guess_client(s, side, plausible,
			    masked));
		s->ext = WS_EXT_UNKNOWN;
		s->is_ws = 1;
		s->midstream_ws = 1;
		sess_chain(s, SESS_FRAMES);
		/*
		 * Forced on a port, bytes that do not start with frames are
		 * the middle of one: a boundary is searched for rather than
		 * the peer blamed for garbage. The other side decides on its
		 * own first bytes.
		 */
		sess_side_start(s, side, lp, ln);
		if (plausible == 2 && !sess_forced_port(s) &&
		    (s->probing & (1 << side))) {
			/* The connection rests on this one header. */
			s->probe = 1;
			s->probe_side = side;
			s->probe_masked = masked;
		}
	} else {
		sess_head(s, &sess_drop_ops);
		s->pre_len[0] = s->pre_len[1] = 0;
		return;
	}
	/* Held bytes first (this side's, then the other's), then these. */
	sess_flush_pre(s, slot, side);
	sess_flush_pre(s, slot, !side);
	slot->ops->data(slot->arg, side, off, p, n, pkt, ts);
}

static void
sess_hx_finding(void *arg, struct finding *f)
{
	sess_emit(arg, f);
}

static void
sess_hx_asked(void *arg)
{
	struct sess *s = arg;

	s->interesting = 1;
}

/* The exchange switched to frames: both decoders, with its settings. */
static void
sess_hx_upgraded(void *arg, enum ws_ext ext, const struct hs_result *hs)
{
	struct sess *s = arg;

	s->ext = ext;
	s->hs = hs;
	s->is_ws = 1;
	sess_start_ws(s, !s->c->client);
	sess_start_ws(s, s->c->client);
}

/* The answer was lost: what follows is told by its first bytes again. */
static void
sess_hx_lost(void *arg)
{
	struct sess *s = arg;

	sess_head(s, &sess_detect_ops);
}

static void
sess_hx_ignore(void *arg)
{
	struct sess *s = arg;

	sess_head(s, &sess_drop_ops);
}

static void
sess_start_ws(struct sess *s, int side)
{
	struct ws_config cfg = s->an->opts.ws;
	int              role;

	if (s->ws[side] != NULL)
		return;
	role = sess_role(s, side);
	cfg.role = role == ROLE_CLIENT ? WS_ROLE_CLIENT : WS_ROLE_SERVER;
	if (role == ROLE_CLIENT && s->an->opts.whole_client != 0 &&
	    s->c->id == s->an->opts.whole_client)
		cfg.payload_cap = WS_PAYLOAD_CAP_MAX;
	cfg.ext = s->ext;
	if (s->ext == WS_EXT_DEFLATE && s->hs != NULL) {
		if (role == ROLE_SERVER) {
			cfg.inflate_window_bits = s->hs->pmd.server_max_window_bits;
			cfg.no_context_takeover =
			    s->hs->pmd.server_no_context_takeover;
		} else {
			cfg.inflate_window_bits = s->hs->pmd.client_max_window_bits;
			cfg.no_context_takeover =
			    s->hs->pmd.client_no_context_takeover;
		}
		if (cfg.inflate_window_bits < 8 || cfg.inflate_window_bits > 15)
			cfg.inflate_window_bits = 15;
	}
	s->ws[side] = ws_dir_new(&cfg, &sess_ws_ops, &s->cb[side],
	    &s->an->shared);
	s->interesting = 1;
}

static void
sess_gap(void *arg, struct conn *c, int side, uint64_t off, uint64_t len,
    uint64_t pkt, struct wts ts)
{
	struct sess       *s = c->user;
	struct role_state *rs = &s->hist.rs[sess_role(s, side)];

	(void)arg;
	if (rs->gaps++ == 0) {
		rs->first_gap_pkt = pkt;
		rs->first_gap_ts = ts;
	}
	rs->gap_bytes += len;
	rs->snap_gaps = c->dir[side].snap_gaps;
	s->head.ops->gap(s->head.arg, side, off, len, pkt, ts);
}

static void
sess_end(void *arg, struct conn *c, int side, int rst, uint64_t pkt,
    struct wts ts)
{
	struct sess       *s = c->user;
	int                role = sess_role(s, side);
	struct role_state *rs = &s->hist.rs[role];
	const struct role_state *a = &s->hist.rs[0], *b = &s->hist.rs[1];
	const struct wts  *last;

	(void)arg;
	/* The quiet time before this end, from either side's last byte. */
	last = sess_later(&a->last_byte_ts, a->has_byte, &b->last_byte_ts,
	    b->has_byte);
	if (last != NULL && !rs->ended)
		rs->idle_ns = wts_ns_between(*last, ts);
	last = sess_later(&a->last_data_frame_ts, a->has_data_frame,
	    &b->last_data_frame_ts, b->has_data_frame);
	if (last != NULL && !rs->ended)
		rs->idle_data_ns = wts_ns_between(*last, ts);
	/* Ending TCP with no close fails the peer's violations still held. */
	while (s->hist.rs[!role].npend > 0)
		sess_pend_release(s, !role, rs->close_sent ? TOL_UNKNOWN :
		    TOL_FAILED);
	rs->ended = 1;
	rs->rst = rst;
	rs->end_pkt = pkt;
	rs->end_ts = ts;
	s->head.ops->end(s->head.arg, side, rst, pkt, ts);
}

/* The later of two times, each there or not; NULL when neither is. */
static const struct wts *
sess_later(const struct wts *a, int has_a, const struct wts *b, int has_b)
{
	if (!has_a || !has_b)
		return has_a ? a : has_b ? b : NULL;
	return wts_ns_between(*b, *a) > 0 ? a : b;
}

static void
sess_close(void *arg, struct conn *c)
{
	struct analysis    *an = arg;
	struct sess        *s = c->user;
	struct conn_summary cs;
	int                 side, r;

	if (s->probe) {
		/* The stream stops here: a probe not contradicted holds. */
		ws_dir_end(s->ws[s->probe_side]);
		sess_probe_settle(s);
	}
	for (side = 0; side < 2; side++)
		if (s->ws[side] != NULL && !s->hist.rs[sess_role(s, side)].ended)
			ws_dir_end(s->ws[side]);
	/*
	 * Violations no close decided: the capture ends first. Those the
	 * peer sent frames after were carried on.
	 */
	for (r = 0; r < 2; r++)
		while (s->hist.rs[r].npend > 0)
			sess_pend_release(s, r, s->hist.rs[r].pend[0].tolerance
			    == TOL_CARRIED_ON ? TOL_CARRIED_ON : TOL_UNKNOWN);
	if (s->is_ws || s->interesting) {
		memset(&cs, 0, sizeof cs);
		cs.id = c->id;
		packet_endpoint(c->family, c->addr[c->client],
		    c->port[c->client], cs.client, sizeof cs.client);
		packet_endpoint(c->family, c->addr[!c->client],
		    c->port[!c->client], cs.server, sizeof cs.server);
		cs.first_ts = c->first_ts;
		cs.last_ts = c->last_ts;
		cs.first_pkt = c->first_pkt;
		cs.last_pkt = c->last_pkt;
		cs.websocket = s->ws[0] != NULL || s->ws[1] != NULL;
		cs.handshake_seen = http_exchange_handshake(s->hx) != NULL;
		cs.midstream = (c->flags & CONN_MIDSTREAM) != 0;
		cs.role_guessed = (c->flags & CONN_ROLE_GUESS) != 0;
		cs.request = http_exchange_request(s->hx);
		cs.response = http_exchange_response(s->hx);
		cs.handshake = http_exchange_handshake(s->hx);
		cs.extensions_state = s->ext == WS_EXT_DEFLATE ?
		    "permessage-deflate" : s->ext == WS_EXT_UNKNOWN ?
		    "unknown" : "none";
		for (side = 0; side < 2; side++) {
			r = sess_role(s, side);
			cs.bytes[r] = c->dir[side].bytes;
			cs.frames[r] = s->hist.rs[r].frames;
			cs.messages[r] = s->hist.rs[r].messages;
			cs.gaps[r] = c->dir[side].gaps;
			cs.gap_bytes[r] = c->dir[side].gap_bytes;
			cs.close_code[r] = s->hist.rs[r].close_code;
			memcpy(cs.close_reason[r], s->hist.rs[r].reason,
			    sizeof cs.close_reason[r]);
			cs.close_reason_len[r] = s->hist.rs[r].reason_len;
		}
		/* A side whose framing was given up or never trusted again
		 * may have sent a close that could not be seen. */
		for (side = 0; side < 2; side++)
			if (s->ws[side] != NULL &&
			    (ws_dir_stats(s->ws[side])->stopped !=
			    WS_STOP_NONE || s->hist.rs[sess_role(s, side)].distrust))
				s->hist.rs[sess_role(s, side)].blind = 1;
		cs.tcp_end = conn_end_name(c->end);
		cs.end_packet = c->end_pkt;
		sess_tls_summary(s, &cs);
		sess_history_fill(s);
		verdict_conn_end(&s->hist, an->limits, sess_verdict_emit, s,
		    &cs);
		if (cs.websocket)
			an->sum->ws_connections++;
		if (an->sink->conn_end != NULL)
			an->sink->conn_end(an->sink_ctx, &cs);
	}
	sess_free(s);
	c->user = NULL;
}

/* What the verdict reads besides the roles' rings, at the end. */
static void
sess_history_fill(struct sess *s)
{
	struct conn_history *h = &s->hist;
	int                  side;

	h->handshake_seen = http_exchange_handshake(s->hx) != NULL;
	h->ext = s->ext;
	h->req = http_exchange_request(s->hx);
	h->resp = http_exchange_response(s->hx);
	h->server_key = sess_server_key(s);
	for (side = 0; side < 2; side++)
		if (s->ws[side] != NULL)
			h->resync_skipped[sess_role(s, side)] =
			    ws_dir_stats(s->ws[side])->resync_skipped;
	h->findings = s->findings;
	h->hs_findings = s->hs_findings;
}

static void
sess_verdict_emit(void *arg, struct finding *f)
{
	sess_emit(arg, f);
}

static void
sess_free(struct sess *s)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (s->ws[i] != NULL)
			ws_dir_free(s->ws[i]);
		free(s->hist.rs[i].hf);
		free(s->hist.rs[i].hv);
		free(s->hist.rs[i].pend);
		ping_free(&s->hist.rs[i].ping);
	}
	http_exchange_free(s->hx);
	tls_stage_free(s->tls);
	stage_hold_drop(&s->hold);
	free(s->span[0]);
	free(s->span[1]);
	free(s);
}

/* A new resynchronisation of the side's decoder starts a doubt. */
static void
sess_doubt(struct sess *s, int side, struct role_state *rs)
{
	const struct ws_dir_stats *st = ws_dir_stats(s->ws[side]);

	if (st->resyncs > rs->resyncs_seen) {
		rs->resyncs_seen = st->resyncs;
		rs->distrust = 1;
		rs->clean_run = 0;
	}
}

static void
sess_ws_frame(void *arg, const struct ws_frame *f)
{
	struct analysis_ctx_side *cb = arg;
	struct sess              *s = cb->s;
	int                       role = sess_role(s, cb->side);
	struct role_state        *rs = &s->hist.rs[role];
	struct hist_frame        *h;

	rs->frames++;
	s->an->sum->frames++;
	sess_doubt(s, cb->side, rs);
	if (rs->distrust) {
		if (rs->dirty_frame == f->index + 1)
			rs->clean_run = 0;
		else if (++rs->clean_run >= TRUST_RUN)
			rs->distrust = 0;
	}
	/* Control frames between fragments do not touch the data message. */
	if (!WS_OP_IS_CONTROL(f->opcode)) {
		if (!rs->in_msg || rs->cur_msg_id != f->message_id) {
			rs->cur_msg_id = f->message_id;
			rs->cur_msg_wire = 0;
			rs->in_msg = 1;
		}
		if (rs->cur_msg_wire + f->payload_len >= rs->cur_msg_wire)
			rs->cur_msg_wire += f->payload_len;
	}
	if (rs->hf == NULL)
		rs->hf = xmalloc(HIST_FRAMES * sizeof *rs->hf);
	h = &rs->hf[rs->nhf++ % HIST_FRAMES];
	memset(h, 0, sizeof *h);
	h->index = f->index;
	h->first_pkt = f->first_pkt;
	h->ts = f->ts;
	h->payload_len = f->payload_len;
	h->message_id = f->message_id;
	h->msg_wire = WS_OP_IS_CONTROL(f->opcode) ? f->payload_len :
	    rs->cur_msg_wire;
	h->max_msg_before = rs->max_msg;
	h->max_frame_before = rs->max_frame;
	h->opcode = f->opcode;
	h->fin = f->fin;
	/*
	 * A non-minimal length is reported only with --strict, but Netty
	 * fails the connection on it: kept where a close can find its cause.
	 */
	if (f->non_minimal && !s->an->opts.ws.strict)
		sess_note_viol(rs, RULE_NON_MINIMAL_LENGTH, f);
	if (!f->truncated && f->payload_len > rs->max_frame &&
	    !WS_OP_IS_CONTROL(f->opcode))
		rs->max_frame = f->payload_len;
	sess_ping_frame(s, role, f);
	if (!WS_OP_IS_CONTROL(f->opcode)) {
		rs->has_data_frame = 1;
		rs->last_data_frame_ts = f->ts;
	}
	if (f->opcode == WS_OP_CLOSE && !rs->close_sent) {
		rs->close_sent = 1;
		rs->close_code = f->close_code;
		/* No code is a fact of its own, not no close frame. */
		if (f->payload_len == 0) {
			rs->close_code = WS_CLOSE_NO_CODE;
			rs->close_no_code = 1;
		}
		/* The history keeps the first 123 bytes (the closes view's). */
		rs->reason_len = (uint8_t)(f->close_reason_len <
		    sizeof rs->reason ? f->close_reason_len :
		    sizeof rs->reason - 1);
		if (rs->reason_len > 0)
			memcpy(rs->reason, f->close_reason, rs->reason_len);
		rs->reason[rs->reason_len] = '\0';
		rs->close_pkt = f->first_pkt;
		rs->close_frame = f->index;
		rs->close_ts = f->ts;
	}
	sess_pend_decide(s, role, f);
	if (s->an->sink->frame != NULL) {
		if (f->first_pkt == f->last_pkt && s->tls == NULL)
			s->an->sink->frame(s->an->sink_ctx, s->c->id, role, f);
		else {
			struct ws_frame fc = *f;
			char            packets[SESS_PACKETS_TEXT], recs[48];

			sess_frame_packets(s, cb->side, f, packets,
			    sizeof packets);
			fc.packets = packets[0] != '\0' ? packets : NULL;
			recs[0] = '\0';
			if (s->tls != NULL)
				tls_stage_records(s->tls, cb->side, f->offset,
				    f->offset + f->hdr_len + f->seen_len, recs,
				    sizeof recs);
			fc.tls_records = recs[0] != '\0' ? recs : NULL;
			s->an->sink->frame(s->an->sink_ctx, s->c->id, role, &fc);
		}
	}
}

/* Bytes to a side's decoder, remembering which packet carried them. */
static void
sess_ws_feed(struct sess *s, int side, uint64_t off, const uint8_t *p,
    size_t n, uint64_t pkt, struct wts ts)
{
	struct pkt_span *sp;

	if (n > 0) {
		if (s->span[side] == NULL)
			s->span[side] = xmalloc(SESS_SPANS * sizeof *sp);
		sp = s->nspan[side] == 0 ? NULL :
		    &s->span[side][(s->nspan[side] - 1) % SESS_SPANS];
		if (sp != NULL && sp->pkt == pkt && sp->end == off)
			sp->end = off + n;
		else {
			sp = &s->span[side][s->nspan[side]++ % SESS_SPANS];
			sp->pkt = pkt;
			sp->start = off;
			sp->end = off + n;
		}
	}
	ws_dir_feed(s->ws[side], off, p, n, pkt, ts);
}

static void
sess_ws_feed_fn(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	sess_ws_feed(arg, side, off, p, n, pkt, ts);
}

/*
 * The packets that carried the frame's bytes, in stream order, runs of
 * consecutive numbers as "a-b"; "" when one packet did. When the ring no
 * longer holds the first, or the list does not fit, it starts
 * "first,..." and goes on with the latest that fit.
 */
static void
sess_frame_packets(const struct sess *s, int side, const struct ws_frame *f,
    char *out, size_t len)
{
	const struct pkt_span *sp;
	uint64_t               ra[SESS_SPANS], rb[SESS_SPANS];
	uint64_t               fs = f->offset, fe, i, n, first;
	char                   all[SESS_SPANS * 2 * CAPTURE_SET_PACKET_MAX];
	char                   pa[CAPTURE_SET_PACKET_MAX];
	char                   pb[CAPTURE_SET_PACKET_MAX];
	const char            *tail, *colon;
	size_t                 o, nr = 0;
	int                    lost, w;

	out[0] = '\0';
	if (f->first_pkt == f->last_pkt || s->span[side] == NULL || len < 32)
		return;
	fe = fs + f->hdr_len + f->seen_len;
	n = s->nspan[side] < SESS_SPANS ? s->nspan[side] : SESS_SPANS;
	first = s->nspan[side] - n;
	lost = s->span[side][first % SESS_SPANS].start > fs;
	for (i = first; i < s->nspan[side]; i++) {
		sp = &s->span[side][i % SESS_SPANS];
		if (sp->end <= fs || sp->start >= fe)
			continue;
		if (nr > 0 && (sp->pkt == rb[nr - 1] ||
		    sp->pkt == rb[nr - 1] + 1)) {
			rb[nr - 1] = sp->pkt;
			continue;
		}
		ra[nr] = rb[nr] = sp->pkt;
		nr++;
	}
	/* In a capture set "file:a-b", or "file:a-file2:b" across files. */
	for (i = 0, o = 0; i < nr && o < sizeof all; i++) {
		capture_set_packet(ra[i], pa, sizeof pa);
		capture_set_packet(rb[i], pb, sizeof pb);
		colon = strrchr(pa, ':');
		if (colon != NULL && strncmp(pa, pb, (size_t)(colon - pa + 1))
		    == 0)
			memmove(pb, pb + (colon - pa + 1), strlen(pb) -
			    (size_t)(colon - pa));
		o += (size_t)snprintf(all + o, sizeof all - o, ra[i] == rb[i] ?
		    "%s%s" : "%s%s-%s", o ? "," : "", pa, pb);
	}
	if (o >= sizeof all)
		o = sizeof all - 1;
	if (nr == 0)       /* its packets are no longer remembered */
		return;
	if (!lost && o < len) {
		memcpy(out, all, o + 1);
		return;
	}
	/* "first,...," then the latest runs that fit, cut at a comma. */
	w = snprintf(out, len, "%s,...,", capture_set_packet(f->first_pkt, pa,
	    sizeof pa));
	if (w < 0 || (size_t)w >= len) {
		out[0] = '\0';
		return;
	}
	tail = all;
	if (o + (size_t)w >= len) {
		tail = all + o - (len - 1 - (size_t)w);
		while (*tail != '\0' && tail[-1] != ',')
			tail++;
	}
	memcpy(out + w, tail, strlen(tail) + 1);   /* fits: cut above */
}

/* A rule the frame (NULL: none) broke, for verdict.c to tie a close to. */
static void
sess_note_viol(struct role_state *rs, enum rule_id rule,
    const struct ws_frame *f)
{
	const struct rule *r = rule_get(rule);
	struct hist_viol  *v;

	if (rs->hv == NULL)
		rs->hv = xmalloc(HIST_VIOLS * sizeof *rs->hv);
	v = &rs->hv[rs->nhv++ % HIST_VIOLS];
	memset(v, 0, sizeof *v);
	v->rule = rule;
	v->class = r != NULL ? r->class : CLASS_OTHER;
	if (f != NULL) {
		v->pkt = f->first_pkt;
		v->frame_index = f->index;
		v->has_frame = 1;
		v->ts = f->ts;
	}
}

static void
sess_ws_message(void *arg, const struct ws_message *m)
{
	struct analysis_ctx_side *cb = arg;
	struct sess              *s = cb->s;
	int                       role = sess_role(s, cb->side);
	struct role_state        *rs = &s->hist.rs[role];
	uint64_t                  i, n;
	struct hist_frame        *h;

	rs->messages++;
	s->an->sum->messages++;
	if (m->inflate_capped)
		s->an->sum->cap_inflate++;
	/*
	 * Its frames are the newest of the ring, give or take control frames
	 * between fragments (later ids): walk back until an older message.
	 */
	n = rs->nhf < HIST_FRAMES ? rs->nhf : HIST_FRAMES;
	for (i = 0; i < n; i++) {
		h = &rs->hf[(rs->nhf - 1 - i) % HIST_FRAMES];
		if (h->message_id < m->id)
			break;
		if (h->message_id == m->id) {
			h->msg_decoded = m->decoded_size;
			/* Inflation stopped at a limit: a size it reached, at least. */
			h->msg_capped = m->inflate_capped ||
			    (m->compressed && m->too_big);
			h->msg_done = !m->incomplete;
			h->msg_compressed = m->compressed;
		}
	}
	if (!m->incomplete && !m->undecoded && !WS_OP_IS_CONTROL(m->opcode) &&
	    m->decoded_size > rs->max_msg)
		rs->max_msg = m->decoded_size;
	if (rs->cur_msg_id == m->id)
		rs->in_msg = 0;
	if (s->an->sink->message != NULL)
		s->an->sink->message(s->an->sink_ctx, s->c->id, role, m);
}

static void
sess_ws_finding(void *arg, const struct ws_finding *wf)
{
	struct analysis_ctx_side *cb = arg;
	struct sess              *s = cb->s;
	int                       role = sess_role(s, cb->side);
	struct role_state        *rs = &s->hist.rs[role];
	const struct rule        *r = rule_get(wf->rule);
	struct finding            f;

	sess_doubt(s, cb->side, rs);
	if (rs->distrust) {
		/* Framing guessed after a resync: nothing blamed yet. */
		rs->suppressed++;
		rs->clean_run = 0;
		if (wf->frame != NULL)
			rs->dirty_frame = wf->frame->index + 1;
		return;
	}
	memset(&f, 0, sizeof f);
	f.kind = FINDING_VIOLATION;
	f.class = r != NULL ? r->class : CLASS_OTHER;
	f.code = r != NULL && r->code ? r->code : -1;
	f.sender = role;
	f.rule = wf->rule;
	f.frame_index = -1;
	f.limit_from_reason = -1;
	if (wf->frame != NULL) {
		f.packet = wf->frame->first_pkt;
		f.frame_index = (int64_t)wf->frame->index;
		f.time = wf->frame->ts;
	}
	snprintf(f.explanation, sizeof f.explanation, "%s",
	    r != NULL ? r->explanation : "");
	snprintf(f.detail, sizeof f.detail, "%s", wf->detail);
	/* A size rule crossed a configured limit: the remedy names it. */
	if (wf->limit > 0) {
		f.remedy_limit = wf->limit;
		f.remedy_source = LIMIT_SRC_OPTION;
	}
	sess_note_viol(rs, wf->rule, wf->frame);
	/* Full: the oldest the peer carried on after leaves to make room. */
	if (rs->npend == HIST_PENDING &&
	    rs->pend[0].tolerance == TOL_CARRIED_ON)
		sess_pend_release(s, role, TOL_CARRIED_ON);
	if (rs->npend == HIST_PENDING) {
		f.tolerance = TOL_UNKNOWN;
		sess_emit(s, &f);
		return;
	}
	/* Held until the peer reacts (TOL_NONE: it has not yet). */
	if (rs->pend == NULL)
		rs->pend = xmalloc(HIST_PENDING * sizeof *rs->pend);
	rs->pend[rs->npend++] = f;
}

/*
 * A frame of role: it decides the peer's violations held from before it.
 * A close with no code, 1000, 1001 or the peer's own close code (an echo)
 * closes normally: tolerated; any other close fails the connection on
 * them. Any other frame may have been on its way before the violation was
 * read (an echo in flight), so it only marks them carried on (their
 * tolerance, while held): the close that follows, or the end of the
 * capture, decides.
 */
static void
sess_pend_decide(struct sess *s, int role, const struct ws_frame *f)
{
	struct role_state *ps = &s->hist.rs[!role];
	enum tolerance     tol = TOL_CARRIED_ON;
	int                code = f->payload_len == 0 ? -1 : f->close_code;
	unsigned           n = 0;

	if (ps->npend == 0)
		return;
	while (n < ps->npend && (ps->pend[n].packet == 0 ||
	    f->first_pkt > ps->pend[n].packet))
		n++;
	if (f->opcode != WS_OP_CLOSE) {
		while (n-- > 0)
			ps->pend[n].tolerance = TOL_CARRIED_ON;
		return;
	}
	if (code != -1 && code != 1000 && code != 1001 &&
	    !(ps->close_sent && ps->close_code == code))
		tol = TOL_FAILED;
	while (n-- > 0)
		sess_pend_release(s, !role, tol);
}

/* The oldest violation held for role leaves, with what its peer did. */
static void
sess_pend_release(struct sess *s, int role, enum tolerance tol)
{
	struct role_state *rs = &s->hist.rs[role];
	struct role_state *peer = &s->hist.rs[!role];
	struct finding     f = rs->pend[0];
	const struct rule *r = rule_get(f.rule);
	const char        *who = role == ROLE_CLIENT ? "server" : "client";
	const struct http_head *h;
	const char        *stack = NULL;
	char               by[80];
	size_t             n = strlen(f.explanation);

	memmove(&rs->pend[0], &rs->pend[1], (rs->npend - 1) *
	    sizeof rs->pend[0]);
	rs->npend--;
	f.tolerance = tol;
	if (tol == TOL_CARRIED_ON) {
		/* Who carried on, with its stack when its header named one. */
		h = role == ROLE_CLIENT ? http_exchange_response(s->hx) :
		    http_exchange_request(s->hx);
		if (h != NULL)
			stack = verdict_header_stack(role == ROLE_CLIENT ?
			    h->server : h->user_agent);
		snprintf(by, sizeof by, "%s%s%s%s", who, stack != NULL ?
		    " (" : "", stack != NULL ? stack : "", stack != NULL ?
		    ")" : "");
		if (peer->tolerated++ == 0)
			peer->tolerated_rule = f.rule;
		if (r != NULL && r->code > 0)
			snprintf(f.explanation + n, sizeof f.explanation - n,
			    "; tolerated by the %s: a stricter stack closes %d "
			    "here", by, r->code);
		else
			snprintf(f.explanation + n, sizeof f.explanation - n,
			    "; tolerated by the %s", by);
	} else if (tol == TOL_UNKNOWN)
		snprintf(f.explanation + n, sizeof f.explanation - n,
		    "; whether the %s tolerated it is not known: the capture "
		    "shows no reaction", who);
	sess_emit(s, &f);
}

/* Pings of role, pongs answering the peer's. */
static void
sess_ping_frame(struct sess *s, int role, const struct ws_frame *f)
{
	size_t kept = f->prefix_len < f->payload_len ? f->prefix_len :
	    (size_t)f->payload_len;

	if (f->truncated)
		return;
	if (f->opcode == WS_OP_PING)
		ping_sent(&s->hist.rs[role].ping, f->payload_len, f->prefix,
		    kept, f->first_pkt, f->ts);
	else if (f->opcode == WS_OP_PONG)
		(void)ping_pong(&s->hist.rs[!role].ping, f->payload_len,
		    f->prefix, kept, f->ts);
}
