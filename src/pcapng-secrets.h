/*
 * pcapng-secrets: the Decryption Secrets Blocks of a pcapng file (what
 * `editcap --inject-secrets tls,KEYLOG` writes). libpcap skips these
 * blocks, so they are found by a walk of their own over the block
 * structure: read through a window of its own and sought past blocks
 * larger than it, every length checked before it is used,
 * one block's secrets held at a time and capped.
 */
#ifndef PCAPNG_SECRETS_H
#define PCAPNG_SECRETS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Secrets type of a TLS key log in a Decryption Secrets Block. */
#define PCAPNG_SECRETS_TLS_KEYLOG 0x544c534bU

/* The largest secrets one block may hold (a larger one is an error). */
#define PCAPNG_SECRETS_MAX (16U << 20)

typedef int pcapng_secrets_fn(void *arg, uint32_t type, const uint8_t *data,
    size_t len);

/* Returned by pcapng_secrets_walk when the file cannot be opened. */
#define PCAPNG_SECRETS_NOFILE (-2)

/*
 * Walks the pcapng file at path and calls fn for each Decryption Secrets
 * Block, in file order; a non-zero return from fn stops the walk and is
 * returned. Returns 0 when walked (or when the file is not pcapng), -1
 * with a one-line message in err (naming the file and the byte offset)
 * when the block structure is malformed, PCAPNG_SECRETS_NOFILE with one
 * line in err when the file cannot be opened.
 */
int pcapng_secrets_walk(const char *path, pcapng_secrets_fn *fn, void *arg,
    char *err, size_t errlen);

/*
 * The same walk over an open stream positioned at the file's first byte;
 * name is what err calls it. The stream need not be seekable.
 */
int pcapng_secrets_walk_stream(FILE *, const char *name,
    pcapng_secrets_fn *fn, void *arg, char *err, size_t errlen);

#endif
