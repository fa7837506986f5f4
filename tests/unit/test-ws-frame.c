/*
 * Frame decoder: length encodings, byte-by-byte splitting, unmasking, every
 * per-frame rule against its valid neighbour, gaps and resynchronisation,
 * hostile input.
 */
#include "config.h"

#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ws.h"

#define MAXREC 64

/* What the callbacks saw: a text log (for comparisons) and copies. */
struct rec {
	char            log[65536];
	size_t          loglen;
	int             nframes, nmsgs, nfinds;
	struct ws_frame frames[MAXREC];
	uint8_t         fpre[MAXREC][256];
	uint8_t         freason[MAXREC][8192];
	struct ws_message msgs[MAXREC];
	uint8_t         mpre[MAXREC][256];
	struct ws_finding finds[MAXREC];
};

static struct rec R;

static void	rec_log(const char *, ...) __attribute__((format(printf, 1, 2)));
static void	rec_frame(void *, const struct ws_frame *);
static void	rec_message(void *, const struct ws_message *);
static void	rec_finding(void *, const struct ws_finding *);
static struct ws_dir *mk(enum ws_role, enum ws_ext);
static struct ws_dir *mkc(const struct ws_config *);
static void	feed(struct ws_dir *, const uint8_t *, size_t);
static size_t	build(uint8_t *, int, int, int, const uint8_t *, const uint8_t *, uint64_t, int);
static int	nrule(enum rule_id);
static int	run_rule(enum ws_role, enum ws_ext, int, uint64_t, uint64_t, const uint8_t *, size_t,
		    enum rule_id);

static const struct ws_ops ops = { rec_frame, rec_message, rec_finding };
static const uint8_t KEY[4] = { 0x37, 0xfa, 0x21, 0x3d };
static uint64_t feed_off, feed_pkt;

static void
rec_log(const char *fmt, ...)
{
	va_list ap;
	int     n;

	va_start(ap, fmt);
	n = vsnprintf(R.log + R.loglen, sizeof R.log - R.loglen, fmt, ap);
	va_end(ap);
	assert_true(n >= 0 && (size_t)n < sizeof R.log - R.loglen);
	R.loglen += (size_t)n;
}

static void
rec_frame(void *ctx, const struct ws_frame *f)
{
	size_t i;

	rec_log("F%" PRIu64 " off=%" PRIu64 " pk=%" PRIu64 "-%" PRIu64 " len=%" PRIu64
	    " fin=%u rsv=%u op=%u m=%u hl=%u msg=%" PRIu64 " cc=%d trunc=%u seen=%" PRIu64 " [",
	    f->index, f->offset, f->first_pkt, f->last_pkt, f->payload_len, f->fin, f->rsv,
	    f->opcode, f->masked, f->hdr_len, f->message_id, f->close_code, f->truncated,
	    f->seen_len);
	for (i = 0; i < f->prefix_len; i++)
		rec_log("%02x", f->prefix[i]);
	rec_log("]\n");
	if (R.nframes < MAXREC) {
		R.frames[R.nframes] = *f;
		if (f->prefix_len > 0)
			memcpy(R.fpre[R.nframes], f->prefix, f->prefix_len < 256 ? f->prefix_len : 256);
		R.frames[R.nframes].prefix = R.fpre[R.nframes];
		if (f->close_reason != NULL) {
			assert_true(f->close_reason_len <= sizeof R.freason[0]);
			memcpy(R.freason[R.nframes], f->close_reason,
			    f->close_reason_len);
			R.frames[R.nframes].close_reason = R.freason[R.nframes];
		}
	}
	R.nframes++;
}

static void
rec_message(void *ctx, const struct ws_message *m)
{
	size_t i;

	rec_log("M%" PRIu64 " op=%u frames=%" PRIu64 " %" PRIu64 "-%" PRIu64 " wire=%" PRIu64
	    " dec=%" PRIu64 " utf8=%u inc=%u headless=%u gap=%u [", m->id, m->opcode, m->frames,
	    m->first_frame, m->last_frame, m->wire_size, m->decoded_size, m->utf8_valid,
	    m->incomplete, m->headless, m->gap);
	for (i = 0; i < m->prefix_len; i++)
		rec_log("%02x", m->prefix[i]);
	rec_log("]\n");
	if (R.nmsgs < MAXREC) {
		R.msgs[R.nmsgs] = *m;
		if (m->prefix_len > 0)
			memcpy(R.mpre[R.nmsgs], m->prefix, m->prefix_len < 256 ? m->prefix_len : 256);
		R.msgs[R.nmsgs].prefix = R.mpre[R.nmsgs];
	}
	R.nmsgs++;
}

static void
rec_finding(void *ctx, const struct ws_finding *fd)
{
	const char *c;

	for (c = fd->detail; *c != '\0'; c++)
		assert_true(*c >= 0x20 && *c <= 0x7e);
	rec_log("R %s frame=%" PRId64 " msg=%" PRIu64 " v=%" PRIu64 " l=%" PRIu64 " %s\n", rule_name(fd->rule),
	    fd->frame != NULL ? (int64_t)fd->frame->index : -1, fd->message_id, fd->value,
	    fd->limit, fd->detail);
	if (R.nfinds < MAXREC)
		R.finds[R.nfinds] = *fd;
	R.nfinds++;
}

static struct ws_dir *
mkc(const struct ws_config *c)
{
	memset(&R, 0, sizeof R);
	feed_off = 0;
	feed_pkt = 1;
	return ws_dir_new(c, &ops, NULL, NULL);
}

static struct ws_dir *
mk(enum ws_role role, enum ws_ext ext)
{
	struct ws_config c;

	ws_config_default(&c);
	c.role = role;
	c.ext = ext;
	return mkc(&c);
}

/* One packet per call, offsets contiguous. */
static void
feed(struct ws_dir *d, const uint8_t *p, size_t n)
{
	struct wts ts = { 1000 + (int64_t)feed_pkt, 0 };

	ws_dir_feed(d, feed_off, p, n, feed_pkt, ts);
	feed_off += n;
	feed_pkt++;
}

/* A frame as a peer would send it; form 0 = minimal length, 16 or 64 forces one. */
static size_t
build(uint8_t *out, int fin, int rsv, int op, const uint8_t *key, const uint8_t *pl,
    uint64_t len, int form)
{
	size_t   o = 2, i;
	uint64_t j;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | rsv << 4 | op);
	out[1] = key != NULL ? 0x80 : 0;
	if (form == 0)
		form = len < 126 ? 7 : len < 65536 ? 16 : 64;
	if (form == 7)
		out[1] |= (uint8_t)len;
	else if (form == 16) {
		out[1] |= 126;
		out[o++] = (uint8_t)(len >> 8);
		out[o++] = (uint8_t)len;
	} else {
		out[1] |= 127;
		for (i = 0; i < 8; i++)
			out[o++] = (uint8_t)(len >> (56 - 8 * i));
	}
	if (key != NULL) {
		memcpy(out + o, key, 4);
		o += 4;
	}
	if (pl != NULL) {
		for (j = 0; j < len; j++)
			out[o + j] = key != NULL ? pl[j] ^ key[j % 4] : pl[j];
		o += len;
	}
	return o;
}

static int
nrule(enum rule_id rule)
{
	int i, n = 0;

	for (i = 0; i < R.nfinds && i < MAXREC; i++)
		if (R.finds[i].rule == rule)
			n++;
	return n;
}

static void
test_length_encodings(void **state)
{
	static const uint64_t lens[] = { 0, 1, 125, 126, 127, 65535, 65536, 70000 };
	static const int      hl[] = { 2, 2, 2, 4, 4, 4, 10, 10 };
	static uint8_t        pl[70000], buf[70100];
	struct ws_dir        *d;
	size_t                i, n, k;
	int                   masked;

	for (i = 0; i < sizeof pl; i++)
		pl[i] = (uint8_t)(i * 7);
	for (masked = 0; masked < 2; masked++) {
		for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
			d = mk(masked ? WS_ROLE_CLIENT : WS_ROLE_SERVER, WS_EXT_NONE);
			n = build(buf, 1, 0, WS_OP_BINARY, masked ? KEY : NULL, pl, lens[i], 0);
			feed(d, buf, n);
			assert_int_equal(R.nframes, 1);
			assert_int_equal(R.nfinds, 0);
			assert_int_equal(R.frames[0].payload_len, lens[i]);
			assert_int_equal(R.frames[0].hdr_len, hl[i] + (masked ? 4 : 0));
			assert_memory_equal(R.frames[0].hdr, buf, R.frames[0].hdr_len);
			assert_int_equal(R.frames[0].non_minimal, 0);
			assert_int_equal(R.frames[0].masked, masked);
			k = lens[i] < 256 ? lens[i] : 256;
			assert_int_equal(R.frames[0].prefix_len, lens[i] < 4096 ? lens[i] : 4096);
			assert_memory_equal(R.fpre[0], pl, k);
			assert_int_equal(R.msgs[0].decoded_size, lens[i]);
			assert_memory_equal(R.mpre[0], pl, k);
			ws_dir_free(d);
		}
	}
	/* Longer forms than needed are flagged on the frame. */
	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	n = build(buf, 1, 0, WS_OP_BINARY, NULL, pl, 5, 16);
	n += build(buf + n, 1, 0, WS_OP_BINARY, NULL, pl, 300, 64);
	feed(d, buf, n);
	assert_int_equal(R.nframes, 2);
	assert_int_equal(R.frames[0].non_minimal, 1);
	assert_int_equal(R.frames[1].non_minimal, 1);
	assert_int_equal(R.frames[1].payload_len, 300);
	assert_int_equal(R.nfinds, 0);
	ws_dir_free(d);
}

/* Fragmented text with a ping between fragments, binary, pong, close. */
static size_t
sample_stream(uint8_t *buf)
{
	static const uint8_t bin[200] = { 1, 2, 3, 0xff };
	size_t               n = 0;

	n += build(buf + n, 0, 0, WS_OP_TEXT, KEY, (const uint8_t *)"Hel", 3, 0);
	n += build(buf + n, 1, 0, WS_OP_PING, KEY, (const uint8_t *)"pi", 2, 0);
	n += build(buf + n, 0, 0, WS_OP_CONT, KEY, (const uint8_t *)"lo \xc3", 4, 0);
	n += build(buf + n, 1, 0, WS_OP_CONT, KEY, (const uint8_t *)"\xa9!", 2, 0);
	n += build(buf + n, 1, 0, WS_OP_BINARY, KEY, bin, sizeof bin, 0);
	n += build(buf + n, 1, 0, WS_OP_PONG, KEY, NULL, 0, 0);
	n += build(buf + n, 1, 0, WS_OP_BINARY, KEY, bin, 150, 64);
	n += build(buf + n, 1, 0, WS_OP_CLOSE, KEY, (const uint8_t *)"\x03\xe8" "bye", 5, 0);
	return n;
}

static void
test_split_every_position(void **state)
{
	static uint8_t   buf[1024];
	static char      whole[65536];
	struct ws_config c;
	struct ws_dir   *d;
	size_t           n = sample_stream(buf), i, j;
	struct wts       ts = { 5, 0 };

	ws_config_default(&c);
	c.role = WS_ROLE_CLIENT;
	d = mkc(&c);
	ws_dir_feed(d, 0, buf, n, 1, ts);
	ws_dir_end(d);
	memcpy(whole, R.log, R.loglen + 1);
	assert_int_equal(R.nframes, 8);
	assert_int_equal(R.nmsgs, 6);
	assert_int_equal(R.nfinds, 0);
	ws_dir_free(d);

	for (i = 0; i <= n; i++) {
		d = mkc(&c);
		ws_dir_feed(d, 0, buf, i, 1, ts);
		ws_dir_feed(d, i, buf + i, n - i, 1, ts);
		ws_dir_end(d);
		assert_string_equal(R.log, whole);
		ws_dir_free(d);
	}
	d = mkc(&c);
	for (j = 0; j < n; j++)
		ws_dir_feed(d, j, buf + j, 1, 1, ts);
	ws_dir_end(d);
	assert_string_equal(R.log, whole);
	ws_dir_free(d);
}

static void
test_messages_and_pings(void **state)
{
	static uint8_t buf[1024];
	struct ws_dir *d;
	size_t         n = sample_stream(buf);

	d = mk(WS_ROLE_CLIENT, WS_EXT_NONE);
	feed(d, buf, n);
	/* The ping ends first, inside the text message. */
	assert_int_equal(R.msgs[0].opcode, WS_OP_PING);
	assert_int_equal(R.msgs[0].id, 1);
	assert_int_equal(R.msgs[0].prefix_len, 2);
	assert_memory_equal(R.mpre[0], "pi", 2);
	assert_int_equal(R.msgs[1].opcode, WS_OP_TEXT);
	assert_int_equal(R.msgs[1].id, 0);
	assert_int_equal(R.msgs[1].frames, 3);
	assert_int_equal(R.msgs[1].first_frame, 0);
	assert_int_equal(R.msgs[1].last_frame, 3);
	assert_int_equal(R.msgs[1].utf8_valid, 1);
	assert_int_equal(R.msgs[1].prefix_len, 9);
	assert_memory_equal(R.mpre[1], "Hello \xc3\xa9!", 9);
	assert_int_equal(R.frames[1].message_id, 1);
	assert_int_equal(R.frames[2].message_id, 0);
	assert_int_equal(R.frames[7].close_code, 1000);
	assert_int_equal(R.frames[7].close_reason_len, 3);
	assert_memory_equal(R.frames[7].close_reason, "bye", 3);
	assert_int_equal(ws_dir_stats(d)->close_sent, 1);
	assert_int_equal(ws_dir_stats(d)->close_frame_index, 7);
	assert_int_equal(ws_dir_stats(d)->frames, 8);
	assert_int_equal(ws_dir_stats(d)->messages, 6);
	ws_dir_free(d);
}

static void
test_provenance(void **state)
{
	static const uint8_t pl[10] = "0123456789";
	uint8_t              buf[64];
	struct ws_dir       *d;
	size_t               n;

	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	n = build(buf, 1, 0, WS_OP_BINARY, NULL, pl, 10, 0);
	n += build(buf + n, 1, 0, WS_OP_PING, NULL, NULL, 0, 0);
	feed(d, buf, 1);        /* pkt 1: first header byte */
	feed(d, buf + 1, 5);    /* pkt 2 */
	feed(d, buf + 6, 7);    /* pkt 3: last payload byte, then the ping's first byte */
	feed(d, buf + 13, 1);   /* pkt 4 */
	assert_int_equal(R.nframes, 2);
	assert_int_equal(R.frames[0].first_pkt, 1);
	assert_int_equal(R.frames[0].last_pkt, 3);
	assert_int_equal(R.frames[0].ts.sec, 1001);
	assert_int_equal(R.frames[0].end_ts.sec, 1003);
	assert_int_equal(R.frames[1].offset, 12);
	assert_int_equal(R.frames[1].first_pkt, 3);
	assert_int_equal(R.frames[1].last_pkt, 3);
	assert_int_equal(R.msgs[0].first_pkt, 1);
	assert_int_equal(R.msgs[0].last_pkt, 3);
	ws_dir_free(d);
}

static void
test_unmask_reference(void **state)
{
	uint8_t src[128], dst[128], ref[128];
	size_t  len, pos, al, i;

	for (i = 0; i < sizeof src; i++)
		src[i] = (uint8_t)(i * 31 + 7);
	for (len = 0; len <= 100; len++) {
		for (pos = 0; pos < 8; pos++) {
			for (al = 0; al < 8; al++) {
				memset(dst, 0xee, sizeof dst);
				for (i = 0; i < len; i++)
					ref[i] = src[al + i] ^ KEY[(pos + i) % 4];
				ws_unmask(dst + al, src + al, len, KEY, pos);
				assert_memory_equal(dst + al, ref, len);
				if (al > 0)
					assert_int_equal(dst[al - 1], 0xee);
				assert_int_equal(dst[al + len], 0xee);
				/* In place too. */
				memcpy(dst, src, sizeof dst);
				ws_unmask(dst + al, dst + al, len, KEY, pos);
				assert_memory_equal(dst + al, ref, len);
			}
		}
	}
}

static void
test_close_codes(void **state)
{
	int c;

	for (c = -1; c < 70000; c++) {
		int want = (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) ||
		    (c >= 3000 && c <= 4999);

		assert_int_equal(ws_close_code_valid(c), want);
	}
}

/*
 * A close frame over 125 bytes (control-frame-too-long) keeps its reason
 * as sent up to the payload cap, split anywhere; at a cap of 125 or less,
 * the 123 bytes a valid close frame holds.
 */
static void
test_close_reason_whole(void **state)
{
	static const size_t caps[] = { 4096, 100, 150 };
	struct ws_config    c;
	struct ws_dir      *d;
	uint8_t             pl[2 + 300], buf[400];
	size_t              n, i, cut, want;

	(void)state;
	pl[0] = 0x03;
	pl[1] = 0xe8;
	for (i = 0; i < 300; i++)
		pl[2 + i] = (uint8_t)('a' + i % 26);
	for (i = 0; i < sizeof caps / sizeof caps[0]; i++) {
		want = caps[i] > 125 ? caps[i] - 2 : 123;
		if (want > 300)
			want = 300;
		for (cut = 1; cut < 320; cut += 37) {
			ws_config_default(&c);
			c.role = WS_ROLE_CLIENT;
			c.payload_cap = caps[i];
			d = mkc(&c);
			n = build(buf, 1, 0, WS_OP_CLOSE, KEY, pl, sizeof pl, 0);
			feed(d, buf, cut < n ? cut : n);
			if (cut < n)
				feed(d, buf + cut, n - cut);
			assert_int_equal(R.nframes, 1);
			assert_int_equal(R.frames[0].close_code, 1000);
			assert_int_equal(R.frames[0].close_reason_len, want);
			assert_memory_equal(R.frames[0].close_reason, pl + 2, want);
			assert_int_equal(nrule(RULE_CONTROL_TOO_LONG), 1);
			ws_dir_free(d);
		}
	}
}

static int
run_rule(enum ws_role role, enum ws_ext ext, int strict, uint64_t max_frame, uint64_t max_message,
    const uint8_t *p, size_t n, enum rule_id rule)
{
	struct ws_config c;
	struct ws_dir   *d;
	int              k;

	ws_config_default(&c);
	c.role = role;
	c.ext = ext;
	c.strict = strict;
	c.max_frame = max_frame;
	c.max_message = max_message;
	d = mkc(&c);
	feed(d, p, n);
	ws_dir_end(d);
	k = nrule(rule);
	if (k != R.nfinds)
		k = -R.nfinds;   /* another rule fired too */
	ws_dir_free(d);
	return k;
}

#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

/* Each rule: the smallest violating bytes, then the valid neighbour. */
static void
test_rules(void **state)
{
	static uint8_t big[300];
	size_t         n;
	enum rule_id   r;

	r = RULE_RESERVED_OPCODE;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x83, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x8b, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x00), r), 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x8a, 0x00), r), 0);

	r = RULE_RSV_WITHOUT_EXT;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_DEFLATE, 0, 0, 0, B(0xa2, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_DEFLATE, 0, 0, 0, B(0x92, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0xc2, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_DEFLATE, 0, 0, 0, B(0xc2, 0x00), r), 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_UNKNOWN, 0, 0, 0, B(0xc2, 0x00), r), 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x00), r), 0);

	r = RULE_MISPLACED_RSV1;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_DEFLATE, 0, 0, 0, B(0xc9, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_DEFLATE, 0, 0, 0,
	    B(0x42, 0x00, 0xc0, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_DEFLATE, 0, 0, 0,
	    B(0x42, 0x00, 0x80, 0x00), r), 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_UNKNOWN, 0, 0, 0, B(0xc9, 0x00), r), 0);

	r = RULE_UNMASKED_CLIENT;
	assert_int_equal(run_rule(WS_ROLE_CLIENT, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_CLIENT, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x80, 1, 2, 3, 4), r), 0);
	assert_int_equal(run_rule(WS_ROLE_UNKNOWN, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x00), r), 0);

	r = RULE_MASKED_SERVER;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x80, 1, 2, 3, 4), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x00), r), 0);
	assert_int_equal(run_rule(WS_ROLE_UNKNOWN, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x80, 1, 2, 3, 4), r), 0);

	r = RULE_CONTROL_TOO_LONG;
	n = build(big, 1, 0, WS_OP_PING, NULL, big + 100, 126, 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, big, n, r), 1);
	n = build(big, 1, 0, WS_OP_PING, NULL, big + 100, 125, 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, big, n, r), 0);

	r = RULE_FRAGMENTED_CONTROL;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x09, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x89, 0x00), r), 0);

	r = RULE_UNEXPECTED_CONT;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x80, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x82, 0x00, 0x80, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x02, 0x00, 0x80, 0x00), r), 0);

	r = RULE_DATA_DURING_FRAG;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x01, 0x00, 0x81, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x01, 0x00, 0x80, 0x00, 0x81, 0x00), r), 0);

	r = RULE_CLOSE_ONE_BYTE;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x88, 0x01, 0x03), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x88, 0x00), r), 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x88, 0x02, 0x03, 0xe8), r), 0);

	r = RULE_INVALID_CLOSE_CODE;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x88, 0x02, 0x03, 0xed), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x88, 0x02, 0x13, 0x88), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x88, 0x02, 0x0f, 0xa0), r), 0);

	r = RULE_INVALID_UTF8_REASON;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x88, 0x03, 0x03, 0xe8, 0xff), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x88, 0x03, 0x03, 0xe8, 0xc3), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x88, 0x04, 0x03, 0xe8, 0xc3, 0xa9), r), 0);

	r = RULE_LENGTH_MSB;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2), r), 0);

	r = RULE_NON_MINIMAL_LENGTH;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 1, 0, 0,
	    B(0x82, 0x7e, 0x00, 0x01, 0x55), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x82, 0x7e, 0x00, 0x01, 0x55), r), 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 1, 0, 0, B(0x82, 0x01, 0x55), r), 0);

	r = RULE_FRAME_AFTER_CLOSE;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x88, 0x00, 0x89, 0x00), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x89, 0x00, 0x88, 0x00), r), 0);

	r = RULE_FRAME_TOO_BIG;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 4, 0,
	    B(0x82, 0x05, 1, 2, 3, 4, 5), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 4, 0,
	    B(0x82, 0x04, 1, 2, 3, 4), r), 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0,
	    B(0x82, 0x05, 1, 2, 3, 4, 5), r), 0);

	r = RULE_MESSAGE_TOO_BIG;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 4,
	    B(0x02, 0x03, 1, 2, 3, 0x80, 0x02, 4, 5), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 4,
	    B(0x02, 0x02, 1, 2, 0x80, 0x02, 4, 5), r), 0);

	r = RULE_INVALID_UTF8_TEXT;
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x81, 0x01, 0xff), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x81, 0x01, 0xc3), r), 1);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x81, 0x02, 0xc3, 0xa9), r), 0);
	assert_int_equal(run_rule(WS_ROLE_SERVER, WS_EXT_NONE, 0, 0, 0, B(0x82, 0x01, 0xff), r), 0);
}

static void
test_finding_fields(void **state)
{
	struct ws_dir *d;

	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	feed(d, B(0x82, 0x00, 0x88, 0x02, 0x03, 0xed));
	assert_int_equal(R.nfinds, 1);
	assert_int_equal(R.finds[0].rule, RULE_INVALID_CLOSE_CODE);
	assert_int_equal(R.finds[0].value, 1005);
	assert_string_equal(R.finds[0].detail, "close code 1005");
	assert_int_equal(R.finds[0].message_id, 1);
	assert_int_equal(ws_dir_stats(d)->findings, 1);
	ws_dir_free(d);

	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	feed(d, B(0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 1, 0x82, 0x00));
	assert_int_equal(ws_dir_stats(d)->stopped, WS_STOP_MSB);
	assert_int_equal(ws_dir_state(d), WS_DIR_STOPPED);
	assert_int_equal(R.finds[0].value, UINT64_C(0x8000000000000001));
	assert_int_equal(R.nframes, 1);
	assert_int_equal(R.frames[0].truncated, 1);
	assert_int_equal(R.nmsgs, 1);
	assert_int_equal(R.msgs[0].incomplete, 1);
	ws_dir_free(d);
}

static void
test_gap_inside_payload(void **state)
{
	static uint8_t pl[300], buf[1024];
	struct ws_dir *d;
	size_t         a, b, n;

	memset(pl, 'x', sizeof pl);
	d = mk(WS_ROLE_CLIENT, WS_EXT_NONE);
	a = build(buf, 1, 0, WS_OP_TEXT, KEY, pl, sizeof pl, 0);
	b = build(buf + a, 1, 0, WS_OP_TEXT, KEY, (const uint8_t *)"hello", 5, 0);
	n = a + b + build(buf + a + b, 1, 0, WS_OP_PING, KEY, NULL, 0, 0);
	feed(d, buf, 50);
	ws_dir_gap(d, 50, 100);
	feed_off = 150;
	feed(d, buf + 150, n - 150);
	assert_int_equal(R.nframes, 3);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.frames[0].truncated, 1);
	assert_int_equal(R.frames[0].seen_len, 300 - 100);
	assert_int_equal(R.msgs[0].gap, 1);
	assert_int_equal(R.msgs[0].incomplete, 0);
	assert_int_equal(R.frames[1].truncated, 0);
	assert_int_equal(R.msgs[1].prefix_len, 5);
	assert_memory_equal(R.mpre[1], "hello", 5);
	assert_int_equal(ws_dir_stats(d)->resyncs, 0);
	ws_dir_free(d);
}

static void
test_gap_resync(void **state)
{
	static uint8_t pl[300], buf[1024];
	struct ws_dir *d;
	size_t         a, b, c, n, i;

	/* "x" then e-acute pairs: the gap cuts a sequence, which must not be blamed. */
	pl[0] = 'x';
	for (i = 1; i < sizeof pl; i++)
		pl[i] = i % 2 ? 0xc3 : 0xa9;
	d = mk(WS_ROLE_CLIENT, WS_EXT_NONE);
	a = build(buf, 1, 0, WS_OP_TEXT, KEY, pl, sizeof pl, 0);
	b = build(buf + a, 1, 0, WS_OP_TEXT, KEY, (const uint8_t *)"hello", 5, 0);
	c = build(buf + a + b, 1, 0, WS_OP_PING, KEY, (const uint8_t *)"p", 1, 0);
	n = a + b + c;
	feed(d, buf, 50);
	/* Lose the end of the first frame and the start of the second. */
	ws_dir_gap(d, 50, a + 3 - 50);
	feed_off = a + 3;
	feed(d, buf + a + 3, n - a - 3);
	ws_dir_end(d);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.nframes, 2);
	assert_int_equal(R.frames[0].truncated, 1);
	assert_int_equal(R.frames[1].opcode, WS_OP_PING);
	assert_int_equal(R.frames[1].offset, a + b);
	assert_int_equal(R.nmsgs, 2);
	assert_int_equal(R.msgs[0].incomplete, 1);
	assert_int_equal(R.msgs[1].opcode, WS_OP_PING);
	assert_int_equal(ws_dir_stats(d)->resyncs, 1);
	assert_int_equal(ws_dir_stats(d)->resync_skipped, b - 3);
	assert_int_equal(ws_dir_state(d), WS_DIR_FRAMING);
	ws_dir_free(d);
}

/* Continuations whose first frame was lost are not the peer's fault. */
static void
test_gap_headless_continuation(void **state)
{
	uint8_t        buf[256];
	struct ws_dir *d;
	size_t         a, b, c, n;

	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	a = build(buf, 0, 0, WS_OP_TEXT, NULL, (const uint8_t *)"abcdefgh", 8, 0);
	b = build(buf + a, 0, 0, WS_OP_CONT, NULL, (const uint8_t *)"ijklmnop", 8, 0);
	c = build(buf + a + b, 1, 0, WS_OP_CONT, NULL, (const uint8_t *)"qrstuvwx", 8, 0);
	n = a + b + c;
	n += build(buf + n, 1, 0, WS_OP_TEXT, NULL, (const uint8_t *)"ok", 2, 0);
	feed(d, buf, a);
	ws_dir_gap(d, a, b);
	feed_off = a + b;
	/* Split the resumed bytes so the scan has to carry a header across feeds. */
	feed(d, buf + a + b, 1);
	feed(d, buf + a + b + 1, n - a - b - 1);
	ws_dir_end(d);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.nmsgs, 3);
	assert_int_equal(R.msgs[0].incomplete, 1);
	assert_int_equal(R.msgs[1].headless, 1);
	assert_int_equal(R.msgs[1].opcode, WS_OP_CONT);
	assert_int_equal(R.msgs[2].opcode, WS_OP_TEXT);
	assert_int_equal(R.msgs[2].headless, 0);
	ws_dir_free(d);

	/* Once a new message started, a bare continuation is blamed again. */

	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	feed(d, buf, a);
	ws_dir_gap(d, a, b);
	feed_off = a + b;
	feed(d, buf + a + b, n - a - b);
	/*
	 * Four headers in a row make the lock (a chain breaking fragmentation
	 * is no boundary, so the bare continuation comes after it); the text
	 * frames closed the message.
	 */
	feed(d, B(0x81, 0x00));
	feed(d, B(0x81, 0x00));
	feed(d, B(0x80, 0x00));
	assert_int_equal(nrule(RULE_UNEXPECTED_CONT), 1);
	ws_dir_free(d);
}

static void
test_implicit_gap_and_overlap(void **state)
{
	uint8_t        buf[64];
	struct ws_dir *d;
	size_t         n;
	struct wts     ts = { 0, 0 };

	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	n = build(buf, 1, 0, WS_OP_BINARY, NULL, (const uint8_t *)"abcdef", 6, 0);
	n += build(buf + n, 1, 0, WS_OP_BINARY, NULL, (const uint8_t *)"xyz", 3, 0);
	ws_dir_feed(d, 100, buf, 4, 1, ts);
	ws_dir_feed(d, 102, buf + 2, 4, 2, ts);     /* overlaps by two bytes */
	ws_dir_feed(d, 107, buf + 7, n - 7, 3, ts); /* one byte missing */
	assert_int_equal(R.nframes, 2);
	assert_int_equal(R.frames[0].truncated, 1);
	assert_int_equal(R.frames[0].seen_len, 5);
	assert_int_equal(R.frames[1].truncated, 0);
	assert_int_equal(R.frames[1].offset, 108);
	assert_int_equal(ws_dir_stats(d)->gaps, 1);
	assert_int_equal(R.nfinds, 0);
	ws_dir_free(d);
}

static void
test_header_cut_everywhere(void **state)
{
	uint8_t        buf[32];
	struct ws_dir *d;
	size_t         n, i;

	n = build(buf, 1, 0, WS_OP_BINARY, KEY, NULL, 70000, 0);
	for (i = 0; i <= n; i++) {
		d = mk(WS_ROLE_CLIENT, WS_EXT_NONE);
		feed(d, buf, i);
		ws_dir_end(d);
		assert_int_equal(R.nfinds, 0);
		assert_int_equal(R.nframes, i == n ? 1 : 0);
		if (i == n) {
			assert_int_equal(R.frames[0].truncated, 1);
			assert_int_equal(R.msgs[0].incomplete, 1);
		}
		ws_dir_free(d);
	}
}

static void
test_huge_lengths(void **state)
{
	static uint8_t   chunk[65536];
	struct ws_config c;
	struct ws_dir   *d;
	int              i;

	ws_config_default(&c);
	c.role = WS_ROLE_SERVER;
	c.max_frame = 1 << 20;
	c.max_message = 1 << 20;
	d = mkc(&c);
	feed(d, B(0x82, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff));
	for (i = 0; i < 64; i++)
		feed(d, chunk, sizeof chunk);
	ws_dir_end(d);
	assert_int_equal(nrule(RULE_FRAME_TOO_BIG), 1);
	assert_int_equal(nrule(RULE_MESSAGE_TOO_BIG), 1);
	assert_int_equal(R.finds[0].value, INT64_MAX);
	assert_int_equal(R.frames[0].seen_len, 64 * sizeof chunk);
	assert_int_equal(R.msgs[0].wire_size, INT64_MAX);
	ws_dir_free(d);
}

static void
test_random_bytes(void **state)
{
	static uint8_t   buf[4096];
	static uint8_t   scratch[1024];
	struct ws_shared sh = { scratch, sizeof scratch };
	struct ws_config c;
	struct ws_dir   *d;
	uint32_t         seed = 99;
	size_t           i, pos, k;
	int              iter;
	struct wts       ts = { 0, 0 };

	for (iter = 0; iter < 300; iter++) {
		for (i = 0; i < sizeof buf; i++) {
			seed = seed * 1664525 + 1013904223;
			buf[i] = (uint8_t)(seed >> 24);
			/* Bias toward plausible header bytes. */
			if ((seed & 0x300) == 0)
				buf[i] = (uint8_t[]){ 0x81, 0x82, 0x01, 0x80, 0x88, 0x89, 0xc1, 0x7e, 0x7f, 0x05 }[(seed >> 12) % 10];
		}
		ws_config_default(&c);
		c.role = (enum ws_role)(iter % 3);
		c.ext = (enum ws_ext)((iter / 3) % 3);
		c.strict = iter & 1;
		c.max_message = (iter & 2) ? 100 : 0;
		c.payload_cap = (iter & 4) ? 0 : 64;
		memset(&R, 0, sizeof R);
		d = ws_dir_new(&c, &ops, NULL, &sh);
		for (pos = 0; pos < sizeof buf; pos += k) {
			seed = seed * 1664525 + 1013904223;
			k = 1 + (seed >> 20) % 300;
			if (k > sizeof buf - pos)
				k = sizeof buf - pos;
			if ((seed & 0xf) == 0)
				ws_dir_gap(d, pos, k);
			else
				ws_dir_feed(d, pos, buf + pos, k, pos, ts);
			R.loglen = 0;   /* only the callbacks' sanity matters here */
		}
		ws_dir_end(d);
		ws_dir_free(d);
	}
}

static void
test_looks_like_frames(void **state)
{
	uint8_t buf[64];
	size_t  n;
	int     m = -1;

	n = build(buf, 1, 0, WS_OP_TEXT, KEY, (const uint8_t *)"hi", 2, 0);
	n += build(buf + n, 1, 0, WS_OP_PING, KEY, NULL, 0, 0);
	assert_int_equal(ws_looks_like_frames(buf, n, &m), 1);
	assert_int_equal(m, 1);
	n = build(buf, 1, 0, WS_OP_BINARY, NULL, (const uint8_t *)"abc", 3, 0);
	assert_int_equal(ws_looks_like_frames(buf, n, &m), 1);
	assert_int_equal(m, 0);
	/* One header whose frame runs past the bytes: a guess to confirm. */
	assert_int_equal(ws_looks_like_frames(buf, n - 1, &m), 2);
	assert_int_equal(m, 0);
	assert_int_equal(ws_looks_like_frames((const uint8_t *)"GET / HTTP/1.1\r\n", 16, &m), 0);
	/* A second header with the other MASK bit is not the same sender. */
	n = build(buf, 1, 0, WS_OP_TEXT, KEY, (const uint8_t *)"hi", 2, 0);
	n += build(buf + n, 1, 0, WS_OP_PING, NULL, NULL, 0, 0);
	assert_int_equal(ws_looks_like_frames(buf, n, &m), 0);
}

/* A probed first frame ends only once the header after it is seen. */
static void
test_probe(void **state)
{
	static uint8_t pl[300], buf[600];
	struct ws_dir *d;
	size_t         a, n;

	memset(pl, 0xc3, sizeof pl);   /* invalid UTF-8: a finding held back */
	a = build(buf, 1, 0, WS_OP_TEXT, KEY, pl, sizeof pl, 0);
	n = a + build(buf + a, 1, 0, WS_OP_PING, KEY, NULL, 0, 0);

	/* Confirmed by the next header, split over two feeds. */
	d = mk(WS_ROLE_CLIENT, WS_EXT_UNKNOWN);
	ws_dir_probe(d);
	feed(d, buf, 100);
	assert_int_equal(ws_dir_state(d), WS_DIR_PROBE);
	feed(d, buf + 100, a - 100 + 1);
	assert_int_equal(ws_dir_state(d), WS_DIR_PROBE);
	assert_int_equal(R.nframes + R.nmsgs + R.nfinds, 0);
	feed(d, buf + a + 1, n - a - 1);
	assert_int_equal(ws_dir_state(d), WS_DIR_FRAMING);
	assert_int_equal(R.nframes, 2);
	assert_int_equal(R.frames[0].payload_len, sizeof pl);
	assert_int_equal(R.frames[0].first_pkt, 1);
	assert_int_equal(R.frames[1].offset, a);
	assert_int_equal(R.frames[1].first_pkt, 2);
	assert_int_equal(nrule(RULE_INVALID_UTF8_TEXT), 1);
	/* Said with the frame it was found in, not the one decoded since. */
	assert_non_null(strstr(R.log, "R invalid-utf8-text frame=0 "));
	ws_dir_free(d);

	/*
	 * Bad UTF-8 early in a guessed frame the stream cuts short: said at
	 * the end, still naming that frame.
	 */
	{
		static uint8_t b2[600];
		size_t         a2;

		a2 = build(b2, 1, 0, WS_OP_TEXT, KEY, pl, sizeof pl, 0);
		d = mk(WS_ROLE_CLIENT, WS_EXT_NONE);
		ws_dir_probe(d);
		feed(d, b2, a2 - 10);
		assert_int_equal(R.nfinds, 0);
		ws_dir_end(d);
		assert_int_equal(nrule(RULE_INVALID_UTF8_TEXT), 1);
		assert_non_null(strstr(R.log, "R invalid-utf8-text frame=0 "));
		ws_dir_free(d);
	}

	/* Refused: what follows is no header; nothing was said. */
	d = mk(WS_ROLE_CLIENT, WS_EXT_UNKNOWN);
	ws_dir_probe(d);
	feed(d, buf, a);
	feed(d, B(0x73, 0x80));
	assert_int_equal(ws_dir_state(d), WS_DIR_REFUSED);
	ws_dir_end(d);
	assert_int_equal(R.nframes + R.nmsgs + R.nfinds, 0);
	ws_dir_free(d);

	/* The stream ends right after it: not contradicted. */
	d = mk(WS_ROLE_CLIENT, WS_EXT_UNKNOWN);
	ws_dir_probe(d);
	feed(d, buf, a);
	ws_dir_end(d);
	assert_int_equal(R.nframes, 1);
	assert_int_equal(R.frames[0].truncated, 0);
	ws_dir_free(d);
}

/* After a lock, an implausible header means it was payload: scan again. */
static void
test_resync_trial(void **state)
{
	static uint8_t seg[60000];
	uint8_t        buf[256];
	struct ws_dir *d;
	size_t         n = 0, i, reps = sizeof seg / 10;

	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	feed(d, B(0x82, 0x7e));        /* a header cut by the gap below */
	ws_dir_gap(d, 2, 100);
	feed_off = 102;
	for (i = 0; i < 4; i++)
		n += build(buf + n, 1, 0, WS_OP_BINARY, NULL, (const uint8_t *)"abc", 3, 0);
	feed(d, buf, n);
	assert_int_equal(ws_dir_stats(d)->resyncs, 1);
	assert_int_equal(ws_dir_state(d), WS_DIR_FRAMING);
	feed(d, B(0x83, 0x00));        /* reserved opcode: not a peer's header here */
	assert_int_equal(ws_dir_state(d), WS_DIR_RESYNC);
	assert_int_equal(nrule(RULE_RESERVED_OPCODE), 0);
	assert_int_equal(R.nframes, 4);
	ws_dir_free(d);

	/*
	 * Runs of four good headers broken by a bad one, all in one segment:
	 * no chain is clean to the end of what is held, so nothing locks.
	 */
	d = mk(WS_ROLE_SERVER, WS_EXT_NONE);
	feed(d, B(0x82, 0x7e));
	ws_dir_gap(d, 2, 100);
	feed_off = 102;
	for (i = 0; i < reps; i++)
		memcpy(seg + 10 * i, (const uint8_t[]){ 0x82, 0, 0x82, 0, 0x82, 0, 0x82, 0, 0x83, 0 }, 10);
	feed(d, seg, sizeof seg);
	assert_int_equal(ws_dir_stats(d)->resyncs, 0);
	assert_int_equal(R.nframes, 0);
	assert_int_equal(ws_dir_state(d), WS_DIR_RESYNC);
	ws_dir_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_length_encodings),
		cmocka_unit_test(test_split_every_position),
		cmocka_unit_test(test_messages_and_pings),
		cmocka_unit_test(test_provenance),
		cmocka_unit_test(test_unmask_reference),
		cmocka_unit_test(test_close_codes),
		cmocka_unit_test(test_close_reason_whole),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_finding_fields),
		cmocka_unit_test(test_gap_inside_payload),
		cmocka_unit_test(test_gap_resync),
		cmocka_unit_test(test_gap_headless_continuation),
		cmocka_unit_test(test_implicit_gap_and_overlap),
		cmocka_unit_test(test_header_cut_everywhere),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_looks_like_frames),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_resync_trial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
