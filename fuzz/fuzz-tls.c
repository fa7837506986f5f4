/*
 * fuzz-tls: the TLS stage's record layer (src/tls.h): hellos, record
 * reassembly, key schedule and decryption, alerts, KeyUpdate.
 *
 * Input: a sequence of chunks, each a 3-byte header (bit 7 of byte 0:
 * the side; bit 6: a gap of that many bytes instead of data; bytes 1-2
 * the length, big-endian, cut to what is left) and its bytes. Side 0 is
 * the client. The key log is fixed: the secrets of
 * samples/tls-core/tls13-chacha.pcap (its two streams, chunked by packet,
 * are the seed in fuzz/corpus/tls) and a TLS 1.2 master secret for the
 * client random 00..1f. What the stage passes on must keep its promise:
 * each side's plaintext offsets follow each other, within bounds.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "keylog.h"
#include "tls.h"

static const char ft_keys[] =
    "SERVER_HANDSHAKE_TRAFFIC_SECRET 7a9b10a21d8b3884d4d28175a91af108ff20a76f4bc0b4765fb6d7713679bef5 6ecf382f412598dddb3924b7be1f6a3041e8556f8917b156c310714868b3a81e\n"
    "SERVER_TRAFFIC_SECRET_0 7a9b10a21d8b3884d4d28175a91af108ff20a76f4bc0b4765fb6d7713679bef5 4a46df50e4e7a480c85b14817554af8b3be7fc1e8987094878fa13faac7593bf\n"
    "CLIENT_HANDSHAKE_TRAFFIC_SECRET 7a9b10a21d8b3884d4d28175a91af108ff20a76f4bc0b4765fb6d7713679bef5 c3fa1dcc2d962827f30f9acccbd27bdec6072c42c9768b53358c625ac13b4a63\n"
    "CLIENT_TRAFFIC_SECRET_0 7a9b10a21d8b3884d4d28175a91af108ff20a76f4bc0b4765fb6d7713679bef5 f98479a69b85fb73eff44777fcc17f7ccc4ccec069358b7f6770cd6051ae8611\n"
    "CLIENT_RANDOM 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";

static struct keylog *ft_kl;
static uint64_t       ft_next[2];
static int            ft_ended[2];

static void
ft_data(void *arg, int side, uint64_t off, const uint8_t *p, size_t n,
    uint64_t pkt, struct wts ts)
{
	size_t i;
	volatile uint8_t x = 0;

	(void)arg;
	(void)pkt;
	(void)ts;
	if (side < 0 || side > 1 || off != ft_next[side] || n > 16384 ||
	    ft_ended[side])
		abort();
	for (i = 0; i < n; i++)       /* every byte readable */
		x ^= p[i];
	ft_next[side] = off + n;
}

static void
ft_gap(void *arg, int side, uint64_t off, uint64_t len, uint64_t pkt,
    struct wts ts)
{
	(void)arg;
	(void)pkt;
	(void)ts;
	if (side < 0 || side > 1 || off != ft_next[side])
		abort();
	ft_next[side] = off + len;
}

static void
ft_end(void *arg, int side, int rst, uint64_t pkt, struct wts ts)
{
	(void)arg;
	(void)rst;
	(void)pkt;
	(void)ts;
	ft_ended[side] = 1;
}

static void
ft_finding(void *arg, int side, struct finding *f)
{
	(void)arg;
	if (side < 0 || side > 1 || memchr(f->detail, '\0',
	    sizeof f->detail) == NULL)
		abort();
}

static const struct stage_ops ft_next_ops = { ft_data, ft_gap, ft_end };
static const struct tls_ops   ft_ops = { ft_finding };

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct tls_stage      *t;
	struct stage           st, *next;
	const struct tls_info *ti;
	struct wts             ts = { 0, 0 };
	uint64_t               off[2] = { 0, 0 }, pkt = 0;
	size_t                 len;
	int                    side, gap;

	if (ft_kl == NULL) {
		ft_kl = keylog_new();
		keylog_add(ft_kl, "fuzz", (const uint8_t *)ft_keys,
		    sizeof ft_keys - 1);
	}
	memset(ft_next, 0, sizeof ft_next);
	memset(ft_ended, 0, sizeof ft_ended);
	t = tls_stage_new(ft_kl, &ft_ops, NULL, 0);
	next = tls_stage_next(t);
	next->ops = &ft_next_ops;
	next->arg = NULL;
	st = tls_stage(t);
	while (n >= 3) {
		side = p[0] >> 7;
		gap = (p[0] >> 6) & 1;
		len = (size_t)p[1] << 8 | p[2];
		p += 3;
		n -= 3;
		pkt++;
		if (gap) {
			st.ops->gap(st.arg, side, off[side], len, pkt, ts);
			off[side] += len;
			continue;
		}
		len = len < n ? len : n;
		st.ops->data(st.arg, side, off[side], p, len, pkt, ts);
		off[side] += len;
		p += len;
		n -= len;
	}
	st.ops->end(st.arg, 0, 0, pkt, ts);
	st.ops->end(st.arg, 1, 0, pkt, ts);
	ti = tls_stage_info(t);
	if (ti->sni[sizeof ti->sni - 1] != '\0' ||
	    ti->alpn[sizeof ti->alpn - 1] != '\0')
		abort();
	tls_stage_free(t);
	return 0;
}
