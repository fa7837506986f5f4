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
 *
 * With --tls every connection is wrapped in TLS 1.3 (TLS_AES_128_GCM_SHA256,
 * encrypted for real through libcrypto) and the secrets go to OUT.keys. The
 * connections run exactly as without --tls (the same steps, times and
 * random draws: TLS draws from a stream of its own per connection), and
 * only what goes on the wire changes: each segment's bytes enter that
 * side's record layer, whose records (up to 16 KiB of plaintext, cut
 * where its own sizes say and at the end of each burst) leave in segments
 * of at most MC_MSS bytes. So the WebSocket frames are the ones the same
 * seed and size give in the clear.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <getopt.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
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
#define MC_RECORD	16384		/* TLS plaintext per record, at most */
#define MC_TAG		16		/* AES-GCM tag */

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

/*
 * One connection's TLS 1.3 (--tls): its own random stream, the real TCP
 * sequence numbers (the connection's own count the bytes in the clear),
 * and per side the current key, the record sequence number, plaintext
 * waiting for a record and records waiting for a segment.
 */
struct mc_tls {
	uint64_t	 rng;
	uint32_t	 seq[2];
	uint32_t	 acked[2];	/* the last ack each side sent */
	int		 hello;		/* the handshake was sent */
	uint8_t		 random[32];	/* the client's: the key log's key */
	EVP_CIPHER_CTX	*ctx[2];
	uint8_t		 iv[2][12];
	uint64_t	 recseq[2];
	struct mc_q	 pend[2];
	struct mc_q	 out[2];
	size_t		 next[2];	/* plaintext size of the next record */
	int64_t		 t;		/* time of the next real packet */
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

	struct mc_tls	*tls;		/* --tls */
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
	uint64_t	 tls_records;
	uint64_t	 clear_bytes;	/* the file the same traffic makes in the clear */
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
static int		 mc_tls_on;	/* --tls */
static uint64_t		 mc_seed;
static FILE		*mc_keys;	/* OUT.keys */
static EVP_KDF		*mc_hkdf;

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
static void	 mc_q_compact(struct mc_q *);
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
static void	 mc_emit(struct mc_conn *, int, uint8_t, const uint8_t *,
		     size_t, int64_t, uint32_t, uint32_t);
static uint64_t	 mc_trand(struct mc_tls *);
static void	 mc_tls_random(struct mc_tls *, uint8_t *, size_t);
static void	 mc_tls_hs_plain(struct mc_tls *, int, uint8_t, uint8_t *,
		     const uint8_t *);
static void	 mc_tls_init(struct mc_conn *);
static void	 mc_tls_free(struct mc_conn *);
static void	 mc_tls_key(struct mc_tls *, int, const uint8_t *);
static void	 mc_tls_expand(const uint8_t *, const char *, uint8_t *,
		     size_t);
static void	 mc_tls_seal(struct mc_tls *, int, uint8_t, const uint8_t *,
		     size_t);
static void	 mc_tls_plain(struct mc_tls *, int, uint8_t, const uint8_t *,
		     size_t);
static void	 mc_tls_flush(struct mc_conn *, int, int);
static void	 mc_tls_hello(struct mc_conn *);
static void	 mc_tls_packet(struct mc_conn *, int, uint8_t,
		     const uint8_t *, size_t);
static void	 mc_tls_keylog(const char *, const uint8_t *,
		     const uint8_t *);
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
	int64_t t = c->t;

	if (t < mc_last + NS_US)
		t = mc_last + NS_US;
	mc_last = t;
	c->t = t;
	/* What the file holds in the clear: a record header and the packet. */
	mc_st.clear_bytes += 16 + PW_HDR_LEN + (flags & PW_SYN ? 20 : 12) + n;
	if (c->tls != NULL) {
		c->tls->t = t;
		mc_tls_packet(c, d, flags, pl, n);
	} else
		mc_emit(c, d, flags, pl, n, t, c->seq[d], c->seq[!d]);
	c->seq[d] += (uint32_t)n + ((flags & (PW_SYN | PW_FIN)) ? 1 : 0);
	return t;
}

/* Writes one segment of side d at t with these sequence numbers. */
static void
mc_emit(struct mc_conn *c, int d, uint8_t flags, const uint8_t *pl,
    size_t n, int64_t t, uint32_t seq, uint32_t ack)
{
	static const uint8_t router[6] = { 2, 0, 0, 0, 0, 1 };
	static uint8_t	 pkt[PW_HDR_LEN + PW_OPT_MAX + MC_MSS];
	uint8_t		 server[6] = { 2, 0, 0, 0, 1, c->server }, opt[20];
	struct tcp_packet	 s;
	size_t		 len;
	uint32_t	 ts;

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
	s.seq = seq;
	s.ack = ack;
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
	len = tcp_packet_build(pkt, &s, pl, n);
	pw_record(&mc_pw, t, pkt, len, len);
	mc_st.packets++;
	mc_st.tcp_bytes += n;
}

/* The connection's own TLS stream: TLS never draws from mc_rng. */
static uint64_t
mc_trand(struct mc_tls *t)
{
	uint64_t z;

	z = (t->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* n random bytes of the connection's TLS stream (n a multiple of 8). */
static void
mc_tls_random(struct mc_tls *t, uint8_t *p, size_t n)
{
	uint64_t r;
	size_t	 i;

	for (i = 0; i < n; i += 8) {
		r = mc_trand(t);
		memcpy(p + i, &r, 8);
	}
}

/*
 * The handshake message of that type whose body runs from m + 4 to end,
 * in a record in the clear from side d.
 */
static void
mc_tls_hs_plain(struct mc_tls *t, int d, uint8_t type, uint8_t *m,
    const uint8_t *end)
{
	m[0] = type;
	m[1] = 0;
	pw_put16(m + 2, (uint16_t)(end - m - 4));
	mc_tls_plain(t, d, 22, m, (size_t)(end - m));
}

/* RFC 8446 7.1: HKDF-Expand-Label(secret, label, "", n), SHA-256. */
static void
mc_tls_expand(const uint8_t *secret, const char *label, uint8_t *out,
    size_t n)
{
	EVP_KDF_CTX	*kctx;
	OSSL_PARAM	 params[5];
	uint8_t		 info[2 + 1 + 255 + 1];
	size_t		 ll = 6 + strlen(label), il;
	int		 mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY, ok;

	pw_put16(info, (uint16_t)n);
	info[2] = (uint8_t)ll;
	memcpy(info + 3, "tls13 ", 6);
	memcpy(info + 9, label, ll - 6);
	info[3 + ll] = 0;		/* empty context */
	il = 3 + ll + 1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &mode);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)(uintptr_t)secret, 32);
	params[3] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    info, il);
	params[4] = OSSL_PARAM_construct_end();
	kctx = EVP_KDF_CTX_new(mc_hkdf);
	ok = kctx != NULL && EVP_KDF_derive(kctx, out, n, params) == 1;
	EVP_KDF_CTX_free(kctx);
	if (!ok) {
		wsa_warn("HKDF-Expand-Label failed");
		exit(EXIT_INPUT);
	}
}

/* Side d encrypts from now on with the traffic secret given. */
static void
mc_tls_key(struct mc_tls *t, int d, const uint8_t *secret)
{
	uint8_t key[16];

	mc_tls_expand(secret, "key", key, sizeof key);
	mc_tls_expand(secret, "iv", t->iv[d], sizeof t->iv[d]);
	if (t->ctx[d] == NULL)
		t->ctx[d] = EVP_CIPHER_CTX_new();
	if (t->ctx[d] == NULL || EVP_EncryptInit_ex(t->ctx[d],
	    EVP_aes_128_gcm(), NULL, key, NULL) != 1) {
		wsa_warn("AES-128-GCM setup failed");
		exit(EXIT_INPUT);
	}
	t->recseq[d] = 0;
}

/* A record in the clear (the hellos) from side d. */
static void
mc_tls_plain(struct mc_tls *t, int d, uint8_t type, const uint8_t *p,
    size_t n)
{
	uint8_t *o = mc_q_put(&t->out[d], 5 + n);

	o[0] = type;
	pw_put16(o + 1, 0x0303);
	pw_put16(o + 3, (uint16_t)n);
	memcpy(o + 5, p, n);
}

/*
 * RFC 8446 5.2: one protected record of n plaintext bytes of content type
 * type from side d: the inner type after the data, the nonce the IV with
 * the record sequence number in its last 8 bytes, the header as AAD.
 */
static void
mc_tls_seal(struct mc_tls *t, int d, uint8_t type, const uint8_t *p,
    size_t n)
{
	uint8_t	 nonce[12], *o;
	size_t	 clen = n + 1 + MC_TAG;
	int	 outl, i;

	o = mc_q_put(&t->out[d], 5 + clen);
	o[0] = 23;
	pw_put16(o + 1, 0x0303);
	pw_put16(o + 3, (uint16_t)clen);
	memcpy(nonce, t->iv[d], 12);
	for (i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(t->recseq[d] >> (8 * i));
	t->recseq[d]++;
	memcpy(o + 5, p, n);
	o[5 + n] = type;
	if (EVP_EncryptInit_ex(t->ctx[d], NULL, NULL, NULL, nonce) != 1 ||
	    EVP_EncryptUpdate(t->ctx[d], NULL, &outl, o, 5) != 1 ||
	    EVP_EncryptUpdate(t->ctx[d], o + 5, &outl, o + 5,
	    (int)(n + 1)) != 1 ||
	    EVP_EncryptFinal_ex(t->ctx[d], o + 5 + n + 1, &outl) != 1 ||
	    EVP_CIPHER_CTX_ctrl(t->ctx[d], EVP_CTRL_GCM_GET_TAG, MC_TAG,
	    o + 5 + n + 1) != 1) {
		wsa_warn("AES-128-GCM failed");
		exit(EXIT_INPUT);
	}
	mc_st.tls_records++;
}

/*
 * Side d's records into segments of MC_MSS bytes at the connection's
 * time, a nanosecond apart; the rest too when all is true (a burst ends).
 */
static void
mc_tls_flush(struct mc_conn *c, int d, int all)
{
	struct mc_tls	*t = c->tls;
	struct mc_q	*q = &t->out[d];
	size_t		 n;

	while (q->len - q->off >= MC_MSS || (all && q->off < q->len)) {
		n = q->len - q->off;
		if (n > MC_MSS)
			n = MC_MSS;
		mc_emit(c, d, PW_ACK | (q->off + n == q->len ? PW_PSH : 0),
		    q->buf + q->off, n, t->t++, t->seq[d], t->seq[!d]);
		t->seq[d] += (uint32_t)n;
		t->acked[d] = t->seq[!d];
		q->off += n;
	}
	mc_q_compact(q);
}

static void
mc_tls_keylog(const char *label, const uint8_t *random,
    const uint8_t *secret)
{
	int i;

	fprintf(mc_keys, "%s ", label);
	for (i = 0; i < 32; i++)
		fprintf(mc_keys, "%02x", random[i]);
	fputc(' ', mc_keys);
	for (i = 0; i < 32; i++)
		fprintf(mc_keys, "%02x", secret[i]);
	fputc('\n', mc_keys);
}

/*
 * The handshake, before the client's first bytes: a ClientHello (SNI, the
 * suite, supported_versions 1.3, an x25519 key share) and a ServerHello in
 * the clear, then under the handshake secrets the server's
 * EncryptedExtensions and Finished and the client's Finished. The secrets
 * are random, not agreed: the key log is what makes them the keys.
 */
static void
mc_tls_hello(struct mc_conn *c)
{
	static const char *const labels[4] = {
		"CLIENT_HANDSHAKE_TRAFFIC_SECRET",
		"SERVER_HANDSHAKE_TRAFFIC_SECRET",
		"CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0"
	};
	struct mc_tls	*t = c->tls;
	uint8_t		 m[512], secret[4][32], *p, *ext;
	const char	*host = mc_hosts[c->server];
	size_t		 hl = strlen(host);
	int		 i;

	mc_tls_random(t, t->random, 32);
	mc_tls_random(t, &secret[0][0], sizeof secret);
	for (i = 0; i < 4; i++)
		mc_tls_keylog(labels[i], t->random, secret[i]);

	/* ClientHello. */
	p = m + 4;
	pw_put16(p, 0x0303);
	memcpy(p + 2, t->random, 32);
	p[34] = 0;			/* no legacy session id */
	pw_put16(p + 35, 2);
	pw_put16(p + 37, 0x1301);	/* TLS_AES_128_GCM_SHA256 */
	p[39] = 1;
	p[40] = 0;			/* null compression */
	ext = p + 43;
	p = ext;
	pw_put16(p, 0);			/* server_name */
	pw_put16(p + 2, (uint16_t)(hl + 5));
	pw_put16(p + 4, (uint16_t)(hl + 3));
	p[6] = 0;
	pw_put16(p + 7, (uint16_t)hl);
	memcpy(p + 9, host, hl);
	p += 9 + hl;
	memcpy(p, "\x00\x2b\x00\x03\x02\x03\x04", 7);	/* supported_versions */
	p += 7;
	memcpy(p, "\x00\x0a\x00\x04\x00\x02\x00\x1d", 8); /* groups: x25519 */
	p += 8;
	memcpy(p, "\x00\x0d\x00\x04\x00\x02\x08\x04", 8); /* rsa_pss_rsae_sha256 */
	p += 8;
	memcpy(p, "\x00\x33\x00\x26\x00\x24\x00\x1d\x00\x20", 10); /* key_share */
	mc_tls_random(t, p + 10, 32);
	p += 42;
	pw_put16(ext - 2, (uint16_t)(p - ext));
	mc_tls_hs_plain(t, C2S, 1, m, p);
	mc_tls_flush(c, C2S, 1);

	/* ServerHello. */
	p = m + 4;
	pw_put16(p, 0x0303);
	mc_tls_random(t, p + 2, 32);
	p[34] = 0;
	pw_put16(p + 35, 0x1301);
	p[37] = 0;
	ext = p + 40;
	p = ext;
	memcpy(p, "\x00\x2b\x00\x02\x03\x04", 6);
	p += 6;
	memcpy(p, "\x00\x33\x00\x24\x00\x1d\x00\x20", 8);
	mc_tls_random(t, p + 8, 32);
	p += 40;
	pw_put16(ext - 2, (uint16_t)(p - ext));
	mc_tls_hs_plain(t, S2C, 2, m, p);

	/* EncryptedExtensions (none) and Finished, under handshake keys. */
	mc_tls_key(t, S2C, secret[1]);
	memcpy(m, "\x08\x00\x00\x02\x00\x00\x14\x00\x00\x20", 10);
	mc_tls_random(t, m + 10, 32);
	mc_tls_seal(t, S2C, 22, m, 42);
	mc_tls_key(t, S2C, secret[3]);
	mc_tls_flush(c, S2C, 1);

	/* The client's Finished; its first data follows in the same flight. */
	mc_tls_key(t, C2S, secret[0]);
	memcpy(m, "\x14\x00\x00\x20", 4);
	mc_tls_random(t, m + 4, 32);
	mc_tls_seal(t, C2S, 22, m, 36);
	mc_tls_key(t, C2S, secret[2]);
	t->hello = 1;
}

/*
 * A segment of the connection in the clear, put on the wire in TLS: flags
 * alone as they are; payload into side d's records, each cut at its
 * plaintext size (mostly MC_RECORD, sometimes smaller) or at the end of
 * the burst (PSH); before a FIN, a close_notify alert.
 */
static void
mc_tls_packet(struct mc_conn *c, int d, uint8_t flags, const uint8_t *pl,
    size_t n)
{
	static const uint8_t close_notify[2] = { 1, 0 };
	struct mc_tls	*t = c->tls;
	struct mc_q	*q = &t->pend[d];
	size_t		 k;

	if (n == 0) {
		if (flags & PW_FIN) {
			mc_tls_seal(t, d, 21, close_notify, 2);
			mc_tls_flush(c, d, 1);
		}
		/* An ACK of nothing new: the peer's bytes wait in a record. */
		if (flags == PW_ACK && t->acked[d] == t->seq[!d])
			return;
		mc_emit(c, d, flags, NULL, 0, t->t++, t->seq[d], t->seq[!d]);
		t->acked[d] = t->seq[!d];
		t->seq[d] += (flags & (PW_SYN | PW_FIN)) ? 1 : 0;
		return;
	}
	if (!t->hello)
		mc_tls_hello(c);
	memcpy(mc_q_put(q, n), pl, n);
	while (q->len - q->off >= t->next[d] ||
	    ((flags & PW_PSH) && q->off < q->len)) {
		k = q->len - q->off;
		if (k > t->next[d])
			k = t->next[d];
		mc_tls_seal(t, d, 23, q->buf + q->off, k);
		q->off += k;
		t->next[d] = mc_trand(t) % 4 == 0 ?
		    1 + mc_trand(t) % MC_RECORD : MC_RECORD;
	}
	mc_q_compact(q);
	mc_tls_flush(c, d, (flags & PW_PSH) != 0);
}

static void
mc_tls_init(struct mc_conn *c)
{
	struct mc_tls	*t = c->tls;
	int		 d;

	if (t == NULL)
		t = c->tls = xcalloc(1, sizeof *t);
	t->rng = mc_seed ^ (c->id * 0xd1342543de82ef95ULL) ^ 0x544c5331ULL;
	t->hello = 0;
	for (d = 0; d < 2; d++) {
		t->seq[d] = c->seq[d];
		t->recseq[d] = 0;
		t->pend[d].off = t->pend[d].len = 0;
		t->out[d].off = t->out[d].len = 0;
		t->next[d] = MC_RECORD;
	}
}

static void
mc_tls_free(struct mc_conn *c)
{
	int d;

	if (c->tls == NULL)
		return;
	for (d = 0; d < 2; d++) {
		EVP_CIPHER_CTX_free(c->tls->ctx[d]);
		free(c->tls->pend[d].buf);
		free(c->tls->out[d].buf);
	}
	free(c->tls);
	c->tls = NULL;
}

/* The bytes still in q to its start: a queue that never empties stays small. */
static void
mc_q_compact(struct mc_q *q)
{
	if (q->off != 0) {
		memmove(q->buf, q->buf + q->off, q->len - q->off);
		q->len -= q->off;
		q->off = 0;
	}
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
	if (mc_tls_on)
		mc_tls_init(c);
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
	if (mc_tls_on)
		fprintf(stderr, "tls_records %" PRIu64 "\n", mc_st.tls_records);
}

static void
mc_usage(void)
{
	fprintf(stderr, "usage: make-capture [-n] [--tls] [-c CONNS] [-s SEED] "
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
	char		 *end, *keys = NULL;

	wsa_progname = "make-capture";
	static const struct option longopts[] = {
		{ "tls", no_argument, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "c:no:s:t:z:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'T':
			mc_tls_on = 1;
			break;
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
	if (mc_tls_on) {
		/* The secrets go beside the capture. */
		if (out == NULL || strcmp(out, "-") == 0) {
			wsa_warn("--tls needs -o OUT.pcap (the keys go to "
			    "OUT.keys)");
			return EXIT_USAGE;
		}
		keys = xmalloc(strlen(out) + 6);
		sprintf(keys, "%s.keys", out);
		if ((mc_keys = fopen(keys, "w")) == NULL) {
			wsa_warn("%s: %s", keys, strerror(errno));
			return EXIT_INPUT;
		}
		mc_hkdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
		if (mc_hkdf == NULL) {
			wsa_warn("libcrypto has no HKDF");
			return EXIT_INPUT;
		}
	}
	if (truth != NULL && (mc_truth = fopen(truth, "w")) == NULL) {
		wsa_warn("%s: %s", truth, strerror(errno));
		return EXIT_INPUT;
	}
	if (mc_truth != NULL)
		fprintf(mc_truth, "# id\tclient\tserver\tdeflate\t"
		    "frames_c2s\tframes_s2c\tmessages_c2s\tmessages_s2c\t"
		    "compressed_c2s\tcompressed_s2c\tclose_c2s\tclose_s2c\n");

	mc_seed = seed;
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
		if (!draining && (mc_tls_on ? 24 + mc_st.clear_bytes :
		    mc_pw.bytes) + n * 2048 >= target) {
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
	if (mc_keys != NULL && fclose(mc_keys) != 0) {
		wsa_warn("%s: %s", keys, strerror(errno));
		return EXIT_INPUT;
	}
	mc_summary(seed);

	for (i = 0; i < maxc; i++) {
		free(conns[i].q[0].buf);
		free(conns[i].q[1].buf);
		mc_tls_free(&conns[i]);
	}
	EVP_KDF_free(mc_hkdf);
	free(keys);
	free(conns);
	free(heap);
	free(mc_obuf);
	free(mc_msg);
	free(mc_zbuf);
	return EXIT_OK;
}
