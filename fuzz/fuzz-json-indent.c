/*
 * fuzz-json-indent: the layout of JSON payloads for `messages --pretty`
 * (src/json-indent.h) on any bytes, not only SQLite's minified JSON.
 *
 * Input: the text. Checks what the header promises: every input byte
 * comes out once, in order, and what was added is newlines and spaces
 * only, so the output without them is the input without them; the length
 * returned is the text's. json_indent_lines gives as many lines as the
 * text has, none holding a control byte (each escaped for a terminal).
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "json-indent.h"

static size_t fj_strip(const char *, size_t, char *);
static void   fj_line(void *, const char *);

/* A line of json_indent_lines: counted, and safe on a terminal. */
static void
fj_line(void *arg, const char *line)
{
	const unsigned char *p;

	for (p = (const unsigned char *)line; *p != '\0'; p++)
		FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
	(*(size_t *)arg)++;
}

/* The bytes but spaces and newlines. */
static size_t
fj_strip(const char *p, size_t n, char *out)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\n')
			out[k++] = p[i];
	return k;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char       *out, *a, *b;
	size_t      len, na, nb, i, nl = 1, lines = 0;

	out = json_indent(in, size, &len);
	FUZZ_CHECK(out != NULL && out[len] == '\0');
	FUZZ_CHECK(len >= size);
	a = malloc(size + 1);
	b = malloc(len + 1);
	FUZZ_CHECK(a != NULL && b != NULL);
	na = fj_strip(in, size, a);
	nb = fj_strip(out, len, b);
	FUZZ_CHECK(na == nb && memcmp(a, b, na) == 0);
	/* A NUL ends the text json_indent_lines splits. */
	for (i = 0; i < len && out[i] != '\0'; i++)
		nl += out[i] == '\n';
	json_indent_lines(in, size, fj_line, &lines);
	FUZZ_CHECK(lines == nl);
	free(a);
	free(b);
	free(out);
	return 0;
}
