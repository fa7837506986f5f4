/*
 * sink-async: every event reaches the inner sink once, in order, with its
 * bytes intact, across ring wraps, oversized events and capture bounds.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "recorder.h"
#include "sink-async.h"

struct seen {
	uint64_t n;            /* events in order */
	uint64_t bad;          /* events out of order or damaged */
	uint64_t bytes;
};

static struct seen S;
static size_t      big_every; /* every big_every-th frame carries 1 MiB */

#define BIG (1u << 20)

/*
 * Event k carries k in its fields and a prefix of k % 3000 bytes (1 MiB
 * for the big ones), each byte k & 255.
 */
static int
check_bytes(const uint8_t *p, size_t n, uint64_t k)
{
	size_t i;

	if (n != (big_every && k % big_every == 0 && k % 4 == 0 ? BIG :
	    k % 3000))
		return 0;
	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)k)
			return 0;
	return 1;
}

static void
in_frame(void *arg, const struct rec_event *e)
{
	const struct ws_frame *f = e->body;
	size_t                 i;

	(void)arg;

	if (e->conn != S.n || e->sender != (int)(S.n & 1) || f->index != S.n ||
	    !check_bytes(f->prefix, f->prefix_len, S.n))
		S.bad++;
	/* A close reason travels beside the prefix: half of it, the same bytes. */
	if (f->close_reason == NULL || f->close_reason_len != f->prefix_len / 2)
		S.bad++;
	else
		for (i = 0; i < f->close_reason_len; i++)
			if (f->close_reason[i] != (uint8_t)S.n)
				S.bad++;
	S.bytes += f->prefix_len;
	S.n++;
}

static void
in_message(void *arg, const struct rec_event *e)
{
	const struct ws_message *m = e->body;

	(void)arg;
	if (e->conn != S.n || m->id != S.n ||
	    !check_bytes(m->prefix, m->prefix_len, S.n))
		S.bad++;
	S.n++;
}

static void
in_finding(void *arg, const struct rec_event *e)
{
	const struct finding *f = e->body;

	(void)arg;
	if (f->conn_id != S.n || f->rule != RULE_RESERVED_OPCODE)
		S.bad++;
	S.n++;
}

static void
in_conn(void *arg, const struct rec_event *e)
{
	const struct conn_summary *cs = e->body;

	(void)arg;
	if (cs->id != S.n || cs->request == NULL ||
	    strcmp(cs->request->host, "example.com") != 0 ||
	    cs->response != NULL || cs->handshake == NULL ||
	    cs->handshake->nissues != 3)
		S.bad++;
	S.n++;
}

static void
in_end(void *arg, const struct rec_event *e)
{
	const struct capture_summary *cs = e->body;

	(void)arg;
	/* Everything queued before the end is delivered before it. */
	if (S.n != cs->frames)
		S.bad++;
}

/* The inner sink: a recorder that hands each event to these checks. */
static recorder_fn *const in_watch[REC_KINDS] = {
	[REC_FRAME] = in_frame,
	[REC_MESSAGE] = in_message,
	[REC_FINDING] = in_finding,
	[REC_CONN_END] = in_conn,
	[REC_CAPTURE_END] = in_end
};

static void
send_events(struct sink_async *a, uint64_t count)
{
	static uint8_t       buf[BIG];
	struct ws_frame      f;
	struct ws_message    m;
	struct finding       fi;
	struct conn_summary  cs;
	struct http_head     req;
	struct hs_result     hs;
	uint64_t             k;
	size_t               n;

	memset(&req, 0, sizeof req);
	strcpy(req.host, "example.com");
	memset(&hs, 0, sizeof hs);
	hs.nissues = 3;
	for (k = 0; k < count; k++) {
		n = k % 3000;
		memset(buf, (int)(uint8_t)k, n);
		switch (k % 4) {
		case 0:
			memset(&f, 0, sizeof f);
			f.index = k;
			f.prefix = buf;
			f.prefix_len = n;
			if (big_every && k % big_every == 0) {
				/* Larger than half the ring: passed straight. */
				f.prefix_len = n = BIG;
				memset(buf, (int)(uint8_t)k, n);
			}
			f.close_reason = buf;
			f.close_reason_len = n / 2;
			sink_async_ops.frame(a, k, (int)(k & 1), &f);
			break;
		case 1:
			memset(&m, 0, sizeof m);
			m.id = k;
			m.prefix = buf;
			m.prefix_len = n;
			sink_async_ops.message(a, k, 0, &m);
			break;
		case 2:
			memset(&fi, 0, sizeof fi);
			fi.conn_id = k;
			fi.rule = RULE_RESERVED_OPCODE;
			sink_async_ops.finding(a, &fi);
			break;
		default:
			memset(&cs, 0, sizeof cs);
			cs.id = k;
			cs.request = &req;
			cs.handshake = &hs;
			sink_async_ops.conn_end(a, &cs);
			break;
		}
	}
}

static void
test_order_and_bytes(void **state)
{
	struct sink_async     *a;
	struct recorder       *in;
	struct capture_info    ci;
	struct capture_summary sum;

	(void)state;
	memset(&S, 0, sizeof S);
	big_every = 0;
	in = recorder_new(in_watch, NULL);
	/* A small ring: it wraps many times. */
	a = sink_async_new(&recorder_sink_ops, in, 65536);
	memset(&ci, 0, sizeof ci);
	assert_int_equal(sink_async_ops.capture_begin(a, &ci), 0);
	send_events(a, 20000);
	memset(&sum, 0, sizeof sum);
	sum.frames = 20000;
	assert_int_equal(sink_async_ops.capture_end(a, &sum), 0);
	sink_async_free(a);
	assert_int_equal(recorder_count(in, REC_CAPTURE_BEGIN), 1);
	assert_int_equal(recorder_count(in, REC_CAPTURE_END), 1);
	assert_int_equal(S.n, 20000);
	assert_int_equal(S.bad, 0);
	recorder_free(in);
}

static void
test_oversized(void **state)
{
	struct sink_async     *a;
	struct recorder       *in;
	struct capture_summary sum;

	(void)state;
	memset(&S, 0, sizeof S);
	big_every = 100;
	in = recorder_new(in_watch, NULL);
	a = sink_async_new(&recorder_sink_ops, in, 65536);
	/* Every 100th frame carries 1 MiB, more than the ring holds. */
	send_events(a, 2000);
	memset(&sum, 0, sizeof sum);
	sum.frames = 2000;
	assert_int_equal(sink_async_ops.capture_end(a, &sum), 0);
	sink_async_free(a);
	assert_int_equal(S.n, 2000);
	assert_int_equal(S.bad, 0);
	assert_true(S.bytes >= 20 * (uint64_t)BIG);
	recorder_free(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_bytes),
		cmocka_unit_test(test_oversized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
