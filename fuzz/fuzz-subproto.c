/*
 * fuzz-subproto: the sub-protocol decoder of `messages --proto`
 * (src/subproto.h) on any message.
 *
 * Input: 1 byte of configuration, then the payload. Bits 0-2 of the byte
 * pick the negotiated subprotocol (none, mqtt, v12.stomp, graphql-ws,
 * graphql-transport-ws, jsonrpc, an unknown one, none with an offer of
 * two), bit 3 an Engine.IO request path, bit 4 a binary message (else
 * text), bit 5 a message longer than the payload (a stored prefix).
 * Checks what the header promises: a summary and a note that are
 * NUL-terminated within their buffers, valid UTF-8 without control
 * characters; a protocol named exactly when the return says so.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "subproto.h"
#include "utf8.h"

static void fs_check_text(const char *, size_t);

static void
fs_check_text(const char *s, size_t cap)
{
	size_t len = strnlen(s, cap), i;

	FUZZ_CHECK(len < cap);
	FUZZ_CHECK(utf8_check((const uint8_t *)s, len) < 0);
	for (i = 0; i < len; i++)
		FUZZ_CHECK((uint8_t)s[i] >= 0x20 && (uint8_t)s[i] != 0x7f);
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
	k = subproto_decode(&c, cfg & 16 ? 2 : 1, data + 1, size - 1,
	    (int64_t)(size - 1) + (cfg & 32 ? 1000 : 0), &r);
	FUZZ_CHECK(k == 0 || k == 1);
	FUZZ_CHECK((k == 1) == (r.proto != NULL));
	fs_check_text(r.summary, sizeof r.summary);
	fs_check_text(r.note, sizeof r.note);
	if (k == 1)
		FUZZ_CHECK(strncmp(r.summary, r.proto, strlen(r.proto)) == 0);
	return 0;
}
