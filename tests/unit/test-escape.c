/*
 * Unit tests of output escaping: terminal text, wire text and CSV fields
 * from hostile bytes.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "escape.h"
#include "utf8.h"

#define B(s) (const uint8_t *)(s), sizeof(s) - 1

static void terminal_safe(const char *, size_t);
static void fill_random(uint8_t *, size_t, uint32_t *);

/* Valid UTF-8 with no C0 control, no DEL, no C1 control. */
static void
terminal_safe(const char *s, size_t len)
{
	size_t i;

	assert_int_equal(strlen(s), len);
	assert_true(utf8_check((const uint8_t *)s, len) < 0);
	for (i = 0; i < len; i++) {
		assert_true((uint8_t)s[i] >= 0x20);
		assert_true((uint8_t)s[i] != 0x7f);
		/* C1 as UTF-8 is C2 80..C2 9F. */
		if ((uint8_t)s[i] == 0xc2 && i + 1 < len)
			assert_true((uint8_t)s[i + 1] > 0x9f);
	}
}

static void
fill_random(uint8_t *p, size_t n, uint32_t *seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		*seed = *seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(*seed >> 16);
		/* Lean towards the interesting bytes. */
		if ((*seed & 0x700) == 0)
			p[i] = (uint8_t)"\x1b\x00\x7f\x9b\xc2\xe2\xed\xf4\x80\\\","
			    [(*seed >> 12) % 12];
	}
}

static void
test_terminal_esc_sequences(void **state)
{
	char   out[256];
	size_t n;

	(void)state;
	n = esc_terminal(B("\x1b[31mred\x1b]0;title\x07\x9b" "2J"), out,
	    sizeof out);
	assert_string_equal(out, "\\x1b[31mred\\x1b]0;title\\x07\\x9b2J");
	assert_int_equal(n, strlen(out));
	terminal_safe(out, n);
	/* C1 CSI encoded as UTF-8 (U+009B) and a bidi override. */
	n = esc_terminal(B("a\xc2\x9b" "b\xe2\x80\xae" "c"), out, sizeof out);
	assert_string_equal(out, "a\\u009bb\\u202ec");
	terminal_safe(out, n);
	/* Tag characters (outside the BMP). */
	esc_terminal(B("\xf3\xa0\x80\x81"), out, sizeof out);
	assert_string_equal(out, "\\U000e0001");
}

static void
test_terminal_controls(void **state)
{
	char out[64];

	(void)state;
	esc_terminal(B("a\0b"), out, sizeof out);
	assert_string_equal(out, "a\\x00b");
	esc_terminal(B("l1\nl2\r\tx\x7f"), out, sizeof out);
	assert_string_equal(out, "l1\\nl2\\r\\tx\\x7f");
	/* Printable text, backslash and non-ASCII letters pass. */
	esc_terminal(B("C:\\dir caf\xc3\xa9 \xf0\x9f\x98\x80"), out,
	    sizeof out);
	assert_string_equal(out, "C:\\dir caf\xc3\xa9 \xf0\x9f\x98\x80");
	esc_terminal(B(""), out, sizeof out);
	assert_string_equal(out, "");
}

static void
test_terminal_invalid_utf8(void **state)
{
	char out[64];

	(void)state;
	/* Lone continuation, bad lead, lead without continuation. */
	esc_terminal(B("\x80\xff\xc3("), out, sizeof out);
	assert_string_equal(out, "\\x80\\xff\\xc3(");
	/* Overlong "/", surrogate U+D800, above U+10FFFF. */
	esc_terminal(B("\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80"), out,
	    sizeof out);
	assert_string_equal(out,
	    "\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80");
	/* A sequence cut by the end of the input. */
	esc_terminal(B("ok\xe2\x82"), out, sizeof out);
	assert_string_equal(out, "ok\\xe2\\x82");
}

static void
test_terminal_idempotent(void **state)
{
	static const char *const in[] = {
		"plain", "\x1b[0m", "a\\x1bb", "\xff\xfe", "\xe2\x80\xae",
		"tab\there"
	};
	char   once[128], twice[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		esc_terminal_str(in[i], once, sizeof once);
		esc_terminal_str(once, twice, sizeof twice);
		assert_string_equal(once, twice);
	}
}

static void
test_truncation(void **state)
{
	char   out[16];
	size_t n;

	(void)state;
	memset(out, 'Z', sizeof out);
	/* Four 4-byte escapes into 9 bytes: one escape and the marker. */
	n = esc_terminal(B("\x01\x01\x01\x01"), out, 10);
	assert_string_equal(out, "\\x01...");
	assert_int_equal(n, 7);
	/* Two-byte characters are never cut. */
	n = esc_terminal(B("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"), out, 8);
	assert_string_equal(out, "\xc3\xa9\xc3\xa9...");
	assert_int_equal(n, 7);
	/* An exact fit is not cut. */
	n = esc_terminal(B("abc"), out, 4);
	assert_string_equal(out, "abc");
	n = esc_terminal(B("abcd"), out, 4);
	assert_string_equal(out, "...");
	/* Tiny and empty buffers. */
	n = esc_terminal(B("abcdef"), out, 3);
	assert_string_equal(out, "..");
	n = esc_terminal(B("abc"), out, 1);
	assert_string_equal(out, "");
	assert_int_equal(n, 0);
	out[0] = 'Z';
	assert_int_equal(esc_terminal(B("abc"), out, 0), 0);
	assert_int_equal(out[0], 'Z');
}

static void
test_csv(void **state)
{
	char out[64];

	(void)state;
	esc_csv(B("plain"), out, sizeof out);
	assert_string_equal(out, "plain");
	esc_csv(B("a,b"), out, sizeof out);
	assert_string_equal(out, "\"a,b\"");
	esc_csv(B("say \"hi\""), out, sizeof out);
	assert_string_equal(out, "\"say \"\"hi\"\"\"");
	esc_csv(B("x\r\ny\x1b"), out, sizeof out);
	assert_string_equal(out, "x\\r\\ny\\x1b");
	esc_csv(B(" lead"), out, sizeof out);
	assert_string_equal(out, "\" lead\"");
	/* Cut inside quotes: both quotes stay. */
	esc_csv(B("a,bbbbbbbbbbb"), out, 8);
	assert_string_equal(out, "\"a,...\"");
	esc_csv(B("\"\"\"\"\"\"\"\""), out, 8);
	assert_int_equal(out[0], '"');
	assert_int_equal(out[strlen(out) - 1], '"');
}

/* Reads esc_wire's output back into bytes; -1 on a form it never writes. */
static long
wire_decode(const char *s, uint8_t *out, size_t cap)
{
	size_t       n = 0, k;
	unsigned int v;
	char         hex[9];

	while (*s != '\0' && n + 4 <= cap) {
		if (*s != '\\') {
			out[n++] = (uint8_t)*s++;
			continue;
		}
		s++;
		switch (*s) {
		case '\\': out[n++] = '\\'; s++; continue;
		case 't': out[n++] = '\t'; s++; continue;
		case 'n': out[n++] = '\n'; s++; continue;
		case 'r': out[n++] = '\r'; s++; continue;
		case 'x': k = 2; break;
		case 'u': k = 4; break;
		case 'U': k = 8; break;
		default: return -1;
		}
		memcpy(hex, s + 1, k);
		hex[k] = '\0';
		if (strlen(hex) != k || sscanf(hex, "%x", &v) != 1)
			return -1;
		s += 1 + k;
		if (k == 2)
			out[n++] = (uint8_t)v;
		else if (v < 0x800) {
			out[n++] = (uint8_t)(0xc0 | v >> 6);
			out[n++] = (uint8_t)(0x80 | (v & 0x3f));
		} else if (v < 0x10000) {
			out[n++] = (uint8_t)(0xe0 | v >> 12);
			out[n++] = (uint8_t)(0x80 | ((v >> 6) & 0x3f));
			out[n++] = (uint8_t)(0x80 | (v & 0x3f));
		} else {
			out[n++] = (uint8_t)(0xf0 | v >> 18);
			out[n++] = (uint8_t)(0x80 | ((v >> 12) & 0x3f));
			out[n++] = (uint8_t)(0x80 | ((v >> 6) & 0x3f));
			out[n++] = (uint8_t)(0x80 | (v & 0x3f));
		}
	}
	return *s == '\0' ? (long)n : -1;
}

/* A backslash from the wire is doubled: its text and a real ESC differ. */
static void
test_wire(void **state)
{
	char     out[1400], lit[64], esc[64];
	uint8_t  in[300], back[1400];
	uint32_t seed = 777;
	size_t   n;
	long     got;
	int      round;

	(void)state;
	esc_wire(B("\\x1b"), lit, sizeof lit);
	esc_wire(B("\x1b"), esc, sizeof esc);
	assert_string_equal(lit, "\\\\x1b");
	assert_string_equal(esc, "\\x1b");
	esc_wire(B("C:\\dir\ttab"), out, sizeof out);
	assert_string_equal(out, "C:\\\\dir\\ttab");
	/* Cut output never ends inside a doubled backslash. */
	esc_wire(B("ab\\\\\\\\"), out, 8);
	assert_string_equal(out, "ab\\\\...");
	/* Whatever the bytes, the text reads back to exactly them. */
	for (round = 0; round < 20000; round++) {
		n = (size_t)(seed % sizeof in);
		fill_random(in, n, &seed);
		terminal_safe(out, esc_wire(in, n, out, sizeof out));
		got = wire_decode(out, back, sizeof back);
		assert_int_equal(got, (long)n);
		assert_memory_equal(back, in, n);
	}
}

/* Random bytes: every output keeps its promises. */
static void
test_random_bytes(void **state)
{
	uint8_t  in[300];
	char     out[512];
	uint32_t seed = 12345;
	size_t   n, len, i;
	int      round;

	(void)state;
	for (round = 0; round < 20000; round++) {
		n = (size_t)(seed % sizeof in);
		fill_random(in, n, &seed);
		len = 16 + (size_t)(seed % (sizeof out - 16));
		terminal_safe(out, esc_terminal(in, n, out, len));
		assert_true(strlen(out) < len);
		n = esc_csv(in, n, out, len);
		assert_true(n < len);
		if (out[0] == '"') {
			assert_true(n >= 2 && out[n - 1] == '"');
			/* Inner quotes come in pairs. */
			for (i = 1; i + 1 < n; i++)
				if (out[i] == '"') {
					assert_int_equal(out[i + 1], '"');
					i++;
				}
		} else
			assert_null(memchr(out, '"', n));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_terminal_esc_sequences),
		cmocka_unit_test(test_terminal_controls),
		cmocka_unit_test(test_terminal_invalid_utf8),
		cmocka_unit_test(test_terminal_idempotent),
		cmocka_unit_test(test_wire),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_random_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
