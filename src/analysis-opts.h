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

enum aopt_result analysis_opt(struct analysis_opts *,
    const struct cmd_entry *, const struct cmd_arg *);

#endif
