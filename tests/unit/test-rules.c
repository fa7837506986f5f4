/*
 * The rule table's close codes and the profiles: which codes a close may
 * answer a rule with, and what --profile list says a stack does on excess.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rules.h"

static void
test_conforming_code(void **state)
{
	(void)state;
	assert_string_equal(rule_closes_with(rule_find("reserved-opcode"),
	    1002), "");
	assert_string_equal(rule_closes_with(
	    rule_find("invalid-utf8-close-reason"), 1007), "");
	assert_null(rule_closes_with(rule_find("reserved-opcode"), 1007));
	assert_null(rule_closes_with(NULL, 1002));
}

/* limits.md: gorilla and Tomcat send 1002 for a bad close reason. */
static void
test_stack_codes(void **state)
{
	const char *st;

	(void)state;
	st = rule_closes_with(rule_find("invalid-utf8-close-reason"), 1002);
	assert_non_null(st);
	assert_non_null(strstr(st, "gorilla"));
	assert_non_null(strstr(st, "Tomcat"));
	st = rule_closes_with(rule_find("length-msb-set"), 1009);
	assert_non_null(st);
	assert_non_null(strstr(st, "Node ws"));
	assert_null(rule_closes_with(rule_find("invalid-utf8-text"), 1002));
	assert_null(rule_closes_with(rule_find("invalid-utf8-close-reason"),
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
		r = rule_find(rule_close_table[i].rule);
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
	const struct rule *r = rule_find("invalid-utf8-close-reason");

	(void)state;
	assert_true(rule_stack_answers(r, 1002, "gorilla"));
	assert_false(rule_stack_answers(r, 1007, "gorilla"));
	assert_true(rule_stack_answers(r, 1002, "tomcat"));
	assert_true(rule_stack_answers(r, 1007, "python-websockets"));
	assert_false(rule_stack_answers(r, 1002, "python-websockets"));
	/* Names are whole: "go" is not gorilla. */
	assert_true(rule_stack_answers(r, 1007, "go"));
	assert_false(rule_stack_answers(NULL, 1002, "gorilla"));
	r = rule_find("length-msb-set");
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conforming_code),
		cmocka_unit_test(test_stack_codes),
		cmocka_unit_test(test_close_table_sound),
		cmocka_unit_test(test_profile_excess),
		cmocka_unit_test(test_stack_answers),
		cmocka_unit_test(test_profile_match),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
