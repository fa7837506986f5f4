/*
 * tcp-packet: the segments replay --record writes, IPv4 and IPv6, read
 * back by the project's packet decoder, with the TCP checksum checked
 * by a sum of its own over the pseudo header (RFC 793, RFC 8200 8.1).
 */
#include "config.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "packet.h"
#include "tcp-packet.h"

static uint8_t pkt[TCP_PKT_HDR6_LEN + 2000];

/* The one's complement sum of a and b (big-endian words), folded. */
static uint16_t
sum2(const uint8_t *a, size_t na, const uint8_t *b, size_t nb, uint32_t s)
{
	size_t i;

	for (i = 0; i < na; i += 2)
		s += (uint32_t)a[i] << 8 | (i + 1 < na ? a[i + 1] : 0);
	for (i = 0; i < nb; i += 2)
		s += (uint32_t)b[i] << 8 | (i + 1 < nb ? b[i + 1] : 0);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
decode(size_t len, struct packet *p)
{
	struct capture_pkt cp;

	memset(&cp, 0, sizeof cp);
	cp.data = pkt;
	cp.caplen = cp.wirelen = (uint32_t)len;
	cp.linktype = DLT_EN10MB;
	assert_int_equal(packet_decode(DLT_EN10MB, &cp, p), PKT_TCP);
}

static void
test_ipv6(void **state)
{
	uint8_t       ip[2][16];
	uint16_t      port[2] = { 40000, 8443 };
	uint32_t      seq[2] = { 1000, 5000 };
	const char    body[] = "hello, odd length";
	size_t        n = sizeof body - 1, len;
	struct packet p;
	uint32_t      pseudo;

	(void)state;
	assert_int_equal(inet_pton(AF_INET6, "fd00::1", ip[0]), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", ip[1]), 1);
	len = tcp_packet_segment6(pkt, (const uint8_t (*)[16])ip, port, seq,
	    1, TCP_PKT_ACK | TCP_PKT_PSH, body, n);
	assert_int_equal(len, TCP_PKT_HDR6_LEN + n);
	assert_int_equal(pkt[12] << 8 | pkt[13], 0x86dd);
	assert_int_equal(pkt[14] >> 4, 6);
	assert_int_equal(pkt[18] << 8 | pkt[19], 20 + n);   /* payload length */
	assert_int_equal(pkt[20], 6);                        /* next header */
	assert_int_equal(pkt[21], 64);                       /* hop limit */
	decode(len, &p);
	assert_int_equal(p.family, 6);
	assert_memory_equal(p.src, ip[1], 16);
	assert_memory_equal(p.dst, ip[0], 16);
	assert_int_equal(p.sport, 8443);
	assert_int_equal(p.dport, 40000);
	assert_int_equal(p.seq, 5000);
	assert_int_equal(p.ack, 1000);
	assert_int_equal(p.flags, TCPF_ACK | TCPF_PSH);
	assert_int_equal(p.len, n);
	assert_memory_equal(p.payload, body, n);
	/* Addresses, the TCP length and next header 6 with the segment. */
	pseudo = (uint32_t)(20 + n) + 6;
	assert_int_equal(sum2(pkt + 22, 32, pkt + 54, 20 + n, pseudo), 0xffff);
	assert_int_equal(seq[1], 5000 + n);
	assert_int_equal(seq[0], 1000);
	/* A SYN takes one sequence number. */
	len = tcp_packet_segment6(pkt, (const uint8_t (*)[16])ip, port, seq,
	    0, TCP_PKT_SYN, NULL, 0);
	decode(len, &p);
	assert_int_equal(p.flags, TCPF_SYN);
	assert_int_equal(seq[0], 1001);
}

static void
test_ipv4(void **state)
{
	uint32_t      ip[2] = { 0x7f000001, 0x0a000002 };
	uint16_t      port[2] = { 40000, 80 };
	uint32_t      seq[2] = { 7, 9 };
	const char    body[] = "abc";
	size_t        len;
	struct packet p;

	(void)state;
	len = tcp_packet_segment(pkt, ip, port, seq, 3, 0,
	    TCP_PKT_ACK | TCP_PKT_PSH, body, 3);
	assert_int_equal(len, TCP_PKT_HDR_LEN + 3);
	assert_int_equal(pkt[12] << 8 | pkt[13], 0x0800);
	decode(len, &p);
	assert_int_equal(p.family, 4);
	assert_memory_equal(p.src, "\x7f\x00\x00\x01", 4);
	assert_memory_equal(p.dst, "\x0a\x00\x00\x02", 4);
	assert_int_equal(p.len, 3);
	assert_int_equal(sum2(pkt + 14, 20, NULL, 0, 0), 0xffff);
	assert_int_equal(sum2(pkt + 26, 8, pkt + 34, 23, 6 + 23), 0xffff);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_ipv4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
