/*
 * analysis-opts: the options every command that analyzes a capture takes
 * (analyze, browse), parsed in one place.
 */
#ifndef ANALYSIS_OPTS_H
#define ANALYSIS_OPTS_H

#include <getopt.h>

#include "session.h"

enum {
	AOPT_WSPORT = 512, AOPT_CAP, AOPT_MAXF, AOPT_MAXM, AOPT_PROFILE,
	AOPT_STRICT, AOPT_FLOWS, AOPT_IDLE, AOPT_OOO, AOPT_OOOT, AOPT_INFL
};

/* To be spliced into a command's struct option table. */
#define ANALYSIS_LONGOPTS						\
	{ "filter", required_argument, NULL, 'f' },			\
	{ "ws-port", required_argument, NULL, AOPT_WSPORT },		\
	{ "payload-cap", required_argument, NULL, AOPT_CAP },		\
	{ "max-frame", required_argument, NULL, AOPT_MAXF },		\
	{ "max-message", required_argument, NULL, AOPT_MAXM },		\
	{ "max-inflate", required_argument, NULL, AOPT_INFL },		\
	{ "profile", required_argument, NULL, AOPT_PROFILE },		\
	{ "strict", no_argument, NULL, AOPT_STRICT },			\
	{ "max-flows", required_argument, NULL, AOPT_FLOWS },		\
	{ "idle-timeout", required_argument, NULL, AOPT_IDLE },		\
	{ "ooo-per-dir", required_argument, NULL, AOPT_OOO },		\
	{ "ooo-total", required_argument, NULL, AOPT_OOOT }

/* Their help lines, for the commands' usage texts. */
extern const char analysis_opts_help[];

enum aopt_result {
	AOPT_NOT_MINE,  /* not one of these options */
	AOPT_DONE,      /* applied */
	AOPT_BAD,       /* a bad value: said on stderr */
	AOPT_LISTED     /* --profile list printed the profiles */
};

/* ch: what getopt_long returned; arg: optarg. */
enum aopt_result analysis_opt(struct analysis_opts *, int ch,
    const char *arg);

#endif
