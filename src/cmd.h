/*
 * cmd: the subcommand table. One cmd-*.c file per subcommand.
 */
#ifndef CMD_H
#define CMD_H

struct cmd_entry {
	const char *name;
	const char *summary;
	/* argv[0] is the subcommand name; returns the exit status. */
	int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry cmd_analyze_entry;
extern const struct cmd_entry cmd_streams_entry;
extern const struct cmd_entry cmd_report_entry;
extern const struct cmd_entry cmd_rules_entry;
extern const struct cmd_entry cmd_browse_entry;
extern const struct cmd_entry *const cmd_table[];

#endif
