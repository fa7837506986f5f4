/*
 * analysis-opts: the options every command that analyzes a capture takes
 * (analyze, browse; streams takes the filter), declared and applied in one
 * place.
 */
#ifndef ANALYSIS_OPTS_H
#define ANALYSIS_OPTS_H

#include "cmd.h"
#include "analysis.h"

enum {
	AOPT_WSPORT = CMD_LONG + 128, AOPT_CAP, AOPT_MAXF, AOPT_MAXM,
	AOPT_PROFILE, AOPT_STRICT, AOPT_FLOWS, AOPT_IDLE, AOPT_OOO, AOPT_OOOT,
	AOPT_INFL, AOPT_KEYLOG
};

/* -f: which packets of the capture are read. */
extern const struct cmd_option analysis_filter_options[];
extern const struct cmd_option analysis_keylog_options[];
/* -f and the decoding and resource limits. */
extern const struct cmd_option analysis_options[];

enum aopt_result {
	AOPT_NOT_MINE,  /* not one of these options */
	AOPT_DONE,      /* applied */
	AOPT_BAD        /* a bad value: said on stderr */
};

/* One option applied to o; a bad value is said on stderr as e's. */
enum aopt_result analysis_opt(struct analysis_opts *,
    const struct cmd_entry *, const struct cmd_arg *);
/* The same, a bad value said in err (one line, unescaped). */
enum aopt_result analysis_opt_value(struct analysis_opts *,
    const struct cmd_arg *, char *err, size_t errlen);

/* The longest options text read back. */
#define AOPT_STORED_MAX 65536

/*
 * The options text a database records for a capture (captures.options,
 * as analysis_opts_describe writes it: words, 'quoted' or \-escaped)
 * read with e's parser (analyze's) and applied to o, the way a command
 * line would be. *words holds the text o points to: free it, whatever the
 * result. 0, or -1 with one line in err, unescaped: an unknown option, a
 * bad value, a key log that cannot be read.
 */
int analysis_opts_stored(const struct cmd_entry *e, const char *text,
    struct analysis_opts *o, char **words, char *err, size_t errlen);

#endif
