/*
 * stage: the bounded hold of bytes a stage keeps while it waits to know
 * what they are (see stage.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "stage.h"

int
stage_hold_full(const struct stage_hold *h, size_t n)
{
	return h->len + n > STAGE_HOLD_MAX || h->nchunks == STAGE_HOLD_CHUNKS;
}

void
stage_hold_add(struct stage_hold *h, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	struct stage_hold_chunk *ch;

	if (h->buf == NULL) {
		h->buf = xmalloc(STAGE_HOLD_MAX);
		h->chunks = xmalloc(STAGE_HOLD_CHUNKS * sizeof *h->chunks);
	}
	ch = &h->chunks[h->nchunks++];
	ch->off = off;
	ch->pkt = pkt;
	ch->ts = ts;
	ch->at = h->len;
	ch->len = n;
	memcpy(h->buf + h->len, p, n);
	h->len += n;
}

void
stage_hold_replay(struct stage_hold *h, stage_data_fn *fn, void *arg,
    int side)
{
	int i;

	for (i = 0; i < h->nchunks; i++)
		fn(arg, side, h->chunks[i].off, h->buf + h->chunks[i].at,
		    h->chunks[i].len, h->chunks[i].pkt, h->chunks[i].ts);
	stage_hold_drop(h);
}

void
stage_hold_clear(struct stage_hold *h)
{
	h->len = 0;
	h->nchunks = 0;
}

void
stage_hold_drop(struct stage_hold *h)
{
	stage_hold_clear(h);
	free(h->buf);
	free(h->chunks);
	h->buf = NULL;
	h->chunks = NULL;
}

void
stage_no_gap(void *arg, int side, uint64_t off, uint64_t len, uint64_t pkt,
    struct wts ts)
{
	(void)arg;
	(void)side;
	(void)off;
	(void)len;
	(void)pkt;
	(void)ts;
}

void
stage_no_end(void *arg, int side, int rst, uint64_t pkt, struct wts ts)
{
	(void)arg;
	(void)side;
	(void)rst;
	(void)pkt;
	(void)ts;
}
