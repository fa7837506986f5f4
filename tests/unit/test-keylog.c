/*
 * The NSS key log parser: every label it reads, the lines it skips, the
 * malformed lines it names, and its bound.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "keylog.h"
#include "tmpfile.h"

#define CR1 "0102030405060708091011121314151617181920212223242526272829303132"
#define CR2 "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF"
#define S48 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" \
	    "00112233445566778899aabbccddeeff"
#define S32 "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100"

static void
unhex(const char *s, uint8_t *out)
{
	size_t i;
	unsigned v;

	for (i = 0; s[2 * i] != '\0'; i++) {
		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void
add(struct keylog *kl, const char *text)
{
	keylog_add(kl, "test", (const uint8_t *)text, strlen(text));
}

static void
test_labels(void **state)
{
	struct keylog             *kl = keylog_new();
	const struct keylog_entry *e;
	uint8_t                    r[32], v[48];

	(void)state;
	add(kl, "# SSL/TLS secrets log file\n"
	    "CLIENT_RANDOM " CR1 " " S48 "\n"
	    "CLIENT_HANDSHAKE_TRAFFIC_SECRET " CR2 " " S32 "\r\n"
	    "SERVER_HANDSHAKE_TRAFFIC_SECRET " CR2 " " S32 "\n"
	    "CLIENT_TRAFFIC_SECRET_0 " CR2 " " S48 "\n"
	    "SERVER_TRAFFIC_SECRET_0 " CR2 " " S32 "\n"
	    "EXPORTER_SECRET " CR2 " " S32 "\n"
	    "\n");
	assert_int_equal(keylog_stats(kl)->entries, 2);
	assert_int_equal(keylog_stats(kl)->malformed, 0);
	unhex(CR1, r);
	e = keylog_find(kl, r);
	assert_non_null(e);
	assert_int_equal(e->len[KEYLOG_MASTER], 48);
	assert_int_equal(e->len[KEYLOG_CLIENT_AP], 0);
	unhex(S48, v);
	assert_memory_equal(e->secret[KEYLOG_MASTER], v, 48);
	assert_string_equal(e->source, "test");
	unhex(CR2, r);
	e = keylog_find(kl, r);
	assert_non_null(e);
	assert_int_equal(e->len[KEYLOG_MASTER], 0);
	assert_int_equal(e->len[KEYLOG_CLIENT_HS], 32);
	assert_int_equal(e->len[KEYLOG_SERVER_HS], 32);
	assert_int_equal(e->len[KEYLOG_CLIENT_AP], 48);
	assert_int_equal(e->len[KEYLOG_SERVER_AP], 32);
	unhex(S32, v);
	assert_memory_equal(e->secret[KEYLOG_SERVER_AP], v, 32);
	r[31] ^= 1;
	assert_null(keylog_find(kl, r));
	keylog_free(kl);
}

static void
test_malformed(void **state)
{
	struct keylog *kl = keylog_new();
	char           big[3000];

	(void)state;
	memset(big, 'A', sizeof big - 2);
	big[sizeof big - 2] = '\n';
	big[sizeof big - 1] = '\0';
	add(kl, "CLIENT_RANDOM " CR1 "\n"                    /* no secret */
	    "CLIENT_RANDOM " CR1 "00 " S48 "\n"              /* random too long */
	    "CLIENT_RANDOM " CR1 " " S32 "\n"                /* master not 48 */
	    "CLIENT_RANDOM " CR1 " " S48 " extra\n"
	    "CLIENT_TRAFFIC_SECRET_0 " CR1 " 0g" S32 "\n"    /* not hex */
	    "hello world\n"
	    "CLIENT_RANDOM " CR2 " " S48 "\n");
	assert_int_equal(keylog_stats(kl)->malformed, 6);
	assert_int_equal(keylog_stats(kl)->entries, 1);
	add(kl, big);
	assert_int_equal(keylog_stats(kl)->malformed, 7);
	assert_int_equal(keylog_stats(kl)->long_lines, 1);
	keylog_free(kl);
}

/* A file: lines read one at a time, a long one skipped whole. */
static void
test_file(void **state)
{
	struct keylog *kl = keylog_new();
	char           path[256], err[256];
	FILE          *f;
	int            i;
	uint8_t        r[32];

	(void)state;
	f = tf_create(path, sizeof path, ".keys");
	assert_non_null(f);
	for (i = 0; i < 5000; i++)
		fputc('x', f);
	fputs(" CLIENT_RANDOM\nCLIENT_RANDOM " CR1 " " S48 "\n", f);
	fclose(f);
	assert_int_equal(keylog_load_file(kl, path, err, sizeof err), 0);
	unlink(path);
	unhex(CR1, r);
	assert_non_null(keylog_find(kl, r));
	assert_int_equal(keylog_stats(kl)->lines, 2);
	assert_int_equal(keylog_stats(kl)->long_lines, 1);
	assert_int_equal(keylog_load_file(kl, path, err, sizeof err), -1);
	assert_non_null(strstr(err, path));
	keylog_free(kl);
}

/* Past the cap, lines are counted and not kept; memory stays bounded. */
static void
test_cap(void **state)
{
	struct keylog *kl = keylog_new();
	char           line[200];
	size_t         i, n = KEYLOG_MAX_ENTRIES + 10;
	char          *text = malloc(n * 180), *p = text;
	uint8_t        r[32];

	(void)state;
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof line, "CLIENT_RANDOM %064zx " S48 "\n", i);
		p = stpcpy(p, line);
	}
	keylog_add(kl, "big", (const uint8_t *)text, (size_t)(p - text));
	assert_int_equal(keylog_stats(kl)->entries, KEYLOG_MAX_ENTRIES);
	assert_int_equal(keylog_stats(kl)->capped, 10);
	memset(r, 0, sizeof r);
	r[31] = 7;
	assert_non_null(keylog_find(kl, r));
	free(text);
	keylog_free(kl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
