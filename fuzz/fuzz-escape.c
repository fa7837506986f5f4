/*
 * fuzz-escape: the escaping of wire bytes for terminals and CSV
 * (src/escape.h), checked against what the header promises.
 *
 * Input: byte 0 picks the output size (fe_sizes), the rest is the text.
 * Each function runs once with that size, into a buffer of exactly that
 * many bytes, and once with room for any expansion; the two results are
 * compared (the short one is the long one cut, then "...").
 */
#include "config.h"

#include <string.h>

#include "escape.h"
#include "fuzz.h"

/* Worst expansion: one byte to four characters (a backslash, x and two hex
 * digits), or 4 bytes to ten (a backslash, U and eight hex digits). */
#define FE_ROOM(n) ((n) * 6 + 16)

typedef size_t fe_fn(const uint8_t *, size_t, char *, size_t);

static const size_t fe_sizes[16] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 31, 64, 124, 256
};

static int	fe_next(const uint8_t *, size_t, size_t *, uint32_t *);
static int	fe_steers(uint32_t);
static void	fe_check_terminal(const char *, size_t);
static void	fe_check_csv(const char *, size_t, const char *, size_t);
static char	*fe_run(fe_fn *, const uint8_t *, size_t, size_t, size_t *);
static void	fe_check_cut(const char *, size_t, size_t, const char *, size_t);

/*
 * Decodes the UTF-8 sequence at *i (RFC 3629: no overlong form, no
 * surrogate, nothing above U+10FFFF). Returns 0 on a bad sequence.
 */
static int
fe_next(const uint8_t *p, size_t n, size_t *i, uint32_t *cp)
{
	uint8_t  b = p[*i];
	size_t   len, k;
	uint32_t c, min;

	if (b < 0x80) {
		*cp = b;
		(*i)++;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2; c = b & 0x1f; min = 0x80;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3; c = b & 0x0f; min = 0x800;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4; c = b & 0x07; min = 0x10000;
	} else
		return 0;
	if (n - *i < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((p[*i + k] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[*i + k] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	*i += len;
	return 1;
}

/* Code points that steer the display: escape.h says both escape them. */
static int
fe_steers(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x200b || c == 0x2028 || c == 0x2029 || c == 0xfeff ||
	    (c >= 0xe0000 && c <= 0xe007f);
}

/* Valid UTF-8, and nothing a terminal would act on. */
static void
fe_check_terminal(const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t         i = 0;
	uint32_t       c;

	while (i < len) {
		FUZZ_CHECK(fe_next(p, len, &i, &c));
		FUZZ_CHECK(!fe_steers(c));
	}
}

/* CSV: esc_terminal's text, quoted when it holds , " or edge spaces. */
static void
fe_check_csv(const char *csv, size_t len, const char *t, size_t tlen)
{
	size_t i, j = 0;
	int    quote;

	FUZZ_CHECK(memchr(csv, '\n', len) == NULL);
	FUZZ_CHECK(memchr(csv, '\r', len) == NULL);
	quote = memchr(t, ',', tlen) != NULL || memchr(t, '"', tlen) != NULL ||
	    (tlen > 0 && (t[0] == ' ' || t[tlen - 1] == ' '));
	if (!quote) {
		FUZZ_CHECK(len == tlen && memcmp(csv, t, tlen) == 0);
		return;
	}
	FUZZ_CHECK(len >= 2 && csv[0] == '"' && csv[len - 1] == '"');
	for (i = 0; i < tlen; i++) {
		FUZZ_CHECK(j + 1 < len - 1 && csv[1 + j] == t[i]);
		j++;
		if (t[i] == '"') {
			FUZZ_CHECK(csv[1 + j] == '"');
			j++;
		}
	}
	FUZZ_CHECK(j + 2 == len);
}

/* Runs fn into a buffer of exactly outlen bytes (heap, so ASan watches). */
static char *
fe_run(fe_fn *fn, const uint8_t *p, size_t n, size_t outlen, size_t *len)
{
	char *out = malloc(outlen > 0 ? outlen : 1);

	if (out == NULL)
		abort();
	out[0] = 'Z';
	*len = fn(p, n, out, outlen);
	if (outlen == 0) {
		/* outlen 0 writes nothing. */
		FUZZ_CHECK(*len == 0 && out[0] == 'Z');
		out[0] = '\0';
		return out;
	}
	FUZZ_CHECK(*len < outlen);
	FUZZ_CHECK(out[*len] == '\0' && strlen(out) == *len);
	return out;
}

/* A result that did not fit is the full one cut, then "...". */
static void
fe_check_cut(const char *cut, size_t len, size_t outlen, const char *full,
    size_t flen)
{
	if (outlen == 0)
		return;
	if (flen < outlen) {
		FUZZ_CHECK(len == flen && memcmp(cut, full, flen) == 0);
		return;
	}
	if (outlen < 4)
		return;
	FUZZ_CHECK(len >= 3 && memcmp(cut + len - 3, "...", 3) == 0);
	FUZZ_CHECK(memcmp(cut, full, len - 3) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*p;
	size_t		 n, outlen, room, tl, tl2, cl, fl, wl;
	char		*t, *t2, *cut, *csv, *str, *w;

	if (size < 1 || size > 4096)
		return 0;
	outlen = fe_sizes[data[0] & 15];
	p = data + 1;
	n = size - 1;
	room = FE_ROOM(n);

	/* Terminal text, and idempotence on its own output. */
	t = fe_run(esc_terminal, p, n, room, &tl);
	fe_check_terminal(t, tl);
	t2 = fe_run(esc_terminal, (const uint8_t *)t, tl, FE_ROOM(tl), &tl2);
	FUZZ_CHECK(tl2 == tl && memcmp(t, t2, tl) == 0);
	free(t2);
	cut = fe_run(esc_terminal, p, n, outlen, &cl);
	fe_check_terminal(cut, cl);
	fe_check_cut(cut, cl, outlen, t, tl);
	free(cut);

	/* Wire text: terminal-safe, cut like the others, never shorter. */
	w = fe_run(esc_wire, p, n, room, &wl);
	fe_check_terminal(w, wl);
	FUZZ_CHECK(wl >= tl);
	cut = fe_run(esc_wire, p, n, outlen, &cl);
	fe_check_terminal(cut, cl);
	fe_check_cut(cut, cl, outlen, w, wl);
	free(cut);
	free(w);

	/* CSV field. */
	csv = fe_run(esc_csv, p, n, room + 2 * n + 2, &fl);
	fe_check_csv(csv, fl, t, tl);
	cut = fe_run(esc_csv, p, n, outlen, &cl);
	FUZZ_CHECK(memchr(cut, '\n', cl) == NULL && memchr(cut, '\r', cl) ==
	    NULL);
	free(cut);
	free(csv);

	/* The NUL-terminated form stops at the first NUL. */
	str = malloc(n + 1);
	if (str == NULL)
		abort();
	memcpy(str, p, n);
	str[n] = '\0';
	cut = malloc(room);
	if (cut == NULL)
		abort();
	cl = esc_terminal_str(str, cut, room);
	t2 = fe_run(esc_terminal, (const uint8_t *)str, strlen(str), room, &tl2);
	FUZZ_CHECK(cl == tl2 && strcmp(cut, t2) == 0);
	free(t2);
	free(cut);
	free(str);
	free(t);
	return 0;
}
