/*
 * report: the story of a database's findings, as text for a terminal or
 * as data (JSON lines, CSV). Reads only the public views.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "store.h"

enum report_format { REPORT_TEXT, REPORT_JSONL, REPORT_CSV };

struct report_opts {
	enum report_format format;
	const char        *classes;       /* comma-separated; NULL: all */
	int64_t            connection_id; /* -1: all */
	const char        *capture;       /* capture name; NULL: all */
	const char        *fail_on;       /* comma-separated classes; NULL */
	int                color;         /* -1: when out is a terminal and
					     NO_COLOR is unset; 0 or 1 */
};

void	report_opts_default(struct report_opts *);
/* Every name in a class list is a known class; else -1, bad gets it. */
int	report_classes_check(const char *list, char *bad, size_t badlen);
/*
 * Writes the report. Returns EXIT_OK, EXIT_INPUT when the database could
 * not be read (one line on stderr), or EXIT_FINDINGS when fail_on is set
 * and findings of those classes exist (within the capture and connection
 * filters).
 */
int	report_run(struct store *, const struct report_opts *, FILE *out);

#endif
