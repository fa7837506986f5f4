/*
 * capture-hash: SHA-256 of a whole capture file, its identity in the
 * database. The bytes come from the capture's tap as libpcap reads them,
 * so the file is read once (a capture larger than the page cache is not
 * read from disk twice), and are hashed on a thread of their own behind a
 * ring.
 */
#ifndef CAPTURE_HASH_H
#define CAPTURE_HASH_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct capture_hash {
	pthread_t        thread;
	pthread_mutex_t  lock;
	pthread_cond_t   more;   /* bytes were added, or the end */
	pthread_cond_t   room;   /* bytes were hashed */
	uint8_t         *ring;
	size_t           head;   /* next byte to hash */
	size_t           used;
	int              eof;
	int              ok;
	char             hex[65];
};

/* Starts the thread; 0 when it could not be (nothing to end then). */
int  capture_hash_start(struct capture_hash *);
/* The capture's tap (capture_open_tap): ctx is the struct capture_hash. */
void capture_hash_tap(void *ctx, const uint8_t *, size_t);
/*
 * Waits for the thread; complete: every byte of the file went through
 * the tap. Then ok tells whether hex holds the file's hash.
 */
void capture_hash_end(struct capture_hash *, int complete);

/*
 * The SHA-256 of n bytes in memory, as hex: the identity of a capture
 * set is that of the list of its files' hashes. 0, or -1.
 */
int  capture_hash_bytes(const void *, size_t, char hex[65]);

/*
 * The file at path is the capture analysed: its size is size and its
 * SHA-256 sha256 (NULL: not hashed, refused). The hash is read only with
 * verify or when the file was modified after analysed (seconds since the
 * epoch; -1 unknown): a file of the same size not written since is taken
 * as it was. 0, or -1 with one line in err (the path escaped).
 */
int  capture_hash_check(const char *path, uint64_t size, const char *sha256,
	int64_t analysed, int verify, char *err, size_t errlen);

#endif
