/*
 * fuzz-ws: one direction's WebSocket decoder (src/ws.h).
 *
 * Input: six bytes of configuration, then the stream.
 *   byte 0  role (% 3), extension (/ 3 % 3), bit 4 no_context_takeover,
 *           bit 5 strict, bits 6-7 shared scratch (none, minimum, odd, 64K)
 *   byte 1  low nibble inflate window bits (< 8: default), high nibble
 *           payload_cap (index into fw_caps)
 *   byte 2  max_frame, byte 3 max_message (indexes into fw_limits)
 *   byte 4-5 seed of the decisions below; byte 5's low two bits also pick
 *           the start: at a frame boundary, on trial (ws_dir_probe, as a
 *           capture picked up mid-connection), searching (ws_dir_resync)
 * The stream is fed in chunks of data-derived sizes with, now and then, a
 * gap (bytes dropped and reported), an unannounced offset jump, a long gap
 * that forces resynchronisation, or a retransmission of bytes already fed.
 * The callbacks check the documented invariants of frames, messages and
 * findings and read every byte they are handed.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "ws.h"

#define FW_HDR 6

struct fw_ctx {
	const struct ws_config *cfg;
	uint64_t                frames;
	uint64_t                last_pkt;
	unsigned                sum;
};

static const size_t fw_caps[16] = {
	0, 1, 2, 16, 125, 126, 1000, 4096, 4096, 4096, 65535, 65536, 65537,
	200000, WS_PAYLOAD_CAP_MAX, WS_PAYLOAD_CAP_MAX
};
static const uint64_t fw_limits[16] = {
	0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 125, 126, 1000, 65536, 1 << 20,
	UINT64_MAX
};

static void	fw_touch(struct fw_ctx *, const uint8_t *, size_t);
static void	fw_frame(void *, const struct ws_frame *);
static void	fw_message(void *, const struct ws_message *);
static void	fw_finding(void *, const struct ws_finding *);
static void	fw_config(const uint8_t *, struct ws_config *);
static void	fw_unmask(const uint8_t *, size_t, uint64_t);
static void	fw_close_codes(const uint8_t *, size_t);
static size_t	fw_chunk(uint64_t *, size_t);

static const struct ws_ops fw_ops = { fw_frame, fw_message, fw_finding };

/* Reads every byte, so ASan sees a pointer that outlived its buffer. */
static void
fw_touch(struct fw_ctx *c, const uint8_t *p, size_t n)
{
	size_t i;

	if (n > 0)
		FUZZ_CHECK(p != NULL);
	for (i = 0; i < n; i++)
		c->sum += p[i];
}

static void
fw_frame(void *arg, const struct ws_frame *f)
{
	struct fw_ctx *c = arg;

	FUZZ_CHECK(f->index == c->frames);
	c->frames++;
	FUZZ_CHECK(f->hdr_len >= 2 && f->hdr_len <= 14);
	FUZZ_CHECK(f->opcode <= 15 && f->rsv <= 7);
	FUZZ_CHECK(f->fin <= 1 && f->masked <= 1);
	FUZZ_CHECK(f->opcode == (f->hdr[0] & 0x0f));
	FUZZ_CHECK(f->first_pkt <= f->last_pkt && f->last_pkt <= c->last_pkt);
	FUZZ_CHECK(f->seen_len <= f->payload_len);
	if (!f->truncated)
		FUZZ_CHECK(f->seen_len == f->payload_len);
	FUZZ_CHECK(f->prefix_len <= c->cfg->payload_cap);
	FUZZ_CHECK(f->prefix_len <= f->seen_len);
	fw_touch(c, f->prefix, f->prefix_len);
	FUZZ_CHECK(f->close_code >= -1 && f->close_code <= 65535);
	if (f->close_code != -1)
		FUZZ_CHECK(f->opcode == WS_OP_CLOSE);
	FUZZ_CHECK(f->close_reason_len <= (c->cfg->payload_cap > 125 ?
	    c->cfg->payload_cap : 125));
	FUZZ_CHECK(f->close_reason != NULL || f->close_reason_len == 0);
	fw_touch(c, f->close_reason, f->close_reason_len);
}

static void
fw_message(void *arg, const struct ws_message *m)
{
	struct fw_ctx *c = arg;

	FUZZ_CHECK(m->prefix_len <= c->cfg->payload_cap);
	fw_touch(c, m->prefix, m->prefix_len);
	FUZZ_CHECK(m->first_frame <= m->last_frame);
	FUZZ_CHECK(m->last_frame < c->frames);
	FUZZ_CHECK(m->first_pkt <= m->last_pkt && m->last_pkt <= c->last_pkt);
	FUZZ_CHECK(m->utf8_valid <= 1);
	if (m->compressed)
		FUZZ_CHECK(c->cfg->ext != WS_EXT_NONE);
	if (!m->compressed && !m->undecoded)
		FUZZ_CHECK(m->prefix_len <= m->decoded_size);
	/* The limit is on data messages; inflation stops at it. */
	if ((m->opcode == WS_OP_TEXT || m->opcode == WS_OP_BINARY) &&
	    !m->undecoded &&
	    c->cfg->max_message != 0 && m->decoded_size > c->cfg->max_message)
		FUZZ_CHECK(m->too_big);
}

static void
fw_finding(void *arg, const struct ws_finding *fd)
{
	struct fw_ctx *c = arg;
	size_t         i;

	FUZZ_CHECK(rule_get(fd->rule) != NULL);
	FUZZ_CHECK(memchr(fd->detail, '\0', sizeof fd->detail) != NULL);
	/* detail is one line of printable ASCII (ws.h). */
	for (i = 0; fd->detail[i] != '\0'; i++)
		FUZZ_CHECK(fd->detail[i] >= 0x20 && fd->detail[i] < 0x7f);
	if (fd->frame != NULL) {
		FUZZ_CHECK(fd->frame->hdr_len >= 2 && fd->frame->hdr_len <= 14);
		c->sum += fd->frame->hdr[fd->frame->hdr_len - 1];
	}
	if (fd->rule == RULE_NON_MINIMAL_LENGTH)
		FUZZ_CHECK(c->cfg->strict);
	if (fd->rule == RULE_FRAME_TOO_BIG)
		FUZZ_CHECK(c->cfg->max_frame != 0);
	if (fd->rule == RULE_MESSAGE_TOO_BIG)
		FUZZ_CHECK(c->cfg->max_message != 0);
	if (fd->rule == RULE_INFLATE_ERROR)
		FUZZ_CHECK(c->cfg->ext != WS_EXT_NONE);
}

static void
fw_config(const uint8_t *h, struct ws_config *cfg)
{
	static const enum ws_role roles[3] = {
		WS_ROLE_UNKNOWN, WS_ROLE_CLIENT, WS_ROLE_SERVER
	};
	static const enum ws_ext exts[3] = {
		WS_EXT_NONE, WS_EXT_DEFLATE, WS_EXT_UNKNOWN
	};

	ws_config_default(cfg);
	cfg->role = roles[h[0] % 3];
	cfg->ext = exts[(h[0] / 3) % 3];
	cfg->no_context_takeover = (h[0] >> 4) & 1;
	cfg->strict = (h[0] >> 5) & 1;
	cfg->inflate_window_bits = (h[1] & 15) >= 8 ? h[1] & 15 : 0;
	cfg->payload_cap = fw_caps[h[1] >> 4];
	cfg->max_frame = fw_limits[h[2] & 15];
	cfg->max_message = fw_limits[h[3] & 15];
}

/* ws_unmask against the definition (RFC 6455 section 5.3). */
static void
fw_unmask(const uint8_t *p, size_t n, uint64_t r)
{
	uint8_t key[4], got[64];
	size_t  pos = (size_t)(r % 7), i;

	if (n > sizeof got)
		n = sizeof got;
	memcpy(key, &r, sizeof key);
	ws_unmask(got, p, n, key, pos);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(got[i] == (p[i] ^ key[(pos + i) & 3]));
}

/* The close code ranges of ws.h, RULE_INVALID_CLOSE_CODE. */
static void
fw_close_codes(const uint8_t *h, size_t n)
{
	int code, valid;

	if (n < 2)
		return;
	code = h[0] << 8 | h[1];
	valid = (code >= 1000 && code <= 1003) ||
	    (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
	FUZZ_CHECK((ws_close_code_valid(code) != 0) == valid);
}

static size_t
fw_chunk(uint64_t *rs, size_t left)
{
	uint64_t r = fuzz_rand(rs);
	size_t   n;

	switch (r & 7) {
	case 0:
		n = 1;
		break;
	case 1:
		n = left;
		break;
	case 2:
		n = 1 + (size_t)((r >> 8) % 2048);
		break;
	default:
		n = 1 + (size_t)((r >> 8) % 16);
		break;
	}
	return n < left ? n : left;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_config	 cfg;
	struct ws_shared	 sh, *shp = &sh;
	struct ws_dir		*d;
	struct fw_ctx		 c;
	struct wts		 ts = { 1700000000, 0 };
	const uint8_t		*p;
	uint8_t			*scratch = NULL;
	uint64_t		 rs, r, so = 1000, pkt = 0, k;
	size_t			 n, ip = 0, len, contig = 0;
	int			 masked, ended = 0;

	if (size < FW_HDR)
		return 0;
	fw_config(data, &cfg);
	rs = (uint64_t)data[4] << 8 | data[5];
	p = data + FW_HDR;
	n = size - FW_HDR;
	fw_unmask(p, n, fuzz_rand(&rs));
	fw_close_codes(p, n);
	if (ws_looks_like_frames(p, n, &masked))
		FUZZ_CHECK(masked == 0 || masked == 1);

	switch (data[0] >> 6) {
	case 0:
		shp = NULL;
		break;
	case 1:
		sh.scratch_len = WS_SCRATCH_MIN;
		break;
	case 2:
		sh.scratch_len = WS_SCRATCH_MIN * 2 + 3;
		break;
	default:
		sh.scratch_len = 65536;
		break;
	}
	if (shp != NULL)
		sh.scratch = scratch = malloc(sh.scratch_len);
	memset(&c, 0, sizeof c);
	c.cfg = &cfg;
	d = ws_dir_new(&cfg, &fw_ops, &c, shp);
	if ((data[5] & 3) == 1)
		ws_dir_probe(d);
	else if ((data[5] & 3) == 2)
		ws_dir_resync(d);

	while (ip < n) {
		r = fuzz_rand(&rs);
		len = fw_chunk(&rs, n - ip);
		c.last_pkt = ++pkt;
		ts.nsec = (uint32_t)(pkt % 1000000000);
		switch (r % 32) {
		case 0:		/* bytes lost and reported */
			ws_dir_gap(d, so, len);
			so += len;
			ip += len;
			contig = 0;
			continue;
		case 1:		/* a long loss: resynchronise */
			k = (r >> 8) % (WS_RESYNC_MAX + 1024);
			ws_dir_gap(d, so, k);
			so += k;
			contig = 0;
			continue;
		case 2:		/* bytes lost, seen only as an offset jump */
			so += len;
			ip += len;
			contig = 0;
			continue;
		case 3:		/* retransmission overlapping decoded bytes */
			k = contig > 0 ? (r >> 8) % contig + 1 : 0;
			ws_dir_feed(d, so - k, p + ip - k, (size_t)k + len, pkt,
			    ts);
			break;
		case 4:		/* the stream ends early; later bytes are ignored */
			if ((r >> 8) % 8 == 0 && !ended) {
				ws_dir_end(d);
				ended = 1;
			}
			ws_dir_feed(d, so, p + ip, len, pkt, ts);
			break;
		default:
			ws_dir_feed(d, so, p + ip, len, pkt, ts);
			break;
		}
		so += len;
		ip += len;
		contig += len;
	}
	(void)ws_dir_state(d);
	FUZZ_CHECK(ws_dir_stats(d)->frames == c.frames);
	if (!ended)
		ws_dir_end(d);
	FUZZ_CHECK(ws_dir_stats(d)->frames == c.frames);
	FUZZ_CHECK(ws_dir_state(d) <= WS_DIR_REFUSED);
	ws_dir_free(d);
	free(scratch);
	return 0;
}
