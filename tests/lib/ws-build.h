/*
 * ws-build: WebSocket frames (RFC 6455 section 5.2) and permessage-deflate
 * payloads (RFC 7692) as the tests, the test tools and the benchmark put
 * them on the wire, lying headers included.
 */
#ifndef WS_BUILD_H
#define WS_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

/* The masking key of test frames: fixed, and not zero. */
extern const uint8_t wsb_key[4];

/* Length encodings of a frame header. */
#define WSB_LEN_AUTO 0   /* the shortest */
#define WSB_LEN_7    7   /* 7 bits; a larger length is cut to them */
#define WSB_LEN_16   16
#define WSB_LEN_64   64
#define WSB_HEAD_MAX 14

/*
 * A frame header into out (WSB_HEAD_MAX bytes): rsv is a mask (RSV1 4,
 * RSV2 2, RSV3 1); key is the masking key, NULL for an unmasked frame.
 * Returns its length.
 */
size_t wsb_head(uint8_t *out, int fin, int rsv, int opcode,
	   const uint8_t *key, int lenform, uint64_t len);
/* n payload bytes masked with key, as if they started at offset at of the
 * payload; dst may be src. */
void   wsb_mask(uint8_t *dst, const void *src, size_t n, const uint8_t *key,
	   uint64_t at);
/* A whole frame, header (shortest length) and payload, masked when key is
 * not NULL, into out (WSB_HEAD_MAX + n bytes). Returns its length. */
size_t wsb_frame(uint8_t *out, int fin, int rsv, int opcode,
	   const uint8_t *key, const void *, size_t n);
/* A close payload: the code, then the reason; returns its length. */
size_t wsb_close_payload(uint8_t *out, uint16_t code, const void *reason,
	   size_t n);
/*
 * n bytes through z (raw deflate, the caller's window and level) with a
 * sync flush, the final 00 00 ff ff removed (RFC 7692 section 7.2.1).
 * Returns the bytes written to out, or SIZE_MAX when deflate failed or
 * out was too small.
 */
size_t wsb_deflate(z_stream *z, const void *, size_t n, uint8_t *out,
	   size_t cap);

#endif
