/*
 * hostile-gen: writes hostile captures to standard output, deterministic
 * byte for byte (classic pcap, microsecond timestamps, Ethernet, IPv4,
 * TCP), for the robustness tests.
 *
 * usage: hostile-gen MODE [ARGS] >FILE
 *   syn-flood N          N connections, each one SYN and one data segment
 *                        carrying the start of an HTTP request head
 *   ooo N [SEG [CONNS]]  CONNS connections (1), each a WebSocket handshake,
 *                        then N client segments of SEG bytes (1460) that
 *                        all lie beyond a hole that is never filled
 *   tiny N               one WebSocket connection whose client sends N
 *                        one-byte segments (rounded up to whole frames)
 *                        carrying valid masked frames, then a close
 *   huge-length          two connections: a frame claiming 2^63-1 bytes,
 *                        a frame whose 64-bit length has its top bit set;
 *                        each followed by 4 MiB of bytes
 *   cut-header K         a WebSocket connection: one complete frame, then
 *                        the first K bytes (0..13) of a 14-byte header
 *   bomb SIZE [SEG]      permessage-deflate negotiated; one client message
 *                        of SIZE zero bytes (K, M, G suffixes) deflated at
 *                        level 9 into segments of SEG bytes (1460)
 *   long-head N          a WebSocket connection whose request target,
 *                        User-Agent (starting with a literal backslash
 *                        sequence) and Server header are N bytes long; its
 *                        text message holds literal backslashes and a newline
 *   escapes              terminal escapes, NUL, invalid UTF-8 in the
 *                        request target, headers, payloads and close reason;
 *                        a second connection with a 64 KiB header line
 *   corrupt KIND         a WebSocket conversation, then damage; KIND is
 *                        bad-magic, huge-record (a 4 GiB record length),
 *                        truncated (the last record cut), pcapng-huge,
 *                        pcapng-short or pcapng-mismatch (pcapng blocks
 *                        of bad length)
 *
 * The WebSocket handshakes use the key of RFC 6455 section 1.3, so the
 * accept value is known without hashing.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define HG_SNAPLEN   262144
#define HG_MSS       1460
#define HG_KEY       "dGhlIHNhbXBsZSBub25jZQ=="
#define HG_ACCEPT    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define HG_SERVER_IP 0x0a000002u /* 10.0.0.2 */

enum hg_format { HG_PCAP, HG_PCAPNG };

struct hg {
	FILE          *f;
	enum hg_format format;
	uint64_t       ts_us;   /* timestamp of the next packet */
	uint32_t       step_us; /* added after each packet */
	uint16_t       ip_id;
	uint64_t       packets;
};

struct hg_conn {
	uint32_t ip[2];   /* side 0: client, side 1: server */
	uint16_t port[2];
	uint32_t seq[2];  /* next sequence number of each side */
};

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_PSH 0x08
#define TH_ACK 0x10

static void	hg_usage(void);
static uint64_t	hg_number(const char *);
static void	hg_put16(uint8_t *, uint16_t);
static void	hg_put32(uint8_t *, uint32_t);
static void	hg_le32(uint8_t *, uint32_t);
static uint32_t	hg_sum(const uint8_t *, size_t, uint32_t);
static uint16_t	hg_fold(uint32_t);
static void	hg_write(struct hg *, const void *, size_t);
static void	hg_begin(struct hg *, enum hg_format);
static void	hg_record(struct hg *, const uint8_t *, size_t);
static void	hg_segment(struct hg *, struct hg_conn *, int, uint8_t,
		    const void *, size_t);
static void	hg_send(struct hg *, struct hg_conn *, int, const void *,
		    size_t);
static void	hg_conn_init(struct hg_conn *, uint32_t, uint16_t);
static void	hg_tcp_open(struct hg *, struct hg_conn *);
static void	hg_tcp_close(struct hg *, struct hg_conn *);
static void	hg_ws_open(struct hg *, struct hg_conn *, int);
static size_t	hg_frame(uint8_t *, int, int, int, int, const uint8_t *,
		    size_t);
static size_t	hg_frame_head(uint8_t *, int, int, int, uint64_t);
static void	hg_ws_close(struct hg *, struct hg_conn *, uint16_t,
		    const void *, size_t);
static int	hg_syn_flood(struct hg *, uint64_t);
static int	hg_ooo(struct hg *, uint64_t, uint64_t, uint64_t);
static int	hg_tiny(struct hg *, uint64_t);
static int	hg_huge_length(struct hg *);
static int	hg_cut_header(struct hg *, uint64_t);
static int	hg_bomb(struct hg *, uint64_t, uint64_t);
static int	hg_escapes(struct hg *);
static int	hg_long_head(struct hg *, uint64_t);
static int	hg_corrupt(struct hg *, const char *);

static const uint8_t hg_mask[4] = { 0x37, 0xfa, 0x21, 0x3d };

static void
hg_usage(void)
{
	fprintf(stderr, "usage: hostile-gen syn-flood N | ooo N [SEG [CONNS]]"
	    " | tiny N | huge-length | cut-header K | bomb SIZE [SEG] |"
	    " long-head N | escapes | corrupt bad-magic|huge-record|truncated|pcapng-huge|"
	    "pcapng-short|pcapng-mismatch\n");
	exit(1);
}

/* A count or a size with an optional K, M or G suffix (powers of 1024). */
static uint64_t
hg_number(const char *s)
{
	char              *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s)
		hg_usage();
	switch (*end) {
	case 'K': case 'k':
		v <<= 10;
		end++;
		break;
	case 'M': case 'm':
		v <<= 20;
		end++;
		break;
	case 'G': case 'g':
		v <<= 30;
		end++;
		break;
	}
	if (*end != '\0')
		hg_usage();
	return v;
}

static void
hg_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
hg_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
hg_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* One's complement sum of 16-bit big-endian words. */
static uint32_t
hg_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
hg_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void
hg_write(struct hg *g, const void *p, size_t n)
{
	if (n > 0 && fwrite(p, 1, n, g->f) != n) {
		perror("hostile-gen: write");
		exit(1);
	}
}

static void
hg_begin(struct hg *g, enum hg_format format)
{
	static char buf[1 << 20];
	uint8_t     h[28];

	g->f = stdout;
	setvbuf(g->f, buf, _IOFBF, sizeof buf);
	g->format = format;
	g->ts_us = 1700000000ull * 1000000;
	g->step_us = 10;
	memset(h, 0, sizeof h);
	if (format == HG_PCAP) {
		hg_le32(h, 0xa1b2c3d4);
		h[4] = 2;
		h[6] = 4;
		hg_le32(h + 16, HG_SNAPLEN);
		hg_le32(h + 20, 1);
		hg_write(g, h, 24);
		return;
	}
	/* Section header block, then one Ethernet interface. */
	hg_le32(h, 0x0a0d0d0a);
	hg_le32(h + 4, 28);
	hg_le32(h + 8, 0x1a2b3c4d);
	h[12] = 1;
	memset(h + 16, 0xff, 8);
	hg_le32(h + 24, 28);
	hg_write(g, h, 28);
	memset(h, 0, sizeof h);
	hg_le32(h, 1);
	hg_le32(h + 4, 20);
	h[8] = 1;
	hg_le32(h + 12, HG_SNAPLEN);
	hg_le32(h + 16, 20);
	hg_write(g, h, 20);
}

/* One captured packet (caplen = wire length) at the current time. */
static void
hg_record(struct hg *g, const uint8_t *pkt, size_t n)
{
	static const uint8_t pad[4];
	uint8_t              h[28];
	uint64_t             ts = g->ts_us;
	size_t               padn = (4 - n % 4) % 4;

	if (g->format == HG_PCAP) {
		hg_le32(h, (uint32_t)(ts / 1000000));
		hg_le32(h + 4, (uint32_t)(ts % 1000000));
		hg_le32(h + 8, (uint32_t)n);
		hg_le32(h + 12, (uint32_t)n);
		hg_write(g, h, 16);
		hg_write(g, pkt, n);
	} else {
		hg_le32(h, 6);
		hg_le32(h + 4, (uint32_t)(32 + n + padn));
		hg_le32(h + 8, 0);
		hg_le32(h + 12, (uint32_t)(ts >> 32));
		hg_le32(h + 16, (uint32_t)ts);
		hg_le32(h + 20, (uint32_t)n);
		hg_le32(h + 24, (uint32_t)n);
		hg_write(g, h, 28);
		hg_write(g, pkt, n);
		hg_write(g, pad, padn);
		hg_le32(h, (uint32_t)(32 + n + padn));
		hg_write(g, h, 4);
	}
	g->ts_us += g->step_us;
	g->packets++;
}

/* One TCP segment from side; the sequence number advances past it. */
static void
hg_segment(struct hg *g, struct hg_conn *c, int side, uint8_t flags,
    const void *data, size_t n)
{
	static uint8_t pkt[14 + 20 + 20 + 65536];
	uint8_t       *ip = pkt + 14, *tcp = pkt + 34;
	uint32_t       sum;

	if (n > 65536 - 40) {
		fprintf(stderr, "hostile-gen: segment too large\n");
		exit(1);
	}
	memset(pkt, 0, 54);
	pkt[5] = (uint8_t)(side + 1);
	pkt[11] = (uint8_t)(2 - side);
	hg_put16(pkt + 12, 0x0800);
	ip[0] = 0x45;
	hg_put16(ip + 2, (uint16_t)(40 + n));
	hg_put16(ip + 4, g->ip_id++);
	ip[6] = 0x40;
	ip[8] = 64;
	ip[9] = 6;
	hg_put32(ip + 12, c->ip[side]);
	hg_put32(ip + 16, c->ip[!side]);
	hg_put16(ip + 10, hg_fold(hg_sum(ip, 20, 0)));
	hg_put16(tcp, c->port[side]);
	hg_put16(tcp + 2, c->port[!side]);
	hg_put32(tcp + 4, c->seq[side]);
	if (flags & TH_ACK)
		hg_put32(tcp + 8, c->seq[!side]);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	hg_put16(tcp + 14, 65535);
	if (n > 0)
		memcpy(tcp + 20, data, n);
	sum = hg_sum(ip + 12, 8, 6 + 20 + (uint32_t)n);
	hg_put16(tcp + 16, hg_fold(hg_sum(tcp, 20 + n, sum)));
	hg_record(g, pkt, 54 + n);
	c->seq[side] += (uint32_t)n;
	if (flags & (TH_SYN | TH_FIN))
		c->seq[side]++;
}

/* Bytes from side in segments of at most HG_MSS. */
static void
hg_send(struct hg *g, struct hg_conn *c, int side, const void *data,
    size_t n)
{
	const uint8_t *p = data;
	size_t         k;

	while (n > 0) {
		k = n < HG_MSS ? n : HG_MSS;
		hg_segment(g, c, side, TH_ACK | TH_PSH, p, k);
		p += k;
		n -= k;
	}
}

static void
hg_conn_init(struct hg_conn *c, uint32_t client_ip, uint16_t client_port)
{
	c->ip[0] = client_ip;
	c->ip[1] = HG_SERVER_IP;
	c->port[0] = client_port;
	c->port[1] = 80;
	c->seq[0] = 0x10000000u ^ client_ip ^ client_port;
	c->seq[1] = 0x60000000u ^ client_ip;
}

static void
hg_tcp_open(struct hg *g, struct hg_conn *c)
{
	hg_segment(g, c, 0, TH_SYN, NULL, 0);
	hg_segment(g, c, 1, TH_SYN | TH_ACK, NULL, 0);
	hg_segment(g, c, 0, TH_ACK, NULL, 0);
}

static void
hg_tcp_close(struct hg *g, struct hg_conn *c)
{
	hg_segment(g, c, 1, TH_FIN | TH_ACK, NULL, 0);
	hg_segment(g, c, 0, TH_FIN | TH_ACK, NULL, 0);
	hg_segment(g, c, 1, TH_ACK, NULL, 0);
}

/* TCP handshake and a WebSocket upgrade (with permessage-deflate). */
static void
hg_ws_open(struct hg *g, struct hg_conn *c, int deflate)
{
	char req[512], resp[512];
	int  n;

	hg_tcp_open(g, c);
	n = snprintf(req, sizeof req,
	    "GET /chat HTTP/1.1\r\nHost: server.example\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "%s\r\n", deflate ? "Sec-WebSocket-Extensions: "
	    "permessage-deflate\r\n" : "");
	hg_send(g, c, 0, req, (size_t)n);
	n = snprintf(resp, sizeof resp,
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: " HG_ACCEPT "\r\n"
	    "%s\r\n", deflate ? "Sec-WebSocket-Extensions: "
	    "permessage-deflate\r\n" : "");
	hg_send(g, c, 1, resp, (size_t)n);
}

/* A frame header; masked frames use hg_mask. Returns its length. */
static size_t
hg_frame_head(uint8_t *b, int fin_rsv_op, int masked, int force64,
    uint64_t len)
{
	size_t n = 0;
	int    i;

	b[n++] = (uint8_t)fin_rsv_op;
	if (len < 126 && !force64)
		b[n++] = (uint8_t)((masked ? 0x80 : 0) | len);
	else if (len < 65536 && !force64) {
		b[n++] = (uint8_t)((masked ? 0x80 : 0) | 126);
		b[n++] = (uint8_t)(len >> 8);
		b[n++] = (uint8_t)len;
	} else {
		b[n++] = (uint8_t)((masked ? 0x80 : 0) | 127);
		for (i = 7; i >= 0; i--)
			b[n++] = (uint8_t)(len >> (8 * i));
	}
	if (masked) {
		memcpy(b + n, hg_mask, 4);
		n += 4;
	}
	return n;
}

/* A whole frame: header and (masked) payload. Returns its length. */
static size_t
hg_frame(uint8_t *b, int fin, int rsv1, int opcode, int masked,
    const uint8_t *p, size_t len)
{
	size_t n, i;

	n = hg_frame_head(b, (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode,
	    masked, 0, len);
	for (i = 0; i < len; i++)
		b[n + i] = (uint8_t)(p[i] ^ (masked ? hg_mask[i % 4] : 0));
	return n + len;
}

/* The client closes with code and reason; the server answers; TCP ends. */
static void
hg_ws_close(struct hg *g, struct hg_conn *c, uint16_t code,
    const void *reason, size_t rlen)
{
	uint8_t pl[125], fr[160];
	size_t  n;

	hg_put16(pl, code);
	memcpy(pl + 2, reason, rlen);
	n = hg_frame(fr, 1, 0, 8, 1, pl, 2 + rlen);
	hg_send(g, c, 0, fr, n);
	n = hg_frame(fr, 1, 0, 8, 0, pl, 2);
	hg_send(g, c, 1, fr, n);
	hg_tcp_close(g, c);
}

/*
 * Each connection: a SYN, then (without a SYN-ACK) the first line of an
 * HTTP request that never ends. The clients are 10.128.0.0/9 + i.
 */
static int
hg_syn_flood(struct hg *g, uint64_t n)
{
	static const char part[] = "GET /chat HTTP/1.1\r\nHost: victim\r\n"
	    "Upgrade: websocket\r\nSec-WebSocket-Key: ";
	struct hg_conn    c;
	uint64_t          i;

	g->step_us = 5;
	for (i = 0; i < n; i++) {
		hg_conn_init(&c, 0x0a800000u + (uint32_t)(i >> 4),
		    (uint16_t)(1024 + (i & 15)));
		hg_segment(g, &c, 0, TH_SYN, NULL, 0);
		hg_segment(g, &c, 0, TH_ACK | TH_PSH, part, sizeof part - 1);
	}
	return 0;
}

/*
 * After the upgrade, the client's next 1000 bytes are never captured; the
 * N segments after them are. No packet acknowledges past the hole, so
 * nothing but a cap or the end of the capture resolves it.
 */
static int
hg_ooo(struct hg *g, uint64_t n, uint64_t seg, uint64_t conns)
{
	static uint8_t data[HG_MSS * 44];
	struct hg_conn c;
	uint64_t       i, k;

	if (seg == 0 || seg > sizeof data)
		hg_usage();
	memset(data, 'x', sizeof data);
	for (k = 0; k < conns; k++) {
		hg_conn_init(&c, 0x0a000100u + (uint32_t)k, 40000);
		hg_ws_open(g, &c, 0);
		c.seq[0] += 1000;
		for (i = 0; i < n; i++)
			hg_segment(g, &c, 0, TH_ACK | TH_PSH, data,
			    (size_t)seg);
	}
	return 0;
}

/*
 * Client frames: masked text frames of 125 bytes ("0123456789..."), one
 * byte per segment, until N segments are sent (the last frame is
 * completed), then the close handshake.
 */
static int
hg_tiny(struct hg *g, uint64_t n)
{
	uint8_t        pl[125], fr[160];
	struct hg_conn c;
	size_t         len, j;
	uint64_t       sent = 0;

	for (j = 0; j < sizeof pl; j++)
		pl[j] = (uint8_t)('0' + j % 10);
	len = hg_frame(fr, 1, 0, 1, 1, pl, sizeof pl);
	g->step_us = 1;
	hg_conn_init(&c, 0x0a000001u, 40001);
	hg_ws_open(g, &c, 0);
	while (sent < n) {
		for (j = 0; j < len; j++, sent++)
			hg_segment(g, &c, 0, TH_ACK | TH_PSH, fr + j, 1);
	}
	hg_ws_close(g, &c, 1000, "bye", 3);
	return 0;
}

/* Two connections; their client frames claim huge lengths. */
static int
hg_huge_length(struct hg *g)
{
	static uint8_t  data[HG_MSS];
	static const uint64_t lens[2] = {
		0x7fffffffffffffffull, 0x8000000000000010ull
	};
	uint8_t         fr[32];
	struct hg_conn  c;
	size_t          n;
	int             k, i;

	memset(data, 'A', sizeof data);
	for (k = 0; k < 2; k++) {
		hg_conn_init(&c, 0x0a000001u + (uint32_t)k, 40000);
		hg_ws_open(g, &c, 0);
		n = hg_frame(fr, 1, 0, 2, 1, (const uint8_t *)"ok", 2);
		hg_send(g, &c, 0, fr, n);
		n = hg_frame_head(fr, 0x82, 1, 1, lens[k]);
		hg_send(g, &c, 0, fr, n);
		for (i = 0; i < (4 << 20) / HG_MSS; i++)
			hg_segment(g, &c, 0, TH_ACK | TH_PSH, data, sizeof data);
		hg_tcp_close(g, &c);
	}
	return 0;
}

/* The capture ends k bytes into a 14-byte header (64-bit length, mask). */
static int
hg_cut_header(struct hg *g, uint64_t k)
{
	uint8_t        fr[64];
	struct hg_conn c;
	size_t         n;

	if (k > 13)
		hg_usage();
	hg_conn_init(&c, 0x0a000001u, 40000);
	hg_ws_open(g, &c, 0);
	n = hg_frame(fr, 1, 0, 1, 1, (const uint8_t *)"hello", 5);
	hg_send(g, &c, 0, fr, n);
	n = hg_frame_head(fr, 0x82, 1, 1, 70000);
	if (n != 14)
		abort();
	if (k > 0)
		hg_segment(g, &c, 0, TH_ACK | TH_PSH, fr, (size_t)k);
	return 0;
}

/*
 * SIZE zero bytes deflated with level 9 and full flushes every MiB: a full
 * flush resets the compressor, so every MiB after the first compresses to
 * the same bytes and the message is built by repeating them.
 */
static int
hg_bomb(struct hg *g, uint64_t size, uint64_t seg)
{
	static uint8_t zeros[1 << 20], out[1 << 16];
	uint8_t       *first, *rep, *pkt, fr[16];
	size_t         first_n, rep_n, hn, wire, off, k, i, len;
	uint64_t       chunks, j, pos;
	struct hg_conn c;
	z_stream       z;
	int            pass;

	if (size == 0 || size % sizeof zeros != 0 || seg == 0 ||
	    seg > 65536 - 40) {
		fprintf(stderr, "hostile-gen: bomb SIZE must be a multiple of "
		    "1M; SEG 1..65496\n");
		return 1;
	}
	chunks = size / sizeof zeros;
	memset(&z, 0, sizeof z);
	if (deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return 1;
	first = rep = NULL;
	first_n = rep_n = 0;
	for (pass = 0; pass < 2; pass++) {
		z.next_in = zeros;
		z.avail_in = sizeof zeros;
		z.next_out = out;
		z.avail_out = sizeof out;
		if (deflate(&z, Z_FULL_FLUSH) != Z_OK || z.avail_in != 0 ||
		    z.avail_out == 0)
			return 1;
		len = sizeof out - z.avail_out;
		if (pass == 0) {
			first = malloc(len);
			memcpy(first, out, len);
			first_n = len;
		} else {
			rep = malloc(len);
			memcpy(rep, out, len);
			rep_n = len;
		}
	}
	deflateEnd(&z);
	/* Every chunk ends with the empty stored block 00 00 ff ff; the last
	 * one is dropped, as RFC 7692 section 7.2.1 says. */
	wire = first_n + (size_t)(chunks - 1) * rep_n - 4;
	pkt = malloc(seg);
	hg_conn_init(&c, 0x0a000001u, 40000);
	hg_ws_open(g, &c, 1);
	hn = hg_frame_head(fr, 0xc2, 1, 0, wire);
	hg_send(g, &c, 0, fr, hn);
	pos = 0;
	for (off = 0; off < wire; off += k) {
		k = wire - off < seg ? wire - off : (size_t)seg;
		for (i = 0; i < k; i++, pos++) {
			j = pos < first_n ? pos : (pos - first_n) % rep_n;
			pkt[i] = (uint8_t)((pos < first_n ? first[j] : rep[j]) ^
			    hg_mask[pos % 4]);
		}
		hg_segment(g, &c, 0, TH_ACK | TH_PSH, pkt, k);
	}
	hg_ws_close(g, &c, 1000, "", 0);
	free(first);
	free(rep);
	free(pkt);
	fprintf(stderr, "hostile-gen: bomb: %zu bytes on the wire inflate to "
	    "%" PRIu64 "\n", wire, size);
	return 0;
}

/*
 * Connection 1 (10.0.0.1): a valid upgrade whose request target, Host,
 * User-Agent, Origin, reason phrase and Server carry invalid UTF-8 and
 * display-steering code points that are valid UTF-8 (U+009B, the 8-bit
 * CSI; U+202E, right-to-left override); then messages with ESC
 * sequences, NUL and invalid UTF-8 both ways, and a client close whose
 * reason holds all three.
 * Connection 2 (10.0.0.5): the same with raw ESC sequences in the request
 * target and the Host, User-Agent and Origin values (control bytes HTTP
 * does not allow there), answered with 101, then one text message.
 * Connection 3 (10.0.0.9): a request with a NUL in the Host value and a
 * 64 KiB header line, answered with 431.
 */
static int
hg_escapes(struct hg *g)
{
	static const char esc[] = "\033]0;pwned\007\033[2J\033[31m";
	static const uint8_t bin[] = { 'a', 0, 0x1b, '[', '2', 'J', 0, 0xff,
	    0xc3, 0x28, 0x07, 0x08, 0x7f, 'z' };
	static const uint8_t bad[] = { 'b', 'a', 'd', 0xc3, 0x28, 0xff, 0xfe,
	    0x1b, '[', '3', '1', 'm' };
	static const uint8_t reason[] = { 0x1b, ']', '0', ';', 'p', 'w', 'n',
	    'e', 'd', 0x07, 0x1b, '[', '2', 'J', 0x00, 0xff, 0xc3, 0x28, 'x' };
	static char    big[70000];
	uint8_t        fr[256];
	char           req[1024], resp[512];
	struct hg_conn c;
	size_t         n;
	int            len;

	hg_conn_init(&c, 0x0a000001u, 40000);
	hg_tcp_open(g, &c);
	len = snprintf(req, sizeof req,
	    "GET /chat\xff\xfe?q=\xc2\x9b" "31mred HTTP/1.1\r\n"
	    "Host: host\xc2\x9b" "2J\xc3\x28.example\r\n"
	    "User-Agent: agent\xe2\x80\xae-rtl\xff\r\n"
	    "Origin: http://origin\xc0\xaf\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "\r\n");
	hg_send(g, &c, 0, req, (size_t)len);
	len = snprintf(resp, sizeof resp,
	    "HTTP/1.1 101 Switching \xc2\x9b\xff\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nServer: srv\xc2\x9b" "2J\xfe\r\n"
	    "Sec-WebSocket-Accept: " HG_ACCEPT "\r\n\r\n");
	hg_send(g, &c, 1, resp, (size_t)len);
	n = hg_frame(fr, 1, 0, 1, 1, (const uint8_t *)esc, sizeof esc - 1);
	hg_send(g, &c, 0, fr, n);
	n = hg_frame(fr, 1, 0, 2, 1, bin, sizeof bin);
	hg_send(g, &c, 0, fr, n);
	n = hg_frame(fr, 1, 0, 1, 1, bad, sizeof bad);
	hg_send(g, &c, 0, fr, n);
	n = hg_frame(fr, 1, 0, 1, 0, (const uint8_t *)esc, sizeof esc - 1);
	hg_send(g, &c, 1, fr, n);
	hg_ws_close(g, &c, 4000, reason, sizeof reason);

	hg_conn_init(&c, 0x0a000005u, 40005);
	hg_tcp_open(g, &c);
	len = snprintf(req, sizeof req,
	    "GET /chat%s?q=1 HTTP/1.1\r\nHost: host%s.example\r\n"
	    "User-Agent: agent%s\r\nOrigin: http://origin%s\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "\r\n", esc, esc, esc, esc);
	hg_send(g, &c, 0, req, (size_t)len);
	len = snprintf(resp, sizeof resp,
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: " HG_ACCEPT
	    "\r\n\r\n");
	hg_send(g, &c, 1, resp, (size_t)len);
	n = hg_frame(fr, 1, 0, 1, 1, (const uint8_t *)esc, sizeof esc - 1);
	hg_send(g, &c, 0, fr, n);
	hg_ws_close(g, &c, 1000, "", 0);

	hg_conn_init(&c, 0x0a000009u, 40009);
	hg_tcp_open(g, &c);
	memcpy(big, "X-Long: ", 8);
	memset(big + 8, 'L', 65536);
	memcpy(big + 8 + 65536, "\033[2J\r\n", 6);
	len = snprintf(req, sizeof req, "GET /big HTTP/1.1\r\nHost: a");
	req[len++] = '\0';
	len += snprintf(req + len, sizeof req - (size_t)len, "b\r\n");
	hg_send(g, &c, 0, req, (size_t)len);
	hg_send(g, &c, 0, big, 8 + 65536 + 6);
	len = snprintf(req, sizeof req,
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "\r\n");
	hg_send(g, &c, 0, req, (size_t)len);
	len = snprintf(resp, sizeof resp, "HTTP/1.1 431 %s\r\n"
	    "Content-Length: 0\r\n\r\n", esc);
	hg_send(g, &c, 1, resp, (size_t)len);
	hg_tcp_close(g, &c);
	return 0;
}

/* Values longer than the analyzer keeps; the User-Agent starts "\x1b" as text. */
static int
hg_long_head(struct hg *g, uint64_t n)
{
	static const char text[] = "C:\\new\\x1b\nline2";
	struct hg_conn c;
	char          *buf, *p;
	size_t         cap;
	uint8_t        fr[64];
	size_t         k;

	if (n < 8 || n > (1U << 20))
		hg_usage();
	cap = 3 * (size_t)n + 1024;
	buf = malloc(cap);
	if (buf == NULL)
		return 1;
	hg_conn_init(&c, 0x0a000001u, 40000);
	hg_tcp_open(g, &c);
	p = buf + sprintf(buf, "GET /");
	memset(p, 'p', (size_t)n - 1);
	p += n - 1;
	p += sprintf(p, " HTTP/1.1\r\nHost: h\r\nUser-Agent: \\x1b");
	memset(p, 'u', (size_t)n - 4);
	p += n - 4;
	p += sprintf(p, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n");
	hg_send(g, &c, 0, buf, (size_t)(p - buf));
	p = buf + sprintf(buf, "HTTP/1.1 101 Switching Protocols\r\nServer: ");
	memset(p, 's', (size_t)n);
	p += n;
	p += sprintf(p, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " HG_ACCEPT "\r\n\r\n");
	hg_send(g, &c, 1, buf, (size_t)(p - buf));
	k = hg_frame(fr, 1, 0, 1, 1, (const uint8_t *)text, sizeof text - 1);
	hg_send(g, &c, 0, fr, k);
	hg_ws_close(g, &c, 1008, "", 0);
	free(buf);
	return 0;
}

/* A good conversation (4 frames, close handshake) and then the damage. */
static int
hg_corrupt(struct hg *g, const char *kind)
{
	static const char msg[] = "before the damage";
	uint8_t        fr[64], h[32];
	struct hg_conn c;
	size_t         n;
	int            i, ng;

	ng = strncmp(kind, "pcapng-", 7) == 0;
	if (!ng && strcmp(kind, "bad-magic") != 0 &&
	    strcmp(kind, "huge-record") != 0 && strcmp(kind, "truncated") != 0)
		hg_usage();
	if (ng && strcmp(kind + 7, "huge") != 0 &&
	    strcmp(kind + 7, "short") != 0 && strcmp(kind + 7, "mismatch") != 0)
		hg_usage();
	if (strcmp(kind, "bad-magic") == 0) {
		/* A pcap header with one byte of its magic wrong. */
		memset(h, 0, 24);
		hg_le32(h, 0xa1b2c3d5);
		h[4] = 2;
		h[6] = 4;
		hg_le32(h + 16, HG_SNAPLEN);
		hg_le32(h + 20, 1);
		fwrite(h, 1, 24, stdout);
		return 0;
	}
	hg_begin(g, ng ? HG_PCAPNG : HG_PCAP);
	hg_conn_init(&c, 0x0a000001u, 40000);
	hg_ws_open(g, &c, 0);
	for (i = 0; i < 4; i++) {
		n = hg_frame(fr, 1, 0, 1, 1, (const uint8_t *)msg,
		    sizeof msg - 1);
		hg_send(g, &c, 0, fr, n);
	}
	hg_ws_close(g, &c, 1000, "done", 4);
	memset(h, 0, sizeof h);
	if (strcmp(kind, "huge-record") == 0) {
		hg_le32(h, 1700000100);
		hg_le32(h + 8, 0xffffffffu);
		hg_le32(h + 12, 0xffffffffu);
		hg_write(g, h, 16);
		hg_write(g, "some bytes", 10);
	} else if (strcmp(kind, "truncated") == 0) {
		/* A record of 200 bytes of which 37 are in the file. */
		hg_le32(h, 1700000100);
		hg_le32(h + 8, 200);
		hg_le32(h + 12, 200);
		hg_write(g, h, 16);
		hg_write(g, fr, 37 < sizeof fr ? 37 : sizeof fr);
	} else if (strcmp(kind, "pcapng-huge") == 0) {
		/* An enhanced packet block claiming 2 GiB. */
		hg_le32(h, 6);
		hg_le32(h + 4, 0x7ffffff0u);
		hg_write(g, h, 28);
	} else if (strcmp(kind, "pcapng-short") == 0) {
		/* A block length below the 12-byte minimum. */
		hg_le32(h, 6);
		hg_le32(h + 4, 8);
		hg_write(g, h, 28);
	} else {
		/* Leading and trailing block lengths differ. */
		hg_le32(h, 6);
		hg_le32(h + 4, 36);
		hg_le32(h + 20, 4);
		hg_le32(h + 24, 4);
		memcpy(h + 28, "abcd", 4);
		hg_write(g, h, 32);
		hg_le32(h, 40);
		hg_write(g, h, 4);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct hg g;
	int       r;

	if (argc < 2)
		hg_usage();
	memset(&g, 0, sizeof g);
	if (strcmp(argv[1], "corrupt") == 0) {
		if (argc != 3)
			hg_usage();
		r = hg_corrupt(&g, argv[2]);
		goto out;
	}
	hg_begin(&g, HG_PCAP);
	if (strcmp(argv[1], "syn-flood") == 0 && argc == 3)
		r = hg_syn_flood(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "ooo") == 0 && argc >= 3 && argc <= 5)
		r = hg_ooo(&g, hg_number(argv[2]),
		    argc > 3 ? hg_number(argv[3]) : HG_MSS,
		    argc > 4 ? hg_number(argv[4]) : 1);
	else if (strcmp(argv[1], "tiny") == 0 && argc == 3)
		r = hg_tiny(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "huge-length") == 0 && argc == 2)
		r = hg_huge_length(&g);
	else if (strcmp(argv[1], "cut-header") == 0 && argc == 3)
		r = hg_cut_header(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "bomb") == 0 && (argc == 3 || argc == 4))
		r = hg_bomb(&g, hg_number(argv[2]),
		    argc > 3 ? hg_number(argv[3]) : HG_MSS);
	else if (strcmp(argv[1], "long-head") == 0 && argc == 3)
		r = hg_long_head(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "escapes") == 0 && argc == 2)
		r = hg_escapes(&g);
	else
		hg_usage();
out:
	if (fflush(stdout) != 0) {
		perror("hostile-gen: write");
		return 1;
	}
	return r;
}
