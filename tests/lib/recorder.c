/*
 * recorder: one stream of sink events, checked for order, kept or handed on.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recorder.h"
#include "wsautopsy.h"

struct recorder {
	recorder_fn *const *watch;
	void               *arg;
	uint64_t            seq;
	size_t              count[REC_KINDS];
	struct rec_event   *kept[REC_KINDS];
	size_t              cap[REC_KINDS];
	void              **copies;        /* what kept events point to */
	size_t              ncopies, capcopies;
	uint8_t            *ended;         /* a bit per connection id */
	uint64_t            ended_cap;     /* bits in ended */
	int                 over;          /* capture_end came */
	char                error[160];
};

static int   recorder_capture_begin(void *, const struct capture_info *);
static void  recorder_frame(void *, uint64_t, int, const struct ws_frame *);
static void  recorder_message(void *, uint64_t, int,
		 const struct ws_message *);
static void  recorder_finding(void *, const struct finding *);
static void  recorder_finding_update(void *, const struct finding *);
static void  recorder_conn_end(void *, const struct conn_summary *);
static int   recorder_capture_end(void *, const struct capture_summary *);
static void  recorder_bad(struct recorder *, const char *, uint64_t);
static int   recorder_has_ended(const struct recorder *, uint64_t);
static void  recorder_order(struct recorder *, const struct rec_event *);
static void *recorder_add(struct recorder *, struct rec_event *, size_t);
static void *recorder_copy(struct recorder *, const void *, size_t);
static char *recorder_str(struct recorder *, const char *);

const struct sink_ops recorder_sink_ops = {
	recorder_capture_begin, recorder_frame, recorder_message,
	recorder_finding, recorder_conn_end, recorder_capture_end,
	recorder_finding_update,
	NULL    /* limits_row: the bounds pass's evidence is not recorded */
};

struct recorder *
recorder_new(recorder_fn *const *watch, void *arg)
{
	struct recorder *r = xcalloc(1, sizeof *r);

	r->watch = watch;
	r->arg = arg;
	return r;
}

void
recorder_free(struct recorder *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->ncopies; i++)
		free(r->copies[i]);
	for (i = 0; i < REC_KINDS; i++)
		free(r->kept[i]);
	free(r->copies);
	free(r->ended);
	free(r);
}

size_t
recorder_count(const struct recorder *r, enum rec_kind kind)
{
	return r->count[kind];
}

const struct rec_event *
recorder_get(const struct recorder *r, enum rec_kind kind, size_t i)
{
	if (r->watch != NULL || i >= r->count[kind])
		return NULL;
	return &r->kept[kind][i];
}

const char *
recorder_order_error(const struct recorder *r)
{
	return r->error[0] != '\0' ? r->error : NULL;
}

/* The first error wins: later ones often follow from it. */
static void
recorder_bad(struct recorder *r, const char *what, uint64_t conn)
{
	if (r->error[0] == '\0')
		snprintf(r->error, sizeof r->error, "event %" PRIu64
		    " (connection %" PRIu64 "): %s", r->seq, conn, what);
}

static int
recorder_has_ended(const struct recorder *r, uint64_t conn)
{
	return conn < r->ended_cap && (r->ended[conn / 8] >> conn % 8 & 1);
}

/*
 * sink.h: capture_begin first; a connection's events before its one
 * conn_end; capture_end last.
 */
static void
recorder_order(struct recorder *r, const struct rec_event *ev)
{
	uint64_t cap;

	if (r->over)
		recorder_bad(r, "after capture_end", ev->conn);
	else if (ev->kind == REC_CAPTURE_BEGIN && r->seq != 0)
		recorder_bad(r, "capture_begin is not the first event", 0);
	else if (ev->kind != REC_CAPTURE_BEGIN &&
	    r->count[REC_CAPTURE_BEGIN] == 0)
		recorder_bad(r, "before capture_begin", ev->conn);
	if (ev->conn == 0)
		return;
	if (recorder_has_ended(r, ev->conn))
		recorder_bad(r, "after the connection's conn_end", ev->conn);
	if (ev->kind != REC_CONN_END)
		return;
	if (ev->conn >= r->ended_cap) {
		cap = (ev->conn / 8 + 1) * 16;
		r->ended = xrealloc(r->ended, (size_t)cap / 8);
		memset(r->ended + r->ended_cap / 8, 0,
		    (size_t)(cap - r->ended_cap) / 8);
		r->ended_cap = cap;
	}
	r->ended[ev->conn / 8] |= (uint8_t)(1 << ev->conn % 8);
}

/* A copy that lives as long as the recorder. */
static void *
recorder_copy(struct recorder *r, const void *p, size_t n)
{
	void *q;

	if (p == NULL)
		return NULL;
	q = xmalloc(n > 0 ? n : 1);
	if (n > 0)
		memcpy(q, p, n);
	if (r->ncopies == r->capcopies) {
		r->capcopies = r->capcopies * 2 + 64;
		r->copies = xrealloc(r->copies, r->capcopies *
		    sizeof *r->copies);
	}
	r->copies[r->ncopies++] = q;
	return q;
}

static char *
recorder_str(struct recorder *r, const char *s)
{
	return s != NULL ? recorder_copy(r, s, strlen(s) + 1) : NULL;
}

/*
 * Checks an event's place, then hands it to its watcher, or keeps it with
 * a copy of its size-byte body. Returns that copy, for the caller to copy
 * what it points to; NULL when the event is not kept.
 */
static void *
recorder_add(struct recorder *r, struct rec_event *ev, size_t size)
{
	enum rec_kind k = ev->kind;
	void         *body;

	ev->seq = r->seq;
	recorder_order(r, ev);
	r->seq++;
	if (r->watch != NULL) {
		r->count[k]++;
		if (r->watch[k] != NULL)
			r->watch[k](r->arg, ev);
		return NULL;
	}
	if (r->count[k] == r->cap[k]) {
		r->cap[k] = r->cap[k] * 2 + 16;
		r->kept[k] = xrealloc(r->kept[k], r->cap[k] *
		    sizeof *r->kept[k]);
	}
	ev->body = body = recorder_copy(r, ev->body, size);
	r->kept[k][r->count[k]++] = *ev;
	return body;
}

static int
recorder_capture_begin(void *arg, const struct capture_info *ci)
{
	struct rec_event     ev = { REC_CAPTURE_BEGIN, 0, 0, -1, ci };
	struct capture_info *c;

	if ((c = recorder_add(arg, &ev, sizeof *ci)) != NULL) {
		c->path = recorder_str(arg, ci->path);
		c->name = recorder_str(arg, ci->name);
	}
	return 0;
}

static void
recorder_frame(void *arg, uint64_t conn, int sender, const struct ws_frame *f)
{
	struct rec_event ev = { REC_FRAME, 0, conn, sender, f };
	struct ws_frame *c;

	if ((c = recorder_add(arg, &ev, sizeof *f)) == NULL)
		return;
	c->prefix = recorder_copy(arg, f->prefix, f->prefix_len);
	c->close_reason = recorder_copy(arg, f->close_reason,
	    f->close_reason_len);
	c->packets = recorder_str(arg, f->packets);
}

static void
recorder_message(void *arg, uint64_t conn, int sender,
    const struct ws_message *m)
{
	struct rec_event   ev = { REC_MESSAGE, 0, conn, sender, m };
	struct ws_message *c;

	if ((c = recorder_add(arg, &ev, sizeof *m)) != NULL)
		c->prefix = recorder_copy(arg, m->prefix, m->prefix_len);
}

/* class, rule and offending_rule name static tables: kept as they are. */
static void
recorder_finding(void *arg, const struct finding *f)
{
	struct rec_event ev = { REC_FINDING, 0, f->conn_id, f->sender, f };

	recorder_add(arg, &ev, sizeof *f);
}

/*
 * After every conn_end, before capture_end (its event has no connection);
 * it names a finding sent earlier by its update_slot.
 */
static void
recorder_finding_update(void *arg, const struct finding *f)
{
	struct recorder *r = arg;
	struct rec_event ev = { REC_FINDING_UPDATE, 0, 0, f->sender, f };
	size_t           i;

	if (f->update_slot == 0 || !recorder_has_ended(r, f->conn_id))
		recorder_bad(r, "finding_update before its conn_end or without"
		    " a slot", f->conn_id);
	if (recorder_add(r, &ev, sizeof *f) == NULL)
		return;
	for (i = 0; i < r->count[REC_FINDING]; i++)
		if (((const struct finding *)r->kept[REC_FINDING][i].body)
		    ->update_slot == f->update_slot)
			break;
	if (i == r->count[REC_FINDING]) {
		recorder_bad(r, "finding_update of no finding", f->conn_id);
		return;
	}
	memcpy((void *)(uintptr_t)r->kept[REC_FINDING][i].body, f, sizeof *f);
}

/* extensions_state, verdict and tcp_end name static strings. */
static void
recorder_conn_end(void *arg, const struct conn_summary *s)
{
	struct rec_event     ev = { REC_CONN_END, 0, s->id, -1, s };
	struct conn_summary *c;

	if ((c = recorder_add(arg, &ev, sizeof *s)) == NULL)
		return;
	c->request = recorder_copy(arg, s->request, sizeof *s->request);
	c->response = recorder_copy(arg, s->response, sizeof *s->response);
	c->handshake = recorder_copy(arg, s->handshake, sizeof *s->handshake);
}

static int
recorder_capture_end(void *arg, const struct capture_summary *sum)
{
	struct recorder *r = arg;
	struct rec_event ev = { REC_CAPTURE_END, 0, 0, -1, sum };

	if (sum->frames != r->count[REC_FRAME])
		recorder_bad(r, "capture_end counts other frames", 0);
	else if (sum->messages != r->count[REC_MESSAGE])
		recorder_bad(r, "capture_end counts other messages", 0);
	else if (sum->findings != r->count[REC_FINDING])
		recorder_bad(r, "capture_end counts other findings", 0);
	recorder_add(r, &ev, sizeof *sum);
	r->over = 1;
	return 0;
}
