/*
 * wsautopsy report: tell the story of a database's findings, for a
 * terminal or as data. Reads only the database.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report.h"
#include "rules.h"

static int  cmd_report_exec(struct cmd_args *);
static int  report_parse_classes(const struct cmd_entry *, const char *,
		const char *);
static int  report_parse_fail_on(const struct cmd_entry *, const char *);

enum { REPORT_FAIL_ON = CMD_LONG, REPORT_TIMELINE };

static const struct cmd_option report_options[] = {
	{ .name = "format", .key = 'f', .arg = "FMT",
	  .help = "text (default), jsonl (one JSON object per finding) or csv "
	    "(RFC 4180, with a header row)",
	  .doc = ".B text\n"
	    "(default),\n"
	    ".B jsonl\n"
	    "(one JSON object per finding, with the columns of the\n"
	    ".B findings\n"
	    "view, built by SQLite's\n"
	    ".BR json_object ;\n"
	    "bytes such as\n"
	    ".B reason_raw\n"
	    "as lower-case hex without separators) or\n"
	    ".B csv\n"
	    "(RFC 4180 with a header row)." },
	{ .name = "class", .key = 'c', .arg = "LIST",
	  .help = "only findings of these classes (comma-separated: 1002 1007 "
	    "1009 1006 handshake normal application capture other)",
	  .doc = "Only findings of these classes (comma-separated)." },
	{ .name = "connection", .key = 'i', .arg = "ID",
	  .help = "only this connection: its connection_id, or CAPTURE:N, "
	    "its number N within a capture (name or sha256 start)",
	  .doc = "Only this connection: its connection_id, or its stable\n"
	    "address CAPTURE:N (the connections view's address column): N is\n"
	    "its number within the capture, in order of first packet, and\n"
	    "CAPTURE the capture's name or the first 8 or more hex digits of\n"
	    "its sha256. connection_id changes when a capture is analysed\n"
	    "again; the address does not." },
	{ .name = "capture", .key = 'C', .arg = "NAME",
	  .help = "only this capture (its file name)" },
	{ .name = "fail-on", .key = REPORT_FAIL_ON, .arg = "LIST",
	  .help = "exit 3 when findings of these classes or rule ids exist "
	    "(comma-separated; within the other filters, --class too)",
	  .doc = "Exit 3 when findings of these classes or rules exist: a gate\n"
	    "for CI.\n"
	    "The list mixes classes and rule ids (those of\n"
	    ".BR \"wsautopsy rules\" );\n"
	    "a close matches by the rule of its offending frame too.\n"
	    "Only the findings the report shows count: with\n"
	    ".BR --class ,\n"
	    ".BR --connection\n"
	    "or\n"
	    ".BR --capture ,\n"
	    "those it selects." },
	{ .name = "timeline", .key = REPORT_TIMELINE,
	  .help = "only the timeline (findings per class per time bucket); "
	    "with --format jsonl one JSON object per bucket",
	  .doc = "Only the timeline the text report starts with: findings per\n"
	    "class per time bucket, under the other filters.\n"
	    "With\n"
	    ".B --format jsonl\n"
	    "the buckets as data, one object per line, oldest first:\n"
	    ".B start\n"
	    "(seconds since the epoch, to the millisecond),\n"
	    ".B width\n"
	    "(seconds),\n"
	    ".B total\n"
	    "and\n"
	    ".B counts\n"
	    "(an object with every class as a key).\n"
	    "Not with\n"
	    ".BR \"--format csv\" ." },
	{ 0 }
};

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.summary = "summarise the findings of a database (text, JSON, CSV)",
	.usage = "DB",
	.about = "Summarise the findings stored by wsautopsy analyze: a "
	    "timeline of the findings per class, counts per class, per server and per close code, then one block per "
	    "incident with the offending frame, the rule it broke, the usual "
	    "cause and the remedy.",
	.notes = "\nExit status: 0 fine, 1 usage, 2 unreadable database or no such "
	    "connection or capture, 3 "
	    "--fail-on matched.\nColour when standard output is a terminal and "
	    "NO_COLOR is unset.",
	.options = report_options,
	.args = { 1, 1 },
	.exec = cmd_report_exec
};

static int
report_parse_classes(const struct cmd_entry *e, const char *opt,
    const char *list)
{
	char bad[128];

	if (report_classes_check(list, bad, sizeof bad) == 0)
		return 0;
	cmd_usage_error(e, "%s: unknown class '%s'", opt, bad);
	return -1;
}

/* --fail-on takes classes and rule ids, mixed. */
static int
report_parse_fail_on(const struct cmd_entry *e, const char *list)
{
	char        item[128];
	const char *p, *end;
	size_t      len;

	for (p = list; ; p = end + 1) {
		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		snprintf(item, sizeof item, "%.*s", (int)len, p);
		if (finding_class_find(item) >= CLASS_COUNT &&
		    rule_find(item) == NULL) {
			cmd_usage_error(e, "--fail-on: '%s' is neither a class "
			    "nor a rule id", item);
			return -1;
		}
		if (end == NULL)
			return 0;
	}
}

static int
cmd_report_exec(struct cmd_args *args)
{
	struct report_opts o;
	struct store      *s;
	const char        *v, *address = NULL;
	char               err[1024], *end;
	int                i, status;

	report_opts_default(&o);
	for (i = 0; i < args->nopts; i++) {
		v = args->opts[i].value;
		switch (args->opts[i].opt->key) {
		case 'f':
			if (strcmp(v, "text") == 0)
				o.format = REPORT_TEXT;
			else if (strcmp(v, "jsonl") == 0)
				o.format = REPORT_JSONL;
			else if (strcmp(v, "csv") == 0)
				o.format = REPORT_CSV;
			else
				return cmd_usage_error(args->entry, "unknown "
				    "format '%s' (text, jsonl or csv)", v);
			break;
		case 'c':
			if (report_parse_classes(args->entry, "--class", v) != 0)
				return EXIT_USAGE;
			o.classes = v;
			break;
		case 'i':
			/* An id, or a stable address CAPTURE:N (below). */
			if (strchr(v, ':') != NULL) {
				address = v;
				break;
			}
			errno = 0;
			o.connection_id = strtoll(v, &end, 10);
			if (errno != 0 || *v == '\0' || *end != '\0' ||
			    o.connection_id < 0)
				return cmd_usage_error(args->entry, "bad "
				    "connection id '%s'", v);
			break;
		case 'C':
			o.capture = v;
			break;
		case REPORT_TIMELINE:
			o.timeline = 1;
			break;
		case REPORT_FAIL_ON:
			if (report_parse_fail_on(args->entry, v) != 0)
				return EXIT_USAGE;
			o.fail_on = v;
			break;
		}
	}
	if (o.timeline && o.format == REPORT_CSV)
		return cmd_usage_error(args->entry, "--timeline is text or "
		    "jsonl, not csv");
	if ((s = store_open(args->argv[0], 1, err, sizeof err)) == NULL) {
		wsa_warn("%s", err);
		return EXIT_INPUT;
	}
	if (address != NULL && (o.connection_id = store_connection_address(s,
	    address, err, sizeof err)) < 0) {
		wsa_warn("%s: %s", args->argv[0], err);
		store_close(s);
		return EXIT_INPUT;
	}
	status = report_run(s, &o, stdout);
	store_close(s);
	return status;
}
