/*
 * wsautopsy help: a command's --help, the list of commands, or a command's
 * options as roff, which is how the man page lists them.
 */
#include "config.h"

#include "cmd.h"
#include "wsautopsy.h"

static int cmd_help_exec(struct cmd_args *);

enum { HELP_ROFF = CMD_LONG };

static const struct cmd_option help_options[] = {
	{ .name = "roff", .key = HELP_ROFF,
	  .help = "print COMMAND's options as roff (the man page's option "
	    "lists are built from it)",
	  .doc = "Print\n"
	    ".IR command 's\n"
	    "options as roff: this page's option lists are built from it." },
	{ 0 }
};

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.summary = "show a command's options, or list the commands",
	.usage = "[COMMAND]",
	.about = "Show the options of COMMAND, as COMMAND --help does; with no "
	    "COMMAND, list the commands.",
	.options = help_options,
	.args = { 0, 1 },
	.exec = cmd_help_exec
};

static int
cmd_help_exec(struct cmd_args *args)
{
	const struct cmd_entry *e;
	int                     roff = args->nopts != 0;

	if (args->argc == 0) {
		if (roff)
			return cmd_usage_error(args->entry, "--roff needs a "
			    "COMMAND");
		cmd_print_commands(stdout);
		return EXIT_OK;
	}
	if ((e = cmd_find(args->argv[0])) == NULL)
		return cmd_usage_error(args->entry, "unknown command '%s'",
		    args->argv[0]);
	if (roff)
		cmd_print_roff(e);
	else
		cmd_print_help(e, stdout);
	return EXIT_OK;
}
