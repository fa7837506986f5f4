/*
 * capture-set: one reader over every file of a set, a min-heap on the
 * timestamp of each file's next packet.
 *
 * Files are opened in the main pass only when the merge reaches their
 * first timestamp and closed at their end, so a ring of many files holds
 * one open (and one hashing thread) at a time; only files whose times
 * overlap are open together. A short first pass reads each file's first
 * record to order the set.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture-hash.h"
#include "capture-set.h"
#include "packet.h"
#include "pipeline.h"

/* Slots of the duplicate table: the packets of the last window, hashed. */
#define CS_DUP_SLOTS (1U << 16)

struct cs_file {
	struct capture     *cap;
	struct capture_hash hash;
	int                 hashing;
	struct capture_pkt  pend;      /* its next packet, in the heap */
	uint64_t            last_number; /* its record last delivered */
	struct wts          key;       /* heap key: pend's time, or first */
	int                 primed;    /* its first packet was read */
	int                 done;
	const struct capture_checkpoint *start; /* read from there; NULL */
	size_t              ospan;     /* cursor in the given spans */
};

struct cs_dup {
	uint64_t   h;
	struct wts ts;
	uint32_t   file;
};

struct capture_set {
	struct capture_set_info  info;
	struct cs_file          *f;
	uint32_t                *heap;   /* file indices */
	size_t                   nheap;
	size_t                   spans_cap;
	const char              *filter;
	int                      hash;
	int64_t                  cur;    /* file delivered last, or -1 */
	uint64_t                 ordinal; /* the last one given */
	int64_t                  last_file; /* file of the last span, or -1 */
	uint64_t                 closed_bytes;
	struct cs_dup           *dup;
	/*
	 * Whether the packet just given may have a copy in another file:
	 * another file has a packet within the window of it. Outside the
	 * overlaps of files (a ring's files follow one another) the
	 * duplicate table is left alone.
	 */
	int                      near;
	int64_t                  lt_file;  /* file of the last packet given */
	struct wts               lt_ts, lt2_ts; /* its time; another file's */
	int                      lt2_seen;
	const struct capture_span *orig;  /* ordinals as given; NULL */
	size_t                   norig;
	capture_set_warn_fn     *warn;
	void                    *warnctx;
	char                     err[512];
};

/*
 * The spans grow while the set is read; decode workers name packets
 * through them meanwhile (capture_set_packet), so a new span and a
 * lookup take turns. The spans counted on in place are never looked at.
 */
static pthread_mutex_t cs_spans_lock = PTHREAD_MUTEX_INITIALIZER;

static int   cs_before(const struct capture_set *, uint32_t, uint32_t);
static void  cs_push(struct capture_set *, uint32_t);
static uint32_t cs_pop(struct capture_set *);
static int   cs_first_ts(const char *, struct capture_set_file *, char *,
		size_t);
static int   cs_open(struct capture_set *, uint32_t, char *, size_t);
static void  cs_close(struct capture_set *, uint32_t);
static int   cs_advance(struct capture_set *, uint32_t);
static void  cs_span(struct capture_set *, uint32_t, uint64_t);
static int   cs_order(const void *, const void *);
static uint64_t cs_hash(uint64_t, const void *, size_t);
static void  cs_near(struct capture_set *, uint32_t, const struct wts *);
static uint64_t cs_orig(struct capture_set *, uint32_t, uint64_t);

static int
cs_ts_cmp(struct wts a, struct wts b)
{
	if (a.sec != b.sec)
		return a.sec < b.sec ? -1 : 1;
	if (a.nsec != b.nsec)
		return a.nsec < b.nsec ? -1 : 1;
	return 0;
}

/* Earlier time first; equal times in file order (mergecap's rule). */
static int
cs_before(const struct capture_set *s, uint32_t a, uint32_t b)
{
	int c = cs_ts_cmp(s->f[a].key, s->f[b].key);

	return c != 0 ? c < 0 : a < b;
}

static void
cs_push(struct capture_set *s, uint32_t i)
{
	size_t k = s->nheap++, up;

	while (k > 0) {
		up = (k - 1) / 2;
		if (!cs_before(s, i, s->heap[up]))
			break;
		s->heap[k] = s->heap[up];
		k = up;
	}
	s->heap[k] = i;
}

static uint32_t
cs_pop(struct capture_set *s)
{
	uint32_t top = s->heap[0], last = s->heap[--s->nheap];
	size_t   k = 0, c;

	for (;;) {
		c = 2 * k + 1;
		if (c >= s->nheap)
			break;
		if (c + 1 < s->nheap && cs_before(s, s->heap[c + 1],
		    s->heap[c]))
			c++;
		if (!cs_before(s, s->heap[c], last))
			break;
		s->heap[k] = s->heap[c];
		k = c;
	}
	if (s->nheap > 0)
		s->heap[k] = last;
	return top;
}

/* The first record's time, when the file holds one: 0, or -1. */
static int
cs_first_ts(const char *path, struct capture_set_file *sf, char *err,
    size_t errlen)
{
	struct capture    *c;
	struct capture_pkt p;

	if ((c = capture_open(path, NULL, err, errlen)) == NULL)
		return -1;
	if (pipeline_linktype_ok(c, path, err, errlen) != 0) {
		capture_close(c);
		return -1;
	}
	sf->linktype = capture_linktype(c);
	sf->size = capture_size(c);
	if (capture_next(c, &p) == 1) {
		sf->first = p.ts;
		sf->seen = 1;
	}
	capture_close(c);
	return 0;
}

/* Files without packets go last; then by first time, then by path. */
static int
cs_order(const void *pa, const void *pb)
{
	const struct capture_set_file *a = pa, *b = pb;
	int                            c;

	if (a->seen != b->seen)
		return a->seen ? -1 : 1;
	if ((c = cs_ts_cmp(a->first, b->first)) != 0)
		return c;
	return strcmp(a->path, b->path);
}

static int
cs_open(struct capture_set *s, uint32_t i, char *err, size_t errlen)
{
	struct capture_set_file *sf = &s->info.files[i];
	struct cs_file          *f = &s->f[i];

	f->hashing = s->hash && capture_hash_start(&f->hash);
	f->cap = f->hashing ? capture_open_tap(sf->path, s->filter,
	    capture_hash_tap, &f->hash, err, errlen) : capture_open(sf->path,
	    s->filter, err, errlen);
	if (f->cap == NULL || pipeline_linktype_ok(f->cap, sf->path, err,
	    errlen) != 0) {
		capture_close(f->cap);
		f->cap = NULL;
		if (f->hashing)
			capture_hash_end(&f->hash, 0);
		f->hashing = 0;
		f->done = 1;
		return -1;
	}
	if (f->start != NULL && capture_seek(f->cap, f->start) != 0) {
		snprintf(err, errlen, "%s", capture_error(f->cap));
		capture_close(f->cap);
		f->cap = NULL;
		f->done = 1;
		return -1;
	}
	sf->read = 1;
	sf->linktype = capture_linktype(f->cap);
	sf->size = capture_size(f->cap);
	return 0;
}

/* The file's end: the rest of its bytes to its hash, and its numbers. */
static void
cs_close(struct capture_set *s, uint32_t i)
{
	struct capture_set_file *sf = &s->info.files[i];
	struct cs_file          *f = &s->f[i];
	int                      whole;

	if (f->cap == NULL)
		return;
	whole = f->hashing && capture_tap_rest(f->cap) == 0;
	sf->packets = capture_records(f->cap);
	free(sf->checkpoints);
	sf->checkpoints = capture_take_checkpoints(f->cap, &sf->ncheckpoints);
	if (sf->size == 0)
		sf->size = capture_bytes_read(f->cap);
	s->closed_bytes += sf->size;
	capture_close(f->cap);
	f->cap = NULL;
	f->done = 1;
	if (f->hashing) {
		capture_hash_end(&f->hash, whole);
		if (f->hash.ok)
			memcpy(sf->sha256, f->hash.hex, sizeof sf->sha256);
	}
	f->hashing = 0;
}

/* Reads file i's next packet into the heap; 0 when it has none left. */
static int
cs_advance(struct capture_set *s, uint32_t i)
{
	struct cs_file *f = &s->f[i];
	int             r;

	r = capture_next(f->cap, &f->pend);
	if (r == 1) {
		f->key = f->pend.ts;
		cs_push(s, i);
		return 1;
	}
	if (r < 0)
		snprintf(s->info.files[i].error, sizeof s->info.files[i].error,
		    "%s", capture_error(f->cap));
	cs_close(s, i);
	return 0;
}

/*
 * Records number of file i get the ordinals after the last one: the
 * records a filter skipped since the file's last packet are counted
 * with it, so a span's ordinals and record numbers advance together.
 */
static void
cs_span(struct capture_set *s, uint32_t i, uint64_t number)
{
	struct cs_file      *f = &s->f[i];
	struct capture_span *sp;
	uint64_t             step = number - f->last_number;

	if (s->last_file == (int64_t)i && s->info.nspans > 0) {
		s->info.spans[s->info.nspans - 1].count += step;
	} else {
		pthread_mutex_lock(&cs_spans_lock);
		if (s->info.nspans == s->spans_cap) {
			s->spans_cap = s->spans_cap ? 2 * s->spans_cap : 16;
			s->info.spans = xrealloc(s->info.spans,
			    s->spans_cap * sizeof *s->info.spans);
		}
		sp = &s->info.spans[s->info.nspans++];
		sp->ordinal = s->ordinal + 1;
		sp->number = f->last_number + 1;
		sp->count = step;
		sp->file = i;
		s->last_file = i;
		pthread_mutex_unlock(&cs_spans_lock);
	}
	if (s->info.files[i].first_ordinal == 0 && f->last_number == 0)
		s->info.files[i].first_ordinal = s->ordinal + 1;
	s->ordinal += step;
	f->last_number = number;
}

struct capture_set *
capture_set_open(const char *const *paths, size_t n, const char *filter,
    int hash, capture_set_warn_fn *warn, void *warnctx, char *err,
    size_t errlen)
{
	struct capture_set      *s;
	struct capture_set_file *sf;
	char                     why[1024];
	size_t                   i, k;

	s = xcalloc(1, sizeof *s);
	s->filter = filter;
	s->hash = hash;
	s->cur = -1;
	s->last_file = -1;
	s->lt_file = -1;
	s->warn = warn;
	s->warnctx = warnctx;
	s->info.files = xcalloc(n, sizeof *s->info.files);
	for (i = 0, k = 0; i < n; i++) {
		sf = &s->info.files[k];
		/* One file (standard input too) is read once: no first pass. */
		if (n > 1 && cs_first_ts(paths[i], sf, why, sizeof why) != 0) {
			if (warn != NULL)
				warn(warnctx, why);
			snprintf(err, errlen, "%s", why);
			continue;
		}
		sf->path = xstrdup(paths[i]);
		k++;
	}
	s->info.nfiles = k;
	if (k == 0 && n > 1)
		snprintf(err, errlen, "no file of the capture set could be "
		    "read");
	if (k > 1) {
		qsort(s->info.files, k, sizeof *s->info.files, cs_order);
	}
	s->f = xcalloc(k ? k : 1, sizeof *s->f);
	s->heap = xcalloc(k ? k : 1, sizeof *s->heap);
	for (i = 0; i < k; i++) {
		sf = &s->info.files[i];
		sf->name = strrchr(sf->path, '/') != NULL ?
		    strrchr(sf->path, '/') + 1 : sf->path;
		s->f[i].key = sf->first;
		if (!sf->seen)
			s->f[i].key.sec = INT64_MAX;
		/* From here, first and seen are of the packets delivered. */
		sf->seen = 0;
		cs_push(s, (uint32_t)i);
	}
	if (k > 1)
		s->dup = xcalloc(CS_DUP_SLOTS, sizeof *s->dup);
	/* One file: opened now, so that its errors are the open's. */
	if (k == 1 && cs_open(s, 0, err, errlen) != 0) {
		capture_set_free(s);
		return NULL;
	}
	if (k == 0) {
		capture_set_free(s);
		return NULL;
	}
	return s;
}

int
capture_set_start(struct capture_set *s, uint32_t i,
    const struct capture_checkpoint *k, char *err, size_t errlen)
{
	struct cs_file *f;
	size_t          j;

	if (i >= s->info.nfiles || s->f[i].primed ||
	    (k != NULL && k->number == 0)) {
		snprintf(err, errlen, "capture set: file %u cannot start anew",
		    (unsigned)i);
		return -1;
	}
	f = &s->f[i];
	f->start = k;
	if (k == NULL) {
		/* Not read: out of the heap, as a file that ended. */
		f->done = 1;
		f->key.sec = INT64_MAX;
	} else {
		f->key = k->ts;
		f->last_number = k->number - 1;
		if (s->info.nfiles == 1)
			s->ordinal = k->number - 1;
		if (f->cap != NULL && capture_seek(f->cap, k) != 0) {
			snprintf(err, errlen, "%s", capture_error(f->cap));
			return -1;
		}
	}
	s->nheap = 0;
	for (j = 0; j < s->info.nfiles; j++)
		if (!s->f[j].done)
			cs_push(s, (uint32_t)j);
	return 0;
}

void
capture_set_ordinals(struct capture_set *s, const struct capture_span *sp,
    size_t n)
{
	s->orig = sp;
	s->norig = n;
}

/*
 * The ordinal the analysis gave record number of file i. Both go up in
 * a file, so each file's cursor only moves forward.
 */
static uint64_t
cs_orig(struct capture_set *s, uint32_t i, uint64_t number)
{
	const struct capture_span *sp;
	size_t                     j;

	for (j = s->f[i].ospan; j < s->norig; j++) {
		sp = &s->orig[j];
		if (sp->file != i || number < sp->number)
			continue;
		if (number - sp->number < sp->count) {
			s->f[i].ospan = j;
			return sp->ordinal + (number - sp->number);
		}
	}
	return 0;
}

int
capture_set_next(struct capture_set *s, struct capture_pkt *out,
    uint32_t *file)
{
	struct capture_set_file *sf;
	char                     why[1024];
	uint32_t                 i;

	if (s->cur >= 0) {
		cs_advance(s, (uint32_t)s->cur);
		s->cur = -1;
	}
	while (s->nheap > 0) {
		i = cs_pop(s);
		if (!s->f[i].primed) {
			/* Its first time came: open it, key on its packet. */
			s->f[i].primed = 1;
			if (s->f[i].cap == NULL && cs_open(s, i, why,
			    sizeof why) != 0) {
				snprintf(s->info.files[i].error,
				    sizeof s->info.files[i].error, "%s", why);
				if (s->warn != NULL)
					s->warn(s->warnctx, why);
				continue;
			}
			cs_advance(s, i);
			continue;
		}
		sf = &s->info.files[i];
		cs_near(s, i, &s->f[i].pend.ts);
		*out = s->f[i].pend;
		cs_span(s, i, out->number);
		out->number = s->orig != NULL ? cs_orig(s, i, out->number) :
		    s->ordinal;
		if (!sf->seen)
			sf->first = out->ts;
		sf->seen = 1;
		sf->last = out->ts;
		*file = i;
		s->cur = i;
		return 1;
	}
	return 0;
}

/*
 * Is another file's packet within the window of ts (file i's, popped):
 * the next of another file (the heap's top), or the last given from
 * another file?
 */
static void
cs_near(struct capture_set *s, uint32_t i, const struct wts *ts)
{
	const struct wts *other = NULL;
	int64_t           d;

	s->near = 0;
	if (s->dup == NULL)
		return;
	if (s->nheap > 0 && s->f[s->heap[0]].key.sec != INT64_MAX &&
	    (d = wts_ns_between(*ts, s->f[s->heap[0]].key)) <= CAPTURE_SET_DUP_WINDOW_NS)
		s->near = 1;
	if (s->lt_file >= 0 && s->lt_file != (int64_t)i)
		other = &s->lt_ts;
	else if (s->lt2_seen)
		other = &s->lt2_ts;
	if (other != NULL && (d = wts_ns_between(*other, *ts)) <= CAPTURE_SET_DUP_WINDOW_NS
	    && d >= -CAPTURE_SET_DUP_WINDOW_NS)
		s->near = 1;
	if (s->lt_file >= 0 && s->lt_file != (int64_t)i) {
		s->lt2_ts = s->lt_ts;
		s->lt2_seen = 1;
	}
	s->lt_file = i;
	s->lt_ts = *ts;
}

/*
 * Bytes into h eight at a time (a multiply and a shift each): the
 * payload of every packet where files overlap goes through here, and a
 * byte at a time cost as much as the rest of the analysis.
 */
static uint64_t
cs_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t       w;

	for (; n >= 8; b += 8, n -= 8) {
		memcpy(&w, b, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = 0;
	if (n > 0)
		memcpy(&w, b, n);
	h = (h ^ w ^ (uint64_t)n << 56) * 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 29;
}

int
capture_set_duplicate(struct capture_set *s, uint32_t file,
    const struct packet *p)
{
	struct cs_dup *d;
	uint8_t        key[2 + 2 * sizeof p->src + 2 * 2 + 3 * 4], *k = key;
	uint64_t       h;
	int64_t        dt;

	if (s->dup == NULL || !s->near)
		return 0;
	/* The segment's identity, then its payload. */
	*k++ = p->family;
	*k++ = p->flags;
	memcpy(k, p->src, sizeof p->src);
	k += sizeof p->src;
	memcpy(k, p->dst, sizeof p->dst);
	k += sizeof p->dst;
	memcpy(k, &p->sport, 2);
	memcpy(k + 2, &p->dport, 2);
	memcpy(k + 4, &p->seq, 4);
	memcpy(k + 8, &p->ack, 4);
	memcpy(k + 12, &p->len, 4);
	h = cs_hash(0xcbf29ce484222325ULL, key, sizeof key);
	h = cs_hash(h, p->payload, p->caplen);
	d = &s->dup[h & (CS_DUP_SLOTS - 1)];
	if (d->h == h && d->file != file) {
		dt = wts_ns_between(d->ts, p->ts);
		if (dt < 0)
			dt = dt == INT64_MIN ? INT64_MAX : -dt;
		if (dt <= CAPTURE_SET_DUP_WINDOW_NS) {
			s->info.duplicates++;
			return 1;
		}
	}
	d->h = h;
	d->ts = p->ts;
	d->file = file;
	return 0;
}

const struct capture_set_info *
capture_set_files(const struct capture_set *s)
{
	return &s->info;
}

/* Over every file: of an open file its capture's count, else its own. */
static uint64_t
cs_sum(const struct capture_set *s, int size)
{
	const struct capture_set_file *sf;
	const struct capture          *c;
	uint64_t                       n = 0;
	size_t                         i;

	for (i = 0; i < s->info.nfiles; i++) {
		sf = &s->info.files[i];
		if ((c = s->f[i].cap) != NULL)
			n += size ? capture_size(c) : capture_records(c);
		else
			n += size ? sf->size : sf->packets;
	}
	return n;
}

uint64_t
capture_set_records(const struct capture_set *s)
{
	return cs_sum(s, 0);
}

uint64_t
capture_set_offset(const struct capture_set *s)
{
	uint64_t n = s->closed_bytes;
	size_t   i;

	for (i = 0; i < s->info.nfiles; i++)
		if (s->f[i].cap != NULL)
			n += capture_offset(s->f[i].cap);
	return n;
}

uint64_t
capture_set_size(const struct capture_set *s)
{
	return cs_sum(s, 1);
}

const struct capture_set_info *
capture_set_finish(struct capture_set *s)
{
	size_t i;

	for (i = 0; i < s->info.nfiles; i++)
		cs_close(s, (uint32_t)i);
	s->nheap = 0;
	s->cur = -1;
	return &s->info;
}

const char *
capture_set_error(const struct capture_set *s)
{
	size_t i;

	for (i = 0; i < s->info.nfiles; i++)
		if (s->info.files[i].error[0] != '\0')
			return s->info.files[i].error;
	return NULL;
}

void
capture_set_free(struct capture_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->info.nfiles; i++) {
		if (s->f != NULL && s->f[i].cap != NULL) {
			capture_close(s->f[i].cap);
			if (s->f[i].hashing)
				capture_hash_end(&s->f[i].hash, 0);
		}
		free(s->info.files[i].path);
		free(s->info.files[i].checkpoints);
	}
	free(s->info.files);
	free(s->info.spans);
	free(s->f);
	free(s->heap);
	free(s->dup);
	free(s);
}

/* The set the analysis reads now, whose packets its workers name. */
static const struct capture_set_info *cs_naming;

void
capture_set_naming(const struct capture_set *s)
{
	cs_naming = s != NULL ? &s->info : NULL;
}

void
capture_set_naming_info(const struct capture_set_info *si)
{
	cs_naming = si;
}

const char *
capture_set_info_packet(const struct capture_set_info *si, uint64_t o,
    char *buf, size_t len)
{
	size_t lo = 0, hi, mid;

	if (si == NULL || si->nfiles < 2 || si->nspans == 0 ||
	    o < si->spans[0].ordinal) {
		snprintf(buf, len, "%" PRIu64, o);
		return buf;
	}
	/* The last span starting at or before o. */
	hi = si->nspans;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (si->spans[mid].ordinal <= o)
			lo = mid;
		else
			hi = mid;
	}
	snprintf(buf, len, "%s:%" PRIu64, si->files[si->spans[lo].file].name,
	    si->spans[lo].number + (o - si->spans[lo].ordinal));
	return buf;
}

const char *
capture_set_packet(uint64_t o, char *buf, size_t len)
{
	pthread_mutex_lock(&cs_spans_lock);
	capture_set_info_packet(cs_naming, o, buf, len);
	pthread_mutex_unlock(&cs_spans_lock);
	return buf;
}

/* Starts like a pcap or pcapng file (either byte order). */
static int
cs_is_capture(const char *path)
{
	static const uint32_t magic[] = { 0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d,
	    0x4d3cb2a1, 0x0a0d0d0a };
	unsigned char b[4];
	uint32_t      m;
	FILE         *f;
	size_t        i, n;

	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(b, 1, sizeof b, f);
	fclose(f);
	if (n != sizeof b)
		return 0;
	m = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
	    b[3];
	for (i = 0; i < sizeof magic / sizeof magic[0]; i++)
		if (m == magic[i])
			return 1;
	return 0;
}

static int
cs_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The files to read: each operand, a directory replaced by the capture
 * files in it (not its subdirectories, nor files that are not captures).
 * *dirs counts the directories. -1 when a directory cannot be listed.
 */
int
capture_set_expand(int argc, char **argv, char ***out, size_t *n, int *dirs)
{
	struct stat    st;
	struct dirent *de;
	DIR           *d;
	char         **v = NULL, *p;
	size_t         cap = 0, from;
	int            i;

	*n = 0;
	*dirs = 0;
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0 || stat(argv[i], &st) != 0 ||
		    !S_ISDIR(st.st_mode)) {
			if (*n == cap)
				v = xrealloc(v, (cap = cap ? 2 * cap : 16) *
				    sizeof *v);
			v[(*n)++] = xstrdup(argv[i]);
			continue;
		}
		if ((d = opendir(argv[i])) == NULL) {
			wsa_warn("%s: cannot read the directory: %s", argv[i],
			    strerror(errno));
			goto fail;
		}
		(*dirs)++;
		from = *n;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			p = xmalloc(strlen(argv[i]) + strlen(de->d_name) + 2);
			sprintf(p, "%s%s%s", argv[i], argv[i][strlen(argv[i]) -
			    1] == '/' ? "" : "/", de->d_name);
			if (stat(p, &st) != 0 || !S_ISREG(st.st_mode) ||
			    !cs_is_capture(p)) {
				free(p);
				continue;
			}
			if (*n == cap)
				v = xrealloc(v, (cap = cap ? 2 * cap : 16) *
				    sizeof *v);
			v[(*n)++] = p;
		}
		closedir(d);
		if (*n == from) {
			wsa_warn("%s: no capture file in the directory",
			    argv[i]);
			goto fail;
		}
		qsort(v + from, *n - from, sizeof *v, cs_name_cmp);
	}
	*out = v;
	return 0;
fail:
	while (*n > 0)
		free(v[--*n]);
	free(v);
	return -1;
}

void
capture_set_expand_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}
