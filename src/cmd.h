/*
 * cmd: the subcommand table. One cmd-*.c file per subcommand, each a
 * declarative entry: its options, operands and texts. One parser reads every
 * command line, and --help and the man page's option lists are printed from
 * the same entries, so none of them is written twice.
 */
#ifndef CMD_H
#define CMD_H

#include <stdio.h>

/* Keys of options with no short letter start here. */
#define CMD_LONG 256
/* Options one command takes, its shared rows included. */
#define CMD_MAX_OPTIONS 64

/* One option row; an array of them ends with a row of zeros. */
struct cmd_option {
	const char *name;   /* the long name, without dashes */
	int         key;    /* the short letter, or CMD_LONG and up for none */
	const char *arg;    /* the argument's name (in --help), NULL for none */
	const char *help;   /* for --help: lower case, no final period */
	const char *doc;    /* for the man page, roff; NULL: help as a sentence */
	/* The argument "list" prints the accepted values and exits 0. */
	void      (*list)(void);
	/* Not an option: the rows of another array go here. */
	const struct cmd_option *include;
};

/* One option as given on the command line, in command-line order. */
struct cmd_arg {
	const struct cmd_option *opt;
	const char              *value;   /* NULL for an option without one */
};

struct cmd_args {
	const struct cmd_entry *entry;
	struct cmd_arg         *opts;
	int                     nopts;
	int                     argc;     /* the operands */
	char                  **argv;
};

struct cmd_entry {
	const char *name;
	const char *summary;   /* one line, in the list of commands */
	const char *usage;     /* the operands, as --help shows them */
	const char *about;     /* for --help, before the options */
	const char *notes;     /* for --help, after the options; or NULL */
	const struct cmd_option *options;
	struct {
		int lower;
		int upper;     /* -1: no limit */
	} args;
	/*
	 * The status of a usage error the parser finds; 0: EXIT_USAGE. For a
	 * command whose own statuses give 1 another meaning (replay).
	 */
	int usage_status;
	/* Called with well-formed options and operands; returns the status. */
	int (*exec)(struct cmd_args *);
};

extern const struct cmd_entry cmd_analyze_entry;
extern const struct cmd_entry cmd_streams_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_messages_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_merge_entry;
extern const struct cmd_entry cmd_rules_entry;
extern const struct cmd_entry cmd_browse_entry;
extern const struct cmd_entry cmd_replay_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry *const cmd_table[];

const struct cmd_entry *cmd_find(const char *);
/*
 * Parses argv (argv[0] is the command's name) against the rows of e and
 * those of more (NULL: none) into a (free a->opts). 0; -1 with one line in
 * err (unknown option, missing argument, ...); or, with answer, 1 when an
 * option of more or the argument "list" of a row with a list callback
 * asks for an answer instead (it is the last of a->opts). Prints nothing.
 */
int  cmd_parse(const struct cmd_entry *e, const struct cmd_option *more,
	int answer, int argc, char **argv, struct cmd_args *a, char *err,
	size_t errlen);
/* The rows of list and the rows they include, appended to rows[*n]. */
void cmd_flatten(const struct cmd_option *list, const struct cmd_option **rows,
	int *n);
/* Parses argv (argv[0] is the command's name) and runs the command. */
int  cmd_run(const struct cmd_entry *, int, char **);
/* One line on stderr naming the command and its --help; EXIT_USAGE. */
int  cmd_usage_error(const struct cmd_entry *, const char *, ...)
	__attribute__((format(printf, 2, 3)));
void cmd_print_commands(FILE *);
void cmd_print_help(const struct cmd_entry *, FILE *);
void cmd_print_roff(const struct cmd_entry *);
/* s as roff text: hyphens print as minus signs, backslashes as such; lead
 * also escapes a leading dot or quote (for text that is never a request). */
void cmd_roff_text(const char *, int lead);

#endif
