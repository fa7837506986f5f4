/*
 * wsautopsy: WebSocket post-incident forensics from packet captures.
 * Subcommand dispatch; each subcommand lives in its own cmd-*.c file.
 */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "wsautopsy.h"
#include "cmd.h"

static void wsautopsy_usage(FILE *);

static void
wsautopsy_usage(FILE *f)
{
	const struct cmd_entry *const *c;

	fprintf(f, "usage: wsautopsy COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
	for (c = cmd_table; *c != NULL; c++)
		fprintf(f, "  %-9s %s\n", (*c)->name, (*c)->summary);
	fprintf(f, "\nwsautopsy COMMAND --help shows a command's options;"
	    " --version the version.\n");
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *const *c;

	/*
	 * Connections come and go by the thousand, each with a decoder and
	 * perhaps a 32 KiB inflate window: keep freed memory for reuse rather
	 * than handing it back and faulting it in again.
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	if (argc < 2) {
		wsautopsy_usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("wsautopsy %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		wsautopsy_usage(stdout);
		return EXIT_OK;
	}
	for (c = cmd_table; *c != NULL; c++) {
		if (strcmp(argv[1], (*c)->name) == 0)
			return (*c)->exec(argc - 1, argv + 1);
	}
	wsa_warn("unknown command '%s' (wsautopsy --help lists them)", argv[1]);
	return EXIT_USAGE;
}
