/*
 * Unit tests of the HTTP/1.1 Upgrade handshake: head parser, body
 * skipping, permessage-deflate parameters, accept key and the checks.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "http-upgrade.h"

/* RFC 6455 section 1.3, with an offer of permessage-deflate. */
static const char sample_req[] =
    "GET /chat HTTP/1.1\r\n"
    "Host: server.example.com\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Origin: http://example.com\r\n"
    "Sec-WebSocket-Protocol: chat, superchat\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    "User-Agent: test/1.0\r\n"
    "\r\n";

/* The response, followed by the first WebSocket frame. */
static const char sample_resp[] =
    "HTTP/1.1 101 Switching Protocols\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
    "Sec-WebSocket-Protocol: chat\r\n"
    "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; "
    "client_max_window_bits=10\r\n"
    "Server: test-server\r\n"
    "\r\n"
    "\x81\x05hello";
#define SAMPLE_RESP_FRAME 7

static enum http_status parse(int, const char *, size_t, struct http_head *,
    size_t *, char *);
static void head_equal(const struct http_head *, const struct http_head *);
static void expect_error(int, const char *, size_t, const char *);
static size_t body_run(const struct http_head *, int, const char *, size_t,
    size_t, int *);

/* Parses text in one feed; copies the head and the error out. */
static enum http_status
parse(int is_request, const char *text, size_t len, struct http_head *h,
    size_t *used, char *error)
{
	struct http_parser *hp = http_parser_new(is_request);
	enum http_status    st;
	size_t              u;

	st = http_parser_feed(hp, (const uint8_t *)text, len, &u);
	if (h != NULL)
		*h = *http_parser_head(hp);
	if (used != NULL)
		*used = u;
	if (error != NULL)
		snprintf(error, 128, "%s", http_parser_error(hp));
	http_parser_free(hp);
	return st;
}

static void
head_equal(const struct http_head *a, const struct http_head *b)
{
	assert_int_equal(a->is_request, b->is_request);
	assert_string_equal(a->method, b->method);
	assert_string_equal(a->target, b->target);
	assert_string_equal(a->version, b->version);
	assert_int_equal(a->status, b->status);
	assert_string_equal(a->reason, b->reason);
	assert_string_equal(a->host, b->host);
	assert_string_equal(a->origin, b->origin);
	assert_string_equal(a->user_agent, b->user_agent);
	assert_string_equal(a->server, b->server);
	assert_string_equal(a->upgrade, b->upgrade);
	assert_string_equal(a->connection, b->connection);
	assert_string_equal(a->key, b->key);
	assert_string_equal(a->ws_version, b->ws_version);
	assert_string_equal(a->protocol, b->protocol);
	assert_string_equal(a->extensions, b->extensions);
	assert_string_equal(a->accept, b->accept);
	assert_int_equal(a->content_length, b->content_length);
	assert_int_equal(a->chunked, b->chunked);
	assert_int_equal(a->truncated, b->truncated);
	assert_int_equal(a->nheaders, b->nheaders);
	assert_int_equal(a->head_len, b->head_len);
}

/* The text is rejected and the error names the problem. */
static void
expect_error(int is_request, const char *text, size_t len, const char *what)
{
	char error[128];

	assert_int_equal(parse(is_request, text, len, NULL, NULL, error),
	    HTTP_ERROR);
	if (strstr(error, what) == NULL)
		fail_msg("error \"%s\" does not mention \"%s\"", error, what);
}

static void
test_sample_request(void **state)
{
	struct http_head h;
	size_t           used;

	assert_int_equal(parse(1, sample_req, strlen(sample_req), &h, &used, NULL),
	    HTTP_DONE);
	assert_int_equal(used, strlen(sample_req));
	assert_int_equal(h.head_len, strlen(sample_req));
	assert_true(h.is_request);
	assert_string_equal(h.method, "GET");
	assert_string_equal(h.target, "/chat");
	assert_string_equal(h.version, "HTTP/1.1");
	assert_string_equal(h.host, "server.example.com");
	assert_string_equal(h.origin, "http://example.com");
	assert_string_equal(h.user_agent, "test/1.0");
	assert_string_equal(h.upgrade, "websocket");
	assert_string_equal(h.connection, "Upgrade");
	assert_string_equal(h.key, "dGhlIHNhbXBsZSBub25jZQ==");
	assert_string_equal(h.ws_version, "13");
	assert_string_equal(h.protocol, "chat, superchat");
	assert_string_equal(h.extensions,
	    "permessage-deflate; client_max_window_bits");
	assert_int_equal(h.content_length, -1);
	assert_false(h.chunked);
	assert_false(h.truncated);
	assert_int_equal(h.nheaders, 9);
}

static void
test_sample_response(void **state)
{
	struct http_head h;
	size_t           used, len = sizeof sample_resp - 1;

	assert_int_equal(parse(0, sample_resp, len, &h, &used, NULL), HTTP_DONE);
	/* The frame after the head is left to the caller. */
	assert_int_equal(used, len - SAMPLE_RESP_FRAME);
	assert_memory_equal(sample_resp + used, "\x81\x05hello", 7);
	assert_int_equal(h.head_len, used);
	assert_false(h.is_request);
	assert_string_equal(h.version, "HTTP/1.1");
	assert_int_equal(h.status, 101);
	assert_string_equal(h.reason, "Switching Protocols");
	assert_string_equal(h.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	assert_string_equal(h.protocol, "chat");
	assert_string_equal(h.server, "test-server");
	assert_int_equal(h.nheaders, 6);
}

/* Split in two at every byte position, then fed byte by byte: same head. */
static void
split_everywhere(int is_request, const char *text, size_t len, size_t head_len)
{
	struct http_head    whole;
	struct http_parser *hp;
	enum http_status    st;
	size_t              k, u1, u2, i;

	assert_int_equal(parse(is_request, text, len, &whole, NULL, NULL),
	    HTTP_DONE);
	hp = http_parser_new(is_request);
	for (k = 0; k <= len; k++) {
		http_parser_reset(hp);
		st = http_parser_feed(hp, (const uint8_t *)text, k, &u1);
		if (k < head_len) {
			assert_int_equal(st, HTTP_NEED_MORE);
			assert_int_equal(u1, k);
			st = http_parser_feed(hp, (const uint8_t *)text + k,
			    len - k, &u2);
			assert_int_equal(st, HTTP_DONE);
			assert_int_equal(u1 + u2, head_len);
		} else {
			assert_int_equal(st, HTTP_DONE);
			assert_int_equal(u1, head_len);
		}
		head_equal(http_parser_head(hp), &whole);
	}
	http_parser_reset(hp);
	for (i = 0; i < head_len; i++) {
		st = http_parser_feed(hp, (const uint8_t *)text + i, 1, &u1);
		assert_int_equal(st, i + 1 < head_len ? HTTP_NEED_MORE : HTTP_DONE);
		assert_int_equal(u1, 1);
	}
	head_equal(http_parser_head(hp), &whole);
	/* Done is sticky and takes nothing more. */
	assert_int_equal(http_parser_feed(hp, (const uint8_t *)"x", 1, &u1),
	    HTTP_DONE);
	assert_int_equal(u1, 0);
	http_parser_free(hp);
}

static void
test_split_every_byte(void **state)
{
	split_everywhere(1, sample_req, strlen(sample_req), strlen(sample_req));
	split_everywhere(0, sample_resp, sizeof sample_resp - 1,
	    sizeof sample_resp - 1 - SAMPLE_RESP_FRAME);
}

static void
test_accept_key(void **state)
{
	char out[29];

	ws_accept_for_key("dGhlIHNhbXBsZSBub25jZQ==", out);
	assert_string_equal(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	ws_accept_for_key("x3JJHMbDL1EzLkh9GBhXDw==", out);
	assert_string_equal(out, "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
	ws_accept_for_key("abc", out);
	assert_string_equal(out, "zwKd5BnoWxQ6GxTxxSmBSHGHX9M=");
}

static void
test_header_variants(void **state)
{
	static const char crlf[] =
	    "GET /x?y=1 HTTP/1.1\r\n"
	    "HOST:\t  example.com \t\r\n"
	    "UPGRADE: websocket\r\n"
	    "connection: keep-alive\r\n"
	    "sEc-WeBsOcKeT-kEy:dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Protocol: chat\r\n"
	    "X-Other: ignored\r\n"
	    "Connection:   Upgrade\r\n"
	    "Sec-WebSocket-Protocol: superchat , v2\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Empty:\r\n"
	    "\r\n";
	static const char lf[] =
	    "GET /x?y=1 HTTP/1.1\n"
	    "HOST:\t  example.com \t\n"
	    "UPGRADE: websocket\n"
	    "connection: keep-alive\n"
	    "sEc-WeBsOcKeT-kEy:dGhlIHNhbXBsZSBub25jZQ==\n"
	    "Sec-WebSocket-Protocol: chat\n"
	    "X-Other: ignored\n"
	    "Connection:   Upgrade\r\n"
	    "Sec-WebSocket-Protocol: superchat , v2\n"
	    "Sec-WebSocket-Version: 13\n"
	    "Empty:\n"
	    "\n";
	struct http_head a, b;
	struct hs_result r;

	assert_int_equal(parse(1, crlf, strlen(crlf), &a, NULL, NULL), HTTP_DONE);
	assert_string_equal(a.target, "/x?y=1");
	assert_string_equal(a.host, "example.com");
	assert_string_equal(a.upgrade, "websocket");
	assert_string_equal(a.connection, "keep-alive, Upgrade");
	assert_string_equal(a.key, "dGhlIHNhbXBsZSBub25jZQ==");
	assert_string_equal(a.protocol, "chat, superchat , v2");
	assert_int_equal(a.nheaders, 10);
	assert_int_equal(a.head_len, strlen(crlf));

	/* LF-only line ends (and a mix) give the same head, shorter. */
	assert_int_equal(parse(1, lf, strlen(lf), &b, NULL, NULL), HTTP_DONE);
	assert_int_equal(b.head_len, strlen(lf));
	b.head_len = a.head_len;
	head_equal(&a, &b);

	/* Token lists are searched by element, ignoring case. */
	http_upgrade_check(&a, NULL, &r);
	assert_int_equal(r.nissues, 0);
}

static void
test_leading_empty_lines(void **state)
{
	static const char text[] = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_head  h;
	size_t            used;

	assert_int_equal(parse(1, text, strlen(text), &h, &used, NULL), HTTP_DONE);
	assert_int_equal(used, strlen(text));
	assert_string_equal(h.method, "GET");
	assert_string_equal(h.host, "a");
}

static void
test_truncated_values(void **state)
{
	char             text[1024];
	char             host[301];
	struct http_head h;

	memset(host, 'h', 300);
	host[300] = '\0';
	snprintf(text, sizeof text, "GET / HTTP/1.1\r\nHost: %s\r\n\r\n", host);
	assert_int_equal(parse(1, text, strlen(text), &h, NULL, NULL), HTTP_DONE);
	assert_true(h.truncated);
	assert_int_equal(strlen(h.host), sizeof h.host - 1);
	assert_memory_equal(h.host, host, sizeof h.host - 1);

	/* A repeat that no longer fits is cut, not overflowed. */
	snprintf(text, sizeof text,
	    "GET / HTTP/1.1\r\nUpgrade: %.120s\r\nUpgrade: websocket\r\n\r\n", host);
	assert_int_equal(parse(1, text, strlen(text), &h, NULL, NULL), HTTP_DONE);
	assert_true(h.truncated);
	assert_int_equal(strlen(h.upgrade), sizeof h.upgrade - 1);
	assert_memory_equal(h.upgrade + 120, ", webs", 6);
}

static void
test_status_lines(void **state)
{
	struct http_head h;

	assert_int_equal(parse(0, "HTTP/1.1 101\r\n\r\n", 16, &h, NULL, NULL),
	    HTTP_DONE);
	assert_int_equal(h.status, 101);
	assert_string_equal(h.reason, "");
	assert_int_equal(parse(0, "HTTP/1.0 403 Go away, now\r\n\r\n", 29, &h,
	    NULL, NULL), HTTP_DONE);
	assert_int_equal(h.status, 403);
	assert_string_equal(h.version, "HTTP/1.0");
	assert_string_equal(h.reason, "Go away, now");
	expect_error(0, "HTTP/1.1 1x1 OK\r\n\r\n", 19, "status code");
	expect_error(0, "HTTP/1.1 1011 OK\r\n\r\n", 20, "status code");
	expect_error(0, "HTTP/11 101 OK\r\n\r\n", 18, "status line");
	expect_error(0, "HTTP/1.1\r\n\r\n", 12, "status line");
	expect_error(1, "GET /\r\n\r\n", 9, "request line");
	expect_error(1, "GET / HTTP/1.1 x\r\n\r\n", 20, "request line");
	expect_error(1, "GET /a b HTTP/1.1\r\n\r\n", 21, "space in the target");
	expect_error(1, " GET / HTTP/1.1\r\n\r\n", 19, "request line");
}

static void
test_content_length_and_te(void **state)
{
	struct http_head h;
	const char *t;

	t = "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\ncontent-length: 5\r\n\r\n";
	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	assert_int_equal(h.content_length, 5);
	t = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n";
	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	assert_true(h.chunked);
	assert_true(h.transfer_encoding);
	t = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n";
	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	assert_false(h.chunked);
	t = "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n";
	expect_error(0, t, strlen(t), "conflicting Content-Length");
	t = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n";
	expect_error(0, t, strlen(t), "conflicting Content-Length");
	t = "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n";
	expect_error(0, t, strlen(t), "invalid Content-Length");
	t = "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n";
	expect_error(0, t, strlen(t), "invalid Content-Length");
	t = "HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n";
	expect_error(0, t, strlen(t), "invalid Content-Length");
}

/* Request line, then headers of the given line length until total bytes. */
static char *
big_head(size_t line, size_t lines, size_t *len)
{
	char  *t = malloc(32 + lines * (line + 2) + 2);
	size_t i, n;

	assert_non_null(t);
	n = (size_t)sprintf(t, "GET / HTTP/1.1\r\n");
	for (i = 0; i < lines; i++) {
		n += (size_t)sprintf(t + n, "X-%04zu: ", i);
		memset(t + n, 'v', line - 8);
		n += line - 8;
		memcpy(t + n, "\r\n", 2);
		n += 2;
	}
	memcpy(t + n, "\r\n", 2);
	*len = n + 2;
	return t;
}

static void
test_limits(void **state)
{
	struct http_head h;
	size_t           len, used;
	char            *t, error[128];

	/* 100 headers and lines of exactly HTTP_MAX_LINE bytes pass. */
	t = big_head(20, HTTP_MAX_HEADERS, &len);
	assert_int_equal(parse(1, t, len, &h, NULL, NULL), HTTP_DONE);
	assert_int_equal(h.nheaders, HTTP_MAX_HEADERS);
	free(t);
	t = big_head(20, HTTP_MAX_HEADERS + 1, &len);
	expect_error(1, t, len, "too many header lines");
	free(t);
	t = big_head(HTTP_MAX_LINE, 1, &len);
	assert_int_equal(parse(1, t, len, NULL, NULL, NULL), HTTP_DONE);
	free(t);
	t = big_head(HTTP_MAX_LINE + 1, 1, &len);
	expect_error(1, t, len, "header line too long");
	free(t);
	/* A line without end is stopped at the limit, not buffered. */
	t = big_head(100000, 1, &len);
	assert_int_equal(parse(1, t, len, NULL, &used, error), HTTP_ERROR);
	assert_true(used < 16 + HTTP_MAX_LINE + 16);
	free(t);
	/* Head size: three lines of 6000 bytes exceed 16384. */
	t = big_head(6000, 3, &len);
	assert_int_equal(parse(1, t, len, NULL, &used, error), HTTP_ERROR);
	assert_non_null(strstr(error, "head too large"));
	assert_int_equal(used, HTTP_MAX_HEAD);
	free(t);
}

static void
test_malformed_heads(void **state)
{
	const char *t;

	t = "GET / HTTP/1.1\r\nX-A: a\r\n  folded\r\n\r\n";
	expect_error(1, t, strlen(t), "obs-fold");
	t = "GET / HTTP/1.1\r\nno colon here\r\n\r\n";
	expect_error(1, t, strlen(t), "without a colon");
	t = "GET / HTTP/1.1\r\nHost : a\r\n\r\n";
	expect_error(1, t, strlen(t), "invalid header name");
	t = "GET / HTTP/1.1\r\n: a\r\n\r\n";
	expect_error(1, t, strlen(t), "empty header name");
	t = "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n";
	expect_error(1, t, strlen(t), "bare CR");
	/* A line that is only control bytes is no header line. */
	t = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n\x1b[2J\r\n\r\n";
	expect_error(0, t, strlen(t), "without a colon");
}

/* Control bytes in values are invalid but kept, counted and named. */
static void
test_control_bytes_kept(void **state)
{
	struct http_parser     *hp;
	const struct http_head *h;
	const char             *t;
	size_t                  used;

	(void)state;
	hp = http_parser_new(1);
	t = "GET /\x1b]0;x\x07 HTTP/1.1\r\nHost: a\x1b[2Jb\r\n"
	    "Upgrade: websocket\r\n\r\n";
	assert_int_equal(http_parser_feed(hp, (const uint8_t *)t, strlen(t),
	    &used), HTTP_DONE);
	assert_int_equal(used, strlen(t));
	h = http_parser_head(hp);
	assert_int_equal(h->bad_bytes, 3);
	assert_string_equal(h->host, "a\x1b[2Jb");
	assert_string_equal(h->upgrade, "websocket");
	assert_non_null(strstr(http_parser_error(hp), "control byte 0x1b"));
	http_parser_free(hp);

	hp = http_parser_new(1);
	assert_int_equal(http_parser_feed(hp, (const uint8_t *)
	    "GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 29, &used), HTTP_DONE);
	assert_int_equal(http_parser_head(hp)->bad_bytes, 1);
	assert_non_null(strstr(http_parser_error(hp), "control byte 0x00"));
	http_parser_free(hp);
}

static void
test_garbage(void **state)
{
	static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01 };
	static const uint8_t frame[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d };
	struct http_parser *hp;
	uint8_t             buf[4096];
	uint32_t            x = 12345;
	size_t              used, i;
	int                 seed;

	hp = http_parser_new(1);
	assert_int_equal(http_parser_feed(hp, tls, sizeof tls, &used), HTTP_ERROR);
	assert_int_equal(used, 0);
	assert_non_null(strstr(http_parser_error(hp), "not an HTTP request"));
	/* Sticky until reset; then the parser works again. */
	assert_int_equal(http_parser_feed(hp, (const uint8_t *)"GET", 3, &used),
	    HTTP_ERROR);
	assert_int_equal(used, 0);
	http_parser_reset(hp);
	assert_string_equal(http_parser_error(hp), "");
	assert_int_equal(http_parser_feed(hp, (const uint8_t *)sample_req,
	    strlen(sample_req), &used), HTTP_DONE);
	http_parser_free(hp);

	hp = http_parser_new(0);
	assert_int_equal(http_parser_feed(hp, frame, sizeof frame, &used),
	    HTTP_ERROR);
	assert_int_equal(used, 0);
	http_parser_reset(hp);
	assert_int_equal(http_parser_feed(hp,
	    (const uint8_t *)"SSH-2.0-OpenSSH_9.6\r\n", 21, &used), HTTP_ERROR);
	assert_int_equal(used, 0);
	assert_non_null(strstr(http_parser_error(hp), "not an HTTP response"));
	http_parser_free(hp);

	/* Pseudo-random bytes never make a head, and never overrun. */
	for (seed = 0; seed < 200; seed++) {
		for (i = 0; i < sizeof buf; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (uint8_t)(x >> 16);
		}
		if (seed % 2 == 0)
			memcpy(buf, "GET / HTTP/1.1\r\n", 16);
		hp = http_parser_new(seed % 2 == 0);
		assert_int_equal(http_parser_feed(hp, buf, sizeof buf, &used),
		    HTTP_ERROR);
		assert_true(used < sizeof buf);
		for (i = 0; http_parser_error(hp)[i] != '\0'; i++)
			assert_true(http_parser_error(hp)[i] >= 0x20 &&
			    http_parser_error(hp)[i] < 0x7f);
		http_parser_free(hp);
	}
}

static void
test_looks_like(void **state)
{
	assert_true(http_looks_like_request((const uint8_t *)"GET / HTTP/1.1", 14));
	assert_true(http_looks_like_request((const uint8_t *)"OPTIONS *", 9));
	assert_true(http_looks_like_request((const uint8_t *)"M-SEARCH * ", 11));
	assert_false(http_looks_like_request((const uint8_t *)"GE", 2));
	assert_false(http_looks_like_request((const uint8_t *)"get / ", 6));
	assert_false(http_looks_like_request((const uint8_t *)" GET", 4));
	assert_false(http_looks_like_request((const uint8_t *)"\x81\x05hello", 7));
	assert_false(http_looks_like_request((const uint8_t *)"HTTP/1.1 101", 12));
	assert_true(http_looks_like_response((const uint8_t *)"HTTP/1.1 101", 12));
	assert_true(http_looks_like_response((const uint8_t *)"HTTP/1.0", 8));
	assert_false(http_looks_like_response((const uint8_t *)"HTTP/1", 6));
	assert_false(http_looks_like_response((const uint8_t *)"HTTP/2 200", 10));
	assert_false(http_looks_like_response((const uint8_t *)"GET / HTTP/1.1", 14));
	/* Too short to tell: held back until the next segment decides. */
	assert_true(http_undecided((const uint8_t *)"GE", 2));
	assert_true(http_undecided((const uint8_t *)"M-SEARCH", 8));
	assert_true(http_undecided((const uint8_t *)"HTTP/", 5));
	assert_true(http_undecided((const uint8_t *)"AAAAAAAAAAAAAAAAAAAA", 20));
	assert_false(http_undecided((const uint8_t *)"AAAAAAAAAAAAAAAAAAAAA", 21));
	assert_false(http_undecided((const uint8_t *)"GET ", 4));
	assert_false(http_undecided((const uint8_t *)"HTTP/2", 6));
	assert_false(http_undecided((const uint8_t *)"\x81\x05", 2));
}

/* ---- body skipping ---- */

/*
 * Feeds body (then trailing bytes) split at k, and after that in pieces of
 * one byte when k is 0; returns the bytes consumed when done (or all).
 */
static size_t
body_run(const struct http_head *h, int no_body, const char *text, size_t len,
    size_t k, int *done)
{
	struct http_body b;
	size_t           at = 0, c;

	http_body_init(&b, h, no_body);
	*done = 0;
	if (k == 0) {
		while (at < len && !*done)
			at += http_body_feed(&b, (const uint8_t *)text + at, 1, done);
		return at;
	}
	at = http_body_feed(&b, (const uint8_t *)text, k, done);
	if (*done)
		return at;
	assert_int_equal(at, k);
	c = http_body_feed(&b, (const uint8_t *)text + k, len - k, done);
	return at + c;
}

static void
body_every_split(const char *head, const char *body, size_t body_len)
{
	static const char next[] = "GET / HTTP/1.1\r\n\r\n";
	struct http_head h;
	char             text[512];
	size_t           len, k;
	int              done;

	assert_int_equal(parse(0, head, strlen(head), &h, NULL, NULL), HTTP_DONE);
	memcpy(text, body, body_len);
	memcpy(text + body_len, next, sizeof next - 1);
	len = body_len + sizeof next - 1;
	for (k = 0; k <= len; k++) {
		assert_int_equal(body_run(&h, 0, text, len, k, &done), body_len);
		assert_true(done);
	}
}

static void
test_body_content_length(void **state)
{
	body_every_split("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n",
	    "0123456789", 10);
}

static void
test_body_chunked(void **state)
{
	static const char body[] =
	    "4\r\nWiki\r\n"
	    "5;name=\"a;b\"\r\n pedi\r\n"
	    "E\r\n in\r\n\r\nchunks.\r\n"
	    "1a \r\nabcdefghijklmnopqrstuvwxyz\r\n"
	    "0\r\n"
	    "Expires: never\r\n"
	    "\r\n";
	static const char lf[] = "4\nWiki\n0\n\n";
	static const char head[] =
	    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	    "Content-Length: 3\r\n\r\n";

	body_every_split(head, body, sizeof body - 1);
	body_every_split(head, lf, sizeof lf - 1);
}

static void
test_body_errors(void **state)
{
	static const char *bad[] = {
		"zz\r\n", "\r\n", "4\r\nWikiXX\r\n", "4\rX", "11111111111111111\r\n",
		"0\r\n\rX",
	};
	struct http_head h;
	struct http_body b;
	size_t           i, c;
	int              done;
	const char      *t = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";

	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		http_body_init(&b, &h, 0);
		c = http_body_feed(&b, (const uint8_t *)bad[i], strlen(bad[i]),
		    &done);
		assert_true(done);
		assert_non_null(b.error);
		assert_true(c < strlen(bad[i]));
		/* Stopped: nothing more is taken. */
		assert_int_equal(http_body_feed(&b, (const uint8_t *)"0", 1, &done), 0);
		assert_true(done);
	}
}

static void
test_body_kinds(void **state)
{
	struct http_head h;
	struct http_body b;
	uint8_t          junk[1000];
	int              done;
	const char      *t;

	memset(junk, 'j', sizeof junk);
	/* HEAD, 204, 304 and 1xx responses have no body, whatever the headers. */
	t = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	http_body_init(&b, &h, 1);
	assert_int_equal(http_body_feed(&b, junk, 10, &done), 0);
	assert_true(done);
	t = "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n";
	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	http_body_init(&b, &h, 0);
	assert_int_equal(http_body_feed(&b, junk, 10, &done), 0);
	assert_true(done);
	/* A request without length has no body. */
	t = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	assert_int_equal(parse(1, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	http_body_init(&b, &h, 0);
	assert_int_equal(http_body_feed(&b, junk, 10, &done), 0);
	assert_true(done);
	/* A response without length runs to the end of the connection. */
	t = "HTTP/1.1 200 OK\r\nServer: a\r\n\r\n";
	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	http_body_init(&b, &h, 0);
	assert_int_equal(http_body_feed(&b, junk, sizeof junk, &done), sizeof junk);
	assert_false(done);
	/* Content-Length: 0 is an empty body. */
	t = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	http_body_init(&b, &h, 0);
	assert_int_equal(http_body_feed(&b, junk, 10, &done), 0);
	assert_true(done);
}

/* A POST with a body, then the upgrade, on one connection. */
static void
test_keep_alive(void **state)
{
	static const char text[] =
	    "POST /login HTTP/1.1\r\nContent-Length: 7\r\n\r\nuser=me"
	    "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n";
	struct http_parser *hp = http_parser_new(1);
	struct http_body    b;
	size_t              at, used;
	int                 done;

	assert_int_equal(http_parser_feed(hp, (const uint8_t *)text,
	    sizeof text - 1, &used), HTTP_DONE);
	assert_string_equal(http_parser_head(hp)->method, "POST");
	at = used;
	http_body_init(&b, http_parser_head(hp), 0);
	at += http_body_feed(&b, (const uint8_t *)text + at, sizeof text - 1 - at,
	    &done);
	assert_true(done);
	http_parser_reset(hp);
	assert_int_equal(http_parser_feed(hp, (const uint8_t *)text + at,
	    sizeof text - 1 - at, &used), HTTP_DONE);
	assert_int_equal(at + used, sizeof text - 1);
	assert_string_equal(http_parser_head(hp)->method, "GET");
	assert_string_equal(http_parser_head(hp)->target, "/ws");
	assert_int_equal(http_parser_head(hp)->content_length, -1);
	http_parser_free(hp);
}

/* ---- permessage-deflate ---- */

static void
test_pmd_valid(void **state)
{
	struct pmd_params pm;

	assert_int_equal(pmd_parse("permessage-deflate", 1, &pm), 1);
	assert_true(pm.present);
	assert_true(pm.valid);
	assert_string_equal(pm.error, "");
	assert_false(pm.server_no_context_takeover);
	assert_false(pm.client_no_context_takeover);
	assert_int_equal(pm.server_max_window_bits, 15);
	assert_int_equal(pm.client_max_window_bits, 15);

	/* RFC 7692 7.1.2.2: an offer may carry client_max_window_bits alone. */
	assert_int_equal(pmd_parse("permessage-deflate; client_max_window_bits",
	    0, &pm), 1);
	assert_true(pm.valid);
	assert_int_equal(pm.client_max_window_bits, -1);

	/* RFC 7692 section 5 example: two offers, the first is parsed. */
	assert_int_equal(pmd_parse("permessage-deflate; server_max_window_bits=10, "
	    "permessage-deflate", 0, &pm), 2);
	assert_true(pm.valid);
	assert_int_equal(pm.server_max_window_bits, 10);

	assert_int_equal(pmd_parse("permessage-deflate;client_max_window_bits; "
	    "server_max_window_bits=10", 0, &pm), 1);
	assert_true(pm.valid);
	assert_int_equal(pm.client_max_window_bits, -1);
	assert_int_equal(pm.server_max_window_bits, 10);

	assert_int_equal(pmd_parse("permessage-deflate; server_no_context_takeover; "
	    "client_no_context_takeover ; client_max_window_bits = 8", 1, &pm), 1);
	assert_true(pm.valid);
	assert_true(pm.server_no_context_takeover);
	assert_true(pm.client_no_context_takeover);
	assert_int_equal(pm.client_max_window_bits, 8);

	/* RFC 7692 7.1: a quoted value is unquoted before the check. */
	assert_int_equal(pmd_parse("permessage-deflate; server_max_window_bits=\"12\"",
	    1, &pm), 1);
	assert_true(pm.valid);
	assert_int_equal(pm.server_max_window_bits, 12);

	assert_int_equal(pmd_parse("foo; a=\"x, y\", Permessage-Deflate; "
	    "server_max_window_bits=9, bar", 1, &pm), 3);
	assert_true(pm.present);
	assert_true(pm.valid);
	assert_int_equal(pm.server_max_window_bits, 9);

	assert_int_equal(pmd_parse("x-webkit-deflate-frame", 1, &pm), 1);
	assert_false(pm.present);
	assert_true(pm.valid);
	assert_int_equal(pmd_parse("", 1, &pm), 0);
	assert_int_equal(pmd_parse(" , ,", 1, &pm), 0);
	assert_int_equal(pmd_parse(NULL, 1, &pm), 0);
	assert_false(pm.present);
}

static void
test_pmd_invalid(void **state)
{
	static const struct {
		const char *ext;
		int         is_response;
		const char *error;
	} bad[] = {
		{ "permessage-deflate; server_max_window_bits=7", 1, "not in 8..15" },
		{ "permessage-deflate; server_max_window_bits=16", 0, "not in 8..15" },
		{ "permessage-deflate; server_max_window_bits=010", 1, "not in 8..15" },
		{ "permessage-deflate; client_max_window_bits=\"1 5\"", 1, "not in 8..15" },
		{ "permessage-deflate; server_max_window_bits", 0, "without a value" },
		{ "permessage-deflate; client_max_window_bits", 1, "without a value" },
		{ "permessage-deflate; foo", 1, "unknown parameter foo" },
		{ "permessage-deflate; server_no_context_takeover; "
		  "server_no_context_takeover", 1, "repeated" },
		{ "permessage-deflate; client_max_window_bits; "
		  "client_max_window_bits=10", 0, "repeated" },
		{ "permessage-deflate; server_no_context_takeover=1", 1, "takes no value" },
		{ "permessage-deflate; ; server_no_context_takeover", 1, "malformed" },
		{ "permessage-deflate server_no_context_takeover", 1, "malformed" },
		{ "permessage-deflate; server_max_window_bits=\"10", 1, "malformed" },
		{ "permessage-deflate, permessage-deflate", 1, "listed 2 times" },
	};
	struct pmd_params pm;
	size_t            i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		pmd_parse(bad[i].ext, bad[i].is_response, &pm);
		assert_true(pm.present);
		if (pm.valid)
			fail_msg("accepted: %s", bad[i].ext);
		if (strstr(pm.error, bad[i].error) == NULL)
			fail_msg("%s: error \"%s\"", bad[i].ext, pm.error);
	}
	/* What parses is kept for the decoder. */
	pmd_parse("permessage-deflate; foo; server_max_window_bits=10", 1, &pm);
	assert_false(pm.valid);
	assert_int_equal(pm.server_max_window_bits, 10);
	/* Several offers are fine in a request. */
	pmd_parse("permessage-deflate, permessage-deflate", 0, &pm);
	assert_true(pm.valid);
}

/* ---- handshake checks ---- */

static const char OMIT[] = "(omit)";

struct hs_case {
	const char *name;
	const char *req_line, *req_upgrade, *req_connection, *req_key;
	const char *req_version, *req_protocol, *req_ext;
	const char *status_line, *resp_upgrade, *resp_connection, *resp_accept;
	const char *resp_protocol, *resp_ext;
	enum rule_id rule;
	const char *side;
	const char *expected, *seen;
};

static size_t
hs_header(char *buf, size_t n, const char *name, const char *v, const char *def)
{
	if (v == OMIT)
		return 0;
	return (size_t)snprintf(buf, n, "%s: %s\r\n", name, v != NULL ? v : def);
}

static void
hs_build(const struct hs_case *c, struct http_head *req, struct http_head *resp)
{
	char   t[2048], accept[29];
	size_t n;

	n = (size_t)snprintf(t, sizeof t, "%s\r\nHost: example.com\r\n",
	    c->req_line != NULL ? c->req_line : "GET /chat HTTP/1.1");
	n += hs_header(t + n, sizeof t - n, "Upgrade", c->req_upgrade, "websocket");
	n += hs_header(t + n, sizeof t - n, "Connection", c->req_connection,
	    "Upgrade");
	n += hs_header(t + n, sizeof t - n, "Sec-WebSocket-Key", c->req_key,
	    "dGhlIHNhbXBsZSBub25jZQ==");
	n += hs_header(t + n, sizeof t - n, "Sec-WebSocket-Version",
	    c->req_version, "13");
	n += hs_header(t + n, sizeof t - n, "Sec-WebSocket-Protocol",
	    c->req_protocol, "chat, superchat");
	n += hs_header(t + n, sizeof t - n, "Sec-WebSocket-Extensions", c->req_ext,
	    "permessage-deflate; client_max_window_bits");
	n += (size_t)snprintf(t + n, sizeof t - n, "\r\n");
	assert_int_equal(parse(1, t, n, req, NULL, NULL), HTTP_DONE);

	/* By default the server answers the key the client sent. */
	ws_accept_for_key(req->key, accept);
	n = (size_t)snprintf(t, sizeof t, "%s\r\n", c->status_line != NULL ?
	    c->status_line : "HTTP/1.1 101 Switching Protocols");
	n += hs_header(t + n, sizeof t - n, "Upgrade", c->resp_upgrade, "websocket");
	n += hs_header(t + n, sizeof t - n, "Connection", c->resp_connection,
	    "Upgrade");
	n += hs_header(t + n, sizeof t - n, "Sec-WebSocket-Accept", c->resp_accept,
	    accept);
	n += hs_header(t + n, sizeof t - n, "Sec-WebSocket-Protocol",
	    c->resp_protocol, "chat");
	n += hs_header(t + n, sizeof t - n, "Sec-WebSocket-Extensions",
	    c->resp_ext, "permessage-deflate; client_max_window_bits=10");
	n += (size_t)snprintf(t + n, sizeof t - n, "\r\n");
	assert_int_equal(parse(0, t, n, resp, NULL, NULL), HTTP_DONE);
}

static const struct hs_case hs_cases[] = {
	{ .name = "valid" },
	{ .name = "valid, other spellings", .req_upgrade = "WebSocket",
	  .req_connection = "keep-alive, upgrade", .resp_upgrade = "WEBSOCKET",
	  .resp_connection = "UPGRADE", .req_protocol = "superchat,chat" },
	{ .name = "valid, no subprotocol or extension", .req_protocol = OMIT,
	  .req_ext = OMIT, .resp_protocol = OMIT, .resp_ext = OMIT },
	{ .name = "valid, second offer taken",
	  .req_ext = "permessage-deflate; server_max_window_bits=10, "
	  "permessage-deflate", .resp_ext = "permessage-deflate" },
	{ .name = "valid, smaller server window",
	  .req_ext = "permessage-deflate; server_max_window_bits=10",
	  .resp_ext = "permessage-deflate; server_max_window_bits=9" },
	{ .name = "POST", .req_line = "POST /chat HTTP/1.1",
	  .rule = RULE_BAD_REQUEST_LINE, .side = "client",
	  .expected = "GET HTTP/1.1", .seen = "POST HTTP/1.1" },
	{ .name = "HTTP/1.0", .req_line = "GET /chat HTTP/1.0",
	  .rule = RULE_BAD_REQUEST_LINE, .side = "client", .seen = "GET HTTP/1.0" },
	{ .name = "no Upgrade", .req_upgrade = OMIT,
	  .rule = RULE_MISSING_UPGRADE_HEADER, .side = "client",
	  .expected = "Upgrade: websocket", .seen = "(absent)" },
	{ .name = "Upgrade h2c", .req_upgrade = "h2c, websocket2",
	  .rule = RULE_MISSING_UPGRADE_HEADER, .side = "client",
	  .seen = "h2c, websocket2" },
	{ .name = "Connection keep-alive", .req_connection = "keep-alive",
	  .rule = RULE_MISSING_UPGRADE_HEADER, .side = "client",
	  .expected = "Connection: Upgrade", .seen = "keep-alive" },
	{ .name = "no key", .req_key = OMIT, .rule = RULE_BAD_KEY,
	  .side = "client", .seen = "(absent)" },
	{ .name = "short key", .req_key = "abc", .rule = RULE_BAD_KEY,
	  .side = "client", .seen = "abc" },
	{ .name = "key of 17 bytes", .req_key = "dGhlIHNhbXBsZSBub25jZR==",
	  .rule = RULE_BAD_KEY, .side = "client" },
	{ .name = "version 8", .req_version = "8", .rule = RULE_BAD_VERSION,
	  .side = "client", .expected = "13", .seen = "8" },
	{ .name = "no version", .req_version = OMIT, .rule = RULE_BAD_VERSION,
	  .side = "client", .seen = "(absent)" },
	{ .name = "server without Upgrade", .resp_upgrade = OMIT,
	  .rule = RULE_MISSING_UPGRADE_HEADER, .side = "server",
	  .seen = "(absent)" },
	{ .name = "server Connection close", .resp_connection = "close",
	  .rule = RULE_MISSING_UPGRADE_HEADER, .side = "server",
	  .expected = "Connection: Upgrade", .seen = "close" },
	{ .name = "wrong accept", .resp_accept = "HSmrc0sMlYUkAGmm5OPpG2HaGWk=",
	  .rule = RULE_BAD_ACCEPT_KEY, .side = "server",
	  .expected = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
	  .seen = "HSmrc0sMlYUkAGmm5OPpG2HaGWk=" },
	{ .name = "no accept", .resp_accept = OMIT, .rule = RULE_BAD_ACCEPT_KEY,
	  .side = "server", .expected = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
	  .seen = "(absent)" },
	{ .name = "subprotocol not offered", .resp_protocol = "mqtt",
	  .rule = RULE_SUBPROTOCOL_NOT_OFFERED, .side = "server",
	  .expected = "chat, superchat", .seen = "mqtt" },
	{ .name = "subprotocol with none offered", .req_protocol = OMIT,
	  .rule = RULE_SUBPROTOCOL_NOT_OFFERED, .side = "server",
	  .expected = "(none offered)", .seen = "chat" },
	{ .name = "two subprotocols chosen", .resp_protocol = "chat, superchat",
	  .rule = RULE_SUBPROTOCOL_NOT_OFFERED, .side = "server" },
	{ .name = "subprotocol case differs", .resp_protocol = "Chat",
	  .rule = RULE_SUBPROTOCOL_NOT_OFFERED, .side = "server" },
	{ .name = "extension not offered", .resp_ext = "x-webkit-deflate-frame",
	  .rule = RULE_EXTENSION_NOT_OFFERED, .side = "server",
	  .seen = "x-webkit-deflate-frame" },
	{ .name = "deflate with none offered", .req_ext = OMIT,
	  .rule = RULE_EXTENSION_NOT_OFFERED, .side = "server",
	  .expected = "(none offered)", .seen = "permessage-deflate" },
	{ .name = "window bits 7",
	  .resp_ext = "permessage-deflate; server_max_window_bits=7",
	  .rule = RULE_INVALID_DEFLATE_PARAMS, .side = "server",
	  .seen = "server_max_window_bits=7 not in 8..15" },
	{ .name = "unknown deflate parameter",
	  .resp_ext = "permessage-deflate; client_max_window_bits=10; x=1",
	  .rule = RULE_INVALID_DEFLATE_PARAMS, .side = "server",
	  .seen = "unknown parameter x" },
	{ .name = "client window not offered", .req_ext = "permessage-deflate",
	  .resp_ext = "permessage-deflate; client_max_window_bits=10",
	  .rule = RULE_INVALID_DEFLATE_PARAMS, .side = "server",
	  .seen = "client_max_window_bits=10 not offered" },
	{ .name = "server window above the offer",
	  .req_ext = "permessage-deflate; server_max_window_bits=10",
	  .resp_ext = "permessage-deflate; server_max_window_bits=12",
	  .rule = RULE_INVALID_DEFLATE_PARAMS, .side = "server" },
	{ .name = "offered server window ignored",
	  .req_ext = "permessage-deflate; server_max_window_bits=10",
	  .resp_ext = "permessage-deflate",
	  .rule = RULE_INVALID_DEFLATE_PARAMS, .side = "server" },
	{ .name = "deflate twice",
	  .resp_ext = "permessage-deflate, permessage-deflate",
	  .rule = RULE_INVALID_DEFLATE_PARAMS, .side = "server",
	  .seen = "permessage-deflate listed 2 times" },
	{ .name = "refused", .status_line = "HTTP/1.1 403 Forbidden",
	  .rule = RULE_HANDSHAKE_REFUSED, .side = "server",
	  .expected = "101 Switching Protocols", .seen = "403 Forbidden" },
	/* The only issue of a refused upgrade, whatever else is wrong. */
	{ .name = "refused bad version", .req_version = "8",
	  .status_line = "HTTP/1.1 426 Upgrade Required", .resp_accept = OMIT,
	  .rule = RULE_HANDSHAKE_REFUSED, .side = "server",
	  .seen = "426 Upgrade Required" },
};

static void
test_checks(void **state)
{
	const struct hs_case *c;
	struct http_head      req, resp;
	struct hs_result      r;
	size_t                i;

	for (i = 0; i < sizeof hs_cases / sizeof hs_cases[0]; i++) {
		c = &hs_cases[i];
		hs_build(c, &req, &resp);
		http_upgrade_check(&req, &resp, &r);
		if (c->rule == RULE_NONE) {
			if (r.nissues != 0)
				fail_msg("%s: unexpected %s (%s): expected \"%s\" "
				    "seen \"%s\"", c->name,
				    rule_name(r.issues[0].rule),
				    r.issues[0].side, r.issues[0].expected,
				    r.issues[0].seen);
			assert_true(r.upgraded);
			continue;
		}
		if (r.nissues != 1)
			fail_msg("%s: %d issues, first %s", c->name, r.nissues,
			    r.nissues > 0 ? rule_name(r.issues[0].rule) : "-");
		if (r.issues[0].rule != c->rule ||
		    strcmp(r.issues[0].side, c->side) != 0)
			fail_msg("%s: got %s by %s", c->name,
			    rule_name(r.issues[0].rule), r.issues[0].side);
		if (c->expected != NULL)
			assert_string_equal(r.issues[0].expected, c->expected);
		if (c->seen != NULL)
			assert_string_equal(r.issues[0].seen, c->seen);
	}
}

static void
test_check_results(void **state)
{
	static const struct hs_case plain = { .name = "plain",
	    .req_ext = OMIT, .resp_ext = OMIT, .resp_protocol = OMIT };
	static const struct hs_case refused = { .name = "refused",
	    .status_line = "HTTP/1.1 400 Bad Request" };
	struct http_head h, req, resp;
	struct hs_result r;
	const char      *t;

	assert_int_equal(parse(1, sample_req, strlen(sample_req), &req, NULL,
	    NULL), HTTP_DONE);
	assert_int_equal(parse(0, sample_resp, sizeof sample_resp - 1, &resp,
	    NULL, NULL), HTTP_DONE);
	http_upgrade_check(&req, &resp, &r);
	assert_int_equal(r.nissues, 0);
	assert_true(r.upgraded);
	assert_true(r.deflate);
	assert_true(r.pmd.present);
	assert_true(r.pmd.valid);
	assert_true(r.pmd.server_no_context_takeover);
	assert_false(r.pmd.client_no_context_takeover);
	assert_int_equal(r.pmd.client_max_window_bits, 10);
	assert_int_equal(r.pmd.server_max_window_bits, 15);
	assert_string_equal(r.subprotocol, "chat");
	assert_string_equal(r.extensions, "permessage-deflate; "
	    "server_no_context_takeover; client_max_window_bits=10");

	hs_build(&plain, &req, &resp);
	http_upgrade_check(&req, &resp, &r);
	assert_int_equal(r.nissues, 0);
	assert_true(r.upgraded);
	assert_false(r.deflate);
	assert_false(r.pmd.present);
	assert_string_equal(r.subprotocol, "");

	hs_build(&refused, &req, &resp);
	http_upgrade_check(&req, &resp, &r);
	assert_false(r.upgraded);
	assert_false(r.deflate);

	/* One side only: what needs the other is skipped. */
	hs_build(&plain, &req, &resp);
	http_upgrade_check(NULL, &resp, &r);
	assert_int_equal(r.nissues, 0);
	assert_true(r.upgraded);
	req.ws_version[0] = '\0';
	http_upgrade_check(&req, NULL, &r);
	assert_int_equal(r.nissues, 1);
	assert_int_equal(r.issues[0].rule, RULE_BAD_VERSION);
	assert_false(r.upgraded);

	/* A wholly broken pair stays within the issue array. */
	assert_int_equal(parse(1, "PUT / HTTP/1.0\r\n\r\n", 18, &req, NULL, NULL),
	    HTTP_DONE);
	t = "HTTP/1.1 101 OK\r\nSec-WebSocket-Extensions: "
	    "a, b, c, d, e, f, g, h, i, j, k, l, m, n\r\nSec-WebSocket-Protocol: "
	    "p\r\n\r\n";
	assert_int_equal(parse(0, t, strlen(t), &h, NULL, NULL), HTTP_DONE);
	http_upgrade_check(&req, &h, &r);
	assert_int_equal(r.nissues, 16);
	assert_int_equal(r.issues[0].rule, RULE_BAD_REQUEST_LINE);
	assert_int_equal(r.issues[15].rule, RULE_EXTENSION_NOT_OFFERED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_request),
		cmocka_unit_test(test_sample_response),
		cmocka_unit_test(test_split_every_byte),
		cmocka_unit_test(test_accept_key),
		cmocka_unit_test(test_header_variants),
		cmocka_unit_test(test_leading_empty_lines),
		cmocka_unit_test(test_truncated_values),
		cmocka_unit_test(test_status_lines),
		cmocka_unit_test(test_content_length_and_te),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_malformed_heads),
		cmocka_unit_test(test_control_bytes_kept),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_looks_like),
		cmocka_unit_test(test_body_content_length),
		cmocka_unit_test(test_body_chunked),
		cmocka_unit_test(test_body_errors),
		cmocka_unit_test(test_body_kinds),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_pmd_valid),
		cmocka_unit_test(test_pmd_invalid),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_check_results),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
