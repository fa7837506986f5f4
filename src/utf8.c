/*
 * Incremental UTF-8 validation. Each lead byte fixes how many continuation
 * bytes follow and the range of the first one, which is what rules out
 * overlong forms, surrogates and code points above U+10FFFF.
 */
#include "config.h"

#include <string.h>

#include "utf8.h"

static int	utf8_lead(struct utf8_state *, uint8_t);
static size_t	utf8_ascii_run(const uint8_t *, size_t);

void
utf8_init(struct utf8_state *u)
{
	memset(u, 0, sizeof *u);
}

/* Length of the leading run of ASCII bytes, 8 bytes at a time. */
static size_t
utf8_ascii_run(const uint8_t *p, size_t n)
{
	uint64_t w;
	size_t   i = 0;

	while (i + 8 <= n) {
		memcpy(&w, p + i, 8);
		if (w & UINT64_C(0x8080808080808080))
			break;
		i += 8;
	}
	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

/* Opens a sequence at lead byte c; 0 if c can never start one. */
static int
utf8_lead(struct utf8_state *u, uint8_t c)
{
	u->lo = 0x80;
	u->hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		u->state = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		u->state = 2;
		if (c == 0xe0)
			u->lo = 0xa0;	/* overlong below U+0800 */
		else if (c == 0xed)
			u->hi = 0x9f;	/* surrogates U+D800..U+DFFF */
	} else if (c >= 0xf0 && c <= 0xf4) {
		u->state = 3;
		if (c == 0xf0)
			u->lo = 0x90;	/* overlong below U+10000 */
		else if (c == 0xf4)
			u->hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	u->seq_start = u->pos;
	return 1;
}

int64_t
utf8_feed(struct utf8_state *u, const uint8_t *p, size_t n)
{
	size_t  i = 0, run;
	uint8_t c;

	if (u->rejected)
		return (int64_t)u->error_at;
	while (i < n) {
		if (u->state == 0) {
			run = utf8_ascii_run(p + i, n - i);
			i += run;
			u->pos += run;
			if (i == n)
				break;
			if (!utf8_lead(u, p[i]))
				goto bad;
		} else {
			c = p[i];
			if (c < u->lo || c > u->hi)
				goto bad;
			u->lo = 0x80;
			u->hi = 0xbf;
			u->state--;
		}
		i++;
		u->pos++;
	}
	return -1;

bad:
	u->rejected = 1;
	u->error_at = u->pos;
	return (int64_t)u->error_at;
}

int64_t
utf8_finish(struct utf8_state *u)
{
	if (u->rejected)
		return (int64_t)u->error_at;
	if (u->state != 0) {
		u->rejected = 1;
		u->error_at = u->seq_start;
		return (int64_t)u->error_at;
	}
	return -1;
}

int64_t
utf8_check(const uint8_t *p, size_t n)
{
	struct utf8_state u;

	utf8_init(&u);
	if (utf8_feed(&u, p, n) >= 0)
		return (int64_t)u.error_at;
	return utf8_finish(&u);
}
