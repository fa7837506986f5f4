/*
 * ws-decode: a client's frames read back by the project's frame decoder,
 * as a server agreeing given extension parameters reads them. Apart from
 * ws-build so that what links only the builder needs no decoder.
 */
#ifndef WS_DECODE_H
#define WS_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "ws.h"

/*
 * n bytes of a client's stream (from its first frame) through the frame
 * decoder as a server agreeing deflate (0 none), with its window bits and
 * no_context_takeover, keeping cap bytes of each message, into ops.
 */
void wsd_decode_client(const uint8_t *, size_t n, int deflate, int bits,
    int no_context, size_t cap, const struct ws_ops *ops, void *arg);

#endif
