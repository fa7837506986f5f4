/*
 * fuzz-limits: the bounds pass's evidence read back (limits_import, the
 * text a shard database keeps for merge). The input is rows, one a line;
 * whatever they say, the pass runs over them and writes them out again,
 * and a row written out reads back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "size-limits.h"

static struct limits *fuzz_again;

static uint64_t
fuzz_conn(void *ctx, uint64_t no)
{
	(void)ctx;
	return no;
}

static void
fuzz_update(void *ctx, const struct finding *f)
{
	(void)ctx;
	FUZZ_CHECK(f->update_slot > 0);
	FUZZ_CHECK(memchr(f->detail, '\0', sizeof f->detail) != NULL);
}

static void
fuzz_row(void *ctx, const struct limits_row *row)
{
	struct finding f;

	(void)ctx;
	memset(&f, 0, sizeof f);
	FUZZ_CHECK(limits_import(fuzz_again, row->text, row->f != NULL ? &f :
	    NULL, fuzz_conn, NULL) == 0);
}

static const struct sink_ops fuzz_ops = {
	.finding_update = fuzz_update,
	.limits_row = fuzz_row,
};

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct limits *l = limits_new();
	struct finding f;
	uint64_t       hits;
	char          *text = malloc(n + 1), *line, *next;

	fuzz_again = limits_new();
	memcpy(text, p, n);
	text[n] = '\0';
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		memset(&f, 0, sizeof f);
		(void)limits_import(l, line, &f, fuzz_conn, NULL);
	}
	limits_finish(l, &fuzz_ops, NULL, &hits);
	limits_export(l, &fuzz_ops, NULL);
	limits_free(fuzz_again);
	limits_free(l);
	free(text);
	return 0;
}
