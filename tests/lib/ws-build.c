/*
 * ws-build: WebSocket frames and permessage-deflate payloads for tests.
 */
#include "config.h"

#include <string.h>

#include "pcap-writer.h"
#include "ws-build.h"

const uint8_t wsb_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

size_t
wsb_head(uint8_t *out, int fin, int rsv, int opcode, const uint8_t *key,
    int lenform, uint64_t len)
{
	size_t n = 2;

	if (lenform == WSB_LEN_AUTO)
		lenform = len < 126 ? WSB_LEN_7 : len < 65536 ? WSB_LEN_16 :
		    WSB_LEN_64;
	out[0] = (uint8_t)((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 15));
	out[1] = key != NULL ? 0x80 : 0;
	if (lenform == WSB_LEN_7)
		out[1] |= (uint8_t)(len & 0x7f);
	else if (lenform == WSB_LEN_16) {
		out[1] |= 126;
		pw_put16(out + 2, (uint16_t)len);
		n = 4;
	} else {
		out[1] |= 127;
		pw_put32(out + 2, (uint32_t)(len >> 32));
		pw_put32(out + 6, (uint32_t)len);
		n = 10;
	}
	if (key != NULL) {
		memcpy(out + n, key, 4);
		n += 4;
	}
	return n;
}

void
wsb_mask(uint8_t *dst, const void *src, size_t n, const uint8_t *key,
    uint64_t at)
{
	const uint8_t *s = src;
	size_t         i;

	for (i = 0; i < n; i++)
		dst[i] = (uint8_t)(s[i] ^ key[(at + i) & 3]);
}

size_t
wsb_frame(uint8_t *out, int fin, int rsv, int opcode, const uint8_t *key,
    const void *p, size_t n)
{
	size_t hl = wsb_head(out, fin, rsv, opcode, key, WSB_LEN_AUTO, n);

	if (key != NULL)
		wsb_mask(out + hl, p, n, key, 0);
	else if (n > 0)
		memcpy(out + hl, p, n);
	return hl + n;
}

size_t
wsb_close_payload(uint8_t *out, uint16_t code, const void *reason, size_t n)
{
	pw_put16(out, code);
	if (n > 0)
		memcpy(out + 2, reason, n);
	return 2 + n;
}

size_t
wsb_deflate(z_stream *z, const void *in, size_t n, uint8_t *out, size_t cap)
{
	size_t len;

	z->next_in = (Bytef *)(uintptr_t)in;
	z->avail_in = (uInt)n;
	z->next_out = out;
	z->avail_out = (uInt)cap;
	if (deflate(z, Z_SYNC_FLUSH) != Z_OK || z->avail_in != 0 ||
	    z->avail_out == 0)
		return SIZE_MAX;
	len = cap - z->avail_out;
	if (len < 4 || memcmp(out + len - 4, "\0\0\xff\xff", 4) != 0)
		return SIZE_MAX;
	return len - 4;
}
