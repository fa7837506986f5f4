/*
 * packet: link layer, IPv4/IPv6 and TCP header decoding.
 */
#ifndef PACKET_H
#define PACKET_H

#include "capture.h"

#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10

enum packet_kind {
	PKT_TCP,       /* a TCP segment: struct packet is filled */
	PKT_NOT_TCP,   /* IP but another protocol, or not IP at all */
	PKT_FRAGMENT,  /* an IPv4 or IPv6 fragment: counted, not decoded */
	PKT_SHORT,     /* captured too short to hold the TCP header */
	PKT_MALFORMED, /* headers inconsistent with themselves */
	PKT_KIND_MAX
};

struct packet {
	uint64_t       number;
	struct wts     ts;
	uint8_t        family; /* 4 or 6 */
	uint8_t        flags;  /* TCPF_* */
	uint16_t       sport, dport;
	uint8_t        src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint32_t       seq, ack;
	const uint8_t *payload;
	uint32_t       caplen; /* payload bytes present in the capture */
	uint32_t       len;    /* payload bytes on the wire (IP length) */
};

struct packet_stats {
	uint64_t kinds[PKT_KIND_MAX];
	uint64_t truncated; /* TCP segments whose payload was cut by snaplen */
};

/* 1 when the link type is decoded; name of a link type for messages. */
int              packet_linktype_supported(int dlt);
const char      *packet_linktype_name(int dlt);
enum packet_kind packet_decode(int dlt, const struct capture_pkt *,
    struct packet *);
const char      *packet_kind_name(enum packet_kind);

/* "1.2.3.4:80" or "[::1]:80" */
const char *packet_endpoint(int family, const uint8_t *addr, uint16_t port,
    char *buf, size_t len);

#endif
