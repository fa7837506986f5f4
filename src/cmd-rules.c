/*
 * wsautopsy rules: print the rule table (and the size-limit profiles), as
 * text for people or as roff for the man page, which is built from it.
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include "cmd.h"
#include "rules.h"
#include "wsautopsy.h"

static int  cmd_rules_exec(struct cmd_args *);
static void rules_print_also(enum rule_id, int);
static void rules_print_remedy(const char *, int);
static void rules_print_profiles_text(void);
static void rules_print_roff(void);
static void rules_print_text(void);

enum { RULES_FORMAT = CMD_LONG };

static const struct cmd_option rules_options[] = {
	{ .name = "format", .key = RULES_FORMAT, .arg = "FMT",
	  .help = "text (default) or roff (the man page's RULES section)",
	  .doc = ".B text\n"
	    "(default) or\n"
	    ".BR roff ." },
	{ 0 }
};

const struct cmd_entry cmd_rules_entry = {
	.name = "rules",
	.summary = "list the rules wsautopsy applies and the profiles",
	.usage = "",
	.about = "List every rule: id, RFC section, who can break it, the "
	    "close code a conforming peer sends, its explanation, usual cause "
	    "and remedy (N stands for the number analyze fills in from the "
	    "connection); then the size-limit profiles.",
	.options = rules_options,
	.args = { 0, 0 },
	.exec = cmd_rules_exec
};

static const char *const rules_severity[] = { "MUST", "strict", "state" };

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
			cmd_roff_text(c->stacks, 1);
		else
			fputs(c->stacks, stdout);
	}
}

/*
 * A remedy's %s is the connection's own number, filled in by analyze; the
 * table shows it as N.
 */
static void
rules_print_remedy(const char *remedy, int roff)
{
	const char *pct = strstr(remedy, "%s");
	int         head = pct != NULL ? (int)(pct - remedy) : (int)strlen(remedy);
	char        buf[512];

	snprintf(buf, sizeof buf, "%.*s", head, remedy);
	if (roff)
		cmd_roff_text(buf, 1);
	else
		fputs(buf, stdout);
	if (pct == NULL)
		return;
	printf(roff ? "\\fIN\\fP" : "N");
	if (roff)
		cmd_roff_text(pct + 2, 0);
	else
		fputs(pct + 2, stdout);
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
		cmd_roff_text(rule_name(id), 1);
		printf("\n(");
		cmd_roff_text(r->section, 1);
		printf("; %s; ", rule_who_name(r->who));
		if (r->code != 0)
			printf("close code %d; ", r->code);
		printf("class %s; %s)\n", finding_class_names[r->class],
		    rules_severity[r->severity]);
		cmd_roff_text(r->explanation, 1);
		rules_print_also(id, 1);
		printf(".\nCause: ");
		cmd_roff_text(r->cause, 1);
		printf(".\nRemedy: ");
		rules_print_remedy(r->remedy, 1);
		printf(".\n");
	}
	printf(".SH PROFILES\n"
	    "Size limits of known implementations' defaults, for\n"
	    ".BR \\-\\-profile .\n"
	    "A limit of 0 means none.\n");
	for (i = 0; i < profile_count; i++) {
		p = &profile_table[i];
		printf(".TP\n.B ");
		cmd_roff_text(p->name, 1);
		printf("\n");
		cmd_roff_text(p->stack, 1);
		printf(": frame limit %" PRIu64 ", message limit %" PRIu64
		    ", on excess %s", p->max_frame, p->max_message,
		    profile_excess_long(p));
		if (p->reason[0] != '\0') {
			printf(", reason \\(lq");
			cmd_roff_text(p->reason, 1);
			printf("\\(rq");
		}
		printf(".\nSource: ");
		cmd_roff_text(p->source, 1);
		printf(".\n");
	}
	printf(".SH IDLE TIMEOUTS\n"
	    "Default idle timeouts of proxies and load balancers, which an\n"
	    ".B abrupt\\-fin\nor\n.B abrupt\\-reset\n"
	    "is matched against (see\n.BR \"Idle time before an abnormal "
	    "end\" ).\n");
	for (i = 0; i < idle_timeout_count; i++) {
		printf(".TP\n.B ");
		cmd_roff_text(idle_timeout_table[i].hop, 1);
		printf("\n");
		cmd_roff_text(idle_timeout_table[i].setting, 1);
		printf(": %g s.\nSource: ", idle_timeout_table[i].seconds);
		cmd_roff_text(idle_timeout_table[i].source, 1);
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
		printf(".\n  cause: %s.\n  remedy: ", r->cause);
		rules_print_remedy(r->remedy, 0);
		printf(".\n");
	}
	rules_print_profiles_text();
}

static void
rules_print_profiles_text(void)
{
	const struct profile *p;
	unsigned              i;

	printf("\nProfiles (size limits of known implementations' defaults, "
	    "for --profile; 0 means none):\n");
	for (i = 0; i < profile_count; i++) {
		p = &profile_table[i];
		printf("%s\n  %s: frame limit %" PRIu64 ", message limit %"
		    PRIu64 ", on excess %s", p->name, p->stack, p->max_frame,
		    p->max_message, profile_excess_long(p));
		if (p->reason[0] != '\0')
			printf(", reason \"%s\"", p->reason);
		printf(".\n  source: %s.\n", p->source);
	}
}

static int
cmd_rules_exec(struct cmd_args *args)
{
	const char *fmt = "text";
	int         i;

	for (i = 0; i < args->nopts; i++)
		fmt = args->opts[i].value;
	if (strcmp(fmt, "roff") == 0)
		rules_print_roff();
	else if (strcmp(fmt, "text") == 0)
		rules_print_text();
	else
		return cmd_usage_error(args->entry, "unknown format '%s' (text "
		    "or roff)", fmt);
	return EXIT_OK;
}
