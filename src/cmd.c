/*
 * The subcommand table and the one parser of every command line: a new
 * subcommand is a new cmd-*.c and one line here. --help and the man page's
 * option lists are printed from the entries.
 */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "escape.h"
#include "wsautopsy.h"

/* Options one command takes, its shared rows included. */
#define CMD_MAX_OPTIONS 64
/* --help wraps its text to this many columns; option help starts at
 * CMD_HELP_COLUMN. */
#define CMD_WIDTH       79
#define CMD_HELP_COLUMN 26

static void cmd_flatten(const struct cmd_option *,
		const struct cmd_option **, int *);
static const struct cmd_option *cmd_by_key(const struct cmd_option **, int,
		int);
static int  cmd_parse_error(const struct cmd_entry *,
		const struct cmd_option **, int, int, char **);
static void cmd_wrap(FILE *, const char *, int, int);
static int  cmd_reaches(const struct cmd_option *, const struct cmd_option *);
static const struct cmd_entry *cmd_owner(const struct cmd_option *);
static void cmd_roff_name(const struct cmd_option *);
static void cmd_roff_rows(const struct cmd_entry *, const struct cmd_option *,
		const struct cmd_option **, int *);
static void cmd_roff_as_for(const struct cmd_option *);

const struct cmd_entry *const cmd_table[] = {
	&cmd_analyze_entry,
	&cmd_streams_entry,
	&cmd_report_entry,
	&cmd_messages_entry,
	&cmd_export_entry,
	&cmd_merge_entry,
	&cmd_rules_entry,
	&cmd_browse_entry,
	&cmd_replay_entry,
	&cmd_help_entry,

	NULL
};

/* Every command takes it, last; the parser answers it itself. */
static const struct cmd_option cmd_help_row[] = {
	{ .name = "help", .key = 'h', .help = "show this help",
	  .doc = "Show the options." },
	{ 0 }
};

static void
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

const struct cmd_entry *
cmd_find(const char *name)
{
	const struct cmd_entry *const *c;

	for (c = cmd_table; *c != NULL; c++)
		if (strcmp((*c)->name, name) == 0)
			return *c;
	return NULL;
}

int
cmd_usage_error(const struct cmd_entry *e, const char *fmt, ...)
{
	char    buf[1024], safe[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* The message may quote an operand: a file name, or any argument. */
	esc_terminal_str(buf, safe, sizeof safe);
	fprintf(stderr, "%s %s: %s (try '%s %s --help')\n", wsa_progname,
	    e->name, safe, wsa_progname, e->name);
	return EXIT_USAGE;
}

/*
 * ch: ':' or '?' from getopt_long. A long option's val is CMD_LONG plus its
 * row's index, so optopt names the row; 0 is a long option not in the table.
 */
static int
cmd_parse_error(const struct cmd_entry *e, const struct cmd_option **rows,
    int n, int ch, char **argv)
{
	const struct cmd_option *r;
	const char              *bad = argv[optind - 1];
	size_t                   len;
	int                      lng = optopt >= CMD_LONG, i, matches = 0;

	r = lng ? rows[optopt - CMD_LONG] : cmd_by_key(rows, n, optopt);
	if (ch == ':' && lng)
		return cmd_usage_error(e, "--%s needs an argument (%s)",
		    r->name, r->arg);
	if (ch == ':')
		return cmd_usage_error(e, "-%c needs an argument (%s)", optopt,
		    r->arg);
	if (lng)
		return cmd_usage_error(e, "--%s takes no argument", r->name);
	if (optopt != 0)
		return cmd_usage_error(e, "unknown option '-%c'", optopt);
	/* A long option may be abbreviated while it names one row. */
	if (strncmp(bad, "--", 2) == 0) {
		len = strcspn(bad + 2, "=");
		for (i = 0; i < n; i++)
			matches += strncmp(rows[i]->name, bad + 2, len) == 0;
	}
	return cmd_usage_error(e, "%s option '%s'", matches > 1 ? "ambiguous" :
	    "unknown", bad);
}

int
cmd_run(const struct cmd_entry *e, int argc, char **argv)
{
	const struct cmd_option *rows[CMD_MAX_OPTIONS], *r;
	struct option            lo[CMD_MAX_OPTIONS + 1];
	struct cmd_args          a;
	char                     shorts[2 + 2 * CMD_MAX_OPTIONS], *sp = shorts;
	int                      n = 0, i, ch, rc;

	cmd_flatten(e->options, rows, &n);
	cmd_flatten(cmd_help_row, rows, &n);
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

	memset(&a, 0, sizeof a);
	a.entry = e;
	a.opts = xcalloc((size_t)argc, sizeof *a.opts);
	opterr = 0;
	optind = 0;
	while ((ch = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		if (ch == ':' || ch == '?') {
			rc = cmd_parse_error(e, rows, n, ch, argv);
			goto out;
		}
		r = ch >= CMD_LONG ? rows[ch - CMD_LONG] :
		    cmd_by_key(rows, n, ch);
		if (r == cmd_help_row) {
			cmd_print_help(e, stdout);
			rc = EXIT_OK;
			goto out;
		}
		if (r->list != NULL && strcmp(optarg, "list") == 0) {
			r->list();
			rc = EXIT_OK;
			goto out;
		}
		a.opts[a.nopts].opt = r;
		a.opts[a.nopts++].value = r->arg != NULL ? optarg : NULL;
	}
	a.argc = argc - optind;
	a.argv = argv + optind;
	if (a.argc < e->args.lower)
		rc = cmd_usage_error(e, "missing %s", e->usage);
	else if (e->args.upper == 0 && a.argc > 0)
		rc = cmd_usage_error(e, "unexpected operand '%s'", a.argv[0]);
	else if (e->args.upper > 0 && a.argc > e->args.upper)
		rc = cmd_usage_error(e, "%d operands, expected %s", a.argc,
		    e->usage);
	else {
		rc = e->exec(&a);
		goto done;
	}
out:
	/* A command whose status 1 means something else says so. */
	if (rc == EXIT_USAGE && e->usage_status != 0)
		rc = e->usage_status;
done:
	free(a.opts);
	return rc;
}

void
cmd_print_commands(FILE *f)
{
	const struct cmd_entry *const *c;

	fprintf(f, "usage: %s COMMAND [OPTIONS] [ARGS]\n\ncommands:\n",
	    wsa_progname);
	for (c = cmd_table; *c != NULL; c++)
		fprintf(f, "  %-9s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\n%s COMMAND --help shows a command's options;"
	    " --version the version.\n", wsa_progname);
}

/*
 * s from column col, wrapped at CMD_WIDTH; later lines start at column
 * indent. A newline in s always breaks the line.
 */
static void
cmd_wrap(FILE *f, const char *s, int col, int indent)
{
	size_t n;
	int    first = 1;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		n = strcspn(s, " \n");
		if (*s == '\n' || (!first && col + 1 + (int)n > CMD_WIDTH)) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			first = 1;
			if (*s == '\n') {
				s++;
				continue;
			}
		}
		if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, n, f);
		col += (int)n;
		first = 0;
		s += n;
	}
	fputc('\n', f);
}

void
cmd_print_help(const struct cmd_entry *e, FILE *f)
{
	const struct cmd_option *rows[CMD_MAX_OPTIONS], *r;
	int                      n = 0, i, col;

	fprintf(f, "usage: %s %s [OPTIONS]%s%s\n", wsa_progname, e->name,
	    *e->usage != '\0' ? " " : "", e->usage);
	cmd_wrap(f, e->about, 0, 0);
	fputc('\n', f);
	cmd_flatten(e->options, rows, &n);
	cmd_flatten(cmd_help_row, rows, &n);
	for (i = 0; i < n; i++) {
		r = rows[i];
		if (r->key < CMD_LONG)
			col = fprintf(f, "  -%c, --%s", r->key, r->name);
		else
			col = fprintf(f, "      --%s", r->name);
		if (r->arg != NULL)
			col += fprintf(f, " %s", r->arg);
		if (col < CMD_HELP_COLUMN)
			col += fprintf(f, "%*s", CMD_HELP_COLUMN - col, "");
		else {
			fprintf(f, "\n%*s", CMD_HELP_COLUMN, "");
			col = CMD_HELP_COLUMN;
		}
		cmd_wrap(f, r->help, col, CMD_HELP_COLUMN);
	}
	if (e->notes != NULL)
		cmd_wrap(f, e->notes, 0, 0);
}

void
cmd_roff_text(const char *s, int lead)
{
	if (lead && (*s == '.' || *s == '\''))
		fputs("\\&", stdout);
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			fputs("\\e", stdout);
		else if (*s == '-')
			fputs("\\-", stdout);
		else
			putchar(*s);
	}
}

static int
cmd_reaches(const struct cmd_option *list, const struct cmd_option *array)
{
	if (list == array)
		return 1;
	for (; list->name != NULL || list->include != NULL; list++)
		if (list->include != NULL && cmd_reaches(list->include, array))
			return 1;
	return 0;
}

/* Shared rows are described in full under the first command taking them. */
static const struct cmd_entry *
cmd_owner(const struct cmd_option *array)
{
	const struct cmd_entry *const *c;

	for (c = cmd_table; *c != NULL; c++)
		if (cmd_reaches((*c)->options, array))
			return *c;
	return NULL;
}

/* "\-o ", " \-\-output": the arguments of a .BR request. */
static void
cmd_roff_name(const struct cmd_option *r)
{
	if (r->key < CMD_LONG)
		printf("\\-%c \", \" ", r->key);
	fputs("\\-\\-", stdout);
	cmd_roff_text(r->name, 0);
}

static void
cmd_roff_rows(const struct cmd_entry *e, const struct cmd_option *list,
    const struct cmd_option **later, int *nlater)
{
	const char *a;

	for (; list->name != NULL || list->include != NULL; list++) {
		if (list->include != NULL) {
			if (cmd_owner(list->include) == e)
				cmd_roff_rows(e, list->include, later, nlater);
			else {
				assert(*nlater < CMD_MAX_OPTIONS);
				later[(*nlater)++] = list->include;
			}
			continue;
		}
		printf(".TP\n%s ", list->key < CMD_LONG ? ".BR" :
		    list->arg != NULL ? ".BI" : ".B");
		cmd_roff_name(list);
		if (list->arg != NULL) {
			fputs(list->key < CMD_LONG ? " \" \\fI" : " \" ",
			    stdout);
			for (a = list->arg; *a != '\0'; a++)
				putchar(tolower((unsigned char)*a));
			fputs(list->key < CMD_LONG ? "\\fR\"" : "\"", stdout);
		}
		putchar('\n');
		if (list->doc != NULL)
			cmd_roff_text(list->doc, 0);
		else {
			putchar(toupper((unsigned char)*list->help));
			cmd_roff_text(list->help + 1, 0);
			putchar('.');
		}
		putchar('\n');
	}
}

static void
cmd_roff_as_for(const struct cmd_option *array)
{
	const struct cmd_option *rows[CMD_MAX_OPTIONS];
	int                      n = 0, i;

	cmd_flatten(array, rows, &n);
	printf(".PP\nOptions as for\n.BR %s :\n", cmd_owner(array)->name);
	for (i = 0; i < n; i++) {
		fputs(".BR ", stdout);
		cmd_roff_name(rows[i]);
		printf(" %s\n", i + 1 < n ? "," : ".");
	}
}

/*
 * The man page's list of e's options. Rows shared with a command before it
 * in the table are named, and described under that command.
 */
void
cmd_print_roff(const struct cmd_entry *e)
{
	const struct cmd_option *later[CMD_MAX_OPTIONS];
	int                      nlater = 0, i;

	cmd_roff_rows(e, e->options, later, &nlater);
	cmd_roff_rows(e, cmd_help_row, later, &nlater);
	for (i = 0; i < nlater; i++)
		cmd_roff_as_for(later[i]);
}
