/*
 * make-capture: writes a synthetic WebSocket capture of about SIZE bytes
 * for the benchmark and for tests that need exact counts.
 *
 * The file is a classic pcap (Ethernet, IPv4) as seen from a tap next to
 * the servers. Every connection is a whole TCP conversation: three-way
 * handshake, HTTP/1.1 Upgrade with a correct Sec-WebSocket-Accept, RFC 6455
 * frames (client frames masked), RFC 7692 permessage-deflate with context
 * takeover on some connections, a close frame each way and FIN/ACK both
 * ways. Many connections are open at once and their packets interleave.
 *
 * The same seed and size give the same bytes: all randomness comes from one
 * splitmix64 stream consumed in a fixed order, and the file's byte order
 * does not depend on the host. Memory stays flat whatever the size: at most
 * MC_MAXCONNS connections are open, each with bounded buffers.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "pcap-writer.h"
#include "wsautopsy.h"
#include "ws-build.h"

#define MC_MSS		1448		/* TCP payload per segment */
#define MC_MAXCONNS	200		/* connections open at once, at most */
#define MC_LIMIT	65536		/* the servers' message size limit */
#define MC_MAXMSG	(96 * 1024)	/* largest message: the over-limit ones */
#define MC_ZBUF		(2 * MC_MAXMSG + 4096)
#define MC_OBUF		(8 << 20)	/* output buffer */
#define MC_QMAX		(1 << 20)	/* a burst never queues more than this */
#define MC_NREACT	8
#define MC_EPOCH	1704067200	/* 2024-01-01T00:00:00Z */

#define NS_US		1000LL
#define NS_MS		1000000LL
#define NS_S		1000000000LL

/* WebSocket opcodes. */
#define WS_CONT		0x0
#define WS_TEXT		0x1
#define WS_BINARY	0x2
#define WS_CLOSE	0x8
#define WS_PING		0x9
#define WS_PONG		0xa

enum { C2S = 0, S2C = 1 };

enum mc_phase {
	P_SYN,
	P_SYNACK,
	P_ACK,
	P_REQUEST,
	P_OPEN,
	P_FIN1,		/* server FIN */
	P_FIN2,		/* client FIN, acking the server's */
	P_FIN3		/* server ACK of the client's FIN */
};

/* Something one side does because of what the other side just sent. */
enum mc_react_kind {
	R_101,		/* server: handshake response */
	R_PONG,		/* answer a ping */
	R_REPLY,	/* server: answer a client message */
	R_CLOSE_ECHO,	/* answer a close frame with the same code */
	R_CLOSE_1009	/* server: the client's message was over the limit */
};

struct mc_react {
	enum mc_react_kind kind;
	int		 d;		/* the side that reacts */
	uint16_t	 code;
	uint8_t		 len;
	uint8_t		 data[16];
};

/* Bytes a side has produced and not yet put into segments. */
struct mc_q {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 off;
	size_t		 len;
};

struct mc_conn {
	uint64_t	 id;
	int64_t		 t;		/* time of the next step, ns */
	enum mc_phase	 phase;

	uint32_t	 cip, sip;
	uint16_t	 cport, sport;
	uint8_t		 server;
	uint32_t	 seq[2];	/* next sequence number per side */
	uint16_t	 ipid[2];
	uint32_t	 tsoff[2];
	uint32_t	 lastts[2];
	int64_t		 rtt;

	struct mc_q	 q[2];
	int		 cur;		/* the side whose queue is draining */
	int		 unacked;	/* segments of cur not yet acked */
	int		 ack_due;
	struct mc_react	 react[MC_NREACT];
	int		 nreact;

	char		 key[32];	/* Sec-WebSocket-Key, until the 101 */
	int		 deflate;
	z_stream	*z[2];
	int		 long_lived;
	int		 oversize;	/* ends with an over-limit message */
	uint32_t	 actions_left;
	uint32_t	 msgseq;
	int		 closing;
	uint16_t	 close_code[2];	/* 0 while that side has sent none */

	uint64_t	 frames[2];
	uint64_t	 msgs[2];
	uint64_t	 compressed[2];
};

struct mc_stats {
	uint64_t	 conns;
	uint64_t	 packets;
	uint64_t	 frames;
	uint64_t	 msgs;
	uint64_t	 compressed;
	uint64_t	 fragmented;
	uint64_t	 pings;
	uint64_t	 closes[16];	/* by code - 1000 */
	uint64_t	 tcp_bytes;	/* TCP payload */
	uint64_t	 ws_bytes;	/* WebSocket payload, as sent */
	uint64_t	 msg_bytes;	/* data messages, before compression */
};

static uint64_t		 mc_rng;
static uint32_t		 mc_salt;
static FILE		*mc_file;
static struct pw	 mc_pw;
static FILE		*mc_truth;
static char		*mc_obuf;
static int		 mc_nsec;
static unsigned		 mc_deflate_pct = 30;	/* -z */
static int64_t		 mc_last;
static struct mc_stats	 mc_st;
static uint8_t		*mc_msg;	/* one message's plain payload */
static uint8_t		*mc_zbuf;	/* the same, compressed */

static const char *const mc_words[] = {
	"alpha", "bravo", "order", "quote", "price", "fill", "cancel", "book",
	"level", "depth", "snapshot", "delta", "user", "room", "joined", "left",
	"typing", "status", "online", "away", "ok", "retry", "cursor", "page",
	"caf\xc3\xa9", "na\xc3\xafve", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
	"\xe2\x82\xac" "10", "Gr\xc3\xbc\xc3\x9f" "e", "\xf0\x9f\x99\x82"
};
static const char *const mc_types[] = {
	"tick", "quote", "order", "ack", "presence", "chat", "sub", "state"
};
static const char *const mc_paths[] = {
	"/ws", "/socket", "/feed/v2", "/live?room=lobby", "/api/stream"
};
static const char *const mc_hosts[] = {
	"ws.example.test", "live.example.test", "feed.example.test",
	"chat.example.test"
};
static const uint16_t mc_ports[] = { 80, 443, 8080, 9000 };

static uint64_t	 mc_rand(void);
static uint32_t	 mc_range(uint32_t, uint32_t);
static int	 mc_chance(unsigned);
static int64_t	 mc_us(uint32_t, uint32_t);
static int64_t	 mc_packet(struct mc_conn *, int, uint8_t, const uint8_t *,
		     size_t);
static uint8_t	*mc_q_put(struct mc_q *, size_t);
static void	 mc_react_add(struct mc_conn *, enum mc_react_kind, int,
		     uint16_t, const uint8_t *, size_t);
static void	 mc_frame(struct mc_conn *, int, int, int, int,
		     const uint8_t *, size_t);
static void	 mc_message(struct mc_conn *, int, int, size_t, int, int);
static size_t	 mc_split(size_t, int);
static size_t	 mc_compress(struct mc_conn *, int, const uint8_t *, size_t);
static void	 mc_close(struct mc_conn *, int, uint16_t, const char *);
static void	 mc_ping(struct mc_conn *, int);
static size_t	 mc_json(struct mc_conn *, uint8_t *, size_t);
static void	 mc_binary(uint8_t *, size_t);
static void	 mc_accept(const char *, char *, size_t);
static void	 mc_request(struct mc_conn *);
static void	 mc_response(struct mc_conn *);
static void	 mc_react_run(struct mc_conn *);
static void	 mc_action(struct mc_conn *);
static void	 mc_text(struct mc_conn *, int, int);
static void	 mc_bin(struct mc_conn *, int, uint32_t, uint32_t, unsigned);
static void	 mc_noise(struct mc_conn *, int, uint32_t, uint32_t);
static void	 mc_close_start(struct mc_conn *);
static int64_t	 mc_next_delay(struct mc_conn *);
static int64_t	 mc_send(struct mc_conn *);
static int64_t	 mc_step(struct mc_conn *);
static void	 mc_conn_init(struct mc_conn *, uint64_t, int64_t);
static void	 mc_conn_end(struct mc_conn *);
static void	 mc_heap_down(struct mc_conn **, size_t, size_t);
static void	 mc_summary(uint64_t);
static void	 mc_usage(void) __attribute__((noreturn));

/* splitmix64: one 64-bit state, fast, and good enough for test traffic. */
static uint64_t
mc_rand(void)
{
	uint64_t z;

	z = (mc_rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint32_t
mc_range(uint32_t lo, uint32_t hi)
{
	uint64_t span = (uint64_t)hi - lo + 1;

	return lo + (uint32_t)(((mc_rand() >> 32) * span) >> 32);
}

static int
mc_chance(unsigned pct)
{
	return mc_range(0, 99) < pct;
}

/* A delay of lo-hi microseconds, with nanosecond resolution. */
static int64_t
mc_us(uint32_t lo, uint32_t hi)
{
	return (int64_t)mc_range(lo, hi) * NS_US + mc_range(0, 999);
}

/*
 * Writes one segment from side d and returns its timestamp. Timestamps
 * strictly increase across the file, so a step scheduled at the same
 * instant as another is pushed one microsecond later.
 */
static int64_t
mc_packet(struct mc_conn *c, int d, uint8_t flags, const uint8_t *pl,
    size_t n)
{
	static const uint8_t router[6] = { 2, 0, 0, 0, 0, 1 };
	static uint8_t	 pkt[PW_HDR_LEN + PW_OPT_MAX + MC_MSS];
	uint8_t		 server[6] = { 2, 0, 0, 0, 1, c->server }, opt[20];
	struct pw_tcp	 s;
	size_t		 len;
	int64_t		 t = c->t;
	uint32_t	 ts;

	if (t < mc_last + NS_US)
		t = mc_last + NS_US;
	mc_last = t;
	c->t = t;

	memset(&s, 0, sizeof s);
	/* Clients come through the router 02:00:00:00:00:01. */
	memcpy(d == C2S ? s.mac_src : s.mac_dst, router, 6);
	memcpy(d == C2S ? s.mac_dst : s.mac_src, server, 6);
	s.ip_src = d == C2S ? c->cip : c->sip;
	s.ip_dst = d == C2S ? c->sip : c->cip;
	s.ip_id = c->ipid[d]++;
	s.ttl = d == C2S ? 52 : 64;
	s.sport = d == C2S ? c->cport : c->sport;
	s.dport = d == C2S ? c->sport : c->cport;
	s.seq = c->seq[d];
	s.ack = c->seq[!d];
	s.flags = flags;
	ts = (uint32_t)(t / NS_MS) + c->tsoff[d];
	if (flags & PW_SYN) {
		s.window = d == C2S ? 64240 : 65160;
		memcpy(opt, "\x02\x04\x05\xb4\x04\x02\x08\x0a", 8);
		pw_put32(opt + 8, ts);
		pw_put32(opt + 12, d == C2S ? 0 : c->lastts[C2S]);
		memcpy(opt + 16, "\x01\x03\x03\x07", 4);
		s.optlen = 20;
	} else {
		s.window = d == C2S ? 502 : 501;	/* scale 7 */
		memcpy(opt, "\x01\x01\x08\x0a", 4);
		pw_put32(opt + 4, ts);
		pw_put32(opt + 8, c->lastts[!d]);
		s.optlen = 12;
	}
	s.opt = opt;
	c->lastts[d] = ts;
	len = pw_tcp_packet(pkt, &s, pl, n);
	pw_record(&mc_pw, t, pkt, len, len);

	c->seq[d] += (uint32_t)n + ((flags & (PW_SYN | PW_FIN)) ? 1 : 0);
	mc_st.packets++;
	mc_st.tcp_bytes += n;
	return t;
}

/* Room for n more bytes at the end of q; the burst bound keeps q small. */
static uint8_t *
mc_q_put(struct mc_q *q, size_t n)
{
	uint8_t *p;

	if (q->off == q->len)
		q->off = q->len = 0;
	if (q->len + n > MC_QMAX) {
		wsa_warn("internal error: burst over %d bytes", MC_QMAX);
		exit(EXIT_INPUT);
	}
	if (q->len + n > q->cap) {
		q->cap = q->len + n + 16384;
		q->buf = xrealloc(q->buf, q->cap);
	}
	p = q->buf + q->len;
	q->len += n;
	return p;
}

static void
mc_react_add(struct mc_conn *c, enum mc_react_kind kind, int d, uint16_t code,
    const uint8_t *data, size_t len)
{
	struct mc_react *r;

	if (c->nreact == MC_NREACT) {
		wsa_warn("internal error: too many pending reactions");
		exit(EXIT_INPUT);
	}
	r = &c->react[c->nreact++];
	r->kind = kind;
	r->d = d;
	r->code = code;
	r->len = (uint8_t)(len > sizeof r->data ? sizeof r->data : len);
	if (r->len != 0)
		memcpy(r->data, data, r->len);
}

/* One frame from side d; client frames are masked with a fresh key. */
static void
mc_frame(struct mc_conn *c, int d, int fin, int rsv1, int op,
    const uint8_t *pl, size_t n)
{
	uint8_t	 h[WSB_HEAD_MAX], key[4], *p;
	size_t	 hlen;
	uint64_t r;

	if (d == C2S) {
		r = mc_rand();
		memcpy(key, &r, 4);
	}
	hlen = wsb_head(h, fin, rsv1 ? 4 : 0, op, d == C2S ? key : NULL,
	    WSB_LEN_AUTO, n);
	p = mc_q_put(&c->q[d], hlen + n);
	memcpy(p, h, hlen);
	if (d == C2S)
		wsb_mask(p + hlen, pl, n, key, 0);
	else if (n != 0)
		memcpy(p + hlen, pl, n);
	c->frames[d]++;
	mc_st.frames++;
	mc_st.ws_bytes += n;
}

/*
 * RFC 7692 7.2.1: raw deflate, Z_SYNC_FLUSH, the trailing 00 00 ff ff
 * removed. The stream is kept across messages (context takeover).
 */
static size_t
mc_compress(struct mc_conn *c, int d, const uint8_t *in, size_t n)
{
	size_t	out;

	if (c->z[d] == NULL) {
		c->z[d] = xcalloc(1, sizeof *c->z[d]);
		if (deflateInit2(c->z[d], 1, Z_DEFLATED, -15, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK) {
			wsa_warn("deflateInit2 failed");
			exit(EXIT_INPUT);
		}
	}
	out = wsb_deflate(c->z[d], in, n, mc_zbuf, MC_ZBUF);
	if (out == SIZE_MAX) {
		wsa_warn("deflate failed");
		exit(EXIT_INPUT);
	}
	return out;
}

/*
 * One data message of n bytes from side d, already in mc_msg; nfrag > 1
 * splits it, and ping puts a ping after the first fragment.
 */
static void
mc_message(struct mc_conn *c, int d, int op, size_t n, int nfrag, int ping)
{
	const uint8_t	*pl = mc_msg;
	size_t		 left, part;
	int		 i, rsv1 = 0;

	mc_st.msg_bytes += n;
	if (c->deflate && mc_chance(90)) {
		n = mc_compress(c, d, mc_msg, n);
		pl = mc_zbuf;
		rsv1 = 1;
		c->compressed[d]++;
		mc_st.compressed++;
	}
	if ((size_t)nfrag > n)
		nfrag = n == 0 ? 1 : (int)n;
	if (nfrag > 1)
		mc_st.fragmented++;
	left = n;
	for (i = 0; i < nfrag; i++) {
		if (i == nfrag - 1)
			part = left;
		else
			part = mc_split(left, nfrag - i);
		mc_frame(c, d, i == nfrag - 1, i == 0 && rsv1,
		    i == 0 ? op : WS_CONT, pl, part);
		pl += part;
		left -= part;
		if (i == 0 && nfrag > 1 && ping)
			mc_ping(c, d);
	}
	c->msgs[d]++;
	mc_st.msgs++;
}

/*
 * The size of the next of nparts fragments of left bytes: at least one
 * byte, at most twice an even share, and one byte left for each other part.
 */
static size_t
mc_split(size_t left, int nparts)
{
	size_t most = left - (size_t)(nparts - 1);
	size_t share = 2 * (left / (size_t)nparts);

	if (share != 0 && share < most)
		most = share;
	return mc_range(1, (uint32_t)most);
}

/* A ping from d with a short payload; the peer answers with a pong. */
static void
mc_ping(struct mc_conn *c, int d)
{
	uint8_t	 data[8];
	uint64_t r = mc_rand();

	pw_put32(data, (uint32_t)(r >> 32));
	pw_put32(data + 4, (uint32_t)r);
	mc_frame(c, d, 1, 0, WS_PING, data, sizeof data);
	mc_react_add(c, R_PONG, !d, 0, data, sizeof data);
	mc_st.pings++;
}

static void
mc_close(struct mc_conn *c, int d, uint16_t code, const char *reason)
{
	uint8_t	pl[2 + 64];
	size_t	n = strlen(reason);

	if (n > 64)
		n = 64;
	mc_frame(c, d, 1, 0, WS_CLOSE, pl, wsb_close_payload(pl, code, reason,
	    n));
	c->close_code[d] = code;
	if (code >= 1000 && code < 1016)
		mc_st.closes[code - 1000]++;
}

/* A JSON text message of 50-500 bytes into buf; valid UTF-8. */
static size_t
mc_json(struct mc_conn *c, uint8_t *buf, size_t cap)
{
	char	 *p = (char *)buf;
	size_t	  want, len, wl;
	const char *w;
	int	  hl;

	want = mc_range(50, 500);
	if (want > cap)
		want = cap;
	hl = snprintf(p, want, "{\"t\":\"%s\",\"s\":%" PRIu32 ",\"d\":\"",
	    mc_types[mc_range(0, 7)], c->msgseq++);
	if (hl < 0 || (size_t)hl + 2 >= want)
		hl = snprintf(p, want, "{\"d\":\"");
	len = (size_t)hl;
	while (len + 2 < want) {
		w = mc_words[mc_range(0, sizeof mc_words / sizeof mc_words[0] - 1)];
		wl = strlen(w);
		if (len + 1 + wl + 2 > want) {
			p[len++] = 'x';
			continue;
		}
		if (len != (size_t)hl)
			p[len++] = ' ';
		memcpy(p + len, w, wl);
		len += wl;
	}
	p[len++] = '"';
	p[len++] = '}';
	return len;
}

/* Binary records: some structure, so that deflate has work to do. */
static void
mc_binary(uint8_t *buf, size_t n)
{
	uint64_t r;
	uint32_t base = (uint32_t)mc_rand(), i = 0;
	uint8_t	 rec[8];

	while (n >= 8) {
		r = mc_rand();
		pw_put16(rec, (uint16_t)(r & 0x0f));
		pw_put16(rec + 2, (uint16_t)i++);
		pw_put32(rec + 4, base + (uint32_t)((r >> 8) & 0x3ff));
		memcpy(buf, rec, 8);
		buf += 8;
		n -= 8;
	}
	while (n-- > 0)
		*buf++ = (uint8_t)mc_rand();
}

/* RFC 6455 4.2.2: base64(SHA-1(key + GUID)). */
static void
mc_accept(const char *key, char *out, size_t len)
{
	char		 in[128];
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	int		 n;

	n = snprintf(in, sizeof in, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11",
	    key);
	if (n < 0 || (size_t)n >= sizeof in || len < 29 ||
	    !EVP_Digest(in, (size_t)n, md, &mdlen, EVP_sha1(), NULL)) {
		wsa_warn("SHA-1 failed");
		exit(EXIT_INPUT);
	}
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

static void
mc_request(struct mc_conn *c)
{
	char		 req[512];
	const char	*path;
	unsigned char	 raw[16];
	uint64_t	 r;
	uint32_t	 major, minor;
	int		 n, offer;

	r = mc_rand();
	memcpy(raw, &r, 8);
	r = mc_rand();
	memcpy(raw + 8, &r, 8);
	EVP_EncodeBlock((unsigned char *)c->key, raw, 16);
	offer = c->deflate || mc_chance(30);
	path = mc_paths[mc_range(0, 4)];
	major = mc_range(1, 4);
	minor = mc_range(0, 9);
	n = snprintf(req, sizeof req,
	    "GET %s HTTP/1.1\r\n"
	    "Host: %s:%u\r\n"
	    "User-Agent: loadgen/%u.%u\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "%s"
	    "Origin: http://app.example.test\r\n"
	    "\r\n",
	    path, mc_hosts[c->server], c->sport, major, minor, c->key,
	    offer ? "Sec-WebSocket-Extensions: permessage-deflate; "
	    "client_max_window_bits\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof req) {
		wsa_warn("internal error: request too long");
		exit(EXIT_INPUT);
	}
	memcpy(mc_q_put(&c->q[C2S], (size_t)n), req, (size_t)n);
	mc_react_add(c, R_101, S2C, 0, NULL, 0);
}

static void
mc_response(struct mc_conn *c)
{
	char	resp[512], accept[32];
	int	n;

	mc_accept(c->key, accept, sizeof accept);
	n = snprintf(resp, sizeof resp,
	    "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n"
	    "%s"
	    "\r\n",
	    accept, c->deflate ? "Sec-WebSocket-Extensions: "
	    "permessage-deflate\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof resp) {
		wsa_warn("internal error: response too long");
		exit(EXIT_INPUT);
	}
	memcpy(mc_q_put(&c->q[S2C], (size_t)n), resp, (size_t)n);
	/* Some servers greet at once: the first frame shares the 101's segment. */
	if (mc_chance(25))
		mc_message(c, S2C, WS_TEXT, mc_json(c, mc_msg, MC_MAXMSG), 1, 0);
}

static void
mc_react_run(struct mc_conn *c)
{
	struct mc_react	r = c->react[0];
	int		d = r.d;

	c->nreact--;
	memmove(c->react, c->react + 1, c->nreact * sizeof c->react[0]);
	c->cur = d;
	switch (r.kind) {
	case R_101:
		mc_response(c);
		break;
	case R_PONG:
		mc_frame(c, d, 1, 0, WS_PONG, r.data, r.len);
		break;
	case R_REPLY:
		mc_message(c, d, WS_TEXT, mc_json(c, mc_msg, MC_MAXMSG), 1, 0);
		break;
	case R_CLOSE_ECHO:
		mc_close(c, d, r.code, "");
		break;
	case R_CLOSE_1009:
		mc_close(c, d, 1009, mc_chance(50) ? "message too big" : "");
		mc_react_add(c, R_CLOSE_ECHO, !d, 1009, NULL, 0);
		break;
	}
}

/* The next thing the application does on an open, idle connection. */
static void
mc_action(struct mc_conn *c)
{
	uint32_t	pick;
	int		i, batch;

	if (c->actions_left == 0) {
		mc_close_start(c);
		return;
	}
	c->actions_left--;
	pick = mc_range(0, 99);
	if (pick < 33) {
		/* Server pushes; a batch shares segments. */
		c->cur = S2C;
		batch = mc_chance(30) ? (int)mc_range(2, 5) : 1;
		for (i = 0; i < batch; i++)
			mc_text(c, S2C, 0);
	} else if (pick < 53) {
		c->cur = C2S;
		mc_text(c, C2S, 0);
		if (mc_chance(70))
			mc_react_add(c, R_REPLY, S2C, 0, NULL, 0);
	} else if (pick < 73) {
		c->cur = S2C;
		mc_bin(c, S2C, 4096, MC_LIMIT, 15);
	} else if (pick < 81) {
		c->cur = C2S;
		mc_bin(c, C2S, 4096, MC_LIMIT, 15);
	} else if (pick < 88) {
		c->cur = S2C;
		mc_ping(c, S2C);
	} else if (pick < 93) {
		c->cur = C2S;
		mc_ping(c, C2S);
	} else {
		c->cur = C2S;
		mc_text(c, C2S, 1);
	}
}

/* A JSON text message from d; fragmented (2-3 parts, maybe a ping) if frag. */
static void
mc_text(struct mc_conn *c, int d, int frag)
{
	size_t	n = mc_json(c, mc_msg, MC_MAXMSG);
	int	nfrag = 1, ping = 0;

	if (frag) {
		nfrag = (int)mc_range(2, 3);
		ping = mc_chance(40);
	}
	mc_message(c, d, WS_TEXT, n, nfrag, ping);
}

/* A binary message of lo-hi bytes from d; fragpct % are fragmented. */
static void
mc_bin(struct mc_conn *c, int d, uint32_t lo, uint32_t hi, unsigned fragpct)
{
	size_t	n = mc_range(lo, hi);
	int	nfrag = 1, ping = 0;

	mc_binary(mc_msg, n);
	if (mc_chance(fragpct)) {
		nfrag = (int)mc_range(2, 4);
		ping = mc_chance(30);
	}
	mc_message(c, d, WS_BINARY, n, nfrag, ping);
}

/*
 * Random bytes just over the limit: compressed, they are larger on the
 * wire than inflated, as an upload of already compressed data is.
 */
static void
mc_noise(struct mc_conn *c, int d, uint32_t lo, uint32_t hi)
{
	size_t n = mc_range(lo, hi), i;

	for (i = 0; i < n; i++)
		mc_msg[i] = (uint8_t)mc_rand();
	mc_message(c, d, WS_BINARY, n, 1, 0);
}

static void
mc_close_start(struct mc_conn *c)
{
	uint16_t	 code;
	const char	*reason;

	c->closing = 1;
	if (c->oversize) {
		/* The server's limit is MC_LIMIT bytes, after inflate. */
		c->cur = C2S;
		if (c->deflate && mc_chance(30))
			mc_noise(c, C2S, MC_LIMIT + 1, MC_LIMIT + 128);
		else
			mc_bin(c, C2S, MC_LIMIT + 1, MC_MAXMSG, 25);
		mc_react_add(c, R_CLOSE_1009, S2C, 0, NULL, 0);
	} else if (mc_chance(60)) {
		c->cur = C2S;
		code = mc_chance(85) ? 1000 : 1001;
		reason = mc_chance(50) ? "" : "bye";
		mc_close(c, C2S, code, reason);
		mc_react_add(c, R_CLOSE_ECHO, S2C, code, NULL, 0);
	} else {
		c->cur = S2C;
		code = mc_chance(70) ? 1001 : 1000;
		reason = mc_chance(50) ? "going away" : "";
		mc_close(c, S2C, code, reason);
		mc_react_add(c, R_CLOSE_ECHO, C2S, code, NULL, 0);
	}
}

/* How long until the connection's next step, given what it will be. */
static int64_t
mc_next_delay(struct mc_conn *c)
{
	int d;

	if (c->ack_due)
		return mc_us(20, 200);
	if (c->q[c->cur].off < c->q[c->cur].len)
		return mc_us(12, 60);
	if (c->nreact != 0) {
		d = c->react[0].d;
		if (d == S2C)
			return mc_us(40, 600);
		return c->rtt + mc_us(100, 2000);
	}
	if (c->closing)
		return mc_us(20, 300);
	if (c->long_lived)
		return mc_us(1000, 800000);
	return mc_us(500, 100000);
}

/* The next segment of the draining queue, or the ACK that is due. */
static int64_t
mc_send(struct mc_conn *c)
{
	struct mc_q	*q = &c->q[c->cur];
	size_t		 n = q->len - q->off;
	uint8_t		 flags = PW_ACK;

	if (n > MC_MSS)
		n = MC_MSS;
	if (q->off + n == q->len)
		flags |= PW_PSH;
	mc_packet(c, c->cur, flags, q->buf + q->off, n);
	q->off += n;
	if (q->off == q->len) {
		q->off = q->len = 0;
		c->unacked = 0;
		/* The peer's answer carries the ACK; otherwise ACK alone. */
		c->ack_due = c->nreact == 0 || c->react[0].d == c->cur;
	} else if (++c->unacked == 2) {
		c->unacked = 0;
		c->ack_due = 1;
	}
	return mc_next_delay(c);
}

/* One step of a connection: at most one packet. -1 when it is over. */
static int64_t
mc_step(struct mc_conn *c)
{
	switch (c->phase) {
	case P_SYN:
		mc_packet(c, C2S, PW_SYN, NULL, 0);
		c->phase = P_SYNACK;
		return mc_us(30, 200);
	case P_SYNACK:
		mc_packet(c, S2C, PW_SYN | PW_ACK, NULL, 0);
		c->phase = P_ACK;
		return c->rtt;
	case P_ACK:
		mc_packet(c, C2S, PW_ACK, NULL, 0);
		c->phase = P_REQUEST;
		return mc_us(50, 500);
	case P_REQUEST:
		c->cur = C2S;
		mc_request(c);
		c->phase = P_OPEN;
		return mc_send(c);
	case P_OPEN:
		break;
	case P_FIN1:
		mc_packet(c, S2C, PW_FIN | PW_ACK, NULL, 0);
		c->phase = P_FIN2;
		return c->rtt;
	case P_FIN2:
		mc_packet(c, C2S, PW_FIN | PW_ACK, NULL, 0);
		c->phase = P_FIN3;
		return mc_us(30, 200);
	case P_FIN3:
		mc_packet(c, S2C, PW_ACK, NULL, 0);
		return -1;
	}

	if (c->ack_due) {
		mc_packet(c, !c->cur, PW_ACK, NULL, 0);
		c->ack_due = 0;
		return mc_next_delay(c);
	}
	if (c->q[c->cur].off < c->q[c->cur].len)
		return mc_send(c);
	if (c->nreact != 0) {
		mc_react_run(c);
		return mc_send(c);
	}
	if (c->close_code[C2S] != 0 && c->close_code[S2C] != 0) {
		/* RFC 6455 7.1.1: the server closes the TCP connection first. */
		c->phase = P_FIN1;
		return mc_step(c);
	}
	mc_action(c);
	return mc_send(c);
}

static void
mc_conn_init(struct mc_conn *c, uint64_t id, int64_t t)
{
	uint32_t a = (uint32_t)(id & 0xffff), p = (uint32_t)(id >> 16);
	int	 d;

	for (d = 0; d < 2; d++) {
		c->q[d].off = c->q[d].len = 0;
		c->z[d] = NULL;
		c->frames[d] = c->msgs[d] = c->compressed[d] = 0;
		c->close_code[d] = 0;
		c->seq[d] = (uint32_t)mc_rand();
		c->ipid[d] = (uint16_t)mc_rand();
		c->tsoff[d] = (uint32_t)mc_rand();
		c->lastts[d] = 0;
	}
	c->id = id;
	c->t = t;
	c->phase = P_SYN;
	/*
	 * Distinct 4-tuples for the whole file: the low 16 bits of the id
	 * pick the address (a bijection), the rest moves the port.
	 */
	c->cip = 0x0a800000 | ((a * 40503u + mc_salt) & 0xffff);
	c->cport = (uint16_t)(32768 + (a * 7u + p * 7919u + mc_salt) % 28232);
	c->server = (uint8_t)mc_range(0, 3);
	c->sip = 0x0a00000a + c->server;
	c->sport = mc_ports[mc_range(0, 3)];
	c->rtt = mc_us(300, 60000);
	c->cur = C2S;
	c->unacked = 0;
	c->ack_due = 0;
	c->nreact = 0;
	c->deflate = mc_chance(mc_deflate_pct);
	c->long_lived = mc_chance(20);
	c->oversize = mc_chance(6);
	c->actions_left = c->long_lived ? mc_range(50, 1500) : mc_range(1, 12);
	c->msgseq = 0;
	c->closing = 0;
	mc_st.conns++;
}

static void
mc_conn_end(struct mc_conn *c)
{
	char	ca[16], sa[16];
	int	d;

	if (mc_truth != NULL) {
		snprintf(ca, sizeof ca, "%u.%u.%u.%u", c->cip >> 24,
		    (c->cip >> 16) & 0xff, (c->cip >> 8) & 0xff, c->cip & 0xff);
		snprintf(sa, sizeof sa, "%u.%u.%u.%u", c->sip >> 24,
		    (c->sip >> 16) & 0xff, (c->sip >> 8) & 0xff, c->sip & 0xff);
		fprintf(mc_truth, "%" PRIu64 "\t%s:%u\t%s:%u\t%d\t%" PRIu64 "\t%"
		    PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
		    "\t%u\t%u\n", c->id, ca, c->cport, sa, c->sport, c->deflate,
		    c->frames[C2S], c->frames[S2C], c->msgs[C2S], c->msgs[S2C],
		    c->compressed[C2S], c->compressed[S2C],
		    c->close_code[C2S], c->close_code[S2C]);
	}
	for (d = 0; d < 2; d++) {
		if (c->z[d] != NULL) {
			deflateEnd(c->z[d]);
			free(c->z[d]);
			c->z[d] = NULL;
		}
	}
}

/* A min-heap of connections on (time, id): a fixed order, so determinism. */
static void
mc_heap_down(struct mc_conn **h, size_t n, size_t i)
{
	struct mc_conn	*tmp;
	size_t		 l, m;

	for (;;) {
		l = 2 * i + 1;
		if (l >= n)
			return;
		m = l;
		if (l + 1 < n && (h[l + 1]->t < h[l]->t ||
		    (h[l + 1]->t == h[l]->t && h[l + 1]->id < h[l]->id)))
			m = l + 1;
		if (h[i]->t < h[m]->t ||
		    (h[i]->t == h[m]->t && h[i]->id < h[m]->id))
			return;
		tmp = h[i];
		h[i] = h[m];
		h[m] = tmp;
		i = m;
	}
}

static void
mc_summary(uint64_t seed)
{
	unsigned i;

	fprintf(stderr, "seed %" PRIu64 "\n", seed);
	fprintf(stderr, "connections %" PRIu64 "\n", mc_st.conns);
	fprintf(stderr, "packets %" PRIu64 "\n", mc_st.packets);
	fprintf(stderr, "frames %" PRIu64 "\n", mc_st.frames);
	fprintf(stderr, "messages %" PRIu64 "\n", mc_st.msgs);
	fprintf(stderr, "compressed_messages %" PRIu64 "\n", mc_st.compressed);
	fprintf(stderr, "fragmented_messages %" PRIu64 "\n", mc_st.fragmented);
	fprintf(stderr, "pings %" PRIu64 "\n", mc_st.pings);
	for (i = 0; i < 16; i++) {
		if (mc_st.closes[i] != 0)
			fprintf(stderr, "close_%u %" PRIu64 "\n", 1000 + i,
			    mc_st.closes[i]);
	}
	fprintf(stderr, "message_bytes %" PRIu64 "\n", mc_st.msg_bytes);
	fprintf(stderr, "ws_payload_bytes %" PRIu64 "\n", mc_st.ws_bytes);
	fprintf(stderr, "tcp_payload_bytes %" PRIu64 "\n", mc_st.tcp_bytes);
	fprintf(stderr, "file_bytes %" PRIu64 "\n", mc_pw.bytes);
}

static void
mc_usage(void)
{
	fprintf(stderr, "usage: make-capture [-n] [-c CONNS] [-s SEED] "
	    "[-o OUT.pcap] [-t TRUTH] [-z PCT] SIZE\n");
	exit(EXIT_USAGE);
}

int
main(int argc, char **argv)
{
	struct mc_conn	 *conns, **heap, *c;
	const char	 *out = NULL, *truth = NULL;
	uint64_t	  seed = 1, target, next_id = 0, maxc = 0;
	size_t		  n, i;
	int64_t		  delay;
	int		  ch, rc, draining = 0;
	unsigned long	  maxz;
	char		 *end;

	wsa_progname = "make-capture";
	while ((ch = getopt(argc, argv, "c:no:s:t:z:")) != -1) {
		switch (ch) {
		case 'c':
			errno = 0;
			maxc = strtoull(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || maxc == 0 ||
			    maxc > MC_MAXCONNS)
				mc_usage();
			break;
		case 'n':
			mc_nsec = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 's':
			errno = 0;
			seed = strtoull(optarg, &end, 0);
			if (errno != 0 || *end != '\0' || *optarg == '\0')
				mc_usage();
			break;
		case 't':
			truth = optarg;
			break;
		case 'z':
			errno = 0;
			maxz = strtoul(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || *optarg == '\0' ||
			    maxz > 100)
				mc_usage();
			mc_deflate_pct = (unsigned)maxz;
			break;
		default:
			mc_usage();
		}
	}
	if (argc - optind != 1 || parse_size(argv[optind], &target) != 0)
		mc_usage();

	if (out == NULL || strcmp(out, "-") == 0) {
		if (isatty(STDOUT_FILENO)) {
			wsa_warn("refusing to write a capture to a terminal");
			return EXIT_USAGE;
		}
		mc_file = stdout;
	} else if ((mc_file = fopen(out, "wb")) == NULL) {
		wsa_warn("%s: %s", out, strerror(errno));
		return EXIT_INPUT;
	}
	if (truth != NULL && (mc_truth = fopen(truth, "w")) == NULL) {
		wsa_warn("%s: %s", truth, strerror(errno));
		return EXIT_INPUT;
	}
	if (mc_truth != NULL)
		fprintf(mc_truth, "# id\tclient\tserver\tdeflate\t"
		    "frames_c2s\tframes_s2c\tmessages_c2s\tmessages_s2c\t"
		    "compressed_c2s\tcompressed_s2c\tclose_c2s\tclose_s2c\n");

	mc_rng = seed;
	mc_salt = (uint32_t)mc_rand();
	mc_obuf = xmalloc(MC_OBUF);
	mc_msg = xmalloc(MC_MAXMSG);
	mc_zbuf = xmalloc(MC_ZBUF);
	setvbuf(mc_file, mc_obuf, _IOFBF, MC_OBUF);
	pw_begin(&mc_pw, mc_file, mc_nsec ? PW_PCAP_NSEC : PW_PCAP, 65535);

	/* About one open connection per 128 KiB of capture, 2 at least. */
	if (maxc == 0) {
		maxc = target / (128 * 1024);
		if (maxc < 2)
			maxc = 2;
		if (maxc > MC_MAXCONNS)
			maxc = MC_MAXCONNS;
	}
	n = (size_t)maxc;
	conns = xcalloc(n, sizeof *conns);
	heap = xcalloc(n, sizeof *heap);
	for (i = 0; i < n; i++) {
		mc_conn_init(&conns[i], next_id++, MC_EPOCH * NS_S +
		    (int64_t)i * (2 * NS_S / (int64_t)n) +
		    mc_us(0, 1000));
		heap[i] = &conns[i];
	}
	for (i = n / 2 + 1; i-- > 0;)
		mc_heap_down(heap, n, i);

	while (n != 0 && mc_pw.err == 0) {
		c = heap[0];
		/* Open connections finish cleanly; only new ones stop. */
		if (!draining && mc_pw.bytes + n * 2048 >= target) {
			draining = 1;
			for (i = 0; i < n; i++)
				heap[i]->actions_left = 0;
		}
		delay = mc_step(c);
		if (delay >= 0) {
			c->t += delay;
		} else {
			mc_conn_end(c);
			if (!draining) {
				mc_conn_init(c, next_id++, c->t +
				    mc_us(100, 20000));
			} else {
				heap[0] = heap[--n];
			}
		}
		mc_heap_down(heap, n, 0);
	}
	rc = pw_end(&mc_pw);
	if (rc == 0 && mc_file != stdout)
		rc = fclose(mc_file);
	if (rc != 0) {
		wsa_warn("write: %s", strerror(errno));
		return EXIT_INPUT;
	}
	if (mc_truth != NULL && fclose(mc_truth) != 0) {
		wsa_warn("%s: %s", truth, strerror(errno));
		return EXIT_INPUT;
	}
	mc_summary(seed);

	for (i = 0; i < maxc; i++) {
		free(conns[i].q[0].buf);
		free(conns[i].q[1].buf);
	}
	free(conns);
	free(heap);
	free(mc_obuf);
	free(mc_msg);
	free(mc_zbuf);
	return EXIT_OK;
}
