/*
 * flow: the connection table and per-direction TCP reassembly.
 *
 * Policies (documented in wsautopsy(1)):
 * - Overlaps: the first copy of a byte wins. A later copy that differs is
 *   counted as a conflict; it is compared against the out-of-order buffer
 *   and against the last 64 bytes delivered. Resent bytes older than those
 *   64 (or older than a gap) cannot be compared: they are counted, as
 *   retransmissions not compared, so a conflict there is not silent.
 * - A hole becomes a gap when the receiver acknowledges data past it (in
 *   three packets: captures reorder ACKs and data) while later data waits,
 *   when a buffer cap is reached, when the sender's stream ends (FIN or
 *   RST), or at the end of the capture.
 * - Bytes missing from a segment because of the snaplen are a gap at once.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"

struct ooo_seg {
	struct ooo_seg *next;
	uint32_t        seq;
	uint32_t        caplen;  /* bytes held in data[] */
	uint32_t        len;     /* bytes the segment had on the wire */
	uint64_t        pkt;
	struct wts      ts;
	uint8_t         data[];
};

/*
 * What a held segment costs against the caps: its bytes and its header as
 * the allocator hands them out (an 8-byte chunk header, 16-byte steps), so
 * that a cap of N bytes holds about N bytes of memory even for one-byte
 * segments. The cost does not depend on whether the bytes are kept
 * (flow_table_no_bytes): the reader's mirror must give a hole up exactly
 * where the decoding thread does.
 */
#define OOO_COST(caplen) \
	(((uint64_t)(caplen) + sizeof(struct ooo_seg) + 8 + 15) & ~(uint64_t)15)

struct flow_table {
	struct flow_limits       lim;
	const struct stream_ops *ops;
	void                    *ctx;
	struct conn            **slots;
	uint64_t                 nslots;  /* a power of two */
	struct conn             *lru_head, *lru_tail; /* head: most recent */
	struct conn             *free_conns;
	struct flow_stats        st;
	uint64_t                 next_id;
	flow_id_fn              *id_fn;   /* NULL: ids counted here */
	void                    *id_ctx;
	int                      no_bytes; /* flow_table_no_bytes */
};

static int          flow_match(const struct conn *, const struct packet *,
			int *);
static struct conn *flow_lookup(struct flow_table *, const struct packet *,
			uint32_t, int *);
static void         flow_insert(struct flow_table *, struct conn *);
static void         flow_unlink(struct flow_table *, struct conn *);
static void         flow_grow(struct flow_table *);
static void         flow_lru_front(struct flow_table *, struct conn *);
static void         flow_lru_remove(struct flow_table *, struct conn *);
static struct conn *flow_new_conn(struct flow_table *,
			const struct packet *, uint32_t);
static void         flow_close(struct flow_table *, struct conn *,
			enum conn_end);
static void         flow_expire(struct flow_table *, struct wts);
static void         tcp_deliver(struct flow_table *, struct conn *, int,
			const uint8_t *, uint32_t, uint32_t, uint64_t,
			struct wts);
static void         tcp_gap(struct flow_table *, struct conn *, int,
			uint32_t, uint64_t, struct wts);
static void         tcp_drain(struct flow_table *, struct conn *, int);
static void         tcp_flush(struct flow_table *, struct conn *, int,
			uint32_t, int);
static void         tcp_check_fin(struct flow_table *, struct conn *, int);
static void         tcp_segment(struct flow_table *, struct conn *, int,
			const struct packet *);
static void         tcp_buffer(struct flow_table *, struct conn *, int,
			const struct packet *, const uint8_t *, uint32_t,
			uint32_t, uint32_t);
static void         tcp_check_tail(struct flow_table *, struct tcp_dir *,
			int32_t, const uint8_t *, uint32_t);
static void         tcp_free_ooo(struct flow_table *, struct tcp_dir *);

/* Sequence arithmetic modulo 2^32 (RFC 1982 style). */
#define SEQ_DIFF(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)))
/* Packets acknowledging past a hole before it is declared a gap. */
#define FLOW_ACK_HITS  3
/* Further than this ahead of what is expected, a segment is not ours. */
#define SEQ_WINDOW     (1 << 30)

void
flow_limits_default(struct flow_limits *l)
{
	memset(l, 0, sizeof *l);	/* every connection: no shards */
	l->max_flows = 100000;
	l->idle_timeout = 900;
	l->ooo_per_dir = 4u << 20;
	l->ooo_total = 256u << 20;
}

int
flow_in_shard(const struct flow_limits *l, uint32_t h)
{
	return l->shards <= 1 || h % l->shards == l->shard;
}

uint64_t
flow_ooo_cost(uint32_t caplen)
{
	return OOO_COST(caplen);
}

struct flow_table *
flow_table_new(const struct flow_limits *lim, const struct stream_ops *ops,
    void *ctx)
{
	struct flow_table *ft = xcalloc(1, sizeof *ft);

	ft->lim = *lim;
	if (ft->lim.max_flows == 0)
		ft->lim.max_flows = 1;
	ft->ops = ops;
	ft->ctx = ctx;
	ft->nslots = 1024;
	ft->slots = xcalloc(ft->nslots, sizeof *ft->slots);
	ft->next_id = 1;
	return ft;
}

void
flow_table_ids(struct flow_table *ft, flow_id_fn *fn, void *ctx)
{
	ft->id_fn = fn;
	ft->id_ctx = ctx;
}

void
flow_table_no_bytes(struct flow_table *ft)
{
	ft->no_bytes = 1;
}

const struct flow_stats *
flow_table_stats(const struct flow_table *ft)
{
	return &ft->st;
}

void
flow_table_free(struct flow_table *ft)
{
	struct conn *c, *n;

	if (ft == NULL)
		return;
	for (c = ft->lru_head; c != NULL; c = n) {
		n = c->lru_next;
		tcp_free_ooo(ft, &c->dir[0]);
		tcp_free_ooo(ft, &c->dir[1]);
		free(c);
	}
	for (c = ft->free_conns; c != NULL; c = n) {
		n = c->lru_next;
		free(c);
	}
	free(ft->slots);
	free(ft);
}

void
conn_set_client(struct conn *c, int side)
{
	c->client = (uint8_t)(side & 1);
	c->flags &= (uint8_t)~CONN_ROLE_GUESS;
}

const char *
conn_end_name(enum conn_end e)
{
	static const char *const names[] = {
		"open", "fin", "half-fin", "rst", "idle", "evicted", "reused"
	};

	return (unsigned)e < sizeof names / sizeof names[0] ? names[e] : "?";
}

uint32_t
flow_hash(const struct packet *p)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL, a = 0, b = 0;
	int      i, n = p->family == 6 ? 16 : 4;

	for (i = 0; i < n; i++) {
		a = a * 131 + p->src[i];
		b = b * 131 + p->dst[i];
	}
	a = a * 65599 + p->sport;
	b = b * 65599 + p->dport;
	h ^= (a ^ b) + (a + b) * 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (uint32_t)h;
}

static int
flow_match(const struct conn *c, const struct packet *p, int *side)
{
	int n = p->family == 6 ? 16 : 4;

	if (c->family != p->family)
		return 0;
	if (c->port[0] == p->sport && c->port[1] == p->dport &&
	    memcmp(c->addr[0], p->src, n) == 0 &&
	    memcmp(c->addr[1], p->dst, n) == 0) {
		*side = 0;
		return 1;
	}
	if (c->port[1] == p->sport && c->port[0] == p->dport &&
	    memcmp(c->addr[1], p->src, n) == 0 &&
	    memcmp(c->addr[0], p->dst, n) == 0) {
		*side = 1;
		return 1;
	}
	return 0;
}

static struct conn *
flow_lookup(struct flow_table *ft, const struct packet *p, uint32_t h,
    int *side)
{
	uint64_t     i, mask = ft->nslots - 1;
	struct conn *c;

	for (i = h & mask; (c = ft->slots[i]) != NULL; i = (i + 1) & mask) {
		if (c->hash == h && flow_match(c, p, side))
			return c;
	}
	return NULL;
}

static void
flow_insert(struct flow_table *ft, struct conn *c)
{
	uint64_t i, mask;

	if ((ft->st.live + 1) * 2 > ft->nslots)
		flow_grow(ft);
	mask = ft->nslots - 1;
	for (i = c->hash & mask; ft->slots[i] != NULL; i = (i + 1) & mask)
		;
	ft->slots[i] = c;
}

static void
flow_grow(struct flow_table *ft)
{
	struct conn **old = ft->slots;
	uint64_t      i, j, n = ft->nslots, mask;

	ft->nslots *= 2;
	ft->slots = xcalloc(ft->nslots, sizeof *ft->slots);
	mask = ft->nslots - 1;
	for (i = 0; i < n; i++) {
		if (old[i] == NULL)
			continue;
		for (j = old[i]->hash & mask; ft->slots[j] != NULL;
		    j = (j + 1) & mask)
			;
		ft->slots[j] = old[i];
	}
	free(old);
}

/* Linear probing deletion by backward shift: no tombstones accumulate. */
static void
flow_unlink(struct flow_table *ft, struct conn *c)
{
	uint64_t     i, j, k, mask = ft->nslots - 1;
	struct conn *x;

	for (i = c->hash & mask; ft->slots[i] != c; i = (i + 1) & mask)
		if (ft->slots[i] == NULL)
			return;
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		x = ft->slots[j];
		if (x == NULL)
			break;
		k = x->hash & mask;
		/* Move x back unless its home lies cyclically in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		ft->slots[i] = x;
		i = j;
	}
	ft->slots[i] = NULL;
}

static void
flow_lru_remove(struct flow_table *ft, struct conn *c)
{
	if (c->lru_prev != NULL)
		c->lru_prev->lru_next = c->lru_next;
	else
		ft->lru_head = c->lru_next;
	if (c->lru_next != NULL)
		c->lru_next->lru_prev = c->lru_prev;
	else
		ft->lru_tail = c->lru_prev;
	c->lru_prev = c->lru_next = NULL;
}

static void
flow_lru_front(struct flow_table *ft, struct conn *c)
{
	if (ft->lru_head == c)
		return;
	/* A new connection is in no list yet. */
	if (c->lru_prev != NULL || ft->lru_tail == c)
		flow_lru_remove(ft, c);
	c->lru_next = ft->lru_head;
	if (ft->lru_head != NULL)
		ft->lru_head->lru_prev = c;
	ft->lru_head = c;
	if (ft->lru_tail == NULL)
		ft->lru_tail = c;
}

static struct conn *
flow_new_conn(struct flow_table *ft, const struct packet *p, uint32_t h)
{
	struct conn *c;
	int          n = p->family == 6 ? 16 : 4, s = 0;

	if (ft->st.live >= ft->lim.max_flows && ft->lru_tail != NULL) {
		ft->st.evicted_lru++;
		flow_close(ft, ft->lru_tail, CONN_END_EVICTED);
	}
	if ((c = ft->free_conns) != NULL)
		ft->free_conns = c->lru_next;
	else
		c = xmalloc(sizeof *c);
	memset(c, 0, sizeof *c);
	c->id = ft->id_fn != NULL ? ft->id_fn(ft->id_ctx, p->number) :
	    ft->next_id++;
	c->hash = h;
	c->family = p->family;
	/* Side 0 is the client when the packet tells: a SYN+ACK is the server's. */
	if ((p->flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK))
		s = 1;
	memcpy(c->addr[s], p->src, n);
	memcpy(c->addr[!s], p->dst, n);
	c->port[s] = p->sport;
	c->port[!s] = p->dport;
	c->client = 0;
	if ((p->flags & TCPF_SYN) == 0)
		c->flags |= CONN_MIDSTREAM | CONN_ROLE_GUESS;
	c->first_ts = c->last_ts = p->ts;
	c->first_pkt = c->last_pkt = p->number;
	flow_insert(ft, c);
	ft->st.live++;
	if (ft->st.live > ft->st.live_max)
		ft->st.live_max = ft->st.live;
	ft->st.conns++;
	flow_lru_front(ft, c);
	if (ft->ops->open != NULL)
		ft->ops->open(ft->ctx, c);
	return c;
}

static void
flow_close(struct flow_table *ft, struct conn *c, enum conn_end why)
{
	int s;

	for (s = 0; s < 2; s++)
		if (!c->dir[s].closed)
			tcp_flush(ft, c, s, 0, 1);
	if (why == CONN_END_OPEN || why == CONN_END_REUSED ||
	    why == CONN_END_IDLE || why == CONN_END_EVICTED) {
		if (c->dir[0].rst || c->dir[1].rst)
			why = CONN_END_RST;
		else if (c->dir[0].fin && c->dir[1].fin)
			why = CONN_END_FIN;
		else if ((c->dir[0].fin || c->dir[1].fin) &&
		    why == CONN_END_OPEN)
			why = CONN_END_FIN_HALF;
	}
	c->end = (uint8_t)why;
	if (why == CONN_END_IDLE)
		ft->st.evicted_idle++;
	if (ft->ops->close != NULL)
		ft->ops->close(ft->ctx, c);
	flow_unlink(ft, c);
	flow_lru_remove(ft, c);
	ft->st.live--;
	tcp_free_ooo(ft, &c->dir[0]);
	tcp_free_ooo(ft, &c->dir[1]);
	c->lru_next = ft->free_conns;
	ft->free_conns = c;
}

static void
flow_expire(struct flow_table *ft, struct wts now)
{
	struct conn *c;

	if (ft->lim.idle_timeout == 0)
		return;
	while ((c = ft->lru_tail) != NULL &&
	    c->last_ts.sec + (int64_t)ft->lim.idle_timeout < now.sec)
		flow_close(ft, c, CONN_END_IDLE);
}

void
flow_input(struct flow_table *ft, const struct packet *p)
{
	flow_input_hashed(ft, p, flow_hash(p));
}

void
flow_input_hashed(struct flow_table *ft, const struct packet *p, uint32_t h)
{
	struct conn    *c;
	struct tcp_dir *d, *o;
	int             side = 0;

	flow_expire(ft, p->ts);
	if (!flow_in_shard(&ft->lim, h))
		return;
	c = flow_lookup(ft, p, h, &side);
	if (c != NULL && (p->flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN &&
	    (c->dir[side].synced == 0 || c->dir[side].isn != p->seq)) {
		/* A new SYN on a known 4-tuple: port reuse. */
		if (c->dir[0].closed || c->dir[1].closed ||
		    c->dir[side].synced) {
			flow_close(ft, c, CONN_END_REUSED);
			c = NULL;
		}
	}
	if (c == NULL) {
		/*
		 * A stray ACK or RST of a connection we never saw says
		 * nothing; anything carrying bytes or a SYN starts one.
		 */
		if ((p->flags & TCPF_SYN) == 0 && p->len == 0) {
			ft->st.ignored++;
			return;
		}
		c = flow_new_conn(ft, p, h);
		flow_match(c, p, &side);
	}
	flow_lru_front(ft, c);
	c->last_ts = p->ts;
	c->last_pkt = p->number;
	d = &c->dir[side];
	o = &c->dir[!side];
	d->packets++;

	if (p->flags & TCPF_SYN) {
		if (!d->synced) {
			d->isn = p->seq;
			d->next_seq = p->seq + 1;
			d->synced = 1;
		}
		if (p->flags & TCPF_ACK)
			c->flags |= CONN_SYNACK_SEEN;
		else
			c->flags |= CONN_SYN_SEEN;
		if (side == 1 && (p->flags & TCPF_ACK) == 0 &&
		    (c->flags & CONN_SYNACK_SEEN) == 0)
			conn_set_client(c, 1);
	}
	if (p->len > 0 || (p->flags & TCPF_FIN))
		tcp_segment(ft, c, side, p);

	/*
	 * The receiver acknowledged bytes past a hole: they were sent. A
	 * capture may show an ACK before the data it covers, so the hole is
	 * given up only when acknowledged past by FLOW_ACK_HITS packets.
	 */
	if ((p->flags & TCPF_ACK) && o->synced && o->ooo != NULL &&
	    SEQ_DIFF(p->ack, o->next_seq) > 0 &&
	    SEQ_DIFF(p->ack, o->next_seq) < SEQ_WINDOW &&
	    ++o->ack_hits >= FLOW_ACK_HITS) {
		o->ack_hits = 0;
		tcp_flush(ft, c, !side, p->ack, 0);
	}

	if (p->flags & TCPF_RST) {
		d->rst = 1;
		c->end_pkt = p->number;
		tcp_flush(ft, c, side, 0, 1);
		if (!d->closed) {
			d->closed = 1;
			if (ft->ops->end != NULL)
				ft->ops->end(ft->ctx, c, side, 1, p->number,
				    p->ts);
		}
		flow_close(ft, c, CONN_END_RST);
		return;
	}
	if (d->closed && o->closed) {
		c->end_pkt = p->number;
		flow_close(ft, c, CONN_END_FIN);
	}
}

void
flow_finish(struct flow_table *ft)
{
	while (ft->lru_tail != NULL)
		flow_close(ft, ft->lru_tail, CONN_END_OPEN);
}

static void
tcp_deliver(struct flow_table *ft, struct conn *c, int side,
    const uint8_t *p, uint32_t n, uint32_t wirelen, uint64_t pkt,
    struct wts ts)
{
	struct tcp_dir *d = &c->dir[side];
	uint32_t        keep;

	d->ack_hits = 0;
	if (n > 0 && ft->no_bytes) {
		d->next_off += n;
		d->next_seq += n;
		d->bytes += n;
	} else if (n > 0) {
		if (ft->ops->data != NULL)
			ft->ops->data(ft->ctx, c, side, d->next_off, p, n, pkt,
			    ts);
		d->next_off += n;
		d->next_seq += n;
		d->bytes += n;
		/* Keep the last bytes for comparing retransmissions. */
		keep = n < sizeof d->tail ? n : (uint32_t)sizeof d->tail;
		if (d->tail_len + keep > sizeof d->tail) {
			uint32_t drop = d->tail_len + keep -
			    (uint32_t)sizeof d->tail;

			memmove(d->tail, d->tail + drop, d->tail_len - drop);
			d->tail_len -= drop;
		}
		memcpy(d->tail + d->tail_len, p + n - keep, keep);
		d->tail_len += keep;
	}
	if (wirelen > n) {
		/* The snaplen cut these bytes: they existed, we lack them. */
		d->snap_gaps++;
		tcp_gap(ft, c, side, wirelen - n, pkt, ts);
	}
}

static void
tcp_gap(struct flow_table *ft, struct conn *c, int side, uint32_t len,
    uint64_t pkt, struct wts ts)
{
	struct tcp_dir *d = &c->dir[side];

	if (len == 0)
		return;
	if (ft->ops->gap != NULL)
		ft->ops->gap(ft->ctx, c, side, d->next_off, len, pkt, ts);
	d->next_off += len;
	d->next_seq += len;
	d->gaps++;
	d->gap_bytes += len;
	d->tail_len = 0;
	ft->st.gaps++;
	ft->st.gap_bytes += len;
}

/* Releases buffered segments that have become contiguous. */
static void
tcp_drain(struct flow_table *ft, struct conn *c, int side)
{
	struct tcp_dir *d = &c->dir[side];
	struct ooo_seg *s;
	int32_t         rel;
	uint32_t        skip;

	while ((s = d->ooo) != NULL) {
		rel = SEQ_DIFF(s->seq, d->next_seq);
		if (rel > 0)
			break;
		d->ooo = s->next;
		if (d->ooo == NULL)
			d->ooo_last = NULL;
		d->ooo_bytes -= OOO_COST(s->caplen);
		ft->st.ooo_bytes -= OOO_COST(s->caplen);
		skip = (uint32_t)-rel;
		if (skip < s->len) {
			if (skip < s->caplen)
				tcp_deliver(ft, c, side, s->data + skip,
				    s->caplen - skip, s->len - skip, s->pkt,
				    s->ts);
			else
				tcp_gap(ft, c, side, s->len - skip, s->pkt,
				    s->ts);
		}
		free(s);
	}
	tcp_check_fin(ft, c, side);
}

/*
 * Gives up on holes: everything buffered before limit (all of it when
 * all is set) is delivered, with gaps for what never came.
 */
static void
tcp_flush(struct flow_table *ft, struct conn *c, int side, uint32_t limit,
    int all)
{
	struct tcp_dir *d = &c->dir[side];
	struct ooo_seg *s;
	int32_t         rel;

	if (!d->synced)
		return;
	while ((s = d->ooo) != NULL) {
		if (!all && SEQ_DIFF(s->seq, limit) >= 0)
			break;
		rel = SEQ_DIFF(s->seq, d->next_seq);
		if (rel > 0)
			tcp_gap(ft, c, side, (uint32_t)rel, s->pkt, s->ts);
		tcp_drain(ft, c, side);
	}
	if (all && d->fin && SEQ_DIFF(d->fin_seq, d->next_seq) > 0 &&
	    SEQ_DIFF(d->fin_seq, d->next_seq) < SEQ_WINDOW) {
		tcp_gap(ft, c, side, (uint32_t)SEQ_DIFF(d->fin_seq,
		    d->next_seq), d->fin_pkt, c->last_ts);
		tcp_check_fin(ft, c, side);
	}
}

static void
tcp_check_fin(struct flow_table *ft, struct conn *c, int side)
{
	struct tcp_dir *d = &c->dir[side];

	if (d->fin && !d->closed && d->next_seq == d->fin_seq) {
		d->closed = 1;
		if (ft->ops->end != NULL)
			ft->ops->end(ft->ctx, c, side, 0, d->fin_pkt,
			    c->last_ts);
	}
}

/*
 * Compares the part of a segment before next_seq with what was delivered;
 * the captured part older than the kept tail is counted as not compared.
 */
static void
tcp_check_tail(struct flow_table *ft, struct tcp_dir *d, int32_t rel,
    const uint8_t *p, uint32_t caplen)
{
	int64_t pos, from, to, old;

	if (ft->no_bytes)
		return;
	from = rel > -(int32_t)d->tail_len ? rel : -(int64_t)d->tail_len;
	to = (int64_t)rel + caplen < 0 ? (int64_t)rel + caplen : 0;
	/* Captured bytes in [rel, old) lie before the tail. */
	old = to < from ? to : from;
	if (old > rel) {
		ft->st.unchecked++;
		ft->st.unchecked_bytes += (uint64_t)(old - rel);
	}
	for (pos = from; pos < to; pos++) {
		if (p[pos - rel] != d->tail[d->tail_len + pos]) {
			d->conflicts++;
			ft->st.conflicts++;
			return;
		}
	}
}

static void
tcp_segment(struct flow_table *ft, struct conn *c, int side,
    const struct packet *p)
{
	struct tcp_dir *d = &c->dir[side];
	int32_t         rel;
	uint32_t        skip, len = p->len, caplen = p->caplen;

	if (!d->synced) {
		/* Picked up mid-stream: the first byte we see is offset 0. */
		d->synced = 1;
		d->isn = p->seq - 1;
		d->next_seq = p->seq;
		c->flags |= CONN_MIDSTREAM;
	}
	if (p->flags & TCPF_FIN) {
		if (!d->fin) {
			d->fin = 1;
			d->fin_seq = p->seq + len;
			d->fin_pkt = p->number;
		}
	}
	rel = SEQ_DIFF(p->seq, d->next_seq);
	if (d->closed) {
		/* Resent after the stream ended: old bytes, compared too. */
		if (len > 0) {
			d->retrans_bytes += len;
			ft->st.retrans_bytes += len;
			if ((int64_t)rel + len <= 0)
				tcp_check_tail(ft, d, rel, p->payload, caplen);
		}
		return;
	}
	if (len > 0 && rel >= SEQ_WINDOW / 2) {
		ft->st.ignored++;
		return;
	}
	if (len > 0 && (int64_t)rel + len <= 0) {
		/* Entirely old: a retransmission. */
		d->retrans_bytes += len;
		ft->st.retrans_bytes += len;
		tcp_check_tail(ft, d, rel, p->payload, caplen);
	} else if (len > 0 && rel <= 0) {
		skip = (uint32_t)-rel;
		d->retrans_bytes += skip;
		ft->st.retrans_bytes += skip;
		tcp_check_tail(ft, d, rel, p->payload, caplen);
		if (skip < caplen)
			tcp_deliver(ft, c, side, p->payload + skip,
			    caplen - skip, len - skip, p->number, p->ts);
		else
			tcp_gap(ft, c, side, len - skip, p->number, p->ts);
		if (d->ooo != NULL)
			tcp_drain(ft, c, side);
	} else if (len > 0) {
		tcp_buffer(ft, c, side, p, p->payload, caplen, len,
		    (uint32_t)rel);
	}
	tcp_check_fin(ft, c, side);
}

/* Holds an out-of-order segment, within the per-direction and total caps. */
static void
tcp_buffer(struct flow_table *ft, struct conn *c, int side,
    const struct packet *p, const uint8_t *data, uint32_t caplen,
    uint32_t len, uint32_t rel)
{
	struct tcp_dir  *d = &c->dir[side];
	struct ooo_seg **pp, *s, *x;
	uint64_t         conflicts = d->conflicts;
	int32_t          a, b, lo, hi, i;

	while (d->ooo != NULL && (d->ooo_bytes + OOO_COST(caplen) >
	    ft->lim.ooo_per_dir || ft->st.ooo_bytes + OOO_COST(caplen) >
	    ft->lim.ooo_total)) {
		if (d->ooo_bytes + OOO_COST(caplen) > ft->lim.ooo_per_dir)
			ft->st.ooo_dir_hits++;
		else
			ft->st.ooo_total_hits++;
		/* Give up on the oldest hole to make room. */
		tcp_gap(ft, c, side, (uint32_t)SEQ_DIFF(d->ooo->seq,
		    d->next_seq), d->ooo->pkt, d->ooo->ts);
		tcp_drain(ft, c, side);
		rel = (uint32_t)SEQ_DIFF(p->seq, d->next_seq);
		if ((int32_t)rel <= 0) {
			/* The hole we gave up on was this segment's place. */
			tcp_segment(ft, c, side, p);
			return;
		}
	}
	if (OOO_COST(caplen) > ft->lim.ooo_per_dir || ft->st.ooo_bytes +
	    OOO_COST(caplen) > ft->lim.ooo_total) {
		/* Cannot hold even this one segment: it is a gap. */
		ft->st.ooo_dir_hits++;
		tcp_gap(ft, c, side, rel, p->number, p->ts);
		tcp_segment(ft, c, side, p);
		return;
	}
	/*
	 * Sorted insert; compare bytes held twice. Segments behind a hole
	 * mostly come in order: past the last one held, append at once
	 * rather than walk the list (which made a long run quadratic).
	 */
	pp = &d->ooo;
	if (d->ooo_last != NULL &&
	    SEQ_DIFF(p->seq, d->ooo_last->seq + d->ooo_last->caplen) >= 0)
		pp = &d->ooo_last->next;
	for (; (x = *pp) != NULL; pp = &x->next) {
		a = SEQ_DIFF(x->seq, p->seq);
		b = a + (int32_t)x->caplen;
		lo = a > 0 ? a : 0;
		hi = b < (int32_t)caplen ? b : (int32_t)caplen;
		for (i = lo; i < hi && !ft->no_bytes; i++) {
			if (data[i] != x->data[i - a]) {
				d->conflicts++;
				break;
			}
		}
		if (a == 0 && x->len >= len) {
			/* A duplicate of a held segment. */
			d->retrans_bytes += len;
			ft->st.retrans_bytes += len;
			ft->st.conflicts += d->conflicts - conflicts;
			return;
		}
		if (a > 0)
			break;
	}
	ft->st.conflicts += d->conflicts - conflicts;
	/* Without its bytes, a segment still costs the caps what it would. */
	s = xmalloc(sizeof *s + (ft->no_bytes ? 0 : caplen));
	s->seq = p->seq;
	s->caplen = caplen;
	s->len = len;
	s->pkt = p->number;
	s->ts = p->ts;
	if (!ft->no_bytes)
		memcpy(s->data, data, caplen);
	/*
	 * First copy wins for held bytes at later offsets too: this segment
	 * is delivered before them, so it carries their bytes, not its own.
	 * (The loop above compared the first of them.)
	 */
	for (x = *pp; x != NULL && !ft->no_bytes; x = x->next) {
		a = SEQ_DIFF(x->seq, p->seq);
		if (a >= (int32_t)caplen)
			break;
		hi = a + (int32_t)x->caplen < (int32_t)caplen ?
		    a + (int32_t)x->caplen : (int32_t)caplen;
		if (x != *pp && memcmp(s->data + a, x->data,
		    (size_t)(hi - a)) != 0) {
			d->conflicts++;
			ft->st.conflicts++;
		}
		memcpy(s->data + a, x->data, (size_t)(hi - a));
	}
	s->next = *pp;
	*pp = s;
	if (s->next == NULL)
		d->ooo_last = s;
	d->ooo_bytes += OOO_COST(caplen);
	ft->st.ooo_bytes += OOO_COST(caplen);
	if (ft->st.ooo_bytes > ft->st.ooo_bytes_max)
		ft->st.ooo_bytes_max = ft->st.ooo_bytes;
}

static void
tcp_free_ooo(struct flow_table *ft, struct tcp_dir *d)
{
	struct ooo_seg *s, *n;

	for (s = d->ooo; s != NULL; s = n) {
		n = s->next;
		ft->st.ooo_bytes -= OOO_COST(s->caplen);
		free(s);
	}
	d->ooo = NULL;
	d->ooo_last = NULL;
	d->ooo_bytes = 0;
}
