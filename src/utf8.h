/*
 * Incremental UTF-8 validation (RFC 3629): input may be split anywhere.
 */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

struct utf8_state {
	uint32_t state;     /* continuation bytes still expected (0: at a boundary) */
	uint8_t  lo, hi;    /* allowed range of the next continuation byte */
	uint8_t  rejected;
	uint64_t pos;       /* bytes consumed so far */
	uint64_t seq_start; /* offset of the lead byte of the open sequence */
	uint64_t error_at;  /* offset of the first invalid byte, once rejected */
};

void    utf8_init(struct utf8_state *);
/*
 * Validates the next n bytes. Returns the offset (counted from the first
 * byte ever fed) of the first byte that cannot belong to valid UTF-8, or -1
 * while the input is still valid. Once rejected the state keeps returning
 * the same offset and ignores further input.
 */
int64_t utf8_feed(struct utf8_state *, const uint8_t *, size_t);
/*
 * End of input: a sequence left open is invalid. Returns the offset of its
 * lead byte (or the earlier error), or -1 if the whole input was valid.
 */
int64_t utf8_finish(struct utf8_state *);
/* One-shot check of a complete buffer; same return convention. */
int64_t utf8_check(const uint8_t *, size_t);

#endif
