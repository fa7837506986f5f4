/*
 * fuzz-pcapng-secrets: the pcapng Decryption Secrets Block walk
 * (src/pcapng-secrets.h) over a file held in memory (fmemopen), checked
 * against what the header promises.
 *
 * Input: the file. It is walked twice: with room for the error and with a
 * 16-byte error buffer, and both walks must agree.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "pcapng-secrets.h"

struct fps {
	size_t  calls;
	size_t  bytes;
	size_t  input;
};

static int	fps_each(void *, uint32_t, const uint8_t *, size_t);
static int	fps_walk(const uint8_t *, size_t, char *, size_t,
		    struct fps *);

static int
fps_each(void *arg, uint32_t type, const uint8_t *data, size_t len)
{
	struct fps *s = arg;
	unsigned    sum = 0;
	size_t      i;

	(void)type;
	FUZZ_CHECK(data != NULL);
	FUZZ_CHECK(len <= PCAPNG_SECRETS_MAX);
	/* Every byte handed over was in the file, once. */
	s->calls++;
	s->bytes += len;
	FUZZ_CHECK(s->bytes + 20 * s->calls <= s->input);
	/* Every byte is readable (ASan sees each read). */
	for (i = 0; i < len; i++)
		sum += data[i];
	return sum == 0xffffffffU;
}

static int
fps_walk(const uint8_t *buf, size_t len, char *err, size_t errlen,
    struct fps *s)
{
	FILE *f;
	int   rc;

	memset(s, 0, sizeof *s);
	s->input = len;
	f = fmemopen((void *)(uintptr_t)buf, len, "rb");
	if (f == NULL)
		return -2;
	rc = pcapng_secrets_walk_stream(f, "fuzz.pcapng", fps_each, s, err,
	    errlen);
	fclose(f);
	return rc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fps a, b;
	char       err[256], small[16];
	int        ra, rb;

	if (size == 0)
		return 0;
	memset(err, 'x', sizeof err);
	ra = fps_walk(data, size, err, sizeof err, &a);
	if (ra == -2)
		return 0;
	FUZZ_CHECK(ra == 0 || ra == -1);
	FUZZ_CHECK(memchr(err, '\0', sizeof err) != NULL);
	if (ra == 0) {
		FUZZ_CHECK(err[0] == '\0');
	} else {
		/* One line naming the file and the offset. */
		FUZZ_CHECK(strncmp(err, "fuzz.pcapng: byte ", 18) == 0);
		FUZZ_CHECK(strchr(err, '\n') == NULL);
	}
	rb = fps_walk(data, size, small, sizeof small, &b);
	FUZZ_CHECK(rb == ra);
	FUZZ_CHECK(a.calls == b.calls && a.bytes == b.bytes);
	FUZZ_CHECK(strlen(small) < sizeof small);
	FUZZ_CHECK(strncmp(small, err, strlen(small)) == 0);
	return 0;
}
