/*
 * fuzz-request: what replay sends first (src/replay.h): the target URL
 * parsed, and a captured request (hostile bytes from a capture) rewritten
 * with the target's Host and replacement headers, checked against what
 * the header promises.
 *
 * Input: byte 0 picks the URL (bit 7: the input's text after it, up to a
 * NUL; else fr_urls[b & 3]), the number of headers (bits 2-3; the first
 * is a Host, which replaces the target's) and the output size (bits 4-6,
 * fr_sizes); the rest is the request.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "replay.h"

static const char *const fr_urls[4] = {
	"ws://127.0.0.1:8080/", "ws://[::1]:9", "ws://staging/x?y=1",
	"wss://h.example:443/p"
};
static const char *const fr_headers[3] = {
	"Host: evil", "sec-websocket-key: AAAAAAAAAAAAAAAAAAAAAA==",
	"X-Token: 1"
};
static const size_t fr_sizes[8] = { 1, 16, 64, 200, 512, 2048, 16384, 65536 };

static void fr_check_url(const struct replay_url *);
static int  fr_line(const char *, size_t, const char *);

/* line (with its CRLF) starts out or follows a CRLF in it. */
static int
fr_line(const char *out, size_t n, const char *line)
{
	size_t      k = strlen(line);
	const char *p = out;

	if (n >= k && memcmp(out, line, k) == 0)
		return 1;
	while ((p = memmem(p, n - (size_t)(p - out), line, k)) != NULL) {
		if (p - out >= 2 && p[-2] == '\r' && p[-1] == '\n')
			return 1;
		p++;
	}
	return 0;
}

static void
fr_check_url(const struct replay_url *u)
{
	long port = strtol(u->port, NULL, 10);

	FUZZ_CHECK(memchr(u->host, '\0', sizeof u->host) != NULL);
	FUZZ_CHECK(u->host[0] != '\0');
	FUZZ_CHECK(memchr(u->port, '\0', sizeof u->port) != NULL);
	FUZZ_CHECK(port >= 1 && port <= 65535);
	FUZZ_CHECK(memchr(u->path, '\0', sizeof u->path) != NULL);
	FUZZ_CHECK(u->path[0] == '\0' || u->path[0] == '/');
	FUZZ_CHECK(memchr(u->hostport, '\0', sizeof u->hostport) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct replay_url u;
	char             *url, *out, key[64], err[200], host[300];
	size_t            n, len, outlen, k;
	int               nh;

	if (size < 1)
		return 0;
	nh = (data[0] >> 2) & 3;
	outlen = fr_sizes[(data[0] >> 4) & 7];
	if (data[0] & 0x80) {
		len = strnlen((const char *)data + 1, size - 1);
		url = malloc(len + 1);
		memcpy(url, data + 1, len);
		url[len] = '\0';
		if (replay_url_parse(url, &u, err, sizeof err) == 0)
			fr_check_url(&u);
		else
			FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
		free(url);
	}
	if (replay_url_parse(fr_urls[data[0] & 3], &u, err, sizeof err) != 0)
		abort();
	fr_check_url(&u);
	out = malloc(outlen);
	n = replay_request(data + 1, size - 1, &u, fr_headers, nh, out, outlen,
	    key, sizeof key);
	FUZZ_CHECK(memchr(key, '\0', sizeof key) != NULL);
	if (n > 0) {
		FUZZ_CHECK(n < outlen);
		FUZZ_CHECK(out[n] == '\0');
		FUZZ_CHECK(n >= 4 && memcmp(out + n - 4, "\r\n\r\n", 4) == 0);
		/* The target's Host, and every header given, on lines of their own. */
		snprintf(host, sizeof host, "Host: %s\r\n", u.hostport);
		FUZZ_CHECK(nh > 0 || fr_line(out, n, host));
		for (k = 0; k < (size_t)nh; k++) {
			snprintf(host, sizeof host, "%s\r\n", fr_headers[k]);
			FUZZ_CHECK(fr_line(out, n, host));
		}
	}
	free(out);
	return 0;
}
