/*
 * The HTTP/1.1 Upgrade handshake: an incremental head parser, a body
 * skipper for keep-alive connections, permessage-deflate parameters and the
 * RFC 6455 section 4 checks on a request/response pair.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "http-upgrade.h"

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum http_pstate { HP_START, HP_HEADERS, HP_DONE, HP_ERROR };

struct http_parser {
	int               is_request;
	enum http_pstate  state;
	char             *line;      /* up to HTTP_MAX_LINE + 1 bytes: a line and its CR */
	size_t            line_len;
	size_t            line_cap;  /* grown as lines need: most are short */
	int               start_sp;  /* the start line has reached its first space */
	uint32_t          seen;      /* bit per http_fields entry already filled */
	struct http_head  head;
	char              error[128];
};

/* Headers kept in struct http_head; repeats are combined into the field. */
static const struct http_field {
	const char *name;
	size_t      off;
	size_t      size;
} http_fields[] = {
#define HTTP_FIELD(n, f) { n, offsetof(struct http_head, f), sizeof ((struct http_head *)0)->f }
	HTTP_FIELD("host", host),
	HTTP_FIELD("origin", origin),
	HTTP_FIELD("user-agent", user_agent),
	HTTP_FIELD("server", server),
	HTTP_FIELD("upgrade", upgrade),
	HTTP_FIELD("connection", connection),
	HTTP_FIELD("sec-websocket-key", key),
	HTTP_FIELD("sec-websocket-version", ws_version),
	HTTP_FIELD("sec-websocket-protocol", protocol),
	HTTP_FIELD("sec-websocket-extensions", extensions),
	HTTP_FIELD("sec-websocket-accept", accept),
#undef HTTP_FIELD
};
#define HTTP_NFIELDS (sizeof http_fields / sizeof http_fields[0])
/* Bits of http_head.truncated after the header fields' (1 << index). */
#define HTTP_CUT_TARGET (1u << HTTP_NFIELDS)
#define HTTP_CUT_REASON (1u << (HTTP_NFIELDS + 1))
#define HTTP_CUT_OTHER  (1u << (HTTP_NFIELDS + 2))   /* method or version */

/* Chunked body states (struct http_body.state). */
enum {
	HB_DONE,
	HB_LENGTH,     /* remaining bytes of a Content-Length body */
	HB_UNTIL_CLOSE,
	HB_SIZE,       /* chunk-size hex digits */
	HB_EXT,        /* chunk extension, skipped */
	HB_SIZE_LF,    /* CR seen after the size line */
	HB_DATA,
	HB_DATA_CR,    /* CRLF after chunk data */
	HB_DATA_LF,
	HB_TRAILER,    /* start of a trailer line (or the final empty line) */
	HB_TRAILER_LINE,
	HB_END_LF,
	HB_ERROR
};

/* Bits of the permessage-deflate parameters seen in one element. */
#define PMD_SNCT 0x1u
#define PMD_CNCT 0x2u
#define PMD_SMWB 0x4u
#define PMD_CMWB 0x8u

static void	 http_fail(struct http_parser *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
static int	 http_take(struct http_parser *, uint8_t);
static int	 http_start_byte(struct http_parser *, uint8_t);
static int	 http_line(struct http_parser *);
static int	 http_start_line(struct http_parser *, const char *, size_t);
static int	 http_request_line(struct http_parser *, const char *, size_t);
static int	 http_status_line(struct http_parser *, const char *, size_t);
static int	 http_version_ok(const char *, size_t);
static int	 http_header_line(struct http_parser *, const char *, size_t);
static int	 http_content_length(struct http_parser *, const char *, size_t);
static void	 http_transfer_encoding(struct http_parser *, const char *, size_t);
static void	 http_put(struct http_head *, unsigned, char *, size_t, const char *, size_t,
		    int);
static int	 http_tchar(int);
static int	 http_lower(int);
static int	 http_ci_eq(const char *, size_t, const char *);
static int	 http_ci_eqn(const char *, const char *, size_t);
static int	 http_list_next(const char **, const char **, size_t *);
static int	 http_list_has(const char *, const char *, int);
static size_t	 http_token(const char *, size_t);
static size_t	 http_body_chunked(struct http_body *, const uint8_t *, size_t, int *);
static int	 http_body_size_end(struct http_body *);
static int	 pmd_walk(const char *, int, int, struct pmd_params *, uint32_t *, int *);
static void	 pmd_defaults(struct pmd_params *);
static void	 pmd_element(const char *, size_t, int, struct pmd_params *, uint32_t *);
static void	 pmd_param(const char *, size_t, int, const char *, size_t, int,
		     struct pmd_params *, uint32_t *);
static int	 pmd_bits(const char *, size_t);
static void	 pmd_fail(struct pmd_params *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
static int	 pmd_matches_offer(const struct pmd_params *, uint32_t,
		     const struct pmd_params *, uint32_t, char *, size_t);
static void	 hs_add(struct hs_result *, enum rule_id, const char *, const char *,
		     const char *);
static const char *hs_or_absent(const char *);
static void	 hs_copy(char *, size_t, const char *);
static void	 hs_check_request(const struct http_head *, struct hs_result *);
static void	 hs_check_response(const struct http_head *, const struct http_head *,
		     struct hs_result *);
static void	 hs_check_extensions(const struct http_head *, const struct http_head *,
		     struct hs_result *);
static void	 hs_check_deflate(const struct http_head *, struct hs_result *);
static int	 hs_key_ok(const char *);

/* ---- head parser ---- */

struct http_parser *
http_parser_new(int is_request)
{
	struct http_parser *hp = xcalloc(1, sizeof *hp);

	hp->is_request = is_request;
	http_parser_reset(hp);
	return hp;
}

void
http_parser_reset(struct http_parser *hp)
{
	int is_request = hp->is_request;
	char *line = hp->line;
	size_t cap = hp->line_cap;

	memset(hp, 0, sizeof *hp);
	hp->is_request = is_request;
	hp->line = line;
	hp->line_cap = cap;
	hp->state = HP_START;
	hp->head.is_request = is_request;
	hp->head.content_length = -1;
}

void
http_parser_free(struct http_parser *hp)
{
	if (hp == NULL)
		return;
	free(hp->line);
	free(hp);
}

const struct http_head *
http_parser_head(const struct http_parser *hp)
{
	return &hp->head;
}

const char *
http_parser_error(const struct http_parser *hp)
{
	return hp->error;
}

enum http_status
http_parser_feed(struct http_parser *hp, const uint8_t *p, size_t n, size_t *used)
{
	size_t i;
	int    r;

	*used = 0;
	if (hp->state == HP_DONE)
		return HTTP_DONE;
	if (hp->state == HP_ERROR)
		return HTTP_ERROR;
	if (hp->line == NULL && n > 0) {
		hp->line_cap = 256;
		hp->line = xmalloc(hp->line_cap);
	}

	for (i = 0; i < n; i++) {
		r = http_take(hp, p[i]);
		if (r == 0)
			continue;
		*used = r > 0 ? i + 1 : i;
		/* The head is parsed into struct http_head; the line buffer
		 * is not needed until the next message. */
		free(hp->line);
		hp->line = NULL;
		hp->line_cap = 0;
		return r > 0 ? HTTP_DONE : HTTP_ERROR;
	}
	*used = n;
	return HTTP_NEED_MORE;
}

/* Takes one byte: 0 to go on, 1 when the head is complete, -1 on error. */
static int
http_take(struct http_parser *hp, uint8_t c)
{
	struct http_head *h = &hp->head;

	if (h->head_len == HTTP_MAX_HEAD) {
		http_fail(hp, "head too large: more than %d bytes", HTTP_MAX_HEAD);
		return -1;
	}
	if (hp->state == HP_START && http_start_byte(hp, c) != 0)
		return -1;
	if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f) {
		/*
		 * Invalid (RFC 9110 5.5), and exactly what an investigation
		 * wants to see: counted and named, the head still parsed.
		 */
		if (h->bad_bytes++ == 0)
			snprintf(hp->error, sizeof hp->error,
			    "control byte 0x%02x in head at offset %zu", c,
			    h->head_len);
	}
	h->head_len++;
	if (c == '\n')
		return http_line(hp);
	if (hp->line_len == HTTP_MAX_LINE + 1) {
		http_fail(hp, "header line too long: more than %d bytes",
		    HTTP_MAX_LINE);
		return -1;
	}
	if (hp->line_len == hp->line_cap) {
		hp->line_cap = hp->line_cap * 4 > HTTP_MAX_LINE + 1 ?
		    HTTP_MAX_LINE + 1 : hp->line_cap * 4;
		hp->line = xrealloc(hp->line, hp->line_cap);
	}
	hp->line[hp->line_len++] = (char)c;
	return 0;
}

/*
 * Rejects a stream that is not HTTP as soon as its first bytes say so,
 * rather than after 8 KiB of binary data.
 */
static int
http_start_byte(struct http_parser *hp, uint8_t c)
{
	static const char proto[] = "HTTP/";

	if (c == '\n' || c == '\r')
		return 0;
	if (hp->is_request) {
		if (hp->start_sp)
			return 0;
		if (c == ' ') {
			hp->start_sp = 1;
			return 0;
		}
		if (http_tchar(c))
			return 0;
		http_fail(hp, "not an HTTP request: byte 0x%02x in the method", c);
		return -1;
	}
	if (hp->line_len >= sizeof proto - 1 || c == (uint8_t)proto[hp->line_len])
		return 0;
	http_fail(hp, "not an HTTP response: status line does not start with HTTP/");
	return -1;
}

/* A line ended (its LF taken): 0 to go on, 1 at the end of the head, -1 on error. */
static int
http_line(struct http_parser *hp)
{
	const char *s = hp->line;
	size_t      len = hp->line_len;

	hp->line_len = 0;
	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (memchr(s, '\r', len) != NULL) {
		http_fail(hp, "bare CR in head line");
		return -1;
	}
	if (len > HTTP_MAX_LINE) {
		http_fail(hp, "header line too long: more than %d bytes",
		    HTTP_MAX_LINE);
		return -1;
	}
	if (hp->state == HP_START) {
		/* RFC 9112 section 2.2: empty lines before the start line are ignored. */
		if (len == 0)
			return 0;
		if (http_start_line(hp, s, len) != 0)
			return -1;
		hp->state = HP_HEADERS;
		return 0;
	}
	if (len == 0) {
		hp->state = HP_DONE;
		return 1;
	}
	if (hp->head.nheaders == HTTP_MAX_HEADERS) {
		http_fail(hp, "too many header lines: more than %d",
		    HTTP_MAX_HEADERS);
		return -1;
	}
	return http_header_line(hp, s, len);
}

static int
http_start_line(struct http_parser *hp, const char *s, size_t len)
{
	if (hp->is_request)
		return http_request_line(hp, s, len);
	return http_status_line(hp, s, len);
}

/* method SP request-target SP HTTP-version; runs of spaces are tolerated. */
static int
http_request_line(struct http_parser *hp, const char *s, size_t len)
{
	struct http_head *h = &hp->head;
	size_t            m, a, b;

	m = http_token(s, len);
	if (m == 0 || m == len || s[m] != ' ') {
		http_fail(hp, "malformed request line: no method");
		return -1;
	}
	for (b = len; b > m && s[b - 1] != ' '; b--)
		;
	for (a = m; a < b && s[a] == ' '; a++)
		;
	if (b <= a) {
		http_fail(hp, "malformed request line: no target or version");
		return -1;
	}
	if (!http_version_ok(s + b, len - b)) {
		http_fail(hp, "malformed request line: bad HTTP version");
		return -1;
	}
	while (b > a && s[b - 1] == ' ')
		b--;
	if (memchr(s + a, ' ', b - a) != NULL || memchr(s + a, '\t', b - a) != NULL) {
		http_fail(hp, "malformed request line: space in the target");
		return -1;
	}
	http_put(h, HTTP_CUT_OTHER, h->method, sizeof h->method, s, m, 0);
	http_put(h, HTTP_CUT_TARGET, h->target, sizeof h->target, s + a, b - a, 0);
	http_put(h, HTTP_CUT_OTHER, h->version, sizeof h->version, s + len - 8, 8, 0);
	return 0;
}

/* HTTP-version SP 3DIGIT [SP reason]; a missing reason is tolerated. */
static int
http_status_line(struct http_parser *hp, const char *s, size_t len)
{
	struct http_head *h = &hp->head;
	size_t            i;

	if (len < 12 || !http_version_ok(s, 8) || s[8] != ' ') {
		http_fail(hp, "malformed status line");
		return -1;
	}
	h->status = 0;
	for (i = 9; i < 12; i++) {
		if (s[i] < '0' || s[i] > '9') {
			http_fail(hp, "malformed status line: bad status code");
			return -1;
		}
		h->status = h->status * 10 + (s[i] - '0');
	}
	if (len > 12 && s[12] != ' ') {
		http_fail(hp, "malformed status line: bad status code");
		return -1;
	}
	http_put(h, HTTP_CUT_OTHER, h->version, sizeof h->version, s, 8, 0);
	if (len > 13)
		http_put(h, HTTP_CUT_REASON, h->reason, sizeof h->reason, s + 13,
		    len - 13, 0);
	return 0;
}

/* "HTTP/" DIGIT "." DIGIT, exactly. */
static int
http_version_ok(const char *s, size_t len)
{
	return len == 8 && memcmp(s, "HTTP/", 5) == 0 && s[5] >= '0' &&
	    s[5] <= '9' && s[6] == '.' && s[7] >= '0' && s[7] <= '9';
}

static int
http_header_line(struct http_parser *hp, const char *s, size_t len)
{
	struct http_head *h = &hp->head;
	size_t            n, v, e, i;

	if (s[0] == ' ' || s[0] == '\t') {
		http_fail(hp, "obs-fold (header line starting with whitespace) "
		    "not supported");
		return -1;
	}
	n = http_token(s, len);
	if (n == len || s[n] != ':') {
		if (memchr(s, ':', len) == NULL)
			http_fail(hp, "header line without a colon");
		else
			http_fail(hp, "invalid header name");
		return -1;
	}
	if (n == 0) {
		http_fail(hp, "empty header name");
		return -1;
	}
	for (v = n + 1; v < len && (s[v] == ' ' || s[v] == '\t'); v++)
		;
	for (e = len; e > v && (s[e - 1] == ' ' || s[e - 1] == '\t'); e--)
		;
	h->nheaders++;

	for (i = 0; i < HTTP_NFIELDS; i++) {
		if (!http_ci_eq(s, n, http_fields[i].name))
			continue;
		http_put(h, 1u << i, (char *)h + http_fields[i].off,
		    http_fields[i].size, s + v, e - v, (hp->seen >> i) & 1);
		hp->seen |= 1u << i;
		return 0;
	}
	if (http_ci_eq(s, n, "content-length"))
		return http_content_length(hp, s + v, e - v);
	if (http_ci_eq(s, n, "transfer-encoding"))
		http_transfer_encoding(hp, s + v, e - v);
	return 0;
}

/*
 * 1*DIGIT, or a list of identical values (RFC 9112 section 6.3 item 5);
 * anything else makes the body length unknowable.
 */
static int
http_content_length(struct http_parser *hp, const char *s, size_t len)
{
	struct http_head *h = &hp->head;
	int64_t           v;
	size_t            i = 0;
	int               any = 0;

	while (i < len) {
		any = 1;
		v = 0;
		if (s[i] < '0' || s[i] > '9')
			goto bad;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (v > (INT64_MAX - 9) / 10)
				goto bad;
			v = v * 10 + (s[i] - '0');
		}
		if (h->content_length != -1 && h->content_length != v) {
			http_fail(hp, "conflicting Content-Length values");
			return -1;
		}
		h->content_length = v;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i < len && s[i++] != ',')
			goto bad;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
	}
	if (any)
		return 0;
bad:
	http_fail(hp, "invalid Content-Length");
	return -1;
}

/* The last coding of the last Transfer-Encoding header decides chunked. */
static void
http_transfer_encoding(struct http_parser *hp, const char *s, size_t len)
{
	size_t e = len, b;

	hp->head.transfer_encoding = 1;
	while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == ','))
		e--;
	for (b = e; b > 0 && s[b - 1] != ',' && s[b - 1] != ' ' && s[b - 1] != '\t'; b--)
		;
	hp->head.chunked = http_ci_eq(s + b, e - b, "chunked");
}

size_t
http_head_cut_names(const struct http_head *h, char *out, size_t outlen)
{
	static const char *const more[] = { "target", "reason", "method or version" };
	const char *name;
	size_t      n = 0, i;
	int         w;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	for (i = 0; i < HTTP_NFIELDS + 3 && n < outlen; i++) {
		if (!(h->truncated & (1u << i)))
			continue;
		name = i < HTTP_NFIELDS ? http_fields[i].name : more[i - HTTP_NFIELDS];
		w = snprintf(out + n, outlen - n, "%s%s", n ? "," : "", name);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return n < outlen ? n : outlen - 1;
}

/*
 * Appends (after ", " when repeat) what fits, keeping a NUL; a cut sets
 * bit in h->truncated.
 */
static void
http_put(struct http_head *h, unsigned bit, char *dst, size_t size,
    const char *v, size_t len, int repeat)
{
	size_t have = strlen(dst), room;

	if (repeat) {
		room = size - 1 - have;
		if (room < 2) {
			h->truncated |= bit;
			return;
		}
		memcpy(dst + have, ", ", 2);
		have += 2;
	}
	room = size - 1 - have;
	if (len > room) {
		len = room;
		h->truncated |= bit;
	}
	memcpy(dst + have, v, len);
	dst[have + len] = '\0';
}

/* Records the first error as one printable line. */
static void
http_fail(struct http_parser *hp, const char *fmt, ...)
{
	va_list ap;

	hp->state = HP_ERROR;
	va_start(ap, fmt);
	vsnprintf(hp->error, sizeof hp->error, fmt, ap);
	va_end(ap);
}

/* A method token's characters, as http_looks_like_request takes them. */
#define HTTP_METHOD_MAX 20
static int
http_method_char(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

int
http_looks_like_request(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i <= HTTP_METHOD_MAX; i++) {
		if (p[i] == ' ')
			return i > 0;
		if (!http_method_char(p[i]))
			return 0;
	}
	return 0;
}

int
http_undecided(const uint8_t *p, size_t n)
{
	size_t i;

	if (n > HTTP_METHOD_MAX)
		return 0;
	if (n < 7 && memcmp(p, "HTTP/1.", n) == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (!http_method_char(p[i]))
			return 0;
	return 1;
}

int
http_looks_like_response(const uint8_t *p, size_t n)
{
	return n >= 7 && memcmp(p, "HTTP/1.", 7) == 0;
}

/* ---- tokens and lists (RFC 9110 section 5.6) ---- */

static int
http_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
http_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* s[0..len) equals the lower-case word, ignoring case. */
static int
http_ci_eq(const char *s, size_t len, const char *word)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (word[i] == '\0' || http_lower((unsigned char)s[i]) != word[i])
			return 0;
	}
	return word[len] == '\0';
}

static int
http_ci_eqn(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (http_lower((unsigned char)a[i]) != http_lower((unsigned char)b[i]))
			return 0;
	}
	return 1;
}

/* Length of the token at the start of s[0..len). */
static size_t
http_token(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && http_tchar((unsigned char)s[i]); i++)
		;
	return i;
}

/*
 * Next element of a comma-separated list, OWS trimmed, empty elements
 * skipped, commas inside quoted-strings kept. 0 at the end of the list.
 */
static int
http_list_next(const char **pp, const char **elem, size_t *len)
{
	const char *p = *pp, *s, *e;
	int         quoted = 0;

	while (*p == ' ' || *p == '\t' || *p == ',')
		p++;
	if (*p == '\0')
		return 0;
	for (s = p; *p != '\0'; p++) {
		if (quoted) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = 0;
		} else if (*p == '"')
			quoted = 1;
		else if (*p == ',')
			break;
	}
	for (e = p; e > s && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*pp = p;
	*elem = s;
	*len = (size_t)(e - s);
	return 1;
}

/* The list holds word as an element: ignoring case when ci, else exactly. */
static int
http_list_has(const char *list, const char *word, int ci)
{
	const char *e;
	size_t      len;

	while (http_list_next(&list, &e, &len)) {
		if (ci ? http_ci_eq(e, len, word) :
		    (strlen(word) == len && memcmp(e, word, len) == 0))
			return 1;
	}
	return 0;
}

/* ---- body skipping ---- */

void
http_body_init(struct http_body *b, const struct http_head *h, int no_body)
{
	memset(b, 0, sizeof *b);
	b->state = HB_DONE;
	if (no_body)
		return;
	if (!h->is_request && ((h->status >= 100 && h->status < 200) ||
	    h->status == 204 || h->status == 304))
		return;
	if (h->chunked) {
		b->chunked = 1;
		b->state = HB_SIZE;
	} else if (h->transfer_encoding && !h->is_request) {
		b->state = HB_UNTIL_CLOSE;
		b->remaining = UINT64_MAX;
	} else if (h->content_length > 0) {
		b->state = HB_LENGTH;
		b->remaining = (uint64_t)h->content_length;
	} else if (h->content_length == -1 && !h->is_request) {
		b->state = HB_UNTIL_CLOSE;
		b->remaining = UINT64_MAX;
	}
}

size_t
http_body_feed(struct http_body *b, const uint8_t *p, size_t n, int *done)
{
	size_t take;

	*done = 0;
	switch (b->state) {
	case HB_DONE:
	case HB_ERROR:
		*done = 1;
		return 0;
	case HB_UNTIL_CLOSE:
		return n;
	case HB_LENGTH:
		take = b->remaining < n ? (size_t)b->remaining : n;
		b->remaining -= take;
		if (b->remaining == 0) {
			b->state = HB_DONE;
			*done = 1;
		}
		return take;
	default:
		return http_body_chunked(b, p, n, done);
	}
}

/* RFC 9112 section 7.1; bare LF line ends are tolerated. */
static size_t
http_body_chunked(struct http_body *b, const uint8_t *p, size_t n, int *done)
{
	size_t  i = 0, take;
	uint8_t c;
	int     d;

	while (i < n) {
		if (b->state == HB_DATA) {
			take = b->remaining < n - i ? (size_t)b->remaining : n - i;
			b->remaining -= take;
			i += take;
			if (b->remaining == 0)
				b->state = HB_DATA_CR;
			continue;
		}
		c = p[i++];
		switch (b->state) {
		case HB_SIZE:
			d = c >= '0' && c <= '9' ? c - '0' :
			    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (d >= 0) {
				if (b->line_len == 16) {
					b->error = "chunk size too large";
					goto fail;
				}
				b->line[b->line_len++] = (char)c;
				b->line[b->line_len] = '\0';
				b->remaining = b->remaining << 4 | (uint64_t)d;
			} else if (c == ';' || c == ' ' || c == '\t')
				b->state = HB_EXT;
			else if (c == '\r')
				b->state = HB_SIZE_LF;
			else if (c == '\n') {
				if (http_body_size_end(b) != 0)
					goto fail;
			} else {
				b->error = "invalid chunk size";
				goto fail;
			}
			break;
		case HB_EXT:
			if (c == '\r')
				b->state = HB_SIZE_LF;
			else if (c == '\n' && http_body_size_end(b) != 0)
				goto fail;
			break;
		case HB_SIZE_LF:
			if (c != '\n') {
				b->error = "CR without LF after chunk size";
				goto fail;
			}
			if (http_body_size_end(b) != 0)
				goto fail;
			break;
		case HB_DATA_CR:
			if (c == '\r')
				b->state = HB_DATA_LF;
			else if (c == '\n')
				b->state = HB_SIZE;
			else {
				b->error = "no CRLF after chunk data";
				goto fail;
			}
			break;
		case HB_DATA_LF:
			if (c != '\n') {
				b->error = "no CRLF after chunk data";
				goto fail;
			}
			b->state = HB_SIZE;
			break;
		case HB_TRAILER:
			if (c == '\r')
				b->state = HB_END_LF;
			else if (c == '\n')
				goto end;
			else
				b->state = HB_TRAILER_LINE;
			break;
		case HB_TRAILER_LINE:
			if (c == '\n')
				b->state = HB_TRAILER;
			break;
		case HB_END_LF:
			if (c != '\n') {
				b->error = "CR without LF at the end of the chunked body";
				goto fail;
			}
			goto end;
		}
	}
	return i;
end:
	b->state = HB_DONE;
	*done = 1;
	return i;
fail:
	b->state = HB_ERROR;
	*done = 1;
	return i - 1;
}

/* The chunk-size line ended: data follows, or the trailer after size 0. */
static int
http_body_size_end(struct http_body *b)
{
	if (b->line_len == 0) {
		b->error = "chunk size line without digits";
		return -1;
	}
	b->line_len = 0;
	b->state = b->remaining == 0 ? HB_TRAILER : HB_DATA;
	return 0;
}

/* ---- permessage-deflate ---- */

int
pmd_parse(const char *extensions, int is_response, struct pmd_params *pm)
{
	uint32_t seen;
	int      n, npmd;

	n = pmd_walk(extensions, is_response, 0, pm, &seen, &npmd);
	if (is_response && npmd > 1)
		pmd_fail(pm, "permessage-deflate listed %d times", npmd);
	return n;
}

/*
 * Walks an extension list: returns the number of elements, sets *npmd to
 * the number of permessage-deflate elements and parses the one numbered
 * want (from 0) into pm, its parameters' bits into *seen.
 */
static int
pmd_walk(const char *list, int is_response, int want, struct pmd_params *pm,
    uint32_t *seen, int *npmd)
{
	const char *e;
	size_t      len, name;
	int         n = 0;

	pmd_defaults(pm);
	*seen = 0;
	*npmd = 0;
	if (list == NULL)
		return 0;
	while (http_list_next(&list, &e, &len)) {
		n++;
		name = http_token(e, len);
		if (!http_ci_eq(e, name, "permessage-deflate"))
			continue;
		if ((*npmd)++ != want)
			continue;
		pm->present = 1;
		pmd_element(e + name, len - name, is_response, pm, seen);
	}
	return n;
}

static void
pmd_defaults(struct pmd_params *pm)
{
	memset(pm, 0, sizeof *pm);
	pm->server_max_window_bits = 15;
	pm->client_max_window_bits = 15;
	pm->valid = 1;
}

/* *( OWS ";" OWS token [ OWS "=" OWS ( token / quoted-string ) ] ) */
static void
pmd_element(const char *s, size_t len, int is_response, struct pmd_params *pm,
    uint32_t *seen)
{
	char   val[32];
	size_t i = 0, name, nlen, vlen;
	int    has_value;

	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i == len)
			return;
		if (s[i++] != ';')
			goto bad;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		name = i;
		nlen = http_token(s + i, len - i);
		if (nlen == 0)
			goto bad;
		i += nlen;
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		has_value = i < len && s[i] == '=';
		vlen = 0;
		if (has_value) {
			for (i++; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
				;
			if (i < len && s[i] == '"') {
				for (i++; i < len && s[i] != '"'; i++) {
					if (s[i] == '\\' && ++i == len)
						goto bad;
					if (vlen < sizeof val)
						val[vlen++] = s[i];
				}
				if (i++ == len)
					goto bad;
			} else {
				vlen = http_token(s + i, len - i);
				if (vlen == 0)
					goto bad;
				memcpy(val, s + i, vlen < sizeof val ? vlen : sizeof val);
				i += vlen;
				if (vlen > sizeof val)
					vlen = sizeof val;
			}
		}
		pmd_param(s + name, nlen, has_value, val, vlen, is_response, pm,
		    seen);
	}
bad:
	pmd_fail(pm, "malformed parameter list: \"%.*s\"",
	    (int)(len < 60 ? len : 60), s);
}

static void
pmd_param(const char *name, size_t nlen, int has_value, const char *val,
    size_t vlen, int is_response, struct pmd_params *pm, uint32_t *seen)
{
	static const struct {
		const char *name;
		uint32_t    bit;
	} known[] = {
		{ "server_no_context_takeover", PMD_SNCT },
		{ "client_no_context_takeover", PMD_CNCT },
		{ "server_max_window_bits", PMD_SMWB },
		{ "client_max_window_bits", PMD_CMWB },
	};
	size_t i;
	int    bits = -1;

	for (i = 0; i < sizeof known / sizeof known[0]; i++) {
		if (http_ci_eq(name, nlen, known[i].name))
			break;
	}
	if (i == sizeof known / sizeof known[0]) {
		pmd_fail(pm, "unknown parameter %.*s", (int)(nlen < 40 ? nlen : 40),
		    name);
		return;
	}
	if (*seen & known[i].bit) {
		pmd_fail(pm, "parameter %s repeated", known[i].name);
		return;
	}
	*seen |= known[i].bit;
	if (known[i].bit == PMD_SNCT || known[i].bit == PMD_CNCT) {
		if (has_value)
			pmd_fail(pm, "%s takes no value", known[i].name);
		else if (known[i].bit == PMD_SNCT)
			pm->server_no_context_takeover = 1;
		else
			pm->client_no_context_takeover = 1;
		return;
	}
	if (has_value && (bits = pmd_bits(val, vlen)) == -1) {
		pmd_fail(pm, "%s=%.*s not in 8..15", known[i].name, (int)vlen, val);
		return;
	}
	if (known[i].bit == PMD_SMWB) {
		if (!has_value)
			pmd_fail(pm, "server_max_window_bits without a value");
		else
			pm->server_max_window_bits = bits;
		return;
	}
	/* An offer may name client_max_window_bits alone (RFC 7692 7.1.2.2). */
	if (!has_value && is_response)
		pmd_fail(pm, "client_max_window_bits without a value in a response");
	else
		pm->client_max_window_bits = bits;
}

/* 1*DIGIT without leading zero, 8..15 (RFC 7692 7.1.2.1); -1 otherwise. */
static int
pmd_bits(const char *v, size_t len)
{
	if (len == 1 && (v[0] == '8' || v[0] == '9'))
		return v[0] - '0';
	if (len == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5')
		return 10 + v[1] - '0';
	return -1;
}

static void
pmd_fail(struct pmd_params *pm, const char *fmt, ...)
{
	va_list ap;
	size_t  i;

	if (!pm->valid)
		return;
	pm->valid = 0;
	va_start(ap, fmt);
	vsnprintf(pm->error, sizeof pm->error, fmt, ap);
	va_end(ap);
	for (i = 0; pm->error[i] != '\0'; i++) {
		if ((unsigned char)pm->error[i] < 0x20 ||
		    (unsigned char)pm->error[i] >= 0x7f)
			pm->error[i] = '?';
	}
}

/*
 * A response answers an offer (RFC 7692 7.1): client_max_window_bits only
 * when offered; an offered server_max_window_bits or
 * server_no_context_takeover must be accepted as such, with no larger
 * window. On mismatch why gets the reason.
 */
static int
pmd_matches_offer(const struct pmd_params *resp, uint32_t rseen,
    const struct pmd_params *offer, uint32_t oseen, char *why, size_t size)
{
	if ((rseen & PMD_CMWB) && !(oseen & PMD_CMWB)) {
		snprintf(why, size, "client_max_window_bits=%d not offered",
		    resp->client_max_window_bits);
		return 0;
	}
	if ((oseen & PMD_SMWB) && !(rseen & PMD_SMWB)) {
		snprintf(why, size, "server_max_window_bits=%d offered, "
		    "answer lacks it", offer->server_max_window_bits);
		return 0;
	}
	if ((oseen & PMD_SMWB) &&
	    resp->server_max_window_bits > offer->server_max_window_bits) {
		snprintf(why, size, "server_max_window_bits=%d above the "
		    "offered %d", resp->server_max_window_bits,
		    offer->server_max_window_bits);
		return 0;
	}
	if ((oseen & PMD_SNCT) && !(rseen & PMD_SNCT)) {
		snprintf(why, size, "server_no_context_takeover offered, "
		    "answer lacks it");
		return 0;
	}
	return 1;
}

/* ---- accept key ---- */

void
ws_accept_for_key(const char *key, char out[29])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int  mdlen = 0;
	EVP_MD_CTX   *ctx;

	out[0] = '\0';
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return;
	if (EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1 &&
	    EVP_DigestUpdate(ctx, key, strlen(key)) == 1 &&
	    EVP_DigestUpdate(ctx, WS_GUID, sizeof WS_GUID - 1) == 1 &&
	    EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 20)
		EVP_EncodeBlock((unsigned char *)out, md, 20);
	EVP_MD_CTX_free(ctx);
}

/* ---- handshake checks ---- */

void
http_upgrade_check(const struct http_head *req, const struct http_head *resp,
    struct hs_result *r)
{
	char seen[160];

	memset(r, 0, sizeof *r);
	pmd_defaults(&r->pmd);
	if (resp != NULL && resp->status != 101) {
		snprintf(seen, sizeof seen, "%d %s", resp->status, resp->reason);
		hs_add(r, RULE_HANDSHAKE_REFUSED, "server", "101 Switching Protocols",
		    seen);
		return;
	}
	if (req != NULL)
		hs_check_request(req, r);
	if (resp != NULL)
		hs_check_response(req, resp, r);
}

static void
hs_check_request(const struct http_head *req, struct hs_result *r)
{
	char seen[160];

	/* RFC 6455 4.1 item 2: GET, HTTP/1.1 or a later 1.x. */
	if (strcmp(req->method, "GET") != 0 ||
	    strncmp(req->version, "HTTP/1.", 7) != 0 || req->version[7] < '1') {
		snprintf(seen, sizeof seen, "%s %s", req->method, req->version);
		hs_add(r, RULE_BAD_REQUEST_LINE, "client", "GET HTTP/1.1", seen);
	}
	if (!http_list_has(req->upgrade, "websocket", 1))
		hs_add(r, RULE_MISSING_UPGRADE_HEADER, "client",
		    "Upgrade: websocket", hs_or_absent(req->upgrade));
	if (!http_list_has(req->connection, "upgrade", 1))
		hs_add(r, RULE_MISSING_UPGRADE_HEADER, "client",
		    "Connection: Upgrade", hs_or_absent(req->connection));
	if (!hs_key_ok(req->key))
		hs_add(r, RULE_BAD_KEY, "client",
		    "base64 of 16 bytes (24 characters)", hs_or_absent(req->key));
	if (strcmp(req->ws_version, "13") != 0)
		hs_add(r, RULE_BAD_VERSION, "client", "13",
		    hs_or_absent(req->ws_version));
}

static void
hs_check_response(const struct http_head *req, const struct http_head *resp,
    struct hs_result *r)
{
	char        want[29];
	const char *offered;

	r->upgraded = 1;
	hs_copy(r->subprotocol, sizeof r->subprotocol, resp->protocol);
	hs_copy(r->extensions, sizeof r->extensions, resp->extensions);
	if (!http_list_has(resp->upgrade, "websocket", 1))
		hs_add(r, RULE_MISSING_UPGRADE_HEADER, "server",
		    "Upgrade: websocket", hs_or_absent(resp->upgrade));
	if (!http_list_has(resp->connection, "upgrade", 1))
		hs_add(r, RULE_MISSING_UPGRADE_HEADER, "server",
		    "Connection: Upgrade", hs_or_absent(resp->connection));
	if (req != NULL && req->key[0] != '\0') {
		ws_accept_for_key(req->key, want);
		if (strcmp(resp->accept, want) != 0)
			hs_add(r, RULE_BAD_ACCEPT_KEY, "server", want,
			    hs_or_absent(resp->accept));
	}
	/* RFC 6455 4.2.2 item 5 (/subprotocol/): one of the client's values. */
	if (req != NULL && resp->protocol[0] != '\0' &&
	    !http_list_has(req->protocol, resp->protocol, 0)) {
		offered = req->protocol[0] != '\0' ? req->protocol :
		    "(none offered)";
		hs_add(r, RULE_SUBPROTOCOL_NOT_OFFERED, "server", offered,
		    resp->protocol);
	}
	hs_check_extensions(req, resp, r);
	hs_check_deflate(req, r);
}

/* RFC 6455 9.1: the server uses only extensions the client offered. */
static void
hs_check_extensions(const struct http_head *req, const struct http_head *resp,
    struct hs_result *r)
{
	const char *list = resp->extensions, *e, *o, *olist;
	char        name[160];
	size_t      len, nlen, olen;
	int         offered;

	if (req == NULL)
		return;
	while (http_list_next(&list, &e, &len)) {
		nlen = http_token(e, len);
		offered = 0;
		olist = req->extensions;
		while (!offered && http_list_next(&olist, &o, &olen)) {
			offered = http_token(o, olen) == nlen &&
			    http_ci_eqn(o, e, nlen);
		}
		if (offered)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(nlen ? nlen : len), e);
		hs_add(r, RULE_EXTENSION_NOT_OFFERED, "server",
		    req->extensions[0] != '\0' ? req->extensions : "(none offered)",
		    name);
	}
}

/* The response's permessage-deflate element: valid, and an answer to an offer. */
static void
hs_check_deflate(const struct http_head *req, struct hs_result *r)
{
	struct pmd_params offer;
	uint32_t          rseen, oseen;
	char              why[160] = "", reason[160], expected[160];
	int               npmd, nres, k;

	pmd_walk(r->extensions, 1, 0, &r->pmd, &rseen, &nres);
	if (nres > 1)
		pmd_fail(&r->pmd, "permessage-deflate listed %d times", nres);
	if (!r->pmd.present)
		return;
	r->deflate = 1;
	if (!r->pmd.valid) {
		hs_add(r, RULE_INVALID_DEFLATE_PARAMS, "server",
		    "known parameters, each once, window bits 8..15",
		    r->pmd.error);
		return;
	}
	if (req == NULL)
		return;
	pmd_walk(req->extensions, 0, 0, &offer, &oseen, &npmd);
	/* Not offered at all is extension-not-offered, reported above. */
	for (k = 0; k < npmd; k++) {
		pmd_walk(req->extensions, 0, k, &offer, &oseen, &npmd);
		if (pmd_matches_offer(&r->pmd, rseen, &offer, oseen, reason,
		    sizeof reason))
			return;
		/* With several offers, the first one explains the mismatch. */
		if (k == 0)
			hs_copy(why, sizeof why, reason);
	}
	if (npmd == 0)
		return;
	snprintf(expected, sizeof expected, "an answer to the offer: %.130s",
	    req->extensions);
	hs_add(r, RULE_INVALID_DEFLATE_PARAMS, "server", expected, why);
}

/* 24 base64 characters ending "==" that decode to exactly 16 bytes. */
static int
hs_key_ok(const char *key)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	if (strlen(key) != 24 || strcmp(key + 22, "==") != 0)
		return 0;
	for (i = 0; i < 22; i++) {
		if (key[i] == '=' || strchr(b64, key[i]) == NULL)
			return 0;
	}
	/* The last character carries 2 bits; the other 4 must be zero. */
	return strchr("AQgw", key[21]) != NULL;
}

static void
hs_add(struct hs_result *r, enum rule_id rule, const char *side,
    const char *expected, const char *seen)
{
	struct hs_issue *is;

	if (r->nissues == (int)(sizeof r->issues / sizeof r->issues[0]))
		return;
	is = &r->issues[r->nissues++];
	is->rule = rule;
	is->side = side;
	hs_copy(is->expected, sizeof is->expected, expected);
	hs_copy(is->seen, sizeof is->seen, seen);
}

static const char *
hs_or_absent(const char *v)
{
	return v[0] != '\0' ? v : "(absent)";
}

/* Copies what fits; issue texts are cut rather than refused. */
static void
hs_copy(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}
