/*
 * The subcommand table: a new subcommand is a new cmd-*.c and one line here.
 */
#include "config.h"

#include <stddef.h>

#include "cmd.h"

const struct cmd_entry *const cmd_table[] = {
	&cmd_analyze_entry,
	&cmd_streams_entry,
	&cmd_report_entry,
	&cmd_rules_entry,
	&cmd_browse_entry,

	NULL
};
