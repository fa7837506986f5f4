/*
 * tcp-packet: an Ethernet frame around IPv4 or IPv6 and TCP headers and a
 * payload.
 */
#include "config.h"

#include <string.h>

#include "tcp-packet.h"

static void     tcp_packet_put16(uint8_t *, uint16_t);
static void     tcp_packet_put32(uint8_t *, uint32_t);
static uint32_t tcp_packet_sum(const uint8_t *, size_t, uint32_t);
static uint16_t tcp_packet_fold(uint32_t);
static size_t   tcp_packet_conv(uint8_t *, struct tcp_packet *,
		const uint16_t[2], uint32_t[2], int, uint8_t, const void *,
		size_t);

static void
tcp_packet_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
tcp_packet_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* One's complement sum of 16-bit big-endian words (RFC 1071). */
static uint32_t
tcp_packet_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t
tcp_packet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

size_t
tcp_packet_build(uint8_t *out, const struct tcp_packet *s, const void *payload,
    size_t n)
{
	uint8_t *ip = out + 14, *tcp = out + (s->v6 ? 54 : 34);
	size_t   tcplen = 20 + s->optlen;
	uint32_t sum;

	memcpy(out, s->mac_dst, 6);
	memcpy(out + 6, s->mac_src, 6);
	if (s->v6) {
		tcp_packet_put16(out + 12, 0x86dd);
		tcp_packet_put32(ip, 0x60000000);     /* no class, no label */
		tcp_packet_put16(ip + 4, (uint16_t)(tcplen + n));
		ip[6] = 6;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->ip6_src, 16);
		memcpy(ip + 24, s->ip6_dst, 16);
		/* Pseudo header: addresses, TCP length, next header. */
		sum = tcp_packet_sum(ip + 8, 32, 6 + (uint32_t)(tcplen + n));
		goto tcp;
	}
	tcp_packet_put16(out + 12, 0x0800);
	ip[0] = 0x45;
	ip[1] = 0;
	tcp_packet_put16(ip + 2, (uint16_t)(20 + tcplen + n));
	tcp_packet_put16(ip + 4, s->ip_id);
	tcp_packet_put16(ip + 6, 0x4000);               /* don't fragment */
	ip[8] = s->ttl;
	ip[9] = 6;
	tcp_packet_put16(ip + 10, 0);
	tcp_packet_put32(ip + 12, s->ip_src);
	tcp_packet_put32(ip + 16, s->ip_dst);
	tcp_packet_put16(ip + 10, tcp_packet_fold(tcp_packet_sum(ip, 20, 0)));
	/* Pseudo header: addresses, protocol, TCP length. */
	sum = tcp_packet_sum(ip + 12, 8, 6 + (uint32_t)(tcplen + n));
tcp:
	tcp_packet_put16(tcp, s->sport);
	tcp_packet_put16(tcp + 2, s->dport);
	tcp_packet_put32(tcp + 4, s->seq);
	tcp_packet_put32(tcp + 8, (s->flags & TCP_PKT_ACK) ? s->ack : 0);
	tcp[12] = (uint8_t)((tcplen / 4) << 4);
	tcp[13] = s->flags;
	tcp_packet_put16(tcp + 14, s->window);
	tcp_packet_put16(tcp + 16, 0);
	tcp_packet_put16(tcp + 18, 0);
	if (s->optlen > 0)
		memcpy(tcp + 20, s->opt, s->optlen);
	if (n > 0)
		memcpy(tcp + tcplen, payload, n);
	tcp_packet_put16(tcp + 16, tcp_packet_fold(tcp_packet_sum(tcp, tcplen + n, sum)));
	return (size_t)(tcp - out) + tcplen + n;
}

/* A segment of a conversation whose addresses s has: the rest of it. */
static size_t
tcp_packet_conv(uint8_t *out, struct tcp_packet *s, const uint16_t port[2],
    uint32_t seq[2], int side, uint8_t flags, const void *payload, size_t n)
{
	size_t len;

	s->mac_src[5] = (uint8_t)(2 - side);
	s->mac_dst[5] = (uint8_t)(side + 1);
	s->ttl = 64;
	s->sport = port[side];
	s->dport = port[!side];
	s->seq = seq[side];
	s->ack = seq[!side];
	s->flags = flags;
	s->window = 65535;
	len = tcp_packet_build(out, s, payload, n);
	seq[side] += (uint32_t)n +
	    ((flags & (TCP_PKT_SYN | TCP_PKT_FIN)) ? 1 : 0);
	return len;
}

size_t
tcp_packet_segment(uint8_t *out, const uint32_t ip[2], const uint16_t port[2],
    uint32_t seq[2], uint16_t ip_id, int side, uint8_t flags,
    const void *payload, size_t n)
{
	struct tcp_packet s;

	memset(&s, 0, sizeof s);
	s.ip_src = ip[side];
	s.ip_dst = ip[!side];
	s.ip_id = ip_id;
	return tcp_packet_conv(out, &s, port, seq, side, flags, payload, n);
}

size_t
tcp_packet_segment6(uint8_t *out, const uint8_t ip[2][16],
    const uint16_t port[2], uint32_t seq[2], int side, uint8_t flags,
    const void *payload, size_t n)
{
	struct tcp_packet s;

	memset(&s, 0, sizeof s);
	s.v6 = 1;
	memcpy(s.ip6_src, ip[side], 16);
	memcpy(s.ip6_dst, ip[!side], 16);
	return tcp_packet_conv(out, &s, port, seq, side, flags, payload, n);
}
