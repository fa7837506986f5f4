/*
 * replay: the parts of a replay that do no I/O, kept apart so that the
 * unit tests can hold them to their word.
 */
#include "config.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "replay.h"

static int  replay_v4_private(const uint8_t *);

void
replay_schedule(const double *t, size_t n, double speed, double rate,
    double *out)
{
	double gap = rate > 0 ? 1.0 / rate : 0, at;
	size_t i;

	for (i = 0; i < n; i++) {
		at = speed > 0 ? (t[i] - t[0]) / speed : 0;
		if (i > 0 && at < out[i - 1] + gap)
			at = out[i - 1] + gap;
		out[i] = at;
	}
}

void
replay_describe(const struct replay_outcome *o, char *buf, size_t len)
{
	char code[16] = "";

	if (o->how == REPLAY_END_CLOSE) {
		if (o->code >= 0)
			snprintf(code, sizeof code, " %d", o->code);
		else
			snprintf(code, sizeof code, " with no code");
	}
	if (o->how == REPLAY_END_NONE)
		snprintf(buf, len, "nothing");
	else if (o->after < 0)
		snprintf(buf, len, "%s%s before any client frame",
		    o->how == REPLAY_END_CLOSE ? "closed" :
		    "ended the connection with no close", code);
	else
		snprintf(buf, len, "%s%s after client frame %lld",
		    o->how == REPLAY_END_CLOSE ? "closed" :
		    "ended the connection with no close", code,
		    (long long)o->after);
}

enum replay_verdict
replay_compare(const struct replay_outcome *cap,
    const struct replay_outcome *live, char *line, size_t len)
{
	char                c[128], l[128], end[64];
	enum replay_verdict v;

	replay_describe(cap, c, sizeof c);
	replay_describe(live, l, sizeof l);
	if (live->mismatch) {
		snprintf(line, len, "different: server agreed other extensions "
		    "or subprotocol, nothing sent; --reframe re-encodes for it "
		    "(captured: %s)", c);
		return REPLAY_DIFFERENT;
	}
	if (live->how == REPLAY_END_NONE) {
		if (live->answered && live->answer_code >= 0)
			snprintf(end, sizeof end, "closed %d",
			    live->answer_code);
		else if (live->answered)
			snprintf(end, sizeof end, "closed");
		else
			snprintf(end, sizeof end, "did not close");
		v = cap->how == REPLAY_END_NONE ? REPLAY_REPRODUCED :
		    REPLAY_NOT;
		snprintf(line, len, "%s: server accepted all %llu client "
		    "message%s and %s (captured: %s)",
		    v == REPLAY_REPRODUCED ? "reproduced" : "not reproduced",
		    (unsigned long long)live->messages,
		    live->messages == 1 ? "" : "s", end, c);
		return v;
	}
	v = cap->how == live->how && cap->code == live->code &&
	    cap->after == live->after ? REPLAY_REPRODUCED : REPLAY_DIFFERENT;
	snprintf(line, len, "%s: server %s (captured: %s)",
	    v == REPLAY_REPRODUCED ? "reproduced" : "different", l, c);
	return v;
}

size_t
replay_request(const uint8_t *req, size_t reqlen,
    const struct replay_url *url, const char *const *headers, int nheaders,
    char *out, size_t outlen, char *key, size_t keylen)
{
	const char *p = (const char *)req, *end = p + reqlen;
	const char *eol, *sp1, *sp2, *colon, *v;
	size_t      n = 0, len, nl;
	int         first = 1, i, k;

	key[0] = '\0';
#define REPLAY_PUT(s, l) do {                                               \
		if (n + (l) >= outlen)                                  \
			return 0;                                       \
		memcpy(out + n, (s), (l));                              \
		n += (l);                                               \
	} while (0)
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		len = (size_t)(eol - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len == 0 && first) {          /* empty lines before it */
			p = eol + 1;
			continue;
		}
		if (len == 0)
			break;
		if (first) {
			first = 0;
			sp1 = memchr(p, ' ', len);
			sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ',
			    len - (size_t)(sp1 + 1 - p)) : NULL;
			if (url->path[0] != '\0' && sp2 != NULL) {
				REPLAY_PUT(p, (size_t)(sp1 + 1 - p));
				REPLAY_PUT(url->path, strlen(url->path));
				REPLAY_PUT(sp2, len - (size_t)(sp2 - p));
			} else
				REPLAY_PUT(p, len);
			REPLAY_PUT("\r\n", 2);
			p = eol + 1;
			continue;
		}
		colon = memchr(p, ':', len);
		nl = colon != NULL ? (size_t)(colon - p) : len;
		k = colon != NULL && nl == 4 && strncasecmp(p, "host", 4) == 0;
		for (i = 0; i < nheaders && !k; i++)
			k = strncasecmp(p, headers[i], nl) == 0 &&
			    headers[i][nl] == ':';
		if (!k) {
			REPLAY_PUT(p, len);
			REPLAY_PUT("\r\n", 2);
		}
		p = eol + 1;
	}
	/* A Host given as a header wins over the target's (virtual hosts). */
	for (i = 0, k = 0; i < nheaders && !k; i++)
		k = strncasecmp(headers[i], "host:", 5) == 0;
	if (!k) {
		REPLAY_PUT("Host: ", 6);
		REPLAY_PUT(url->hostport, strlen(url->hostport));
		REPLAY_PUT("\r\n", 2);
	}
	for (i = 0; i < nheaders; i++) {
		REPLAY_PUT(headers[i], strlen(headers[i]));
		REPLAY_PUT("\r\n", 2);
	}
	REPLAY_PUT("\r\n", 2);
#undef REPLAY_PUT
	out[n] = '\0';
	/* The key as sent, for the accept check. */
	for (p = out; (p = strchr(p, '\n')) != NULL; ) {
		p++;
		if (strncasecmp(p, "sec-websocket-key:", 18) != 0)
			continue;
		v = p + 18;
		while (*v == ' ' || *v == '\t')
			v++;
		len = strcspn(v, " \t\r\n");
		snprintf(key, keylen, "%.*s", (int)len, v);
	}
	return n;
}

int
replay_url_parse(const char *url, struct replay_url *u, char *err,
    size_t errlen)
{
	const char *p, *hostend, *colon, *slash;
	size_t      n;
	long        port;
	char       *e;

	memset(u, 0, sizeof *u);
	if (strncmp(url, "ws://", 5) == 0)
		p = url + 5;
	else if (strncmp(url, "wss://", 6) == 0) {
		p = url + 6;
		u->tls = 1;
	} else {
		snprintf(err, errlen, "the target must start with ws:// or "
		    "wss://");
		return -1;
	}
	slash = strchr(p, '/');
	hostend = slash != NULL ? slash : p + strlen(p);
	if (*p == '[') {
		colon = memchr(p, ']', (size_t)(hostend - p));
		if (colon == NULL) {
			snprintf(err, errlen, "the target's IPv6 address has "
			    "no closing ]");
			return -1;
		}
		n = (size_t)(colon - p - 1);
		if (n >= sizeof u->host)
			goto long_host;
		memcpy(u->host, p + 1, n);
		colon++;
		if (colon != hostend && *colon != ':') {
			snprintf(err, errlen, "the target has bytes after "
			    "its address's ]");
			return -1;
		}
		if (colon == hostend)
			colon = NULL;
	} else {
		colon = memchr(p, ':', (size_t)(hostend - p));
		n = (size_t)((colon != NULL ? colon : hostend) - p);
		if (n >= sizeof u->host)
			goto long_host;
		memcpy(u->host, p, n);
	}
	if (u->host[0] == '\0') {
		snprintf(err, errlen, "the target names no host");
		return -1;
	}
	if (colon != NULL) {
		n = (size_t)(hostend - colon - 1);
		port = strtol(colon + 1, &e, 10);
		if (n == 0 || n >= sizeof u->port || e != hostend ||
		    port < 1 || port > 65535) {
			snprintf(err, errlen, "the target's port must be a "
			    "number from 1 to 65535");
			return -1;
		}
		memcpy(u->port, colon + 1, n);
	} else
		snprintf(u->port, sizeof u->port, "%s", u->tls ? "443" : "80");
	if (slash != NULL) {
		if (strlen(slash) >= sizeof u->path) {
			snprintf(err, errlen, "the target's path is too long");
			return -1;
		}
		snprintf(u->path, sizeof u->path, "%s", slash);
	}
	n = (size_t)(hostend - p);
	memcpy(u->hostport, p, n);
	u->hostport[n] = '\0';
	return 0;
long_host:
	snprintf(err, errlen, "the target's host name is too long");
	return -1;
}

/* An IPv4 address, its four bytes, on this host or a private network. */
static int
replay_v4_private(const uint8_t *a)
{
	return a[0] == 127 || a[0] == 10 ||
	    (a[0] == 172 && (a[1] & 0xf0) == 16) ||
	    (a[0] == 192 && a[1] == 168) ||
	    (a[0] == 169 && a[1] == 254);
}

int
replay_addr_private(const struct sockaddr *sa)
{
	static const uint8_t loop[16] = { [15] = 1 };
	static const uint8_t v4map[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t       *a;

	if (sa->sa_family == AF_INET)
		return replay_v4_private((const uint8_t *)
		    &((const struct sockaddr_in *)(const void *)sa)->sin_addr);
	if (sa->sa_family != AF_INET6)
		return 0;
	a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	return memcmp(a, loop, 16) == 0 ||
	    (a[0] & 0xfe) == 0xfc ||                    /* fc00::/7 */
	    (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||  /* fe80::/10 */
	    (memcmp(a, v4map, 12) == 0 && replay_v4_private(a + 12));
}
