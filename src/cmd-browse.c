/*
 * wsautopsy browse: the ncurses browser over a database, or over a capture
 * analyzed first into a database beside it (or a temporary one).
 */
#include "config.h"

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "browse.h"
#include "capture.h"
#include "cmd.h"
#include "rules.h"
#include "analysis-opts.h"
#include "analysis.h"
#include "sink-async.h"
#include "store.h"

struct cb_progress {
	const char     *capture, *db;
	struct timespec t0;
};

static int	 cmd_browse_exec(struct cmd_args *);
static void	 cb_sigint(int);
static int	 cb_is_sqlite(const char *);
static char	*cb_db_path(const char *, int);
static void	 cb_progress(void *, const struct pipeline_stats *, uint64_t,
		    uint64_t);
static int	 cb_analyze(const char *, const char *,
		    const struct analysis_opts *);
static int	 cb_browse(const char *);
static int	 cb_probe(const char *);

enum { CB_TEMP = CMD_LONG };

static const struct cmd_option cb_options[] = {
	{ .name = "temp", .key = CB_TEMP,
	  .help = "analyze a capture into a temporary database, removed on "
	    "exit" },
	{ .include = analysis_options },
	{ 0 }
};

const struct cmd_entry cmd_browse_entry = {
	.name = "browse",
	.summary = "browse a database (or a capture) in the terminal",
	.usage = "DB|CAPTURE",
	.about = "Browse the connections, frames and findings of a database in "
	    "the terminal.\nA capture is analyzed first into its name with .db "
	    "(or a temporary file).",
	.notes = "In the browser, ? lists the keys.",
	.options = cb_options,
	.args = { 1, 1 },
	.exec = cmd_browse_exec
};

static volatile int cb_stop;

static void
cb_sigint(int sig)
{
	(void)sig;
	cb_stop = 1;
}

/* A database starts with the 16 bytes "SQLite format 3\0". */
static int
cb_is_sqlite(const char *path)
{
	static const char magic[16] = "SQLite format 3";
	char              head[16];
	ssize_t           n;
	int               fd;

	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, head, sizeof head);
	close(fd);
	return n == (ssize_t)sizeof head && memcmp(head, magic, sizeof head) ==
	    0;
}

static char *
cb_db_path(const char *capture, int temp)
{
	const char *tmp;
	char       *p, *dot, *db = NULL;
	int         fd;

	if (temp) {
		if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
			tmp = "/tmp";
		p = xmalloc(strlen(tmp) + 16);
		sprintf(p, "%s/wsautopsy", tmp);
		if ((fd = wsa_temp_file(p, ".db", &db)) < 0)
			wsa_warn("%s: cannot create a temporary database: %s",
			    tmp, strerror(errno));
		else
			close(fd);
		free(p);
		return fd < 0 ? NULL : db;
	}
	p = xmalloc(strlen(capture) + 4);
	strcpy(p, capture);
	dot = strrchr(p, '.');
	if (dot != NULL && strchr(dot, '/') == NULL)
		*dot = '\0';
	strcat(p, ".db");
	return p;
}

/* The progress screen; q or ^C stops the analysis and keeps what was read. */
static void
cb_progress(void *arg, const struct pipeline_stats *ps, uint64_t off,
    uint64_t size)
{
	struct cb_progress *p = arg;
	struct timespec     now;
	double              el, frac;
	int                 w, y = LINES / 2 - 2, x = 2;

	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (double)(now.tv_sec - p->t0.tv_sec) +
	    (double)(now.tv_nsec - p->t0.tv_nsec) / 1e9;
	frac = size > 0 ? (double)off / (double)size : 0;
	if (frac > 1)
		frac = 1;
	erase();
	browse_putf(y, x, COLS - 4, "analyzing %s", p->capture);
	browse_putf(y + 1, x, COLS - 4, "into %s", p->db);
	w = COLS - 12 > 0 ? COLS - 12 : 1;
	move(y + 3, x);
	attron(A_REVERSE);
	hline(' ', (int)(frac * w));
	attroff(A_REVERSE);
	browse_putf(y + 3, x + w + 1, 8, "%5.1f%%", frac * 100);
	browse_putf(y + 4, x, COLS - 4, "%" PRIu64 " packets, %" PRIu64
	    " MB of %" PRIu64 " MB, %.1fs", ps->packets, off >> 20, size >> 20,
	    el);
	browse_put(LINES - 1, 0, COLS, "q: stop and browse what was read");
	refresh();
	if (getch() == 'q')
		cb_stop = 1;
}

static int
cb_analyze(const char *capture, const char *db,
    const struct analysis_opts *o)
{
	struct store          *st;
	struct analysis       *an;
	struct sink_async     *aw;
	struct capture_summary sum;
	struct cb_progress     p;
	struct sigaction       sa, old;
	enum pipeline_result   r;
	char                   err[1024];
	int                    created;

	/* As analyze: a database made for a capture that failed goes. */
	created = access(db, F_OK) != 0;
	if ((st = store_open(db, 0, err, sizeof err)) == NULL) {
		wsa_warn("%s", err);
		return EXIT_INPUT;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = cb_sigint;
	sigaction(SIGINT, &sa, &old);
	browse_start();
	nodelay(stdscr, TRUE);
	p.capture = capture;
	p.db = db;
	clock_gettime(CLOCK_MONOTONIC, &p.t0);
	aw = sink_async_new(&store_sink_ops, st, 32u << 20);
	an = analysis_new(o, &sink_async_ops, aw);
	r = analysis_run(an, capture, &cb_stop, cb_progress, &p, &sum, err,
	    sizeof err);
	analysis_free(an);
	sink_async_free(aw);
	store_close(st);
	nodelay(stdscr, FALSE);
	sigaction(SIGINT, &old, NULL);
	if (r == PIPELINE_OPEN_FAILED) {
		browse_end();
		if (created)
			store_unlink(db);
		wsa_warn("%s", err);
		return EXIT_INPUT;
	}
	return EXIT_OK;
}

/*
 * Opens the capture once before any database is made, so a missing or
 * bad file is said in analyze's words and leaves nothing beside it.
 */
static int
cb_probe(const char *path)
{
	struct capture *cap;
	char            err[1024];

	if ((cap = capture_open(path, NULL, err, sizeof err)) == NULL) {
		wsa_warn("%s", err);
		return -1;
	}
	capture_close(cap);
	return 0;
}

static int
cb_browse(const char *path)
{
	struct store *st;
	char          err[1024];
	int           rc;

	if ((st = store_open(path, 1, err, sizeof err)) == NULL) {
		browse_end();
		wsa_warn("%s", err);
		return EXIT_INPUT;
	}
	rc = browse_run(store_db(st), path);
	store_close(st);
	return rc;
}

static int
cmd_browse_exec(struct cmd_args *args)
{
	struct analysis_opts  o;
	const char           *path = args->argv[0];
	char                 *db = NULL;
	int                   i, temp = 0, rc;

	analysis_opts_default(&o);
	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].opt->key == CB_TEMP)
			temp = 1;
		else if (analysis_opt(&o, args->entry, &args->opts[i]) !=
		    AOPT_DONE)
			return EXIT_USAGE;
	}
	if (!isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		wsa_warn("browse needs a terminal; use wsautopsy report for"
		    " text output");
		return EXIT_USAGE;
	}
	if (cb_is_sqlite(path) > 0)
		return cb_browse(path);
	if (cb_probe(path) != 0)
		return EXIT_INPUT;
	if ((db = cb_db_path(path, temp)) == NULL)
		return EXIT_INPUT;
	rc = cb_analyze(path, db, &o);
	if (rc == EXIT_OK)
		rc = cb_browse(db);
	if (temp)
		store_unlink(db);
	free(db);
	return rc;
}
