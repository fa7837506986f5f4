/*
 * Replay's parts with no I/O: the pacing schedule (as captured, faster,
 * as fast as the rate allows), the comparison of what the live server
 * started with what the captured one did, the target URL, and which
 * addresses stay private.
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "replay.h"

#define NEAR(a, b) assert_true((a) - (b) < 1e-9 && (b) - (a) < 1e-9)

/* Frames at 10.0, 10.5, 10.5, 13.0 seconds. */
static const double cap_t[] = { 10.0, 10.5, 10.5, 13.0 };

static void
test_schedule_as_captured(void **state)
{
	double out[4];

	(void)state;
	replay_schedule(cap_t, 4, 1, 0, out);
	NEAR(out[0], 0);
	NEAR(out[1], 0.5);
	NEAR(out[2], 0.5);
	NEAR(out[3], 3.0);
}

static void
test_schedule_faster(void **state)
{
	double out[4];

	(void)state;
	replay_schedule(cap_t, 4, 10, 0, out);
	NEAR(out[1], 0.05);
	NEAR(out[2], 0.05);
	NEAR(out[3], 0.3);
	/* The rate spaces frames sent at once, and what follows moves on. */
	replay_schedule(cap_t, 4, 10, 100, out);
	NEAR(out[1], 0.05);
	NEAR(out[2], 0.06);
	NEAR(out[3], 0.3);
	replay_schedule(cap_t, 4, 1, 1, out);
	NEAR(out[1], 1.0);
	NEAR(out[2], 2.0);
	NEAR(out[3], 3.0);
}

static void
test_schedule_max(void **state)
{
	double out[4];

	(void)state;
	replay_schedule(cap_t, 4, 0, 1000, out);
	NEAR(out[0], 0);
	NEAR(out[1], 0.001);
	NEAR(out[2], 0.002);
	NEAR(out[3], 0.003);
	replay_schedule(cap_t, 4, 0, 0, out);
	NEAR(out[3], 0);
}

static struct replay_outcome
closed(int code, int64_t after)
{
	struct replay_outcome o;

	memset(&o, 0, sizeof o);
	o.how = REPLAY_END_CLOSE;
	o.code = code;
	o.after = after;
	o.answer_code = -1;
	return o;
}

static void
test_compare(void **state)
{
	struct replay_outcome cap = closed(1009, 7), live = closed(1009, 7);
	char                  line[300];

	(void)state;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_REPRODUCED);
	assert_string_equal(line, "reproduced: server closed 1009 after "
	    "client frame 7 (captured: closed 1009 after client frame 7)");

	live = closed(1002, 3);
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_DIFFERENT);
	assert_string_equal(line, "different: server closed 1002 after "
	    "client frame 3 (captured: closed 1009 after client frame 7)");

	/* The same code after another frame: a limit that moved. */
	live = closed(1009, 9);
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_DIFFERENT);

	memset(&live, 0, sizeof live);
	live.how = REPLAY_END_NONE;
	live.messages = 12;
	live.answered = 1;
	live.answer_code = 1000;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_NOT);
	assert_string_equal(line, "not reproduced: server accepted all 12 "
	    "client messages and closed 1000 (captured: closed 1009 after "
	    "client frame 7)");
	live.answered = 0;
	live.messages = 1;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_NOT);
	assert_string_equal(line, "not reproduced: server accepted all 1 "
	    "client message and did not close (captured: closed 1009 after "
	    "client frame 7)");

	/* A captured server that started nothing: so did this one. */
	cap = live;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_REPRODUCED);
	live = closed(-1, 0);
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_DIFFERENT);
	assert_string_equal(line, "different: server closed with no code "
	    "after client frame 0 (captured: nothing)");

	/* A TCP end is not a close. */
	cap = closed(1009, 1);
	live = closed(-1, 1);
	live.how = REPLAY_END_TCP;
	assert_int_equal(replay_compare(&cap, &live, line, sizeof line),
	    REPLAY_DIFFERENT);
	assert_string_equal(line, "different: server ended the connection "
	    "with no close after client frame 1 (captured: closed 1009 after "
	    "client frame 1)");
}

static void
test_url(void **state)
{
	struct replay_url u;
	char              err[200];

	(void)state;
	assert_int_equal(replay_url_parse("ws://127.0.0.1:8080/chat?x=1", &u,
	    err, sizeof err), 0);
	assert_string_equal(u.host, "127.0.0.1");
	assert_string_equal(u.port, "8080");
	assert_string_equal(u.path, "/chat?x=1");
	assert_string_equal(u.hostport, "127.0.0.1:8080");
	assert_int_equal(replay_url_parse("ws://[::1]:9/", &u, err,
	    sizeof err), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.hostport, "[::1]:9");
	assert_int_equal(replay_url_parse("wss://staging.example", &u, err,
	    sizeof err), 0);
	assert_int_equal(u.tls, 1);
	assert_string_equal(u.port, "443");
	assert_string_equal(u.path, "");
	assert_int_equal(replay_url_parse("http://x/", &u, err, sizeof err),
	    -1);
	assert_int_equal(replay_url_parse("ws://x:0/", &u, err, sizeof err),
	    -1);
	assert_int_equal(replay_url_parse("ws://x:65536", &u, err, sizeof err),
	    -1);
	assert_int_equal(replay_url_parse("ws://:80/", &u, err, sizeof err),
	    -1);
	assert_int_equal(replay_url_parse("ws://[::1/", &u, err, sizeof err),
	    -1);
}

static void
test_request(void **state)
{
	static const char req[] =
	    "GET /old?q=1 HTTP/1.1\r\n"
	    "Host: prod.example:443\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Authorization: Bearer expired\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n\r\n";
	const char       *hdr[] = { "authorization: Bearer fresh",
	    "X-Replay: 1" };
	struct replay_url u;
	char              out[1024], key[64], err[100];
	size_t            n;

	(void)state;
	assert_int_equal(replay_url_parse("ws://127.0.0.1:8080", &u, err,
	    sizeof err), 0);
	n = replay_request((const uint8_t *)req, sizeof req - 1, &u, hdr, 2,
	    out, sizeof out, key, sizeof key);
	assert_int_equal(n, strlen(out));
	assert_string_equal(out,
	    "GET /old?q=1 HTTP/1.1\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Host: 127.0.0.1:8080\r\n"
	    "authorization: Bearer fresh\r\n"
	    "X-Replay: 1\r\n\r\n");
	assert_string_equal(key, "dGhlIHNhbXBsZSBub25jZQ==");

	/* The URL's path replaces the captured one; a new key goes too. */
	assert_int_equal(replay_url_parse("ws://[::1]:9/chat", &u, err,
	    sizeof err), 0);
	hdr[0] = "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==";
	n = replay_request((const uint8_t *)req, sizeof req - 1, &u, hdr, 1,
	    out, sizeof out, key, sizeof key);
	assert_true(n > 0);
	assert_non_null(strstr(out, "GET /chat HTTP/1.1\r\n"));
	assert_non_null(strstr(out, "\r\nHost: [::1]:9\r\n"));
	assert_null(strstr(out, "prod.example"));
	assert_string_equal(key, "AAAAAAAAAAAAAAAAAAAAAA==");

	/* Too long for out: 0, nothing half-written counted. */
	assert_int_equal(replay_request((const uint8_t *)req, sizeof req - 1,
	    &u, hdr, 1, out, 40, key, sizeof key), 0);
}

static int
private4(const char *a)
{
	struct sockaddr_in s;

	memset(&s, 0, sizeof s);
	s.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &s.sin_addr), 1);
	return replay_addr_private((struct sockaddr *)&s);
}

static int
private6(const char *a)
{
	struct sockaddr_in6 s;

	memset(&s, 0, sizeof s);
	s.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, a, &s.sin6_addr), 1);
	return replay_addr_private((struct sockaddr *)&s);
}

static void
test_private(void **state)
{
	(void)state;
	assert_true(private4("127.0.0.1"));
	assert_true(private4("127.255.0.9"));
	assert_true(private4("10.1.2.3"));
	assert_true(private4("172.16.0.1"));
	assert_true(private4("172.31.255.255"));
	assert_true(private4("192.168.7.7"));
	assert_true(private4("169.254.1.1"));
	assert_false(private4("172.32.0.1"));
	assert_false(private4("192.0.2.1"));
	assert_false(private4("8.8.8.8"));
	assert_false(private4("0.0.0.0"));
	assert_true(private6("::1"));
	assert_true(private6("fd00::5"));
	assert_true(private6("fc12::5"));
	assert_true(private6("fe80::1"));
	assert_true(private6("::ffff:10.0.0.1"));
	assert_false(private6("::ffff:192.0.2.1"));
	assert_false(private6("2001:db8::1"));
	assert_false(private6("fec0::1"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schedule_as_captured),
		cmocka_unit_test(test_schedule_faster),
		cmocka_unit_test(test_schedule_max),
		cmocka_unit_test(test_compare),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_private),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
