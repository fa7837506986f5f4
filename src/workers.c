/*
 * workers: one reader, N decode threads, one sink (see workers.h).
 *
 * Handing over. The reader fills one batch per worker; a full batch goes
 * to its worker's queue (at most WK_BATCHES per worker are out, so memory
 * is bounded by N * WK_BATCHES * WK_BATCH). Each packet goes with its
 * flow hash and the id of the connection it opens (0: none).
 *
 * Ids. The reader keeps a copy of each worker's flow table that follows
 * TCP only (no stream above it): the same code on the same packets under
 * the same limits opens and closes the same connections at the same
 * packets, so the reader sees every connection open in capture order and
 * numbers it there. A worker never waits for another.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "analysis-int.h"
#include "session.h"
#include "size-limits.h"
#include "workers.h"

#define WK_BATCH   (64u << 10)  /* bytes of packets handed over at once */
#define WK_BATCHES 16           /* batches out per worker */

struct wk_batch {
	struct wk_batch *next;
	size_t           used, cap;
	uint8_t          data[];  /* struct wk_pkt, then its payload; again */
};

/* A packet as handed over; its payload follows. */
struct wk_pkt {
	struct packet pkt;        /* payload: NULL */
	uint64_t      opens;      /* id of the connection it opens; 0 none */
	uint32_t      hash;       /* flow_hash */
};

struct worker {
	struct workers        *pool;
	pthread_t              thread;
	struct analysis        an;      /* a copy with a table, limits of its own */
	struct capture_summary sum;
	struct flow_table     *ft;
	pthread_mutex_t        lock;
	pthread_cond_t         more;    /* a batch came, or the end */
	pthread_cond_t         room;    /* a batch came back */
	struct wk_batch       *full, *full_tail, *spare;
	unsigned               out;     /* batches queued, in use or filling */
	int                    end;
	struct wk_batch       *cur;     /* the reader's, filling */
	struct flow_table     *mirror;  /* the reader's copy of ft, TCP only */
	uint64_t               opens;   /* the packet being decoded's */
};

struct workers {
	struct analysis       *an;
	unsigned               n;
	struct worker         *w;
	uint64_t               ids;      /* the reader's: connections opened */
	uint64_t               opens;    /* the packet being read's */
	atomic_uint_fast64_t   slots;
	pthread_mutex_t        sink_lock;
	struct sink_ops        sink;     /* the analysis's, one worker at a time */
};

/* The mirror tables follow TCP and call nothing above it. */
static const struct stream_ops wk_mirror_ops = { .open = NULL };

static void    *wk_main(void *);
static uint64_t wk_id(void *, uint64_t);
static uint64_t wk_mirror_id(void *, uint64_t);
static void     wk_hand(struct worker *);
static struct wk_batch *wk_batch(struct worker *, size_t);
static void     wk_frame(void *, uint64_t, int, const struct ws_frame *);
static void     wk_message(void *, uint64_t, int, const struct ws_message *);
static void     wk_finding(void *, const struct finding *);
static void     wk_update(void *, const struct finding *);
static void     wk_conn_end(void *, const struct conn_summary *);

struct workers *
workers_start(struct analysis *an, unsigned n)
{
	struct workers    *p = xcalloc(1, sizeof *p);
	struct worker     *w;
	struct flow_limits lim;
	unsigned           i;

	p->an = an;
	p->n = n;
	p->w = xcalloc(n, sizeof *p->w);
	atomic_init(&p->slots, 0);
	pthread_mutex_init(&p->sink_lock, NULL);
	p->sink.frame = an->sink->frame != NULL ? wk_frame : NULL;
	p->sink.message = an->sink->message != NULL ? wk_message : NULL;
	p->sink.finding = an->sink->finding != NULL ? wk_finding : NULL;
	p->sink.conn_end = an->sink->conn_end != NULL ? wk_conn_end : NULL;
	p->sink.finding_update = an->sink->finding_update != NULL ?
	    wk_update : NULL;
	limits_share_slots(an->limits, &p->slots);
	/* The caps on all connections are the run's: each holds its share. */
	lim = an->opts.flow;
	lim.max_flows = lim.max_flows / n > 0 ? lim.max_flows / n : 1;
	lim.ooo_total = lim.ooo_total / n > 0 ? lim.ooo_total / n : 1;
	for (i = 0; i < n; i++) {
		w = &p->w[i];
		w->pool = p;
		w->an = *an;
		w->an.sink = &p->sink;
		w->an.sink_ctx = p;
		w->an.sum = &w->sum;
		w->an.limits = limits_new();
		limits_share_slots(w->an.limits, &p->slots);
		w->an.shared.scratch = xmalloc(an->shared.scratch_len);
		w->an.progress = NULL;
		w->ft = flow_table_new(&lim, &session_stream_ops, &w->an);
		w->an.ft = w->ft;
		flow_table_ids(w->ft, wk_id, w);
		w->mirror = flow_table_new(&lim, &wk_mirror_ops, NULL);
		flow_table_ids(w->mirror, wk_mirror_id, p);
		flow_table_no_bytes(w->mirror);
		pthread_mutex_init(&w->lock, NULL);
		pthread_cond_init(&w->more, NULL);
		pthread_cond_init(&w->room, NULL);
		if (pthread_create(&w->thread, NULL, wk_main, w) != 0) {
			wsa_warn("cannot start decode worker %u of %u", i + 1,
			    n);
			exit(EXIT_INPUT);
		}
	}
	return p;
}

/*
 * The worker of a hash: its high bits (a shard is its remainder). Its
 * mirror table says whether the packet opens a connection, and numbers it.
 */
void
workers_input(void *arg, const struct packet *pkt)
{
	struct workers *p = arg;
	struct worker  *w;
	uint32_t        h = flow_hash(pkt);
	size_t          need = sizeof(struct wk_pkt) + pkt->caplen;
	struct wk_pkt   item;

	if (!flow_in_shard(&p->an->opts.flow, h))
		return;
	w = &p->w[((uint64_t)h * p->n) >> 32];
	p->opens = 0;
	flow_input_hashed(w->mirror, pkt, h);
	if (w->cur != NULL && w->cur->used + need > w->cur->cap)
		wk_hand(w);
	if (w->cur == NULL)
		w->cur = wk_batch(w, need);
	memset(&item, 0, sizeof item);
	item.pkt = *pkt;
	item.pkt.payload = NULL;
	item.opens = p->opens;
	item.hash = h;
	memcpy(w->cur->data + w->cur->used, &item, sizeof item);
	if (pkt->caplen > 0)
		memcpy(w->cur->data + w->cur->used + sizeof item, pkt->payload,
		    pkt->caplen);
	w->cur->used += need;
}

uint64_t
workers_connections(struct workers *p)
{
	return p->ids;
}

void
workers_finish(struct workers *p, struct capture_summary *sum,
    struct flow_stats *fs)
{
	struct worker           *w;
	const struct flow_stats *ws;
	struct wk_batch         *b;
	unsigned                 i, k;

	/* Nothing more comes: every packet is handed over. */
	for (i = 0; i < p->n; i++) {
		w = &p->w[i];
		wk_hand(w);
		pthread_mutex_lock(&w->lock);
		w->end = 1;
		pthread_cond_signal(&w->more);
		pthread_mutex_unlock(&w->lock);
	}
	memset(fs, 0, sizeof *fs);
	for (i = 0; i < p->n; i++) {
		w = &p->w[i];
		pthread_join(w->thread, NULL);
		ws = flow_table_stats(w->ft);
		fs->conns += ws->conns;
		fs->live_max += ws->live_max;
		fs->evicted_lru += ws->evicted_lru;
		fs->evicted_idle += ws->evicted_idle;
		fs->ooo_dir_hits += ws->ooo_dir_hits;
		fs->ooo_total_hits += ws->ooo_total_hits;
		fs->ooo_bytes_max += ws->ooo_bytes_max;
		fs->gaps += ws->gaps;
		fs->gap_bytes += ws->gap_bytes;
		fs->conflicts += ws->conflicts;
		fs->retrans_bytes += ws->retrans_bytes;
		fs->unchecked += ws->unchecked;
		fs->unchecked_bytes += ws->unchecked_bytes;
		fs->ignored += ws->ignored;
		sum->ws_connections += w->sum.ws_connections;
		sum->frames += w->sum.frames;
		sum->messages += w->sum.messages;
		sum->findings += w->sum.findings;
		for (k = 0; k < FINDING_CLASSES; k++)
			sum->by_class[k] += w->sum.by_class[k];
		sum->cap_inflate += w->sum.cap_inflate;
		sum->tls_connections += w->sum.tls_connections;
		sum->tls_no_keys += w->sum.tls_no_keys;
		sum->tls_h2 += w->sum.tls_h2;
		limits_absorb(p->an->limits, w->an.limits);
		limits_free(w->an.limits);
		flow_table_free(w->ft);
		flow_table_free(w->mirror);
		free(w->an.shared.scratch);
		while ((b = w->spare) != NULL) {
			w->spare = b->next;
			free(b);
		}
		pthread_mutex_destroy(&w->lock);
		pthread_cond_destroy(&w->more);
		pthread_cond_destroy(&w->room);
	}
	limits_share_slots(p->an->limits, NULL);
	pthread_mutex_destroy(&p->sink_lock);
	free(p->w);
	free(p);
}

static void *
wk_main(void *arg)
{
	struct worker   *w = arg;
	struct wk_batch *b;
	struct wk_pkt    it;
	size_t           off;

	for (;;) {
		pthread_mutex_lock(&w->lock);
		while (w->full == NULL && !w->end)
			pthread_cond_wait(&w->more, &w->lock);
		if ((b = w->full) == NULL) {
			pthread_mutex_unlock(&w->lock);
			break;
		}
		if ((w->full = b->next) == NULL)
			w->full_tail = NULL;
		pthread_mutex_unlock(&w->lock);
		for (off = 0; off < b->used; off += sizeof it + it.pkt.caplen) {
			memcpy(&it, b->data + off, sizeof it);
			it.pkt.payload = b->data + off + sizeof it;
			w->opens = it.opens;
			flow_input_hashed(w->ft, &it.pkt, it.hash);
		}
		pthread_mutex_lock(&w->lock);
		if (b->cap == WK_BATCH) {
			b->next = w->spare;
			w->spare = b;
		} else
			free(b);
		w->out--;
		pthread_cond_signal(&w->room);
		pthread_mutex_unlock(&w->lock);
	}
	flow_finish(w->ft);
	return NULL;
}

/*
 * flow_id_fn of a worker's table: the id its mirror gave the packet. The
 * two tables open a connection at the same packets.
 */
static uint64_t
wk_id(void *arg, uint64_t first)
{
	struct worker *w = arg;
	uint64_t       id = w->opens;

	(void)first;
	w->opens = 0;
	return id;
}

/* flow_id_fn of a mirror, on the reader's thread: the next id. */
static uint64_t
wk_mirror_id(void *arg, uint64_t first)
{
	struct workers *p = arg;

	(void)first;
	return p->opens = ++p->ids;
}

/* The reader's batch for w goes to w's queue. */
static void
wk_hand(struct worker *w)
{
	struct wk_batch *b = w->cur;

	if (b == NULL)
		return;
	w->cur = NULL;
	pthread_mutex_lock(&w->lock);
	b->next = NULL;
	if (w->full_tail != NULL)
		w->full_tail->next = b;
	else
		w->full = b;
	w->full_tail = b;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

/* A batch for w to fill with at least need bytes, once w has room. */
static struct wk_batch *
wk_batch(struct worker *w, size_t need)
{
	struct wk_batch *b;
	size_t           cap = need > WK_BATCH ? need : WK_BATCH;

	pthread_mutex_lock(&w->lock);
	while (w->out >= WK_BATCHES)
		pthread_cond_wait(&w->room, &w->lock);
	w->out++;
	if (cap == WK_BATCH && (b = w->spare) != NULL)
		w->spare = b->next;
	else
		b = xmalloc(sizeof *b + cap);
	pthread_mutex_unlock(&w->lock);
	b->next = NULL;
	b->used = 0;
	b->cap = cap;
	return b;
}

static void
wk_frame(void *ctx, uint64_t id, int role, const struct ws_frame *f)
{
	struct workers *p = ctx;

	pthread_mutex_lock(&p->sink_lock);
	p->an->sink->frame(p->an->sink_ctx, id, role, f);
	pthread_mutex_unlock(&p->sink_lock);
}

static void
wk_message(void *ctx, uint64_t id, int role, const struct ws_message *m)
{
	struct workers *p = ctx;

	pthread_mutex_lock(&p->sink_lock);
	p->an->sink->message(p->an->sink_ctx, id, role, m);
	pthread_mutex_unlock(&p->sink_lock);
}

static void
wk_finding(void *ctx, const struct finding *f)
{
	struct workers *p = ctx;

	pthread_mutex_lock(&p->sink_lock);
	p->an->sink->finding(p->an->sink_ctx, f);
	pthread_mutex_unlock(&p->sink_lock);
}

static void
wk_update(void *ctx, const struct finding *f)
{
	struct workers *p = ctx;

	pthread_mutex_lock(&p->sink_lock);
	p->an->sink->finding_update(p->an->sink_ctx, f);
	pthread_mutex_unlock(&p->sink_lock);
}

static void
wk_conn_end(void *ctx, const struct conn_summary *cs)
{
	struct workers *p = ctx;

	pthread_mutex_lock(&p->sink_lock);
	p->an->sink->conn_end(p->an->sink_ctx, cs);
	pthread_mutex_unlock(&p->sink_lock);
}
