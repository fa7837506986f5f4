/*
 * pcapng-secrets: the block walk. A pcapng file is a run of sections, each
 * a Section Header Block (whose byte-order magic sets the order of every
 * number up to the next one) and the blocks after it; every block starts
 * with its type and total length and ends with the same length again.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pcapng-secrets.h"

#define PS_SHB        0x0a0d0d0aU
#define PS_DSB        0x0000000aU
#define PS_BOM        0x1a2b3c4dU
#define PS_BOM_SWAP   0x4d3c2b1aU
/* Type, length, byte-order magic, versions, section length, length. */
#define PS_SHB_MIN    28U
/* Type, length, secrets type, secrets length, length. */
#define PS_DSB_MIN    20U
/* Secrets are read (and their buffer grown) this much at a time. */
#define PS_CHUNK      65536U
/* The window the blocks are read through: a block past it is sought over. */
#define PS_WINDOW     65536U

struct ps_walk {
	FILE       *f;
	const char *name;
	uint64_t    off;      /* bytes consumed so far */
	int         swap;     /* the section's order is not ours */
	char       *err;
	size_t      errlen;
	uint8_t    *win;      /* PS_WINDOW bytes read ahead */
	size_t      pos, end; /* win[pos, end) is not consumed yet */
};

static int      ps_fail(struct ps_walk *, uint64_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static size_t   ps_get(struct ps_walk *, void *, size_t);
static int      ps_read(struct ps_walk *, void *, size_t);
static int      ps_skip(struct ps_walk *, uint64_t);
static uint32_t ps_u32(const struct ps_walk *, const uint8_t *);
static uint8_t *ps_secrets(struct ps_walk *, uint32_t);
static int      ps_blocks(struct ps_walk *, uint8_t[12], pcapng_secrets_fn *,
		    void *);

static int
ps_fail(struct ps_walk *w, uint64_t at, const char *fmt, ...)
{
	char     why[160];
	va_list  ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (w->errlen > 0)
		snprintf(w->err, w->errlen, "%s: byte %llu: %s", w->name,
		    (unsigned long long)at, why);
	return -1;
}

/*
 * Up to n bytes, fewer only at the end of the file (or a read error):
 * through the window, refilled one fread at a time, so a run of small
 * blocks costs one read per window and no seek.
 */
static size_t
ps_get(struct ps_walk *w, void *buf, size_t n)
{
	uint8_t *p = buf;
	size_t   got = 0, c;

	while (got < n) {
		if (w->pos == w->end) {
			w->pos = 0;
			w->end = fread(w->win, 1, PS_WINDOW, w->f);
			if (w->end == 0)
				break;
		}
		c = w->end - w->pos < n - got ? w->end - w->pos : n - got;
		memcpy(p + got, w->win + w->pos, c);
		w->pos += c;
		got += c;
	}
	w->off += got;
	return got;
}

/* Exactly n bytes, else 0 (end of file or a read error). */
static int
ps_read(struct ps_walk *w, void *buf, size_t n)
{
	return ps_get(w, buf, n) == n;
}

/*
 * Past n bytes: within the window or the next one, else a seek beyond
 * them where the stream allows one (the body of a block larger than the
 * window is not read), else reads.
 */
static int
ps_skip(struct ps_walk *w, uint64_t n)
{
	uint8_t  scratch[4096];
	uint64_t rest;
	size_t   c;

	if (n <= w->end - w->pos) {
		w->pos += (size_t)n;
		w->off += n;
		return 1;
	}
	rest = n - (w->end - w->pos);
	if (rest < PS_WINDOW) {
		/* Ends in the next window: read on, in order. */
		w->pos = 0;
		w->end = fread(w->win, 1, PS_WINDOW, w->f);
		if (w->end < rest) {
			w->pos = w->end;
			return 0;
		}
		w->pos = (size_t)rest;
		w->off += n;
		return 1;
	}
	if (rest <= (uint64_t)INT64_MAX &&
	    fseeko(w->f, (off_t)rest, SEEK_CUR) == 0) {
		w->pos = w->end = 0;
		w->off += n;
		return 1;
	}
	while (n > 0) {
		c = n < sizeof scratch ? (size_t)n : sizeof scratch;
		if (!ps_read(w, scratch, c))
			return 0;
		n -= c;
	}
	return 1;
}

/*
 * The n bytes of a block's secrets, or NULL when the file ends before them
 * (or memory does). The buffer grows with the bytes actually read, so a
 * length that lies costs no more memory than the file holds.
 */
static uint8_t *
ps_secrets(struct ps_walk *w, uint32_t n)
{
	uint8_t *buf = NULL, *nb;
	size_t   got = 0, cap = 0, c;

	do {
		c = n - got < PS_CHUNK ? n - got : PS_CHUNK;
		if (got + c > cap || buf == NULL) {
			cap = cap == 0 ? PS_CHUNK : 2 * cap;
			if (cap > n)
				cap = n > 0 ? n : 1;
			if ((nb = realloc(buf, cap)) == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		if (c > 0 && !ps_read(w, buf + got, c)) {
			free(buf);
			return NULL;
		}
		got += c;
	} while (got < n);
	return buf;
}

static uint32_t
ps_u32(const struct ps_walk *w, const uint8_t *p)
{
	if (w->swap)
		return (uint32_t)p[3] | (uint32_t)p[2] << 8 |
		    (uint32_t)p[1] << 16 | (uint32_t)p[0] << 24;
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The blocks, from the first (whose type is in head already) to the end. */
static int
ps_blocks(struct ps_walk *w, uint8_t head[12], pcapng_secrets_fn *fn,
    void *arg)
{
	uint8_t   tail[4];
	uint8_t  *data;
	uint64_t  at;
	uint32_t  type, len, stype, slen, padded;
	size_t    got;
	int       rc;

	for (at = 0;; at = w->off) {
		if (at > 0) {
			got = ps_get(w, head, 4);
			if (got == 0 && feof(w->f))
				return 0;
			if (got < 4)
				return ps_fail(w, at, "block header cut short "
				    "(%zu of 8 bytes)", got);
		}
		if (!ps_read(w, head + 4, 4))
			return ps_fail(w, at, "block header cut short");
		type = ps_u32(w, head);
		if (type == PS_SHB) {
			if (!ps_read(w, head + 8, 4))
				return ps_fail(w, at, "section header cut "
				    "short before its byte-order magic");
			w->swap = 0;
			if (ps_u32(w, head + 8) != PS_BOM) {
				w->swap = 1;
				if (ps_u32(w, head + 8) != PS_BOM)
					return ps_fail(w, at + 8, "section "
					    "header with byte-order magic %02x"
					    "%02x%02x%02x, not 1a2b3c4d in "
					    "either order", head[8], head[9],
					    head[10], head[11]);
			}
		}
		len = ps_u32(w, head + 4);
		if (len % 4 != 0)
			return ps_fail(w, at, "block length %u is not a "
			    "multiple of 4", len);
		if (len < (type == PS_SHB ? PS_SHB_MIN :
		    type == PS_DSB ? PS_DSB_MIN : 12U))
			return ps_fail(w, at, "block of type 0x%08x with "
			    "length %u, shorter than its fixed fields", type,
			    len);
		if (type == PS_DSB) {
			if (!ps_read(w, head + 8, 4) || !ps_read(w, tail, 4))
				return ps_fail(w, at, "decryption secrets "
				    "block cut short");
			stype = ps_u32(w, head + 8);
			slen = ps_u32(w, tail);
			padded = slen + (uint32_t)(-slen & 3U);
			if (slen > len - PS_DSB_MIN || padded > len - PS_DSB_MIN)
				return ps_fail(w, at, "decryption secrets "
				    "length %u does not fit its block of %u "
				    "bytes", slen, len);
			if (slen > PCAPNG_SECRETS_MAX)
				return ps_fail(w, at, "decryption secrets "
				    "block of %u bytes, more than the %u MiB "
				    "kept", slen, PCAPNG_SECRETS_MAX >> 20);
			data = ps_secrets(w, slen);
			if (data == NULL)
				return ps_fail(w, at, "decryption secrets "
				    "cut short (%u bytes announced)", slen);
			rc = fn(arg, stype, data, slen);
			free(data);
			if (rc != 0)
				return rc;
			/* Padding and options, up to the trailing length. */
			if (!ps_skip(w, len - PS_DSB_MIN - slen))
				return ps_fail(w, at, "block of %u bytes cut "
				    "short", len);
		} else {
			if (!ps_skip(w, len - (type == PS_SHB ? 16U : 12U)))
				return ps_fail(w, at, "block of %u bytes cut "
				    "short", len);
		}
		if (!ps_read(w, tail, 4))
			return ps_fail(w, at, "block of %u bytes cut short",
			    len);
		if (ps_u32(w, tail) != len)
			return ps_fail(w, at, "block length %u at its start "
			    "and %u at its end", len, ps_u32(w, tail));
	}
}

int
pcapng_secrets_walk_stream(FILE *f, const char *name, pcapng_secrets_fn *fn,
    void *arg, char *err, size_t errlen)
{
	struct ps_walk w = { f, name, 0, 0, err, errlen, NULL, 0, 0 };
	uint8_t head[12];
	int     rc;

	if (errlen > 0)
		err[0] = '\0';
	/* One small read tells a file that is not pcapng. */
	w.off = fread(head, 1, 4, f);
	/* The Section Header Block's type reads the same in either order. */
	if (w.off < 4 || ps_u32(&w, head) != PS_SHB)
		return 0;
	if ((w.win = malloc(PS_WINDOW)) == NULL)
		return ps_fail(&w, 0, "out of memory");
	rc = ps_blocks(&w, head, fn, arg);
	free(w.win);
	return rc;
}

int
pcapng_secrets_walk(const char *path, pcapng_secrets_fn *fn, void *arg,
    char *err, size_t errlen)
{
	FILE *f;
	int   rc;

	f = fopen(path, "rb");
	if (f == NULL) {
		if (errlen > 0)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return PCAPNG_SECRETS_NOFILE;
	}
	rc = pcapng_secrets_walk_stream(f, path, fn, arg, err, errlen);
	if (rc == 0 && ferror(f)) {
		if (errlen > 0)
			snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	return rc;
}
