/*
 * capture-writer: scripted TCP conversations written as pcap files.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capture-writer.h"
#include "http-upgrade.h"
#include "wsautopsy.h"

#define CW_MAX_CONNS 8
#define CW_HDR_LEN   54   /* Ethernet 14, IPv4 20, TCP 20 */

#define CW_FIN 0x01
#define CW_SYN 0x02
#define CW_RST 0x04
#define CW_PSH 0x08
#define CW_ACK 0x10

struct cw_conn {
	struct cw *w;
	uint16_t   port[2];   /* by side */
	uint32_t   seq[2];    /* next sequence number of each side */
	int        synced;    /* ACKs are meaningful */
	uint16_t   ipid;
};

struct cw {
	FILE          *f;
	char           path[64];
	uint64_t       packets;
	uint64_t       usec;   /* time of the next packet */
	struct cw_conn conns[CW_MAX_CONNS];
	int            nconns;
};

static void     cw_put16(uint8_t *, uint16_t);
static void     cw_put32(uint8_t *, uint32_t);
static void     cw_putle32(uint8_t *, uint32_t);
static uint16_t cw_ip_sum(const uint8_t *, size_t);
static uint64_t cw_packet(struct cw_conn *, int, uint8_t, const void *,
		    size_t, size_t);

static const uint8_t cw_mask_key[4] = { 0x37, 0xfa, 0x21, 0x3d };

static void
cw_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
cw_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
cw_putle32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint16_t
cw_ip_sum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t   i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct cw *
cw_new(void)
{
	struct cw *w = xcalloc(1, sizeof *w);
	uint8_t    gh[24];
	const char *dir = getenv("TMPDIR");
	int        fd;

	snprintf(w->path, sizeof w->path, "%s/cw-XXXXXX.pcap",
	    dir != NULL && strlen(dir) < 40 ? dir : "/tmp");
	if ((fd = mkstemps(w->path, 5)) == -1 ||
	    (w->f = fdopen(fd, "wb")) == NULL) {
		perror(w->path);
		exit(1);
	}
	memset(gh, 0, sizeof gh);
	cw_putle32(gh, 0xa1b2c3d4);
	gh[4] = 2;                 /* version 2.4, little-endian */
	gh[6] = 4;
	cw_putle32(gh + 16, 65535); /* snaplen */
	cw_putle32(gh + 20, 1);     /* LINKTYPE_ETHERNET */
	fwrite(gh, 1, sizeof gh, w->f);
	w->usec = 1700000000ULL * 1000000ULL;
	return w;
}

const char *
cw_path(const struct cw *w)
{
	return w->path;
}

uint64_t
cw_packets(const struct cw *w)
{
	return w->packets;
}

void
cw_flush(struct cw *w)
{
	fflush(w->f);
}

void
cw_free(struct cw *w)
{
	if (w == NULL)
		return;
	fclose(w->f);
	unlink(w->path);
	free(w);
}

struct cw_conn *
cw_conn_new(struct cw *w, uint16_t cport, uint16_t sport)
{
	struct cw_conn *c;

	if (w->nconns == CW_MAX_CONNS)
		abort();
	c = &w->conns[w->nconns++];
	c->w = w;
	c->port[CW_CLIENT] = cport;
	c->port[CW_SERVER] = sport;
	c->seq[CW_CLIENT] = 1000000u * (uint32_t)w->nconns;
	c->seq[CW_SERVER] = 3000000000u + 1000u * (uint32_t)w->nconns;
	return c;
}

/* Writes one packet; caplen of the n payload bytes are captured. */
static uint64_t
cw_packet(struct cw_conn *c, int side, uint8_t flags, const void *payload,
    size_t n, size_t caplen)
{
	struct cw *w = c->w;
	uint8_t    rec[16], hdr[CW_HDR_LEN], *ip = hdr + 14, *tcp = hdr + 34;

	if (n > CW_MAX_SEG)
		abort();       /* the IPv4 total length would overflow */
	memset(hdr, 0, sizeof hdr);
	hdr[5] = (uint8_t)(side + 1);      /* destination MAC */
	hdr[11] = (uint8_t)(2 - side);     /* source MAC */
	cw_put16(hdr + 12, 0x0800);
	ip[0] = 0x45;
	cw_put16(ip + 2, (uint16_t)(20 + 20 + n));
	cw_put16(ip + 4, c->ipid++);
	cw_put16(ip + 6, 0x4000);          /* DF */
	ip[8] = 64;
	ip[9] = 6;
	ip[12] = 10;
	ip[15] = (uint8_t)(side == CW_CLIENT ? 1 : 2);
	ip[16] = 10;
	ip[19] = (uint8_t)(side == CW_CLIENT ? 2 : 1);
	cw_put16(ip + 10, cw_ip_sum(ip, 20));
	cw_put16(tcp, c->port[side]);
	cw_put16(tcp + 2, c->port[!side]);
	cw_put32(tcp + 4, c->seq[side]);
	if (c->synced || (flags & CW_ACK)) {
		flags |= CW_ACK;
		cw_put32(tcp + 8, c->seq[!side]);
	}
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	cw_put16(tcp + 14, 65535);

	cw_putle32(rec, (uint32_t)(w->usec / 1000000));
	cw_putle32(rec + 4, (uint32_t)(w->usec % 1000000));
	cw_putle32(rec + 8, (uint32_t)(CW_HDR_LEN + caplen));
	cw_putle32(rec + 12, (uint32_t)(CW_HDR_LEN + n));
	fwrite(rec, 1, sizeof rec, w->f);
	fwrite(hdr, 1, sizeof hdr, w->f);
	if (caplen > 0)
		fwrite(payload, 1, caplen, w->f);
	w->usec += 1000;
	c->seq[side] += (uint32_t)n;
	if (flags & (CW_SYN | CW_FIN))
		c->seq[side]++;
	return ++w->packets;
}

uint64_t
cw_handshake(struct cw_conn *c)
{
	cw_packet(c, CW_CLIENT, CW_SYN, NULL, 0, 0);
	cw_packet(c, CW_SERVER, CW_SYN | CW_ACK, NULL, 0, 0);
	c->synced = 1;
	return cw_packet(c, CW_CLIENT, CW_ACK, NULL, 0, 0);
}

uint64_t
cw_send(struct cw_conn *c, int side, const void *p, size_t n)
{
	c->synced = 1;
	return cw_packet(c, side, CW_ACK | CW_PSH, p, n, n);
}

uint64_t
cw_send_split(struct cw_conn *c, int side, const void *p, size_t n,
    size_t mss)
{
	const uint8_t *q = p;
	uint64_t       first = 0, pkt;
	size_t         k;

	do {
		k = n < mss ? n : mss;
		pkt = cw_send(c, side, q, k);
		if (first == 0)
			first = pkt;
		q += k;
		n -= k;
	} while (n > 0);
	return first;
}

uint64_t
cw_send_cut(struct cw_conn *c, int side, const void *p, size_t n,
    size_t caplen)
{
	c->synced = 1;
	return cw_packet(c, side, CW_ACK | CW_PSH, p, n, caplen < n ? caplen :
	    n);
}

void
cw_skip(struct cw_conn *c, int side, size_t n)
{
	c->seq[side] += (uint32_t)n;
}

uint64_t
cw_ack(struct cw_conn *c, int side)
{
	return cw_packet(c, side, CW_ACK, NULL, 0, 0);
}

uint64_t
cw_fin(struct cw_conn *c, int side)
{
	return cw_packet(c, side, CW_FIN | CW_ACK, NULL, 0, 0);
}

uint64_t
cw_rst(struct cw_conn *c, int side)
{
	return cw_packet(c, side, CW_RST | CW_ACK, NULL, 0, 0);
}

void
cw_buf_add(struct cw_buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->p = xrealloc(b->p, b->cap);
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

void
cw_buf_reset(struct cw_buf *b)
{
	b->len = 0;
}

void
cw_buf_free(struct cw_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}

uint64_t
cw_send_buf(struct cw_conn *c, int side, struct cw_buf *b)
{
	uint64_t pkt = cw_send(c, side, b->p, b->len);

	cw_buf_reset(b);
	return pkt;
}

void
cw_ws_frame(struct cw_buf *b, int fin, int rsv, int opcode, int masked,
    int lenform, const void *payload, size_t n, uint64_t declared)
{
	uint8_t  h[14], *q;
	size_t   hl = 2, i;
	uint64_t len = declared != UINT64_MAX ? declared : n;

	if (lenform == CW_LEN_AUTO)
		lenform = len < 126 ? CW_LEN_7 : len < 65536 ? CW_LEN_16 :
		    CW_LEN_64;
	h[0] = (uint8_t)((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 15));
	h[1] = masked ? 0x80 : 0;
	if (lenform == CW_LEN_7)
		h[1] |= (uint8_t)(len & 0x7f);
	else if (lenform == CW_LEN_16) {
		h[1] |= 126;
		cw_put16(h + 2, (uint16_t)len);
		hl = 4;
	} else {
		h[1] |= 127;
		cw_put32(h + 2, (uint32_t)(len >> 32));
		cw_put32(h + 6, (uint32_t)len);
		hl = 10;
	}
	if (masked) {
		memcpy(h + hl, cw_mask_key, 4);
		hl += 4;
	}
	cw_buf_add(b, h, hl);
	cw_buf_add(b, payload, n);
	if (masked) {
		q = b->p + b->len - n;
		for (i = 0; i < n; i++)
			q[i] ^= cw_mask_key[i & 3];
	}
}

void
cw_ws_simple(struct cw_buf *b, int opcode, int masked, const void *p,
    size_t n)
{
	cw_ws_frame(b, 1, 0, opcode, masked, CW_LEN_AUTO, p, n, UINT64_MAX);
}

void
cw_ws_close(struct cw_buf *b, int masked, int code, const char *reason)
{
	uint8_t pl[128];
	size_t  n = 0, rl;

	if (code >= 0) {
		cw_put16(pl, (uint16_t)code);
		n = 2;
		rl = reason != NULL ? strlen(reason) : 0;
		if (rl > sizeof pl - 2)
			rl = sizeof pl - 2;
		if (rl > 0)
			memcpy(pl + 2, reason, rl);
		n += rl;
	}
	cw_ws_simple(b, 0x8, masked, pl, n);
}

size_t
cw_deflate(const void *in, size_t n, uint8_t *out, size_t cap)
{
	z_stream z;
	size_t   len;

	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_SYNC_FLUSH) != Z_OK || z.avail_in != 0)
		abort();
	len = cap - z.avail_out;
	deflateEnd(&z);
	/* RFC 7692 7.2.1: drop the empty stored block's 00 00 ff ff. */
	if (len < 4 || memcmp(out + len - 4, "\0\0\xff\xff", 4) != 0)
		abort();
	return len - 4;
}

void
cw_http_request(struct cw_buf *b, const char *extensions)
{
	char s[512];
	int  n;

	n = snprintf(s, sizeof s, "GET /chat HTTP/1.1\r\n"
	    "Host: 10.0.0.2\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " CW_KEY "\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "%s%s%s"
	    "\r\n", extensions != NULL ? "Sec-WebSocket-Extensions: " : "",
	    extensions != NULL ? extensions : "",
	    extensions != NULL ? "\r\n" : "");
	cw_buf_add(b, s, (size_t)n);
}

void
cw_http_101(struct cw_buf *b, int good_accept, const char *extensions)
{
	char s[512], accept[29];
	int  n;

	if (good_accept)
		ws_accept_for_key(CW_KEY, accept);
	else
		snprintf(accept, sizeof accept, "%s",
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	n = snprintf(s, sizeof s, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n"
	    "%s%s%s"
	    "\r\n", accept,
	    extensions != NULL ? "Sec-WebSocket-Extensions: " : "",
	    extensions != NULL ? extensions : "",
	    extensions != NULL ? "\r\n" : "");
	cw_buf_add(b, s, (size_t)n);
}
