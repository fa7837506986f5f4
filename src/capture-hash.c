/*
 * capture-hash: the hashing thread and the ring between it and the tap.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture-hash.h"
#include "escape.h"
#include "wsautopsy.h"

static void *capture_hash_thread(void *);
static void  capture_hash_hex(const unsigned char *, char *);

#define CAPTURE_HASH_RING (8U << 20)

static void *
capture_hash_thread(void *arg)
{
	struct capture_hash *h = arg;
	EVP_MD_CTX       *md;
	unsigned char     out[32];
	unsigned int      outlen = 0;
	size_t            n;
	int               ok;

	md = EVP_MD_CTX_new();
	ok = md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->used == 0 && !h->eof)
			pthread_cond_wait(&h->more, &h->lock);
		if (h->used == 0)
			break;
		n = CAPTURE_HASH_RING - h->head;
		if (n > h->used)
			n = h->used;
		pthread_mutex_unlock(&h->lock);
		if (ok)
			ok = EVP_DigestUpdate(md, h->ring + h->head, n);
		pthread_mutex_lock(&h->lock);
		h->head = (h->head + n) % CAPTURE_HASH_RING;
		h->used -= n;
		pthread_cond_signal(&h->room);
	}
	pthread_mutex_unlock(&h->lock);
	if (ok)
		ok = EVP_DigestFinal_ex(md, out, &outlen) && outlen == 32;
	EVP_MD_CTX_free(md);
	/* h->ok was set by the reader (all bytes read); both must hold. */
	h->ok = h->ok && ok;
	capture_hash_hex(out, h->hex);
	return NULL;
}

static void
capture_hash_hex(const unsigned char *out, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int      i;

	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[out[i] >> 4];
		hex[2 * i + 1] = digits[out[i] & 15];
	}
	hex[64] = '\0';
}

int
capture_hash_bytes(const void *p, size_t n, char hex[65])
{
	unsigned char out[32];
	unsigned int  outlen = 0;

	if (EVP_Digest(p, n, out, &outlen, EVP_sha256(), NULL) != 1 ||
	    outlen != 32)
		return -1;
	capture_hash_hex(out, hex);
	return 0;
}

/* Into the ring, waiting while it is full. */
void
capture_hash_tap(void *ctx, const uint8_t *buf, size_t n)
{
	struct capture_hash *h = ctx;
	size_t            tail, c;

	pthread_mutex_lock(&h->lock);
	while (n > 0) {
		while (h->used == CAPTURE_HASH_RING)
			pthread_cond_wait(&h->room, &h->lock);
		tail = (h->head + h->used) % CAPTURE_HASH_RING;
		c = CAPTURE_HASH_RING - tail;
		if (c > CAPTURE_HASH_RING - h->used)
			c = CAPTURE_HASH_RING - h->used;
		if (c > n)
			c = n;
		/* The consumer reads only below used: this span is ours. */
		pthread_mutex_unlock(&h->lock);
		memcpy(h->ring + tail, buf, c);
		pthread_mutex_lock(&h->lock);
		h->used += c;
		buf += c;
		n -= c;
		pthread_cond_signal(&h->more);
	}
	pthread_mutex_unlock(&h->lock);
}

int
capture_hash_start(struct capture_hash *h)
{
	memset(h, 0, sizeof *h);
	h->ok = 1;
	h->ring = xmalloc(CAPTURE_HASH_RING);
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->more, NULL);
	pthread_cond_init(&h->room, NULL);
	if (pthread_create(&h->thread, NULL, capture_hash_thread, h) != 0) {
		pthread_mutex_destroy(&h->lock);
		pthread_cond_destroy(&h->more);
		pthread_cond_destroy(&h->room);
		free(h->ring);
		return 0;
	}
	return 1;
}

void
capture_hash_end(struct capture_hash *h, int complete)
{
	pthread_mutex_lock(&h->lock);
	h->eof = 1;
	if (!complete)
		h->ok = 0;
	pthread_cond_signal(&h->more);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->thread, NULL);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->more);
	pthread_cond_destroy(&h->room);
	free(h->ring);
}

int
capture_hash_check(const char *path, uint64_t size, const char *sha256,
    int64_t analysed, int verify, char *err, size_t errlen)
{
	struct capture_hash h;
	struct stat         st;
	char                name[1024], buf[1 << 16];
	ssize_t             r;
	int                 fd, ok;

	esc_terminal_str(path, name, sizeof name);
	if (sha256 == NULL || strlen(sha256) != 64) {
		snprintf(err, errlen, "%s: not hashed when analysed (--no-hash):"
		    " cannot tell it is the same file", name);
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: cannot read the capture analysed: %s",
		    name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if ((uint64_t)st.st_size != size) {
		snprintf(err, errlen, "%s: changed since it was analysed (%"
		    PRIu64 " bytes then, %" PRIu64 " now)", name, size,
		    (uint64_t)st.st_size);
		close(fd);
		return -1;
	}
	/*
	 * Last written before the second the analysis started: the hash is
	 * taken as read (--verify reads it). analyzed_at has whole seconds,
	 * so a file written in that second is hashed.
	 */
	if (!verify && analysed >= 0 && (int64_t)st.st_mtime < analysed) {
		close(fd);
		return 0;
	}
	if (!capture_hash_start(&h)) {
		snprintf(err, errlen, "%s: cannot hash it", name);
		close(fd);
		return -1;
	}
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	while ((r = read(fd, buf, sizeof buf)) > 0 ||
	    (r < 0 && errno == EINTR))
		if (r > 0)
			capture_hash_tap(&h, (const uint8_t *)buf, (size_t)r);
	close(fd);
	capture_hash_end(&h, r == 0);
	ok = h.ok && strcmp(h.hex, sha256) == 0;
	if (!ok)
		snprintf(err, errlen, "%s: changed since it was analysed (its "
		    "SHA-256 is not the one recorded)", name);
	return ok ? 0 : -1;
}
