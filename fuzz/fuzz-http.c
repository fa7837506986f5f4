/*
 * fuzz-http: the HTTP/1.1 Upgrade parser (src/http-upgrade.h).
 *
 * Input: byte 0-1 where the request ends and the response starts
 * (big-endian, modulo the bytes left), byte 2-3 seed the chunking, then
 * the request bytes and the response bytes. Each side is parsed in chunks
 * of data-derived sizes; after each head its body is skipped with
 * http_body_feed and the parser reset for the next message, as on a
 * keep-alive connection. The last heads go through http_upgrade_check in
 * every combination and their extensions through pmd_parse.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "http-upgrade.h"

#define FH_MAX_MESSAGES 4

struct fh_side {
	struct http_head head;   /* last complete head */
	int              have;
};

static size_t	fh_chunk(uint64_t *, size_t);
static void	fh_check_str(const char *, size_t);
static void	fh_check_head(const struct http_head *);
static size_t	fh_body(const struct http_head *, const uint8_t *, size_t,
		    uint64_t *, int *);
static void	fh_side(const uint8_t *, size_t, int, uint64_t *,
		    struct fh_side *);
static void	fh_pmd(const char *, int);
static void	fh_check(const struct http_head *, const struct http_head *);

/* Mostly small chunks, sometimes one byte, sometimes everything left. */
static size_t
fh_chunk(uint64_t *rs, size_t left)
{
	uint64_t r = fuzz_rand(rs);
	size_t   n;

	switch (r & 3) {
	case 0:
		n = 1;
		break;
	case 1:
		n = left;
		break;
	default:
		n = 1 + (size_t)((r >> 8) % 64);
		break;
	}
	return n < left ? n : left;
}

/* A fixed-size text field is NUL-terminated inside its array. */
static void
fh_check_str(const char *s, size_t size)
{
	FUZZ_CHECK(memchr(s, '\0', size) != NULL);
}

static void
fh_check_head(const struct http_head *h)
{
#define FH_STR(f) fh_check_str(h->f, sizeof h->f)
	FH_STR(method); FH_STR(target); FH_STR(version); FH_STR(reason);
	FH_STR(host); FH_STR(origin); FH_STR(user_agent); FH_STR(server);
	FH_STR(upgrade); FH_STR(connection); FH_STR(key); FH_STR(ws_version);
	FH_STR(protocol); FH_STR(extensions); FH_STR(accept);
#undef FH_STR
	FUZZ_CHECK(h->nheaders >= 0 && h->nheaders <= HTTP_MAX_HEADERS);
	FUZZ_CHECK(h->head_len <= HTTP_MAX_HEAD);
	FUZZ_CHECK(h->content_length >= -1);
}

/* Skips the body after head h; returns bytes used, *done at its end. */
static size_t
fh_body(const struct http_head *h, const uint8_t *p, size_t n, uint64_t *rs,
    int *done)
{
	struct http_body b;
	size_t           off = 0, chunk, used;

	http_body_init(&b, h, (fuzz_rand(rs) & 7) == 0);
	*done = 0;
	while (off < n) {
		chunk = fh_chunk(rs, n - off);
		used = http_body_feed(&b, p + off, chunk, done);
		FUZZ_CHECK(used <= chunk);
		off += used;
		if (*done)
			break;
		/* Not done: the body takes everything it is given. */
		FUZZ_CHECK(used == chunk);
	}
	if (b.error != NULL)
		FUZZ_CHECK(*done);
	return off;
}

static void
fh_side(const uint8_t *p, size_t n, int is_request, uint64_t *rs,
    struct fh_side *out)
{
	struct http_parser	*hp = http_parser_new(is_request);
	const char		*err;
	enum http_status	 st = HTTP_NEED_MORE;
	size_t			 off = 0, chunk, used, i;
	int			 msg, done;

	(void)http_looks_like_request(p, n);
	(void)http_looks_like_response(p, n);
	for (msg = 0; msg < FH_MAX_MESSAGES && off < n; msg++) {
		st = HTTP_NEED_MORE;
		while (off < n && st == HTTP_NEED_MORE) {
			chunk = fh_chunk(rs, n - off);
			used = (size_t)-1;
			st = http_parser_feed(hp, p + off, chunk, &used);
			FUZZ_CHECK(used <= chunk);
			if (st == HTTP_NEED_MORE)
				FUZZ_CHECK(used == chunk);
			off += used;
		}
		err = http_parser_error(hp);
		FUZZ_CHECK(err != NULL);
		for (i = 0; err[i] != '\0'; i++)
			FUZZ_CHECK((unsigned char)err[i] >= 0x20 &&
			    err[i] != 0x7f);
		if (st == HTTP_NEED_MORE)
			break;
		/* DONE and ERROR are sticky and consume nothing. */
		if (off < n) {
			enum http_status again;

			used = (size_t)-1;
			again = http_parser_feed(hp, p + off, n - off, &used);
			FUZZ_CHECK(again == st && used == 0);
		}
		if (st == HTTP_ERROR) {
			FUZZ_CHECK(err[0] != '\0');
			break;
		}
		fh_check_head(http_parser_head(hp));
		out->head = *http_parser_head(hp);
		out->have = 1;
		FUZZ_CHECK(out->head.is_request == is_request);
		off += fh_body(&out->head, p + off, n - off, rs, &done);
		if (!done)
			break;
		http_parser_reset(hp);
	}
	http_parser_free(hp);
}

static void
fh_pmd(const char *ext, int is_response)
{
	struct pmd_params pp;
	int               n;

	memset(&pp, 0xa5, sizeof pp);
	n = pmd_parse(ext, is_response, &pp);
	FUZZ_CHECK(n >= 0);
	fh_check_str(pp.error, sizeof pp.error);
	if (!pp.present)
		return;
	/* "valid" and an empty error say the same thing. */
	FUZZ_CHECK(pp.valid == (pp.error[0] == '\0'));
	if (pp.valid) {
		FUZZ_CHECK(pp.server_max_window_bits >= 8 &&
		    pp.server_max_window_bits <= 15);
		FUZZ_CHECK((pp.client_max_window_bits >= 8 &&
		    pp.client_max_window_bits <= 15) ||
		    (!is_response && pp.client_max_window_bits == -1));
	}
}

static void
fh_check(const struct http_head *req, const struct http_head *resp)
{
	struct hs_result r;
	int              i;

	memset(&r, 0xa5, sizeof r);
	http_upgrade_check(req, resp, &r);
	FUZZ_CHECK(r.nissues >= 0 &&
	    r.nissues <= (int)(sizeof r.issues / sizeof r.issues[0]));
	fh_check_str(r.subprotocol, sizeof r.subprotocol);
	fh_check_str(r.extensions, sizeof r.extensions);
	for (i = 0; i < r.nissues; i++) {
		FUZZ_CHECK(rule_get(r.issues[i].rule) != NULL);
		FUZZ_CHECK(r.issues[i].side != NULL);
		fh_check_str(r.issues[i].expected,
		    sizeof r.issues[i].expected);
		fh_check_str(r.issues[i].seen, sizeof r.issues[i].seen);
	}
	if (r.upgraded && r.deflate)
		FUZZ_CHECK(r.pmd.present);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fh_side	 req, resp;
	uint64_t	 rs;
	size_t		 n, split;
	char		 accept[29], text[1024];

	if (size < 4)
		return 0;
	n = size - 4;
	split = ((size_t)data[0] << 8 | data[1]) % (n + 1);
	rs = (uint64_t)data[2] << 8 | data[3];
	memset(&req, 0, sizeof req);
	memset(&resp, 0, sizeof resp);
	fh_side(data + 4, split, 1, &rs, &req);
	fh_side(data + 4 + split, n - split, 0, &rs, &resp);

	if (req.have) {
		fh_pmd(req.head.extensions, 0);
		ws_accept_for_key(req.head.key, accept);
		FUZZ_CHECK(strlen(accept) == 28);
	}
	if (resp.have)
		fh_pmd(resp.head.extensions, 1);
	fh_check(req.have ? &req.head : NULL, resp.have ? &resp.head : NULL);
	fh_check(req.have ? &req.head : NULL, NULL);
	fh_check(NULL, resp.have ? &resp.head : NULL);

	/* The raw bytes as an extensions header, both ways. */
	n = size - 4 < sizeof text - 1 ? size - 4 : sizeof text - 1;
	memcpy(text, data + 4, n);
	text[n] = '\0';
	fh_pmd(text, 0);
	fh_pmd(text, 1);
	return 0;
}
