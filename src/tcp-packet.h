/*
 * tcp-packet: one Ethernet frame carrying IPv4 or IPv6 and TCP, checksums
 * included. replay --record writes its socket's bytes in such frames; the
 * test captures (tests/lib/pcap-writer) are made of them too.
 */
#ifndef TCP_PACKET_H
#define TCP_PACKET_H

#include <stddef.h>
#include <stdint.h>

/* TCP flags. */
#define TCP_PKT_FIN 0x01
#define TCP_PKT_SYN 0x02
#define TCP_PKT_RST 0x04
#define TCP_PKT_PSH 0x08
#define TCP_PKT_ACK 0x10

/* Ethernet 14, IPv4 20, TCP 20 (options add to it, 40 at most). */
#define TCP_PKT_HDR_LEN     54
/* The same with IPv6's 40. */
#define TCP_PKT_HDR6_LEN    74
#define TCP_PKT_OPT_MAX     40
/* The largest payload behind an option-less TCP header (the IPv4 total
 * length is 16 bits). */
#define TCP_PKT_MAX_PAYLOAD (65535 - 40)

/* The headers of one segment. */
struct tcp_packet {
	uint8_t        mac_src[6], mac_dst[6];
	uint32_t       ip_src, ip_dst;
	int            v6;             /* IPv6 between ip6_src and ip6_dst */
	uint8_t        ip6_src[16], ip6_dst[16];
	uint16_t       ip_id;
	uint8_t        ttl;
	uint16_t       sport, dport;
	uint32_t       seq, ack;       /* ack is written with ACK only */
	uint8_t        flags;
	uint16_t       window;
	const uint8_t *opt;            /* options, a multiple of 4 bytes */
	size_t         optlen;
};

/* Ethernet, IPv4 (don't fragment) or IPv6 (no extension header) and TCP
 * headers, checksums included, then the payload, into out
 * (TCP_PKT_HDR_LEN or TCP_PKT_HDR6_LEN, + optlen + n bytes); returns the
 * packet's length. */
size_t tcp_packet_build(uint8_t *out, const struct tcp_packet *,
    const void *, size_t n);

/*
 * One segment of a conversation from side (0 the client, MAC address
 * 00:00:00:00:00:02; 1 the server, :01), between ip[side]:port[side] and
 * the other side's, TTL 64, window 65535, acknowledging seq[!side]:
 * built into out as tcp_packet_build does; seq[side] then advances past
 * it. Returns the packet's length.
 */
size_t tcp_packet_segment(uint8_t *out, const uint32_t ip[2],
    const uint16_t port[2], uint32_t seq[2], uint16_t ip_id, int side,
    uint8_t flags, const void *, size_t n);
/* The same between IPv6 addresses (ip_id has no place in IPv6). */
size_t tcp_packet_segment6(uint8_t *out, const uint8_t ip[2][16],
    const uint16_t port[2], uint32_t seq[2], int side, uint8_t flags,
    const void *, size_t n);

#endif
