/*
 * wsautopsy help: a command's --help, or the list of commands.
 */
#include "config.h"

#include "cmd.h"
#include "wsautopsy.h"

static int cmd_help_exec(struct cmd_args *);

static const struct cmd_option help_options[] = {
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

	if (args->argc == 0) {
		cmd_print_commands(stdout);
		return EXIT_OK;
	}
	if ((e = cmd_find(args->argv[0])) == NULL)
		return cmd_usage_error(args->entry, "unknown command '%s'",
		    args->argv[0]);
	cmd_print_help(e, stdout);
	return EXIT_OK;
}
