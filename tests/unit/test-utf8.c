/*
 * UTF-8 validator: RFC 3629 boundaries, incremental feeding, and agreement
 * with a straightforward code point decoder on random input.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "utf8.h"

static int64_t	ref_check(const uint8_t *, size_t, int *);
static int64_t	chk(const char *, size_t);

/* Decodes code point by code point; returns the offset of the first byte
 * that cannot continue a valid prefix, or -1; *trunc set if the only
 * problem is a sequence cut by the end. */
static int64_t
ref_check(const uint8_t *p, size_t n, int *trunc)
{
	size_t   i = 0, len, j;
	uint32_t cp, min;

	*trunc = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] == 0xc0 || p[i] == 0xc1 || p[i] > 0xf4)
			return (int64_t)i;	/* overlong-only or beyond U+10FFFF leads */
		if ((p[i] & 0xe0) == 0xc0) {
			len = 2; cp = p[i] & 0x1f; min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			len = 3; cp = p[i] & 0x0f; min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			len = 4; cp = p[i] & 0x07; min = 0x10000;
		} else
			return (int64_t)i;
		for (j = 1; j < len; j++) {
			if (i + j >= n) {
				/* Only a truncation if every prefix so far could still complete. */
				*trunc = 1;
				break;
			}
			if ((p[i + j] & 0xc0) != 0x80)
				return (int64_t)(i + j);
			cp = cp << 6 | (p[i + j] & 0x3f);
			/* Reject as soon as the bytes so far fix an invalid value. */
			if (j == 1) {
				uint32_t lo = cp << (6 * (len - 2)), hi = lo | ((1U << (6 * (len - 2))) - 1);
				if (hi < min || lo > 0x10ffff || (lo >= 0xd800 && hi <= 0xdfff))
					return (int64_t)(i + j);
			}
		}
		if (*trunc)
			return (int64_t)i;
		i += len;
	}
	return -1;
}

static int64_t
chk(const char *s, size_t n)
{
	return utf8_check((const uint8_t *)s, n);
}

static void
test_valid_boundaries(void **state)
{
	static const char *ok[] = {
		"", "plain ascii text that is longer than eight bytes",
		"\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80",
		"\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e",
	};
	size_t i;

	for (i = 0; i < sizeof ok / sizeof ok[0]; i++)
		assert_int_equal(chk(ok[i], strlen(ok[i])), -1);
}

static void
test_invalid(void **state)
{
	static const struct { const char *s; int64_t at; } bad[] = {
		{ "\x80", 0 },                  /* stray continuation */
		{ "ab\xbf", 2 },
		{ "\xc0\x80", 0 },              /* overlong NUL */
		{ "\xc1\xbf", 0 },
		{ "\xe0\x80\x80", 1 },          /* overlong 3-byte */
		{ "\xe0\x9f\xbf", 1 },
		{ "\xf0\x80\x80\x80", 1 },      /* overlong 4-byte */
		{ "\xf0\x8f\xbf\xbf", 1 },
		{ "\xed\xa0\x80", 1 },          /* U+D800 */
		{ "\xed\xbf\xbf", 1 },          /* U+DFFF */
		{ "\xf4\x90\x80\x80", 1 },      /* U+110000 */
		{ "\xf5\x80\x80\x80", 0 },
		{ "\xff", 0 },
		{ "\xfe", 0 },
		{ "\xc3\x28", 1 },              /* lead then ASCII */
		{ "\xe2\x82", 0 },              /* truncated at the end: offset of the lead */
		{ "xyz\xf0\x9d\x84", 3 },
		{ "\xc3", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(chk(bad[i].s, strlen(bad[i].s)), bad[i].at);
}

static void
test_split_everywhere(void **state)
{
	static const char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9ez\xed\x9f\xbf";
	struct utf8_state u;
	size_t            n = sizeof s - 1, i, j;

	for (i = 0; i <= n; i++) {
		for (j = i; j <= n; j++) {
			utf8_init(&u);
			assert_int_equal(utf8_feed(&u, (const uint8_t *)s, i), -1);
			assert_int_equal(utf8_feed(&u, (const uint8_t *)s + i, j - i), -1);
			assert_int_equal(utf8_feed(&u, (const uint8_t *)s + j, n - j), -1);
			assert_int_equal(utf8_finish(&u), -1);
		}
		/* Cut here for good: open sequences are invalid at the end. */
		utf8_init(&u);
		utf8_feed(&u, (const uint8_t *)s, i);
		if (i == 2 || (i >= 4 && i <= 5) || (i >= 7 && i <= 9) || (i >= 12 && i <= 13))
			assert_true(utf8_finish(&u) >= 0);
		else
			assert_int_equal(utf8_finish(&u), -1);
	}
}

static void
test_error_sticks(void **state)
{
	struct utf8_state u;

	utf8_init(&u);
	assert_int_equal(utf8_feed(&u, (const uint8_t *)"abcd", 4), -1);
	assert_int_equal(utf8_feed(&u, (const uint8_t *)"e\xc0", 2), 5);
	assert_int_equal(utf8_feed(&u, (const uint8_t *)"fine", 4), 5);
	assert_int_equal(utf8_finish(&u), 5);
}

/* The 8-byte ASCII path must stop at a bad byte wherever it falls. */
static void
test_ascii_fast_path(void **state)
{
	uint8_t buf[80];
	size_t  at, len;

	for (len = 1; len <= sizeof buf; len++) {
		for (at = 0; at < len; at++) {
			memset(buf, 'x', len);
			buf[at] = 0xff;
			assert_int_equal(utf8_check(buf, len), (int64_t)at);
			buf[at] = 0xc3;
			if (at + 1 < len) {
				buf[at + 1] = 0xa9;
				assert_int_equal(utf8_check(buf, len), -1);
			} else
				assert_int_equal(utf8_check(buf, len), (int64_t)at);
		}
	}
}

static void
test_random_against_reference(void **state)
{
	static const uint8_t pick[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0,
	    0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff };
	uint8_t           buf[12];
	uint32_t          seed = 12345;
	struct utf8_state u;
	int64_t           want, got;
	int               trunc, iter, i, n, cut;

	for (iter = 0; iter < 200000; iter++) {
		n = 1 + (int)(seed % sizeof buf);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = pick[(seed >> 16) % sizeof pick];
		}
		want = ref_check(buf, (size_t)n, &trunc);
		cut = (int)((seed >> 8) % (unsigned)(n + 1));
		utf8_init(&u);
		got = utf8_feed(&u, buf, (size_t)cut);
		if (got < 0)
			got = utf8_feed(&u, buf + cut, (size_t)(n - cut));
		if (got < 0)
			got = utf8_finish(&u);
		if (got != want) {
			for (i = 0; i < n; i++)
				print_message("%02x ", buf[i]);
			print_message("cut %d\n", cut);
		}
		assert_int_equal(got, want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_boundaries),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_split_everywhere),
		cmocka_unit_test(test_error_sticks),
		cmocka_unit_test(test_ascii_fast_path),
		cmocka_unit_test(test_random_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
