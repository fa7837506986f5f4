/*
 * WebSocket frame decoding (RFC 6455 section 5): incremental header parsing,
 * unmasking in bounded chunks, the per-frame rules, close frames, gaps and
 * resynchronisation. Message assembly lives in ws-message.c.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "ws-msgr.h"

#define WS_OWN_SCRATCH   8192
#define WS_SANE_LEN      (UINT64_C(1) << 32)  /* longest payload believed while resynchronising */
/*
 * Resynchronisation. A boundary is believed when WS_LOCK_CHAIN plausible
 * headers follow each other, each frame ending where the next header
 * starts, and every header held after them is plausible too; or when such
 * a chain ends exactly at the end of the stream. In random payload a
 * plausible header turns up every 40 bytes or so, and two in a row every
 * few KB: a chain of four that also runs clean to the end of the bytes
 * held is rare enough not to happen inside a multi-megabyte payload.
 */
#define WS_LOCK_CHAIN    4
#define WS_CHAIN_MAX     64       /* headers followed from one candidate */
/*
 * A chain's count of headers, and whether one of them is a data frame
 * that ends a message or starts one: runs of 0x00 bytes in binary payload
 * read as chains of empty non-final continuations, and control opcodes
 * turn up in payload too, so chains of those alone are not believed. A
 * chain must also keep to fragmentation (RFC 6455 5.4: no new data
 * message inside one, no continuation between two) and end at a close.
 */
#define WS_CHAIN_COUNT   0xffffU
#define WS_CHAIN_ANCHOR  0x10000U
/* Where the chain's last data frame left the message: inside one, or between two. */
#define WS_CHAIN_IN      0x20000U
#define WS_CHAIN_OUT     0x40000U
#define WS_CHAIN_CLOSED  0x80000U      /* a close frame: nothing may follow it */
#define WS_CHAIN_BELIEVED(k, n) \
	((k) >= 0 && ((unsigned)(k) & WS_CHAIN_ANCHOR) && ((unsigned)(k) & WS_CHAIN_COUNT) >= (n))
#define WS_RESYNC_KEEP   4096     /* bytes held while a candidate is undecided */
#define WS_RESYNC_PEND   16       /* candidates whose frame ran past what was held */
#define WS_RESYNC_SEGS   16       /* packets the held bytes may come from */
/* Frames after a lock whose headers must still be plausible, or resync again. */
#define WS_TRIAL         8
#define WS_PROBE_HELD    8        /* findings held while the first frame is a guess */

enum ws_fstate {
	WS_F_HDR,        /* collecting header bytes (f.hdr_len of them so far) */
	WS_F_PAYLOAD,    /* pay_pos of f.payload_len payload bytes consumed */
	WS_F_RESYNC,     /* after a gap: scanning for a plausible header */
	WS_F_CONFIRM,    /* probe: the first frame's payload is done, its successor's header is awaited */
	WS_F_STOPPED,    /* nothing more can be framed */
	WS_F_REFUSED,    /* probe: the byte after the first frame is no header */
	WS_F_ENDED       /* ws_dir_end was called */
};

/* Scanning state of a resynchronisation, allocated at the first one. */
struct ws_resync {
	uint8_t  keep[WS_RESYNC_KEEP];  /* undecided bytes, from the oldest open candidate on */
	size_t   kl;
	uint64_t keep_off;              /* stream offset of keep[0] */
	struct ws_rseg {                /* which packet carried which kept bytes */
		uint64_t   off, pkt;
		struct wts ts;
	}        seg[WS_RESYNC_SEGS];
	int      nseg;
	struct ws_rpend {               /* a chain whose next header is due at stream offset at */
		uint64_t at;
		uint32_t k;
	}        pend[WS_RESYNC_PEND];
	int      npend;
};

struct ws_dir {
	struct ws_config     cfg;
	const struct ws_ops *ops;
	void                *ctx;
	struct ws_dir_stats  st;
	struct ws_msgr      *m;
	uint8_t             *unmask;      /* unmask chunk buffer (part of the scratch) */
	size_t               unmask_len;
	uint8_t             *own_scratch;
	enum ws_fstate       state;
	int                  have_off;
	uint64_t             next_off;    /* stream offset expected from the next feed */
	uint64_t             pos;         /* stream offset of the byte being parsed */
	uint64_t             next_index;
	struct ws_frame      f;
	uint8_t              hdr_need;
	uint64_t             pay_pos;     /* payload bytes consumed, seen or lost */
	/* Close payload kept for code and reason, up to ws_close_keep(). */
	uint8_t             *cbuf;
	size_t               clen, calloc_n;
	struct ws_resync    *rs;
	uint64_t             scanned;     /* bytes skipped in the current resync */
	uint8_t              trial;       /* frames after a lock still on trial */
	/*
	 * Probe (ws_dir_probe): the first frame is a guess until the header
	 * after it is seen. Its end is held back meanwhile, and its findings.
	 */
	int                  probe;
	uint8_t              carry[14];   /* probe: the header after the first frame */
	size_t               carry_len;
	uint64_t             carry_off;
	uint64_t             carry_pkt;
	struct wts           carry_ts;
	struct ws_finding   *held;
	struct ws_frame     *held_frames;  /* what held[i].frame was when it fired */
	int                  nheld;
};

static void	ws_frame_consume(struct ws_dir *, const uint8_t *, size_t, uint64_t, struct wts);
static size_t	ws_frame_hdr_bytes(struct ws_dir *, const uint8_t *, size_t, uint64_t, struct wts);
static void	ws_frame_hdr_done(struct ws_dir *);
static void	ws_frame_rules(struct ws_dir *, struct ws_frame *);
static size_t	ws_frame_payload(struct ws_dir *, const uint8_t *, size_t, uint64_t, struct wts);
static void	ws_frame_data(struct ws_dir *, const uint8_t *, size_t);
static void	ws_frame_finish(struct ws_dir *, int);
static void	ws_frame_close(struct ws_dir *, struct ws_frame *);
static size_t	ws_close_keep(const struct ws_dir *);
static size_t	ws_frame_resync(struct ws_dir *, const uint8_t *, size_t, uint64_t, struct wts);
static void	ws_resync_start(struct ws_dir *, uint64_t);
static void	ws_resync_gap(struct ws_dir *, uint64_t);
static int	ws_resync_chain(const struct ws_dir *, const uint8_t *, size_t, size_t, uint32_t, int,
		    uint64_t *);
static size_t	ws_resync_lock(struct ws_dir *, size_t, size_t);
static void	ws_resync_keep(struct ws_dir *, size_t, const uint8_t *, size_t, uint64_t, struct wts);
static int	ws_resync_nseg(const struct ws_resync *, uint64_t, uint64_t);
static struct ws_rpend *ws_resync_pend(struct ws_resync *, uint64_t);
static void	ws_resync_pend_add(struct ws_resync *, uint64_t, uint32_t);
static size_t	ws_frame_confirm(struct ws_dir *, const uint8_t *, size_t, uint64_t, struct wts);
static void	ws_probe_accept(struct ws_dir *);
static int	ws_frame_trial_fails(struct ws_dir *);
static void	ws_relay_frame(void *, const struct ws_frame *);
static void	ws_relay_message(void *, const struct ws_message *);
static void	ws_relay_finding(void *, const struct ws_finding *);
static uint8_t	ws_frame_hdr_need(uint8_t);
static int	ws_frame_plausible(const uint8_t *, size_t, int, int, uint8_t *, uint64_t *);
static int	ws_frame_opcode_valid(uint8_t);
static void	ws_frame_find(struct ws_dir *, enum rule_id, const struct ws_frame *, uint64_t,
		    uint64_t, const char *, ...) __attribute__((format(printf, 6, 7)));

/* The message layer reports through these, so that a probe can hold findings back. */
static const struct ws_ops ws_relay_ops = {
	ws_relay_frame, ws_relay_message, ws_relay_finding
};

void
ws_config_default(struct ws_config *c)
{
	memset(c, 0, sizeof *c);
	c->role = WS_ROLE_UNKNOWN;
	c->ext = WS_EXT_NONE;
	c->inflate_window_bits = 15;
	c->payload_cap = WS_PAYLOAD_CAP_DEFAULT;
	c->max_inflate = WS_MAX_INFLATE_DEFAULT;
}

struct ws_dir *
ws_dir_new(const struct ws_config *cfg, const struct ws_ops *ops, void *ctx, struct ws_shared *sh)
{
	struct ws_dir *d;
	uint8_t       *s;
	size_t         len;

	d = xcalloc(1, sizeof *d);
	d->cfg = *cfg;
	d->ops = ops;
	d->ctx = ctx;
	if (sh != NULL && sh->scratch != NULL && sh->scratch_len >= WS_SCRATCH_MIN) {
		s = sh->scratch;
		len = sh->scratch_len;
	} else {
		d->own_scratch = xmalloc(WS_OWN_SCRATCH);
		s = d->own_scratch;
		len = WS_OWN_SCRATCH;
	}
	/* First half unmasks, second half receives inflated bytes. */
	d->unmask = s;
	d->unmask_len = len / 2;
	d->m = ws_msgr_new(&d->cfg, &ws_relay_ops, d, &d->st, s + len / 2, len - len / 2);
	d->state = WS_F_HDR;
	return d;
}

void
ws_dir_free(struct ws_dir *d)
{
	if (d == NULL)
		return;
	ws_msgr_free(d->m);
	free(d->own_scratch);
	free(d->rs);
	free(d->held);
	free(d->held_frames);
	free(d->cbuf);
	free(d);
}

const struct ws_dir_stats *
ws_dir_stats(const struct ws_dir *d)
{
	return &d->st;
}

enum ws_dir_state
ws_dir_state(const struct ws_dir *d)
{
	switch (d->state) {
	case WS_F_RESYNC:
		return WS_DIR_RESYNC;
	case WS_F_STOPPED:
		return WS_DIR_STOPPED;
	case WS_F_REFUSED:
		return WS_DIR_REFUSED;
	default:
		return d->probe ? WS_DIR_PROBE : WS_DIR_FRAMING;
	}
}

static void
ws_frame_find(struct ws_dir *d, enum rule_id rule, const struct ws_frame *f, uint64_t value,
    uint64_t limit, const char *fmt, ...)
{
	char    buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	ws_finding_emit(&d->st, &ws_relay_ops, d, rule, f, f->message_id, value, limit, "%s", buf);
}

static void
ws_relay_frame(void *arg, const struct ws_frame *f)
{
	struct ws_dir *d = arg;

	if (d->ops != NULL && d->ops->frame != NULL)
		d->ops->frame(d->ctx, f);
}

static void
ws_relay_message(void *arg, const struct ws_message *m)
{
	struct ws_dir *d = arg;

	if (d->ops != NULL && d->ops->message != NULL)
		d->ops->message(d->ctx, m);
}

static void
ws_relay_finding(void *arg, const struct ws_finding *fd)
{
	struct ws_dir *d = arg;

	if (d->probe) {
		/* Said if the guess holds; a rule fires once per frame or message. */
		if (d->nheld < WS_PROBE_HELD) {
			d->held[d->nheld] = *fd;
			/* d->f moves on before the findings are said: keep it. */
			if (fd->frame != NULL) {
				d->held_frames[d->nheld] = *fd->frame;
				d->held_frames[d->nheld].prefix = NULL;
				d->held_frames[d->nheld].prefix_len = 0;
				d->held_frames[d->nheld].close_reason = NULL;
				d->held_frames[d->nheld].close_reason_len = 0;
				d->held[d->nheld].frame = &d->held_frames[d->nheld];
			}
			d->nheld++;
		}
		return;
	}
	if (d->ops != NULL && d->ops->finding != NULL)
		d->ops->finding(d->ctx, fd);
}

void
ws_unmask(uint8_t *dst, const uint8_t *src, size_t n, const uint8_t key[4], size_t pos)
{
	uint8_t  k[8];
	uint64_t k64, w;
	size_t   i;

	for (i = 0; i < 8; i++)
		k[i] = key[(pos + i) & 3];
	memcpy(&k64, k, 8);
	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, src + i, 8);
		w ^= k64;
		memcpy(dst + i, &w, 8);
	}
	for (; i < n; i++)
		dst[i] = src[i] ^ k[i & 7];
}

int
ws_close_code_valid(int code)
{
	if (code >= 1000 && code <= 1003)
		return 1;
	if (code >= 1007 && code <= 1014)
		return 1;
	return code >= 3000 && code <= 4999;
}

static int
ws_frame_opcode_valid(uint8_t op)
{
	return op <= WS_OP_BINARY || (op >= WS_OP_CLOSE && op <= WS_OP_PONG);
}

static uint8_t
ws_frame_hdr_need(uint8_t b1)
{
	uint8_t need = 2, len7 = b1 & 0x7f;

	if (len7 == 126)
		need += 2;
	else if (len7 == 127)
		need += 8;
	if (b1 & 0x80)
		need += 4;
	return need;
}

/*
 * Whether h[0..avail) can start a frame a conforming peer would send:
 * 1 yes, 0 no, -1 not enough bytes to tell. mask: -1 either, else the MASK
 * bit required. Lengths must be minimal and below WS_SANE_LEN.
 */
static int
ws_frame_plausible(const uint8_t *h, size_t avail, int rsv1_ok, int mask, uint8_t *hl,
    uint64_t *plen)
{
	uint8_t  op, rsv, len7, need, i;
	uint64_t len;

	if (avail < 1)
		return -1;
	op = h[0] & 0x0f;
	rsv = (h[0] >> 4) & 7;
	if (!ws_frame_opcode_valid(op) || (rsv & (WS_RSV2 | WS_RSV3)))
		return 0;
	if ((rsv & WS_RSV1) && (!rsv1_ok || (op != WS_OP_TEXT && op != WS_OP_BINARY)))
		return 0;
	if (WS_OP_IS_CONTROL(op) && !(h[0] & 0x80))
		return 0;
	if (avail < 2)
		return -1;
	if (mask != -1 && (h[1] >> 7) != mask)
		return 0;
	len7 = h[1] & 0x7f;
	if (WS_OP_IS_CONTROL(op) && len7 > WS_CONTROL_MAX)
		return 0;
	need = ws_frame_hdr_need(h[1]);
	if (avail < need)
		return -1;
	len = len7;
	if (len7 == 126) {
		len = (uint64_t)h[2] << 8 | h[3];
		if (len < 126)
			return 0;
	} else if (len7 == 127) {
		for (len = 0, i = 2; i < 10; i++)
			len = len << 8 | h[i];
		if (len < 65536 || len >= WS_SANE_LEN)
			return 0;
	}
	*hl = need;
	*plen = len;
	return 1;
}

int
ws_looks_like_frames(const uint8_t *buf, size_t n, int *masked)
{
	uint8_t  hl, hl2;
	uint64_t plen, plen2, end;
	int      m;

	if (ws_frame_plausible(buf, n, 1, -1, &hl, &plen) != 1)
		return 0;
	m = buf[1] >> 7;
	end = hl + plen;
	if (end < n && ws_frame_plausible(buf + end, n - end, 1, m, &hl2, &plen2) != 1)
		return 0;
	if (masked != NULL)
		*masked = m;
	return end > n ? 2 : 1;
}

void
ws_dir_feed(struct ws_dir *d, uint64_t off, const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	uint64_t skip;

	if (n == 0 || d->state == WS_F_ENDED)
		return;
	if (!d->have_off) {
		d->have_off = 1;
		d->next_off = off;
	}
	if (off > d->next_off)
		ws_dir_gap(d, d->next_off, off - d->next_off);
	else if (off < d->next_off) {
		/* Retransmitted bytes already decoded. */
		skip = d->next_off - off;
		if (skip >= n)
			return;
		p += skip;
		n -= skip;
		off += skip;
	}
	d->next_off = off + n;
	d->pos = off;
	ws_frame_consume(d, p, n, pkt, ts);
}

static void
ws_frame_consume(struct ws_dir *d, const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	size_t k;

	while (n > 0) {
		switch (d->state) {
		case WS_F_HDR:
			k = ws_frame_hdr_bytes(d, p, n, pkt, ts);
			break;
		case WS_F_PAYLOAD:
			k = ws_frame_payload(d, p, n, pkt, ts);
			break;
		case WS_F_RESYNC:
			k = ws_frame_resync(d, p, n, pkt, ts);
			break;
		case WS_F_CONFIRM:
			k = ws_frame_confirm(d, p, n, pkt, ts);
			break;
		default:
			return;
		}
		p += k;
		n -= k;
		d->pos += k;
	}
}

static size_t
ws_frame_hdr_bytes(struct ws_dir *d, const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	struct ws_frame *f = &d->f;
	size_t           k = 0;

	if (f->hdr_len == 0) {
		memset(f, 0, sizeof *f);
		f->offset = d->pos;
		f->first_pkt = f->last_pkt = pkt;
		f->ts = f->end_ts = ts;
		f->close_code = -1;
		d->hdr_need = 2;
	}
	while (k < n && f->hdr_len < d->hdr_need) {
		f->hdr[f->hdr_len++] = p[k++];
		if (f->hdr_len == 2)
			d->hdr_need = ws_frame_hdr_need(f->hdr[1]);
	}
	if (f->hdr_len == d->hdr_need)
		ws_frame_hdr_done(d);
	return k;
}

static void
ws_frame_hdr_done(struct ws_dir *d)
{
	struct ws_frame *f = &d->f;
	uint8_t          len7 = f->hdr[1] & 0x7f, i = 2;
	uint64_t         len = len7;

	if (d->trial > 0 && ws_frame_trial_fails(d))
		return;
	f->fin = f->hdr[0] >> 7;
	f->rsv = (f->hdr[0] >> 4) & 7;
	f->opcode = f->hdr[0] & 0x0f;
	f->masked = f->hdr[1] >> 7;
	if (len7 == 126) {
		len = (uint64_t)f->hdr[2] << 8 | f->hdr[3];
		f->non_minimal = len < 126;
		i = 4;
	} else if (len7 == 127) {
		for (len = 0; i < 10; i++)
			len = len << 8 | f->hdr[i];
		f->non_minimal = len < 65536;
	}
	if (f->masked)
		memcpy(f->mask, f->hdr + i, 4);
	f->payload_len = len;
	f->index = d->next_index++;
	d->pay_pos = 0;
	d->clen = 0;

	ws_msgr_frame_begin(d->m, f);
	ws_frame_rules(d, f);
	if (f->opcode == WS_OP_CLOSE && !d->st.close_sent) {
		d->st.close_sent = 1;
		d->st.close_frame_index = f->index;
	}
	if (len >> 63) {
		/* Nothing after this header can be located in the stream. */
		f->truncated = 1;
		ws_frame_finish(d, 1);
		ws_msgr_cut(d->m, 0);
		d->st.stopped = WS_STOP_MSB;
		d->state = WS_F_STOPPED;
		return;
	}
	if (len > 0)
		d->state = WS_F_PAYLOAD;
	else
		ws_frame_finish(d, 0);
}

/*
 * Framing found by a resync is on trial: a header a peer would not send
 * means the lock was on payload bytes, so scanning starts again at the
 * byte after that header's first.
 */
static int
ws_frame_trial_fails(struct ws_dir *d)
{
	struct ws_frame *f = &d->f;
	uint8_t          hl;
	uint64_t         plen;
	int              mask;

	mask = d->cfg.role == WS_ROLE_CLIENT ? 1 : d->cfg.role == WS_ROLE_SERVER ? 0 : -1;
	if (ws_frame_plausible(f->hdr, f->hdr_len, d->cfg.ext != WS_EXT_NONE, mask, &hl,
	    &plen) == 1) {
		d->trial--;
		return 0;
	}
	d->trial = 0;
	ws_msgr_cut(d->m, 1);
	ws_resync_start(d, 0);
	d->rs->keep_off = f->offset + 1;
	d->rs->kl = f->hdr_len - 1;
	memcpy(d->rs->keep, f->hdr + 1, d->rs->kl);
	d->rs->seg[0].off = f->offset + 1;
	d->rs->seg[0].pkt = f->first_pkt;
	d->rs->seg[0].ts = f->ts;
	d->rs->nseg = 1;
	d->st.resync_skipped++;
	f->hdr_len = 0;
	return 1;
}

static void
ws_frame_rules(struct ws_dir *d, struct ws_frame *f)
{
	uint8_t op = f->opcode, bad;
	int     ctl = WS_OP_IS_CONTROL(op);

	if (d->st.close_sent)
		ws_frame_find(d, RULE_FRAME_AFTER_CLOSE, f, d->st.close_frame_index, 0,
		    "frame %" PRIu64 " after close frame %" PRIu64, f->index, d->st.close_frame_index);
	if (!ws_frame_opcode_valid(op))
		ws_frame_find(d, RULE_RESERVED_OPCODE, f, op, 0, "opcode %u", op);
	bad = f->rsv & (WS_RSV2 | WS_RSV3);
	if (d->cfg.ext == WS_EXT_NONE)
		bad |= f->rsv & WS_RSV1;
	if (bad)
		ws_frame_find(d, RULE_RSV_WITHOUT_EXT, f, bad, 0, "%s%s%s set",
		    (bad & WS_RSV1) ? "RSV1 " : "", (bad & WS_RSV2) ? "RSV2 " : "",
		    (bad & WS_RSV3) ? "RSV3 " : "");
	if (d->cfg.ext == WS_EXT_DEFLATE && (f->rsv & WS_RSV1) && (ctl || op == WS_OP_CONT))
		ws_frame_find(d, RULE_MISPLACED_RSV1, f, op, 0, "RSV1 on %s frame (opcode %u)",
		    ctl ? "control" : "continuation", op);
	if (d->cfg.role == WS_ROLE_CLIENT && !f->masked)
		ws_frame_find(d, RULE_UNMASKED_CLIENT, f, 0, 0, "client frame without MASK");
	if (d->cfg.role == WS_ROLE_SERVER && f->masked)
		ws_frame_find(d, RULE_MASKED_SERVER, f, 1, 0, "server frame with MASK");
	if (ctl && f->payload_len > WS_CONTROL_MAX)
		ws_frame_find(d, RULE_CONTROL_TOO_LONG, f, f->payload_len, WS_CONTROL_MAX,
		    "control payload %" PRIu64 " > 125", f->payload_len);
	if (ctl && !f->fin)
		ws_frame_find(d, RULE_FRAGMENTED_CONTROL, f, op, 0, "control frame (opcode %u) with FIN 0", op);
	if (f->payload_len >> 63) {
		ws_frame_find(d, RULE_LENGTH_MSB, f, f->payload_len, 0,
		    "64-bit length 0x%016" PRIx64 " has the top bit set", f->payload_len);
		return;
	}
	if (d->cfg.strict && f->non_minimal)
		ws_frame_find(d, RULE_NON_MINIMAL_LENGTH, f, f->payload_len, 0,
		    "%d-bit length form for %" PRIu64, f->hdr_len - (f->masked ? 4 : 0) == 4 ? 16 : 64,
		    f->payload_len);
	if (d->cfg.max_frame != 0 && f->payload_len > d->cfg.max_frame)
		ws_frame_find(d, RULE_FRAME_TOO_BIG, f, f->payload_len, d->cfg.max_frame,
		    "frame payload %" PRIu64 " > %" PRIu64, f->payload_len, d->cfg.max_frame);
}

static size_t
ws_frame_payload(struct ws_dir *d, const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	struct ws_frame *f = &d->f;
	uint64_t         left = f->payload_len - d->pay_pos;
	size_t           k = n;

	if (left < k)
		k = (size_t)left;
	f->last_pkt = pkt;
	f->end_ts = ts;
	ws_frame_data(d, p, k);
	d->pay_pos += k;
	f->seen_len += k;
	if (d->pay_pos == f->payload_len)
		ws_frame_finish(d, 0);
	return k;
}

/*
 * Probe: the bytes after the first frame. A plausible header (same MASK)
 * confirms the guess: the first frame ends, and these bytes start the
 * next. Anything else refuses it; nothing of the first frame was said.
 */
static size_t
ws_frame_confirm(struct ws_dir *d, const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	uint8_t  hl;
	uint64_t plen;
	size_t   k = 0;
	int      r = -1;

	while (k < n && r == -1) {
		if (d->carry_len == 0) {
			d->carry_off = d->pos + k;
			d->carry_pkt = pkt;
			d->carry_ts = ts;
		}
		d->carry[d->carry_len++] = p[k++];
		r = ws_frame_plausible(d->carry, d->carry_len, 1, d->f.masked, &hl, &plen);
	}
	if (r == 0) {
		d->probe = 0;
		d->state = WS_F_REFUSED;
		return n;
	}
	if (r == 1)
		ws_probe_accept(d);
	return k;
}

/* The first frame is believed: its findings are said, it ends, and decoding goes on. */
static void
ws_probe_accept(struct ws_dir *d)
{
	uint64_t pos = d->pos;
	int      i;

	if (!d->probe)
		return;
	d->probe = 0;
	for (i = 0; i < d->nheld; i++)
		ws_relay_finding(d, &d->held[i]);
	d->nheld = 0;
	if (d->state != WS_F_CONFIRM)
		return;
	ws_frame_finish(d, 0);
	if (d->carry_len > 0) {
		d->pos = d->carry_off;
		ws_frame_hdr_bytes(d, d->carry, d->carry_len, d->carry_pkt, d->carry_ts);
		d->pos = pos;
		d->carry_len = 0;
	}
}

void
ws_dir_probe(struct ws_dir *d)
{
	/* Only before anything was decoded. */
	if (d->have_off || d->state != WS_F_HDR || d->f.hdr_len != 0)
		return;
	d->probe = 1;
	if (d->held == NULL) {
		d->held = xmalloc(WS_PROBE_HELD * sizeof *d->held);
		d->held_frames = xmalloc(WS_PROBE_HELD * sizeof *d->held_frames);
	}
}

void
ws_dir_confirm(struct ws_dir *d)
{
	ws_probe_accept(d);
}

/* Unmasks in scratch-sized chunks, and only while someone needs the bytes. */
static void
ws_frame_data(struct ws_dir *d, const uint8_t *p, size_t k)
{
	struct ws_frame *f = &d->f;
	uint64_t         pos = d->pay_pos;
	const uint8_t   *q;
	size_t           c, cl;

	while (k > 0) {
		if (!(f->opcode == WS_OP_CLOSE && pos < ws_close_keep(d)) &&
		    !ws_msgr_wants(d->m, f, pos)) {
			ws_msgr_frame_data(d->m, f, NULL, k);
			return;
		}
		c = k;
		q = p;
		if (f->masked) {
			if (c > d->unmask_len)
				c = d->unmask_len;
			ws_unmask(d->unmask, p, c, f->mask, (size_t)(pos & 3));
			q = d->unmask;
		}
		if (f->opcode == WS_OP_CLOSE && d->clen < ws_close_keep(d)) {
			cl = ws_close_keep(d) - d->clen;
			if (cl > c)
				cl = c;
			/* Grown as bytes come: the declared length is untrusted. */
			if (d->clen + cl > d->calloc_n) {
				d->calloc_n = d->clen + cl < 2 * d->calloc_n ?
				    2 * d->calloc_n : d->clen + cl;
				if (d->calloc_n < WS_CONTROL_MAX)
					d->calloc_n = WS_CONTROL_MAX;
				if (d->calloc_n > ws_close_keep(d))
					d->calloc_n = ws_close_keep(d);
				d->cbuf = xrealloc(d->cbuf, d->calloc_n);
			}
			memcpy(d->cbuf + d->clen, q, cl);
			d->clen += cl;
		}
		ws_msgr_frame_data(d->m, f, q, c);
		p += c;
		k -= c;
		pos += c;
	}
}

static void
ws_frame_finish(struct ws_dir *d, int cut)
{
	struct ws_frame *f = &d->f;

	/* A guessed first frame ends once the header after it is seen. */
	if (d->probe && !cut) {
		d->state = WS_F_CONFIRM;
		return;
	}
	if (f->opcode == WS_OP_CLOSE)
		ws_frame_close(d, f);
	ws_msgr_frame_end(d->m, f, cut);
	f->hdr_len = 0;
	d->state = WS_F_HDR;
}

/*
 * The bytes of a close payload kept: the largest a valid one has, or the
 * payload cap when larger, so an overlong reason is stored as sent as far
 * as any payload is.
 */
static size_t
ws_close_keep(const struct ws_dir *d)
{
	return d->cfg.payload_cap > WS_CONTROL_MAX ? d->cfg.payload_cap :
	    WS_CONTROL_MAX;
}

static void
ws_frame_close(struct ws_dir *d, struct ws_frame *f)
{
	size_t  rlen;
	int64_t bad;

	if (f->payload_len == 1 && !f->truncated)
		ws_frame_find(d, RULE_CLOSE_ONE_BYTE, f, 1, 0, "close payload of 1 byte");
	if (d->clen < 2)
		return;
	f->close_code = d->cbuf[0] << 8 | d->cbuf[1];
	rlen = d->clen - 2;
	f->close_reason = d->cbuf + 2;
	f->close_reason_len = rlen;
	if (f->truncated)
		return;
	if (!ws_close_code_valid(f->close_code))
		ws_frame_find(d, RULE_INVALID_CLOSE_CODE, f, (uint64_t)f->close_code, 0,
		    "close code %d", f->close_code);
	/* A reason cut at what is kept (overlong control frame) may end mid-sequence. */
	if (f->payload_len <= WS_CONTROL_MAX)
		bad = utf8_check(d->cbuf + 2, rlen);
	else {
		struct utf8_state u;

		utf8_init(&u);
		bad = utf8_feed(&u, d->cbuf + 2, rlen);
	}
	if (bad >= 0)
		ws_frame_find(d, RULE_INVALID_UTF8_REASON, f, (uint64_t)bad, 0,
		    "invalid UTF-8 at close reason byte %" PRId64, bad);
}

void
ws_dir_gap(struct ws_dir *d, uint64_t off, uint64_t len)
{
	struct ws_frame *f = &d->f;
	uint64_t         end;

	if (len == 0 || d->state == WS_F_ENDED)
		return;
	if (!d->have_off) {
		d->have_off = 1;
		d->next_off = off;
	}
	end = off + len < off ? UINT64_MAX : off + len;
	if (end <= d->next_off)
		return;
	if (d->state == WS_F_RESYNC)
		ws_resync_gap(d, end);
	/* Bytes between what was decoded and the reported gap are missing too. */
	len = end - d->next_off;
	d->next_off = end;
	d->pos = end;
	d->st.gaps++;
	if (d->probe && !(d->state == WS_F_PAYLOAD && len <= f->payload_len - d->pay_pos)) {
		/* The guess cannot be checked past a hole. */
		d->probe = 0;
		d->state = WS_F_REFUSED;
		return;
	}
	switch (d->state) {
	case WS_F_STOPPED:
	case WS_F_REFUSED:
		return;
	case WS_F_PAYLOAD:
		if (len <= f->payload_len - d->pay_pos) {
			/* Framing survives: the next header's place is known. */
			f->truncated = 1;
			ws_msgr_damage(d->m);
			d->pay_pos += len;
			if (d->pay_pos == f->payload_len)
				ws_frame_finish(d, 0);
			return;
		}
		f->truncated = 1;
		ws_frame_finish(d, 1);
		break;
	case WS_F_HDR:
		d->st.resync_skipped += f->hdr_len;
		f->hdr_len = 0;
		break;
	case WS_F_RESYNC:
		d->st.resync_skipped += d->rs->kl;
		break;
	default:
		break;
	}
	ws_msgr_cut(d->m, 1);
	ws_resync_start(d, end);
}

/*
 * A gap while resynchronising. A held chain of two headers or more whose
 * last frame runs across the whole gap is believed (framing survives the
 * gap, as it does inside a known frame); else chains due after the gap
 * are remembered and the rest is let go.
 */
static void
ws_resync_gap(struct ws_dir *d, uint64_t end)
{
	struct ws_resync *rs = d->rs;
	struct ws_rpend  *e;
	uint64_t          next;
	size_t            i;
	int               k;

	for (i = 0; i < rs->kl; i++) {
		e = rs->npend > 0 ? ws_resync_pend(rs, rs->keep_off + i) : NULL;
		k = ws_resync_chain(d, NULL, 0, i, e != NULL ? e->k : 0, 0, &next);
		if (WS_CHAIN_BELIEVED(k, 2) && rs->keep_off + next >= end) {
			d->st.resync_skipped += i;
			d->pos = rs->keep_off + rs->kl;
			ws_resync_lock(d, i, 0);
			return;
		}
		if (k > 0 && rs->keep_off + next >= end)
			ws_resync_pend_add(rs, rs->keep_off + next, (uint32_t)k);
	}
}

void
ws_dir_resync(struct ws_dir *d)
{
	/* Only before anything was decoded: a later start is a gap. */
	if (d->have_off || d->state != WS_F_HDR || d->f.hdr_len != 0)
		return;
	ws_resync_start(d, 0);
}

/* Scanning starts afresh at stream offset from; chains due there or later stay. */
static void
ws_resync_start(struct ws_dir *d, uint64_t from)
{
	struct ws_resync *rs;
	int               i, j;

	if (d->rs == NULL) {
		d->rs = xmalloc(sizeof *d->rs);
		d->rs->npend = 0;
	}
	rs = d->rs;
	rs->kl = 0;
	rs->nseg = 0;
	if (d->state != WS_F_RESYNC)
		rs->npend = 0;
	for (i = j = 0; i < rs->npend; i++)
		if (rs->pend[i].at >= from)
			rs->pend[j++] = rs->pend[i];
	rs->npend = j;
	d->scanned = 0;
	d->trial = 0;
	d->state = WS_F_RESYNC;
}

/* The open chain whose next header is due at stream offset at, if any. */
static struct ws_rpend *
ws_resync_pend(struct ws_resync *rs, uint64_t at)
{
	int i;

	for (i = 0; i < rs->npend; i++)
		if (rs->pend[i].at == at)
			return &rs->pend[i];
	return NULL;
}

static void
ws_resync_pend_add(struct ws_resync *rs, uint64_t at, uint32_t k)
{
	struct ws_rpend *e = ws_resync_pend(rs, at);
	int              i, w;

	if (e != NULL) {
		if (k > e->k)
			e->k = k;
		return;
	}
	if (rs->npend < WS_RESYNC_PEND) {
		e = &rs->pend[rs->npend++];
	} else {
		/* Full: the shortest chain gives way. */
		for (w = 0, i = 1; i < rs->npend; i++)
			if (rs->pend[i].k < rs->pend[w].k)
				w = i;
		if (rs->pend[w].k > k)
			return;
		e = &rs->pend[w];
	}
	e->at = at;
	e->k = k;
}

static void
ws_resync_pend_drop(struct ws_resync *rs, struct ws_rpend *e)
{
	*e = rs->pend[--rs->npend];
}

/*
 * Follows headers from held byte i (keep ++ p) while they are plausible,
 * starting with k found before. Returns -1 when one is not; else the
 * number of plausible headers and WS_CHAIN_ANCHOR, with *next the held index where the chain
 * continues (at or past the end of what is held). at_end: nothing follows
 * what is held, so the chain must end exactly there.
 */
static int
ws_resync_chain(const struct ws_dir *d, const uint8_t *p, size_t n, size_t i, uint32_t k,
    int at_end, uint64_t *next)
{
	const struct ws_resync *rs = d->rs;
	size_t                  total = rs->kl + n, avail, j;
	uint64_t                at = i, plen;
	uint8_t                 w[14], hl, op;
	const uint8_t          *h;
	int                     r, mask, rsv1_ok;

	mask = d->cfg.role == WS_ROLE_CLIENT ? 1 : d->cfg.role == WS_ROLE_SERVER ? 0 : -1;
	rsv1_ok = d->cfg.ext != WS_EXT_NONE;
	while (at < total && (k & WS_CHAIN_COUNT) < WS_CHAIN_MAX) {
		avail = total - (size_t)at < sizeof w ? total - (size_t)at : sizeof w;
		if (at >= rs->kl) {
			h = p + (at - rs->kl);
		} else {
			for (j = 0; j < avail; j++)
				w[j] = at + j < rs->kl ? rs->keep[at + j] : p[at + j - rs->kl];
			h = w;
		}
		r = ws_frame_plausible(h, avail, rsv1_ok, mask, &hl, &plen);
		if (r == 0)
			return -1;
		if (r == -1)
			break;
		if (mask == -1)
			mask = h[1] >> 7;
		op = h[0] & 0x0f;
		/*
		 * No chain starts at an empty non-final continuation: inside a
		 * run of zero bytes every offset reads as one, each the start of
		 * the next, and a chain would be walked again from every offset,
		 * WS_CHAIN_MAX headers at a time. Such a frame says nothing and
		 * no stack sends one.
		 */
		if ((k & WS_CHAIN_COUNT) == 0 && op == WS_OP_CONT &&
		    !(h[0] & 0x80) && plen == 0)
			return -1;
		if (k & WS_CHAIN_CLOSED)
			return -1;
		if (op == WS_OP_CLOSE)
			k |= WS_CHAIN_CLOSED;
		if (!WS_OP_IS_CONTROL(op)) {
			if ((op == WS_OP_CONT && (k & WS_CHAIN_OUT)) ||
			    (op != WS_OP_CONT && (k & WS_CHAIN_IN)))
				return -1;
			k &= ~(WS_CHAIN_IN | WS_CHAIN_OUT);
			k |= (h[0] & 0x80) ? WS_CHAIN_OUT : WS_CHAIN_IN;
			if ((h[0] & 0x80) || op != WS_OP_CONT)
				k |= WS_CHAIN_ANCHOR;
		}
		k++;
		at += hl + plen;
	}
	if (at_end && at != total)
		return -1;
	*next = at;
	return (int)k;
}

/*
 * Scans keep ++ p for a frame boundary: a candidate whose chain of headers
 * reaches WS_LOCK_CHAIN, or whose frame runs past what is held and gets
 * confirmed later at its successor's offset (ws_rpend). Bytes from the
 * oldest undecided candidate on are kept, at most WS_RESYNC_KEEP of them.
 * Returns the bytes of p used: all, or those before the boundary found.
 */
static size_t
ws_frame_resync(struct ws_dir *d, const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	struct ws_resync *rs = d->rs;
	struct ws_rpend  *e;
	size_t            total = rs->kl + n, i;
	uint64_t          next, base = rs->keep_off;
	uint32_t          k0;
	int               k;

	if (rs->kl == 0)
		rs->keep_off = base = d->pos;
	for (i = 0; i < total; i++) {
		e = rs->npend > 0 ? ws_resync_pend(rs, base + i) : NULL;
		k0 = e != NULL ? e->k : 0;
		k = ws_resync_chain(d, p, n, i, k0, 0, &next);
		if (k < 0) {
			if (e != NULL)
				ws_resync_pend_drop(rs, e);
			continue;
		}
		if (WS_CHAIN_BELIEVED(k, WS_LOCK_CHAIN)) {
			d->st.resync_skipped += i;
			return ws_resync_lock(d, i, n);
		}
		if (total - i <= WS_RESYNC_KEEP &&
		    ws_resync_nseg(rs, base + i, d->pos) <= WS_RESYNC_SEGS)
			break;          /* decided by the bytes to come */
		/* Too far to hold: remember where its chain goes on. */
		if (e != NULL)
			ws_resync_pend_drop(rs, e);
		if (k > 0)
			ws_resync_pend_add(rs, base + next, (uint32_t)k);
	}
	d->st.resync_skipped += i;
	d->scanned += i;
	if (d->scanned > WS_RESYNC_MAX) {
		d->st.stopped = WS_STOP_RESYNC;
		d->state = WS_F_STOPPED;
		return n;
	}
	ws_resync_keep(d, i, p, n, pkt, ts);
	return n;
}

/* Packets that carried the held bytes from stream offset off on, p's included (at p_off). */
static int
ws_resync_nseg(const struct ws_resync *rs, uint64_t off, uint64_t p_off)
{
	int s, n = 1;

	if (off >= p_off)
		return n;
	for (s = rs->nseg - 1; s >= 0; s--) {
		n++;
		if (rs->seg[s].off <= off)
			break;
	}
	return n;
}

/* Keeps held bytes from index i on, and which packets carried them. */
static void
ws_resync_keep(struct ws_dir *d, size_t i, const uint8_t *p, size_t n, uint64_t pkt, struct wts ts)
{
	struct ws_resync *rs = d->rs;
	uint64_t          from = rs->keep_off + i;
	size_t            j, skip;
	int               s;

	if (i < rs->kl) {
		memmove(rs->keep, rs->keep + i, rs->kl - i);
		memcpy(rs->keep + rs->kl - i, p, n);
		rs->kl = rs->kl - i + n;
	} else {
		skip = i - rs->kl;
		memcpy(rs->keep, p + skip, n - skip);
		rs->kl = n - skip;
	}
	rs->keep_off = from;
	/* Packets whose bytes were all let go are forgotten. */
	for (s = 0; s + 1 < rs->nseg && rs->seg[s + 1].off <= from; s++)
		;
	if (d->pos <= from)
		s = rs->nseg;
	for (j = 0; s < rs->nseg; s++)
		rs->seg[j++] = rs->seg[s];
	rs->nseg = (int)j;
	if (rs->nseg > 0 && rs->seg[0].off < from)
		rs->seg[0].off = from;
	if (n == 0 || from >= d->pos + n)
		return;
	if (rs->nseg == WS_RESYNC_SEGS) {
		/* Not reached (the scan holds no more packets than this). */
		memmove(rs->seg + 1, rs->seg + 2, (WS_RESYNC_SEGS - 2) * sizeof *rs->seg);
		rs->nseg--;
	}
	rs->seg[rs->nseg].off = d->pos > from ? d->pos : from;
	rs->seg[rs->nseg].pkt = pkt;
	rs->seg[rs->nseg].ts = ts;
	rs->nseg++;
}

/*
 * Frames from held index i on: the kept bytes packet by packet here, then
 * p from the returned index on, by the caller's loop (no recursion over p,
 * however often a trial sends the decoder back to scanning).
 */
static size_t
ws_resync_lock(struct ws_dir *d, size_t i, size_t n)
{
	struct ws_resync *rs = d->rs;
	struct ws_rseg    seg[WS_RESYNC_SEGS];
	uint8_t           tmp[WS_RESYNC_KEEP];
	uint64_t          p_off = d->pos, from = rs->keep_off + i, so, eo;
	size_t            kl = rs->kl;
	int               s, nseg = rs->nseg;

	d->st.resyncs++;
	d->scanned = 0;
	d->state = WS_F_HDR;
	d->f.hdr_len = 0;
	d->trial = WS_TRIAL;
	rs->npend = 0;
	rs->kl = 0;
	if (i >= kl)
		return i - kl <= n ? i - kl : n;
	/* A failed trial while these are fed starts a new scan over rs: copy out. */
	memcpy(tmp, rs->keep + i, kl - i);
	memcpy(seg, rs->seg, (size_t)nseg * sizeof *seg);
	for (s = 0; s < nseg && d->state != WS_F_ENDED; s++) {
		so = seg[s].off;
		eo = s + 1 < nseg ? seg[s + 1].off : p_off;
		if (eo <= from)
			continue;
		if (so < from)
			so = from;
		d->pos = so;
		ws_frame_consume(d, tmp + (so - from), (size_t)(eo - so), seg[s].pkt, seg[s].ts);
	}
	d->pos = p_off;
	return 0;
}

void
ws_dir_end(struct ws_dir *d)
{
	struct ws_frame  *f = &d->f;
	struct ws_resync *rs = d->rs;
	struct ws_rpend  *e;
	uint64_t          next;
	size_t            i;
	int               k;

	/* A probe that reached the end of the stream is not contradicted. */
	ws_probe_accept(d);
	if (d->state == WS_F_RESYNC) {
		/* A chain that ends exactly with the stream is believed. */
		for (i = 0; i < rs->kl; i++) {
			e = rs->npend > 0 ? ws_resync_pend(rs, rs->keep_off + i) : NULL;
			k = ws_resync_chain(d, NULL, 0, i, e != NULL ? e->k : 0, 1, &next);
			/* Ending exactly with the stream is anchor enough. */
			if (k >= 0 && ((unsigned)k & WS_CHAIN_COUNT) >= 1) {
				d->st.resync_skipped += i;
				d->pos = rs->keep_off + rs->kl;
				ws_resync_lock(d, i, 0);
				break;
			}
		}
	}
	switch (d->state) {
	case WS_F_PAYLOAD:
		f->truncated = 1;
		ws_frame_finish(d, 1);
		ws_msgr_cut(d->m, 0);
		break;
	case WS_F_HDR:
	case WS_F_RESYNC:
		ws_msgr_cut(d->m, 0);
		break;
	default:
		break;
	}
	d->state = WS_F_ENDED;
}
