/*
 * Unit tests of the pcapng Decryption Secrets Block walk: on a capture
 * editcap --inject-secrets wrote (samples/tls/tls-ws-dsb.pcapng), the
 * bytes handed over are its key log file's; on copies of it broken by
 * hand, and on synthetic files (a big-endian section, two sections, a
 * block over the cap, blocks larger than the walk reads at a time), each
 * damage gets one line that names the file and the offset of the block at
 * fault.
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
#include <sys/wait.h>

#include <cmocka.h>

#include "pcapng-secrets.h"
#include "tmpfile.h"

struct got {
	int       calls;
	uint32_t  type[4];
	uint8_t  *data[4];
	size_t    len[4];
	int       stop;   /* returned by the callback */
};

static int      collect(void *, uint32_t, const uint8_t *, size_t);
static uint8_t *slurp(const char *, size_t *);
static char    *sample(const char *);
static void     got_free(struct got *);
static int      walk_bytes(const uint8_t *, size_t, struct got *, char *,
		    size_t);
static size_t   find_block(const uint8_t *, size_t, uint32_t);
static void     put32(uint8_t *, uint32_t, int);
static void     expect_error(const uint8_t *, size_t, size_t, const char *);
static size_t   put_block(uint8_t *, uint32_t);

static char tmpname[256];

static int
collect(void *arg, uint32_t type, const uint8_t *data, size_t len)
{
	struct got *g = arg;

	if (g->calls < 4) {
		g->type[g->calls] = type;
		g->data[g->calls] = malloc(len ? len : 1);
		memcpy(g->data[g->calls], data, len);
		g->len[g->calls] = len;
	}
	g->calls++;
	return g->stop;
}

static void
got_free(struct got *g)
{
	int i;

	for (i = 0; i < g->calls && i < 4; i++)
		free(g->data[i]);
}

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE    *f = fopen(path, "rb");
	uint8_t *buf;
	long     n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static char *
sample(const char *name)
{
	static char path[4096];
	const char *dir = getenv("SAMPLES");

	if (dir == NULL)
		dir = "samples";
	snprintf(path, sizeof path, "%s/tls/%s", dir, name);
	return path;
}

/* Writes the bytes to a file of their own and walks it by its name. */
static int
walk_bytes(const uint8_t *buf, size_t len, struct got *g, char *err,
    size_t errlen)
{
	FILE *f;
	int   rc;

	f = tf_create(tmpname, sizeof tmpname, ".pcapng");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	rc = pcapng_secrets_walk(tmpname, collect, g, err, errlen);
	unlink(tmpname);
	return rc;
}

/* Offset of the first block of that type (little-endian file). */
static size_t
find_block(const uint8_t *buf, size_t len, uint32_t type)
{
	size_t   off = 0;
	uint32_t t, n;

	while (off + 8 <= len) {
		t = (uint32_t)buf[off] | (uint32_t)buf[off + 1] << 8 |
		    (uint32_t)buf[off + 2] << 16 | (uint32_t)buf[off + 3] << 24;
		n = (uint32_t)buf[off + 4] | (uint32_t)buf[off + 5] << 8 |
		    (uint32_t)buf[off + 6] << 16 | (uint32_t)buf[off + 7] << 24;
		if (t == type)
			return off;
		assert_true(n >= 12);
		off += n;
	}
	fail_msg("no block of type 0x%08x", type);
	return 0;
}

static void
put32(uint8_t *p, uint32_t v, int big)
{
	int i;

	for (i = 0; i < 4; i++)
		p[big ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

/* The walk fails with one line naming the file, "byte AT" and WHAT. */
static void
expect_error(const uint8_t *buf, size_t len, size_t at, const char *what)
{
	struct got g = { 0 };
	char       err[256], want[64];

	assert_int_equal(walk_bytes(buf, len, &g, err, sizeof err), -1);
	got_free(&g);
	snprintf(want, sizeof want, ": byte %zu: ", at);
	if (strncmp(err, tmpname, strlen(tmpname)) != 0 ||
	    strstr(err, want) == NULL || strstr(err, what) == NULL ||
	    strchr(err, '\n') != NULL)
		fail_msg("error \"%s\": wanted %s%s...%s", err, tmpname, want,
		    what);
}

/* The secrets editcap injected are the key log file, byte for byte. */
static void
test_editcap_dsb(void **state)
{
	struct got g = { 0 };
	uint8_t   *keys;
	size_t     klen;
	char       err[256];

	(void)state;
	keys = slurp(sample("tls-ws-dsb.keys"), &klen);
	assert_int_equal(pcapng_secrets_walk(sample("tls-ws-dsb.pcapng"),
	    collect, &g, err, sizeof err), 0);
	assert_string_equal(err, "");
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.type[0], PCAPNG_SECRETS_TLS_KEYLOG);
	assert_int_equal(g.len[0], klen);
	assert_memory_equal(g.data[0], keys, klen);
	got_free(&g);
	free(keys);
}

/* A pcap file is no pcapng: walked, nothing handed over. */
static void
test_not_pcapng(void **state)
{
	struct got g = { 0 };
	char       err[256];

	(void)state;
	assert_int_equal(pcapng_secrets_walk(sample("tls-ws-echo.pcap"),
	    collect, &g, err, sizeof err), 0);
	assert_int_equal(g.calls, 0);
	assert_int_equal(walk_bytes((const uint8_t *)"", 0, &g, err,
	    sizeof err), 0);
	assert_int_equal(g.calls, 0);
}

/* The callback's non-zero answer ends the walk and is returned. */
static void
test_callback_stops(void **state)
{
	struct got g = { 0 };
	char       err[256];

	(void)state;
	g.stop = 7;
	assert_int_equal(pcapng_secrets_walk(sample("tls-ws-dsb.pcapng"),
	    collect, &g, err, sizeof err), 7);
	assert_int_equal(g.calls, 1);
	got_free(&g);
}

static void
test_missing_file(void **state)
{
	struct got g = { 0 };
	char       err[256];

	(void)state;
	assert_int_equal(pcapng_secrets_walk("/nonexistent/x.pcapng", collect,
	    &g, err, sizeof err), PCAPNG_SECRETS_NOFILE);
	assert_non_null(strstr(err, "/nonexistent/x.pcapng: "));
}

/* Copies of the editcap file, broken in one place each. */
static void
test_broken_copies(void **state)
{
	uint8_t *buf, *copy;
	size_t   len, dsb, epb, dlen;

	(void)state;
	buf = slurp(sample("tls-ws-dsb.pcapng"), &len);
	copy = malloc(len);
	assert_non_null(copy);
	dsb = find_block(buf, len, 0x0000000a);
	epb = find_block(buf, len, 0x00000006);
	dlen = (size_t)buf[dsb + 4] | (size_t)buf[dsb + 5] << 8 |
	    (size_t)buf[dsb + 6] << 16 | (size_t)buf[dsb + 7] << 24;

	/* Truncated inside the secrets, inside a packet, inside a header. */
	expect_error(buf, dsb + 40, dsb, "cut short");
	expect_error(buf, epb + 30, epb, "cut short");
	expect_error(buf, epb + 6, epb, "cut short");

	/* A secrets length larger than its block. */
	memcpy(copy, buf, len);
	put32(copy + dsb + 12, 0x7ffffff0U, 0);
	expect_error(copy, len, dsb, "does not fit its block");

	/* A block length that is not a multiple of 4. */
	memcpy(copy, buf, len);
	put32(copy + epb + 4, 0x3ffU, 0);
	expect_error(copy, len, epb, "not a multiple of 4");

	/* A block length shorter than a block's fixed fields. */
	memcpy(copy, buf, len);
	put32(copy + dsb + 4, 16, 0);
	expect_error(copy, len, dsb, "shorter than its fixed fields");

	/* Lengths at the two ends of a block that disagree. */
	memcpy(copy, buf, len);
	put32(copy + dsb + dlen - 4, (uint32_t)dlen + 4, 0);
	expect_error(copy, len, dsb, "at its start and");

	/* A block length that runs past the end of the file. */
	memcpy(copy, buf, len);
	put32(copy + epb + 4, 0x7ffffff0U, 0);
	expect_error(copy, len, epb, "cut short");

	/* The section header's byte-order magic is neither order. */
	memcpy(copy, buf, len);
	put32(copy + 8, 0x1a2b3c4eU, 0);
	expect_error(copy, len, 8, "byte-order magic");

	free(copy);
	free(buf);
}

/*
 * Synthetic files: a little-endian section, then a big-endian one; each
 * has a Decryption Secrets Block. Both are handed over, in file order.
 */
static size_t
put_section(uint8_t *p, int big, const char *secrets)
{
	size_t slen = strlen(secrets), pad = (4 - slen % 4) % 4;
	size_t dsb = 20 + slen + pad;

	put32(p, 0x0a0d0d0aU, big);
	put32(p + 4, 28, big);
	put32(p + 8, 0x1a2b3c4dU, big);
	p[12 + (big ? 1 : 0)] = 1;	/* major version 1, minor 0 */
	p[13 - (big ? 1 : 0)] = 0;
	p[14] = p[15] = 0;
	memset(p + 16, 0xff, 8);	/* section length unknown */
	put32(p + 24, 28, big);
	p += 28;
	put32(p, 0x0000000aU, big);
	put32(p + 4, (uint32_t)dsb, big);
	put32(p + 8, PCAPNG_SECRETS_TLS_KEYLOG, big);
	put32(p + 12, (uint32_t)slen, big);
	memcpy(p + 16, secrets, slen);
	memset(p + 16 + slen, 0, pad);
	put32(p + dsb - 4, (uint32_t)dsb, big);
	return 28 + dsb;
}

static void
test_two_sections(void **state)
{
	struct got g = { 0 };
	uint8_t    buf[512];
	size_t     n;
	char       err[256];

	(void)state;
	n = put_section(buf, 0, "CLIENT_RANDOM aa bb\n");
	n += put_section(buf + n, 1, "CLIENT_RANDOM cc dd\n#x");
	assert_int_equal(walk_bytes(buf, n, &g, err, sizeof err), 0);
	assert_int_equal(g.calls, 2);
	assert_int_equal(g.len[0], 20);
	assert_memory_equal(g.data[0], "CLIENT_RANDOM aa bb\n", 20);
	assert_int_equal(g.type[1], PCAPNG_SECRETS_TLS_KEYLOG);
	assert_int_equal(g.len[1], 22);
	assert_memory_equal(g.data[1], "CLIENT_RANDOM cc dd\n#x", 22);
	got_free(&g);

	/* The same stream read through a FILE* the walk cannot seek. */
	memset(&g, 0, sizeof g);
	{
		FILE *f = fmemopen(buf, n, "rb");

		assert_non_null(f);
		assert_int_equal(pcapng_secrets_walk_stream(f, "mem", collect,
		    &g, err, sizeof err), 0);
		fclose(f);
	}
	assert_int_equal(g.calls, 2);
	got_free(&g);
}

/* An opaque block of len bytes (type 6, an Enhanced Packet Block). */
static size_t
put_block(uint8_t *p, uint32_t len)
{
	put32(p, 6, 0);
	put32(p + 4, len, 0);
	memset(p + 8, 0x5a, len - 12);
	put32(p + len - 4, len, 0);
	return len;
}

/*
 * Packet blocks smaller than the walk's window, across its edges, and
 * larger than it (sought over), with secrets between and after them:
 * the same secrets whether the file can be sought in or not, and a file
 * cut inside a block larger than the window is named cut short.
 */
static void
test_large_blocks(void **state)
{
	static const uint32_t sizes[] = { 100, 40000, 40000, 70000, 1500,
	    300000, 65536, 12 };
	struct got g = { 0 };
	uint8_t   *buf;
	size_t     n, i, big = 0, slen;
	char       err[256];
	FILE      *f;
	int        fds[2], status;
	pid_t      child;

	(void)state;
	buf = malloc(1 << 20);
	assert_non_null(buf);
	n = put_section(buf, 0, "CLIENT_RANDOM aa bb\n");
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		if (sizes[i] == 300000)
			big = n;
		n += put_block(buf + n, sizes[i]);
	}
	/* One more secrets block, at the end. */
	slen = put_section(buf + n, 0, "CLIENT_RANDOM cc dd\n") - 28;
	memmove(buf + n, buf + n + 28, slen);
	n += slen;
	assert_int_equal(walk_bytes(buf, n, &g, err, sizeof err), 0);
	assert_int_equal(g.calls, 2);
	assert_memory_equal(g.data[0], "CLIENT_RANDOM aa bb\n", 20);
	assert_int_equal(g.len[1], 20);
	assert_memory_equal(g.data[1], "CLIENT_RANDOM cc dd\n", 20);
	got_free(&g);

	/* Through a pipe, which cannot be sought in. */
	memset(&g, 0, sizeof g);
	assert_int_equal(pipe(fds), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		close(fds[0]);
		_exit(write(fds[1], buf, n) == (ssize_t)n ? 0 : 1);
	}
	close(fds[1]);
	f = fdopen(fds[0], "rb");
	assert_non_null(f);
	assert_int_equal(pcapng_secrets_walk_stream(f, "pipe", collect, &g,
	    err, sizeof err), 0);
	fclose(f);
	assert_int_equal(wait(&status), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(g.calls, 2);
	assert_memory_equal(g.data[1], "CLIENT_RANDOM cc dd\n", 20);
	got_free(&g);

	/* Cut in the middle of the block larger than the window. */
	expect_error(buf, big + 150000, big, "cut short");
	free(buf);
}

/* A block announcing more secrets than the cap: refused before reading. */
static void
test_over_cap(void **state)
{
	uint8_t buf[128];
	size_t  n;

	(void)state;
	n = put_section(buf, 1, "x");
	put32(buf + 28 + 4, PCAPNG_SECRETS_MAX + 64, 1);
	put32(buf + 28 + 12, PCAPNG_SECRETS_MAX + 1, 1);
	expect_error(buf, n, 28, "more than the 16 MiB kept");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_editcap_dsb),
		cmocka_unit_test(test_not_pcapng),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_broken_copies),
		cmocka_unit_test(test_two_sections),
		cmocka_unit_test(test_over_cap),
		cmocka_unit_test(test_large_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
