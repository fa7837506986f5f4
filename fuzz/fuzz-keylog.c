/*
 * fuzz-keylog: the NSS key log parser (src/keylog.h). The input is a key
 * log; every client random it kept must be found again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "keylog.h"

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct keylog             *kl = keylog_new();
	const struct keylog_entry *e;
	uint8_t                    r[32];

	keylog_add(kl, "fuzz", p, n);
	if (keylog_stats(kl)->entries > keylog_stats(kl)->lines)
		abort();
	memset(r, 0, sizeof r);
	if (n >= 32)
		memcpy(r, p, 32);
	e = keylog_find(kl, r);
	if (e != NULL && memcmp(e->random, r, 32) != 0)
		abort();
	keylog_free(kl);
	return 0;
}
