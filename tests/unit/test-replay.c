/*
 * Replay's parts with no I/O: the pacing schedule (as captured, faster,
 * as fast as the rate allows), the comparison of what the live server
 * started with what the captured one did, the target URL, and which
 * addresses stay private; and --reframe's encoding, decoded back by the
 * project's own frame decoder (inflate included).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "replay-int.h"
#include "ws-build.h"
#include "ws-decode.h"
#include "ws.h"

#define NEAR(a, b) assert_true((a) - (b) < 1e-9 && (b) - (a) < 1e-9)

/* Frames at 10.0, 10.5, 10.5, 13.0 seconds. */
static const double cap_t[] = { 10.0, 10.5, 10.5, 13.0 };

static void
test_schedule_as_captured(void **state)
{
	double out[4];

	(void)state;
	replay_schedule(cap_t, 4, 1, 0, out);
	NEAR(out[0], 0);
	NEAR(out[1], 0.5);
	NEAR(out[2], 0.5);
	NEAR(out[3], 3.0);
}

static void
test_schedule_faster(void **state)
{
	double out[4];

	(void)state;
	replay_schedule(cap_t, 4, 10, 0, out);
	NEAR(out[1], 0.05);
	NEAR(out[2], 0.05);
	NEAR(out[3], 0.3);
	/* The rate spaces frames sent at once, and what follows moves on. */
	replay_schedule(cap_t, 4, 10, 100, out);
	NEAR(out[1], 0.05);
	NEAR(out[2], 0.06);
	NEAR(out[3], 0.3);
	replay_schedule(cap_t, 4, 1, 1, out);
	NEAR(out[1], 1.0);
	NEAR(out[2], 2.0);
	NEAR(out[3], 3.0);
}

static void
test_schedule_max(void **state)
{
	double out[4];

	(void)state;
	replay_schedule(cap_t, 4, 0, 1000, out);
	NEAR(out[0], 0);
	NEAR(out[1], 0.001);
	NEAR(out[2], 0.002);
	NEAR(out[3], 0.003);
	replay_schedule(cap_t, 4, 0, 0, out);
	NEAR(out[3], 0);
}

static struct replay_outcome
closed(int code, int64_t after)
{
	struct replay_outcome o;

	memset(&o, 0, sizeof o);
	o.how = REPLAY_END_CLOSE;
	o.code = code;
	o.after = after;
	o.answer_code = -1;
	return o;
}

static void
test_compare(void **state)
{
	struct replay_outcome cap = closed(1009, 7), live = closed(1009, 7);
	char                  line[300];

	(void)state;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_REPRODUCED);
	assert_string_equal(line, "reproduced: server closed 1009 after "
	    "client frame 7 (captured: closed 1009 after client frame 7)");

	live = closed(1002, 3);
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_DIFFERENT);
	assert_string_equal(line, "different: server closed 1002 after "
	    "client frame 3 (captured: closed 1009 after client frame 7)");

	/* The same code after another frame: a limit that moved. */
	live = closed(1009, 9);
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_DIFFERENT);

	memset(&live, 0, sizeof live);
	live.how = REPLAY_END_NONE;
	live.messages = 12;
	live.answered = 1;
	live.answer_code = 1000;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_NOT);
	assert_string_equal(line, "not reproduced: server accepted all 12 "
	    "client messages and closed 1000 (captured: closed 1009 after "
	    "client frame 7)");
	live.answered = 0;
	live.messages = 1;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_NOT);
	assert_string_equal(line, "not reproduced: server accepted all 1 "
	    "client message and did not close (captured: closed 1009 after "
	    "client frame 7)");

	/* A captured server that started nothing: so did this one. */
	cap = live;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_REPRODUCED);
	live = closed(-1, 0);
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_DIFFERENT);
	assert_string_equal(line, "different: server closed with no code "
	    "after client frame 0 (captured: nothing)");

	/* A TCP end is not a close. */
	cap = closed(1009, 1);
	live = closed(-1, 1);
	live.how = REPLAY_END_TCP;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_DIFFERENT);
	assert_string_equal(line, "different: server ended the connection "
	    "with no close after client frame 1 (captured: closed 1009 after "
	    "client frame 1)");
}

static void
test_url(void **state)
{
	struct replay_url u;
	char              err[200];

	(void)state;
	assert_int_equal(replay_url_parse("ws://127.0.0.1:8080/chat?x=1", &u,
	    err, sizeof err), 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_string_equal(u.port, "8080");
	assert_string_equal(u.path, "/chat?x=1");
	assert_string_equal(u.hostport, "127.0.0.1:8080");
	assert_int_equal(replay_url_parse("ws://[::1]:9/", &u, err,
	    sizeof err), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.hostport, "[::1]:9");
	assert_int_equal(replay_url_parse("wss://staging.example", &u, err,
	    sizeof err), 0);
	assert_int_equal(u.tls, 1);
	assert_string_equal(u.port, "443");
	assert_string_equal(u.path, "");
	assert_int_equal(replay_url_parse("http://x/", &u, err, sizeof err),
	    -1);
	assert_int_equal(replay_url_parse("ws://x:0/", &u, err, sizeof err),
	    -1);
	assert_int_equal(replay_url_parse("ws://x:65536", &u, err, sizeof err),
	    -1);
	assert_int_equal(replay_url_parse("ws://:80/", &u, err, sizeof err),
	    -1);
	assert_int_equal(replay_url_parse("ws://[::1/", &u, err, sizeof err),
	    -1);
}

static void
test_request(void **state)
{
	static const char req[] =
	    "GET /old?q=1 HTTP/1.1\r\n"
	    "Host: prod.example:443\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Authorization: Bearer expired\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n";
	const char       *hdr[] = { "authorization: Bearer fresh",
	    "X-Replay: 1" };
	struct replay_url u;
	char              out[1024], key[64], err[100];
	size_t            n;

	(void)state;
	assert_int_equal(replay_url_parse("ws://127.0.0.1:8080", &u, err,
	    sizeof err), 0);
	n = replay_request((const uint8_t *)req, sizeof req - 1, &u, hdr, 2,
	    out, sizeof out, key, sizeof key);
	assert_int_equal(n, strlen(out));
	assert_string_equal(out,
	    "GET /old?q=1 HTTP/1.1\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Host: 127.0.0.1:8080\r\n"
	    "authorization: Bearer fresh\r\n"
	    "X-Replay: 1\r\n\r\n");
	assert_string_equal(key, "dGhlIHNhbXBsZSBub25jZQ==");

	/* The URL's path replaces the captured one; a new key goes too. */
	assert_int_equal(replay_url_parse("ws://[::1]:9/chat", &u, err,
	    sizeof err), 0);
	hdr[0] = "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==";
	n = replay_request((const uint8_t *)req, sizeof req - 1, &u, hdr, 1,
	    out, sizeof out, key, sizeof key);
	assert_true(n > 0);
	assert_non_null(strstr(out, "GET /chat HTTP/1.1\r\n"));
	assert_non_null(strstr(out, "\r\nHost: [::1]:9\r\n"));
	assert_null(strstr(out, "prod.example"));
	assert_string_equal(key, "AAAAAAAAAAAAAAAAAAAAAA==");

	/* Too long for out: 0, nothing half-written counted. */
	assert_int_equal(replay_request((const uint8_t *)req, sizeof req - 1,
	    &u, hdr, 1, out, 40, key, sizeof key), 0);
}

static int
private4(const char *a)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof s);
	s.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return replay_addr_private((struct sockaddr *)&s);
}

static int
private6(const char *a)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof s);
	s.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, a, &s.sin6_addr), 1);
	return replay_addr_private((struct sockaddr *)&s);
}

static void
test_private(void **state)
{
	(void)state;
	assert_true(private4("127.0.0.1"));
	assert_true(private4("127.255.0.9"));
	assert_true(private4("10.1.2.3"));
	assert_true(private4("172.16.0.1"));
	assert_true(private4("172.31.255.255"));
	assert_true(private4("192.168.7.7"));
	assert_true(private4("169.254.1.1"));
	assert_false(private4("172.32.0.1"));
	assert_false(private4("192.0.2.1"));
	assert_false(private4("8.8.8.8"));
	assert_false(private4("0.0.0.0"));
	assert_true(private6("::1"));
	assert_true(private6("fd00::5"));
	assert_true(private6("fc12::5"));
	assert_true(private6("fe80::1"));
	assert_true(private6("::ffff:10.0.0.1"));
	assert_false(private6("::ffff:192.0.2.1"));
	assert_false(private6("2001:db8::1"));
	assert_false(private6("fec0::1"));
}

/*
 * --reframe. A captured client side of five data messages, built here:
 * text; binary in three frames with a ping between the second and the
 * third; a 20000-byte text twice (context takeover makes the second
 * small); then the client's close, and a pong answering the server
 * (copied, never sent). Encoded again, then decoded by ws_dir as the
 * server's side would be.
 */
#define RF_BIG 20000

struct rf_case {
	struct replay_side in;
	uint8_t           *big;
};

struct rf_seen {
	uint8_t  *payload[16];
	size_t    len[16];
	uint8_t   opcode[16], compressed[16];
	uint64_t  frames[16];
	size_t    n;
	uint64_t  frame_len[32];   /* payload lengths, in order */
	uint8_t   frame_rsv[32];
	size_t    nframes;
	size_t    findings;
};

static void
rf_add(struct rf_case *c, size_t *cap, uint8_t opcode, int fin,
    uint64_t msg, const void *p, size_t n, int reaction)
{
	static const uint8_t key[4] = { 1, 2, 3, 4 };
	struct replay_side  *in = &c->in;
	struct replay_frame *f;

	while (in->len + n + WSB_HEAD_MAX > *cap) {
		*cap *= 2;
		in->bytes = xrealloc(in->bytes, *cap);
	}
	in->frames = xrealloc(in->frames, (in->nframes + 1) *
	    sizeof *in->frames);
	f = &in->frames[in->nframes];
	memset(f, 0, sizeof *f);
	f->index = in->nframes++;
	f->off = in->len;
	f->len = wsb_frame(in->bytes + in->len, fin, 0, opcode, key, p, n);
	f->opcode = opcode;
	f->fin = (uint8_t)fin;
	f->message_id = msg;
	f->payload_len = n;
	f->reaction = (uint8_t)reaction;
	f->ts.sec = 100 + (int64_t)f->index;
	in->len += f->len;
}

static void
rf_msg(struct rf_case *c, uint64_t id, uint8_t opcode, uint64_t frames,
    const void *p, size_t n)
{
	struct replay_side    *in = &c->in;
	struct replay_message *m;

	in->messages = xrealloc(in->messages, (in->nmessages + 1) *
	    sizeof *in->messages);
	m = &in->messages[in->nmessages++];
	memset(m, 0, sizeof *m);
	m->id = id;
	m->opcode = opcode;
	m->frames = frames;
	m->whole = 1;
	if (opcode > WS_OP_BINARY)
		return;
	m->payload = xmalloc(n + 1);
	memcpy(m->payload, p, n);
	m->len = n;
}

static void
rf_build(struct rf_case *c)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char text[] = "hello from the client";
	static const uint8_t bin[] = "\x00\x01\x02\x03 fragmented binary \xff";
	size_t  cap = 4096, i;
	uint8_t close[2] = { 0x03, 0xe8 };

	memset(c, 0, sizeof *c);
	c->big = xmalloc(RF_BIG);
	for (i = 0; i < RF_BIG; i++)
		c->big[i] = (uint8_t)"abcdefghij0123456789"[(i * 7 + i / 91) %
		    20];
	c->in.bytes = xmalloc(cap);
	memcpy(c->in.bytes, req, sizeof req - 1);
	c->in.len = c->in.request_len = sizeof req - 1;
	rf_add(c, &cap, WS_OP_TEXT, 1, 0, text, sizeof text - 1, 0);
	rf_add(c, &cap, WS_OP_BINARY, 0, 1, bin, 5, 0);
	rf_add(c, &cap, WS_OP_CONT, 0, 1, bin + 5, 7, 0);
	rf_add(c, &cap, WS_OP_PING, 1, 2, "p", 1, 0);
	rf_add(c, &cap, WS_OP_CONT, 1, 1, bin + 12, sizeof bin - 1 - 12, 0);
	rf_add(c, &cap, WS_OP_PONG, 1, 3, "s", 1, 1);
	rf_add(c, &cap, WS_OP_TEXT, 1, 4, c->big, RF_BIG, 0);
	rf_add(c, &cap, WS_OP_TEXT, 1, 5, c->big, RF_BIG, 0);
	rf_add(c, &cap, WS_OP_CLOSE, 1, 6, close, 2, 0);
	rf_msg(c, 0, WS_OP_TEXT, 1, text, sizeof text - 1);
	rf_msg(c, 1, WS_OP_BINARY, 3, bin, sizeof bin - 1);
	rf_msg(c, 2, WS_OP_PING, 1, NULL, 0);
	rf_msg(c, 3, WS_OP_PONG, 1, NULL, 0);
	rf_msg(c, 4, WS_OP_TEXT, 1, c->big, RF_BIG);
	rf_msg(c, 5, WS_OP_TEXT, 1, c->big, RF_BIG);
	rf_msg(c, 6, WS_OP_CLOSE, 1, NULL, 0);
}

static void
rf_free(struct rf_case *c)
{
	replay_side_free(&c->in);
	free(c->big);
}

static void
rf_seen_frame(void *arg, const struct ws_frame *f)
{
	struct rf_seen *s = arg;

	if (s->nframes < 32) {
		s->frame_len[s->nframes] = f->payload_len;
		s->frame_rsv[s->nframes++] = f->rsv;
	}
}

static void
rf_seen_message(void *arg, const struct ws_message *m)
{
	struct rf_seen *s = arg;

	if (s->n == 16 || m->opcode > WS_OP_BINARY)
		return;
	s->payload[s->n] = xmalloc(m->prefix_len + 1);
	memcpy(s->payload[s->n], m->prefix, m->prefix_len);
	s->len[s->n] = m->prefix_len;
	s->opcode[s->n] = m->opcode;
	s->compressed[s->n] = m->compressed;
	s->frames[s->n++] = m->frames;
}

static void
rf_seen_finding(void *arg, const struct ws_finding *f)
{
	struct rf_seen *s = arg;

	(void)f;
	s->findings++;
}

static const struct ws_ops rf_seen_ops = { rf_seen_frame, rf_seen_message,
	rf_seen_finding };

/* out's frames through the decoder, as a server agreeing ext reads them. */
static void
rf_decode(const struct replay_side *out, int deflate, int bits,
    int no_context, struct rf_seen *s)
{
	memset(s, 0, sizeof *s);
	wsd_decode_client(out->bytes + out->request_len,
	    (size_t)(out->len - out->request_len), deflate, bits, no_context,
	    1 << 20, &rf_seen_ops, s);
}

static void
rf_seen_free(struct rf_seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->payload[i]);
}

/* The payloads decoded are the captured ones, in order, as sent. */
static void
rf_check_payloads(const struct rf_case *c, const struct rf_seen *s,
    int compressed)
{
	static const size_t data[] = { 0, 1, 4, 5 };
	size_t i;

	assert_int_equal(s->findings, 0);
	assert_int_equal(s->n, 4);
	for (i = 0; i < 4; i++) {
		const struct replay_message *m = &c->in.messages[data[i]];

		assert_int_equal(s->opcode[i], m->opcode);
		assert_int_equal(s->compressed[i], compressed);
		assert_int_equal(s->frames[i], m->frames);
		assert_int_equal(s->len[i], m->len);
		assert_memory_equal(s->payload[i], m->payload, m->len);
	}
}

/* The same frames, times and flags; control frames byte for byte. */
static void
rf_check_frames(const struct rf_case *c, const struct replay_side *out)
{
	size_t i;

	assert_int_equal(out->nframes, c->in.nframes);
	assert_int_equal(out->request_len, c->in.request_len);
	assert_memory_equal(out->bytes, c->in.bytes, c->in.request_len);
	for (i = 0; i < out->nframes; i++) {
		const struct replay_frame *a = &c->in.frames[i], *b =
		    &out->frames[i];

		assert_int_equal(b->index, a->index);
		assert_int_equal(b->opcode, a->opcode);
		assert_int_equal(b->fin, a->fin);
		assert_int_equal(b->reaction, a->reaction);
		assert_int_equal(b->ts.sec, a->ts.sec);
		if (a->opcode >= WS_OP_CLOSE) {
			assert_int_equal(b->len, a->len);
			assert_memory_equal(out->bytes + b->off,
			    c->in.bytes + a->off, a->len);
		}
	}
}

/*
 * c encoded again for a server agreeing ext, checked, and decoded back as
 * that server (bits, no_context) reads it: the payloads are the captured.
 */
static void
rf_round_trip(struct rf_case *c, const char *ext, int bits, int no_context,
    struct replay_side *out, struct rf_seen *s)
{
	char note[200], err[200];

	assert_int_equal(replay_reframe(&c->in, ext, out, note, sizeof note,
	    err, sizeof err), 0);
	assert_string_equal(note, "");
	rf_check_frames(c, out);
	rf_decode(out, ext[0] != '\0', bits, no_context, s);
	rf_check_payloads(c, s, ext[0] != '\0');
}

static void
test_reframe_deflate(void **state)
{
	struct rf_case     c;
	struct replay_side out;
	struct rf_seen     s;

	(void)state;
	rf_build(&c);
	rf_round_trip(&c, "permessage-deflate", 15, 0, &out, &s);
	/* RSV1 on the first frame of each message only. */
	assert_int_equal(s.frame_rsv[1], 4);
	assert_int_equal(s.frame_rsv[2], 0);
	assert_int_equal(s.frame_rsv[4], 0);
	/* Context taken over: the repeated text costs its matches only. */
	assert_true(out.frames[7].len < 1024);
	assert_true(out.frames[6].len < RF_BIG / 4);
	rf_seen_free(&s);
	replay_side_free(&out);
	/* A 1 KiB window: no distance past it (the decoder would fail). */
	rf_round_trip(&c, "permessage-deflate; client_max_window_bits=10", 10,
	    0, &out, &s);
	rf_seen_free(&s);
	replay_side_free(&out);
	rf_free(&c);
}

static void
test_reframe_no_context(void **state)
{
	struct rf_case     c;
	struct replay_side out;
	struct rf_seen     s;

	(void)state;
	rf_build(&c);
	/* Each message inflates from an empty window. */
	rf_round_trip(&c, "permessage-deflate; client_no_context_takeover; "
	    "server_no_context_takeover", 15, 1, &out, &s);
	assert_int_equal(out.frames[7].len, out.frames[6].len);
	rf_seen_free(&s);
	replay_side_free(&out);
	rf_free(&c);
}

static void
test_reframe_plain(void **state)
{
	struct rf_case     c;
	struct replay_side out;
	struct rf_seen     s;
	size_t             i;

	(void)state;
	rf_build(&c);
	rf_round_trip(&c, "", 15, 0, &out, &s);
	/* Not compressed: split where the capture split. */
	assert_int_equal(s.nframes, c.in.nframes);
	for (i = 0; i < c.in.nframes; i++)
		assert_int_equal(s.frame_len[i], c.in.frames[i].payload_len);
	rf_seen_free(&s);
	replay_side_free(&out);
	rf_free(&c);
}

/* c encoded again with no extension: nframes of it, and note said. */
static void
rf_expect(const struct rf_case *c, size_t nframes, const char *said)
{
	struct replay_side out;
	char               note[300], err[200];

	assert_int_equal(replay_reframe(&c->in, "", &out, note, sizeof note,
	    err, sizeof err), 0);
	assert_int_equal(out.nframes, nframes);
	assert_string_equal(note, said);
	assert_int_equal(out.len, out.frames[nframes - 1].off +
	    out.frames[nframes - 1].len);
	/* Frame 3, a ping: as captured, malformed or not. */
	if (nframes > 3)
		assert_memory_equal(out.bytes + out.frames[3].off,
		    c->in.bytes + c->in.frames[3].off, c->in.frames[3].len);
	replay_side_free(&out);
}

/*
 * A data frame that cannot be encoded again stops it, said; a malformed
 * frame with nothing compressed in it goes as captured, said; an unknown
 * extension is refused.
 */
static void
test_reframe_stops(void **state)
{
	struct rf_case     c;
	struct replay_side out;
	char               note[300], err[200];

	(void)state;
	rf_build(&c);
	c.in.messages[4].whole = 0;
	c.in.frames[3].rsv = 4;
	rf_expect(&c, 6, "client frame 3 (a malformed control frame) goes as "
	    "captured; client frame 6 cannot be re-encoded (its message not "
	    "captured whole): the replay stops before it");
	c.in.messages[4].whole = 1;
	c.in.frames[7].truncated = 1;
	rf_expect(&c, 7, "client frame 3 (a malformed control frame) goes as "
	    "captured; client frame 7 cannot be re-encoded (cut by the "
	    "capture): the replay stops before it");
	c.in.frames[1].opcode = 3;
	rf_expect(&c, 2, "client frame 1 (a reserved opcode) goes as "
	    "captured; client frame 2 cannot be re-encoded (a continuation of "
	    "no message): the replay stops before it");
	c.in.frames[1].opcode = WS_OP_BINARY;
	c.in.frames[7].truncated = 0;
	c.in.frames[8].fin = 0;
	rf_expect(&c, c.in.nframes, "client frame 3 (a malformed control "
	    "frame) and the malformed after it go as captured");
	assert_int_equal(replay_reframe(&c.in, "x-webkit-deflate-frame", &out,
	    note, sizeof note, err, sizeof err), -1);
	assert_string_equal(err, "--reframe encodes for permessage-deflate "
	    "or no extension, not for 'x-webkit-deflate-frame'");
	rf_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_as_captured),
		cmocka_unit_test(test_schedule_faster),
		cmocka_unit_test(test_schedule_max),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_reframe_deflate),
		cmocka_unit_test(test_reframe_no_context),
		cmocka_unit_test(test_reframe_plain),
		cmocka_unit_test(test_reframe_stops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
