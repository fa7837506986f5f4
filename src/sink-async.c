/*
 * sink-async: a writer thread behind a bounded ring of copied events.
 *
 * One producer (the analysis) and one consumer (the writer). A record is
 * a header and the event's bytes, with the variable parts (payload
 * prefixes, HTTP heads) copied after the struct and pointed at again on
 * the way out. Records never straddle the ring's end: a producer that
 * does not fit before the end skips to the start, leaving a wrap mark.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sink-async.h"

enum rec_type {
	REC_WRAP, REC_FRAME, REC_MESSAGE, REC_FINDING, REC_UPDATE, REC_CONN
};

struct rec {
	uint32_t type;
	uint32_t len;      /* whole record, header included, 16-aligned */
	uint64_t conn;
	int32_t  sender;
	uint32_t pad;
	uint64_t pad2;     /* keeps the header, so the event, 16-aligned */
};

struct sink_async {
	const struct sink_ops *ops;
	void                  *inner;
	uint8_t               *ring;
	size_t                 size;
	size_t                 head;   /* next record to consume */
	size_t                 tail;   /* where the next record goes */
	size_t                 used;   /* bytes between head and tail */
	int                    busy;   /* the writer is inside a batch */
	int                    quit;
	int                    asleep; /* the writer waits on more */
	pthread_t              thread;
	pthread_mutex_t        lock;
	pthread_cond_t         more;   /* records were added, or quit */
	pthread_cond_t         room;   /* records were consumed */
};

/*
 * The writer is woken when a batch is worth it (a quarter of the ring),
 * when the producer waits for room or for the writer to finish, and
 * otherwise looks by itself every ASYNC_NAP_MS. One wake per record cost
 * the producer a futex call per frame.
 */
#define ASYNC_NAP_MS 20

static void *async_main(void *);
static void  async_drain(struct sink_async *);
static void *async_reserve(struct sink_async *, size_t);
static void  async_commit(struct sink_async *);
static void  async_deliver(struct sink_async *, struct rec *);
static int   async_capture_begin(void *, const struct capture_info *);
static void  async_frame(void *, uint64_t, int, const struct ws_frame *);
static void  async_message(void *, uint64_t, int, const struct ws_message *);
static void  async_finding(void *, const struct finding *);
static void  async_finding_update(void *, const struct finding *);
static void  async_finding_rec(struct sink_async *, const struct finding *,
    enum rec_type, void (*)(void *, const struct finding *));
static void  async_conn_end(void *, const struct conn_summary *);
static void  async_limits_row(void *, const struct limits_row *);
static int   async_capture_end(void *, const struct capture_summary *);

const struct sink_ops sink_async_ops = {
	.capture_begin = async_capture_begin,
	.frame = async_frame,
	.message = async_message,
	.finding = async_finding,
	.conn_end = async_conn_end,
	.capture_end = async_capture_end,
	.finding_update = async_finding_update,
	.limits_row = async_limits_row,
};

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

struct sink_async *
sink_async_new(const struct sink_ops *ops, void *inner, size_t ring)
{
	struct sink_async *a = xcalloc(1, sizeof *a);

	a->ops = ops;
	a->inner = inner;
	a->size = ALIGN16(ring < 65536 ? 65536 : ring);
	a->ring = xmalloc(a->size);
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->more, NULL);
	pthread_cond_init(&a->room, NULL);
	if (pthread_create(&a->thread, NULL, async_main, a) != 0) {
		wsa_warn("cannot start the database writer thread");
		exit(EXIT_INPUT);
	}
	return a;
}

void
sink_async_free(struct sink_async *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->lock);
	a->quit = 1;
	pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->more);
	pthread_cond_destroy(&a->room);
	free(a->ring);
	free(a);
}

static void *
async_main(void *arg)
{
	struct sink_async *a = arg;
	struct rec        *r;
	struct timespec    ts;
	size_t             batch, done, head;

	pthread_mutex_lock(&a->lock);
	for (;;) {
		while (a->used == 0 && !a->quit) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += ASYNC_NAP_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			a->asleep = 1;
			(void)pthread_cond_timedwait(&a->more, &a->lock, &ts);
			a->asleep = 0;
		}
		if (a->used == 0)
			break;
		/* Everything committed so far, without the lock. */
		batch = a->used;
		head = a->head;
		a->busy = 1;
		pthread_mutex_unlock(&a->lock);
		for (done = 0; done < batch;) {
			r = (struct rec *)(a->ring + head);
			if (a->size - head < sizeof *r || r->type == REC_WRAP) {
				/* The producer skipped the ring's end. */
				done += a->size - head;
				head = 0;
				continue;
			}
			async_deliver(a, r);
			done += r->len;
			head += r->len;
			if (head == a->size)
				head = 0;
		}
		pthread_mutex_lock(&a->lock);
		a->busy = 0;
		a->used -= done;
		a->head = head;
		pthread_cond_broadcast(&a->room);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

/* Waits until the writer has consumed everything and is idle. */
static void
async_drain(struct sink_async *a)
{
	pthread_mutex_lock(&a->lock);
	while (a->used != 0 || a->busy) {
		pthread_cond_signal(&a->more);
		pthread_cond_wait(&a->room, &a->lock);
	}
	pthread_mutex_unlock(&a->lock);
}

/*
 * Space for a record of n bytes (16-aligned), or NULL when it is too large
 * for the ring: the caller then drains and calls the inner sink itself.
 * The space between tail and tail + n is the producer's until
 * async_commit: the writer reads no further than used.
 */
static void *
async_reserve(struct sink_async *a, size_t n)
{
	struct rec *w;
	void       *p;

	if (n > a->size / 2)
		return NULL;
	pthread_mutex_lock(&a->lock);
	for (;;) {
		if (a->size - a->tail < n) {
			/* Not before the end: mark the rest, start over. */
			if (a->size - a->used < (a->size - a->tail) + n) {
				pthread_cond_signal(&a->more);
				pthread_cond_wait(&a->room, &a->lock);
				continue;
			}
			if (a->size - a->tail >= sizeof *w) {
				w = (struct rec *)(a->ring + a->tail);
				w->type = REC_WRAP;
				w->len = 0;
			}
			a->used += a->size - a->tail;
			a->tail = 0;
			continue;
		}
		if (a->size - a->used >= n)
			break;
		pthread_cond_signal(&a->more);
		pthread_cond_wait(&a->room, &a->lock);
	}
	p = a->ring + a->tail;
	pthread_mutex_unlock(&a->lock);
	return p;
}

static void
async_commit(struct sink_async *a)
{
	struct rec *r = (struct rec *)(a->ring + a->tail);

	pthread_mutex_lock(&a->lock);
	a->tail += r->len;
	if (a->tail == a->size)
		a->tail = 0;
	a->used += r->len;
	if (a->asleep && a->used >= a->size / 4)
		pthread_cond_signal(&a->more);
	pthread_mutex_unlock(&a->lock);
}

static void
async_deliver(struct sink_async *a, struct rec *r)
{
	uint8_t              *p = (uint8_t *)(r + 1);
	struct ws_frame      *f;
	struct ws_message    *m;
	struct conn_summary  *cs;

	switch (r->type) {
	case REC_FRAME:
		f = (struct ws_frame *)p;
		p += ALIGN16(sizeof *f);
		f->prefix = f->prefix_len ? p : NULL;
		p += ALIGN16(f->prefix_len);
		f->close_reason = f->close_reason != NULL ? p : NULL;
		p += ALIGN16(f->close_reason_len);
		if (f->packets != NULL)
			f->packets = (const char *)p;
		p += ALIGN16(f->packets != NULL ? strlen(f->packets) + 1 : 0);
		if (f->tls_records != NULL)
			f->tls_records = (const char *)p;
		a->ops->frame(a->inner, r->conn, r->sender, f);
		break;
	case REC_MESSAGE:
		m = (struct ws_message *)p;
		m->prefix = m->prefix_len ? p + ALIGN16(sizeof *m) : NULL;
		a->ops->message(a->inner, r->conn, r->sender, m);
		break;
	case REC_FINDING:
		a->ops->finding(a->inner, (struct finding *)p);
		break;
	case REC_UPDATE:
		a->ops->finding_update(a->inner, (struct finding *)p);
		break;
	case REC_CONN:
		cs = (struct conn_summary *)p;
		p += ALIGN16(sizeof *cs);
		if (cs->request != NULL) {
			cs->request = (struct http_head *)p;
			p += ALIGN16(sizeof *cs->request);
		}
		if (cs->response != NULL) {
			cs->response = (struct http_head *)p;
			p += ALIGN16(sizeof *cs->response);
		}
		if (cs->handshake != NULL)
			cs->handshake = (struct hs_result *)p;
		a->ops->conn_end(a->inner, cs);
		break;
	}
}

static int
async_capture_begin(void *ctx, const struct capture_info *ci)
{
	struct sink_async *a = ctx;

	async_drain(a);
	return a->ops->capture_begin != NULL ?
	    a->ops->capture_begin(a->inner, ci) : 0;
}

static int
async_capture_end(void *ctx, const struct capture_summary *cs)
{
	struct sink_async *a = ctx;

	async_drain(a);
	return a->ops->capture_end != NULL ?
	    a->ops->capture_end(a->inner, cs) : 0;
}

static void
async_frame(void *ctx, uint64_t conn, int sender, const struct ws_frame *f)
{
	struct sink_async *a = ctx;
	size_t             pl = f->packets != NULL ? strlen(f->packets) + 1 : 0;
	size_t             tl = f->tls_records != NULL ?
	    strlen(f->tls_records) + 1 : 0;
	size_t             n = sizeof(struct rec) + ALIGN16(sizeof *f) +
	    ALIGN16(f->prefix_len) + ALIGN16(f->close_reason_len) +
	    ALIGN16(pl) + ALIGN16(tl);
	struct rec        *r;
	uint8_t           *p;

	if (a->ops->frame == NULL)
		return;
	if ((r = async_reserve(a, n)) == NULL) {
		async_drain(a);
		a->ops->frame(a->inner, conn, sender, f);
		return;
	}
	r->type = REC_FRAME;
	r->len = (uint32_t)n;
	r->conn = conn;
	r->sender = sender;
	p = (uint8_t *)(r + 1);
	memcpy(p, f, sizeof *f);
	p += ALIGN16(sizeof *f);
	if (f->prefix_len)
		memcpy(p, f->prefix, f->prefix_len);
	p += ALIGN16(f->prefix_len);
	if (f->close_reason_len)
		memcpy(p, f->close_reason, f->close_reason_len);
	p += ALIGN16(f->close_reason_len);
	if (pl)
		memcpy(p, f->packets, pl);
	p += ALIGN16(pl);
	if (tl)
		memcpy(p, f->tls_records, tl);
	async_commit(a);
}

static void
async_message(void *ctx, uint64_t conn, int sender,
    const struct ws_message *m)
{
	struct sink_async *a = ctx;
	size_t             n = sizeof(struct rec) + ALIGN16(sizeof *m) +
	    ALIGN16(m->prefix_len);
	struct rec        *r;
	uint8_t           *p;

	if (a->ops->message == NULL)
		return;
	if ((r = async_reserve(a, n)) == NULL) {
		async_drain(a);
		a->ops->message(a->inner, conn, sender, m);
		return;
	}
	r->type = REC_MESSAGE;
	r->len = (uint32_t)n;
	r->conn = conn;
	r->sender = sender;
	p = (uint8_t *)(r + 1);
	memcpy(p, m, sizeof *m);
	if (m->prefix_len)
		memcpy(p + ALIGN16(sizeof *m), m->prefix, m->prefix_len);
	async_commit(a);
}

static void
async_finding(void *ctx, const struct finding *fi)
{
	struct sink_async *a = ctx;

	async_finding_rec(a, fi, REC_FINDING, a->ops->finding);
}

static void
async_finding_update(void *ctx, const struct finding *fi)
{
	struct sink_async *a = ctx;

	async_finding_rec(a, fi, REC_UPDATE, a->ops->finding_update);
}

static void
async_finding_rec(struct sink_async *a, const struct finding *fi,
    enum rec_type type, void (*op)(void *, const struct finding *))
{
	size_t      n = sizeof(struct rec) + ALIGN16(sizeof *fi);
	struct rec *r;

	/* Its strings are static (rule table, literals): copied as is. */
	if (op == NULL)
		return;
	if ((r = async_reserve(a, n)) == NULL) {
		async_drain(a);
		op(a->inner, fi);
		return;
	}
	r->type = type;
	r->len = (uint32_t)n;
	memcpy(r + 1, fi, sizeof *fi);
	async_commit(a);
}

static void
async_conn_end(void *ctx, const struct conn_summary *cs)
{
	struct sink_async *a = ctx;
	size_t             n = sizeof(struct rec) + ALIGN16(sizeof *cs);
	struct rec        *r;
	uint8_t           *p;

	if (a->ops->conn_end == NULL)
		return;
	if (cs->request != NULL)
		n += ALIGN16(sizeof *cs->request);
	if (cs->response != NULL)
		n += ALIGN16(sizeof *cs->response);
	if (cs->handshake != NULL)
		n += ALIGN16(sizeof *cs->handshake);
	if ((r = async_reserve(a, n)) == NULL) {
		async_drain(a);
		a->ops->conn_end(a->inner, cs);
		return;
	}
	r->type = REC_CONN;
	r->len = (uint32_t)n;
	p = (uint8_t *)(r + 1);
	memcpy(p, cs, sizeof *cs);
	p += ALIGN16(sizeof *cs);
	if (cs->request != NULL) {
		memcpy(p, cs->request, sizeof *cs->request);
		p += ALIGN16(sizeof *cs->request);
	}
	if (cs->response != NULL) {
		memcpy(p, cs->response, sizeof *cs->response);
		p += ALIGN16(sizeof *cs->response);
	}
	if (cs->handshake != NULL)
		memcpy(p, cs->handshake, sizeof *cs->handshake);
	async_commit(a);
}

/* A few rows at the capture's end: written in turn, not queued. */
static void
async_limits_row(void *ctx, const struct limits_row *row)
{
	struct sink_async *a = ctx;

	if (a->ops->limits_row == NULL)
		return;
	async_drain(a);
	a->ops->limits_row(a->inner, row);
}
