/*
 * escape: safe text from untrusted bytes for terminals and CSV.
 *
 * The input is cut into tokens (one character, one escape sequence, or one
 * byte that is not valid UTF-8); a token is written whole or not at all,
 * so truncation never leaves half an escape or half a character.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "escape.h"

enum esc_mode { ESC_TERMINAL, ESC_WIRE, ESC_CSV };

#define ESC_TOKEN_MAX 16     /* longest token: a surrogate pair, 12 bytes */
#define ESC_MARKS     4      /* tokens we can take back to fit "..." */

struct esc_out {
	char    *buf;
	size_t   cap;            /* bytes usable, before any closing quote */
	size_t   len;
	size_t   base;           /* after the opening quote */
	size_t   mark[ESC_MARKS];/* token start offsets, a ring */
	unsigned nmark, next;
};

static size_t esc_utf8_seq(const uint8_t *, size_t, uint32_t *);
static int    esc_hidden(uint32_t);
static size_t esc_token(enum esc_mode, const uint8_t *, size_t, size_t *,
		    char *);
static int    esc_put(struct esc_out *, const char *, size_t);
static void   esc_cut(struct esc_out *);
static size_t esc_run(enum esc_mode, const uint8_t *, size_t, char *, size_t);

/*
 * Length of the well-formed UTF-8 sequence at p (RFC 3629 table 3-7:
 * no overlongs, no surrogates, nothing above U+10FFFF), 0 if p[0] does not
 * start one.
 */
static size_t
esc_utf8_seq(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint8_t b = p[0], lo = 0x80, hi = 0xbf;
	size_t  len, i;

	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
		*cp = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		*cp = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		*cp = b & 0x07;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		*cp = (*cp << 6) | (p[i] & 0x3f);
	}
	return len;
}

/* Valid code points that change how the rest of a line looks. */
static int
esc_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||     /* C1 controls */
	    cp == 0x61c ||                          /* Arabic letter mark */
	    (cp >= 0x200b && cp <= 0x200f) ||       /* zero width, LRM, RLM */
	    (cp >= 0x2028 && cp <= 0x202e) ||       /* separators, embeddings */
	    (cp >= 0x2060 && cp <= 0x206f) ||       /* joiners, isolates */
	    cp == 0xfeff ||                         /* BOM, zero-width nbsp */
	    (cp >= 0xfff9 && cp <= 0xfffb) ||       /* annotations */
	    (cp >= 0xe0000 && cp <= 0xe007f);       /* tags */
}

/* The next token of p; *used gets the input bytes it stands for. */
static size_t
esc_token(enum esc_mode mode, const uint8_t *p, size_t n, size_t *used,
    char *tok)
{
	uint32_t cp;
	size_t   len;

	len = esc_utf8_seq(p, n, &cp);
	if (len == 0) {
		*used = 1;
		return (size_t)snprintf(tok, ESC_TOKEN_MAX, "\\x%02x", p[0]);
	}
	*used = len;
	if (cp == '\t' || cp == '\n' || cp == '\r') {
		tok[0] = '\\';
		tok[1] = cp == '\t' ? 't' : cp == '\n' ? 'n' : 'r';
		tok[2] = '\0';
		return 2;
	}
	if (cp < 0x20 || cp == 0x7f)
		return (size_t)snprintf(tok, ESC_TOKEN_MAX, "\\x%02x",
		    (unsigned)cp);
	if (esc_hidden(cp)) {
		if (cp <= 0xffff)
			return (size_t)snprintf(tok, ESC_TOKEN_MAX, "\\u%04x",
			    (unsigned)cp);
		return (size_t)snprintf(tok, ESC_TOKEN_MAX, "\\U%08x",
		    (unsigned)cp);
	}
	if (mode == ESC_WIRE && cp == '\\') {
		tok[0] = '\\';
		tok[1] = (char)cp;
		tok[2] = '\0';
		return 2;
	}
	if (mode == ESC_CSV && cp == '"') {
		memcpy(tok, "\"\"", 3);
		return 2;
	}
	memcpy(tok, p, len);
	tok[len] = '\0';
	return len;
}

/* Appends a whole token; 0 when it does not fit. */
static int
esc_put(struct esc_out *o, const char *tok, size_t len)
{
	if (o->len + len > o->cap)
		return 0;
	o->mark[o->next] = o->len;
	o->next = (o->next + 1) % ESC_MARKS;
	if (o->nmark < ESC_MARKS)
		o->nmark++;
	memcpy(o->buf + o->len, tok, len);
	o->len += len;
	return 1;
}

/* Takes tokens back until "..." fits, then appends it. */
static void
esc_cut(struct esc_out *o)
{
	size_t fit;

	while (o->len + 3 > o->cap && o->nmark > 0) {
		o->next = (o->next + ESC_MARKS - 1) % ESC_MARKS;
		o->len = o->mark[o->next];
		o->nmark--;
	}
	if (o->len + 3 > o->cap)
		o->len = o->base;   /* tokens are >= 1 byte: only when cap is tiny */
	fit = o->cap - o->len < 3 ? o->cap - o->len : 3;
	memcpy(o->buf + o->len, "...", fit);
	o->len += fit;
}

static size_t
esc_run(enum esc_mode mode, const uint8_t *p, size_t n, char *out,
    size_t outlen)
{
	struct esc_out o;
	char           tok[ESC_TOKEN_MAX];
	size_t         i = 0, used, len;
	int            quote = 0;

	if (outlen == 0)
		return 0;
	memset(&o, 0, sizeof o);
	o.buf = out;
	o.cap = outlen - 1;
	if (mode == ESC_CSV) {
		for (i = 0; i < n; i++)
			if (p[i] == ',' || p[i] == '"')
				quote = 1;
		if (n > 0 && (p[0] == ' ' || p[n - 1] == ' '))
			quote = 1;
		i = 0;
		if (quote && o.cap >= 2) {
			o.buf[o.len++] = '"';
			o.base = o.len;
			o.cap--;   /* room for the closing quote */
		} else
			quote = 0;
	}
	while (i < n) {
		len = esc_token(mode, p + i, n - i, &used, tok);
		if (!esc_put(&o, tok, len)) {
			esc_cut(&o);
			break;
		}
		i += used;
	}
	if (quote)
		o.buf[o.len++] = '"';
	o.buf[o.len] = '\0';
	return o.len;
}

size_t
esc_terminal(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	return esc_run(ESC_TERMINAL, p, n, out, outlen);
}

size_t
esc_wire(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	return esc_run(ESC_WIRE, p, n, out, outlen);
}

size_t
esc_csv(const uint8_t *p, size_t n, char *out, size_t outlen)
{
	return esc_run(ESC_CSV, p, n, out, outlen);
}

size_t
esc_terminal_str(const char *s, char *out, size_t outlen)
{
	if (s == NULL)
		s = "";
	return esc_run(ESC_TERMINAL, (const uint8_t *)s, strlen(s), out,
	    outlen);
}
