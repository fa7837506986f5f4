/*
 * fuzz: the entry point every fuzz target defines. libFuzzer calls it with
 * each generated input; replay.c calls it with saved inputs so that make
 * check runs the corpora and every past crash without libFuzzer.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* An invariant of the code under test failed: crash so the input is kept. */
#define FUZZ_CHECK(e) do {						\
	if (!(e)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #e);				\
		abort();						\
	}								\
} while (0)

/*
 * A small deterministic generator for decisions derived from the input
 * (chunk sizes, gap positions), so one input always replays the same way.
 */
static inline uint64_t
fuzz_rand(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

#endif
