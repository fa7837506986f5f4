/*
 * Pings and pongs: a pong answers the ping with its payload and every
 * older one waiting (RFC 6455 5.5.3), unsolicited pongs are counted,
 * round trips are measured, a ping is unanswered only once PING_WAIT_NS
 * went by, and a flood keeps PING_WAITING pings.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ping.h"

static struct wts
at_ms(int64_t ms)
{
	struct wts t = { 1000 + ms / 1000, (uint32_t)(ms % 1000) * 1000000 };

	return t;
}

static void
ping(struct ping_track *t, const char *p, uint64_t pkt, int64_t ms)
{
	ping_sent(t, strlen(p), (const uint8_t *)p, strlen(p), pkt, at_ms(ms));
}

static int
pong(struct ping_track *t, const char *p, int64_t ms)
{
	return ping_pong(t, strlen(p), (const uint8_t *)p, strlen(p),
	    at_ms(ms));
}

/* Each pong answers its own ping: three round trips, their median. */
static void
test_ping_matched(void **state)
{
	struct ping_track t;
	struct ping_stats st;

	(void)state;
	memset(&t, 0, sizeof t);
	ping(&t, "a", 10, 0);
	assert_int_equal(pong(&t, "a", 5), 1);
	ping(&t, "b", 12, 1000);
	assert_int_equal(pong(&t, "b", 1040), 1);
	ping(&t, "c", 14, 2000);
	assert_int_equal(pong(&t, "c", 2010), 1);
	ping_stats(&t, at_ms(10000), &st);
	assert_int_equal(st.pings, 3);
	assert_int_equal(st.answered, 3);
	assert_int_equal(st.unanswered, 0);
	assert_int_equal(st.pending, 0);
	assert_true(st.rtt_min_ms == 5.0);
	assert_true(st.rtt_median_ms == 10.0);
	assert_true(st.rtt_max_ms == 40.0);
	ping_free(&t);
}

/*
 * A pong for the latest ping answers the older ones as well; a pong that
 * matches none is unsolicited; the same payload twice matches the newest.
 */
static void
test_ping_latest_and_unsolicited(void **state)
{
	struct ping_track t;
	struct ping_stats st;

	(void)state;
	memset(&t, 0, sizeof t);
	assert_int_equal(pong(&t, "hb", 0), 0);
	ping(&t, "x", 1, 100);
	ping(&t, "y", 2, 200);
	ping(&t, "x", 3, 300);
	assert_int_equal(pong(&t, "x", 320), 1);
	assert_int_equal(pong(&t, "y", 330), 0);
	ping_stats(&t, at_ms(60000), &st);
	assert_int_equal(t.unsolicited, 2);
	assert_int_equal(st.answered, 3);
	assert_int_equal(st.unanswered, 0);
	assert_true(st.rtt_max_ms == 20.0);
	ping_free(&t);
}

/*
 * No pong: unanswered once the connection went on PING_WAIT_NS after
 * the ping, pending before; the first unanswered one is named.
 */
static void
test_ping_unanswered(void **state)
{
	struct ping_track t;
	struct ping_stats st;

	(void)state;
	memset(&t, 0, sizeof t);
	ping(&t, "1", 20, 0);
	ping(&t, "2", 30, 1000);
	ping(&t, "3", 40, 3000);
	ping_stats(&t, at_ms(3500), &st);
	assert_int_equal(st.pings, 3);
	assert_int_equal(st.unanswered, 2);
	assert_int_equal(st.pending, 1);
	assert_int_equal(st.first_unanswered_pkt, 20);
	assert_true(st.rtt_min_ms < 0 && st.rtt_median_ms < 0);
	ping_stats(&t, at_ms(1999), &st);
	assert_int_equal(st.unanswered, 0);
	assert_int_equal(st.pending, 3);
	ping_free(&t);
}

/*
 * A flood: every ping is counted, PING_WAITING wait, the rest are pushed
 * out and judged together; round trips kept are bounded.
 */
static void
test_ping_flood(void **state)
{
	struct ping_track t;
	struct ping_stats st;
	char              p[16];
	int               i;

	(void)state;
	memset(&t, 0, sizeof t);
	for (i = 0; i < 100000; i++) {
		snprintf(p, sizeof p, "%d", i);
		ping(&t, p, (uint64_t)i + 1, i);
		if (i % 2 == 0)
			assert_int_equal(pong(&t, p, i), 1);
	}
	ping_stats(&t, at_ms(200000), &st);
	assert_int_equal(st.pings, 100000);
	assert_int_equal(t.nrtt, PING_RTT_KEEP);
	assert_int_equal(st.answered, 100000 - 1);
	assert_int_equal(st.unanswered, 1);
	ping_free(&t);
	memset(&t, 0, sizeof t);
	for (i = 0; i < 1000; i++) {
		snprintf(p, sizeof p, "%d", i);
		ping(&t, p, (uint64_t)i + 1, i);
	}
	assert_int_equal(t.nwait, PING_WAITING);
	assert_int_equal(t.pushed_out, 1000 - PING_WAITING);
	/* Pushed out, judged by the first of them. */
	ping_stats(&t, at_ms(200000), &st);
	assert_int_equal(st.unanswered, 1000);
	assert_int_equal(st.first_unanswered_pkt, 1);
	ping_stats(&t, at_ms(1500), &st);
	assert_int_equal(st.unanswered, 0);
	assert_int_equal(st.pending, 1000);
	/* A pong for a ping pushed out matches none. */
	assert_int_equal(pong(&t, "0", 200001), 0);
	/* One for a waiting ping answers every older one, pushed out or not. */
	assert_int_equal(pong(&t, "999", 200002), 1);
	ping_stats(&t, at_ms(300000), &st);
	assert_int_equal(st.answered, 1000);
	assert_int_equal(st.unanswered, 0);
	ping_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ping_matched),
		cmocka_unit_test(test_ping_latest_and_unsolicited),
		cmocka_unit_test(test_ping_unanswered),
		cmocka_unit_test(test_ping_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
