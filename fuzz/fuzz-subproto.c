/*
 * fuzz-subproto: the sub-protocol decoder of `messages --proto`
 * (src/subproto.h) on any message.
 *
 * Input: 1 byte of configuration, then the payload. Bits 0-2 of the byte
 * pick the negotiated subprotocol (none, mqtt, v12.stomp, graphql-ws,
 * graphql-transport-ws, jsonrpc, an unknown one, none with an offer of
 * two), bit 3 an Engine.IO request path, bit 4 a binary message (else
 * text), bit 5 a message longer than the payload (a stored prefix).
 * Bit 6: the payload is a sequence of messages of one direction through
 * one subproto_flow, each a byte h then h & 63 bytes (h & 64 a text
 * message, h & 128 a message 1000 bytes longer than them).
 * Checks what the header promises: a summary and a note that are
 * NUL-terminated within their buffers, valid UTF-8 without control
 * characters; a protocol named exactly when the return says so; a flow
 * that holds at most its head and never counts past a packet's length.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "subproto.h"
#include "utf8.h"

static void fs_check_text(const char *, size_t);
static void fs_check(int, const struct subproto_result *);
static void fs_flow(const struct subproto_conn *, const uint8_t *, size_t);

static void
fs_check_text(const char *s, size_t cap)
{
	size_t len = strnlen(s, cap), i;

	FUZZ_CHECK(len < cap);
	FUZZ_CHECK(utf8_check((const uint8_t *)s, len) < 0);
	for (i = 0; i < len; i++)
		FUZZ_CHECK((uint8_t)s[i] >= 0x20 && (uint8_t)s[i] != 0x7f);
}

static void
fs_check(int k, const struct subproto_result *r)
{
	FUZZ_CHECK(k == 0 || k == 1);
	FUZZ_CHECK((k == 1) == (r->proto != NULL));
	fs_check_text(r->summary, sizeof r->summary);
	fs_check_text(r->note, sizeof r->note);
	if (k == 1)
		FUZZ_CHECK(strncmp(r->summary, r->proto,
		    strlen(r->proto)) == 0);
}

static void
fs_flow(const struct subproto_conn *c, const uint8_t *p, size_t n)
{
	struct subproto_flow   f;
	struct subproto_result r;
	size_t                 i = 0, len;
	int64_t                msg = 0;
	uint8_t                h;

	memset(&f, 0, sizeof f);
	while (i < n) {
		h = p[i++];
		len = h & 63;
		if (len > n - i)
			len = n - i;
		fs_check(subproto_decode_flow(c, &f, msg++, h & 64 ? 1 : 2,
		    p + i, len, (int64_t)len + (h & 128 ? 1000 : 0), &r), &r);
		FUZZ_CHECK(f.held <= sizeof f.head);
		if (f.open && f.sized) {
			FUZZ_CHECK(f.got <= f.total);
			FUZZ_CHECK(f.total - f.got <= SUBPROTO_CARRY_MAX);
		}
		i += len;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const subs[] = {
		NULL, "mqtt", "v12.stomp", "graphql-ws",
		"graphql-transport-ws", "jsonrpc", "chat", NULL
	};
	struct subproto_conn   c;
	struct subproto_result r;
	uint8_t                cfg;
	int                    k;

	if (size < 1)
		return 0;
	cfg = data[0];
	c.subprotocol = subs[cfg & 7];
	c.request_protocols = (cfg & 7) == 7 ? "mqtt, v12.stomp" : NULL;
	c.path = cfg & 8 ? "/socket.io/?EIO=4&transport=websocket" : "/";
	if (cfg & 64) {
		fs_flow(&c, data + 1, size - 1);
		return 0;
	}
	k = subproto_decode(&c, cfg & 16 ? 2 : 1, data + 1, size - 1,
	    (int64_t)(size - 1) + (cfg & 32 ? 1000 : 0), &r);
	fs_check(k, &r);
	return 0;
}
