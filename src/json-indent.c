/*
 * json-indent: minified JSON laid out for people (json-indent.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "json-indent.h"
#include "wsautopsy.h"

struct ji_buf {
	char   *p;
	size_t  len, cap;
};

static void ji_put(struct ji_buf *, char);
static void ji_newline(struct ji_buf *, size_t);

static void
ji_put(struct ji_buf *b, char c)
{
	if (b->len + 1 >= b->cap) {
		b->cap = b->cap * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	b->p[b->len++] = c;
}

static void
ji_newline(struct ji_buf *b, size_t depth)
{
	size_t i;

	ji_put(b, '\n');
	for (i = 0; i < depth * 2; i++)
		ji_put(b, ' ');
}

char *
json_indent(const char *j, size_t n, size_t *outlen)
{
	struct ji_buf b = { NULL, 0, 0 };
	size_t        i, depth = 0;
	int           in_str = 0;

	for (i = 0; i < n; i++) {
		if (in_str) {
			ji_put(&b, j[i]);
			if (j[i] == '\\' && i + 1 < n)
				ji_put(&b, j[++i]);
			else if (j[i] == '"')
				in_str = 0;
			continue;
		}
		switch (j[i]) {
		case '"':
			in_str = 1;
			ji_put(&b, j[i]);
			break;
		case '{':
		case '[':
			ji_put(&b, j[i]);
			/* An empty object or array stays on its line. */
			if (i + 1 < n && (j[i + 1] == '}' || j[i + 1] == ']')) {
				ji_put(&b, j[++i]);
				break;
			}
			ji_newline(&b, ++depth);
			break;
		case '}':
		case ']':
			if (depth > 0)
				depth--;
			ji_newline(&b, depth);
			ji_put(&b, j[i]);
			break;
		case ',':
			ji_put(&b, ',');
			ji_newline(&b, depth);
			break;
		case ':':
			ji_put(&b, ':');
			ji_put(&b, ' ');
			break;
		default:
			ji_put(&b, j[i]);
		}
	}
	ji_put(&b, '\0');
	*outlen = b.len - 1;
	return b.p;
}

void
json_indent_lines(const char *j, size_t n, void (*fn)(void *, const char *),
    void *arg)
{
	size_t len, cap;
	char  *text = json_indent(j, n, &len), *line, *next, *out;

	cap = len * 10 + 16;
	out = xmalloc(cap);
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		esc_terminal_str(line, out, cap);
		fn(arg, out);
	}
	free(out);
	free(text);
}
