/*
 * sink-async: runs another sink on a thread of its own, so that decoding
 * and writing the database use both cores. Events are copied into a
 * bounded ring; capture_begin and capture_end are passed through in order
 * once the ring has drained, so the inner sink sees exactly the calls it
 * would have seen, one at a time.
 */
#ifndef SINK_ASYNC_H
#define SINK_ASYNC_H

#include "sink.h"

struct sink_async;

/* ring: bytes of queued events held at most (events larger than half of
 * it are passed through synchronously after the ring drains). */
struct sink_async *sink_async_new(const struct sink_ops *, void *inner,
    size_t ring);
void               sink_async_free(struct sink_async *);
extern const struct sink_ops sink_async_ops;   /* ctx: struct sink_async * */

#endif
