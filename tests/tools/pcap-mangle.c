/*
 * pcap-mangle: write a damaged or shuffled variant of a capture file, to
 * turn one real capture into the cases reassembly must survive.
 *
 *	pcap-mangle IN OUT OP [ARG]
 *
 * OP is one of
 *	reorder SEED	swap some pairs of TCP data packets of the same
 *			direction (each data packet with the next data packet
 *			of its direction), chosen by a PRNG seeded with SEED
 *	duplicate SEED	insert a copy right after some data packets
 *	snaplen N	cut every packet to N captured bytes (N >= 1)
 *	drop N		remove packet number N (1-based, as Wireshark counts)
 *	cut N		remove the first N packets
 *	reorder-dup-all	swap every such pair of data packets, then follow
 *			every data packet with a copy of itself
 *
 * A "data packet" is an IPv4 or IPv6 TCP segment carrying payload, on the
 * link types Ethernet, BSD loopback (NULL/LOOP), raw IP and Linux cooked
 * v1/v2.  Every packet keeps its own timestamp, so a reordered packet
 * carries its original time.  The output is a pcap file with the input's
 * link type and timestamp precision (nanoseconds for pcapng input).  The
 * same SEED always gives the same output.  The number of packets written
 * and the operations done are printed on stderr.
 *
 * Sanity check on a capture:
 *	pcap-mangle a.pcap b.pcap cut 0 && cmp a.pcap b.pcap	(usec pcap)
 *	pcap-mangle a.pcap b.pcap drop 3; tshark -r b.pcap | wc -l
 */

#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct mangle_pkt {
	struct pcap_pkthdr	 hdr;
	u_char			*data;
	int			 is_data;	/* TCP segment with payload */
	u_char			 dir[36];	/* src addr, dst addr, ports */
	size_t			 dirlen;
};

struct mangle_cap {
	struct mangle_pkt	*pkts;
	size_t			 n;
	size_t			 cap;
	int			 linktype;
	int			 snaplen;
	u_int			 precision;
};

static void		 mangle_usage(void) __attribute__((noreturn));
static void		 mangle_fatal(const char *, const char *)
			    __attribute__((noreturn));
static void		*mangle_alloc(size_t);
static long long	 mangle_number(const char *, long long);
static u_int		 mangle_file_precision(const char *);
static void		 mangle_read(struct mangle_cap *, const char *);
static void		 mangle_write(struct mangle_cap *, const char *);
static void		 mangle_push(struct mangle_cap *, const struct pcap_pkthdr *,
			    const u_char *);
static size_t		 mangle_link_offset(int, const u_char *, size_t,
			    int *);
static void		 mangle_classify(struct mangle_cap *, struct mangle_pkt *);
static uint64_t		 mangle_rand(uint64_t *);
static size_t		 mangle_reorder(struct mangle_cap *, uint64_t, int);
static size_t		 mangle_duplicate(struct mangle_cap *, uint64_t, int);
static void		 mangle_remove(struct mangle_cap *, size_t, size_t);

static void
mangle_usage(void)
{
	fprintf(stderr, "usage: pcap-mangle IN OUT reorder SEED | duplicate SEED"
	    " | snaplen N | drop N | cut N | reorder-dup-all\n");
	exit(2);
}

static void
mangle_fatal(const char *what, const char *why)
{
	fprintf(stderr, "pcap-mangle: %s: %s\n", what, why);
	exit(1);
}

static void *
mangle_alloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		mangle_fatal("malloc", strerror(errno));
	return p;
}

static long long
mangle_number(const char *s, long long min)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < min)
		mangle_fatal(s, "not a valid number");
	return v;
}

/* libpcap does not say which precision a savefile was written with. */
static u_int
mangle_file_precision(const char *path)
{
	FILE		*f;
	u_char		 m[4];
	uint32_t	 magic;

	if ((f = fopen(path, "rb")) == NULL)
		mangle_fatal(path, strerror(errno));
	if (fread(m, 1, 4, f) != 4) {
		fclose(f);
		mangle_fatal(path, "too short");
	}
	fclose(f);
	magic = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
	    (uint32_t)m[2] << 8 | m[3];
	if (magic == 0xa1b2c3d4 || magic == 0xd4c3b2a1)
		return PCAP_TSTAMP_PRECISION_MICRO;
	return PCAP_TSTAMP_PRECISION_NANO;
}

static void
mangle_push(struct mangle_cap *c, const struct pcap_pkthdr *h, const u_char *d)
{
	struct mangle_pkt	*p;

	if (c->n == c->cap) {
		c->cap = c->cap == 0 ? 1024 : c->cap * 2;
		c->pkts = realloc(c->pkts, c->cap * sizeof *c->pkts);
		if (c->pkts == NULL)
			mangle_fatal("realloc", strerror(errno));
	}
	p = &c->pkts[c->n++];
	memset(p, 0, sizeof *p);
	p->hdr = *h;
	p->data = mangle_alloc(h->caplen);
	memcpy(p->data, d, h->caplen);
	mangle_classify(c, p);
}

static void
mangle_read(struct mangle_cap *c, const char *path)
{
	char			 err[PCAP_ERRBUF_SIZE];
	pcap_t			*p;
	struct pcap_pkthdr	*h;
	const u_char		*d;
	int			 r;

	c->precision = mangle_file_precision(path);
	p = pcap_open_offline_with_tstamp_precision(path, c->precision, err);
	if (p == NULL)
		mangle_fatal(path, err);
	c->linktype = pcap_datalink(p);
	c->snaplen = pcap_snapshot(p);
	while ((r = pcap_next_ex(p, &h, &d)) == 1)
		mangle_push(c, h, d);
	if (r == PCAP_ERROR)
		mangle_fatal(path, pcap_geterr(p));
	pcap_close(p);
}

static void
mangle_write(struct mangle_cap *c, const char *path)
{
	pcap_t		*p;
	pcap_dumper_t	*d;
	size_t		 i;

	p = pcap_open_dead_with_tstamp_precision(c->linktype, c->snaplen,
	    c->precision);
	if (p == NULL)
		mangle_fatal(path, "pcap_open_dead failed");
	if ((d = pcap_dump_open(p, path)) == NULL)
		mangle_fatal(path, pcap_geterr(p));
	for (i = 0; i < c->n; i++)
		pcap_dump((u_char *)d, &c->pkts[i].hdr, c->pkts[i].data);
	if (pcap_dump_flush(d) != 0)
		mangle_fatal(path, "write failed");
	pcap_dump_close(d);
	pcap_close(p);
}

/*
 * Offset of the network header for the link types the samples use, or
 * SIZE_MAX; *ipver gets 4 for IPv4 and 6 for IPv6, 0 otherwise.
 */
static size_t
mangle_link_offset(int linktype, const u_char *d, size_t len, int *ipver)
{
	size_t		off;
	u_int		type;

	*ipver = 0;
	switch (linktype) {
	case DLT_EN10MB:
		off = 12;
		if (len < off + 2)
			return SIZE_MAX;
		type = (u_int)d[off] << 8 | d[off + 1];
		while (type == 0x8100 || type == 0x88a8) {
			off += 4;
			if (len < off + 2)
				return SIZE_MAX;
			type = (u_int)d[off] << 8 | d[off + 1];
		}
		off += 2;
		break;
	case DLT_NULL:
	case DLT_LOOP:
		/* The family field's byte order and IPv6 value vary by OS. */
		if (len < 5)
			return SIZE_MAX;
		*ipver = d[4] >> 4;
		return 4;
	case DLT_RAW:
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
		if (len < 1)
			return SIZE_MAX;
		*ipver = d[0] >> 4;
		return 0;
	case DLT_LINUX_SLL:
		if (len < 16)
			return SIZE_MAX;
		type = (u_int)d[14] << 8 | d[15];
		off = 16;
		break;
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
		if (len < 20)
			return SIZE_MAX;
		type = (u_int)d[0] << 8 | d[1];
		off = 20;
		break;
#endif
	default:
		return SIZE_MAX;
	}
	if (type == 0x0800)
		*ipver = 4;
	else if (type == 0x86dd)
		*ipver = 6;
	return off;
}

/* Mark TCP segments with payload; the IP length, not caplen, decides. */
static void
mangle_classify(struct mangle_cap *c, struct mangle_pkt *p)
{
	const u_char	*d = p->data;
	size_t		 len = p->hdr.caplen, off, iplen, tcpoff, thl;
	size_t		 alen;
	int		 ipver;

	off = mangle_link_offset(c->linktype, d, len, &ipver);
	if (off == SIZE_MAX)
		return;
	d += off;
	len -= off;
	if (ipver == 4) {
		if (len < 20 || d[9] != 6)
			return;
		tcpoff = (size_t)(d[0] & 0x0f) * 4;
		iplen = (size_t)d[2] << 8 | d[3];
		alen = 4;
		memcpy(p->dir, d + 12, 8);
	} else if (ipver == 6) {
		/* Extension headers are not followed: loopback has none. */
		if (len < 40 || d[6] != 6)
			return;
		tcpoff = 40;
		iplen = 40 + ((size_t)d[4] << 8 | d[5]);
		alen = 16;
		memcpy(p->dir, d + 8, 32);
	} else
		return;
	if (len < tcpoff + 13 || iplen < tcpoff)
		return;
	thl = (size_t)(d[tcpoff + 12] >> 4) * 4;
	memcpy(p->dir + 2 * alen, d + tcpoff, 4);
	p->dirlen = 2 * alen + 4;
	p->is_data = iplen > tcpoff + thl;
}

/* xorshift64*: small, and the same output on every platform. */
static uint64_t
mangle_rand(uint64_t *state)
{
	uint64_t	x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/*
 * Pair each data packet with the next data packet of the same direction
 * and swap the two slots, always (all) or when the PRNG says so.
 */
static size_t
mangle_reorder(struct mangle_cap *c, uint64_t seed, int all)
{
	struct mangle_pkt	 tmp;
	u_char			*used;
	size_t			 i, j, swaps = 0;

	used = mangle_alloc(c->n);
	memset(used, 0, c->n);
	for (i = 0; i < c->n; i++) {
		if (!c->pkts[i].is_data || used[i])
			continue;
		for (j = i + 1; j < c->n; j++) {
			if (c->pkts[j].is_data && !used[j] &&
			    c->pkts[j].dirlen == c->pkts[i].dirlen &&
			    memcmp(c->pkts[j].dir, c->pkts[i].dir,
			    c->pkts[i].dirlen) == 0)
				break;
		}
		if (j == c->n)
			continue;
		used[i] = used[j] = 1;
		if (!all && mangle_rand(&seed) % 3 != 0)
			continue;
		tmp = c->pkts[i];
		c->pkts[i] = c->pkts[j];
		c->pkts[j] = tmp;
		swaps++;
	}
	free(used);
	return swaps;
}

static size_t
mangle_duplicate(struct mangle_cap *c, uint64_t seed, int all)
{
	struct mangle_pkt	*out, *p;
	size_t			 i, n = 0, dups = 0;

	out = mangle_alloc(2 * c->n * sizeof *out);
	for (i = 0; i < c->n; i++) {
		p = &c->pkts[i];
		out[n++] = *p;
		if (!p->is_data || (!all && mangle_rand(&seed) % 4 != 0))
			continue;
		out[n] = *p;
		out[n].data = mangle_alloc(p->hdr.caplen);
		memcpy(out[n].data, p->data, p->hdr.caplen);
		n++;
		dups++;
	}
	free(c->pkts);
	c->pkts = out;
	c->n = c->cap = n;
	return dups;
}

/* Remove count packets starting at index first (0-based). */
static void
mangle_remove(struct mangle_cap *c, size_t first, size_t count)
{
	size_t	i;

	for (i = first; i < first + count; i++)
		free(c->pkts[i].data);
	memmove(&c->pkts[first], &c->pkts[first + count],
	    (c->n - first - count) * sizeof *c->pkts);
	c->n -= count;
}

int
main(int argc, char **argv)
{
	struct mangle_cap	 c;
	const char		*op;
	long long		 v = 0;
	size_t			 i, k;

	if (argc < 4)
		mangle_usage();
	op = argv[3];
	if (strcmp(op, "reorder-dup-all") == 0) {
		if (argc != 4)
			mangle_usage();
	} else if (argc != 5)
		mangle_usage();
	else
		v = mangle_number(argv[4], strcmp(op, "snaplen") == 0 ? 1 : 0);

	memset(&c, 0, sizeof c);
	mangle_read(&c, argv[1]);

	if (strcmp(op, "reorder") == 0) {
		k = mangle_reorder(&c, (uint64_t)v | 1, 0);
		fprintf(stderr, "pcap-mangle: %zu pairs swapped\n", k);
	} else if (strcmp(op, "duplicate") == 0) {
		k = mangle_duplicate(&c, (uint64_t)v | 1, 0);
		fprintf(stderr, "pcap-mangle: %zu packets duplicated\n", k);
	} else if (strcmp(op, "reorder-dup-all") == 0) {
		k = mangle_reorder(&c, 1, 1);
		fprintf(stderr, "pcap-mangle: %zu pairs swapped\n", k);
		k = mangle_duplicate(&c, 1, 1);
		fprintf(stderr, "pcap-mangle: %zu packets duplicated\n", k);
	} else if (strcmp(op, "snaplen") == 0) {
		if (v > INT32_MAX)   /* <limits.h> is src/limits.h here */
			mangle_fatal(argv[4], "too large");
		for (i = 0; i < c.n; i++) {
			if (c.pkts[i].hdr.caplen > (bpf_u_int32)v)
				c.pkts[i].hdr.caplen = (bpf_u_int32)v;
		}
		c.snaplen = (int)v;
	} else if (strcmp(op, "drop") == 0) {
		if (v < 1 || (unsigned long long)v > c.n)
			mangle_fatal(argv[4], "no such packet");
		mangle_remove(&c, (size_t)v - 1, 1);
	} else if (strcmp(op, "cut") == 0) {
		if ((unsigned long long)v > c.n)
			mangle_fatal(argv[4], "more than the packets in the file");
		mangle_remove(&c, 0, (size_t)v);
	} else
		mangle_usage();

	mangle_write(&c, argv[2]);
	fprintf(stderr, "pcap-mangle: %zu packets written\n", c.n);
	for (i = 0; i < c.n; i++)
		free(c.pkts[i].data);
	free(c.pkts);
	return 0;
}
