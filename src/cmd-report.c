/*
 * wsautopsy report: tell the story of a database's findings, for a
 * terminal or as data. Reads only the database.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report.h"

static int  cmd_report_exec(int, char **);
static void report_usage(FILE *);
static int  report_parse_classes(const char *, const char *);

const struct cmd_entry cmd_report_entry = {
	"report", "summarise the findings of a database (text, JSON, CSV)",
	cmd_report_exec
};

static void
report_usage(FILE *f)
{
	fprintf(f,
"usage: wsautopsy report [OPTIONS] DB\n"
"Summarise the findings stored by wsautopsy analyze: counts per class,\n"
"per server and per close code, then one block per incident with the\n"
"offending frame, the rule it broke, the usual cause and the remedy.\n"
"\n"
"  -f, --format FMT      text (default), jsonl (one JSON object per\n"
"                        finding) or csv (RFC 4180, with a header row)\n"
"  -c, --class LIST      only findings of these classes (comma-separated:\n"
"                        1002 1007 1009 1006 handshake normal application\n"
"                        capture other)\n"
"  -i, --connection ID   only this connection (connection_id)\n"
"  -C, --capture NAME    only this capture (its file name)\n"
"      --fail-on LIST    exit 3 when findings of these classes exist\n"
"  -h, --help            show this help\n"
"\n"
"Exit status: 0 fine, 1 usage, 2 unreadable database, 3 --fail-on matched.\n"
"Colour when standard output is a terminal and NO_COLOR is unset.\n");
}

static int
report_parse_classes(const char *opt, const char *list)
{
	char bad[128];

	if (report_classes_check(list, bad, sizeof bad) == 0)
		return 0;
	wsa_warn("report: %s: unknown class '%s'", opt, bad);
	return -1;
}

static int
cmd_report_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format",     required_argument, NULL, 'f' },
		{ "class",      required_argument, NULL, 'c' },
		{ "connection", required_argument, NULL, 'i' },
		{ "capture",    required_argument, NULL, 'C' },
		{ "fail-on",    required_argument, NULL, 'F' },
		{ "help",       no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct report_opts o;
	struct store      *s;
	char               err[1024], *end;
	int                ch, status;

	report_opts_default(&o);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:c:i:C:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			if (strcmp(optarg, "text") == 0)
				o.format = REPORT_TEXT;
			else if (strcmp(optarg, "jsonl") == 0)
				o.format = REPORT_JSONL;
			else if (strcmp(optarg, "csv") == 0)
				o.format = REPORT_CSV;
			else {
				wsa_warn("report: unknown format '%s' (text,"
				    " jsonl or csv)", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (report_parse_classes("--class", optarg) != 0)
				return EXIT_USAGE;
			o.classes = optarg;
			break;
		case 'i':
			errno = 0;
			o.connection_id = strtoll(optarg, &end, 10);
			if (errno != 0 || *optarg == '\0' || *end != '\0' ||
			    o.connection_id < 0) {
				wsa_warn("report: bad connection id '%s'",
				    optarg);
				return EXIT_USAGE;
			}
			break;
		case 'C':
			o.capture = optarg;
			break;
		case 'F':
			if (report_parse_classes("--fail-on", optarg) != 0)
				return EXIT_USAGE;
			o.fail_on = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return EXIT_OK;
		default:
			report_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		report_usage(stderr);
		return EXIT_USAGE;
	}
	if ((s = store_open(argv[optind], 1, err, sizeof err)) == NULL) {
		wsa_warn("%s", err);
		return EXIT_INPUT;
	}
	status = report_run(s, &o, stdout);
	store_close(s);
	return status;
}
