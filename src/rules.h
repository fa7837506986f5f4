/*
 * rules: the one table of every rule wsautopsy applies. The analyzer, the
 * report, the browser's help and the man page all read it; no rule is
 * described anywhere else.
 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>
#include <stdint.h>

enum rule_who { WHO_CLIENT, WHO_SERVER, WHO_EITHER };
enum rule_severity { SEV_MUST, SEV_STRICT, SEV_STATE };

struct rule {
	const char        *id;
	const char        *section;     /* "RFC 6455 5.2" */
	enum rule_who      who;
	int                code;        /* close code a conforming receiver sends; 0 none */
	const char        *class;       /* "1002" "1007" "1009" "1006" "handshake" "capture" */
	enum rule_severity severity;
	const char        *explanation; /* one line */
	const char        *cause;       /* the usual cause */
	const char        *remedy;      /* what to do; may hold %s for a number */
};

extern const struct rule rule_table[];
extern const unsigned    rule_count;

/*
 * Another close code a real stack answers a rule with (../shared/limits.md):
 * such a close is tied to the offending frame as well.
 */
struct rule_close {
	const char *rule;    /* rule id */
	int         code;
	const char *stacks;  /* "gorilla and Tomcat" */
	const char *ids;     /* their profile names: "gorilla,tomcat" */
};

extern const struct rule_close rule_close_table[];
extern const unsigned          rule_close_count;

const struct rule *rule_find(const char *id);
/*
 * Whether a close with this code may answer the rule: "" for the code a
 * conforming receiver sends, the stacks that send it for another code of
 * rule_close_table, NULL when none does.
 */
const char        *rule_closes_with(const struct rule *, int code);
/*
 * Whether the stack of this profile name answers the rule with this code:
 * the code rule_close_table gives it, else the conforming code.
 */
int                rule_stack_answers(const struct rule *, int code,
		       const char *stack);
const char        *rule_who_name(enum rule_who);

/* Size-limit profiles of known implementations (../shared/limits.md). */
struct profile {
	const char *name;        /* "python-websockets" */
	const char *stack;       /* human name */
	uint64_t    max_frame;   /* 0 none */
	uint64_t    max_message; /* 0 none */
	int         close_code;  /* 1009 or 1002; 0 a TCP drop or an error
				    with no close frame; PROFILE_UNVERIFIED */
	const char *reason;      /* reason text fingerprint, "" empty */
	const char *source;
};

/* The reaction to an excess is not documented or could not be confirmed. */
#define PROFILE_UNVERIFIED (-1)

extern const struct profile profile_table[];
extern const unsigned       profile_count;

const struct profile *profile_find(const char *name);
/* The size a profile's stack refuses past: its message limit, else its frame limit. */
uint64_t    profile_limit(const struct profile *);
/*
 * The profiles that close with 1009 and whose limit lies in [min, max], or
 * that equals reason_limit when the close reason states one inside it
 * (-1: none), comma-separated into out; stack (NULL: none) first if it fits.
 */
void        profile_match(uint64_t min, uint64_t max, int64_t reason_limit,
		const char *stack, char *out, size_t len);
/*
 * What the stack does on excess, for --profile list ("1009", "drop",
 * "unverified") and in words for the manual.
 */
const char *profile_excess_short(const struct profile *);
const char *profile_excess_long(const struct profile *);

#endif
