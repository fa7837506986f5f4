/*
 * The one parser of every command line (cmd.h): getopt_long over a
 * command's rows. It is also how an options text a database recorded is
 * read back (analysis-opts.h), so it answers nothing itself and prints
 * nothing: what went wrong comes back as one line.
 */
#include "config.h"

#include <assert.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "wsautopsy.h"

static const struct cmd_option *cmd_by_key(const struct cmd_option **, int,
		int);
static int  cmd_row_of(const struct cmd_option *, const struct cmd_option *);
static void cmd_parse_error(const struct cmd_option **, int, int, char **,
		char *, size_t);

void
cmd_flatten(const struct cmd_option *list, const struct cmd_option **rows,
    int *n)
{
	for (; list->name != NULL || list->include != NULL; list++) {
		if (list->include != NULL) {
			cmd_flatten(list->include, rows, n);
			continue;
		}
		assert(*n < CMD_MAX_OPTIONS);
		rows[(*n)++] = list;
	}
}

static const struct cmd_option *
cmd_by_key(const struct cmd_option **rows, int n, int key)
{
	int i;

	for (i = 0; i < n; i++)
		if (rows[i]->key == key)
			return rows[i];
	return NULL;
}

/* 1 when r is one of the rows of list (NULL: none). */
static int
cmd_row_of(const struct cmd_option *list, const struct cmd_option *r)
{
	for (; list != NULL && (list->name != NULL || list->include != NULL);
	    list++)
		if (list == r)
			return 1;
	return 0;
}

int
cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...)
{
	char    buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* It escapes: the message may quote any argument. */
	wsa_warn_cmd(e->name, "%s (try '%s %s --help')", buf, wsa_progname,
	    e->name);
	return EXIT_USAGE;
}

/*
 * ch: ':' or '?' from getopt_long. A long option's val is CMD_LONG plus its
 * row's index, so optopt names the row; 0 is a long option not in the table.
 */
static void
cmd_parse_error(const struct cmd_option **rows, int n, int ch, char **argv,
    char *err, size_t errlen)
{
	const struct cmd_option *r;
	const char              *bad = argv[optind - 1];
	size_t                   len;
	int                      lng = optopt >= CMD_LONG, i, matches = 0;

	r = lng ? rows[optopt - CMD_LONG] : cmd_by_key(rows, n, optopt);
	if (ch == ':' && lng)
		snprintf(err, errlen, "--%s needs an argument (%s)", r->name,
		    r->arg);
	else if (ch == ':')
		snprintf(err, errlen, "-%c needs an argument (%s)", optopt,
		    r->arg);
	else if (lng)
		snprintf(err, errlen, "--%s takes no argument", r->name);
	else if (optopt != 0)
		snprintf(err, errlen, "unknown option '-%c'", optopt);
	else {
		/* A long option may be abbreviated while it names one row. */
		if (strncmp(bad, "--", 2) == 0) {
			len = strcspn(bad + 2, "=");
			for (i = 0; i < n; i++)
				matches += strncmp(rows[i]->name, bad + 2,
				    len) == 0;
		}
		snprintf(err, errlen, "%s option '%s'", matches > 1 ?
		    "ambiguous" : "unknown", bad);
	}
}

int
cmd_parse(const struct cmd_entry *e, const struct cmd_option *more,
    int answer, int argc, char **argv, struct cmd_args *a, char *err,
    size_t errlen)
{
	const struct cmd_option *rows[CMD_MAX_OPTIONS], *r;
	struct option            lo[CMD_MAX_OPTIONS + 1];
	char                     shorts[2 + 2 * CMD_MAX_OPTIONS], *sp = shorts;
	int                      n = 0, i, ch;

	cmd_flatten(e->options, rows, &n);
	if (more != NULL)
		cmd_flatten(more, rows, &n);
	/* A leading ':' tells a missing argument from an unknown option. */
	*sp++ = ':';
	for (i = 0; i < n; i++) {
		lo[i].name = rows[i]->name;
		lo[i].has_arg = rows[i]->arg != NULL ? required_argument :
		    no_argument;
		lo[i].flag = NULL;
		lo[i].val = CMD_LONG + i;
		if (rows[i]->key < CMD_LONG) {
			*sp++ = (char)rows[i]->key;
			if (rows[i]->arg != NULL)
				*sp++ = ':';
		}
	}
	memset(&lo[n], 0, sizeof lo[n]);
	*sp = '\0';

	memset(a, 0, sizeof *a);
	a->entry = e;
	a->opts = xcalloc((size_t)argc + 1, sizeof *a->opts);
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (ch == ':' || ch == '?') {
			cmd_parse_error(rows, n, ch, argv, err, errlen);
			return -1;
		}
		r = ch >= CMD_LONG ? rows[ch - CMD_LONG] :
		    cmd_by_key(rows, n, ch);
		a->opts[a->nopts].opt = r;
		a->opts[a->nopts++].value = r->arg != NULL ? optarg : NULL;
		/* --help, and "list" as an option's argument, answer. */
		if (answer && (cmd_row_of(more, r) || (r->list != NULL &&
		    strcmp(optarg, "list") == 0)))
			return 1;
	}
	a->argc = argc - optind;
	a->argv = argv + optind;
	return 0;
}
