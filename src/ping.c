/*
 * ping: matching pongs to pings, round trips, pings never answered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ping.h"

static uint64_t ping_key(uint64_t, const uint8_t *, size_t);
static int      ping_cmp_u32(const void *, const void *);

/* FNV-1a of the length and the kept bytes: equal payloads, equal keys. */
static uint64_t
ping_key(uint64_t len, const uint8_t *p, size_t n)
{
	uint64_t k = 1469598103934665603ULL;
	size_t   i;

	for (i = 0; i < 8; i++)
		k = (k ^ ((len >> (8 * i)) & 0xff)) * 1099511628211ULL;
	for (i = 0; p != NULL && i < n; i++)
		k = (k ^ p[i]) * 1099511628211ULL;
	return k;
}

void
ping_sent(struct ping_track *t, uint64_t len, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	struct ping_wait *w;

	t->pings++;
	if (t->nwait == PING_WAITING) {
		if (t->out_waiting++ == 0) {
			t->out_first_pkt = t->wait[0].pkt;
			t->out_first_ts = t->wait[0].ts;
		}
		memmove(&t->wait[0], &t->wait[1], (PING_WAITING - 1) *
		    sizeof t->wait[0]);
		t->nwait--;
		t->pushed_out++;
	}
	w = &t->wait[t->nwait++];
	w->key = ping_key(len, p, n);
	w->pkt = pkt;
	w->ts = ts;
}

int
ping_pong(struct ping_track *t, uint64_t len, const uint8_t *p, size_t n,
    struct wts ts)
{
	uint64_t key = ping_key(len, p, n);
	int64_t  ns;
	uint64_t us;
	unsigned i, k;

	/* The newest waiting ping with this payload. */
	for (k = t->nwait; k-- > 0;)
		if (t->wait[k].key == key)
			break;
	if (k == (unsigned)-1) {
		t->unsolicited++;
		return 0;
	}
	ns = wts_ns_between(t->wait[k].ts, ts);
	us = ns > 0 ? (uint64_t)ns / 1000 : 0;
	if (us > UINT32_MAX)
		us = UINT32_MAX;
	if (t->answered == 0 || us < t->rtt_min_us)
		t->rtt_min_us = us;
	if (t->answered == 0 || us > t->rtt_max_us)
		t->rtt_max_us = us;
	if (t->nrtt < PING_RTT_KEEP) {
		if (t->rtt_us == NULL)
			t->rtt_us = xmalloc(PING_RTT_KEEP * sizeof *t->rtt_us);
		t->rtt_us[t->nrtt++] = (uint32_t)us;
	}
	/* It answers the older ones as well. */
	t->answered += k + 1 + t->out_waiting;
	t->out_waiting = 0;
	for (i = k + 1; i < t->nwait; i++)
		t->wait[i - k - 1] = t->wait[i];
	t->nwait -= k + 1;
	return 1;
}

static int
ping_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void
ping_stats(const struct ping_track *t, struct wts last, struct ping_stats *st)
{
	uint32_t sorted[PING_RTT_KEEP];
	unsigned i;

	memset(st, 0, sizeof *st);
	st->pings = t->pings;
	st->answered = t->answered;
	st->rtt_min_ms = st->rtt_median_ms = st->rtt_max_ms = -1;
	if (t->out_waiting > 0) {
		st->unanswered = wts_ns_between(t->out_first_ts, last) >=
		    PING_WAIT_NS ? t->out_waiting : 0;
		st->pending = t->out_waiting - st->unanswered;
	}
	if (st->unanswered > 0) {
		st->first_unanswered_pkt = t->out_first_pkt;
		st->first_unanswered_ts = t->out_first_ts;
	}
	for (i = 0; i < t->nwait; i++) {
		if (wts_ns_between(t->wait[i].ts, last) < PING_WAIT_NS) {
			st->pending++;
			continue;
		}
		if (st->unanswered++ == 0) {
			st->first_unanswered_pkt = t->wait[i].pkt;
			st->first_unanswered_ts = t->wait[i].ts;
		}
	}
	if (t->nrtt == 0)
		return;
	memcpy(sorted, t->rtt_us, t->nrtt * sizeof sorted[0]);
	qsort(sorted, t->nrtt, sizeof sorted[0], ping_cmp_u32);
	st->rtt_min_ms = (double)t->rtt_min_us / 1000.0;
	st->rtt_max_ms = (double)t->rtt_max_us / 1000.0;
	st->rtt_median_ms = (t->nrtt % 2 ? (double)sorted[t->nrtt / 2] :
	    ((double)sorted[t->nrtt / 2 - 1] + sorted[t->nrtt / 2]) / 2.0) /
	    1000.0;
}

void
ping_free(struct ping_track *t)
{
	free(t->rtt_us);
	t->rtt_us = NULL;
}
