/*
 * Message layer: fragmentation, permessage-deflate with and without context
 * takeover, window sizes, decompression bombs, inflate errors, UTF-8 across
 * fragments and after inflation, payload prefixes.
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

struct rec {
	int               nframes, nmsgs, nfinds;
	struct ws_frame   frames[MAXREC];
	struct ws_message msgs[MAXREC];
	uint8_t           mpre[MAXREC][4096];
	struct ws_finding finds[MAXREC];
};

static struct rec R;

static void	rec_frame(void *, const struct ws_frame *);
static void	rec_message(void *, const struct ws_message *);
static void	rec_finding(void *, const struct ws_finding *);
static struct ws_dir *mkc(const struct ws_config *, struct ws_shared *);
static void	cfg(struct ws_config *, enum ws_ext);
static void	feed(struct ws_dir *, const uint8_t *, size_t);
static size_t	build(uint8_t *, int, int, int, const uint8_t *, const uint8_t *, size_t);
static size_t	compress_msg(z_stream *, const uint8_t *, size_t, uint8_t *, size_t, int);
static int	nrule(enum rule_id);

static const struct ws_ops ops = { rec_frame, rec_message, rec_finding };
static const uint8_t KEY[4] = { 0xa1, 0x02, 0x7c, 0xe5 };
static uint64_t feed_off;

static void
rec_frame(void *ctx, const struct ws_frame *f)
{
	if (R.nframes < MAXREC)
		R.frames[R.nframes] = *f;
	R.nframes++;
}

static void
rec_message(void *ctx, const struct ws_message *m)
{
	if (R.nmsgs < MAXREC) {
		R.msgs[R.nmsgs] = *m;
		assert_true(m->prefix_len <= sizeof R.mpre[0]);
		if (m->prefix_len > 0)
			memcpy(R.mpre[R.nmsgs], m->prefix, m->prefix_len);
	}
	R.nmsgs++;
}

static void
rec_finding(void *ctx, const struct ws_finding *fd)
{
	if (R.nfinds < MAXREC)
		R.finds[R.nfinds] = *fd;
	R.nfinds++;
}

static void
cfg(struct ws_config *c, enum ws_ext ext)
{
	ws_config_default(c);
	c->role = WS_ROLE_CLIENT;
	c->ext = ext;
}

static struct ws_dir *
mkc(const struct ws_config *c, struct ws_shared *sh)
{
	memset(&R, 0, sizeof R);
	feed_off = 0;
	return ws_dir_new(c, &ops, NULL, sh);
}

static void
feed(struct ws_dir *d, const uint8_t *p, size_t n)
{
	struct wts ts = { 1, 0 };

	ws_dir_feed(d, feed_off, p, n, feed_off, ts);
	feed_off += n;
}

/* A masked frame; rsv uses the RSV1=4 convention. */
static size_t
build(uint8_t *out, int fin, int rsv, int op, const uint8_t *key, const uint8_t *pl, size_t len)
{
	size_t o = 2, i;

	out[0] = (uint8_t)((fin ? 0x80 : 0) | rsv << 4 | op);
	out[1] = key != NULL ? 0x80 : 0;
	if (len < 126)
		out[1] |= (uint8_t)len;
	else if (len < 65536) {
		out[1] |= 126;
		out[o++] = (uint8_t)(len >> 8);
		out[o++] = (uint8_t)len;
	} else {
		out[1] |= 127;
		for (i = 0; i < 8; i++)
			out[o++] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	}
	if (key != NULL) {
		memcpy(out + o, key, 4);
		o += 4;
	}
	for (i = 0; i < len; i++)
		out[o + i] = key != NULL ? pl[i] ^ key[i % 4] : pl[i];
	return o + len;
}

/* RFC 7692 7.2.1: raw deflate, sync flush, drop the trailing 00 00 ff ff. */
static size_t
compress_msg(z_stream *z, const uint8_t *in, size_t n, uint8_t *out, size_t cap, int reset)
{
	size_t len;

	if (reset)
		assert_int_equal(deflateReset(z), Z_OK);
	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)n;
	z->next_out = out;
	z->avail_out = (uInt)cap;
	assert_int_equal(deflate(z, Z_SYNC_FLUSH), Z_OK);
	assert_int_equal(z->avail_in, 0);
	assert_true(z->avail_out > 0);
	len = cap - z->avail_out;
	assert_true(len >= 4);
	assert_memory_equal(out + len - 4, "\x00\x00\xff\xff", 4);
	return len - 4;
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
test_fragments_with_pings(void **state)
{
	uint8_t          buf[256];
	struct ws_config c;
	struct ws_dir   *d;
	size_t           n = 0;

	cfg(&c, WS_EXT_NONE);
	d = mkc(&c, NULL);
	n += build(buf + n, 0, 0, WS_OP_TEXT, KEY, (const uint8_t *)"Hello, ", 7);
	n += build(buf + n, 1, 0, WS_OP_PING, KEY, (const uint8_t *)"p1", 2);
	n += build(buf + n, 0, 0, WS_OP_CONT, KEY, (const uint8_t *)"World", 5);
	n += build(buf + n, 1, 0, WS_OP_PONG, KEY, (const uint8_t *)"p2", 2);
	n += build(buf + n, 1, 0, WS_OP_PING, KEY, NULL, 0);
	n += build(buf + n, 1, 0, WS_OP_CONT, KEY, (const uint8_t *)"!", 1);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.nframes, 6);
	assert_int_equal(R.nmsgs, 4);
	assert_int_equal(R.msgs[0].id, 1);
	assert_memory_equal(R.mpre[0], "p1", 2);
	assert_int_equal(R.msgs[1].id, 2);
	assert_int_equal(R.msgs[1].opcode, WS_OP_PONG);
	assert_int_equal(R.msgs[2].id, 3);
	assert_int_equal(R.msgs[2].prefix_len, 0);
	assert_int_equal(R.msgs[3].id, 0);
	assert_int_equal(R.msgs[3].frames, 3);
	assert_int_equal(R.msgs[3].first_frame, 0);
	assert_int_equal(R.msgs[3].last_frame, 5);
	assert_int_equal(R.msgs[3].wire_size, 13);
	assert_int_equal(R.msgs[3].decoded_size, 13);
	assert_int_equal(R.msgs[3].prefix_len, 13);
	assert_memory_equal(R.mpre[3], "Hello, World!", 13);
	assert_int_equal(R.frames[2].message_id, 0);
	assert_int_equal(R.frames[3].message_id, 2);
	ws_dir_free(d);
}

/* Three messages through one compressor; the later ones only decode with
 * the earlier ones' window, and fragmentation keeps RSV1 on the first frame. */
static void
test_deflate_takeover(void **state)
{
	static const char *texts[] = { "the quick brown fox jumps over the lazy dog",
	    "the quick brown fox jumps over the lazy dog", "the lazy dog \xc3\xa9t\xc3\xa9" };
	static uint8_t     comp[512], buf[4096];
	struct ws_config   c;
	struct ws_dir     *d;
	z_stream           z;
	size_t             n = 0, k, i, half;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	for (i = 0; i < 3; i++) {
		k = compress_msg(&z, (const uint8_t *)texts[i], strlen(texts[i]), comp, sizeof comp, 0);
		if (i == 1)
			assert_true(k < 10);   /* a back reference, not literals */
		if (i == 2) {
			half = k / 2;
			n += build(buf + n, 0, WS_RSV1, WS_OP_TEXT, KEY, comp, half);
			n += build(buf + n, 1, 0, WS_OP_PING, KEY, NULL, 0);
			n += build(buf + n, 1, 0, WS_OP_CONT, KEY, comp + half, k - half);
		} else
			n += build(buf + n, 1, WS_RSV1, WS_OP_TEXT, KEY, comp, k);
	}
	deflateEnd(&z);

	cfg(&c, WS_EXT_DEFLATE);
	d = mkc(&c, NULL);
	for (i = 0; i < n; i++)
		feed(d, buf + i, 1);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.nmsgs, 4);
	for (i = 0; i < 4; i++) {
		/* The ping (message 3) ends before the fragmented third text. */
		size_t j = i == 3 ? 2 : i;

		if (i == 2) {
			assert_int_equal(R.msgs[i].opcode, WS_OP_PING);
			continue;
		}
		assert_int_equal(R.msgs[i].compressed, 1);
		assert_int_equal(R.msgs[i].utf8_valid, 1);
		assert_int_equal(R.msgs[i].decoded_size, strlen(texts[j]));
		assert_memory_equal(R.mpre[i], texts[j], strlen(texts[j]));
	}
	assert_int_equal(ws_dir_stats(d)->inflate_stopped, WS_INFLATE_STOP_NONE);
	ws_dir_free(d);
}

static size_t
two_messages(uint8_t *buf, int reset, int wbits, const uint8_t *m1, size_t n1)
{
	static uint8_t comp[8192];
	z_stream       z;
	size_t         n = 0, k;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
	k = compress_msg(&z, m1, n1, comp, sizeof comp, 0);
	n += build(buf + n, 1, WS_RSV1, WS_OP_BINARY, KEY, comp, k);
	k = compress_msg(&z, m1, n1, comp, sizeof comp, reset);
	n += build(buf + n, 1, WS_RSV1, WS_OP_BINARY, KEY, comp, k);
	deflateEnd(&z);
	return n;
}

static void
test_deflate_no_takeover(void **state)
{
	static const char  text[] = "no context takeover: every message starts afresh, afresh";
	static uint8_t     buf[4096];
	struct ws_config   c;
	struct ws_dir     *d;
	size_t             n;

	n = two_messages(buf, 1, 15, (const uint8_t *)text, sizeof text - 1);
	cfg(&c, WS_EXT_DEFLATE);
	c.no_context_takeover = 1;
	d = mkc(&c, NULL);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.nmsgs, 2);
	assert_memory_equal(R.mpre[1], text, sizeof text - 1);
	ws_dir_free(d);

	/* The same decoder must reset: a shared-window stream then fails. */
	n = two_messages(buf, 0, 15, (const uint8_t *)text, sizeof text - 1);
	d = mkc(&c, NULL);
	feed(d, buf, n);
	assert_int_equal(nrule(RULE_INFLATE_ERROR), 1);
	assert_int_equal(R.finds[0].message_id, 1);
	assert_non_null(strstr(R.finds[0].detail, "zlib: "));
	ws_dir_free(d);
}

/* server_max_window_bits=8: zlib compresses with a 9-bit window (it has no
 * 8-bit raw mode); the second message repeats the first, so it decodes only
 * from the window kept across messages. */
static void
test_deflate_window_8(void **state)
{
	static uint8_t   msg[200], buf[8192];
	struct ws_config c;
	struct ws_dir   *d;
	size_t           n, i;
	uint32_t         seed = 7;

	for (i = 0; i < sizeof msg; i++) {
		seed = seed * 1103515245 + 12345;
		msg[i] = (uint8_t)(seed >> 16);
	}
	n = two_messages(buf, 0, 9, msg, sizeof msg);
	assert_true(n < 2 * sizeof msg);   /* the second one is a back reference */
	cfg(&c, WS_EXT_DEFLATE);
	c.inflate_window_bits = 8;
	d = mkc(&c, NULL);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.nmsgs, 2);
	assert_int_equal(R.msgs[1].decoded_size, sizeof msg);
	assert_memory_equal(R.mpre[1], msg, sizeof msg);
	ws_dir_free(d);
}

static void
test_decompression_bomb(void **state)
{
	static uint8_t   scratch[65536];
	struct ws_shared sh = { scratch, sizeof scratch };
	struct ws_config c;
	struct ws_dir   *d;
	uint8_t         *zeros, *comp, *buf;
	size_t           nz = 10 << 20, k, n;
	z_stream         z;

	zeros = calloc(1, nz);
	comp = malloc(nz / 100);
	buf = malloc(nz / 100 + 16);
	assert_non_null(zeros);
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	k = compress_msg(&z, zeros, nz, comp, nz / 100, 0);
	deflateEnd(&z);
	free(zeros);
	n = build(buf, 1, WS_RSV1, WS_OP_BINARY, KEY, comp, k);
	n += build(buf + n, 1, 0, WS_OP_PING, KEY, NULL, 0);

	cfg(&c, WS_EXT_DEFLATE);
	c.max_message = 1 << 20;
	d = mkc(&c, &sh);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 1);
	assert_int_equal(R.finds[0].rule, RULE_MESSAGE_TOO_BIG);
	assert_int_equal(R.finds[0].limit, 1 << 20);
	assert_int_equal(R.finds[0].value, (1 << 20) + 1);
	assert_int_equal(R.msgs[0].decoded_size, (1 << 20) + 1);
	assert_int_equal(R.msgs[0].wire_size, k);
	assert_int_equal(R.msgs[0].too_big, 1);
	assert_int_equal(R.msgs[0].prefix_len, WS_PAYLOAD_CAP_DEFAULT);
	assert_int_equal(R.msgs[1].opcode, WS_OP_PING);
	assert_int_equal(ws_dir_stats(d)->inflate_stopped, WS_INFLATE_STOP_LIMIT);
	ws_dir_free(d);

	/* No limit: counted in scratch-sized chunks, the prefix stays capped. */
	cfg(&c, WS_EXT_DEFLATE);
	d = mkc(&c, &sh);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.msgs[0].decoded_size, nz);
	assert_int_equal(R.msgs[0].prefix_len, WS_PAYLOAD_CAP_DEFAULT);
	ws_dir_free(d);
	free(comp);
	free(buf);
}

static void
test_inflate_error(void **state)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x00, 0x13 };
	static uint8_t       buf[512], comp[128];
	struct ws_config     c;
	struct ws_dir       *d;
	z_stream             z;
	size_t               n, k;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	k = compress_msg(&z, (const uint8_t *)"fine", 4, comp, sizeof comp, 0);
	deflateEnd(&z);
	n = build(buf, 1, WS_RSV1, WS_OP_TEXT, KEY, junk, sizeof junk);
	n += build(buf + n, 1, WS_RSV1, WS_OP_TEXT, KEY, comp, k);

	cfg(&c, WS_EXT_DEFLATE);
	d = mkc(&c, NULL);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 1);
	assert_int_equal(R.finds[0].rule, RULE_INFLATE_ERROR);
	assert_int_equal(strncmp(R.finds[0].detail, "zlib: ", 6), 0);
	assert_int_equal(R.nmsgs, 2);
	/* Afterwards compressed messages are counted, not decoded. */
	assert_int_equal(R.msgs[1].undecoded, 1);
	assert_int_equal(R.msgs[1].wire_size, k);
	assert_int_equal(ws_dir_stats(d)->inflate_stopped, WS_INFLATE_STOP_ERROR);
	ws_dir_free(d);

	/* The valid neighbour alone decodes. */
	n = build(buf, 1, WS_RSV1, WS_OP_TEXT, KEY, comp, k);
	d = mkc(&c, NULL);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.msgs[0].prefix_len, 4);
	assert_memory_equal(R.mpre[0], "fine", 4);
	ws_dir_free(d);

	/* Unknown extension: RSV1 that does not inflate is not blamed. */
	n = build(buf, 1, WS_RSV1, WS_OP_TEXT, KEY, junk, sizeof junk);
	cfg(&c, WS_EXT_UNKNOWN);
	d = mkc(&c, NULL);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.msgs[0].undecoded, 1);
	assert_int_equal(R.msgs[0].compressed, 0);
	ws_dir_free(d);

	/* ... and RSV1 that does inflate is decoded. */
	n = build(buf, 1, WS_RSV1, WS_OP_TEXT, KEY, comp, k);
	d = mkc(&c, NULL);
	feed(d, buf, n);
	assert_int_equal(R.nfinds, 0);
	assert_int_equal(R.msgs[0].compressed, 1);
	assert_memory_equal(R.mpre[0], "fine", 4);
	ws_dir_free(d);
}

/* Split a multi-byte text at every position into two and three fragments. */
static void
test_utf8_across_fragments(void **state)
{
	static const char text[] = "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e!";
	uint8_t           buf[128];
	struct ws_config  c;
	struct ws_dir    *d;
	size_t            len = sizeof text - 1, i, j, n;

	cfg(&c, WS_EXT_NONE);
	for (i = 0; i <= len; i++) {
		for (j = i; j <= len; j++) {
			n = build(buf, 0, 0, WS_OP_TEXT, KEY, (const uint8_t *)text, i);
			n += build(buf + n, 0, 0, WS_OP_CONT, KEY, (const uint8_t *)text + i, j - i);
			n += build(buf + n, 1, 0, WS_OP_CONT, KEY, (const uint8_t *)text + j, len - j);
			d = mkc(&c, NULL);
			feed(d, buf, n);
			assert_int_equal(R.nfinds, 0);
			assert_int_equal(R.msgs[0].utf8_valid, 1);
			ws_dir_free(d);
		}
		/* The message ends at i: any cut sequence is invalid. */
		n = build(buf, 0, 0, WS_OP_TEXT, KEY, (const uint8_t *)text, i);
		n += build(buf + n, 1, 0, WS_OP_CONT, KEY, NULL, 0);
		d = mkc(&c, NULL);
		feed(d, buf, n);
		if (i == 1 || (i >= 3 && i <= 4) || (i >= 6 && i <= 8)) {
			assert_int_equal(nrule(RULE_INVALID_UTF8_TEXT), 1);
			assert_int_equal(R.msgs[0].utf8_valid, 0);
			assert_int_equal(R.msgs[0].utf8_error_at, i == 1 ? 0 : i <= 4 ? 2 : 5);
		} else
			assert_int_equal(R.nfinds, 0);
		ws_dir_free(d);
	}
}

static void
test_utf8_invalid_kinds(void **state)
{
	static const struct { const char *s; uint64_t at; } bad[] = {
		{ "ok\xc0\xaf", 2 },                /* overlong '/' */
		{ "\xe0\x80\xaf", 1 },
		{ "ab\xed\xa0\x80", 3 },            /* surrogate */
		{ "\xf4\x90\x80\x80", 1 },          /* > U+10FFFF */
		{ "\xf8\x88\x80\x80\x80", 0 },
	};
	uint8_t          buf[64];
	struct ws_config c;
	struct ws_dir   *d;
	size_t           i, n, len;

	cfg(&c, WS_EXT_NONE);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		len = strlen(bad[i].s);
		/* One byte per fragment, plus an interleaved ping. */
		n = build(buf, 0, 0, WS_OP_TEXT, KEY, (const uint8_t *)bad[i].s, 1);
		n += build(buf + n, 1, 0, WS_OP_PING, KEY, NULL, 0);
		n += build(buf + n, 1, 0, WS_OP_CONT, KEY, (const uint8_t *)bad[i].s + 1, len - 1);
		d = mkc(&c, NULL);
		feed(d, buf, n);
		assert_int_equal(R.nfinds, 1);
		assert_int_equal(R.finds[0].rule, RULE_INVALID_UTF8_TEXT);
		assert_int_equal(R.finds[0].value, bad[i].at);
		assert_int_equal(R.finds[0].message_id, 0);
		assert_int_equal(R.msgs[1].utf8_valid, 0);
		assert_int_equal(R.msgs[1].utf8_error_at, bad[i].at);
		ws_dir_free(d);
	}
}

/* Validation applies to the inflated bytes, not the wire bytes. */
static void
test_utf8_after_inflate(void **state)
{
	static uint8_t   comp[128], buf[256];
	struct ws_config c;
	struct ws_dir   *d;
	z_stream         z;
	size_t           k, n;

	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	k = compress_msg(&z, (const uint8_t *)"abc\xed\xbf\xbf", 6, comp, sizeof comp, 0);
	deflateEnd(&z);
	n = build(buf, 1, WS_RSV1, WS_OP_TEXT, KEY, comp, k);
	cfg(&c, WS_EXT_DEFLATE);
	d = mkc(&c, NULL);
	feed(d, buf, n);
	assert_int_equal(nrule(RULE_INVALID_UTF8_TEXT), 1);
	assert_int_equal(R.finds[0].value, 4);
	assert_int_equal(R.msgs[0].decoded_size, 6);
	ws_dir_free(d);
}

/* Prefix capping, and no unmasking at all when nobody needs the bytes. */
static void
test_prefix_and_skip(void **state)
{
	static uint8_t   pl[3000], buf[4096], scratch[1024];
	struct ws_shared sh = { scratch, sizeof scratch };
	struct ws_config c;
	struct ws_dir   *d;
	size_t           n, i;

	for (i = 0; i < sizeof pl; i++)
		pl[i] = (uint8_t)i;
	cfg(&c, WS_EXT_NONE);
	c.payload_cap = 5;
	n = build(buf, 0, 0, WS_OP_BINARY, KEY, pl, 3);
	n += build(buf + n, 1, 0, WS_OP_CONT, KEY, pl + 3, 2000);
	d = mkc(&c, &sh);
	feed(d, buf, n);
	assert_int_equal(R.frames[0].prefix_len, 3);
	assert_int_equal(R.frames[1].prefix_len, 5);
	assert_int_equal(R.msgs[0].prefix_len, 5);
	assert_memory_equal(R.mpre[0], pl, 5);
	assert_int_equal(R.msgs[0].decoded_size, 2003);
	ws_dir_free(d);

	c.payload_cap = 0;
	memset(scratch, 0x5a, sizeof scratch);
	n = build(buf, 1, 0, WS_OP_BINARY, KEY, pl, sizeof pl);
	d = mkc(&c, &sh);
	feed(d, buf, n);
	assert_int_equal(R.msgs[0].decoded_size, sizeof pl);
	assert_int_equal(R.msgs[0].prefix_len, 0);
	for (i = 0; i < sizeof scratch; i++)
		assert_int_equal(scratch[i], 0x5a);
	/* A text message must be unmasked (UTF-8), so the scratch is used. */
	n = build(buf, 1, 0, WS_OP_TEXT, KEY, (const uint8_t *)"text", 4);
	feed(d, buf, n);
	assert_int_equal(memcmp(scratch, "text", 4), 0);
	ws_dir_free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fragments_with_pings),
		cmocka_unit_test(test_deflate_takeover),
		cmocka_unit_test(test_deflate_no_takeover),
		cmocka_unit_test(test_deflate_window_8),
		cmocka_unit_test(test_decompression_bomb),
		cmocka_unit_test(test_inflate_error),
		cmocka_unit_test(test_utf8_across_fragments),
		cmocka_unit_test(test_utf8_invalid_kinds),
		cmocka_unit_test(test_utf8_after_inflate),
		cmocka_unit_test(test_prefix_and_skip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
