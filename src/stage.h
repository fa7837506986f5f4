/*
 * stage: what every stage between the TCP stream and the WebSocket
 * decoders speaks (Zeek's DeliverStream/Undelivered/EndOfData). A stage
 * gets one connection's bytes per side, in stream order, with the stream
 * offset of their first byte and the packet that carried them; gaps where
 * bytes were lost; and the end of a side. What it passes on it passes the
 * same way to the stage after it, keeping each byte's offset and packet.
 */
#ifndef STAGE_H
#define STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "wsautopsy.h"

typedef void stage_data_fn(void *arg, int side, uint64_t off,
    const uint8_t *p, size_t n, uint64_t pkt, struct wts ts);

struct stage_ops {
	stage_data_fn *data;
	void (*gap)(void *arg, int side, uint64_t off, uint64_t len,
	    uint64_t pkt, struct wts ts);
	void (*end)(void *arg, int side, int rst, uint64_t pkt, struct wts ts);
};

/* A gap and an end for a stage that needs neither. */
void stage_no_gap(void *arg, int side, uint64_t off, uint64_t len,
	uint64_t pkt, struct wts ts);
void stage_no_end(void *arg, int side, int rst, uint64_t pkt, struct wts ts);

/* One stage of a connection's chain: its callbacks and their context. */
struct stage {
	const struct stage_ops *ops;
	void                   *arg;
};

/*
 * Bytes a stage keeps while it cannot yet tell what they are, bounded,
 * each run with its offset, packet and time so that passing them on later
 * loses no provenance. Buffers are allocated on the first byte.
 */
#define STAGE_HOLD_MAX    65536
#define STAGE_HOLD_CHUNKS 32

struct stage_hold_chunk {
	uint64_t   off, pkt;
	size_t     at, len;
	struct wts ts;
};

struct stage_hold {
	uint8_t                 *buf;
	size_t                   len;
	struct stage_hold_chunk *chunks;   /* STAGE_HOLD_CHUNKS, with buf */
	int                      nchunks;
};

/* n more bytes would not fit. */
int  stage_hold_full(const struct stage_hold *, size_t n);
/* Appends; the caller checked stage_hold_full. */
void stage_hold_add(struct stage_hold *, uint64_t off, const uint8_t *p,
	size_t n, uint64_t pkt, struct wts ts);
/* Passes every run to fn as side's bytes, then drops them. */
void stage_hold_replay(struct stage_hold *, stage_data_fn *fn, void *arg,
	int side);
/* Forgets the bytes, keeping the buffers. */
void stage_hold_clear(struct stage_hold *);
/* Forgets the bytes and frees the buffers. */
void stage_hold_drop(struct stage_hold *);

#endif
