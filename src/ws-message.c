/*
 * WebSocket messages: fragmentation (RFC 6455 5.4), permessage-deflate
 * (RFC 7692), UTF-8 of text messages, payload prefixes and size limits.
 * Driven frame by frame by ws-frame.c.
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "ws-msgr.h"

#define WS_ZCHUNK      (1U << 30)  /* largest input handed to zlib at once */
#define WS_BUF_MIN     256
#define WS_BUF_KEEP    (1U << 20)  /* larger prefix buffers are freed after use */

struct ws_msgr {
	const struct ws_config *cfg;
	const struct ws_ops    *ops;
	void                   *ctx;
	struct ws_dir_stats    *st;
	uint8_t                *zout;
	size_t                  zout_len;
	z_stream               *z;         /* allocated at the first compressed message */
	uint64_t                next_id;

	struct ws_message       cm;        /* control message of the current frame */
	int                     cm_open;
	struct ws_message       dm;        /* data message, possibly fragmented */
	int                     dm_open;
	struct ws_message      *cur;       /* message of the current frame */
	int                     after_cut; /* continuations may belong to a message cut by a gap */

	/* State of dm's content. */
	int                     inflating;
	int                     maybe;     /* RSV1 under an unknown extension */
	int                     content_cut; /* decoded bytes stop before the message end */
	int                     utf8_on;
	int                     utf8_done; /* the first bad sequence was handled */
	struct utf8_state       u;

	uint8_t                *mbuf;      /* dm prefix (decoded) */
	size_t                  mbuf_alloc, mlen;
	uint8_t                *fbuf;      /* current frame prefix (unmasked wire bytes) */
	size_t                  fbuf_alloc, flen;
	int                     fgap;      /* the current frame lost bytes: its prefix stops */
};

static void	ws_msg_start(struct ws_msgr *, struct ws_message *, struct ws_frame *);
static void	ws_msg_data_start(struct ws_msgr *, struct ws_frame *, int);
static void	ws_msg_attach(struct ws_message *, const struct ws_frame *);
static void	ws_msg_emit(struct ws_msgr *, struct ws_message *);
static void	ws_msg_data_finish(struct ws_msgr *, struct ws_frame *);
static void	ws_msg_content(struct ws_msgr *, struct ws_frame *, const uint8_t *, size_t);
static void	ws_msg_inflate(struct ws_msgr *, struct ws_frame *, const uint8_t *, size_t);
static uint64_t	ws_msg_inflate_bound(const struct ws_config *);
static int	ws_msg_inflate_setup(struct ws_msgr *);
static void	ws_msg_inflate_abandon(struct ws_msgr *, int);
static void	ws_msg_inflate_fail(struct ws_msgr *, struct ws_frame *, const char *);
static void	ws_msg_keep(uint8_t **, size_t *, size_t *, size_t, const uint8_t *, size_t);
static void	ws_msg_shrink(uint8_t **, size_t *, size_t *);
static uint64_t	ws_msg_add(uint64_t, uint64_t);

struct ws_msgr *
ws_msgr_new(const struct ws_config *cfg, const struct ws_ops *ops, void *ctx,
    struct ws_dir_stats *st, uint8_t *zout, size_t zout_len)
{
	struct ws_msgr *m;

	m = xcalloc(1, sizeof *m);
	m->cfg = cfg;
	m->ops = ops;
	m->ctx = ctx;
	m->st = st;
	m->zout = zout;
	m->zout_len = zout_len;
	return m;
}

void
ws_msgr_free(struct ws_msgr *m)
{
	if (m == NULL)
		return;
	if (m->z != NULL) {
		inflateEnd(m->z);
		free(m->z);
	}
	free(m->mbuf);
	free(m->fbuf);
	free(m);
}

static uint64_t
ws_msg_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Appends to a buffer kept to its first cap bytes; grows, never past cap. */
static void
ws_msg_keep(uint8_t **buf, size_t *alloc, size_t *len, size_t cap, const uint8_t *p, size_t n)
{
	size_t want, sz;

	if (*len >= cap || n == 0)
		return;
	if (n > cap - *len)
		n = cap - *len;
	want = *len + n;
	if (want > *alloc) {
		sz = *alloc < WS_BUF_MIN ? WS_BUF_MIN : *alloc;
		while (sz < want && sz <= SIZE_MAX / 2)
			sz *= 2;
		if (sz < want)
			sz = want;
		if (sz > cap)
			sz = cap;
		*buf = xrealloc(*buf, sz);
		*alloc = sz;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
}

static void
ws_msg_start(struct ws_msgr *m, struct ws_message *msg, struct ws_frame *f)
{
	memset(msg, 0, sizeof *msg);
	msg->id = m->next_id++;
	msg->opcode = f->opcode;
	msg->utf8_valid = 1;
	msg->first_pkt = msg->last_pkt = f->first_pkt;
	msg->ts = msg->end_ts = f->ts;
	msg->first_frame = f->index;
	ws_msg_attach(msg, f);
}

static void
ws_msg_attach(struct ws_message *msg, const struct ws_frame *f)
{
	msg->frames++;
	msg->last_frame = f->index;
	msg->wire_size = ws_msg_add(msg->wire_size, f->payload_len);
}

static void
ws_msg_data_start(struct ws_msgr *m, struct ws_frame *f, int headless)
{
	const struct ws_config *cfg = m->cfg;

	ws_msg_start(m, &m->dm, f);
	m->dm.headless = headless;
	m->dm_open = 1;
	m->mlen = 0;
	m->inflating = m->maybe = m->content_cut = m->utf8_done = 0;
	m->utf8_on = f->opcode == WS_OP_TEXT;
	utf8_init(&m->u);
	if (!(f->rsv & WS_RSV1) || (f->opcode != WS_OP_TEXT && f->opcode != WS_OP_BINARY) ||
	    cfg->ext == WS_EXT_NONE)
		return;
	m->dm.compressed = 1;
	m->maybe = cfg->ext == WS_EXT_UNKNOWN;
	if (m->st->inflate_stopped != WS_INFLATE_STOP_NONE || !ws_msg_inflate_setup(m)) {
		m->dm.undecoded = 1;
		return;
	}
	m->inflating = 1;
}

/* Makes the z_stream ready for a new message; 0 if zlib cannot be used. */
static int
ws_msg_inflate_setup(struct ws_msgr *m)
{
	int wbits = m->cfg->inflate_window_bits;

	if (m->z != NULL) {
		if (m->cfg->no_context_takeover)
			inflateReset(m->z);
		return 1;
	}
	/* zlib's raw inflate does not accept 8; a 9-bit window reads 8-bit streams. */
	if (wbits < 8 || wbits > 15)
		wbits = 15;
	if (wbits == 8)
		wbits = 9;
	m->z = xcalloc(1, sizeof *m->z);
	if (inflateInit2(m->z, -wbits) != Z_OK) {
		free(m->z);
		m->z = NULL;
		m->st->inflate_stopped = WS_INFLATE_STOP_ERROR;
		return 0;
	}
	return 1;
}

void
ws_msgr_frame_begin(struct ws_msgr *m, struct ws_frame *f)
{
	uint64_t max = m->cfg->max_message;

	m->flen = 0;
	m->fgap = 0;
	if (WS_OP_IS_CONTROL(f->opcode)) {
		ws_msg_start(m, &m->cm, f);
		m->cm_open = 1;
		m->cur = &m->cm;
		f->message_id = m->cm.id;
		return;
	}
	if (f->opcode == WS_OP_CONT) {
		if (m->dm_open)
			ws_msg_attach(&m->dm, f);
		else {
			ws_msg_data_start(m, f, m->after_cut);
			f->message_id = m->dm.id;
			if (!m->after_cut)
				ws_finding_emit(m->st, m->ops, m->ctx, RULE_UNEXPECTED_CONT, f, m->dm.id,
				    0, 0, "continuation frame with no message in progress");
		}
	} else {
		if (m->dm_open) {
			ws_finding_emit(m->st, m->ops, m->ctx, RULE_DATA_DURING_FRAG, f, m->dm.id,
			    f->opcode, 0, "opcode %u frame inside fragmented message %" PRIu64,
			    f->opcode, m->dm.id);
			m->dm.incomplete = 1;
			ws_msg_emit(m, &m->dm);
		}
		ws_msg_data_start(m, f, 0);
		m->after_cut = 0;
	}
	m->cur = &m->dm;
	f->message_id = m->dm.id;
	/* Uncompressed: the declared length already says the message is too big. */
	if (max != 0 && !m->dm.compressed && !m->dm.too_big && m->dm.wire_size > max) {
		m->dm.too_big = 1;
		ws_finding_emit(m->st, m->ops, m->ctx, RULE_MESSAGE_TOO_BIG, f, m->dm.id,
		    m->dm.wire_size, max, "message of %" PRIu64 " bytes > %" PRIu64,
		    m->dm.wire_size, max);
	}
}

int
ws_msgr_wants(const struct ws_msgr *m, const struct ws_frame *f, uint64_t pos)
{
	if (!m->fgap && pos < m->cfg->payload_cap)
		return 1;
	if (m->cur != &m->dm || m->content_cut)
		return 0;
	if (m->dm.compressed)
		return m->inflating;
	if (m->utf8_on && !m->utf8_done)
		return 1;
	return m->mlen < m->cfg->payload_cap;
}

void
ws_msgr_frame_data(struct ws_msgr *m, struct ws_frame *f, const uint8_t *p, size_t n)
{
	if (p != NULL && !m->fgap)
		ws_msg_keep(&m->fbuf, &m->fbuf_alloc, &m->flen, m->cfg->payload_cap, p, n);
	if (m->cur != &m->dm) {
		m->cur->decoded_size += n;
		return;
	}
	if (!m->dm.compressed) {
		m->dm.decoded_size += n;
		if (p != NULL && !m->content_cut)
			ws_msg_content(m, f, p, n);
		return;
	}
	if (p != NULL && m->inflating)
		ws_msg_inflate(m, f, p, n);
}

/* Decoded bytes of the data message, in order. */
static void
ws_msg_content(struct ws_msgr *m, struct ws_frame *f, const uint8_t *p, size_t n)
{
	int64_t bad;

	ws_msg_keep(&m->mbuf, &m->mbuf_alloc, &m->mlen, m->cfg->payload_cap, p, n);
	if (!m->utf8_on || m->utf8_done)
		return;
	bad = utf8_feed(&m->u, p, n);
	if (bad < 0)
		return;
	m->utf8_done = 1;
	m->dm.utf8_valid = 0;
	m->dm.utf8_error_at = (uint64_t)bad;
	/* Under an unknown extension the bytes may be garbage from a wrong guess. */
	if (!m->maybe)
		ws_finding_emit(m->st, m->ops, m->ctx, RULE_INVALID_UTF8_TEXT, f, m->dm.id,
		    (uint64_t)bad, 0, "invalid UTF-8 at message byte %" PRId64, bad);
}

/*
 * Bytes of one message inflation may produce: max_message + 1 (enough to
 * see it crossed), else max_inflate + 1; 0 for no bound.
 */
static uint64_t
ws_msg_inflate_bound(const struct ws_config *cfg)
{
	uint64_t b = cfg->max_message != 0 ? cfg->max_message : cfg->max_inflate;

	return b == 0 || b == UINT64_MAX ? 0 : b + 1;
}

/*
 * Inflates into zout, never producing more than ws_msg_inflate_bound()
 * bytes for one message, so a decompression bomb costs one scratch buffer
 * and a bounded time.
 */
static void
ws_msg_inflate(struct ws_msgr *m, struct ws_frame *f, const uint8_t *in, size_t n)
{
	z_stream *z = m->z;
	uint64_t  max = m->cfg->max_message, bound, left;
	size_t    room, got, c;
	int       rc;

	bound = ws_msg_inflate_bound(m->cfg);
	while (n > 0 && m->inflating) {
		c = n < WS_ZCHUNK ? n : WS_ZCHUNK;
		z->next_in = (Bytef *)(uintptr_t)in;
		z->avail_in = (uInt)c;
		in += c;
		n -= c;
		for (;;) {
			room = m->zout_len;
			if (bound != 0) {
				left = bound - m->dm.decoded_size;
				if (left < room)
					room = (size_t)left;
			}
			z->next_out = m->zout;
			z->avail_out = (uInt)room;
			rc = inflate(z, Z_SYNC_FLUSH);
			got = room - z->avail_out;
			if (got > 0) {
				m->dm.decoded_size += got;
				ws_msg_content(m, f, m->zout, got);
			}
			if (bound != 0 && m->dm.decoded_size >= bound) {
				if (max != 0) {
					m->dm.too_big = 1;
					ws_finding_emit(m->st, m->ops, m->ctx, RULE_MESSAGE_TOO_BIG, f,
					    m->dm.id, m->dm.decoded_size, max,
					    "inflated message exceeds %" PRIu64 " bytes", max);
					ws_msg_inflate_abandon(m, WS_INFLATE_STOP_LIMIT);
				} else {
					m->dm.inflate_capped = 1;
					ws_msg_inflate_abandon(m, WS_INFLATE_STOP_CAP);
				}
				return;
			}
			if (rc == Z_STREAM_END) {
				/* A final block (BFINAL): later bytes start a new stream. */
				inflateReset(z);
				if (z->avail_in == 0)
					break;
				continue;
			}
			if (rc == Z_BUF_ERROR)
				break;
			if (rc != Z_OK) {
				ws_msg_inflate_fail(m, f, z->msg != NULL ? z->msg : "error");
				return;
			}
			if (z->avail_in == 0 && z->avail_out != 0)
				break;
		}
	}
}

/* The rest of this message is not inflated; without a fresh context per
 * message, later messages cannot be either. */
static void
ws_msg_inflate_abandon(struct ws_msgr *m, int why)
{
	m->inflating = 0;
	m->content_cut = 1;
	if (!m->cfg->no_context_takeover && m->st->inflate_stopped == WS_INFLATE_STOP_NONE)
		m->st->inflate_stopped = why;
}

static void
ws_msg_inflate_fail(struct ws_msgr *m, struct ws_frame *f, const char *zmsg)
{
	m->inflating = 0;
	m->content_cut = 1;
	m->st->inflate_stopped = WS_INFLATE_STOP_ERROR;
	if (m->maybe) {
		/* RSV1 under an unknown extension was not deflate after all. */
		m->dm.compressed = 0;
		m->dm.undecoded = 1;
		m->dm.utf8_valid = 1;
		return;
	}
	ws_finding_emit(m->st, m->ops, m->ctx, RULE_INFLATE_ERROR, f, m->dm.id,
	    m->dm.decoded_size, 0, "zlib: %s", zmsg);
}

void
ws_msgr_frame_end(struct ws_msgr *m, struct ws_frame *f, int cut)
{
	struct ws_message *msg = m->cur;

	f->prefix = m->fbuf;
	f->prefix_len = m->flen;
	msg->last_pkt = f->last_pkt;
	msg->end_ts = f->end_ts;
	if (!cut && f->fin && msg == &m->dm)
		ws_msg_data_finish(m, f);
	m->st->frames++;
	if (m->ops != NULL && m->ops->frame != NULL)
		m->ops->frame(m->ctx, f);
	if (cut)
		return;
	if (msg == &m->cm) {
		m->cm.prefix = m->fbuf;
		m->cm.prefix_len = m->flen;
		ws_msg_emit(m, &m->cm);
	} else if (f->fin)
		ws_msg_emit(m, &m->dm);
}

/* A large --payload-cap costs memory while a message is held, not after. */
static void
ws_msg_shrink(uint8_t **buf, size_t *alloc, size_t *len)
{
	if (*alloc <= WS_BUF_KEEP)
		return;
	free(*buf);
	*buf = NULL;
	*alloc = *len = 0;
}

static void
ws_msg_data_finish(struct ws_msgr *m, struct ws_frame *f)
{
	static const uint8_t tail[4] = { 0x00, 0x00, 0xff, 0xff };
	int64_t              bad;

	if (m->inflating)
		ws_msg_inflate(m, f, tail, sizeof tail);
	if (m->utf8_on && !m->utf8_done && !m->content_cut && !m->dm.gap && !m->dm.undecoded) {
		bad = utf8_finish(&m->u);
		if (bad >= 0) {
			m->utf8_done = 1;
			m->dm.utf8_valid = 0;
			m->dm.utf8_error_at = (uint64_t)bad;
			if (!m->maybe)
				ws_finding_emit(m->st, m->ops, m->ctx, RULE_INVALID_UTF8_TEXT, f, m->dm.id,
				    (uint64_t)bad, 0, "UTF-8 sequence at message byte %" PRId64
				    " cut by the message end", bad);
		}
	}
	/* Deferred from ws_msg_content: inflating worked, so the bytes are real. */
	if (m->maybe && !m->dm.undecoded && !m->dm.utf8_valid)
		ws_finding_emit(m->st, m->ops, m->ctx, RULE_INVALID_UTF8_TEXT, f, m->dm.id,
		    m->dm.utf8_error_at, 0, "invalid UTF-8 at message byte %" PRIu64,
		    m->dm.utf8_error_at);
}

static void
ws_msg_emit(struct ws_msgr *m, struct ws_message *msg)
{
	if (msg == &m->dm) {
		msg->prefix = m->mbuf;
		msg->prefix_len = m->mlen;
		m->dm_open = 0;
	} else
		m->cm_open = 0;
	m->st->messages++;
	if (m->ops != NULL && m->ops->message != NULL)
		m->ops->message(m->ctx, msg);
	/*
	 * Its prefix has been handed on: a big buffer goes until needed. The
	 * data message's survives a control frame between its fragments.
	 */
	if (msg == &m->dm)
		ws_msg_shrink(&m->mbuf, &m->mbuf_alloc, &m->mlen);
	ws_msg_shrink(&m->fbuf, &m->fbuf_alloc, &m->flen);
}

void
ws_msgr_damage(struct ws_msgr *m)
{
	m->fgap = 1;
	if (m->cur == NULL)
		return;
	m->cur->gap = 1;
	if (m->cur != &m->dm)
		return;
	if (m->inflating)
		ws_msg_inflate_abandon(m, WS_INFLATE_STOP_GAP);
	m->content_cut = 1;
}

void
ws_msgr_cut(struct ws_msgr *m, int lost)
{
	if (m->cm_open) {
		m->cm.incomplete = 1;
		m->cm.prefix = m->fbuf;
		m->cm.prefix_len = m->flen;
		ws_msg_emit(m, &m->cm);
	}
	if (m->dm_open) {
		m->dm.incomplete = 1;
		if (lost && m->inflating)
			ws_msg_inflate_abandon(m, WS_INFLATE_STOP_GAP);
		ws_msg_emit(m, &m->dm);
	}
	m->cur = NULL;
	if (!lost)
		return;
	m->after_cut = 1;
	/* Whole compressed messages may be in the gap: the shared window is lost. */
	if (!m->cfg->no_context_takeover && (m->cfg->ext == WS_EXT_DEFLATE || m->z != NULL) &&
	    m->st->inflate_stopped == WS_INFLATE_STOP_NONE)
		m->st->inflate_stopped = WS_INFLATE_STOP_GAP;
}

/* A finding of either layer: counted, made one printable line, reported. */
void
ws_finding_emit(struct ws_dir_stats *st, const struct ws_ops *ops, void *ctx, enum rule_id rule,
    const struct ws_frame *f, uint64_t msgid, uint64_t value, uint64_t limit, const char *fmt, ...)
{
	struct ws_finding fd;
	va_list           ap;
	char             *c;

	memset(&fd, 0, sizeof fd);
	fd.rule = rule;
	fd.frame = f;
	fd.message_id = msgid;
	fd.value = value;
	fd.limit = limit;
	va_start(ap, fmt);
	vsnprintf(fd.detail, sizeof fd.detail, fmt, ap);
	va_end(ap);
	/* The detail may quote zlib or peer bytes: keep it one printable line. */
	for (c = fd.detail; *c != '\0'; c++) {
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			*c = '?';
	}
	st->findings++;
	if (ops != NULL && ops->finding != NULL)
		ops->finding(ctx, &fd);
}
