/*
 * wsautopsy rules: print the rule table (and the size-limit profiles), as
 * text for people or as roff for the man page, which is built from it.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "cmd.h"
#include "rules.h"
#include "wsautopsy.h"

static int  cmd_rules_exec(int, char **);
static void rules_usage(FILE *);
static void rules_roff_text(const char *);
static void rules_print_also(enum rule_id, int);
static void rules_print_roff(void);
static void rules_print_text(void);

const struct cmd_entry cmd_rules_entry = {
	"rules", "list the rules wsautopsy applies and the profiles",
	cmd_rules_exec
};

static const char *const rules_severity[] = { "MUST", "strict", "state" };

static void
rules_usage(FILE *f)
{
	fprintf(f,
"usage: wsautopsy rules [--format text|roff]\n"
"List every rule: id, RFC section, who can break it, the close code a\n"
"conforming peer sends, its explanation, usual cause and remedy; then the\n"
"size-limit profiles.\n"
"\n"
"      --format FMT   text (default) or roff (the man page's RULES section)\n"
"  -h, --help         show this help\n");
}

/* Roff-safe text: a leading dot or quote and backslashes are escaped. */
static void
rules_roff_text(const char *s)
{
	if (*s == '.' || *s == '\'')
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

/* The other codes real stacks answer the rule with, after its text. */
static void
rules_print_also(enum rule_id id, int roff)
{
	const struct rule_close *c;
	unsigned                 i;

	for (i = 0; i < rule_close_count; i++) {
		c = &rule_close_table[i];
		if (c->rule != id)
			continue;
		printf("; also answered with %d by ", c->code);
		if (roff)
			rules_roff_text(c->stacks);
		else
			fputs(c->stacks, stdout);
	}
}

static void
rules_print_roff(void)
{
	const struct rule    *r;
	const struct profile *p;
	unsigned              i;
	int                   id;

	for (id = RULE_NONE + 1; id < RULE_COUNT; id++) {
		r = rule_get(id);
		printf(".TP\n.B ");
		rules_roff_text(rule_name(id));
		printf("\n(");
		rules_roff_text(r->section);
		printf("; %s; ", rule_who_name(r->who));
		if (r->code != 0)
			printf("close code %d; ", r->code);
		printf("class %s; %s)\n", finding_class_names[r->class],
		    rules_severity[r->severity]);
		rules_roff_text(r->explanation);
		rules_print_also(id, 1);
		printf(".\nCause: ");
		rules_roff_text(r->cause);
		printf(".\nRemedy: ");
		rules_roff_text(r->remedy);
		printf(".\n");
	}
	printf(".SH PROFILES\n"
	    "Size limits of known implementations' defaults, for\n"
	    ".BR \\-\\-profile .\n"
	    "A limit of 0 means none.\n");
	for (i = 0; i < profile_count; i++) {
		p = &profile_table[i];
		printf(".TP\n.B ");
		rules_roff_text(p->name);
		printf("\n");
		rules_roff_text(p->stack);
		printf(": frame limit %" PRIu64 ", message limit %" PRIu64
		    ", on excess %s", p->max_frame, p->max_message,
		    profile_excess_long(p));
		if (p->reason[0] != '\0') {
			printf(", reason \\(lq");
			rules_roff_text(p->reason);
			printf("\\(rq");
		}
		printf(".\nSource: ");
		rules_roff_text(p->source);
		printf(".\n");
	}
}

static void
rules_print_text(void)
{
	const struct rule *r;
	int                id;

	for (id = RULE_NONE + 1; id < RULE_COUNT; id++) {
		r = rule_get(id);
		printf("%s\n  %s; %s; class %s", rule_name(id), r->section,
		    rule_who_name(r->who), finding_class_names[r->class]);
		if (r->code != 0)
			printf("; close code %d", r->code);
		printf("; %s\n  %s", rules_severity[r->severity],
		    r->explanation);
		rules_print_also(id, 0);
		printf(".\n  cause: %s.\n  remedy: %s.\n", r->cause,
		    r->remedy);
	}
}

static int
cmd_rules_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *fmt = "text";
	int         ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'F':
			fmt = optarg;
			break;
		case 'h':
			rules_usage(stdout);
			return EXIT_OK;
		default:
			rules_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (strcmp(fmt, "roff") == 0)
		rules_print_roff();
	else if (strcmp(fmt, "text") == 0)
		rules_print_text();
	else {
		wsa_warn("rules: unknown format '%s' (text or roff)", fmt);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
