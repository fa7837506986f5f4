/*
 * workers: one reader, N decode threads, one sink (see workers.h).
 *
 * Handing over. The reader fills one batch per worker; a full batch goes
 * to its worker's queue (at most WK_BATCHES per worker are out, so memory
 * is bounded by N * WK_BATCHES * WK_BATCH). "pos" says that every packet
 * up to it has been handed over; a worker's "sent" is the last packet
 * handed to it and its "done" the last it decoded.
 *
 * Ids. A worker whose table opens a connection at packet g waits until
 * every other worker is past g - 1: done past it, or done with all it was
 * given when everything up to g - 1 was handed over (pos). Then it takes
 * the next id. A worker that waits is counted in "waiters": the reader
 * then hands over its partial batches at once, and workers moving on
 * wake it. No cycle: the waiter with the smallest g is never kept.
 */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analysis-int.h"
#include "session.h"
#include "size-limits.h"
#include "workers.h"

#define WK_BATCH   (64u << 10)  /* bytes of packets handed over at once */
#define WK_BATCHES 16           /* batches out per worker */

struct wk_batch {
	struct wk_batch *next;
	size_t           used, cap;
	uint64_t         last;    /* ordinal of its last packet */
	uint8_t          data[];  /* struct packet, then its payload; again */
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
	uint64_t               cur_first;
	atomic_uint_fast64_t   sent;
	atomic_uint_fast64_t   done;
};

struct workers {
	struct analysis       *an;
	unsigned               n;
	struct worker         *w;
	atomic_uint_fast64_t   pos;
	uint64_t               last;     /* the reader's last packet */
	atomic_uint_fast64_t   next_id;
	atomic_uint_fast64_t   slots;
	atomic_int             waiters;
	pthread_mutex_t        wait_lock;
	pthread_cond_t         moved;
	pthread_mutex_t        sink_lock;
	struct sink_ops        sink;     /* the analysis's, one worker at a time */
};

static void    *wk_main(void *);
static uint64_t wk_id(void *, uint64_t);
static uint64_t wk_progress(struct workers *, struct worker *);
static void     wk_moved(struct workers *);
static void     wk_hand(struct workers *, struct worker *);
static void     wk_hand_all(struct workers *);
static void     wk_pos(struct workers *);
static struct wk_batch *wk_batch(struct workers *, struct worker *, size_t);
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
	atomic_init(&p->pos, 0);
	atomic_init(&p->next_id, 1);
	atomic_init(&p->slots, 0);
	atomic_init(&p->waiters, 0);
	pthread_mutex_init(&p->wait_lock, NULL);
	pthread_cond_init(&p->moved, NULL);
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
		atomic_init(&w->sent, 0);
		atomic_init(&w->done, 0);
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

/* The worker of a hash: its high bits (a shard is its remainder). */
void
workers_input(void *arg, const struct packet *pkt)
{
	struct workers *p = arg;
	struct worker  *w;
	uint32_t        h = flow_hash(pkt);
	size_t          need = sizeof *pkt + pkt->caplen;
	struct packet   copy;

	if (!flow_in_shard(&p->an->opts.flow, h))
		return;
	w = &p->w[((uint64_t)h * p->n) >> 32];
	if (w->cur != NULL && w->cur->used + need > w->cur->cap)
		wk_hand(p, w);
	if (w->cur == NULL) {
		w->cur = wk_batch(p, w, need);
		w->cur_first = pkt->number;
	}
	copy = *pkt;
	copy.payload = NULL;
	memcpy(w->cur->data + w->cur->used, &copy, sizeof copy);
	if (pkt->caplen > 0)
		memcpy(w->cur->data + w->cur->used + sizeof copy, pkt->payload,
		    pkt->caplen);
	w->cur->used += need;
	w->cur->last = pkt->number;
	p->last = pkt->number;
	/* A worker waits for another: what the others need goes now. */
	if (atomic_load_explicit(&p->waiters, memory_order_relaxed) > 0)
		wk_hand_all(p);
}

uint64_t
workers_connections(struct workers *p)
{
	return atomic_load(&p->next_id) - 1;
}

void
workers_finish(struct workers *p, struct capture_summary *sum,
    struct flow_stats *fs)
{
	struct worker           *w;
	const struct flow_stats *ws;
	struct wk_batch         *b;
	unsigned                 i, k;

	wk_hand_all(p);
	/* Nothing more comes: every packet is handed over. */
	atomic_store(&p->pos, UINT64_MAX);
	wk_moved(p);
	for (i = 0; i < p->n; i++) {
		w = &p->w[i];
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
	pthread_mutex_destroy(&p->wait_lock);
	pthread_cond_destroy(&p->moved);
	pthread_mutex_destroy(&p->sink_lock);
	free(p->w);
	free(p);
}

static void *
wk_main(void *arg)
{
	struct worker   *w = arg;
	struct workers  *p = w->pool;
	struct wk_batch *b;
	struct packet    pkt;
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
		for (off = 0; off < b->used; off += sizeof pkt + pkt.caplen) {
			memcpy(&pkt, b->data + off, sizeof pkt);
			pkt.payload = b->data + off + sizeof pkt;
			flow_input(w->ft, &pkt);
			atomic_store(&w->done, pkt.number);
			if (atomic_load(&p->waiters) > 0)
				wk_moved(p);
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

/* Where worker w has surely got to: no connection opens there at or before. */
static uint64_t
wk_progress(struct workers *p, struct worker *w)
{
	uint64_t pos = atomic_load(&p->pos);
	uint64_t sent = atomic_load(&w->sent);
	uint64_t done = atomic_load(&w->done);

	return done >= sent ? pos : done;
}

static void
wk_moved(struct workers *p)
{
	pthread_mutex_lock(&p->wait_lock);
	pthread_cond_broadcast(&p->moved);
	pthread_mutex_unlock(&p->wait_lock);
}

/* flow_id_fn: the next id, once every connection opened before is. */
static uint64_t
wk_id(void *arg, uint64_t first)
{
	struct worker  *me = arg;
	struct workers *p = me->pool;
	struct timespec ts;
	unsigned        i;

	/* Its own packets before this one are done: others may count on it. */
	atomic_store(&me->done, first - 1);
	for (i = 0; i < p->n; i++) {
		if (&p->w[i] == me || wk_progress(p, &p->w[i]) >= first - 1)
			continue;
		atomic_fetch_add(&p->waiters, 1);
		pthread_mutex_lock(&p->wait_lock);
		while (wk_progress(p, &p->w[i]) < first - 1) {
			/* A wake lost to a race costs a millisecond. */
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			(void)pthread_cond_timedwait(&p->moved, &p->wait_lock,
			    &ts);
		}
		pthread_mutex_unlock(&p->wait_lock);
		atomic_fetch_sub(&p->waiters, 1);
	}
	return atomic_fetch_add(&p->next_id, 1);
}

/* The reader's batch for w goes to w's queue. */
static void
wk_hand(struct workers *p, struct worker *w)
{
	struct wk_batch *b = w->cur;

	if (b == NULL)
		return;
	w->cur = NULL;
	w->cur_first = 0;
	pthread_mutex_lock(&w->lock);
	b->next = NULL;
	if (w->full_tail != NULL)
		w->full_tail->next = b;
	else
		w->full = b;
	w->full_tail = b;
	atomic_store(&w->sent, b->last);
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
	wk_pos(p);
	if (atomic_load(&p->waiters) > 0)
		wk_moved(p);
}

static void
wk_hand_all(struct workers *p)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		wk_hand(p, &p->w[i]);
	wk_pos(p);
}

/* Everything before the first packet still in a batch being filled. */
static void
wk_pos(struct workers *p)
{
	uint64_t pos = p->last;
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (p->w[i].cur != NULL && p->w[i].cur_first - 1 < pos)
			pos = p->w[i].cur_first - 1;
	atomic_store(&p->pos, pos);
}

/*
 * A batch for w to fill with at least need bytes. When w has all its
 * batches out, the others' partial ones are handed over first: w may be
 * waiting for one of them to move.
 */
static struct wk_batch *
wk_batch(struct workers *p, struct worker *w, size_t need)
{
	struct wk_batch *b;
	size_t           cap = need > WK_BATCH ? need : WK_BATCH;

	pthread_mutex_lock(&w->lock);
	if (w->out >= WK_BATCHES) {
		pthread_mutex_unlock(&w->lock);
		wk_hand_all(p);
		pthread_mutex_lock(&w->lock);
		while (w->out >= WK_BATCHES)
			pthread_cond_wait(&w->room, &w->lock);
	}
	w->out++;
	if (cap == WK_BATCH && (b = w->spare) != NULL)
		w->spare = b->next;
	else
		b = xmalloc(sizeof *b + cap);
	pthread_mutex_unlock(&w->lock);
	b->next = NULL;
	b->used = 0;
	b->cap = cap;
	b->last = 0;
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
