/*
 * wsautopsy: WebSocket post-incident forensics from packet captures.
 * Subcommand dispatch; each subcommand lives in its own cmd-*.c file and is
 * parsed by cmd_run.
 */
#include "config.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "wsautopsy.h"
#include "cmd.h"

int
main(int argc, char **argv)
{
	const struct cmd_entry *e;

	/*
	 * Connections come and go by the thousand, each with a decoder and
	 * perhaps a 32 KiB inflate window: keep freed memory for reuse rather
	 * than handing it back and faulting it in again.
	 */
	mallopt(M_TRIM_THRESHOLD, 256 << 20);
	mallopt(M_MMAP_THRESHOLD, 1 << 20);
	if (argc < 2) {
		cmd_print_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("wsautopsy %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cmd_print_commands(stdout);
		return EXIT_OK;
	}
	if ((e = cmd_find(argv[1])) != NULL)
		return cmd_run(e, argc - 1, argv + 1);
	wsa_warn("unknown command '%s' (wsautopsy --help lists them)", argv[1]);
	return EXIT_USAGE;
}
