/*
 * replay-reframe: the captured client messages encoded again for a
 * server that agreed other extensions than the captured one. The
 * payloads are the decoder's (unmasked, inflated); they are compressed
 * again with permessage-deflate when the server agreed it (raw deflate,
 * a sync flush ending each message and its 00 00 ff ff left off, RFC
 * 7692 7.2.1), with fresh masks. What made the captured frames, their
 * order, opcodes, FIN bits and times, stays.
 */
#include "config.h"

#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "replay-int.h"
#include "ws.h"

struct rf {
	const struct replay_side *in;
	struct replay_side       *out;
	size_t                    cap;       /* of out->bytes */
	int                       deflate;
	z_stream                  z;
	int                       z_ready;
	int                       no_context;
	/* The message being framed: its wire payload and where it is. */
	const struct replay_message *msg;
	uint8_t                  *wire;
	size_t                    wire_len, wire_cap;
	int                       same;      /* wire is the captured payload */
	uint64_t                  sent, captured_total, captured_sent;
	uint64_t                  frames_done;
};

static int   rf_params(struct rf *, const char *, char *, size_t);
static void  rf_put(struct rf *, const uint8_t *, size_t);
static void  rf_frame(struct rf *, uint8_t, const uint8_t *, size_t);
static int   rf_compress(struct rf *, const uint8_t *, size_t);
static int   rf_id_cmp(const void *, const void *);
static const struct replay_message *rf_message(const struct replay_side *,
		uint64_t);
static int   rf_begin(struct rf *, size_t, const char **);
static void  rf_data(struct rf *, size_t);

/* The parameters of the server's 101: -1 with err when not encodable. */
static int
rf_params(struct rf *x, const char *ext, char *err, size_t errlen)
{
	struct pmd_params pmd;
	int               n, bits, strategy = Z_DEFAULT_STRATEGY;

	n = pmd_parse(ext, 1, &pmd);
	if (n == 0)
		return 0;
	if (n > 1 || !pmd.present || !pmd.valid) {
		snprintf(err, errlen, "--reframe encodes for permessage-deflate "
		    "or no extension, not for '%.200s'", ext);
		return -1;
	}
	bits = pmd.client_max_window_bits;
	if (bits < 8 || bits > 15)
		bits = 15;
	/*
	 * zlib's raw deflate has no 256-byte window: with 8 bits it codes
	 * without back references, which any window inflates.
	 */
	if (bits == 8) {
		bits = 9;
		strategy = Z_HUFFMAN_ONLY;
	}
	memset(&x->z, 0, sizeof x->z);
	if (deflateInit2(&x->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -bits, 8,
	    strategy) != Z_OK) {
		snprintf(err, errlen, "--reframe: zlib: %s", x->z.msg != NULL ?
		    x->z.msg : "deflateInit2 failed");
		return -1;
	}
	x->z_ready = 1;
	x->deflate = 1;
	x->no_context = pmd.client_no_context_takeover;
	return 0;
}

static void
rf_put(struct rf *x, const uint8_t *p, size_t n)
{
	struct replay_side *o = x->out;

	if (o->len + n > x->cap) {
		while (o->len + n > x->cap)
			x->cap = x->cap ? x->cap * 2 : 65536;
		o->bytes = xrealloc(o->bytes, x->cap);
	}
	if (n > 0)
		memcpy(o->bytes + o->len, p, n);
	o->len += n;
}

/* One masked frame: b0 is FIN, RSV and opcode. */
static void
rf_frame(struct rf *x, uint8_t b0, const uint8_t *p, size_t n)
{
	uint8_t h[14], mask[4], buf[4096];
	size_t  hl = 2, i, k, c;

	h[0] = b0;
	if (n < 126)
		h[1] = (uint8_t)(0x80 | n);
	else if (n <= 0xffff) {
		h[1] = 0x80 | 126;
		h[2] = (uint8_t)(n >> 8);
		h[3] = (uint8_t)n;
		hl = 4;
	} else {
		h[1] = 0x80 | 127;
		for (i = 0; i < 8; i++)
			h[2 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
		hl = 10;
	}
	if (RAND_bytes(mask, 4) != 1)
		memset(mask, 0x5a, 4);
	memcpy(h + hl, mask, 4);
	rf_put(x, h, hl + 4);
	for (k = 0; k < n; k += c) {
		c = n - k < sizeof buf ? n - k : sizeof buf;
		for (i = 0; i < c; i++)
			buf[i] = p[k + i] ^ mask[(k + i) & 3];
		rf_put(x, buf, c);
	}
}

/* p compressed into x->wire as one message; -1 when zlib failed. */
static int
rf_compress(struct rf *x, const uint8_t *p, size_t n)
{
	int r;

	x->wire_len = 0;
	x->z.next_in = (Bytef *)(uintptr_t)p;
	x->z.avail_in = (uInt)n;
	do {
		if (x->wire_cap - x->wire_len < 65536) {
			x->wire_cap = x->wire_cap * 2 + 65536;
			x->wire = xrealloc(x->wire, x->wire_cap);
		}
		x->z.next_out = x->wire + x->wire_len;
		x->z.avail_out = (uInt)(x->wire_cap - x->wire_len);
		r = deflate(&x->z, Z_SYNC_FLUSH);
		if (r != Z_OK && r != Z_BUF_ERROR)
			return -1;
		x->wire_len = x->wire_cap - x->z.avail_out;
	} while (x->z.avail_out == 0 || x->z.avail_in > 0);
	/* RFC 7692 7.2.1: the flush's empty stored block's tail goes. */
	if (x->wire_len < 4 ||
	    memcmp(x->wire + x->wire_len - 4, "\0\0\xff\xff", 4) != 0)
		return -1;
	x->wire_len -= 4;
	if (x->no_context)
		deflateReset(&x->z);
	return 0;
}

static int
rf_id_cmp(const void *key, const void *elem)
{
	uint64_t a = *(const uint64_t *)key;
	uint64_t b = ((const struct replay_message *)elem)->id;

	return a < b ? -1 : a > b;
}

/* Messages come in id order. */
static const struct replay_message *
rf_message(const struct replay_side *rs, uint64_t id)
{
	if (rs->nmessages == 0)
		return NULL;
	return bsearch(&id, rs->messages, rs->nmessages, sizeof *rs->messages,
	    rf_id_cmp);
}

/*
 * The first frame i of a data message: its payload on the wire made.
 * 0, or -1 with why.
 */
static int
rf_begin(struct rf *x, size_t i, const char **why)
{
	const struct replay_frame   *f = &x->in->frames[i];
	const struct replay_message *m = rf_message(x->in, f->message_id);
	size_t                       j;
	uint64_t                     n;

	x->msg = m;
	if (m == NULL || !m->whole || m->payload == NULL) {
		*why = "its message not captured whole";
		return -1;
	}
	/* Its frames' captured sizes, up to the next message's first. */
	x->captured_total = 0;
	for (j = i, n = 0; j < x->in->nframes && n < m->frames; j++) {
		if (j > i && x->in->frames[j].opcode <= WS_OP_BINARY &&
		    x->in->frames[j].opcode != WS_OP_CONT)
			break;
		if (x->in->frames[j].message_id == m->id) {
			x->captured_total += x->in->frames[j].payload_len;
			n++;
		}
	}
	x->same = !x->deflate && !m->compressed;
	if (x->deflate) {
		if (rf_compress(x, m->payload, m->len) != 0) {
			*why = "zlib failed on its message";
			return -1;
		}
	} else {
		if (x->wire_cap < m->len + 1) {
			x->wire_cap = m->len + 1;
			x->wire = xrealloc(x->wire, x->wire_cap);
		}
		memcpy(x->wire, m->payload, m->len);
		x->wire_len = m->len;
	}
	x->sent = x->captured_sent = x->frames_done = 0;
	return 0;
}

/*
 * Frame i of the message begun: its slice of the wire payload. The same
 * payload splits where the capture's did; another one in proportion to
 * the captured frames' sizes, the last frame taking the rest.
 */
static void
rf_data(struct rf *x, size_t i)
{
	const struct replay_frame *f = &x->in->frames[i];
	uint64_t                   end;
	uint8_t                    b0;

	x->captured_sent += f->payload_len;
	x->frames_done++;
	if (f->fin || x->frames_done >= x->msg->frames)
		end = x->wire_len;
	else if (x->same)
		end = x->captured_sent;
	else
		end = x->captured_total > 0 ? (uint64_t)((long double)
		    x->wire_len * x->captured_sent / x->captured_total) : 0;
	if (end > x->wire_len)
		end = x->wire_len;
	if (end < x->sent)
		end = x->sent;
	b0 = (uint8_t)((f->fin ? 0x80 : 0) | f->opcode);
	if (x->deflate && x->frames_done == 1)
		b0 |= 0x40;
	rf_frame(x, b0, x->wire + x->sent, (size_t)(end - x->sent));
	x->sent = end;
}

int
replay_reframe(const struct replay_side *in, const char *ext,
    struct replay_side *out, char *note, size_t notelen, char *err,
    size_t errlen)
{
	struct rf            x;
	struct replay_frame *nf;
	const char          *why = NULL, *kept_why = "";
	char                 stop[160] = "";
	size_t               i;
	uint64_t             off, kept = 0, kept_index = 0;

	memset(&x, 0, sizeof x);
	memset(out, 0, sizeof *out);
	note[0] = '\0';
	if (rf_params(&x, ext, err, errlen) != 0)
		return -1;
	x.in = in;
	x.out = out;
	*out = *in;
	out->bytes = NULL;
	out->len = 0;
	out->has_gap = 0;
	out->messages = NULL;
	out->nmessages = 0;
	out->frames = xcalloc(in->nframes + 1, sizeof *out->frames);
	out->nframes = 0;
	rf_put(&x, in->bytes, (size_t)in->request_len);
	for (i = 0; i < in->nframes && why == NULL; i++) {
		const struct replay_frame *f = &in->frames[i];

		off = out->len;
		if (replay_frame_gapped(in, f) || f->truncated)
			why = "cut by the capture";
		else if (f->opcode > WS_OP_BINARY) {
			/*
			 * Control frames and reserved opcodes carry nothing
			 * compressed: as captured they mean what they meant,
			 * a malformed one included (its 1002 is the point).
			 */
			rf_put(&x, in->bytes + f->off, (size_t)f->len);
			if (!f->reaction && (f->opcode < WS_OP_CLOSE ||
			    f->opcode > WS_OP_PONG || !f->fin || f->rsv != 0 ||
			    f->payload_len > WS_CONTROL_MAX) && kept++ == 0) {
				kept_index = f->index;
				kept_why = f->opcode < WS_OP_CLOSE ||
				    f->opcode > WS_OP_PONG ? "a reserved "
				    "opcode" : "a malformed control frame";
			}
		} else if ((f->rsv & 3) != 0)
			why = "RSV2 or RSV3 set";
		else if (f->opcode != WS_OP_CONT) {
			if (x.msg != NULL && x.frames_done < x.msg->frames)
				why = "a message begun inside another";
			else if (rf_begin(&x, i, &why) == 0)
				rf_data(&x, i);
		} else if (x.msg == NULL || x.frames_done >= x.msg->frames ||
		    x.msg->id != f->message_id)
			why = "a continuation of no message";
		else if ((f->rsv & 4) != 0)
			why = "RSV1 on a continuation frame";
		else
			rf_data(&x, i);
		if (why != NULL) {
			out->len = off;
			snprintf(stop, sizeof stop, "client frame %llu cannot be "
			    "re-encoded (%s): the replay stops before it",
			    (unsigned long long)f->index, why);
			break;
		}
		nf = &out->frames[out->nframes++];
		*nf = *f;
		nf->off = off;
		nf->len = out->len - off;
		nf->truncated = 0;
		nf->rsv = (uint8_t)((out->bytes[off] >> 4) & 7);
	}
	if (kept > 0)
		snprintf(note, notelen, "client frame %llu (%s)%s as "
		    "captured%s%s", (unsigned long long)kept_index, kept_why,
		    kept > 1 ? " and the malformed after it go" : " goes",
		    stop[0] != '\0' ? "; " : "", stop);
	else
		snprintf(note, notelen, "%s", stop);
	if (x.z_ready)
		deflateEnd(&x.z);
	free(x.wire);
	return 0;
}
