/*
 * The subcommand table and the one parser of every command line: a new
 * subcommand is a new cmd-*.c and one line here. --help and the man page's
 * option lists are printed from the entries.
 */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "escape.h"
#include "wsautopsy.h"

/* --help wraps its text to this many columns; option help starts at
 * CMD_HELP_COLUMN. */
#define CMD_WIDTH       79
#define CMD_HELP_COLUMN 26

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
cmd_run(const struct cmd_entry *e, int argc, char **argv)
{
	struct cmd_args a;
	const struct cmd_arg *last;
	char            err[1024];
	int             rc;

	rc = cmd_parse(e, cmd_help_row, 1, argc, argv, &a, err, sizeof err);
	if (rc < 0) {
		rc = cmd_usage_error(e, "%s", err);
		goto out;
	}
	if (rc == 1) {
		last = &a.opts[a.nopts - 1];
		if (last->opt == cmd_help_row)
			cmd_print_help(e, stdout);
		else
			last->opt->list();
		rc = EXIT_OK;
		goto out;
	}
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
