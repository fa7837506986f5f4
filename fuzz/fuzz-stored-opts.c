/*
 * fuzz-stored-opts: the options text a database records for a capture,
 * read back (analysis_opts_stored) as full-payload and replay read it.
 * The input is that text, whoever wrote it. Read back, the options are
 * described again, and that description reads back to itself.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "analysis-opts.h"
#include "fuzz.h"

/* analyze's rows for this: the analysis's and one of its own. */
static const struct cmd_option fuzz_rows[] = {
	{ .include = analysis_options },
	{ .name = "shard", .key = CMD_LONG + 1, .arg = "K/N", .help = "shard" },
	{ 0 }
};

static const struct cmd_entry fuzz_entry = {
	.name = "analyze",
	.options = fuzz_rows,
};

/* Quoting caps a described filter or key log near 600 bytes. */
static int
fuzz_short(const struct analysis_opts *o)
{
	int i;

	if (o->filter != NULL && strlen(o->filter) > 250)
		return 0;
	for (i = 0; i < o->n_keylogs; i++)
		if (strlen(o->keylogs[i]) > 250)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct analysis_opts o, again;
	char                *text = malloc(n + 1), *words = NULL,
			    *words2 = NULL, err[512], d1[4096], d2[4096];
	int                  rc;

	memcpy(text, p, n);
	text[n] = '\0';
	analysis_opts_default(&o);
	err[0] = '\0';
	rc = analysis_opts_stored(&fuzz_entry, text, &o, &words, err,
	    sizeof err);
	FUZZ_CHECK(rc == 0 || rc == -1);
	FUZZ_CHECK(rc == 0 || (err[0] != '\0' &&
	    memchr(err, '\0', sizeof err) != NULL));
	FUZZ_CHECK(o.n_ws_ports <= ANALYSIS_MAX_WS_PORTS);
	FUZZ_CHECK(o.n_keylogs <= ANALYSIS_MAX_KEYLOGS);
	FUZZ_CHECK(o.ws.payload_cap <= WS_PAYLOAD_CAP_MAX);
	if (rc == 0 && fuzz_short(&o)) {
		analysis_opts_describe(&o, d1, sizeof d1);
		analysis_opts_default(&again);
		FUZZ_CHECK(analysis_opts_stored(&fuzz_entry, d1, &again,
		    &words2, err, sizeof err) == 0);
		analysis_opts_describe(&again, d2, sizeof d2);
		FUZZ_CHECK(strcmp(d1, d2) == 0);
	}
	free(words);
	free(words2);
	free(text);
	return 0;
}
