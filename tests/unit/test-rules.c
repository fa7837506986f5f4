/*
 * The rule table's rows and close codes and the profiles: every rule has
 * its row, which codes a close may answer a rule with, and what --profile
 * list says a stack does on excess.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "flags.h"
#include "rules.h"
#include "store.h"

/* Every rule of RULE_LIST has a whole row and an id of its own. */
static void
test_rule_rows(void **state)
{
	const struct rule *r;
	int                i, j;

	(void)state;
	assert_null(rule_get(RULE_NONE));
	assert_null(rule_name(RULE_NONE));
	assert_null(rule_get(RULE_COUNT));
	for (i = RULE_NONE + 1; i < RULE_COUNT; i++) {
		r = rule_get(i);
		assert_non_null(r);
		assert_non_null(rule_name(i));
		assert_true(rule_name(i)[0] != '\0');
		assert_non_null(r->section);
		assert_true((unsigned)r->class < FINDING_CLASSES);
		assert_non_null(r->explanation);
		assert_non_null(r->cause);
		assert_non_null(r->remedy);
		assert_ptr_equal(rule_find(rule_name(i)), r);
		for (j = RULE_NONE + 1; j < i; j++)
			assert_string_not_equal(rule_name(i), rule_name(j));
	}
	assert_null(rule_find("no-such-rule"));
	assert_string_equal(rule_name(RULE_MESSAGE_TOO_BIG), "message-too-big");
}

/* Every class of CLASS_LIST has a name of its own, found by that name. */
static void
test_class_names(void **state)
{
	int c, d;

	(void)state;
	for (c = 0; c < CLASS_COUNT; c++) {
		assert_non_null(finding_class_names[c]);
		assert_true(finding_class_names[c][0] != '\0');
		assert_int_equal(finding_class_find(finding_class_names[c]), c);
		for (d = 0; d < c; d++)
			assert_string_not_equal(finding_class_names[c],
			    finding_class_names[d]);
	}
	assert_int_equal(finding_class_find("1005"), CLASS_COUNT);
	assert_int_equal(finding_class_find(NULL), CLASS_COUNT);
	/* Findings' classes first, in report order; other gathers the rest. */
	assert_string_equal(finding_class_names[0], "1002");
	assert_string_equal(finding_class_names[FINDING_CLASSES - 1], "other");
}

/* Each field the store packs lands on the bit flags.h names for it. */
static void
test_flag_bits(void **state)
{
	struct ws_frame   f;
	struct ws_message m;

	(void)state;
#define FRAME_IS(field, value, want) \
	do { \
		memset(&f, 0, sizeof f); \
		f.field = (value); \
		assert_int_equal(store_frame_flags(&f), (want)); \
	} while (0)
	FRAME_IS(fin, 1, FRAME_F_FIN);
	FRAME_IS(rsv, WS_RSV1, FRAME_F_RSV1);
	FRAME_IS(rsv, WS_RSV2, FRAME_F_RSV2);
	FRAME_IS(rsv, WS_RSV3, FRAME_F_RSV3);
	FRAME_IS(masked, 1, FRAME_F_MASKED);
	FRAME_IS(truncated, 1, FRAME_F_TRUNCATED);
	FRAME_IS(non_minimal, 1, FRAME_F_NON_MINIMAL);
#undef FRAME_IS
#define MSG_IS(field, want) \
	do { \
		memset(&m, 0, sizeof m); \
		m.field = 1; \
		assert_int_equal(store_message_flags(&m), (want)); \
	} while (0)
	MSG_IS(compressed, MSG_F_COMPRESSED);
	MSG_IS(incomplete, MSG_F_INCOMPLETE);
	MSG_IS(headless, MSG_F_HEADLESS);
	MSG_IS(gap, MSG_F_GAP);
	MSG_IS(undecoded, MSG_F_UNDECODED);
	MSG_IS(too_big, MSG_F_TOO_BIG);
	MSG_IS(inflate_capped, MSG_F_INFLATE_CAPPED);
#undef MSG_IS
	/* SQL text made of a name is the number itself. */
	assert_string_equal(FLAG_STR(MSG_F_UNDECODED), "16");
	assert_string_equal(FLAG_STR(FRAME_B_RSV), "1");
}

static void
test_conforming_code(void **state)
{
	(void)state;
	assert_string_equal(rule_closes_with(RULE_RESERVED_OPCODE,
	    1002), "");
	assert_string_equal(rule_closes_with(
	    RULE_INVALID_UTF8_REASON, 1007), "");
	assert_null(rule_closes_with(RULE_RESERVED_OPCODE, 1007));
	assert_null(rule_closes_with(RULE_NONE, 1002));
}

/* limits.md: gorilla and Tomcat send 1002 for a bad close reason. */
static void
test_stack_codes(void **state)
{
	const char *st;

	(void)state;
	st = rule_closes_with(RULE_INVALID_UTF8_REASON, 1002);
	assert_non_null(st);
	assert_non_null(strstr(st, "gorilla"));
	assert_non_null(strstr(st, "Tomcat"));
	st = rule_closes_with(RULE_LENGTH_MSB, 1009);
	assert_non_null(st);
	assert_non_null(strstr(st, "Node ws"));
	assert_null(rule_closes_with(RULE_INVALID_UTF8_TEXT, 1002));
	assert_null(rule_closes_with(RULE_INVALID_UTF8_REASON,
	    1009));
}

/* Every row names a rule of the table, with a code other than its own. */
static void
test_close_table_sound(void **state)
{
	const struct rule *r;
	unsigned           i;

	(void)state;
	for (i = 0; i < rule_close_count; i++) {
		r = rule_get(rule_close_table[i].rule);
		assert_non_null(r);
		assert_int_not_equal(r->code, rule_close_table[i].code);
	}
}

static void
test_profile_excess(void **state)
{
	/* limits.md marks the last four reactions UNVERIFIED: never a fact. */
	static const struct {
		const char *name, *excess;
	} want[] = {
		{ "node-ws", "1009" }, { "uwebsockets", "drop" },
		{ "spring-stomp", "1002" }, { "azure-webpubsub", "unverified" },
		{ "kong", "unverified" }, { "apisix", "unverified" },
		{ "signalr", "unverified" },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_string_equal(profile_excess_short(
		    profile_find(want[i].name)), want[i].excess);
	assert_non_null(strstr(profile_excess_long(profile_find("kong")),
	    "unverified"));
	assert_int_equal(profile_find("firefox")->max_message, 2147483647);
	assert_int_equal(profile_find("kong-upstream")->max_message,
	    16777216);
	assert_int_equal(profile_find("cloudflare")->max_message, 33554432);
	assert_int_equal(profile_find("signalr")->max_message, 32768);
}

/* A stack answers a rule with its listed code, else the conforming one. */
static void
test_stack_answers(void **state)
{
	enum rule_id r = RULE_INVALID_UTF8_REASON;

	(void)state;
	assert_true(rule_stack_answers(r, 1002, "gorilla"));
	assert_false(rule_stack_answers(r, 1007, "gorilla"));
	assert_true(rule_stack_answers(r, 1002, "tomcat"));
	assert_true(rule_stack_answers(r, 1007, "python-websockets"));
	assert_false(rule_stack_answers(r, 1002, "python-websockets"));
	/* Names are whole: "go" is not gorilla. */
	assert_true(rule_stack_answers(r, 1007, "go"));
	assert_false(rule_stack_answers(RULE_NONE, 1002, "gorilla"));
	r = RULE_LENGTH_MSB;
	assert_true(rule_stack_answers(r, 1009, "node-ws"));
	assert_false(rule_stack_answers(r, 1002, "node-ws"));
}

/*
 * The profiles that fit bounds: a raised lower bound drops those whose
 * default falls below it; a stated limit inside the bounds picks its own;
 * the fingerprinted stack comes first; the list is cut whole.
 */
static void
test_profile_match(void **state)
{
	char out[256];

	(void)state;
	profile_match(0, 69999, -1, NULL, out, sizeof out);
	assert_string_equal(out, "coder-websocket,netty,jetty,tomcat");
	profile_match(60000, 69999, -1, NULL, out, sizeof out);
	assert_string_equal(out, "netty,jetty");
	profile_match(70000, 69999, -1, NULL, out, sizeof out);
	assert_string_equal(out, "");
	profile_match(0, 69999, -1, "jetty", out, sizeof out);
	assert_string_equal(out, "jetty,tomcat,coder-websocket,netty");
	profile_match(5, 2097151, 1048576, NULL, out, sizeof out);
	assert_non_null(strstr(out, "python-websockets"));
	assert_null(strstr(out, "netty"));
	profile_match(0, 69999, -1, NULL, out, 12);
	assert_string_equal(out, "netty,jetty");
}

/*
 * A quiet spell matches a proxy's default idle timeout from half a second
 * before it to one second (or 2%) after it, naming every hop it fits.
 */
static void
test_idle_timeout_match(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(idle_timeout_match(60.0, out, sizeof out), 2);
	assert_string_equal(out, "nginx proxy_read_timeout (default 60 s) and "
	    "AWS ALB idle timeout (default 60 s)");
	assert_int_equal(idle_timeout_match(60.9, out, sizeof out), 2);
	assert_int_equal(idle_timeout_match(59.6, out, sizeof out), 2);
	assert_int_equal(idle_timeout_match(59.4, out, sizeof out), 0);
	assert_string_equal(out, "");
	assert_int_equal(idle_timeout_match(61.3, out, sizeof out), 0);
	assert_int_equal(idle_timeout_match(61.1, out, sizeof out), 2);
	assert_int_equal(idle_timeout_match(100.4, out, sizeof out), 1);
	assert_string_equal(out, "Cloudflare idle timeout (default 100 s)");
	/* 2% of 60 s is 1.2 s, of 350 s 7 s: a late timer still matches. */
	assert_int_equal(idle_timeout_match(356.5, out, sizeof out), 1);
	assert_string_equal(out, "AWS NLB TCP idle timeout (default 350 s)");
	assert_int_equal(idle_timeout_match(5.0, out, sizeof out), 0);
	/* Cut, never overrun. */
	assert_int_equal(idle_timeout_match(60.0, out, 10), 2);
	assert_int_equal(strlen(out), 9);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_rows),
		cmocka_unit_test(test_class_names),
		cmocka_unit_test(test_flag_bits),
		cmocka_unit_test(test_conforming_code),
		cmocka_unit_test(test_stack_codes),
		cmocka_unit_test(test_close_table_sound),
		cmocka_unit_test(test_profile_excess),
		cmocka_unit_test(test_stack_answers),
		cmocka_unit_test(test_profile_match),
		cmocka_unit_test(test_idle_timeout_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
