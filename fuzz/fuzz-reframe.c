/*
 * fuzz-reframe: replay --reframe's encoding (src/replay-int.h,
 * replay_reframe) of a client side the decoder read from the input.
 *
 * Input: one byte of configuration, then the client's stream.
 *   byte 0  bit 0: the captured connection agreed permessage-deflate,
 *           bit 1: with client_no_context_takeover; bits 2-3 what the
 *           server agrees now (fr_exts)
 * The stream goes through the frame decoder as the client's side, into a
 * replay_side as replay-capture.c keeps one (whole payloads); that is
 * encoded again, and the encoding decoded as the server reads it: every
 * data message it holds must come back with the captured payload, and
 * every frame it holds must be the captured frame's, in order.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "replay-int.h"
#include "ws-decode.h"
#include "ws.h"

#define FR_REQ "GET / HTTP/1.1\r\n\r\n"

/* What the server agrees, and how its side inflates that. */
static const struct {
	const char *ext;
	int         deflate, bits, no_context;
} fr_exts[4] = {
	{ "", 0, 15, 0 },
	{ "permessage-deflate", 1, 15, 0 },
	{ "permessage-deflate; client_no_context_takeover", 1, 15, 1 },
	{ "permessage-deflate; client_max_window_bits=9", 1, 9, 0 },
};

struct fr_read {
	struct replay_side *rs;     /* filling it: the capture's side */
	/* Reading the encoding back: the messages it gave, in order. */
	const struct replay_side *in;
	size_t              next;   /* of in->messages: the next data one */
	uint64_t            frames;
};

static void
fr_frame(void *arg, const struct ws_frame *f)
{
	struct fr_read *r = arg;

	if (r->rs != NULL)
		replay_side_frame(r->rs, f);
	else
		r->frames++;
}

static void
fr_message(void *arg, const struct ws_message *m)
{
	struct fr_read              *r = arg;
	const struct replay_message *want;

	if (r->rs != NULL) {
		replay_side_message(r->rs, m, 1);
		return;
	}
	if (m->opcode > WS_OP_BINARY || m->incomplete)
		return;
	/* The captured data messages, skipping none the encoding holds. */
	while (r->next < r->in->nmessages &&
	    r->in->messages[r->next].opcode > WS_OP_BINARY)
		r->next++;
	FUZZ_CHECK(r->next < r->in->nmessages);
	want = &r->in->messages[r->next++];
	FUZZ_CHECK(want->payload != NULL);
	FUZZ_CHECK(m->opcode == want->opcode);
	FUZZ_CHECK(!m->undecoded && !m->inflate_capped);
	FUZZ_CHECK(m->prefix_len == want->len);
	FUZZ_CHECK(want->len == 0 ||
	    memcmp(m->prefix, want->payload, want->len) == 0);
}

static void
fr_finding(void *arg, const struct ws_finding *f)
{
	(void)arg;
	(void)f;
}

static const struct ws_ops fr_ops = { fr_frame, fr_message, fr_finding };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_side in, out;
	struct fr_read     r;
	char               note[300], err[300];
	size_t             i, k = sizeof FR_REQ - 1;
	int                e;

	if (size < 1)
		return 0;
	e = data[0] >> 2 & 3;
	memset(&in, 0, sizeof in);
	in.bytes = xmalloc(k + size);
	memcpy(in.bytes, FR_REQ, k);
	memcpy(in.bytes + k, data + 1, size - 1);
	in.len = in.request_len = k;
	memset(&r, 0, sizeof r);
	r.rs = &in;
	wsd_decode_client(data + 1, size - 1, data[0] & 1, 15,
	    data[0] >> 1 & 1, 1 << 20, &fr_ops, &r);
	in.len = k + size - 1;
	/* The decoder's offsets are the stream's; the request comes first. */
	for (i = 0; i < in.nframes; i++)
		in.frames[i].off += k;
	replay_side_sort(&in);
	FUZZ_CHECK(replay_reframe(&in, fr_exts[e].ext, &out, note, sizeof note,
	    err, sizeof err) == 0);
	FUZZ_CHECK(memchr(note, '\0', sizeof note) != NULL);
	FUZZ_CHECK(out.nframes <= in.nframes);
	FUZZ_CHECK(out.request_len == k && out.len >= k);
	for (i = 0; i < out.nframes; i++) {
		FUZZ_CHECK(out.frames[i].index == in.frames[i].index);
		FUZZ_CHECK(out.frames[i].opcode == in.frames[i].opcode);
		FUZZ_CHECK(out.frames[i].off + out.frames[i].len <= out.len);
	}
	memset(&r, 0, sizeof r);
	r.in = &in;
	wsd_decode_client(out.bytes + k, (size_t)(out.len - k),
	    fr_exts[e].deflate, fr_exts[e].bits, fr_exts[e].no_context,
	    1 << 20, &fr_ops, &r);
	FUZZ_CHECK(r.frames == out.nframes);
	replay_side_free(&out);
	replay_side_free(&in);
	return 0;
}
