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
 *   pings N [text]       one WebSocket connection whose client sends N
 *                        pings (each its own 8-byte payload, 1 ms apart)
 *                        that the server never answers, then a close
 *                        the server answers; with text, text frames
 *                        instead (the same capture without pings)
 *   huge-length          two connections: a frame claiming 2^63-1 bytes,
 *                        a frame whose 64-bit length has its top bit set;
 *                        each followed by 4 MiB of bytes
 *   zeros SIZE [ACK [SIDE]]  a WebSocket connection: one complete frame
 *                        each way, then from SIDE (client, or server) a
 *                        10 kB hole the capture never fills and SIZE zero
 *                        bytes (K, M, G suffixes) in full segments; with
 *                        ACK 1 the peer acknowledges every segment (the
 *                        hole is declared lost at once)
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
 *   breakers             a WebSocket connection whose handshake values and
 *                        messages hold what breaks JSON and HTML when
 *                        escaped by hand: quotes, backslashes, every control
 *                        byte, "</script>", U+2028; text with NUL and text of
 *                        invalid UTF-8; a binary message of all 256 bytes;
 *                        a ping, its pong, a close with such a reason
 *   long-escapes N       a WebSocket connection: a text message, then a
 *                        binary one, of N bytes (rounded up to 32) made of
 *                        32-byte units of terminal escapes (OSC title, CSI,
 *                        C1, a bidi override; NUL and 0xff in the binary),
 *                        every 512th byte a unit "@NNNNN@..." naming its
 *                        offset
 *   tls KIND SIZE        a TLS connection whose client sends a ClientHello
 *                        and then, with KIND record-length, a record
 *                        header claiming 65535 bytes and SIZE bytes; with
 *                        KIND endless-hello, a ClientHello claiming
 *                        2^24-1 bytes continued by SIZE bytes of
 *                        handshake records
 *   subproto KIND        five WebSocket connections, one a sub-protocol:
 *                        Engine.IO (an EIO=4 request path), STOMP
 *                        (v12.stomp), MQTT (mqtt), GraphQL
 *                        (graphql-transport-ws) and JSON-RPC (none
 *                        negotiated), each a message or two each way;
 *                        KIND clean: well-formed packets; broken: the
 *                        same frames carrying packets that break their
 *                        sub-protocol (an unknown Engine.IO type, a
 *                        STOMP frame without its NUL, ...); hostile:
 *                        terminal escapes in names, 200 kB of nested
 *                        brackets, 20000 STOMP headers, endless MQTT
 *                        lengths
 *   corrupt KIND         a WebSocket conversation, then damage; KIND is
 *                        bad-magic, huge-record (a 4 GiB record length),
 *                        truncated (the last record cut), pcapng-huge,
 *                        pcapng-short or pcapng-mismatch (pcapng blocks
 *                        of bad length), or pcapng-dsb (a Decryption
 *                        Secrets Block before the conversation whose
 *                        secrets length is larger than the block; the rest
 *                        of the file is sound)
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

#include "pcap-writer.h"
#include "ws-build.h"

#define HG_SNAPLEN   262144
#define HG_MSS       1460
#define HG_KEY       "dGhlIHNhbXBsZSBub25jZQ=="
#define HG_ACCEPT    "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define HG_SERVER_IP 0x0a000002u /* 10.0.0.2 */

static void	hg_usage(void);
static uint64_t	hg_number(const char *);
static void	hg_begin(struct pw *, enum pw_format);
static void	hg_conn_init(struct pw_conn *, struct pw *, uint32_t,
		    uint16_t);
static void	hg_send(struct pw_conn *, int, const void *, size_t);
static void	hg_ws_open(struct pw_conn *, int);
static void	hg_ws_open_proto(struct pw_conn *, int, const char *,
		    const char *);
static void	hg_ws_close(struct pw_conn *, uint16_t, const void *,
		    size_t);
static int	hg_syn_flood(struct pw *, uint64_t);
static int	hg_ooo(struct pw *, uint64_t, uint64_t, uint64_t);
static int	hg_tiny(struct pw *, uint64_t);
static int	hg_pings(struct pw *, uint64_t, int);
static int	hg_huge_length(struct pw *);
static int	hg_zeros(struct pw *, uint64_t, int, int);
static int	hg_cut_header(struct pw *, uint64_t);
static int	hg_bomb(struct pw *, uint64_t, uint64_t);
static int	hg_escapes(struct pw *);
static int	hg_breakers(struct pw *);
static int	hg_long_head(struct pw *, uint64_t);
static int	hg_long_escapes(struct pw *, uint64_t);
static int	hg_corrupt(struct pw *, const char *);
static int	hg_tls(struct pw *, const char *, uint64_t);
static void	hg_message(struct pw_conn *, int, int, const void *, size_t);
static int	hg_subproto(struct pw *, const char *);

static void
hg_usage(void)
{
	fprintf(stderr, "usage: hostile-gen syn-flood N | ooo N [SEG [CONNS]]"
	    " | tls record-length|endless-hello SIZE"
	    " | tiny N | pings N [text] | huge-length | cut-header K |"
	    " bomb SIZE [SEG] |"
	    " long-head N | escapes | breakers | long-escapes N |"
	    " subproto clean|broken|hostile | corrupt bad-magic|huge-record|truncated|pcapng-huge|"
	    "pcapng-short|pcapng-mismatch|pcapng-dsb\n");
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
hg_begin(struct pw *g, enum pw_format format)
{
	static char buf[1 << 20];

	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	pw_begin(g, stdout, format, HG_SNAPLEN);
	g->t_ns = 1700000000LL * 1000000000LL;
	g->step_ns = 10000;
}

static void
hg_conn_init(struct pw_conn *c, struct pw *g, uint32_t client_ip,
    uint16_t client_port)
{
	pw_conn_init(c, g, client_ip, client_port, HG_SERVER_IP, 80);
	c->seq[0] = 0x10000000u ^ client_ip ^ client_port;
	c->seq[1] = 0x60000000u ^ client_ip;
}

/* Bytes from side in segments of at most HG_MSS. */
static void
hg_send(struct pw_conn *c, int side, const void *data, size_t n)
{
	pw_send(c, side, data, n, HG_MSS);
}

/* TCP handshake and a WebSocket upgrade (with permessage-deflate). */
static void
hg_ws_open(struct pw_conn *c, int deflate)
{
	hg_ws_open_proto(c, deflate, "/chat", NULL);
}

/* The same to a request target, with a subprotocol offered and chosen. */
static void
hg_ws_open_proto(struct pw_conn *c, int deflate, const char *target,
    const char *proto)
{
	char req[1024], resp[512], pr[160];
	int  n;

	pr[0] = '\0';
	if (proto != NULL)
		snprintf(pr, sizeof pr, "Sec-WebSocket-Protocol: %s\r\n",
		    proto);
	pw_tcp_open(c);
	n = snprintf(req, sizeof req,
	    "GET %s HTTP/1.1\r\nHost: server.example\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "%s%s\r\n", target, pr, deflate ? "Sec-WebSocket-Extensions: "
	    "permessage-deflate\r\n" : "");
	hg_send(c, 0, req, (size_t)n);
	n = snprintf(resp, sizeof resp,
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: " HG_ACCEPT "\r\n"
	    "%s%s\r\n", pr, deflate ? "Sec-WebSocket-Extensions: "
	    "permessage-deflate\r\n" : "");
	hg_send(c, 1, resp, (size_t)n);
}

/* The client closes with code and reason; the server answers; TCP ends. */
static void
hg_ws_close(struct pw_conn *c, uint16_t code, const void *reason,
    size_t rlen)
{
	uint8_t pl[125], fr[160];
	size_t  n;

	wsb_close_payload(pl, code, reason, rlen);
	n = wsb_frame(fr, 1, 0, 8, wsb_key, pl, 2 + rlen);
	hg_send(c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 8, NULL, pl, 2);
	hg_send(c, 1, fr, n);
	pw_tcp_close(c);
}

/*
 * Each connection: a SYN, then (without a SYN-ACK) the first line of an
 * HTTP request that never ends. The clients are 10.128.0.0/9 + i.
 */
static int
hg_syn_flood(struct pw *g, uint64_t n)
{
	static const char part[] = "GET /chat HTTP/1.1\r\nHost: victim\r\n"
	    "Upgrade: websocket\r\nSec-WebSocket-Key: ";
	struct pw_conn    c;
	uint64_t          i;

	g->step_ns = 5000;
	for (i = 0; i < n; i++) {
		hg_conn_init(&c, g, 0x0a800000u + (uint32_t)(i >> 4),
		    (uint16_t)(1024 + (i & 15)));
		pw_segment(&c, 0, PW_SYN, NULL, 0);
		pw_segment(&c, 0, PW_ACK | PW_PSH, part, sizeof part - 1);
	}
	return 0;
}

/*
 * After the upgrade, the client's next 1000 bytes are never captured; the
 * N segments after them are. No packet acknowledges past the hole, so
 * nothing but a cap or the end of the capture resolves it.
 */
static int
hg_ooo(struct pw *g, uint64_t n, uint64_t seg, uint64_t conns)
{
	static uint8_t data[HG_MSS * 44];
	struct pw_conn c;
	uint64_t       i, k;

	if (seg == 0 || seg > sizeof data)
		hg_usage();
	memset(data, 'x', sizeof data);
	for (k = 0; k < conns; k++) {
		hg_conn_init(&c, g, 0x0a000100u + (uint32_t)k, 40000);
		hg_ws_open(&c, 0);
		c.seq[0] += 1000;
		for (i = 0; i < n; i++)
			pw_segment(&c, 0, PW_ACK | PW_PSH, data,
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
hg_tiny(struct pw *g, uint64_t n)
{
	uint8_t        pl[125], fr[160];
	struct pw_conn c;
	size_t         len, j;
	uint64_t       sent = 0;

	for (j = 0; j < sizeof pl; j++)
		pl[j] = (uint8_t)('0' + j % 10);
	len = wsb_frame(fr, 1, 0, 1, wsb_key, pl, sizeof pl);
	g->step_ns = 1000;
	hg_conn_init(&c, g, 0x0a000001u, 40001);
	hg_ws_open(&c, 0);
	while (sent < n) {
		for (j = 0; j < len; j++, sent++)
			pw_segment(&c, 0, PW_ACK | PW_PSH, fr + j, 1);
	}
	hg_ws_close(&c, 1000, "bye", 3);
	return 0;
}

/* A ping flood no pong answers: the waiting pings stay bounded. */
static int
hg_pings(struct pw *g, uint64_t n, int opcode)
{
	uint8_t        pl[8], fr[32];
	struct pw_conn c;
	size_t         len;
	uint64_t       i;
	int            b;

	g->step_ns = 1000000;
	hg_conn_init(&c, g, 0x0a000001u, 40002);
	hg_ws_open(&c, 0);
	for (i = 0; i < n; i++) {
		for (b = 0; b < 8; b++)
			pl[b] = (uint8_t)(i >> (8 * b));
		len = wsb_frame(fr, 1, 0, opcode, wsb_key, pl, sizeof pl);
		pw_segment(&c, 0, PW_ACK | PW_PSH, fr, len);
	}
	hg_ws_close(&c, 1000, "", 0);
	return 0;
}

/* Two connections; their client frames claim huge lengths. */
/*
 * After a gap the decoder searches the bytes for a frame header; a long
 * run of zero bytes (sparse payloads, a disk image) is the worst case.
 */
static int
hg_zeros(struct pw *g, uint64_t size, int acks, int side)
{
	static uint8_t  data[HG_MSS];
	uint8_t         fr[32];
	struct pw_conn  c;
	size_t          n;
	uint64_t        left;

	hg_conn_init(&c, g, 0x0a000001u, 40000);
	hg_ws_open(&c, 0);
	n = wsb_frame(fr, 1, 0, 2, wsb_key, "ok", 2);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 2, NULL, "ok", 2);
	hg_send(&c, 1, fr, n);
	c.seq[side] += 10000;
	for (left = size; left > 0; left -= n) {
		n = left < sizeof data ? (size_t)left : sizeof data;
		pw_segment(&c, side, PW_ACK | PW_PSH, data, n);
		if (acks)
			pw_segment(&c, !side, PW_ACK, NULL, 0);
	}
	pw_tcp_close(&c);
	return 0;
}

static int
hg_huge_length(struct pw *g)
{
	static uint8_t  data[HG_MSS];
	static const uint64_t lens[2] = {
		0x7fffffffffffffffull, 0x8000000000000010ull
	};
	uint8_t         fr[32];
	struct pw_conn  c;
	size_t          n;
	int             k, i;

	memset(data, 'A', sizeof data);
	for (k = 0; k < 2; k++) {
		hg_conn_init(&c, g, 0x0a000001u + (uint32_t)k, 40000);
		hg_ws_open(&c, 0);
		n = wsb_frame(fr, 1, 0, 2, wsb_key, "ok", 2);
		hg_send(&c, 0, fr, n);
		n = wsb_head(fr, 1, 0, 2, wsb_key, WSB_LEN_64, lens[k]);
		hg_send(&c, 0, fr, n);
		for (i = 0; i < (4 << 20) / HG_MSS; i++)
			pw_segment(&c, 0, PW_ACK | PW_PSH, data, sizeof data);
		pw_tcp_close(&c);
	}
	return 0;
}

/* The capture ends k bytes into a 14-byte header (64-bit length, mask). */
static int
hg_cut_header(struct pw *g, uint64_t k)
{
	uint8_t        fr[64];
	struct pw_conn c;
	size_t         n;

	if (k > 13)
		hg_usage();
	hg_conn_init(&c, g, 0x0a000001u, 40000);
	hg_ws_open(&c, 0);
	n = wsb_frame(fr, 1, 0, 1, wsb_key, "hello", 5);
	hg_send(&c, 0, fr, n);
	n = wsb_head(fr, 1, 0, 2, wsb_key, WSB_LEN_64, 70000);
	if (n != 14)
		abort();
	if (k > 0)
		pw_segment(&c, 0, PW_ACK | PW_PSH, fr, (size_t)k);
	return 0;
}

/*
 * SIZE zero bytes deflated with level 9 and full flushes every MiB: a full
 * flush resets the compressor, so every MiB after the first compresses to
 * the same bytes and the message is built by repeating them.
 */
static int
hg_bomb(struct pw *g, uint64_t size, uint64_t seg)
{
	static uint8_t zeros[1 << 20], out[1 << 16];
	uint8_t       *first, *rep, *pkt, fr[16];
	size_t         first_n, rep_n, hn, wire, off, k, i, len;
	uint64_t       chunks, j, pos;
	struct pw_conn c;
	z_stream       z;
	int            pass;

	if (size == 0 || size % sizeof zeros != 0 || seg == 0 ||
	    seg > PW_MAX_PAYLOAD) {
		fprintf(stderr, "hostile-gen: bomb SIZE must be a multiple of "
		    "1M; SEG 1..%d\n", PW_MAX_PAYLOAD);
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
	hg_conn_init(&c, g, 0x0a000001u, 40000);
	hg_ws_open(&c, 1);
	hn = wsb_head(fr, 1, 4, 2, wsb_key, WSB_LEN_AUTO, wire);
	hg_send(&c, 0, fr, hn);
	pos = 0;
	for (off = 0; off < wire; off += k) {
		k = wire - off < seg ? wire - off : (size_t)seg;
		for (i = 0; i < k; i++, pos++) {
			j = pos < first_n ? pos : (pos - first_n) % rep_n;
			pkt[i] = (uint8_t)((pos < first_n ? first[j] : rep[j]) ^
			    wsb_key[pos % 4]);
		}
		pw_segment(&c, 0, PW_ACK | PW_PSH, pkt, k);
	}
	hg_ws_close(&c, 1000, "", 0);
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
hg_escapes(struct pw *g)
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
	struct pw_conn c;
	size_t         n;
	int            len;

	hg_conn_init(&c, g, 0x0a000001u, 40000);
	pw_tcp_open(&c);
	len = snprintf(req, sizeof req,
	    "GET /chat\xff\xfe?q=\xc2\x9b" "31mred HTTP/1.1\r\n"
	    "Host: host\xc2\x9b" "2J\xc3\x28.example\r\n"
	    "User-Agent: agent\xe2\x80\xae-rtl\xff\r\n"
	    "Origin: http://origin\xc0\xaf\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "\r\n");
	hg_send(&c, 0, req, (size_t)len);
	len = snprintf(resp, sizeof resp,
	    "HTTP/1.1 101 Switching \xc2\x9b\xff\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nServer: srv\xc2\x9b" "2J\xfe\r\n"
	    "Sec-WebSocket-Accept: " HG_ACCEPT "\r\n\r\n");
	hg_send(&c, 1, resp, (size_t)len);
	n = wsb_frame(fr, 1, 0, 1, wsb_key, esc, sizeof esc - 1);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 2, wsb_key, bin, sizeof bin);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 1, wsb_key, bad, sizeof bad);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 1, NULL, esc, sizeof esc - 1);
	hg_send(&c, 1, fr, n);
	hg_ws_close(&c, 4000, reason, sizeof reason);

	hg_conn_init(&c, g, 0x0a000005u, 40005);
	pw_tcp_open(&c);
	len = snprintf(req, sizeof req,
	    "GET /chat%s?q=1 HTTP/1.1\r\nHost: host%s.example\r\n"
	    "User-Agent: agent%s\r\nOrigin: http://origin%s\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "\r\n", esc, esc, esc, esc);
	hg_send(&c, 0, req, (size_t)len);
	len = snprintf(resp, sizeof resp,
	    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: " HG_ACCEPT
	    "\r\n\r\n");
	hg_send(&c, 1, resp, (size_t)len);
	n = wsb_frame(fr, 1, 0, 1, wsb_key, esc, sizeof esc - 1);
	hg_send(&c, 0, fr, n);
	hg_ws_close(&c, 1000, "", 0);

	hg_conn_init(&c, g, 0x0a000009u, 40009);
	pw_tcp_open(&c);
	memcpy(big, "X-Long: ", 8);
	memset(big + 8, 'L', 65536);
	memcpy(big + 8 + 65536, "\033[2J\r\n", 6);
	len = snprintf(req, sizeof req, "GET /big HTTP/1.1\r\nHost: a");
	req[len++] = '\0';
	len += snprintf(req + len, sizeof req - (size_t)len, "b\r\n");
	hg_send(&c, 0, req, (size_t)len);
	hg_send(&c, 0, big, 8 + 65536 + 6);
	len = snprintf(req, sizeof req,
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "\r\n");
	hg_send(&c, 0, req, (size_t)len);
	len = snprintf(resp, sizeof resp, "HTTP/1.1 431 %s\r\n"
	    "Content-Length: 0\r\n\r\n", esc);
	hg_send(&c, 1, resp, (size_t)len);
	pw_tcp_close(&c);
	return 0;
}

/*
 * What hand-written JSON or HTML escaping gets wrong, in every place a
 * payload or a handshake value can reach an exported file.
 */
static int
hg_breakers(struct pw *g)
{
	static const char text[] = "\"quoted\" 'single' back\\slash \\\" \\u0041"
	    " </script><script>alert(1)</script> <!-- --> \xe2\x80\xa8\xe2\x80"
	    "\xa9 tab\tnl\ncr\r{\"json\":\"no\"";
	static const char json[] = "{\"a\":\"</script>\",\"b\":[1,2.5e3,"
	    "null],\"c\":\"\\u0000\\\"\"}";
	static const uint8_t nul[] = { 'n', 'u', 'l', 0, '"', '\\', 0, 'x' };
	static const uint8_t bad[] = { '"', 0xc3, 0x28, '\\', 0xff, 0xfe, 0xed,
	    0xa0, 0x80, '<', '/', 's', 'c', 'r', 'i', 'p', 't', '>' };
	static const char reason[] = "bye \"now\" \\ </script>";
	uint8_t        ctl[33], all[256], fr[WSB_HEAD_MAX + 512];
	char           req[1024], resp[512];
	struct pw_conn c;
	size_t         i, n;
	int            len;

	for (i = 0; i < 32; i++)
		ctl[i] = (uint8_t)(i + 1 < 32 ? i + 1 : 0x7f);
	ctl[32] = '"';
	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	hg_conn_init(&c, g, 0x0a000001u, 40000);
	pw_tcp_open(&c);
	len = snprintf(req, sizeof req,
	    "GET /p\"a\\th?q=\"</script>\" HTTP/1.1\r\n"
	    "Host: host\"\\.example\r\n"
	    "User-Agent: agent \"quoted\" \\ </script>\r\n"
	    "Origin: http://origin\"\\\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Protocol: \"p\\1\"\r\n\r\n");
	hg_send(&c, 0, req, (size_t)len);
	len = snprintf(resp, sizeof resp,
	    "HTTP/1.1 101 Switching \"Protocols\" \\\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nServer: srv \"</script>\" \\\r\n"
	    "Sec-WebSocket-Accept: " HG_ACCEPT "\r\n\r\n");
	hg_send(&c, 1, resp, (size_t)len);
	n = wsb_frame(fr, 1, 0, 1, wsb_key, text, sizeof text - 1);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 1, NULL, json, sizeof json - 1);
	hg_send(&c, 1, fr, n);
	n = wsb_frame(fr, 1, 0, 1, wsb_key, ctl, sizeof ctl);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 1, wsb_key, nul, sizeof nul);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 1, NULL, bad, sizeof bad);
	hg_send(&c, 1, fr, n);
	n = wsb_frame(fr, 1, 0, 2, wsb_key, all, sizeof all);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 9, wsb_key, "\"ping\\", 6);
	hg_send(&c, 0, fr, n);
	n = wsb_frame(fr, 1, 0, 10, NULL, "\"ping\\", 6);
	hg_send(&c, 1, fr, n);
	hg_ws_close(&c, 4000, reason, sizeof reason - 1);
	return 0;
}

/*
 * Payloads longer than the stored prefix, escapes all through: what a
 * preview shows of them must reach no terminal raw, to the last byte kept.
 */
static int
hg_long_escapes(struct pw *g, uint64_t n)
{
	static const char unit[] = "\033]0;pwned\007\033[2J\033[31m"
	    "\xc2\x9b\xe2\x80\xae";
	struct pw_conn c;
	uint8_t       *p, *fr;
	size_t         i, len;
	int            bin;

	if (n > 16 * 1024 * 1024)
		n = 16 * 1024 * 1024;
	n = (n + 31) / 32 * 32;
	p = malloc(n + 1);
	fr = malloc(WSB_HEAD_MAX + n);
	if (p == NULL || fr == NULL) {
		free(p);
		free(fr);
		return 1;
	}
	hg_conn_init(&c, g, 0x0a000001u, 40000);
	hg_ws_open(&c, 0);
	for (bin = 0; bin < 2; bin++) {
		for (i = 0; i < n; i += 32) {
			memset(p + i, '-', 32);
			if (i % 512 == 0) {
				memset(p + i, '.', 32);
				snprintf((char *)p + i, 33, "@%05zu@", i);
				p[i + 7] = '.';
				continue;
			}
			memcpy(p + i, unit, sizeof unit - 1);
			if (bin)
				memcpy(p + i + sizeof unit - 1, "\0\xff", 2);
		}
		len = wsb_frame(fr, 1, 0, bin ? 2 : 1, wsb_key, p, n);
		hg_send(&c, 0, fr, len);
	}
	hg_ws_close(&c, 1000, "", 0);
	free(p);
	free(fr);
	return 0;
}

/* Values longer than the analyzer keeps; the User-Agent starts "\x1b" as text. */
static int
hg_long_head(struct pw *g, uint64_t n)
{
	static const char text[] = "C:\\new\\x1b\nline2";
	struct pw_conn c;
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
	hg_conn_init(&c, g, 0x0a000001u, 40000);
	pw_tcp_open(&c);
	p = buf + sprintf(buf, "GET /");
	memset(p, 'p', (size_t)n - 1);
	p += n - 1;
	p += sprintf(p, " HTTP/1.1\r\nHost: h\r\nUser-Agent: \\x1b");
	memset(p, 'u', (size_t)n - 4);
	p += n - 4;
	p += sprintf(p, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " HG_KEY "\r\nSec-WebSocket-Version: 13\r\n\r\n");
	hg_send(&c, 0, buf, (size_t)(p - buf));
	p = buf + sprintf(buf, "HTTP/1.1 101 Switching Protocols\r\nServer: ");
	memset(p, 's', (size_t)n);
	p += n;
	p += sprintf(p, "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " HG_ACCEPT "\r\n\r\n");
	hg_send(&c, 1, buf, (size_t)(p - buf));
	k = wsb_frame(fr, 1, 0, 1, wsb_key, text, sizeof text - 1);
	hg_send(&c, 0, fr, k);
	hg_ws_close(&c, 1008, "", 0);
	free(buf);
	return 0;
}

/* A good conversation (4 frames, close handshake) and then the damage. */
static int
hg_corrupt(struct pw *g, const char *kind)
{
	static const char msg[] = "before the damage";
	uint8_t        fr[64], h[32];
	struct pw_conn c;
	size_t         n;
	int            i, ng;

	ng = strncmp(kind, "pcapng-", 7) == 0;
	if (!ng && strcmp(kind, "bad-magic") != 0 &&
	    strcmp(kind, "huge-record") != 0 && strcmp(kind, "truncated") != 0)
		hg_usage();
	if (ng && strcmp(kind + 7, "huge") != 0 &&
	    strcmp(kind + 7, "short") != 0 && strcmp(kind + 7, "mismatch") != 0 &&
	    strcmp(kind + 7, "dsb") != 0)
		hg_usage();
	if (strcmp(kind, "bad-magic") == 0) {
		/* A pcap header with one byte of its magic wrong. */
		memset(h, 0, 24);
		pw_putle32(h, 0xa1b2c3d5);
		h[4] = 2;
		h[6] = 4;
		pw_putle32(h + 16, HG_SNAPLEN);
		pw_putle32(h + 20, 1);
		fwrite(h, 1, 24, stdout);
		return 0;
	}
	hg_begin(g, ng ? PW_PCAPNG : PW_PCAP);
	if (strcmp(kind, "pcapng-dsb") == 0) {
		/* A TLS key log block announcing 2 GiB in a 32-byte block. */
		pw_putle32(h, 0x0000000a);
		pw_putle32(h + 4, 32);
		pw_putle32(h + 8, 0x544c534b);
		pw_putle32(h + 12, 0x7fffff00u);
		memcpy(h + 16, "CLIENT_RANDO", 12);
		pw_putle32(h + 28, 32);
		pw_raw(g, h, 32);
	}
	hg_conn_init(&c, g, 0x0a000001u, 40000);
	hg_ws_open(&c, 0);
	for (i = 0; i < 4; i++) {
		n = wsb_frame(fr, 1, 0, 1, wsb_key, msg, sizeof msg - 1);
		hg_send(&c, 0, fr, n);
	}
	hg_ws_close(&c, 1000, "done", 4);
	memset(h, 0, sizeof h);
	if (strcmp(kind, "huge-record") == 0) {
		pw_putle32(h, 1700000100);
		pw_putle32(h + 8, 0xffffffffu);
		pw_putle32(h + 12, 0xffffffffu);
		pw_raw(g, h, 16);
		pw_raw(g, "some bytes", 10);
	} else if (strcmp(kind, "truncated") == 0) {
		/* A record of 200 bytes of which 37 are in the file. */
		pw_putle32(h, 1700000100);
		pw_putle32(h + 8, 200);
		pw_putle32(h + 12, 200);
		pw_raw(g, h, 16);
		pw_raw(g, fr, 37 < sizeof fr ? 37 : sizeof fr);
	} else if (strcmp(kind, "pcapng-huge") == 0) {
		/* An enhanced packet block claiming 2 GiB. */
		pw_putle32(h, 6);
		pw_putle32(h + 4, 0x7ffffff0u);
		pw_raw(g, h, 28);
	} else if (strcmp(kind, "pcapng-short") == 0) {
		/* A block length below the 12-byte minimum. */
		pw_putle32(h, 6);
		pw_putle32(h + 4, 8);
		pw_raw(g, h, 28);
	} else if (strcmp(kind, "pcapng-mismatch") == 0) {
		/* Leading and trailing block lengths differ. */
		pw_putle32(h, 6);
		pw_putle32(h + 4, 36);
		pw_putle32(h + 20, 4);
		pw_putle32(h + 24, 4);
		memcpy(h + 28, "abcd", 4);
		pw_raw(g, h, 32);
		pw_putle32(h, 40);
		pw_raw(g, h, 4);
	}
	return 0;
}

/* A ClientHello, then records TLS does not allow. */
static int
hg_tls(struct pw *g, const char *kind, uint64_t size)
{
	static uint8_t buf[16384 + 5];
	/* A ClientHello record: TLS 1.2 framing, random 00..1f, no suites. */
	uint8_t        hello[5 + 4 + 2 + 32 + 1 + 2 + 1 + 1 + 2];
	struct pw_conn c;
	uint64_t       left;
	size_t         n, i;
	int            endless;

	if (strcmp(kind, "record-length") == 0)
		endless = 0;
	else if (strcmp(kind, "endless-hello") == 0)
		endless = 1;
	else
		hg_usage();
	memset(hello, 0, sizeof hello);
	hello[0] = 22;
	hello[1] = 3;
	hello[2] = 1;
	hello[4] = (uint8_t)(sizeof hello - 5);
	hello[5] = 1;
	hello[8] = (uint8_t)(sizeof hello - 9);
	if (endless)                  /* the message claims 2^24-1 bytes */
		hello[6] = hello[7] = hello[8] = 0xff;
	hello[9] = 3;
	hello[10] = 3;
	for (i = 0; i < 32; i++)
		hello[11 + i] = (uint8_t)i;
	hello[44] = 2;                /* one suite, one compression method */
	hello[46] = 0x2f;
	hello[47] = 1;
	hg_conn_init(&c, g, 0x0a000001u, 40000);
	pw_tcp_open(&c);
	hg_send(&c, 0, hello, sizeof hello);
	for (left = size; left > 0; left -= n) {
		n = left < sizeof buf - 5 ? (size_t)left : sizeof buf - 5;
		memset(buf, 0x41, sizeof buf);
		buf[0] = 22;
		buf[1] = 3;
		buf[2] = 3;
		buf[3] = endless ? (uint8_t)(n >> 8) : 0xff;
		buf[4] = endless ? (uint8_t)n : 0xff;
		hg_send(&c, 0, buf, n + 5);
	}
	pw_tcp_close(&c);
	return 0;
}

int
main(int argc, char **argv)
{
	struct pw g;
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
	hg_begin(&g, PW_PCAP);
	if (strcmp(argv[1], "syn-flood") == 0 && argc == 3)
		r = hg_syn_flood(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "ooo") == 0 && argc >= 3 && argc <= 5)
		r = hg_ooo(&g, hg_number(argv[2]),
		    argc > 3 ? hg_number(argv[3]) : HG_MSS,
		    argc > 4 ? hg_number(argv[4]) : 1);
	else if (strcmp(argv[1], "tiny") == 0 && argc == 3)
		r = hg_tiny(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "pings") == 0 && (argc == 3 || (argc == 4 &&
	    strcmp(argv[3], "text") == 0)))
		r = hg_pings(&g, hg_number(argv[2]), argc == 4 ? 1 : 9);
	else if (strcmp(argv[1], "huge-length") == 0 && argc == 2)
		r = hg_huge_length(&g);
	else if (strcmp(argv[1], "zeros") == 0 && argc >= 3 && argc <= 5)
		r = hg_zeros(&g, hg_number(argv[2]),
		    argc > 3 && hg_number(argv[3]) != 0,
		    argc > 4 && strcmp(argv[4], "server") == 0 ? PW_SERVER :
		    PW_CLIENT);
	else if (strcmp(argv[1], "cut-header") == 0 && argc == 3)
		r = hg_cut_header(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "bomb") == 0 && (argc == 3 || argc == 4))
		r = hg_bomb(&g, hg_number(argv[2]),
		    argc > 3 ? hg_number(argv[3]) : HG_MSS);
	else if (strcmp(argv[1], "long-head") == 0 && argc == 3)
		r = hg_long_head(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "escapes") == 0 && argc == 2)
		r = hg_escapes(&g);
	else if (strcmp(argv[1], "breakers") == 0 && argc == 2)
		r = hg_breakers(&g);
	else if (strcmp(argv[1], "long-escapes") == 0 && argc == 3)
		r = hg_long_escapes(&g, hg_number(argv[2]));
	else if (strcmp(argv[1], "subproto") == 0 && argc == 3)
		r = hg_subproto(&g, argv[2]);
	else if (strcmp(argv[1], "tls") == 0 && argc == 4)
		r = hg_tls(&g, argv[2], hg_number(argv[3]));
	else
		hg_usage();
out:
	if ((g.f != NULL && pw_end(&g) != 0) || fflush(stdout) != 0) {
		perror("hostile-gen: write");
		return 1;
	}
	return r;
}

/* One unfragmented message from side (the client's masked). */
static void
hg_message(struct pw_conn *c, int side, int opcode, const void *p, size_t n)
{
	uint8_t *fr = malloc(n + 14);
	size_t   len;

	if (fr == NULL)
		abort();
	len = wsb_frame(fr, 1, 0, opcode, side == 0 ? wsb_key : NULL, p, n);
	hg_send(c, side, fr, len);
	free(fr);
}

/* A message given as a C string literal (NULs included). */
#define HG_MSG(c, side, op, s) hg_message(c, side, op, s, sizeof(s) - 1)

/* subproto clean|broken: the connections, then their messages. */
static const struct {
	const char *target, *proto;   /* target NULL: /chat, no subprotocol */
} hg_sp_conns[] = {
	{ "/socket.io/?EIO=4&transport=websocket", NULL },
	{ "/stomp", "v12.stomp" },
	{ "/mqtt", "mqtt" },
	{ "/graphql", "graphql-transport-ws" },
	{ NULL, NULL },
};

#define HG_SP(s) s, sizeof(s) - 1
struct hg_sp_msg {
	size_t      conn;
	int         side, opcode;
	const char *clean;
	size_t      clean_n;
	const char *broken;
	size_t      broken_n;
};
static const struct hg_sp_msg hg_sp_msgs[] = {
	{ 0, 1, 1, HG_SP("0{\"sid\":\"s1234\"}"), HG_SP("0{\"upgrades\":[]}") },
	{ 0, 0, 1, HG_SP("2"), HG_SP("9") },
	{ 0, 0, 1, HG_SP("42/admin,[\"order:update\"]"),
	  HG_SP("47/admin,[\"order:update\"]") },
	{ 1, 0, 1, HG_SP("SEND\ndestination:/queue/a\n\nhello\0"),
	  HG_SP("SEND\ndestination:/queue/a\n\nhello!") },
	{ 2, 0, 2, HG_SP("\x32\x07\x00\x01" "a\x00\x01hi"),
	  HG_SP("\x36\x07\x00\x01" "a\x00\x01hi") },
	{ 3, 0, 1, HG_SP("{\"type\":\"subscribe\",\"id\":\"12\"}"),
	  HG_SP("{\"type\":\"subscribe!\",\"id\":\"1\"}") },
	{ 4, 1, 1, HG_SP("{\"jsonrpc\":\"2.0\",\"result\":1,\"id\":7123}"),
	  HG_SP("{\"jsonrpc\":\"2.0\",\"result\":1,\"error\":1}") },
};

/*
 * The same five connections for each KIND; clean and broken differ only in
 * the bytes of the payloads (same frames, same opcodes, valid UTF-8 in
 * every text message), so everything but the sub-protocol reads the same.
 */
static int
hg_subproto(struct pw *g, const char *kind)
{
	struct pw_conn c;
	uint8_t       *big;
	size_t         i, n;
	int            broken = strcmp(kind, "broken") == 0;

	if (!broken && strcmp(kind, "clean") != 0 &&
	    strcmp(kind, "hostile") != 0)
		hg_usage();
	if (strcmp(kind, "hostile") == 0) {
		n = 200000;
		big = malloc(n + 64);
		if (big == NULL)
			abort();
		/* Engine.IO: an escape-laden event name, then nesting. */
		hg_conn_init(&c, g, 0x0a000001u, 41000);
		hg_ws_open_proto(&c, 0, "/socket.io/?EIO=4&transport=websocket",
		    NULL);
		HG_MSG(&c, 0, 1, "42/\x1b]0;pwned\x07,99[\"\x1b[2J\xc2\x9b"
		    "31m\xe2\x80\xae\\\"x\",1]");
		memcpy(big, "42[", 3);
		for (i = 3; i < n; i++)
			big[i] = i % 2 ? '[' : '{';
		hg_message(&c, 0, 1, big, n);
		hg_message(&c, 1, 2, big, n);
		hg_ws_close(&c, 1000, "", 0);
		/* STOMP: 20000 headers, a destination full of escapes. */
		hg_conn_init(&c, g, 0x0a000002u, 41001);
		hg_ws_open_proto(&c, 0, "/stomp", "v12.stomp");
		memcpy(big, "SEND\n", 5);
		for (i = 5; i + 10 < n; i += 10)
			memcpy(big + i, "id:\x1b[31m;\n", 10);
		hg_message(&c, 0, 1, big, i);
		HG_MSG(&c, 0, 1, "SEND\ndestination:\x1b[2J\x1b]0;t\x07\n\n\0");
		hg_ws_close(&c, 1000, "", 0);
		/* MQTT: endless remaining lengths, a topic of escapes. */
		hg_conn_init(&c, g, 0x0a000003u, 41002);
		hg_ws_open_proto(&c, 0, "/mqtt", "mqtt");
		memset(big, 0xff, n);
		hg_message(&c, 0, 2, big, n);
		HG_MSG(&c, 0, 2, "\x30\x0d\x00\x09\x1b[2J\x1b]0;\x07" "ab");
		for (i = 0; i + 2 <= n; i += 2) {
			big[i] = 0xc0;
			big[i + 1] = 0;
		}
		hg_message(&c, 1, 2, big, n);
		/* A remaining length of 256 MiB, split over two messages:
		 * not followed, the PINGREQ after it is read afresh. */
		HG_MSG(&c, 0, 2, "\x30\xff\xff");
		HG_MSG(&c, 0, 2, "\xff\x7f\x00\x01" "a");
		HG_MSG(&c, 0, 2, "\xc0\x00");
		hg_ws_close(&c, 1000, "", 0);
		/* GraphQL and JSON-RPC: deep nesting, strings that never end. */
		hg_conn_init(&c, g, 0x0a000004u, 41003);
		hg_ws_open_proto(&c, 0, "/graphql", "graphql-transport-ws");
		memcpy(big, "{\"type\":\"subscribe\",\"payload\":", 30);
		for (i = 30; i < n; i++)
			big[i] = '{';
		hg_message(&c, 0, 1, big, n);
		memcpy(big, "{\"jsonrpc\":\"2.0\",\"method\":\"", 27);
		for (i = 27; i < n; i++)
			big[i] = i % 3 ? '\\' : '"';
		hg_message(&c, 1, 1, big, n);
		hg_ws_close(&c, 1000, "", 0);
		free(big);
		return 0;
	}
	for (i = 0; i < sizeof hg_sp_conns / sizeof hg_sp_conns[0]; i++) {
		hg_conn_init(&c, g, 0x0a000001u + (uint32_t)i,
		    (uint16_t)(41000 + i));
		if (hg_sp_conns[i].target != NULL)
			hg_ws_open_proto(&c, 0, hg_sp_conns[i].target,
			    hg_sp_conns[i].proto);
		else
			hg_ws_open(&c, 0);
		for (n = 0; n < sizeof hg_sp_msgs / sizeof hg_sp_msgs[0]; n++) {
			const struct hg_sp_msg *m = &hg_sp_msgs[n];

			if (m->conn != i)
				continue;
			if (broken)
				hg_message(&c, m->side, m->opcode, m->broken,
				    m->broken_n);
			else
				hg_message(&c, m->side, m->opcode, m->clean,
				    m->clean_n);
		}
		hg_ws_close(&c, 1000, "", 0);
	}
	return 0;
}
