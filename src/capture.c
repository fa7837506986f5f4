/*
 * capture: libpcap offline reading.
 *
 * The BPF filter is applied here, record by record, rather than with
 * pcap_setfilter(): packet numbers must count every record of the file,
 * matching or not, so that they agree with Wireshark's.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"

struct capture {
	pcap_t            *pcap;
	char              *path;
	int                dlt;
	uint64_t           number; /* records read so far */
	uint64_t           size;
	int                has_filter;
	struct bpf_program prog;
	char              *iobuf;  /* the FILE's buffer, freed after pcap_close */
	struct capture_checkpoint *ck;  /* every CAPTURE_CHECKPOINT_EVERY records */
	size_t             nck, ck_cap;
	struct capture_src *src;   /* the file under libpcap's FILE, or NULL */
	char               err[PCAP_ERRBUF_SIZE + 256];
};

/*
 * libpcap reads a record with two freads; through stdio's default buffer
 * (st_blksize, 4 KiB) that is a read() per 4 KiB of capture. A 1 MiB
 * buffer makes it one per MiB.
 */
#define CAPTURE_IOBUF (1U << 20)

/*
 * The file under libpcap's FILE (fopencookie): read(2) straight into
 * stdio's buffer, each chunk shown to the tap on the way. Owned by the
 * FILE: freed by its close function.
 */
struct capture_src {
	int             fd;
	uint64_t        off;    /* bytes read from fd */
	int             err;    /* errno of a failed read */
	capture_tap_fn *tap;
	void           *ctx;
};

static ssize_t	src_read(void *, char *, size_t);
static int	src_seek(void *, off64_t *, int);
static int	src_close(void *);
static ssize_t	src_pull(struct capture_src *, char *, size_t);

static ssize_t
src_pull(struct capture_src *s, char *buf, size_t n)
{
	ssize_t r;

	do
		r = read(s->fd, buf, n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		s->err = errno;
		return -1;
	}
	if (r > 0) {
		s->off += (uint64_t)r;
		if (s->tap != NULL)
			s->tap(s->ctx, (const uint8_t *)buf, (size_t)r);
	}
	return r;
}

static ssize_t
src_read(void *cookie, char *buf, size_t n)
{
	return src_pull(cookie, buf, n);
}

/* Only "where am I" (ftell): libpcap does not seek in a savefile. */
static int
src_seek(void *cookie, off64_t *pos, int whence)
{
	struct capture_src *s = cookie;
	off_t               o;

	if (whence == SEEK_CUR && *pos == 0) {
		*pos = (off64_t)s->off;
		return 0;
	}
	/* A tap sees every byte once, in order: no seeking then. */
	if (whence == SEEK_SET && s->tap == NULL && *pos >= 0 &&
	    (o = lseek(s->fd, (off_t)*pos, SEEK_SET)) >= 0) {
		s->off = (uint64_t)o;
		*pos = (off64_t)o;
		return 0;
	}
	errno = ESPIPE;
	return -1;
}

static int
src_close(void *cookie)
{
	struct capture_src *s = cookie;
	int                 rc = close(s->fd);

	free(s);
	return rc;
}

static const char *capture_explain(const char *);
static void capture_checkpoint(struct capture *, uint64_t,
		const struct pcap_pkthdr *);

/* Record c->number starts at offset at. */
static void
capture_checkpoint(struct capture *c, uint64_t at, const struct pcap_pkthdr *h)
{
	struct capture_checkpoint *k;

	if (c->nck == c->ck_cap) {
		c->ck_cap = c->ck_cap ? 2 * c->ck_cap : 64;
		c->ck = xrealloc(c->ck, c->ck_cap * sizeof *c->ck);
	}
	k = &c->ck[c->nck++];
	k->number = c->number;
	k->offset = at;
	k->ts.sec = (int64_t)h->ts.tv_sec;
	k->ts.nsec = (uint32_t)h->ts.tv_usec;
}

struct capture_checkpoint *
capture_take_checkpoints(struct capture *c, size_t *n)
{
	struct capture_checkpoint *k = c->ck;

	*n = c->nck;
	c->ck = NULL;
	c->nck = c->ck_cap = 0;
	return k;
}

int
capture_seek(struct capture *c, const struct capture_checkpoint *k)
{
	FILE *f = pcap_file(c->pcap);

	if (c->src == NULL || c->src->tap != NULL || f == NULL ||
	    k->number == 0 || fseeko(f, (off_t)k->offset, SEEK_SET) != 0) {
		snprintf(c->err, sizeof c->err, "%s: cannot seek to offset %"
		    PRIu64 " (packet %" PRIu64 ")", c->path, k->offset,
		    k->number);
		return -1;
	}
	c->number = k->number - 1;
	/* Checkpoints past this one are taken again as they are read. */
	c->nck = 0;
	return 0;
}

/* Turns libpcap's open errors into words an engineer expects. */
static const char *
capture_explain(const char *pcap_err)
{
	if (strstr(pcap_err, "unknown file format") != NULL)
		return "not a pcap or pcapng capture file";
	if (strstr(pcap_err, "truncated dump file") != NULL)
		return "file too short to hold a capture header";
	if (strstr(pcap_err, "No such file") != NULL)
		return "no such file";
	if (strstr(pcap_err, "Permission denied") != NULL)
		return "permission denied";
	if (strstr(pcap_err, "Is a directory") != NULL)
		return "is a directory";
	return NULL;
}

struct capture *
capture_open(const char *path, const char *filter, char *err, size_t errlen)
{
	return capture_open_tap(path, filter, NULL, NULL, err, errlen);
}

struct capture *
capture_open_tap(const char *path, const char *filter, capture_tap_fn *tap,
    void *tapctx, char *err, size_t errlen)
{
	static const cookie_io_functions_t io = {
		src_read, NULL, src_seek, src_close
	};
	struct capture     *c;
	struct capture_src *src = NULL;
	char                ebuf[PCAP_ERRBUF_SIZE];
	char               *iobuf;
	FILE               *f = NULL;
	int                 fd;
	struct stat     st;
	const char     *why;
	pcap_t         *p;

	ebuf[0] = '\0';
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
	    S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a capture file",
		    path);
		return NULL;
	}
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 &&
	    st.st_size == 0) {
		snprintf(err, errlen, "%s: empty file, not a capture", path);
		return NULL;
	}
	p = NULL;
	iobuf = NULL;
	/*
	 * Standard input goes the same way when its bytes are to be hashed:
	 * a pipe is evidence as much as a file.
	 */
	if (strcmp(path, "-") == 0)
		fd = tap != NULL ? fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0) : -1;
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		src = xcalloc(1, sizeof *src);
		src->fd = fd;
		src->tap = tap;
		src->ctx = tapctx;
		if ((f = fopencookie(src, "rb", io)) == NULL) {
			snprintf(err, errlen, "%s: cannot read capture: %s",
			    path, strerror(errno));
			close(fd);
			free(src);
			return NULL;
		}
		iobuf = xmalloc(CAPTURE_IOBUF);
		if (setvbuf(f, iobuf, _IOFBF, CAPTURE_IOBUF) != 0) {
			free(iobuf);
			iobuf = NULL;
		}
		p = pcap_fopen_offline_with_tstamp_precision(f,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
		if (p == NULL) {
			fclose(f);	/* frees src */
			src = NULL;
		}
	} else {
		/* Standard input, or an error libpcap words for us. */
		p = pcap_open_offline_with_tstamp_precision(path,
		    PCAP_TSTAMP_PRECISION_NANO, ebuf);
	}
	if (p == NULL) {
		free(iobuf);
		why = capture_explain(ebuf);
		if (why != NULL)
			snprintf(err, errlen, "%s: %s (libpcap: %s)", path, why,
			    ebuf);
		else
			snprintf(err, errlen, "%s: cannot read capture: %s",
			    path, ebuf);
		return NULL;
	}
	c = xcalloc(1, sizeof *c);
	c->pcap = p;
	c->iobuf = iobuf;
	c->src = src;
	c->path = xstrdup(path);
	c->dlt = pcap_datalink(p);
	if (strcmp(path, "-") != 0 && stat(path, &st) == 0)
		c->size = (uint64_t)st.st_size;
	if (filter != NULL && *filter != '\0') {
		if (pcap_compile(p, &c->prog, filter, 1,
		    PCAP_NETMASK_UNKNOWN) != 0) {
			snprintf(err, errlen, "%s: bad filter '%s': %s", path,
			    filter, pcap_geterr(p));
			capture_close(c);
			return NULL;
		}
		c->has_filter = 1;
	}
	return c;
}

uint64_t
capture_records(const struct capture *c)
{
	return c->number;
}

uint64_t
capture_bytes_read(const struct capture *c)
{
	return c->src != NULL ? c->src->off : 0;
}

int
capture_tap_rest(struct capture *c)
{
	char    buf[65536];
	ssize_t r;

	if (c->src == NULL || c->src->tap == NULL)
		return 0;
	if (c->src->err != 0)
		return -1;
	while ((r = src_pull(c->src, buf, sizeof buf)) > 0)
		;
	return r < 0 ? -1 : 0;
}

int
capture_next(struct capture *c, struct capture_pkt *out)
{
	struct pcap_pkthdr *h;
	const u_char       *data;
	long                at;
	int                 r;

	for (;;) {
		/* Only here does the per-record path ask where it is. */
		at = c->number % CAPTURE_CHECKPOINT_EVERY == 0 && c->src != NULL ?
		    ftell(pcap_file(c->pcap)) : -1;
		r = pcap_next_ex(c->pcap, &h, &data);
		if (r == PCAP_ERROR_BREAK)
			return 0;
		if (r != 1) {
			snprintf(c->err, sizeof c->err,
			    "%s: capture damaged after packet %" PRIu64 ": %s",
			    c->path, c->number, pcap_geterr(c->pcap));
			return -1;
		}
		c->number++;
		if (at >= 0)
			capture_checkpoint(c, (uint64_t)at, h);
		if (c->has_filter &&
		    pcap_offline_filter(&c->prog, h, data) == 0)
			continue;
		out->number = c->number;
		out->ts.sec = (int64_t)h->ts.tv_sec;
		/* With nanosecond precision requested, tv_usec holds ns. */
		out->ts.nsec = (uint32_t)h->ts.tv_usec;
		out->data = data;
		out->caplen = h->caplen;
		out->wirelen = h->len < h->caplen ? h->caplen : h->len;
		out->linktype = c->dlt;
		return 1;
	}
}

const char *
capture_error(const struct capture *c)
{
	return c->err;
}

int
capture_linktype(const struct capture *c)
{
	return c->dlt;
}

const char *
capture_path(const struct capture *c)
{
	return c->path;
}

uint64_t
capture_offset(const struct capture *c)
{
	FILE *f = pcap_file(c->pcap);
	long  o;

	if (f == NULL || c->size == 0)
		return 0;
	o = ftell(f);
	return o < 0 ? 0 : (uint64_t)o;
}

uint64_t
capture_size(const struct capture *c)
{
	return c->size;
}

void
capture_close(struct capture *c)
{
	if (c == NULL)
		return;
	if (c->has_filter)
		pcap_freecode(&c->prog);
	pcap_close(c->pcap);
	free(c->ck);
	free(c->iobuf);
	free(c->path);
	free(c);
}
