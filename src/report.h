/*
 * report: the story of a database's findings, as text for a terminal or
 * as data (JSON lines, CSV). Reads only the public views.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "rules.h"
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
	int                timeline;      /* 1: only the timeline */
	int64_t            after_capture; /* -1: all; else only the captures
					     with a greater capture_id (those
					     analyze just stored) */
};

/*
 * A finding's time in whole milliseconds, exact: from time_text's decimal,
 * not the double's. SQL over the findings view; the timeline's buckets
 * are cut on it, and whoever selects a bucket's findings uses it too.
 */
#define REPORT_FINDING_MS \
	" (CAST(substr(time_text, 1, instr(time_text, '.') - 1) AS INTEGER)" \
	" * 1000 + CAST(substr(time_text, instr(time_text, '.') + 1, 3) AS" \
	" INTEGER))"

/* At most this many buckets: a round width is chosen to fit them. */
#define REPORT_TIMELINE_MAX 60

/* Findings per class in one bucket of the timeline. */
struct report_bucket {
	int64_t start_ms;                 /* since the epoch */
	int64_t counts[FINDING_CLASSES];  /* by enum finding_class */
	int64_t total;
};

struct report_timeline {
	int64_t              width_ms;    /* 0: nothing to draw */
	int                  n;
	int64_t              max_total;   /* the fullest bucket's */
	struct report_bucket b[REPORT_TIMELINE_MAX];
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
/*
 * Findings per class per time bucket, under the report's filters (class,
 * connection, capture; format and fail_on are ignored). The span is that
 * of the connections and findings the capture and connection filters
 * select; the width, the smallest round one (1 ms ... 1 s, 10 s, 1 min,
 * 10 min, 1 h, 1 day ...) that needs at most REPORT_TIMELINE_MAX buckets.
 * Findings without a time are left out. -1 when the database could not be
 * read (sqlite3_errmsg says why).
 */
int	report_timeline(sqlite3 *, const struct report_opts *,
	    struct report_timeline *);
/* A bucket's width as the timeline names it: "50 ms", "10 s", "6 h". */
void	report_width_text(int64_t width_ms, char *, size_t);
int	report_run(struct store *, const struct report_opts *, FILE *out);

#endif
